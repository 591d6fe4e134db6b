package jwtissue

// JavaScript object semantics for the JSON Better Auth builds with object spreads and JSON.parse /
// JSON.stringify: members keep the position of their first appearance, a later value for the same key
// replaces the earlier one, and values are written as JSON.stringify writes them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// member is one member of an object; val is JSON text as JSON.stringify writes it.
type member struct {
	key string
	val []byte
}

// object is a JavaScript object's own string-keyed members in insertion order. A member whose val is nil
// holds undefined: it keeps its place but JSON.stringify leaves it out.
type object struct{ m []member }

// set assigns key as JavaScript does: in place when it exists, else at the end.
func (o *object) set(key string, val []byte) {
	for i := range o.m {
		if o.m[i].key == key {
			o.m[i].val = val
			return
		}
	}
	o.m = append(o.m, member{key, val})
}

func (o *object) str(key, v string) { o.set(key, appendJSString(nil, v)) }

func (o *object) get(key string) ([]byte, bool) {
	for _, m := range o.m {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// spread copies src's members into o, as {...o, ...src}.
func (o *object) spread(src *object) {
	for _, m := range src.m {
		o.set(m.key, m.val)
	}
}

// bytes writes o as JSON.stringify does.
func (o *object) bytes() []byte { return o.appendTo(nil) }

func (o *object) appendTo(b []byte) []byte {
	b = append(b, '{')
	first := true
	for _, m := range o.m {
		if m.val == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSString(b, m.key)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}')
}

var errNotObject = errors.New("not a JSON object")

// parseObject parses a JSON object as JSON.parse does (a repeated key keeps its first position and its
// last value) and re-encodes every value as JSON.stringify would write it.
func parseObject(b []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	o, err := readObject(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return o, nil
}

// readObject reads the members of an object whose '{' has been read, and its '}'.
func readObject(dec *json.Decoder) (*object, error) {
	o := &object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v", tok)
		}
		val, err := readValue(dec, nil)
		if err != nil {
			return nil, err
		}
		o.set(key, val)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, err
	}
	return o, nil
}

// readValue reads one value and appends it to b as JSON.stringify writes it.
func readValue(dec *json.Decoder, b []byte) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			o, err := readObject(dec)
			if err != nil {
				return nil, err
			}
			return o.appendTo(b), nil
		}
		// '[': the decoder only hands out '{' and '[' here.
		b = append(b, '[')
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = readValue(dec, b); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return append(b, ']'), nil
	case string:
		return appendJSString(b, v), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return appendNumber(b, f), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	default: // nil
		return append(b, "null"...), nil
	}
}

// appendJSString writes s as JSON.stringify writes a string: only '"', '\\' and control characters are
// escaped (\b \t \n \f \r, else \u00xx in lower case); invalid UTF-8 becomes U+FFFD.
func appendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// appendNumber writes f as JSON.stringify does (encoding/json follows the ES6 number formatting for
// float64); -0 is "0", and NaN and the infinities are null.
func appendNumber(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, "null"...)
	case f == 0:
		return append(b, '0')
	}
	out, err := json.Marshal(f)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, out...)
}
