package betterauth

// Mirrors better-auth src/cookies/index.ts (decodeCookieCache, the compact branch) and src/cookies/cache.ts
// (parseCookieCachePayload, parseCompactCookieCache).

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// ErrCache means a cookie cache value is not valid: malformed, badly signed or undecryptable. Callers fall
// back to the store; it is never a reason to refuse the request by itself.
var ErrCache = errors.New("betterauth: invalid cookie cache")

// Payload is the cookie cache payload: {"session":{…},"user":{…},"updatedAt":ms,"version":"1"}.
type Payload struct {
	Session   store.Session
	User      store.User
	UpdatedAt int64
	// Version is the payload's version, "1" when absent (Better Auth's default).
	Version string
}

var rawURL = base64.RawURLEncoding.Strict()

// DecodeCompact checks a "compact" cookie cache value: base64url (no padding) of
// {"session":<payload>,"expiresAt":<ms>,"signature":"<sig>"}, where sig = base64url(HMAC-SHA256(secret,
// JSON of payload with "expiresAt" appended)). The signed bytes are the raw payload text with
// ,"expiresAt":<ms> spliced before its closing brace — what JavaScript's JSON.stringify({...session,
// expiresAt}) produces — so nothing is re-marshalled and the bytes checked are the bytes parsed.
// It returns the payload and the outer expiry.
func (s *Signer) DecodeCompact(value string) (*Payload, time.Time, error) {
	outer := make([]byte, rawURL.DecodedLen(len(value)))
	n, err := rawURL.Decode(outer, []byte(value))
	if err != nil {
		return nil, time.Time{}, ErrCache
	}
	outer = outer[:n]
	var sess, exp, sig []byte
	err = strictjson.Walk(outer, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "session":
			if m.Kind != strictjson.Object {
				return ErrCache
			}
			sess = outer[m.Start:m.End]
		case "expiresAt":
			if m.Kind != strictjson.Number {
				return ErrCache
			}
			exp = outer[m.Start:m.End]
		case "signature":
			if m.Kind != strictjson.String || m.Escaped {
				return ErrCache
			}
			sig = outer[m.Start:m.End]
		}
		return nil
	})
	if err != nil || sess == nil || exp == nil || sig == nil {
		return nil, time.Time{}, ErrCache
	}
	var mac [33]byte
	mn, err := rawURL.Decode(mac[:], sig)
	if err != nil {
		return nil, time.Time{}, ErrCache
	}
	signed := make([]byte, 0, len(sess)+len(exp)+14)
	signed = append(signed, sess[:len(sess)-1]...)
	if len(sess) > 2 {
		signed = append(signed, ',')
	}
	signed = append(append(append(signed, `"expiresAt":`...), exp...), '}')
	if !s.Equal(signed, mac[:mn]) {
		return nil, time.Time{}, ErrCache
	}
	ms, err := strconv.ParseFloat(string(exp), 64)
	if err != nil || math.IsInf(ms, 0) {
		return nil, time.Time{}, ErrCache
	}
	p, err := ParsePayload(sess)
	if err != nil {
		return nil, time.Time{}, err
	}
	return p, time.UnixMilli(int64(ms)), nil
}

