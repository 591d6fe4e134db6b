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
// Additional.
func ParsePayload(b []byte) (*Payload, error) {
	if strictjson.Walk(b, func(strictjson.Member) error { return nil }) != nil {
		return nil, ErrCache
	}
	var raw struct {
		Session   map[string]any `json:"session"`
		User      map[string]any `json:"user"`
		UpdatedAt *float64       `json:"updatedAt"`
		Version   *string        `json:"version"`
	}
	if err := json.Unmarshal(b, &raw); err != nil || raw.Session == nil || raw.User == nil || raw.UpdatedAt == nil {
		return nil, ErrCache
	}
	p := &Payload{UpdatedAt: int64(*raw.UpdatedAt), Version: "1"}
	if raw.Version != nil {
		p.Version = *raw.Version
	}
	var ok bool
	if p.Session, ok = SessionFromMap(raw.Session); !ok {
		return nil, ErrCache
	}
	if p.User, ok = UserFromMap(raw.User); !ok {
		return nil, ErrCache
	}
	return p, nil
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
