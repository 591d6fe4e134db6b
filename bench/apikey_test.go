package bench

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// apikeyDDL is the apikey table as Better Auth 1.7.25's migrator creates it in SQLite with
// @better-auth/api-key 1.7.21 (node interop/migrate.mjs plan, PLUGINS=apiKey).
const apikeyDDL = `create table "apikey" ("id" text not null primary key, "configId" text not null, "name" text, "start" text, "referenceId" text not null, "prefix" text, "key" text not null, "refillInterval" integer, "refillAmount" integer, "lastRefillAt" date, "enabled" integer, "rateLimitEnabled" integer, "rateLimitTimeWindow" integer, "rateLimitMax" integer, "requestCount" integer, "remaining" integer, "lastRequest" date, "expiresAt" date, "createdAt" date not null, "updatedAt" date not null, "permissions" text, "metadata" text);
create index "apikey_configId_idx" on "apikey" ("configId");
create index "apikey_referenceId_idx" on "apikey" ("referenceId");
create index "apikey_key_idx" on "apikey" ("key")`

// BenchmarkAPIKey: an x-api-key request verified against SQLite (1 000 users and keys, stored as the
// plugin stores them): a key without limits (a read, the updatedAt write, the user read), a rate-limited
// key (the guarded requestCount update with RETURNING), the unlimited key with APIKeyConfig.CacheTTL (the
// owner's user row cached; the key row is still read and written), and the same through authhttp with a
// permission check; then the permission checks alone.
func BenchmarkAPIKey(b *testing.B) {
	db, _ := sqliteSessions(b)
	for _, stmt := range strings.Split(apikeyDDL, ";") {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	now := iso(time.Now())
	keys := map[string]string{}
	for i := range 1000 {
		user := strings.Repeat("u", 24) + padded(i)
		key := strings.Repeat("k", 56) + padded(i)
		limited := i%2 == 1
		var max, window any
		if limited {
			max, window = int64(1)<<40, int64(86400000)
		}
		if _, err := db.Exec(`insert into "apikey" ("id","configId","start","referenceId","key","enabled","rateLimitEnabled","rateLimitTimeWindow","rateLimitMax","requestCount","createdAt","updatedAt","permissions") values (?,?,?,?,?,1,?,?,?,0,?,?,?)`,
			"key"+padded(i), "default", key[:6], user, hashKey(key), limited, window, max, now, now, `{"files":["read"]}`); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			keys["unlimited"] = key
		} else if i == 1 {
			keys["rate-limited"] = key
		}
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true, APIKeys: &auth.APIKeyConfig{Store: st},
		Organizations: &auth.OrganizationConfig{Store: st}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"unlimited", "rate-limited"} {
		req := auth.Request{Header: map[string][]string{"X-Api-Key": {keys[name]}}}
		b.Run("sqlite-"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s, err := a.Authenticate(ctx, req); err != nil || s.APIKey == nil {
					b.Fatal(err)
				}
			}
		})
	}
	cached, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true,
		APIKeys: &auth.APIKeyConfig{Store: st, CacheTTL: time.Minute}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sqlite-cached", func(b *testing.B) { // the unlimited key; CacheTTL skips the user read only
		req := auth.Request{Header: map[string][]string{"X-Api-Key": {keys["unlimited"]}}}
		b.ReportAllocs()
		for b.Loop() {
			if s, err := cached.Authenticate(ctx, req); err != nil || s.APIKey == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sqlite-authhttp-permission", func(b *testing.B) {
		h := authhttp.Middleware(a, authhttp.WithPolicy(auth.Policy{APIKeyPermissions: map[string][]string{"files": {"read"}}}))(
			http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
		r := httptest.NewRequest(http.MethodGet, "/api/files", nil)
		r.Header.Set("X-Api-Key", keys["unlimited"])
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code, w.Body.String())
			}
		}
	})
	perms := map[string][]string{"member": {"create", "update"}}
	b.Run("organization-permission", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := a.RoleHasPermission(ctx, "org", "member,admin", perms); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	s := &auth.Session{APIKey: &auth.APIKey{Permissions: `{"files":["read","write"],"posts":["read"]}`}}
	b.Run("key-permissions-parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := s.APIKeyPermissions(); !ok {
				b.Fatal("no permissions")
			}
		}
	})
}

// hashKey is the api-key plugin's defaultKeyHasher (SHA-256, unpadded base64url), written out here since
// the bench module cannot import core's internal packages.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
