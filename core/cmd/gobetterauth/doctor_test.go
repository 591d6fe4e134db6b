package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const (
	doctorSecret = "doctor-test-secret-0123456789abcdefghijklmn"
	wrongSecret  = "another-secret-entirely-0123456789abcdefghijk"
)

// doctorEnv holds the secrets the tests name with --secret-env.
func doctorEnv(name string) string {
	switch name {
	case "RIGHT_SECRET":
		return doctorSecret
	case "WRONG_SECRET":
		return wrongSecret
	}
	return ""
}

// runDoctor runs `gobetterauth doctor args…` and checks its exit status, that every want line is in its
// output, and that no secret is printed.
func runDoctor(t *testing.T, args []string, code int, wants []string) {
	t.Helper()
	var out, errOut bytes.Buffer
	got := run(append([]string{"doctor"}, args...), strings.NewReader(""), &out, &errOut, doctorEnv)
	all := out.String() + errOut.String()
	if got != code {
		t.Errorf("exit %d, want %d", got, code)
	}
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	for _, s := range []string{doctorSecret, wrongSecret} {
		if strings.Contains(all, s) {
			t.Error("a secret was printed")
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("output:\n%s", all)
	}
}

// goAuthServer starts an authserver (JWT plugin on) behind httptest with edit applied to its config and
// returns its URL and the Cookie header of a fresh sign-up.
func goAuthServer(t *testing.T, edit func(*authserver.Config)) (string, string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := authserver.Migrate(t.Context(), db, "sqlite"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	cfg := authserver.Config{
		Auth:     auth.Config{BaseURL: hs.URL, Secret: doctorSecret},
		Database: st,
		DevMode:  true,
		Plugins:  []authserver.Plugin{authserver.JWT(authserver.JWTConfig{})},
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := authserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h = srv
	base := cfg.Auth.BasePath
	if base == "" {
		base = auth.DefaultBasePath
	}
	req, _ := http.NewRequest("POST", hs.URL+base+"/sign-up/email",
		strings.NewReader(`{"name":"Doc","email":"doc@example.com","password":"correct-horse-battery"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", hs.URL)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up: %d", resp.StatusCode)
	}
	var pairs []string
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	return hs.URL, strings.Join(pairs, "; ")
}

// TestDoctorGoServer runs doctor against gobetterauth's own server (authserver, as examples/server runs
// it) in several configurations and checks the findings and advice it prints.
func TestDoctorGoServer(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*authserver.Config)
		args  func(url, cookie string) []string
		skew  time.Duration
		code  int
		wants []string
	}{
		{
			name: "defaults and the right secret",
			args: func(u, c string) []string {
				return []string{"--base-url", u, "--cookie", c, "--secret-env", "RIGHT_SECRET"}
			},
			code: 0,
			wants: []string{
				"ok    base URL: GET ", "/api/auth/ok answered {\"ok\":true}",
				"ok    clock: the server's Date header agrees",
				"ok    JWKS: 1 key(s) at ", ": EdDSA (kid ",
				"ok    token issuer: iss ", "ok    token audience: aud ",
				"ok    token: the EdDSA token from /token (kid ",
				"ok    cookie prefix: the session cookie is better-auth.session_token: the default prefix \"better-auth\"",
				"ok    secure cookies: the names carry no __Secure-",
				"ok    cookie cache: no session_data cookie",
				"ok    secret: the secret in RIGHT_SECRET verifies the signature of better-auth.session_token",
				"\n# environment for a Go API verifying this server's JWTs (auth.FromEnv):\nBETTER_AUTH_URL=http://127.0.0.1:",
				"\nDATABASE_URL=<the database the Better Auth server uses>\nBETTER_AUTH_SECRET=\"$RIGHT_SECRET\"\n",
			},
		},
		{
			name: "wrong secret",
			args: func(u, c string) []string {
				return []string{"--base-url", u, "--cookie", c, "--secret-env", "WRONG_SECRET"}
			},
			code: 1,
			wants: []string{
				"FAIL  secret: the secret in WRONG_SECRET does not verify the signature of better-auth.session_token",
				"      → the Go API's BETTER_AUTH_SECRET must be the Better Auth server's secret (its BETTER_AUTH_SECRET, or the current one of BETTER_AUTH_SECRETS)",
				"BETTER_AUTH_SECRET=<the Better Auth server's secret>",
			},
		},
		{
			name: "wrong base path",
			args: func(u, c string) []string { return []string{"--base-url", u, "--base-path", "/auth"} },
			code: 1,
			wants: []string{
				"FAIL  base path: GET ", "/auth/ok answered 404, not Better Auth's {\"ok\":true}",
				"/api/auth: set BETTER_AUTH_BASE_PATH=/api/auth in the Go API (and pass --base-path /api/auth here)",
				"ok    JWKS: 1 key(s)",
				"--    token: not checked: pass --cookie",
			},
		},
		{
			name: "base path nowhere to be found",
			edit: func(c *authserver.Config) { c.Auth.BasePath = "/idp" },
			args: func(u, c string) []string { return []string{"--base-url", u} },
			code: 1,
			wants: []string{
				"FAIL  base path: GET ", "/api/auth/ok answered 404",
				"/api/auth: pass --base-path with the server's basePath (betterAuth({ basePath }))",
				"      → and set BETTER_AUTH_BASE_PATH to it in the Go API",
			},
		},
		{
			name: "cookie prefix, base path and a compact cookie cache version 2",
			edit: func(c *authserver.Config) {
				c.Auth.BasePath = "/idp"
				c.Auth.Cookies.Prefix = "myapp"
				c.Auth.CookieCache = auth.CookieCacheConfig{Strategy: auth.CacheCompact, Version: "2"}
			},
			args: func(u, c string) []string {
				return []string{"--base-url", u, "--base-path", "/idp", "--cookie", c, "--secret-env", "RIGHT_SECRET"}
			},
			code: 0,
			wants: []string{
				"/idp/ok answered {\"ok\":true}",
				"warn  cookie prefix: the session cookie is myapp.session_token: cookie prefix \"myapp\", not the default \"better-auth\"",
				"      → set BETTER_AUTH_COOKIE_PREFIX=myapp in the Go API (Better Auth's advanced.cookiePrefix)",
				"ok    cookie cache: session_data is a \"compact\" cookie cache, version \"2\"",
				"      → set BETTER_AUTH_COOKIE_CACHE=compact and BETTER_AUTH_COOKIE_CACHE_VERSION=2 in the Go API",
				"ok    secret: the secret in RIGHT_SECRET verifies the signature of myapp.session_token",
				"\nBETTER_AUTH_BASE_PATH=/idp\n",
				"\nBETTER_AUTH_COOKIE_PREFIX=myapp\nBETTER_AUTH_COOKIE_CACHE=compact\nBETTER_AUTH_COOKIE_CACHE_VERSION=2\n",
			},
		},
		{
			name: "compact cache with the wrong secret",
			edit: func(c *authserver.Config) {
				c.Auth.CookieCache = auth.CookieCacheConfig{Strategy: auth.CacheJWT}
			},
			args: func(u, c string) []string {
				return []string{"--base-url", u, "--cookie", c, "--secret-env", "WRONG_SECRET"}
			},
			code: 1,
			wants: []string{
				"ok    cookie cache: session_data is a \"jwt\" cookie cache, version \"1\" (the default)",
				"      → set BETTER_AUTH_COOKIE_CACHE=jwt in the Go API",
				"FAIL  secret: the secret in WRONG_SECRET does not verify",
			},
		},
		{
			name: "__Secure- cookies on an http base URL",
			edit: func(c *authserver.Config) { c.Auth.Cookies.Secure = auth.SecureOn },
			args: func(u, c string) []string { return []string{"--base-url", u, "--cookie", c} },
			code: 0,
			wants: []string{
				"warn  secure cookies: the names carry __Secure- although the base URL is http",
				"      → set BETTER_AUTH_SECURE_COOKIES=true in the Go API",
				"--    secret: not checked: pass --secret-env NAME",
			},
		},
		{
			name: "issuer and audience set apart from the base URL",
			edit: func(c *authserver.Config) {
				c.Plugins = []authserver.Plugin{authserver.JWT(authserver.JWTConfig{Issuer: "https://id.example.com", Audience: "api://orders"})}
			},
			args: func(u, c string) []string { return []string{"--base-url", u, "--cookie", c} },
			code: 0,
			wants: []string{
				"warn  token issuer: iss is \"https://id.example.com\", not the base URL's origin",
				"      → set BETTER_AUTH_ISSUERS=https://id.example.com in the Go API",
				"      → set BETTER_AUTH_AUDIENCES=api://orders in the Go API",
				"ok    token: the EdDSA token from /token",
				"\nBETTER_AUTH_ISSUERS=https://id.example.com\nBETTER_AUTH_AUDIENCES=api://orders\n",
			},
		},
		{
			name: "clock two minutes off",
			args: func(u, c string) []string { return []string{"--base-url", u} },
			skew: 2 * time.Minute,
			code: 1,
			wants: []string{
				"FAIL  clock: the server's clock is 2m0s behind this machine's",
				"      → synchronise both clocks (NTP): tokens are refused outside 30s of leeway (BETTER_AUTH_LEEWAY)",
			},
		},
		{
			name: "no JWT plugin",
			edit: func(c *authserver.Config) { c.Plugins = nil; c.Auth.DisableJWKS = true },
			args: func(u, c string) []string { return []string{"--base-url", u, "--cookie", c} },
			code: 0,
			wants: []string{
				"warn  JWKS: GET ", "/jwks answered 404: the server runs without the JWT plugin",
				"      → a Go API cannot verify JWTs from it: add jwt() to the Better Auth server (authserver.JWT in Go),",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, cookie := goAuthServer(t, tt.edit)
			if tt.skew != 0 {
				doctorNow = func() time.Time { return time.Now().Add(tt.skew) }
				t.Cleanup(func() { doctorNow = time.Now })
			}
			runDoctor(t, tt.args(u, cookie), tt.code, tt.wants)
		})
	}
}

// TestDoctorUsage: doctor refuses what it cannot use, saying which flag, and never echoes a secret passed
// as --secret-env's value.
func TestDoctorUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no base url", nil, 2, "--base-url is required"},
		{"relative base url", []string{"--base-url", "localhost:3000"}, 2, `--base-url "localhost:3000" is not an absolute http(s) URL`},
		{"base path without slash", []string{"--base-url", "http://x", "--base-path", "idp"}, 2, "--base-path \"idp\" must start with /"},
		{"two base paths", []string{"--base-url", "http://x/idp", "--base-path", "/api/auth"}, 2, "--base-url has the path \"/idp\""},
		{"secret value pasted", []string{"--base-url", "http://x", "--secret-env", doctorSecret}, 2, "not the secret itself"},
		{"unreachable", []string{"--base-url", "http://127.0.0.1:1"}, 3, "→ start the Better Auth server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runDoctor(t, tt.args, tt.code, []string{tt.want}) })
	}
}

// TestDoctorNode runs doctor against the real Better Auth server (Node, better-auth 1.7.25) with a cookie
// prefix, a base path and a jwe cookie cache version, and checks the advice for a right and a wrong
// secret and a wrong base path.
func TestDoctorNode(t *testing.T) {
	s := interop.NewServer(t, map[string]string{
		"BETTER_AUTH_SECRET": doctorSecret, "BASE_PATH": "/api/v1/auth", "COOKIE_PREFIX": "shop",
		"COOKIE_CACHE": "jwe", "INSECURE_FAST_PASSWORD_HASH": "1",
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cookie, err := s.SignUp(ctx, "node-doctor@example.com", "correct-horse-battery", "Node Doctor")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{
			name: "right secret",
			args: []string{"--base-url", s.URL, "--base-path", "/api/v1/auth", "--cookie", cookie, "--secret-env", "RIGHT_SECRET"},
			code: 0,
			wants: []string{
				"ok    base URL: GET " + s.URL + "/api/v1/auth/ok answered {\"ok\":true}",
				"ok    JWKS: 1 key(s) at " + s.URL + "/api/v1/auth/jwks: EdDSA (kid ",
				"ok    token issuer: iss \"" + s.URL + "\" is the base URL's origin (the default)",
				"ok    token: the EdDSA token from /token (kid ",
				"warn  cookie prefix: the session cookie is shop.session_token: cookie prefix \"shop\", not the default \"better-auth\"",
				"      → set BETTER_AUTH_COOKIE_PREFIX=shop in the Go API (Better Auth's advanced.cookiePrefix)",
				"ok    cookie cache: session_data is a \"jwe\" cookie cache, version \"1\" (the default)",
				"      → set BETTER_AUTH_COOKIE_CACHE=jwe in the Go API",
				"ok    secret: the secret in RIGHT_SECRET verifies the signature of shop.session_token",
				"BETTER_AUTH_URL=" + s.URL + "\nBETTER_AUTH_BASE_PATH=/api/v1/auth\n",
				"BETTER_AUTH_SECRET=\"$RIGHT_SECRET\"\nBETTER_AUTH_COOKIE_PREFIX=shop\nBETTER_AUTH_COOKIE_CACHE=jwe\n",
			},
		},
		{
			name: "wrong secret",
			args: []string{"--base-url", s.URL, "--base-path", "/api/v1/auth", "--cookie", cookie, "--secret-env", "WRONG_SECRET"},
			code: 1,
			wants: []string{
				"ok    cookie cache: session_data is a \"jwe\" cookie cache; its version is encrypted (pass --secret-env to read it)",
				"FAIL  secret: the secret in WRONG_SECRET does not verify the signature of shop.session_token",
				"      → the Go API's BETTER_AUTH_SECRET must be the Better Auth server's secret",
			},
		},
		{
			name: "wrong base path",
			args: []string{"--base-url", s.URL, "--cookie", cookie},
			code: 1,
			wants: []string{
				"FAIL  base path: GET " + s.URL + "/api/auth/ok answered 404, not Better Auth's {\"ok\":true}",
				"      → Better Auth answers at " + s.URL + "/api/v1/auth: set BETTER_AUTH_BASE_PATH=/api/v1/auth in the Go API (and pass --base-path /api/v1/auth here)",
				"ok    token: the EdDSA token from /token",
				"--    secret: not checked",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runDoctor(t, tt.args, tt.code, tt.wants) })
	}
}
