package storeurl

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// apiKeyValue is the key handed to the client; the table holds its hash, as the api-key plugin writes it.
var apiKeyValue = strings.Repeat("k", 64)

// apiKeySQLite writes Better Auth's SQLite schema with the admin and api-key plugins (the DDL their
// migrations produce), a user and one key with 5 uses left, as the plugin writes it to SQLite.
func apiKeySQLite(t *testing.T, path string) {
	t.Helper()
	ddl, err := os.ReadFile("../sqlstore/testdata/schema.sqlite.apikey.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{string(ddl),
		`INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES
			('u1', 'Alice', 'alice@example.com', 0, '2026-11-28T13:28:59.006Z', '2026-11-28T13:28:59.006Z')`,
		`INSERT INTO "apikey" ("id", "configId", "referenceId", "key", "enabled", "rateLimitEnabled", "requestCount",
			"remaining", "createdAt", "updatedAt") VALUES ('k1', 'default', 'u1', '` + betterauth.HashAPIKey(apiKeyValue) + `', 1, 0, 0, 5,
			'2026-11-28T13:28:59.006Z', '2026-11-28T13:28:59.006Z')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPIKeysNeedWritable checks that a SQLite store opened read-only (the default) is refused for API
// keys at start, with advice naming the fix (and DATABASE_URL when it came from there), and that
// Options.Writable lets the keys count their uses.
func TestAPIKeysNeedWritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	apiKeySQLite(t, path)
	t.Setenv(auth.EnvBaseURL, "https://app.example.com")
	t.Setenv(auth.EnvSecret, envSecret)
	t.Setenv(auth.EnvDatabaseURL, "sqlite:"+path)
	for _, tt := range []struct {
		name     string
		config   func(t *testing.T) auth.Config
		wantErr  []string // in auth.New's error; none: the key verifies and is counted
		wantLeft int64
	}{
		{name: "OpenWith, read-only", config: func(t *testing.T) auth.Config {
			return openConfig(t, path, nil)
		}, wantErr: []string{"APIKeys.Store", "read-only", "query_only", "storeurl.Options{Writable: true}"}},
		{name: "ConfigFromEnv, read-only", config: func(t *testing.T) auth.Config {
			c, err := ConfigFromEnv(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, wantErr: []string{"DATABASE_URL's SQLite database", "query_only", "storeurl.ConfigFromEnvWith(ctx, &storeurl.Options{Writable: true})"}},
		{name: "OpenWith, writable", config: func(t *testing.T) auth.Config {
			return openConfig(t, path, &Options{Writable: true})
		}, wantLeft: 4},
		{name: "ConfigFromEnvWith, writable", config: func(t *testing.T) auth.Config {
			c, err := ConfigFromEnvWith(t.Context(), &Options{Writable: true})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, wantLeft: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.config(t)
			defer c.Closer.Close()
			ks, ok := c.Store.(store.APIKeyStore)
			if !ok {
				t.Fatalf("store %T reads no API keys", c.Store)
			}
			if len(tt.wantErr) > 0 {
				// The store itself refuses to count, with the same advice, without asking the database.
				_, _, err := ks.UpdateAPIKey(t.Context(), "k1", store.APIKeyCond{RemainingPositive: true},
					store.APIKeySet{DecrementRemaining: true, UpdatedAt: time.Now()})
				if !errors.Is(err, store.ErrReadOnly) || !strings.Contains(err.Error(), tt.wantErr[len(tt.wantErr)-1]) {
					t.Errorf("UpdateAPIKey: %v, want store.ErrReadOnly with the fix", err)
				}
			}
			c.APIKeys = &auth.APIKeyConfig{Store: ks}
			a, err := auth.New(c)
			if len(tt.wantErr) > 0 {
				if err == nil {
					a.Close()
					t.Fatal("auth.New accepted a read-only store for API keys")
				}
				if !errors.Is(err, auth.ErrInvalidConfig) || !errors.Is(err, store.ErrReadOnly) {
					t.Errorf("error %v, want ErrInvalidConfig and store.ErrReadOnly", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			s, err := a.Authenticate(t.Context(), auth.Request{Header: map[string][]string{"X-Api-Key": {apiKeyValue}}})
			if err != nil {
				t.Fatal(err)
			}
			if s.APIKey == nil || s.APIKey.ID != "k1" || s.User.ID != "u1" {
				t.Fatalf("session %+v", s)
			}
			k, err := ks.APIKey(t.Context(), betterauth.HashAPIKey(apiKeyValue))
			if err != nil || k.Remaining == nil || *k.Remaining != tt.wantLeft {
				t.Errorf("remaining %v (%v), want %d", k.Remaining, err, tt.wantLeft)
			}
		})
	}
}

func openConfig(t *testing.T, path string, opts *Options) auth.Config {
	t.Helper()
	st, closer, err := OpenWith(t.Context(), "sqlite:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Config{BaseURL: "https://app.example.com", Secret: envSecret, Store: st, Closer: closer}
}

// TestReadOnlyWriteRefused checks that a write SQLite refuses as read-only, on a database opened without
// storeurl's advice, is store.ErrReadOnly.
func TestReadOnlyWriteRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	apiKeySQLite(t, path)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&"+sqlitePragmas)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReadOnly(); err != nil {
		t.Fatalf("ReadOnly: %v, want nil without Options.ReadOnly", err)
	}
	_, _, err = st.UpdateAPIKey(t.Context(), "k1", store.APIKeyCond{RemainingPositive: true},
		store.APIKeySet{DecrementRemaining: true, UpdatedAt: time.Now()})
	if !errors.Is(err, store.ErrReadOnly) || !strings.Contains(err.Error(), "open the database for writing") {
		t.Fatalf("UpdateAPIKey: %v, want store.ErrReadOnly", err)
	}
}
