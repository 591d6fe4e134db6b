package auth_test

// Regression tests for issue 12 items 4 and 7–12 (session hygiene); docs/security.md lists them.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// credentialStore is a store that checks raw credentials itself (as the remote /get-session store does),
// recording what it was handed.
type credentialStore struct {
	*memStore
	authorizations []string
}

func (c *credentialStore) LookupCredentials(ctx context.Context, _, authorization string) (*store.Result, error) {
	c.authorizations = append(c.authorizations, authorization)
	tok, _, _ := strings.Cut(strings.TrimPrefix(authorization, "Bearer "), ".")
	return c.Lookup(ctx, tok)
}

// TestSecurityRawBearerTokenRefusedByDefault (issue 12 item 4): "Authorization: Bearer <raw session
// token>" is refused unless the configuration says the Better Auth server's bearer plugin takes raw
// tokens (AcceptRawSessionTokens, or in server mode Bearer without BearerRequireSignature). Signed tokens
// are always accepted.
func TestSecurityRawBearerTokenRefusedByDefault(t *testing.T) {
	f := newSessionFixture(t)
	cookie := f.v.get(t, "nocache", "better-auth.session_token")
	token, _ := betterauth.NewSigner(f.v.Secret).Verify(cookie)
	signed := f.v.get(t, "nocache", "set-auth-token")
	bearer := func(tok string) auth.Request { return auth.Request{Authorization: []string{"Bearer " + tok}} }
	for _, tt := range []struct {
		name    string
		edit    func(*auth.Config)
		req     auth.Request
		ok      bool
		lookups int
	}{
		{name: "raw token, default", req: bearer(token)},
		{name: "signed token, default", req: bearer(signed), ok: true, lookups: 1},
		{name: "URL-encoded signed token, default", req: bearer(cookie), ok: true, lookups: 1},
		{name: "raw token, AcceptRawSessionTokens", edit: rawTokens, req: bearer(token), ok: true, lookups: 1},
		{name: "raw token, credential store, default", edit: func(c *auth.Config) { c.Secret = ""; c.DisableJWKS = true }, req: bearer(token)},
		{name: "signed token, credential store, default", edit: func(c *auth.Config) { c.Secret = ""; c.DisableJWKS = true }, req: bearer(signed), ok: true, lookups: 1},
		{name: "raw token, credential store, AcceptRawSessionTokens", edit: func(c *auth.Config) { c.Secret = ""; c.DisableJWKS = true; rawTokens(c) }, req: bearer(token), ok: true, lookups: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newSessionFixture(t)
			cs := &credentialStore{memStore: f.store}
			a := f.auth(t, func(c *auth.Config) {
				if strings.Contains(tt.name, "credential store") {
					c.Store = cs
				}
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			s, err := a.Authenticate(t.Context(), tt.req)
			if tt.ok != (err == nil) {
				t.Fatalf("Authenticate = %+v, %v; want ok=%v", s, err, tt.ok)
			}
			if err != nil {
				checkErr(t, err, auth.ErrInvalidToken)
			}
			if got := f.store.Calls(); got != tt.lookups {
				t.Errorf("store lookups = %d, want %d (forwarded: %q)", got, tt.lookups, cs.authorizations)
			}
		})
	}
}

// TestSecurityMaxSessionAgeVerifier (issue 12 item 10, catalogue B27): with MaxSessionAge the verifier
// refuses a session older than createdAt + MaxSessionAge as expired, from the store and from the cookie
// cache. The server's side is authserver's TestSecurityMaxSessionAge.
func TestSecurityMaxSessionAgeVerifier(t *testing.T) {
	// The verifier alone, on a Better Auth session (created 13:29:57, checked at 13:30:30).
	f := newSessionFixture(t)
	for _, tt := range []struct {
		name string
		edit func(*auth.Config)
		req  auth.Request
		want []error
	}{
		{name: "store, young enough", edit: func(c *auth.Config) { c.MaxSessionAge = time.Hour }, req: f.cookies(t, "nocache", false)},
		{name: "store, too old", edit: func(c *auth.Config) { c.MaxSessionAge = 10 * time.Second }, req: f.cookies(t, "nocache", false), want: []error{auth.ErrExpired}},
		{name: "cookie cache, young enough", edit: func(c *auth.Config) { compact(c); c.MaxSessionAge = time.Hour }, req: f.cookies(t, "compact", true)},
		{name: "cookie cache, too old", edit: func(c *auth.Config) { compact(c); c.MaxSessionAge = 10 * time.Second }, req: f.cookies(t, "compact", true), want: []error{auth.ErrExpired}},
	} {
		t.Run("verifier, "+tt.name, func(t *testing.T) {
			_, err := newSessionFixture(t).auth(t, tt.edit).Authenticate(t.Context(), tt.req)
			checkErr(t, err, tt.want...)
		})
	}
	if _, err := auth.New(auth.Config{BaseURL: "http://localhost:3000", Secret: testSecret, DisableJWKS: true, MaxSessionAge: -time.Hour}); err == nil {
		t.Fatal("New accepted a negative MaxSessionAge")
	}
}
