package auth

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file writes a Session as JSON without building maps: the bytes are those json.Marshal writes for
// the maps MarshalJSON used to build (keys sorted, a typed field over an additional one of the same name,
// strings escaped as encoding/json escapes them), which FuzzSessionJSONAsMaps checks.

// field is one member of an object: a key and a value of one kind, so that no value is boxed.
type field struct {
	key  string
	kind fieldKind
	s    string    // fieldString
	b    bool      // fieldBool
	t    time.Time // fieldTime
	v    any       // fieldAny: written by json.Marshal
}

type fieldKind uint8

const (
	fieldNull fieldKind = iota
	fieldString
	fieldBool
	fieldTime
	fieldAny
)

// maxInlineFields is how many members an object may have before its fields no longer fit the stack array.
const maxInlineFields = 24

// appendSessionJSON appends {"session":{…},"user":{…}} as MarshalJSON documents it.
func (s *Session) appendSessionJSON(b []byte) ([]byte, error) {
	var arr [maxInlineFields]field
	fs := arr[:0]
	switch {
	case s.Record != nil:
		r := s.Record
		fs = appendAdditional(fs, r.Additional)
		fs = append(fs,
			field{key: "id", kind: fieldString, s: r.ID},
			field{key: "userId", kind: fieldString, s: r.UserID},
			field{key: "ipAddress", kind: fieldString, s: r.IPAddress},
			field{key: "userAgent", kind: fieldString, s: r.UserAgent},
			field{key: "expiresAt", kind: fieldTime, t: r.ExpiresAt},
			field{key: "createdAt", kind: fieldTime, t: r.CreatedAt},
			field{key: "updatedAt", kind: fieldTime, t: r.UpdatedAt})
	case s.APIKey != nil:
		k := s.APIKey
		fs = append(fs,
			field{key: "id", kind: fieldString, s: k.ID},
			field{key: "userId", kind: fieldString, s: k.ReferenceID},
			field{key: "keyId", kind: fieldString, s: k.ID})
		if k.ExpiresAt != nil {
			fs = append(fs, field{key: "expiresAt", kind: fieldTime, t: *k.ExpiresAt})
		}
	case s.Claims != nil:
		c := s.Claims
		fs = append(fs,
			field{key: "expiresAt", kind: fieldTime, t: c.ExpiresAt},
			field{key: "algorithm", kind: fieldString, s: c.Algorithm})
		if !c.IssuedAt.IsZero() {
			fs = append(fs, field{key: "issuedAt", kind: fieldTime, t: c.IssuedAt})
		}
		if c.KeyID != "" {
			fs = append(fs, field{key: "keyId", kind: fieldString, s: c.KeyID})
		}
	}
	fs = append(fs, field{key: "credential", kind: fieldString, s: s.Credential.String()})
	b = append(b, `{"session":`...)
	b, err := appendObject(b, fs)
	if err != nil {
		return nil, err
	}

	u := &s.User
	fs = appendAdditional(arr[:0], u.Additional)
	fs = append(fs,
		field{key: "id", kind: fieldString, s: u.ID},
		field{key: "email", kind: fieldString, s: u.Email},
		field{key: "name", kind: fieldString, s: u.Name},
		field{key: "emailVerified", kind: fieldBool, b: u.EmailVerified},
		field{key: "image", kind: fieldString, s: u.Image})
	if u.Image == "" {
		fs[len(fs)-1].kind = fieldNull
	}
	if u.Role != "" {
		fs = append(fs, field{key: "role", kind: fieldString, s: u.Role})
	}
	b = append(b, `,"user":`...)
	if b, err = appendObject(b, fs); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendAdditional appends the members of m, the values typed where they are a string, a bool or nil.
func appendAdditional(fs []field, m map[string]any) []field {
	for k, v := range m {
		f := field{key: k}
		switch v := v.(type) {
		case nil:
		case string:
			f.kind, f.s = fieldString, v
		case bool:
			f.kind, f.b = fieldBool, v
		default:
			f.kind, f.v = fieldAny, v
		}
		fs = append(fs, f)
	}
	return fs
}

// appendObject appends fs as one object with its keys sorted; of members with the same key, the last one
// in fs is written (the typed fields come after the additional ones, so they win, as in the map).
func appendObject(b []byte, fs []field) ([]byte, error) {
	// Sort positions, not the fields: a field is ten words.
	var arr [maxInlineFields]int
	order := arr[:0]
	for i := range fs {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(x, y int) int { return strings.Compare(fs[x].key, fs[y].key) })
	b = append(b, '{')
	first := true
	for n, i := range order {
		if n+1 < len(order) && fs[order[n+1]].key == fs[i].key {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, fs[i].key)
		b = append(b, ':')
		switch f := &fs[i]; f.kind {
		case fieldNull:
			b = append(b, "null"...)
		case fieldString:
			b = appendJSONString(b, f.s)
		case fieldBool:
			if f.b {
				b = append(b, "true"...)
			} else {
				b = append(b, "false"...)
			}
		case fieldTime:
			b = append(b, '"')
			b = f.t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
			b = append(b, '"')
		default:
			j, err := json.Marshal(f.v)
			if err != nil {
				return nil, err
			}
			b = append(b, j...)
		}
	}
	return append(b, '}'), nil
}

// appendJSONString appends s quoted as encoding/json writes it (HTML characters escaped). Strings of
// printable ASCII that need no escape, what ids, emails and dates are, are copied; any other goes
// through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always marshals
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
