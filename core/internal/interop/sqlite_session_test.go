package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// post calls a Better Auth endpoint as a browser would: JSON body, the session cookie, and an Origin of the
// server itself (Better Auth refuses cookie-carrying POSTs without a trusted Origin).
func post(t *testing.T, s *interop.Server, path, cookie string, body any) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.AuthURL(path), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Origin", s.BaseURL)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, out)
	}
	return resp, out
}

func cookieHeader(resp *http.Response) string {
	var pairs []string
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	return strings.Join(pairs, "; ")
}

// onlyToken keeps the session_token cookie, dropping the cookie cache.
func onlyToken(cookie string) string {
	for _, p := range strings.Split(cookie, "; ") {
		if strings.HasPrefix(p, "better-auth.session_token=") {
			return p
		}
	}
	return ""
}

// TestSQLiteSessions: the Go side reads the very SQLite file the real Better Auth server writes. It accepts
// the server's session cookie (with and without the compact cookie cache) and its bearer tokens (signed and
// raw) for the right user, and sees a revocation and a sign-out on the JS side at once on the store path,
// while the cookie cache keeps answering until it expires unless the route skips it.
func TestSQLiteSessions(t *testing.T) {
	interop.Require(t)
	db := filepath.Join(t.TempDir(), "auth.db")
	s := interop.NewServer(t, map[string]string{"DB_FILE": db, "COOKIE_CACHE": "compact"})
	email := fmt.Sprintf("sqlite-%d@example.com", time.Now().UnixNano())
	cookieA, err := s.SignUp(t.Context(), email, "correct horse battery staple", "Sessions")
	if err != nil {
		t.Fatal(err)
	}
	respB, _ := post(t, s, "/sign-in/email", "", map[string]any{"email": email, "password": "correct horse battery staple"})
	cookieB := cookieHeader(respB)
	signedB := respB.Header.Get("Set-Auth-Token")
	rawB, _, _ := strings.Cut(signedB, ".")
	if signedB == "" || cookieB == "" {
		t.Fatalf("sign-in gave no cookie or set-auth-token: %v", respB.Header)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	st, closer, err := storeurl.Open(ctx, "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	a := newAuth(t, auth.Config{BaseURL: s.BaseURL, Secret: auth.Secret(s.Secret), Store: st,
		CookieCache: auth.CookieCacheConfig{Strategy: auth.CacheCompact}})

	check := func(name string, r auth.Request, want auth.Credential, wantErr error) {
		t.Helper()
		got, err := a.Authenticate(t.Context(), r)
		switch {
		case wantErr != nil:
			if !errors.Is(err, wantErr) {
				t.Errorf("%s: %v, want %v", name, err, wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case got.User.Email != email || got.Credential != want:
			t.Errorf("%s: user %q credential %v, want %q %v", name, got.User.Email, got.Credential, email, want)
		}
	}
	cookies := func(c string) auth.Request { return auth.Request{Cookie: []string{"theme=dark; " + c}} }
	skip := func(c string) auth.Request { r := cookies(c); r.SkipCookieCache = true; return r }
	bearer := func(tok string) auth.Request { return auth.Request{Authorization: []string{"Bearer " + tok}} }

	if !strings.Contains(cookieA, "session_data=") {
		t.Fatalf("no cookie cache in %q", cookieA)
	}
	check("A with its cookie cache", cookies(cookieA), auth.CredentialCookieCache, nil)
	check("A, store path", cookies(onlyToken(cookieA)), auth.CredentialCookie, nil)
	check("B signed bearer token", bearer(signedB), auth.CredentialSessionToken, nil)
	check("B raw bearer token", bearer(rawB), auth.CredentialSessionToken, nil)

	// Revoke A from session B on the JS side.
	tokenA, _, _ := strings.Cut(strings.TrimPrefix(onlyToken(cookieA), "better-auth.session_token="), ".")
	post(t, s, "/revoke-session", cookieB, map[string]string{"token": tokenA})
	check("A after revoke-session, store path", cookies(onlyToken(cookieA)), 0, auth.ErrInvalidToken)
	check("A after revoke-session, cookie cache (within maxAge)", cookies(cookieA), auth.CredentialCookieCache, nil)
	check("A after revoke-session, sensitive route", skip(cookieA), 0, auth.ErrInvalidToken)
	check("B still signed in", cookies(onlyToken(cookieB)), auth.CredentialCookie, nil)

	// Sign B out on the JS side.
	post(t, s, "/sign-out", cookieB, map[string]any{})
	check("B after sign-out, cookie", cookies(onlyToken(cookieB)), 0, auth.ErrInvalidToken)
	check("B after sign-out, bearer", bearer(rawB), 0, auth.ErrInvalidToken)
}
