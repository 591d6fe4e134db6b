package storeurl

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const envSecret = "storeurl-env-test-secret-0123456789abcdef"

func TestConfigFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	betterAuthSQLite(t, path)
	cookie := "__Secure-better-auth.session_token=" + betterauth.NewSigner(envSecret).Sign("sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq") // BaseURL is https
	for _, tt := range []struct {
		name     string
		env      map[string]string
		store    bool // a store was opened
		cached   bool // behind store.NewCache
		wantErr  error
		errNames string
	}{
		{name: "jwt only", env: map[string]string{}},
		{name: "database", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + path}, store: true},
		{name: "database with cache", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + path, auth.EnvStoreCacheTTL: "2s"}, store: true, cached: true},
		{name: "database before redis", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + path, auth.EnvRedisURL: "redis://127.0.0.1:1"}, store: true},
		{name: "missing database", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + filepath.Join(t.TempDir(), "missing.db")}, wantErr: auth.ErrInvalidConfig, errNames: "DATABASE_URL=sqlite:"},
		{name: "bad TTL", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + path, auth.EnvStoreCacheTTL: "soon"}, wantErr: auth.ErrInvalidConfig, errNames: auth.EnvStoreCacheTTL},
		{name: "bad auth variable", env: map[string]string{auth.EnvDatabaseURL: "sqlite:" + path, auth.EnvAcceptHS256: "maybe"}, wantErr: auth.ErrInvalidConfig, errNames: auth.EnvAcceptHS256},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{auth.EnvDatabaseURL, auth.EnvRedisURL, auth.EnvStoreCacheTTL, auth.EnvAcceptHS256} {
				t.Setenv(k, tt.env[k])
			}
			t.Setenv(auth.EnvBaseURL, "https://app.example.com")
			t.Setenv(auth.EnvSecret, envSecret)
			c, err := ConfigFromEnv(t.Context())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errNames) {
					t.Fatalf("error %v, want %v naming %s", err, tt.wantErr, tt.errNames)
				}
				if errors.Is(err, auth.ErrStoreInEnv) {
					t.Errorf("error %v still says the store is unopened", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (c.Store != nil) != tt.store || (c.Closer != nil) != tt.store {
				t.Fatalf("store %v, closer %v; want a store: %v", c.Store, c.Closer, tt.store)
			}
			if _, ok := c.Store.(*sqlstore.Store); tt.store && ok == tt.cached {
				t.Errorf("store %T; want cached: %v", c.Store, tt.cached)
			}
			c.Now = func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) } // the session expires on 2026-12-05
			a, err := auth.New(c)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			s, err := a.Authenticate(t.Context(), auth.Request{Cookie: []string{cookie}})
			if tt.store && (err != nil || s.User.Email != "alice@example.com" || s.Credential != auth.CredentialCookie) {
				t.Errorf("session %+v, %v", s, err)
			}
			if !tt.store && !errors.Is(err, auth.ErrNoCredentials) {
				t.Errorf("JWT-only Auth read the cookie: %v", err)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	betterAuthSQLite(t, path)
	t.Setenv(auth.EnvBaseURL, "https://app.example.com")
	t.Setenv(auth.EnvSecret, envSecret)
	t.Setenv(auth.EnvDatabaseURL, "sqlite:"+path)
	a, err := FromEnv(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(auth.EnvSecret, "")
	if _, err := FromEnv(t.Context()); !errors.Is(err, auth.ErrInvalidConfig) || !strings.Contains(err.Error(), "a session store is set but BETTER_AUTH_SECRET is not: ") {
		t.Errorf("store without a secret: %v", err)
	}
}
