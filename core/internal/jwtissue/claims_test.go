package jwtissue

import (
	"errors"
	"testing"
	"time"
)

// user is a user object in the order Better Auth's session answer holds it (compare the claims observed
// in shared/spec/better-auth.md §4).
const user = `{"id":"nnchUser","createdAt":"2026-11-28T13:29:11.175Z","updatedAt":"2026-11-28T13:29:11.175Z",` +
	`"email":"compact@example.com","emailVerified":false,"name":"Probe","image":null}`

const userMembers = `"id":"nnchUser","createdAt":"2026-11-28T13:29:11.175Z","updatedAt":"2026-11-28T13:29:11.175Z",` +
	`"email":"compact@example.com","emailVerified":false,"name":"Probe","image":null`

func TestClaims(t *testing.T) {
	now := time.Unix(1795872551, 999e6)
	base := ClaimsOptions{BaseURL: "http://localhost:3005"}
	tests := []struct {
		name string
		user string
		opts ClaimsOptions
		want string
		err  error
	}{
		{
			name: "defaults",
			user: user,
			opts: base,
			want: `{"iat":1795872551,` + userMembers + `,"sub":"nnchUser","exp":1795873451,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{
			name: "origin of a base URL with a path and a default port",
			user: `{"id":"u"}`,
			opts: ClaimsOptions{BaseURL: "HTTPS://App.Example.com:443/api/auth"},
			want: `{"iat":1795872551,"id":"u","sub":"u","exp":1795873451,"iss":"https://app.example.com","aud":"https://app.example.com"}`,
		},
		{
			name: "issuer, audiences, expiration rounded",
			user: `{"id":"u"}`,
			opts: ClaimsOptions{Issuer: "iss", Audiences: []string{"a", "b"}, ExpirationTime: 1500 * time.Millisecond},
			want: `{"iat":1795872551,"id":"u","sub":"u","exp":1795872553,"iss":"iss","aud":["a","b"]}`,
		},
		{
			name: "audience string",
			user: `{"id":"u"}`,
			opts: ClaimsOptions{BaseURL: "http://x", Audience: "api"},
			want: `{"iat":1795872551,"id":"u","sub":"u","exp":1795873451,"iss":"http://x","aud":"api"}`,
		},
		{
			name: "user members named like claims keep their place",
			user: `{"aud":"mine","iss":null,"exp":5,"sub":"s","id":"u","iat":7}`,
			opts: base,
			want: `{"iat":7,"aud":"mine","iss":"http://localhost:3005","exp":5,"sub":"u","id":"u"}`,
		},
		{
			name: "user iat gives exp its base",
			user: `{"id":"u","iat":100}`,
			opts: base,
			want: `{"iat":100,"id":"u","sub":"u","exp":1000,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{
			name: "values written as JSON.stringify writes them",
			user: `{"id":"u","s":"\u003c\u2028\/","n":1E2,"z":-0,"o":{"b":1,"a":[true,null]}}`,
			opts: base,
			want: `{"iat":1795872551,"id":"u","s":"<` + "\u2028" + `/","n":100,"z":0,"o":{"b":1,"a":[true,null]},"sub":"u","exp":1795873451,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{
			name: "duplicate member: first place, last value",
			user: `{"id":"u","a":1,"b":2,"a":3}`,
			opts: base,
			want: `{"iat":1795872551,"id":"u","a":3,"b":2,"sub":"u","exp":1795873451,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{
			name: "DefinePayload and Subject",
			user: user,
			opts: ClaimsOptions{BaseURL: "http://localhost:3005",
				DefinePayload: func(s Session) ([]byte, error) {
					return []byte(`{"role":"admin","session":` + string(s.Session) + `}`), nil
				},
				Subject: func(Session) (string, error) { return "custom", nil }},
			want: `{"iat":1795872551,"role":"admin","session":{"id":"s1"},"sub":"custom","exp":1795873451,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{
			name: "DefinePayload without id: sub is still the user's id",
			user: user,
			opts: ClaimsOptions{BaseURL: "http://localhost:3005", DefinePayload: func(Session) ([]byte, error) { return []byte(`{}`), nil }},
			want: `{"iat":1795872551,"sub":"nnchUser","exp":1795873451,"iss":"http://localhost:3005","aud":"http://localhost:3005"}`,
		},
		{name: "no base URL", user: user, err: ErrClaims},
		{name: "not an http URL", user: user, opts: ClaimsOptions{BaseURL: "localhost:3005"}, err: ErrClaims},
		{name: "no user id", user: `{"name":"x"}`, opts: base, err: ErrClaims},
		{name: "user not an object", user: `[1]`, opts: base, err: ErrClaims},
		{name: "user with trailing data", user: `{"id":"u"} {}`, opts: base, err: ErrClaims},
		{name: "iat not a number", user: `{"id":"u","iat":"x"}`, opts: base, err: ErrClaims},
		{name: "DefinePayload not an object", user: user, opts: ClaimsOptions{BaseURL: "http://x",
			DefinePayload: func(Session) ([]byte, error) { return []byte(`"x"`), nil }}, err: ErrClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Claims(Session{Session: []byte(`{"id":"s1"}`), User: []byte(tt.user)}, tt.opts, now)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Claims: %v, want %v", err, tt.err)
			}
			if string(got) != tt.want {
				t.Errorf("Claims\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://localhost:3005", "http://localhost:3005"},
		{"http://localhost:3005/api/auth?x#y", "http://localhost:3005"},
		{"https://EXAMPLE.com:443", "https://example.com"},
		{"http://example.com:80/", "http://example.com"},
		{"https://example.com:80", "https://example.com:80"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"ftp://example.com", ""},
		{"/relative", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Origin(tt.in); got != tt.want {
			t.Errorf("Origin(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func row(id, alg string, created int, expires ...int) Row {
	r := Row{ID: id, Alg: alg, CreatedAt: time.Unix(int64(created), 0)}
	if len(expires) > 0 {
		t := time.Unix(int64(expires[0]), 0)
		r.ExpiresAt = &t
	}
	return r
}

func TestCurrent(t *testing.T) {
	tests := []struct {
		name   string
		rows   []Row
		policy Policy
		now    int
		want   string // "" means none: generate
	}{
		{name: "empty", now: 10},
		{name: "newest", rows: []Row{row("a", "EdDSA", 1), row("b", "EdDSA", 3), row("c", "EdDSA", 2)}, now: 10, want: "b"},
		{name: "equal createdAt: first stored", rows: []Row{row("a", "EdDSA", 1), row("b", "EdDSA", 1)}, now: 10, want: "a"},
		{name: "expired skipped", rows: []Row{row("a", "EdDSA", 1), row("b", "EdDSA", 3, 9)}, now: 10, want: "a"},
		{name: "expiring at now is expired", rows: []Row{row("a", "EdDSA", 1, 10)}, now: 10},
		{name: "expiring after now is live", rows: []Row{row("a", "EdDSA", 1, 11)}, now: 10, want: "a"},
		{name: "all expired: generate", rows: []Row{row("a", "EdDSA", 1, 5), row("b", "EdDSA", 2, 6)}, now: 10},
		{name: "primary alg wins over newer other alg", rows: []Row{row("a", "EdDSA", 1), row("b", "ES256", 3)}, now: 10, want: "a"},
		{name: "configured alg", rows: []Row{row("a", "EdDSA", 1), row("b", "ES256", 3)}, policy: Policy{Alg: "ES256"}, now: 10, want: "b"},
		{name: "row without alg counts as primary", rows: []Row{row("a", "", 2), row("b", "ES256", 3)}, policy: Policy{Alg: "ES256"}, now: 10, want: "b"},
		{name: "row without alg, older primary", rows: []Row{row("a", "ES256", 1), row("b", "", 3)}, policy: Policy{Alg: "ES256"}, now: 10, want: "b"},
		{name: "fallback to newest other alg", rows: []Row{row("a", "RS256", 1), row("b", "ES256", 3)}, now: 10, want: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Current(tt.rows, tt.policy, time.Unix(int64(tt.now), 0))
			if ok != (tt.want != "") || got.ID != tt.want {
				t.Errorf("Current = %q %v, want %q", got.ID, ok, tt.want)
			}
		})
	}
}

func TestPublished(t *testing.T) {
	day := int(24 * time.Hour / time.Second)
	rows := []Row{row("never", "EdDSA", 1), row("expired", "EdDSA", 1, 100), row("live", "EdDSA", 1, 1000)}
	tests := []struct {
		name   string
		policy Policy
		now    int
		want   string
	}{
		{name: "all within the default grace", now: 500, want: "never expired live"},
		{name: "default grace over", now: 100 + 30*day, want: "never live"},
		{name: "default grace nearly over", now: 99 + 30*day, want: "never expired live"},
		{name: "short grace", policy: Policy{GracePeriod: 50 * time.Second}, now: 150, want: "never live"},
		{name: "short grace nearly over", policy: Policy{GracePeriod: 50 * time.Second}, now: 149, want: "never expired live"},
		{name: "no grace", policy: Policy{GracePeriod: -1}, now: 100, want: "never live"},
		{name: "no grace, not yet expired", policy: Policy{GracePeriod: -1}, now: 99, want: "never expired live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			for _, r := range Published(rows, tt.policy, time.Unix(int64(tt.now), 0)) {
				ids = append(ids, r.ID)
			}
			if got := join(ids); got != tt.want {
				t.Errorf("Published = %q, want %q", got, tt.want)
			}
		})
	}
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

func TestRenderJWKOrder(t *testing.T) {
	tests := []struct {
		name, alg, crv, pub, want string
	}{
		{name: "OKP", alg: "EdDSA", crv: "Ed25519", pub: `{"crv":"Ed25519","x":"X","kty":"OKP"}`,
			want: `{"alg":"EdDSA","crv":"Ed25519","x":"X","kty":"OKP","kid":"k"}`},
		{name: "EC without row crv: crv keeps the second place", alg: "ES256", pub: `{"kty":"EC","x":"X","y":"Y","crv":"P-256"}`,
			want: `{"alg":"ES256","crv":"P-256","kty":"EC","x":"X","y":"Y","kid":"k"}`},
		{name: "RSA: no crv", alg: "RS256", pub: `{"kty":"RSA","n":"N","e":"AQAB"}`,
			want: `{"alg":"RS256","kty":"RSA","n":"N","e":"AQAB","kid":"k"}`},
		{name: "public alg and kid win in place", alg: "RS256", pub: `{"kid":"other","kty":"RSA","alg":"PS256"}`,
			want: `{"alg":"PS256","kid":"k","kty":"RSA"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderJWK(tt.alg, tt.crv, "k", []byte(tt.pub))
			if err != nil || string(got) != tt.want {
				t.Errorf("renderJWK = %s %v\nwant %s", got, err, tt.want)
			}
		})
	}
	if _, err := renderJWK("EdDSA", "", "k", []byte(`not json`)); !errors.Is(err, ErrKey) {
		t.Errorf("bad public key: %v", err)
	}
}
