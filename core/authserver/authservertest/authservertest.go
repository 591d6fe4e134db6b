package authservertest

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Origin is the BaseURL of the server [New] returns; the browser's Origin header names it.
const Origin = "http://localhost:3000"

// New returns a server on a fresh SQLite file migrated by [authserver.Migrate]. It writes the
// compact cookie cache, so sign-up answers with two Set-Cookie headers. DevMode is off, so the session's
// ipAddress is the connection's address or nothing (DevMode would fall back to 127.0.0.1).
func New(t testing.TB) *authserver.Server {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := authserver.Migrate(context.Background(), db, "sqlite"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	off := false
	a, err := authserver.New(authserver.Config{
		Auth: auth.Config{
			BaseURL:     Origin,
			Secret:      "mount-test-secret-0123456789abcdefghijkl",
			DisableJWKS: true,
			CookieCache: auth.CookieCacheConfig{Strategy: auth.CacheCompact},
		},
		Database:  st,
		RateLimit: authserver.RateLimitConfig{Enabled: &off},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// RunMount is the shared check of the adapters' Mount helpers. base serves a [New] server mounted
// at /api/auth, a GET /api/me route behind the adapter's middleware answering "hello <email>", and GET /
// answering "site". RunMount signs up, checks the Set-Cookie headers, then runs each request in order with
// the cookie jar, so every adapter answers the same inputs the same way.
func RunMount(t *testing.T, base string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	do := func(t *testing.T, client *http.Client, method, path, body string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", Origin)
		req.Header.Set("User-Agent", "mount-test")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}

	res, body := do(t, c, "POST", "/api/auth/sign-up/email",
		`{"email":"Ada@Example.com","password":"correct-horse-battery","name":"Ada"}`)
	if res.StatusCode != 200 || !strings.Contains(body, `"email":"ada@example.com"`) {
		t.Fatalf("sign-up: %d %s", res.StatusCode, body)
	}
	var names []string
	for _, sc := range res.Cookies() {
		names = append(names, sc.Name)
	}
	slices.Sort(names)
	if want := []string{"better-auth.session_data", "better-auth.session_token"}; !slices.Equal(names, want) {
		t.Fatalf("sign-up Set-Cookie names %v, want %v (headers %q)", names, want, res.Header.Values("Set-Cookie"))
	}

	anon := &http.Client{}
	tests := []struct {
		name         string
		client       *http.Client
		method, path string
		status       int
		contains     string
	}{
		{"get-session", c, "GET", "/api/auth/get-session", 200, `"email":"ada@example.com"`},
		{"get-session, anonymous", anon, "GET", "/api/auth/get-session", 200, "null"},
		{"list-sessions has the client IP", c, "GET", "/api/auth/list-sessions", 200, `"ipAddress":"127.0.0.1"`},
		{"ok", anon, "GET", "/api/auth/ok", 200, `{"ok":true}`},
		{"protected route", c, "GET", "/api/me", 200, "hello ada@example.com"},
		{"protected route, anonymous", anon, "GET", "/api/me", 401, `"UNAUTHORIZED"`},
		{"unknown endpoint", c, "GET", "/api/auth/nope", 404, ""},
		{"outside the base path", anon, "GET", "/api/authx/ok", 404, ""},
		{"site", anon, "GET", "/", 200, "site"},
		{"sign-out", c, "POST", "/api/auth/sign-out", 200, `{"success":true}`},
		{"get-session after sign-out", c, "GET", "/api/auth/get-session", 200, "null"},
		{"protected route after sign-out", c, "GET", "/api/me", 401, `"UNAUTHORIZED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, tt.client, tt.method, tt.path, "")
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d (body %s)", res.StatusCode, tt.status, body)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("body %s, want it to contain %s", body, tt.contains)
			}
			if tt.contains != "" && strings.HasPrefix(tt.path, "/api/auth/") {
				var v any
				if err := json.Unmarshal([]byte(body), &v); err != nil {
					t.Errorf("body %q is not JSON: %v", body, err)
				}
			}
		})
	}
}
