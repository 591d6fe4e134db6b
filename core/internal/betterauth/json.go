package betterauth

// Mirrors the key order of the rows Better Auth's database adapter returns (@better-auth/core
// src/db/adapter/factory.ts transformOutput walks src/db/get-tables.ts field by field, then adds id) and
// JavaScript's JSON.stringify, which Better Auth's cookie cache (src/cookies/index.ts setCookieCache) and
// its JSON answers use.

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// Core fields of Better Auth's session and user tables, in schema order. id comes last, after the
// additional and plugin fields, as transformOutput adds it.
var (
	sessionCore = []string{"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"}
	userCore    = []string{"name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"}
	// adminUser are the admin plugin's user fields in its schema order; role lives in store.User.Role.
	adminUser = []string{"role", "banned", "banReason", "banExpires"}
)

// SessionJSON marshals a session as Better Auth's adapter returns the row and JSON.stringify writes it:
// expiresAt, token, createdAt, updatedAt, ipAddress, userAgent, userId, then the Additional fields, then
// id. Dates are ISO-8601 UTC strings with milliseconds; ipAddress and userAgent are strings ("" when none).
// Better Auth orders additional fields by its schema, which a record does not know: they are written in
// name order. Strings are escaped exactly as JSON.stringify escapes them (so "<", "&" and U+2028 stay as
// they are).
func SessionJSON(s store.Session) []byte {
	return AppendSessionJSON(make([]byte, 0, 320+64*len(s.Additional)), &s)
}

// AppendSessionJSON appends [SessionJSON]'s text for *s to b.
func AppendSessionJSON(b []byte, s *store.Session) []byte {
	b = append(b, `{"expiresAt":`...)
	b = appendDate(b, s.ExpiresAt)
	b = append(b, `,"token":`...)
	b = AppendJSString(b, s.Token)
	b = append(b, `,"createdAt":`...)
	b = appendDate(b, s.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b = appendDate(b, s.UpdatedAt)
	b = append(b, `,"ipAddress":`...)
	b = AppendJSString(b, s.IPAddress)
	b = append(b, `,"userAgent":`...)
	b = AppendJSString(b, s.UserAgent)
	b = append(b, `,"userId":`...)
	b = AppendJSString(b, s.UserID)
	var small [8]string
	for _, k := range extraKeys(small[:0], s.Additional, sessionCore, nil) {
		b = appendMember(b, k, s.Additional[k])
	}
	b = append(b, `,"id":`...)
	b = AppendJSString(b, s.ID)
	return append(b, '}')
}

// UserJSON marshals a user as Better Auth's adapter returns the row and JSON.stringify writes it: name,
// email, emailVerified, image (null when ""), createdAt, updatedAt (from Additional, where the stores keep
// them as ISO strings; a time.Time is formatted; omitted when absent, as JSON.stringify drops undefined),
// then the other Additional fields, then id. The admin plugin's fields come first among the others, in its
// schema order (role from Role, written when not "" or when another admin field is present, null when "");
// the rest are in name order.
func UserJSON(u store.User) []byte {
	return AppendUserJSON(make([]byte, 0, 256+64*len(u.Additional)), &u)
}

// AppendUserJSON appends [UserJSON]'s text for *u to b.
func AppendUserJSON(b []byte, u *store.User) []byte {
	b = append(b, `{"name":`...)
	b = AppendJSString(b, u.Name)
	b = append(b, `,"email":`...)
	b = AppendJSString(b, u.Email)
	b = append(b, `,"emailVerified":`...)
	b = strconv.AppendBool(b, u.EmailVerified)
	b = append(b, `,"image":`...)
	if u.Image == "" {
		b = append(b, "null"...)
	} else {
		b = AppendJSString(b, u.Image)
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		if v, ok := u.Additional[k]; ok {
			b = appendMember(b, k, v)
		}
	}
	admin := u.Role != ""
	for _, k := range adminUser[1:] {
		if _, ok := u.Additional[k]; ok {
			admin = true
		}
	}
	if admin {
		b = append(b, `,"role":`...)
		if u.Role == "" {
			b = append(b, "null"...)
		} else {
			b = AppendJSString(b, u.Role)
		}
		for _, k := range adminUser[1:] {
			if v, ok := u.Additional[k]; ok {
				b = appendMember(b, k, v)
			}
		}
	}
	var small [8]string
	for _, k := range extraKeys(small[:0], u.Additional, userCore, adminUser) {
		b = appendMember(b, k, u.Additional[k])
	}
	b = append(b, `,"id":`...)
	b = AppendJSString(b, u.ID)
	return append(b, '}')
}

// extraKeys appends to keys the keys of m that are in neither core nor skip, sorted.
func extraKeys(keys []string, m map[string]any, core, skip []string) []string {
	if len(m) == 0 {
		return keys
	}
	for k := range m {
		if !slices.Contains(core, k) && !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func appendMember(b []byte, k string, v any) []byte {
	b = append(b, ',')
	b = AppendJSString(b, k)
	b = append(b, ':')
	return appendJSValue(b, v)
}

// appendDate writes t as JavaScript's Date.prototype.toJSON does: "YYYY-MM-DDTHH:mm:ss.sssZ" in UTC, with
// the milliseconds truncated (a Date holds whole milliseconds) and a six-digit signed year outside 0–9999.
func appendDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	if ns := t.Nanosecond() % int(time.Millisecond); ns != 0 {
		t = t.Add(-time.Duration(ns))
	}
	b = append(b, '"')
	switch y := t.Year(); {
	case y >= 0 && y <= 9999:
		// t.AppendFormat(b, "2006-01-02T15:04:05.000Z"), by hand: it is on every answer with a session.
		_, mo, d := t.Date()
		h, mi, s := t.Clock()
		b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
			byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
			byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10), '.')
		ms := t.Nanosecond() / int(time.Millisecond)
		b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	default:
		if y < 0 {
			b = append(b, '-')
			y = -y
		} else {
			b = append(b, '+')
		}
		ys := strconv.Itoa(y)
		for range 6 - len(ys) {
			b = append(b, '0')
		}
		b = append(b, ys...)
		b = t.AppendFormat(b, "-01-02T15:04:05.000Z")
	}
	return append(b, '"')
}

