package auth_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestFromEnvErrorsNameVariables: an Auth configured from the environment explains a bad value with the
// variable the user set, not the Go field, says what to do, and never repeats a secret.
func TestFromEnvErrorsNameVariables(t *testing.T) {
	const weak = "short-secret"
	tests := []struct {
		name  string
		env   map[string]string
		wants []string // each must be in the message
		not   []string // none may be
	}{
		{name: "URL missing", env: map[string]string{},
			wants: []string{"auth: invalid config: BETTER_AUTH_URL is not set: ", "BETTER_AUTH_URL=http://localhost:3000"}, not: []string{"BaseURL"}},
		{name: "URL without scheme", env: map[string]string{auth.EnvBaseURL: "localhost:3000"},
			wants: []string{`BETTER_AUTH_URL "localhost:3000" must be an absolute http(s) URL`, "e.g. BETTER_AUTH_URL=http://localhost:3000"}, not: []string{"BaseURL"}},
		{name: "secret too short", env: map[string]string{auth.EnvBaseURL: "http://localhost:3000", auth.EnvSecret: weak},
			wants: []string{"BETTER_AUTH_SECRET is 12 bytes; at least 32 are required", "gobetterauth secret generate"}, not: []string{weak, "Secret is"}},
		{name: "base path", env: map[string]string{auth.EnvBaseURL: "http://localhost:3000", auth.EnvBasePath: "api/auth"},
			wants: []string{`BETTER_AUTH_BASE_PATH "api/auth" must start with /`, "/api/auth"}},
		{name: "cookie cache", env: map[string]string{auth.EnvBaseURL: "http://localhost:3000", auth.EnvCookieCache: "cookies"},
			wants: []string{`BETTER_AUTH_COOKIE_CACHE "cookies" is not compact, jwt, jwe or jwt-plugin`, "session.cookieCache"}},
		{name: "cookie prefix", env: map[string]string{auth.EnvBaseURL: "http://localhost:3000", auth.EnvCookiePrefix: "my app"},
			wants: []string{"BETTER_AUTH_COOKIE_PREFIX: cookie name or prefix", "advanced.cookiePrefix"}},
		{name: "plain http JWKS", env: map[string]string{auth.EnvBaseURL: "http://auth.example.com"},
			wants: []string{"BETTER_AUTH_URL's JWKS", "use https in BETTER_AUTH_URL"}, not: []string{"JWKSURL"}},
		{name: "secrets entry", env: map[string]string{auth.EnvBaseURL: "http://localhost:3000", auth.EnvSecrets: "1:" + weak},
			wants: []string{"BETTER_AUTH_SECRETS entry [0] is 12 bytes", "gobetterauth secret generate --version N"}, not: []string{weak}},
	}
	vars := []string{auth.EnvBaseURL, auth.EnvSecret, auth.EnvBasePath, auth.EnvCookieCache, auth.EnvCookiePrefix, auth.EnvSecrets,
		auth.EnvJWKSURL, auth.EnvDatabaseURL, auth.EnvRedisURL}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range vars {
				t.Setenv(k, tt.env[k])
			}
			_, err := auth.FromEnv()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error %q contains %q", err, n)
				}
			}
		})
	}
}

// TestUnavailableLoggedRateLimited: a JWKS outage is logged at warn with its cause and a hint, once per
// UnavailableLogInterval, however many requests it refuses; the next line counts the ones not logged.
func TestUnavailableLoggedRateLimited(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	tok := is.MustMint(authtest.Claims{})
	var mu sync.Mutex
	now := testNow
	var logs lockedBuffer // the key set logs from its own goroutine
	a := newAuth(t, is, func(c *auth.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	is.Close() // the JWKS is down
	for range 5 {
		_, err := verify(a, tok)
		checkErr(t, err, auth.ErrUnavailable)
	}
	refusals := func() []string { // the jwks package logs its own fetch failures too
		var out []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "credentials could not be checked") {
				out = append(out, l)
			}
		}
		return out
	}
	lines := refusals()
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "connection refused") ||
		!strings.Contains(lines[0], "hint=") || !strings.Contains(lines[0], "BETTER_AUTH_URL") {
		t.Fatalf("after 5 refusals, logs:\n%s\nwant one warn line with the cause and a hint", logs.String())
	}
	mu.Lock()
	now = now.Add(auth.UnavailableLogInterval)
	mu.Unlock()
	_, _ = verify(a, tok)
	lines = refusals()
	if len(lines) != 2 || !strings.Contains(lines[1], "unlogged_since_last=4") {
		t.Fatalf("an interval later, logs:\n%s\nwant a second line counting 4 unlogged", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }
