package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func TestNewValidates(t *testing.T) {
	base := "https://app.example.com"
	tests := []struct {
		name string
		cfg  auth.Config
		ok   bool
	}{
		{"minimal", auth.Config{BaseURL: base}, true},
		{"no base URL", auth.Config{}, false},
		{"relative base URL", auth.Config{BaseURL: "/app"}, false},
		{"base URL with credentials", auth.Config{BaseURL: "https://u:p@app.example.com"}, false},
		{"base path without slash", auth.Config{BaseURL: base, BasePath: "api"}, false},
		{"A17 leeway 24h", auth.Config{BaseURL: base, ExpLeeway: 24 * time.Hour}, false},
		{"A17 leeway negative", auth.Config{BaseURL: base, NotBeforeLeeway: -time.Second}, false},
		{"A17 leeway at max", auth.Config{BaseURL: base, IssuedAtLeeway: auth.MaxLeeway}, true},
		{"A17 no leeway", auth.Config{BaseURL: base, ExpLeeway: auth.NoLeeway}, true},
		{"A34 short secret", auth.Config{BaseURL: base, Secret: "short"}, false},
		{"A34 31-byte secret", auth.Config{BaseURL: base, Secret: auth.Secret(strings.Repeat("s", 31))}, false},
		{"A34 32-byte secret", auth.Config{BaseURL: base, Secret: auth.Secret(strings.Repeat("s", 32))}, true},
		{"HS256 without secret", auth.Config{BaseURL: base, AcceptHS256: true}, false},
		{"JWKS off and no HS256", auth.Config{BaseURL: base, DisableJWKS: true}, false},
		{"empty issuers", auth.Config{BaseURL: base, Issuers: []string{}}, false},
		{"empty audience value", auth.Config{BaseURL: base, Audiences: []string{""}}, false},
		{"empty algorithms", auth.Config{BaseURL: base, Algorithms: []string{}}, false},
		{"HS256 as a JWKS algorithm", auth.Config{BaseURL: base, Algorithms: []string{"HS256"}}, false},
		{"none as a JWKS algorithm", auth.Config{BaseURL: base, Algorithms: []string{"none"}}, false},
		{"ES384 allowed", auth.Config{BaseURL: base, Algorithms: []string{"ES384"}}, true},
		{"negative cache", auth.Config{BaseURL: base, TokenCacheSize: -1}, false},
		{"tiny max token", auth.Config{BaseURL: base, MaxTokenBytes: 10}, false},
		{"min interval above cooldown", auth.Config{BaseURL: base, JWKS: auth.JWKSOptions{MinInterval: time.Minute, Cooldown: time.Second}}, false},
		{"negative max age", auth.Config{BaseURL: base, MaxTokenAge: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := auth.New(tt.cfg)
			if tt.ok != (err == nil) || (err == nil) != (a != nil) {
				t.Fatalf("New = %v, %v; want ok=%v", a, err, tt.ok)
			}
			if err != nil && !errors.Is(err, auth.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "auth: ") {
				t.Errorf("error %q does not start with auth:", err)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if a.BaseURL() != "https://app.example.com" || a.BasePath() != "/api/auth" {
		t.Errorf("BaseURL %q BasePath %q", a.BaseURL(), a.BasePath())
	}
}

// A37: the Authorization header is read strictly.
func TestAuthenticateAuthorizationHeader(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, nil)
	tok := is.MustMint(authtest.Claims{})
	tests := []struct {
		name   string
		values []string
		want   error // nil: accepted
	}{
		{"bearer", []string{"Bearer " + tok}, nil},
		{"lower-case scheme", []string{"bearer " + tok}, nil},
		{"upper-case scheme", []string{"BEARER " + tok}, nil},
		{"none", nil, auth.ErrNoCredentials},
		{"empty", []string{""}, auth.ErrNoCredentials},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, auth.ErrNoCredentials},
		{"two spaces", []string{"Bearer  " + tok}, auth.ErrInvalidToken},
		{"tab", []string{"Bearer\t" + tok}, auth.ErrNoCredentials},
		{"two tokens", []string{"Bearer " + tok + " " + tok}, auth.ErrInvalidToken},
		{"trailing space", []string{"Bearer " + tok + " "}, auth.ErrInvalidToken},
		{"scheme only", []string{"Bearer"}, auth.ErrInvalidToken},
		{"scheme and space", []string{"Bearer "}, auth.ErrInvalidToken},
		{"two headers", []string{"Bearer " + tok, "Bearer " + tok}, auth.ErrInvalidToken},
		{"not a JWT", []string{"Bearer abc"}, auth.ErrInvalidToken},
		{"1 MiB of dots", []string{"Bearer " + strings.Repeat(".", 1<<20)}, auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := a.Authenticate(t.Context(), auth.Request{Method: "GET", Path: "/", Authorization: tt.values})
			if tt.want == nil {
				checkErr(t, err)
				if s == nil || s.User.ID == "" {
					t.Fatalf("no session")
				}
				return
			}
			checkErr(t, err, tt.want)
			if s != nil {
				t.Error("session returned with an error")
			}
		})
	}
}

// A10/A9: a huge malformed header costs O(1) allocations.
func TestAuthenticateHugeHeaderAllocations(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, nil)
	req := auth.Request{Authorization: []string{"Bearer " + strings.Repeat(".", 1<<20)}}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(20, func() { _, _ = a.Authenticate(ctx, req) })
	if allocs > 2 {
		t.Errorf("%v allocations for a rejected 1 MiB header", allocs)
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		code, www  string
		retryAfter string
	}{
		{auth.ErrNoCredentials, 401, "UNAUTHORIZED", "Bearer", ""},
		{fmt.Errorf("wrapped: %w", auth.ErrInvalidToken), 401, "INVALID_TOKEN", `Bearer error="invalid_token"`, ""},
		{auth.ErrExpired, 401, "TOKEN_EXPIRED", `Bearer error="invalid_token"`, ""},
		{auth.ErrForbidden, 403, "FORBIDDEN", "", ""},
		{&auth.UnavailableError{RetryAfter: 2500 * time.Millisecond, Err: errors.New("db down")}, 503, "SERVICE_UNAVAILABLE", "", "3"},
		{auth.ErrUnavailable, 503, "SERVICE_UNAVAILABLE", "", "1"},
		{errors.New("surprise"), 500, "INTERNAL_SERVER_ERROR", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := auth.HTTPStatus(tt.err); got != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", got, tt.status)
			}
			rec := httptest.NewRecorder()
			auth.NewErrorResponse(tt.err).Write(rec)
			if rec.Code != tt.status {
				t.Errorf("status %d", rec.Code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.www {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.www)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(rec.Body.String(), `{"code":"`+tt.code+`","message":"`) || strings.Contains(rec.Body.String(), "db down") {
				t.Errorf("body %s", rec.Body)
			}
		})
	}
	if auth.HTTPStatus(nil) != http.StatusOK {
		t.Error("HTTPStatus(nil) != 200")
	}
}

