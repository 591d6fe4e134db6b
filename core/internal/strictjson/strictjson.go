// Package strictjson validates and walks JSON objects from untrusted tokens.
//
// It exists because JOSE headers and JWT payloads must be read strictly (RFC 7515 §4, RFC 8725 §2.6):
// duplicate member names are rejected at every depth, so no two parsers (ours and the issuer's) can read the
// same bytes differently; invalid UTF-8, lone surrogates, control characters and deep nesting are rejected; and
// the top-level members are reported as byte offsets into the input, so the caller can take substrings without
// copying. encoding/json does none of the first and allocates for the second.
package strictjson

import (
	"errors"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays accepted.
const MaxDepth = 32

// maxMembers bounds the members of one object, which keeps duplicate detection cheap.
const maxMembers = 256

// Kind is the JSON type of a value.
type Kind uint8

// The kinds of JSON value.
const (
	Invalid Kind = iota
	String
	Number
	True
	False
	Null
	Object
	Array
)

// Errors returned by Walk. They are deliberately coarse: the caller maps every one to "invalid token".
var (
	ErrSyntax    = errors.New("strictjson: invalid JSON")
	ErrDuplicate = errors.New("strictjson: duplicate member name")
	ErrDepth     = errors.New("strictjson: nesting too deep")
	ErrTooMany   = errors.New("strictjson: too many members")
	ErrNotObject = errors.New("strictjson: not a JSON object")
)

// Member is one top-level member of an object, as offsets into the walked input.
type Member struct {
	// Key is the member name with escapes resolved. It aliases the input when the name has no escapes.
	Key []byte
	// Kind is the value's JSON type.
	Kind Kind
	// Start and End delimit the value's bytes in the input. For a string they exclude the quotes.
	Start, End int
	// Escaped reports whether a string value contains escape sequences (so input[Start:End] is not its text).
	Escaped bool
}

// Walk validates data as exactly one JSON object (surrounding whitespace allowed) and calls fn for each
// top-level member in order. fn's error stops the walk and is returned as is.
func Walk(data []byte, fn func(m Member) error) error {
	p := parser{data: data}
	p.skipWS()
	if p.pos >= len(data) || data[p.pos] != '{' {
		return ErrNotObject
	}
	if err := p.object(0, fn, nil, nil); err != nil {
		return err
	}
	p.skipWS()
	if p.pos != len(data) {
		return ErrSyntax
	}
	return nil
}

// WalkNested is Walk that also calls inner, before fn, for each member of a top-level member's value when
// that value is an object, with the top-level member's name as parent. Offsets are into data, as for fn.
// An error from inner stops the walk and is returned as is.
func WalkNested(data []byte, fn func(m Member) error, inner func(parent []byte, m Member) error) error {
	p := parser{data: data}
	p.skipWS()
	if p.pos >= len(data) || data[p.pos] != '{' {
		return ErrNotObject
	}
	if err := p.object(0, fn, inner, nil); err != nil {
		return err
	}
	p.skipWS()
	if p.pos != len(data) {
		return ErrSyntax
	}
	return nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) skipWS() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// object parses an object at p.pos (which holds '{'). At the top level fn, when not nil, gets each member,
// and inner (WalkNested's) is handed down for the objects of those members; one level down, inner gets each
// member with parent, the name of the top-level member holding the object.
func (p *parser) object(depth int, fn func(m Member) error, inner func(parent []byte, m Member) error, parent []byte) error {
	if depth >= MaxDepth {
		return ErrDepth
	}
	p.pos++ // '{'
	var small [16][]byte
	seen := small[:0]
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return nil
	}
	for {
		p.skipWS()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return ErrSyntax
		}
		ks, ke, kesc, err := p.str()
		if err != nil {
			return err
		}
		key := p.data[ks:ke]
		if kesc {
			if key, err = AppendUnescaped(nil, key); err != nil {
				return err
			}
		}
		if len(seen) == maxMembers {
			return ErrTooMany
		}
		for _, k := range seen {
			if string(k) == string(key) {
				return ErrDuplicate
			}
		}
		seen = append(seen, key)
		p.skipWS()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return ErrSyntax
		}
		p.pos++
		p.skipWS()
		var in func(parent []byte, m Member) error
		if depth == 0 {
			in = inner
		}
		kind, vs, ve, vesc, err := p.value(depth, in, key)
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(Member{Key: key, Kind: kind, Start: vs, End: ve, Escaped: vesc}); err != nil {
				return err
			}
		} else if inner != nil && depth == 1 {
			if err := inner(parent, Member{Key: key, Kind: kind, Start: vs, End: ve, Escaped: vesc}); err != nil {
				return err
			}
		}
		p.skipWS()
		if p.pos >= len(p.data) {
			return ErrSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return ErrSyntax
		}
	}
}

