package betterauth

// JavaScript object semantics for the JSON Better Auth builds with object spreads and JSON.parse /
// JSON.stringify (better-auth src/plugins/jwt/sign.ts and utils.ts: the JWT payload, header and JWKs):
// members keep the position of their first appearance, a later value for the same key replaces the earlier
// one, and values are written as JSON.stringify writes them (json.go).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// member is one member of an object; val is JSON text as JSON.stringify writes it.
type member struct {
	key string
	val []byte
}

// Object is a JavaScript object's own string-keyed members in insertion order, for JSON that Better Auth
// builds with object spreads and JSON.parse / JSON.stringify (the JWT plugin's payloads, headers and JWKs).
// A member whose value is nil holds undefined: it keeps its place but JSON.stringify leaves it out. The zero
// value is an empty object.
type Object struct{ m []member }

// Set assigns key (val is JSON text as JSON.stringify writes it) as JavaScript does: in place when it exists, else at the end.
func (o *Object) Set(key string, val []byte) {
	for i := range o.m {
		if o.m[i].key == key {
			o.m[i].val = val
			return
		}
	}
	o.m = append(o.m, member{key, val})
}

// SetValue sets key to v written as JSON.stringify writes it (nil is null; time.Time a date string; maps
// in key order).
func (o *Object) SetValue(key string, v any) { o.Set(key, appendJSValue(nil, v)) }

// SetString sets key to the string v.
func (o *Object) SetString(key, v string) { o.Set(key, AppendJSString(nil, v)) }

// Get returns key's JSON text, and whether key is a member (nil for undefined).
func (o *Object) Get(key string) ([]byte, bool) {
	for _, m := range o.m {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// Keys returns the members' keys in order, as Object.keys does (undefined members included).
func (o *Object) Keys() []string {
	keys := make([]string, len(o.m))
	for i, m := range o.m {
		keys[i] = m.key
	}
	return keys
}

// Spread copies src's members into o, as {...o, ...src}.
func (o *Object) Spread(src *Object) {
	for _, m := range src.m {
		o.Set(m.key, m.val)
	}
}

// Bytes writes o as JSON.stringify does.
func (o *Object) Bytes() []byte { return o.AppendTo(nil) }

// AppendTo appends o to b as JSON.stringify writes it.
func (o *Object) AppendTo(b []byte) []byte {
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
		b = AppendJSString(b, m.key)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}')
}

var errNotObject = errors.New("not a JSON object")

// ParseObject parses a JSON object as JSON.parse does (a repeated key keeps its first position and its
// last value) and re-encodes every value as JSON.stringify would write it.
//
// Flat objects without a repeated key, which is what JSON.stringify and this package write (a user, a
// JWT payload, a JWK), are read by one strictjson walk; any other object goes through encoding/json's
// tokenizer. FuzzParseObjectFlat checks that the two read every input alike.
func ParseObject(b []byte) (*Object, error) {
	if o, ok := parseFlat(b); ok {
		return o, nil
	}
	return parseTokens(b)
}

// parseFlat reads an object whose values are all strings, numbers, true, false or null, with no repeated
// key, as parseTokens does. It reports false for any other input (a nested object or array, a repeated
// key, or anything strictjson refuses, such as invalid UTF-8), which it leaves to parseTokens. The values
// share one copy of b.
func parseFlat(b []byte) (*Object, bool) {
	b = bytes.Clone(b)
	o := &Object{m: make([]member, 0, 16)}
	err := strictjson.Walk(b, func(m strictjson.Member) error {
		var val []byte
		switch m.Kind {
		case strictjson.String:
			if !m.Escaped {
				// strictjson refused control characters and invalid UTF-8, and there is no '"' or '\\':
				// JSON.stringify would write these bytes as they are.
				val = b[m.Start-1 : m.End+1]
			} else {
				u, err := strictjson.AppendUnescaped(nil, b[m.Start:m.End])
				if err != nil {
					return err
				}
				val = AppendJSString(nil, string(u))
			}
		case strictjson.Number:
			raw := b[m.Start:m.End]
			f, err := strconv.ParseFloat(string(raw), 64)
			if err != nil && !math.IsInf(f, 0) {
				return err
			}
			if val = AppendNumber(nil, f); bytes.Equal(val, raw) {
				val = raw
			}
		case strictjson.True, strictjson.False, strictjson.Null:
			val = b[m.Start:m.End]
		default:
			return errNotFlat
		}
		o.m = append(o.m, member{string(m.Key), val})
		return nil
	})
	return o, err == nil
}

var errNotFlat = errors.New("not a flat object")

// parseTokens is ParseObject through encoding/json's tokenizer.
func parseTokens(b []byte) (*Object, error) {
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
func readObject(dec *json.Decoder) (*Object, error) {
	o := &Object{}
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
		o.Set(key, val)
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
			return o.AppendTo(b), nil
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
		return AppendJSString(b, v), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return AppendNumber(b, f), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	default: // nil
		return append(b, "null"...), nil
	}
}
