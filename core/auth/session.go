package auth

import (
	"encoding/json"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Session is an authenticated caller. It is shared between requests when the token cache is on: treat it as
// read-only.
type Session struct {
	// User is who the caller is.
	User User
	// Record is the Better Auth session row when a session cookie or session token authenticated the
	// request; nil for JWTs.
	Record *SessionRecord
	// Claims holds the verified token's claims when a token authenticated the request.
	Claims *Claims
	// Credential is the kind of credential that authenticated the request.
	Credential Credential
	// APIKey is the api-key plugin's key when an API key authenticated the request (Credential is
	// [CredentialAPIKey]); nil otherwise. Its hashed key and metadata are never logged or marshalled.
	APIKey *APIKey
}

// Decode decodes, with encoding/json, the verified token's payload (custom claims from the JWT plugin's
// definePayload) or, for a session from a cookie or the store, the user object with its additional fields.
func (s *Session) Decode(v any) error {
	if s.Claims != nil {
		return s.Claims.Decode(v)
	}
	b, err := json.Marshal(userObject(s.User))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// MarshalJSON writes the session in the shape of Better Auth's /get-session: {"session":{…},"user":{…}}.
// The user carries its additional fields; the session token is never written. For a token-authenticated
// request "session" describes the token (credential, expiresAt, issuedAt, algorithm, keyId).
func (s *Session) MarshalJSON() ([]byte, error) {
	return s.appendSessionJSON(make([]byte, 0, 512))
}

// userObject is the user as one JSON object: the typed fields and the additional ones.
func userObject(u User) map[string]any {
	m := make(map[string]any, len(u.Additional)+6)
	for k, v := range u.Additional {
		m[k] = v
	}
	m["id"], m["email"], m["name"], m["emailVerified"] = u.ID, u.Email, u.Name, u.EmailVerified
	m["image"] = u.Image
	if u.Image == "" {
		m["image"] = nil
	}
	if u.Role != "" {
		m["role"] = u.Role
	}
	return m
}

// User is a Better Auth user: from the JWT plugin's claims, or from the user table.
type User = store.User

// SessionRecord is a row of Better Auth's session table.
type SessionRecord = store.Session

// Claims are the verified claims of a token. Registered claims have typed fields; any other claim is
// reachable through [Claims.Decode] or [Claims.Get].
type Claims struct {
	// Subject is "sub".
	Subject string
	// Issuer is "iss".
	Issuer string
	// ExpiresAt is "exp".
	ExpiresAt time.Time
	// IssuedAt is "iat", or the zero time when absent.
	IssuedAt time.Time
	// NotBefore is "nbf", or the zero time when absent.
	NotBefore time.Time
	// Algorithm is the algorithm that verified the token, e.g. "EdDSA" or "HS256".
	Algorithm string
	// KeyID is the kid of the JWKS key that verified the token, or "" for HS256.
	KeyID string

	aud string // the raw JSON of "aud"
	raw string // the payload JSON, exactly as signed
}

// Audience returns "aud" as a list (a single string becomes a list of one).
func (c *Claims) Audience() []string {
	if c.aud == "" {
		return nil
	}
	if c.aud[0] == '"' {
		var s string
		_ = json.Unmarshal([]byte(c.aud), &s)
		return []string{s}
	}
	var list []string
	_ = json.Unmarshal([]byte(c.aud), &list)
	return list
}

// Raw returns the payload JSON exactly as it was signed.
func (c *Claims) Raw() json.RawMessage { return json.RawMessage(c.raw) }

// Decode decodes the payload into v with encoding/json. The payload was already checked to be strict JSON
// without duplicate member names, so v sees exactly what was verified.
func (c *Claims) Decode(v any) error { return json.Unmarshal([]byte(c.raw), v) }

// Get returns the raw JSON of the top-level claim name, if present.
func (c *Claims) Get(name string) (json.RawMessage, bool) {
	var out json.RawMessage
	raw := []byte(c.raw)
	_ = strictjson.Walk(raw, func(m strictjson.Member) error {
		if string(m.Key) == name {
			s, e := m.Start, m.End
			if m.Kind == strictjson.String {
				s, e = s-1, e+1 // include the quotes
			}
			out = json.RawMessage(raw[s:e])
		}
		return nil
	})
	return out, out != nil
}

// Claim decodes the top-level claim name of s's token into a T, or, for a session from a cookie or the
// store, the user field name (such as an additional field like "permissions"). It reports false when the
// claim is absent or does not decode as a T.
func Claim[T any](s *Session, name string) (T, bool) {
	var v T
	if s == nil {
		return v, false
	}
	var raw []byte
	if s.Claims != nil {
		r, ok := s.Claims.Get(name)
		if !ok {
			return v, false
		}
		raw = r
	} else {
		f, ok := userObject(s.User)[name]
		if !ok {
			return v, false
		}
		b, err := json.Marshal(f)
		if err != nil {
			return v, false
		}
		raw = b
	}
	if json.Unmarshal(raw, &v) != nil {
		return v, false
	}
	return v, true
}
