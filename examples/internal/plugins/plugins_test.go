package plugins

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// TestConfigureThroughCache: API keys and organizations are turned on whether or not the session cache
// (GOBETTERAUTH_STORE_CACHE_TTL) is in front of the store; they were silently off behind it.
func TestConfigureThroughCache(t *testing.T) {
	file := filepath.Join(t.TempDir(), "auth.db")
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.Migrate(t.Context(), db, sqlstore.SQLite, nil)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, closer, err := storeurl.OpenWith(t.Context(), "sqlite:"+file, &storeurl.Options{Writable: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	for _, ttl := range []time.Duration{0, 5 * time.Second} {
		c := auth.Config{Store: store.NewCache(st, ttl, 0)}
		Configure(&c)
		if c.APIKeys == nil || c.APIKeys.Store == nil {
			t.Errorf("cache ttl %v: API keys not configured", ttl)
		}
		if c.Organizations == nil || c.Organizations.Store == nil {
			t.Errorf("cache ttl %v: organizations not configured", ttl)
		}
		if c.Admin == nil {
			t.Errorf("cache ttl %v: admin checks not configured", ttl)
		}
	}
}