// ParsePayload reads a cookie cache payload (strict JSON: duplicate names are refused). The session needs
// id, token, userId and expiresAt; the user needs id. Members beyond Better Auth's core fields go to
// Additional. Member names match exactly, as in JavaScript.
//
// It walks the bytes with strictjson instead of decoding through maps: the core fields are read in place
// and their strings share one copy of b; only members beyond the core fields are decoded with
// encoding/json (ParsePayload is on every request served from the cookie cache).
func ParsePayload(b []byte) (*Payload, error) {
	var sess, user, updated, version strictjson.Member
	var haveSess, haveUser, haveUpdated, haveVersion bool
	err := strictjson.Walk(b, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "session":
			sess, haveSess = m, true
		case "user":
			user, haveUser = m, true
		case "updatedAt":
			updated, haveUpdated = m, true
		case "version":
			version, haveVersion = m, true
		}
		return nil
	})
	if err != nil || !haveSess || sess.Kind != strictjson.Object || !haveUser || user.Kind != strictjson.Object ||
		!haveUpdated || updated.Kind != strictjson.Number {
		return nil, ErrCache
	}
	ms, err := strconv.ParseFloat(string(b[updated.Start:updated.End]), 64)
	if err != nil {
		return nil, ErrCache
	}
	p := &Payload{UpdatedAt: int64(ms), Version: "1"}
	d := payloadDecoder{b: b, s: string(b)}
	if haveVersion && version.Kind != strictjson.Null {
		if version.Kind != strictjson.String {
			return nil, ErrCache
		}
		if p.Version, err = d.str(version); err != nil {
			return nil, ErrCache
		}
	}
	if !d.session(&p.Session, b[sess.Start:sess.End], sess.Start) || !d.user(&p.User, b[user.Start:user.End], user.Start) {
		return nil, ErrCache
	}
	return p, nil
}

// payloadDecoder reads the members of a payload's objects; s is b as one string, which the strings read
// share.
type payloadDecoder struct {
	b []byte
	s string
}

// str returns a string member's text (off is the offset of the walked object in b).
func (d *payloadDecoder) str(m strictjson.Member) (string, error) {
	if !m.Escaped {
		return d.s[m.Start:m.End], nil
	}
	u, err := strictjson.AppendUnescaped(nil, d.b[m.Start:m.End])
	return string(u), err
}

// member makes m, a member of the object at off in b, relative to b.
func (d *payloadDecoder) member(m strictjson.Member, off int) strictjson.Member {
	m.Start += off
	m.End += off
	return m
}

// decodable reports whether encoding/json would decode m's value into an interface: a number (also inside
// an object or array) beyond float64 makes it fail, and with it the whole payload, whatever the member.
func (d *payloadDecoder) decodable(m strictjson.Member) bool {
	switch m.Kind {
	case strictjson.Number, strictjson.Object, strictjson.Array:
		_, ok := d.any(m)
		return ok
	}
	return true
}

// any decodes a value as encoding/json does into an interface (numbers float64, objects map[string]any).
func (d *payloadDecoder) any(m strictjson.Member) (any, bool) {
	switch m.Kind {
	case strictjson.String:
		s, err := d.str(m)
		return s, err == nil
	case strictjson.True:
		return true, true
	case strictjson.False:
		return false, true
	case strictjson.Null:
		return nil, true
	case strictjson.Number:
		// What encoding/json does for a number into an interface, failing on a range error as it does.
		f, err := strconv.ParseFloat(string(d.b[m.Start:m.End]), 64)
		return f, err == nil
	}
	var v any
	if err := json.Unmarshal(d.b[m.Start:m.End], &v); err != nil {
		return nil, false
	}
	return v, true
}

// text reads a string member into *dst; it reports false for a value of another type.
func (d *payloadDecoder) text(m strictjson.Member, dst *string) bool {
	if m.Kind != strictjson.String {
		return false
	}
	s, err := d.str(m)
	*dst = s
	return err == nil
}

// session reads the session object obj, found at off in b, as SessionFromMap does.
func (d *payloadDecoder) session(s *store.Session, obj []byte, off int) bool {
	var ok1, ok2, ok3, ok4, bad bool
	err := strictjson.Walk(obj, func(m strictjson.Member) error {
		if m = d.member(m, off); !d.decodable(m) {
			bad = true
		}
		switch string(m.Key) {
		case "id":
			ok1 = d.text(m, &s.ID)
		case "token":
			ok2 = d.text(m, &s.Token)
		case "userId":
			ok3 = d.text(m, &s.UserID)
		case "expiresAt":
			s.ExpiresAt, ok4 = d.date(m)
		case "createdAt":
			s.CreatedAt, _ = d.date(m)
		case "updatedAt":
			s.UpdatedAt, _ = d.date(m)
		case "ipAddress":
			d.text(m, &s.IPAddress)
		case "userAgent":
			d.text(m, &s.UserAgent)
		default:
			bad = bad || !d.extra(&s.Additional, m)
		}
		return nil
	})
	return err == nil && !bad && ok1 && ok2 && ok3 && ok4 && s.ID != "" && s.Token != "" && s.UserID != ""
}