func (p *parser) array(depth int) error {
	if depth >= MaxDepth {
		return ErrDepth
	}
	p.pos++ // '['
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for {
		p.skipWS()
		if _, _, _, _, err := p.value(depth, nil, nil); err != nil {
			return err
		}
		p.skipWS()
		if p.pos >= len(p.data) {
			return ErrSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return ErrSyntax
		}
	}
}

// value parses any value at p.pos and returns its kind and span (strings without quotes).
// inner and parent, given for the values of top-level members, go to the object there (see object).
func (p *parser) value(depth int, inner func(parent []byte, m Member) error, parent []byte) (kind Kind, start, end int, escaped bool, err error) {
	if p.pos >= len(p.data) {
		return Invalid, 0, 0, false, ErrSyntax
	}
	start = p.pos
	switch c := p.data[p.pos]; {
	case c == '"':
		s, e, esc, err := p.str()
		return String, s, e, esc, err
	case c == '{':
		err = p.object(depth+1, nil, inner, parent)
		return Object, start, p.pos, false, err
	case c == '[':
		err = p.array(depth + 1)
		return Array, start, p.pos, false, err
	case c == 't':
		return True, start, start + 4, false, p.literal("true")
	case c == 'f':
		return False, start, start + 5, false, p.literal("false")
	case c == 'n':
		return Null, start, start + 4, false, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		err = p.number()
		return Number, start, p.pos, false, err
	}
	return Invalid, 0, 0, false, ErrSyntax
}

func (p *parser) literal(lit string) error {
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return ErrSyntax
	}
	p.pos += len(lit)
	return nil
}

// number checks the RFC 8259 number grammar.
func (p *parser) number() error {
	d := p.data
	i := p.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return ErrSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return ErrSyntax
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return ErrSyntax
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	p.pos = i
	return nil
}

// str parses a string at p.pos (which holds '"'), returning the span inside the quotes.
func (p *parser) str() (start, end int, escaped bool, err error) {
	d := p.data
	i := p.pos + 1
	start = i
	for i < len(d) {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return start, i, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				return 0, 0, false, ErrSyntax
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return 0, 0, false, ErrSyntax
				}
				i += 6
				if r >= 0xD800 && r < 0xDC00 { // high surrogate: a low one must follow
					if i+1 >= len(d) || d[i] != '\\' || d[i+1] != 'u' {
						return 0, 0, false, ErrSyntax
					}
					r2, ok := hex4(d, i+2)
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return 0, 0, false, ErrSyntax
					}
					i += 6
				} else if r >= 0xDC00 && r <= 0xDFFF {
					return 0, 0, false, ErrSyntax
				}
			default:
				return 0, 0, false, ErrSyntax
			}
		case c < 0x20:
			return 0, 0, false, ErrSyntax
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				return 0, 0, false, ErrSyntax
			}
			i += size
		}
	}
	return 0, 0, false, ErrSyntax
}

// plain marks the bytes a string holds as they are: ASCII other than control characters, '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// AppendUnescaped appends the text of a string's inner bytes (already validated by Walk) to dst.
func AppendUnescaped(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, ErrSyntax
		}
		switch s[i+1] {
		case '"', '\\', '/':
			dst = append(dst, s[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return nil, ErrSyntax
			}
			i += 6
			if r >= 0xD800 && r < 0xDC00 {
				r2, ok := hex4(s, i+2)
				if !ok || i+1 >= len(s) || s[i] != '\\' || s[i+1] != 'u' || r2 < 0xDC00 || r2 > 0xDFFF {
					return nil, ErrSyntax
				}
				r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
				i += 6
			} else if r >= 0xDC00 && r <= 0xDFFF {
				return nil, ErrSyntax
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return nil, ErrSyntax
		}
		i += 2
	}
	return dst, nil
}