// appendJSString writes s as JSON.stringify writes a string: only '"', '\\' and control characters are
// escaped (\b \t \n \f \r, else \u00xx in lower case); invalid UTF-8 becomes U+FFFD, as a JavaScript
// string decoded from those bytes would hold it.
func AppendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
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
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNumber writes f as JavaScript's Number.prototype.toString does (encoding/json already follows the
// ES6 rules for float64); -0 is "0", and NaN and the infinities are null, as in JSON.stringify.
func AppendNumber(b []byte, f float64) []byte {
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

// appendJSValue writes a JSON-typed value as JSON.stringify would. Maps are written in key order (Go has
// no insertion order to keep); time.Time is a date string; other types go through encoding/json first.
func appendJSValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendJSString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case float64:
		return AppendNumber(b, v)
	case float32:
		return AppendNumber(b, float64(v))
	case int:
		return AppendNumber(b, float64(v))
	case int64:
		return AppendNumber(b, float64(v))
	case int32:
		return AppendNumber(b, float64(v))
	case uint64:
		return AppendNumber(b, float64(v))
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return append(b, "null"...)
		}
		return AppendNumber(b, f)
	case time.Time:
		return appendDate(b, v)
	case *time.Time:
		if v == nil {
			return append(b, "null"...)
		}
		return appendDate(b, *v)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSValue(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSString(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSString(b, k)
			b = append(b, ':')
			b = appendJSValue(b, v[k])
		}
		return append(b, '}')
	case json.RawMessage:
		var x any
		if json.Unmarshal(v, &x) != nil {
			return append(b, "null"...)
		}
		return appendJSValue(b, x)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return append(b, "null"...)
	}
	return appendJSValue(b, x)
}
