package storeurl

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store/remote"
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

// TestConfigFromEnvRemote: GOBETTERAUTH_STORE_CACHE_TTL is the remote store's one cache ("0": none, unset:
// 5 s), never a second cache in front of it; the outage variables reach its breaker.
func TestConfigFromEnvRemote(t *testing.T) {
	var hits atomic.Int64
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/ok":
			w.Write([]byte(`{"ok":true}`))
		case "/api/auth/get-session":
			hits.Add(1)
			if failing.Load() {
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			w.Write([]byte(sessionJSON("tok", time.Now())))
		}
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name     string
		ttl      string
		failures string
		hits     int64 // get-session requests for two lookups
		opensAt  int   // failed lookups that open the breaker
		wantErr  bool
	}{
		{name: "default cache", hits: 1, opensAt: 5},
		{name: "no cache", ttl: "0", hits: 2, opensAt: 5},
		{name: "own ttl", ttl: "2s", failures: "2", hits: 1, opensAt: 2},
		{name: "negative ttl", ttl: "-1s", wantErr: true},
		{name: "bad failures", failures: "many", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(auth.EnvBaseURL, "http://127.0.0.1")
			t.Setenv(auth.EnvSecret, "")
			t.Setenv(auth.EnvDatabaseURL, srv.URL)
			t.Setenv(auth.EnvStoreCacheTTL, tt.ttl)
			t.Setenv(auth.EnvStoreBreakerFailures, tt.failures)
			c, err := ConfigFromEnv(t.Context())
			if tt.wantErr {
				if !errors.Is(err, auth.ErrInvalidConfig) {
					t.Fatalf("error %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Closer.Close()
			rs, ok := c.Store.(*remote.Store)
			if !ok {
				t.Fatalf("store %T, want the remote store itself (one cache)", c.Store)
			}
			hits.Store(0)
			failing.Store(false)
			for range 2 {
				if _, err := rs.LookupCredentials(t.Context(), "better-auth.session_token=x.y", ""); err != nil {
					t.Fatal(err)
				}
			}
			if n := hits.Load(); n != tt.hits {
				t.Errorf("%d get-session requests for two lookups, want %d", n, tt.hits)
			}
			failing.Store(true)
			for i := range tt.opensAt {
				if rs.BreakerStats().State == "open" {
					t.Fatalf("open after %d failures, want %d", i, tt.opensAt)
				}
				rs.LookupCredentials(t.Context(), "better-auth.session_token=other"+strconv.Itoa(i), "")
			}
			if st := rs.BreakerStats(); st.State != "open" {
				t.Errorf("after %d failures: %+v", tt.opensAt, st)
			}
		})
	}
}