// E17, E18: no token bytes reach logs or response bodies, on any deny path.
func TestNoTokenBytesInLogsOrBodies(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	var logs lockedBuffer // the key set logs from its own goroutine
	a := newAuth(t, is, func(c *auth.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	valid := is.MustMint(authtest.Claims{})
	bad := []string{
		valid[:len(valid)-4] + "AAAA",                                          // bad signature
		forge(t, is, `{"alg":"EdDSA","kid":"secret-kid-xyz"}`, payload(t, is)), // unknown kid
		is.MustMint(authtest.Claims{ExpiresAt: testNow.Add(-time.Hour)}),       // expired
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQtc3ViIn0.",                     // alg none
		"not-a-token-but-a-secret-session-value",                               // malformed
	}
	for _, tok := range bad {
		_, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok}})
		if err == nil {
			t.Fatalf("accepted %q", tok)
		}
		body := string(auth.NewErrorResponse(err).Body())
		for _, part := range append(strings.Split(tok, "."), tok) {
			if len(part) >= 8 && (strings.Contains(logs.String(), part) || strings.Contains(body, part) || strings.Contains(err.Error(), part)) {
				t.Errorf("token bytes %q leaked", part)
			}
		}
	}
	if !strings.Contains(logs.String(), "token_sha256=") {
		t.Errorf("deny logs carry no fingerprint: %s", logs.String())
	}
	if strings.Contains(logs.String(), "secret-kid-xyz") {
		t.Error("kid from an attacker's header reached the log")
	}
}

func TestSecretRedacted(t *testing.T) {
	cfg := auth.Config{BaseURL: "https://app.example.com", Secret: "super-secret-value-0123456789abcdef"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "secret", cfg.Secret, "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg.Secret), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.Secret), logs.String()} {
		if strings.Contains(s, "super-secret") {
			t.Errorf("secret leaked: %s", s)
		}
	}
}

func TestContext(t *testing.T) {
	if _, ok := auth.FromContext(context.Background()); ok {
		t.Error("empty context has a session")
	}
	s := &auth.Session{User: auth.User{ID: "u"}}
	got, ok := auth.FromContext(auth.NewContext(context.Background(), s))
	if !ok || got != s {
		t.Error("session lost")
	}
	if _, ok := auth.FromContext(auth.NewContext(context.Background(), nil)); ok {
		t.Error("nil session reported present")
	}
	type otherKey struct{}
	if _, ok := auth.FromContext(context.WithValue(context.Background(), otherKey{}, s)); ok {
		t.Error("session found under a foreign key")
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(auth.EnvBaseURL, "https://app.example.com")
	t.Setenv(auth.EnvSecret, strings.Repeat("x", 32))
	t.Setenv(auth.EnvAcceptHS256, "true")
	t.Setenv(auth.EnvAudiences, "a, b")
	t.Setenv(auth.EnvLeeway, "10s")
	t.Setenv(auth.EnvTokenCache, "100")
	t.Setenv(auth.EnvRawSessionTokens, "true")
	t.Setenv(auth.EnvMaxSessionAge, "720h")
	c, err := auth.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://app.example.com" || !c.AcceptHS256 || strings.Join(c.Audiences, "|") != "a|b" ||
		c.ExpLeeway != 10*time.Second || c.TokenCacheSize != 100 || c.Issuers != nil ||
		!c.AcceptRawSessionTokens || c.MaxSessionAge != 720*time.Hour {
		t.Errorf("config %+v", c)
	}
	if _, err := auth.FromEnv(); err != nil {
		t.Error(err)
	}
	t.Setenv(auth.EnvAcceptHS256, "maybe")
	if _, err := auth.FromEnv(); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("bad boolean: %v", err)
	}
	t.Setenv(auth.EnvAcceptHS256, "")
	t.Setenv(auth.EnvBaseURL, "")
	if _, err := auth.FromEnv(); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("missing URL: %v", err)
	}
}