// user reads the user object obj, found at off in b, as UserFromMap does.
func (d *payloadDecoder) user(u *store.User, obj []byte, off int) bool {
	var ok, bad bool
	err := strictjson.Walk(obj, func(m strictjson.Member) error {
		if m = d.member(m, off); !d.decodable(m) {
			bad = true
		}
		switch string(m.Key) {
		case "id":
			ok = d.text(m, &u.ID)
		case "email":
			d.text(m, &u.Email)
		case "name":
			d.text(m, &u.Name)
		case "emailVerified":
			u.EmailVerified = m.Kind == strictjson.True
		case "image":
			d.text(m, &u.Image)
		case "role":
			d.text(m, &u.Role)
		default:
			bad = bad || !d.extra(&u.Additional, m)
		}
		return nil
	})
	return err == nil && !bad && ok && u.ID != ""
}

// extra puts a member beyond the core fields into *m.
func (d *payloadDecoder) extra(m *map[string]any, mem strictjson.Member) bool {
	v, ok := d.any(mem)
	if !ok {
		return false
	}
	if *m == nil {
		*m = map[string]any{}
	}
	(*m)[string(mem.Key)] = v
	return true
}

// date reads an ISO-8601 date string member as date does.
func (d *payloadDecoder) date(m strictjson.Member) (time.Time, bool) {
	if m.Kind != strictjson.String {
		return time.Time{}, false
	}
	s, err := d.str(m)
	if err != nil {
		return time.Time{}, false
	}
	return date(s)
}

// SessionFromMap converts a session object as Better Auth serialises it (dates as ISO strings) to a record.
// It reports false when id, token, userId or expiresAt is missing or of the wrong type.
func SessionFromMap(m map[string]any) (store.Session, bool) {
	var s store.Session
	var ok1, ok2, ok3, ok4 bool
	s.ID, ok1 = m["id"].(string)
	s.Token, ok2 = m["token"].(string)
	s.UserID, ok3 = m["userId"].(string)
	s.ExpiresAt, ok4 = date(m["expiresAt"])
	if !ok1 || !ok2 || !ok3 || !ok4 || s.ID == "" || s.Token == "" || s.UserID == "" {
		return s, false
	}
	s.CreatedAt, _ = date(m["createdAt"])
	s.UpdatedAt, _ = date(m["updatedAt"])
	s.IPAddress, _ = m["ipAddress"].(string)
	s.UserAgent, _ = m["userAgent"].(string)
	s.Additional = rest(m, "id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent")
	return s, true
}

// UserFromMap converts a user object as Better Auth serialises it. It reports false without a string id.
func UserFromMap(m map[string]any) (store.User, bool) {
	var u store.User
	var ok bool
	if u.ID, ok = m["id"].(string); !ok || u.ID == "" {
		return u, false
	}
	u.Email, _ = m["email"].(string)
	u.Name, _ = m["name"].(string)
	u.EmailVerified, _ = m["emailVerified"].(bool)
	u.Image, _ = m["image"].(string)
	u.Role, _ = m["role"].(string)
	u.Additional = rest(m, "id", "email", "name", "emailVerified", "image", "role")
	return u, true
}

func rest(m map[string]any, known ...string) map[string]any {
	var out map[string]any
	for k, v := range m {
		skip := false
		for _, kn := range known {
			if k == kn {
				skip = true
				break
			}
		}
		if !skip {
			if out == nil {
				out = make(map[string]any, len(m)-len(known))
			}
			out[k] = v
		}
	}
	return out
}

// date reads an ISO-8601 date string as JavaScript's Date does for the strings Better Auth writes.
func date(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
