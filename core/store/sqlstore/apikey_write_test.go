package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// apikeyTable is the api-key plugin's apikey table (authserver/apikey.Schema; declared here too, as the
// server package imports this one).
var apikeyTable = []sqlstore.Table{{Name: "apikey", Fields: []sqlstore.Field{
	{Name: "configId", Type: sqlstore.FieldString, Required: true, Default: "default", Index: true},
	{Name: "name", Type: sqlstore.FieldString}, {Name: "start", Type: sqlstore.FieldString},
	{Name: "referenceId", Type: sqlstore.FieldString, Required: true, Index: true}, {Name: "prefix", Type: sqlstore.FieldString},
	{Name: "key", Type: sqlstore.FieldString, Required: true, Index: true},
	{Name: "refillInterval", Type: sqlstore.FieldNumber}, {Name: "refillAmount", Type: sqlstore.FieldNumber},
	{Name: "lastRefillAt", Type: sqlstore.FieldDate}, {Name: "enabled", Type: sqlstore.FieldBoolean, Default: true},
	{Name: "rateLimitEnabled", Type: sqlstore.FieldBoolean, Default: true},
	{Name: "rateLimitTimeWindow", Type: sqlstore.FieldNumber, Default: 86400000},
	{Name: "rateLimitMax", Type: sqlstore.FieldNumber, Default: 10}, {Name: "requestCount", Type: sqlstore.FieldNumber, Default: 0},
	{Name: "remaining", Type: sqlstore.FieldNumber}, {Name: "lastRequest", Type: sqlstore.FieldDate},
	{Name: "expiresAt", Type: sqlstore.FieldDate}, {Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
	{Name: "updatedAt", Type: sqlstore.FieldDate, Required: true}, {Name: "permissions", Type: sqlstore.FieldString},
	{Name: "metadata", Type: sqlstore.FieldString},
}}}

// TestAPIKeyWrites: on each database, CreateAPIKey writes a row that reads back the same (NULLs for the
// unset columns), APIKeysByReference lists a reference's keys oldest first, SetAPIKeyFields sets and
// clears columns, DeleteExpiredAPIKeys deletes only keys whose expiresAt has passed, and DeleteAPIKey one key.
func TestAPIKeyWrites(t *testing.T) {
	for _, b := range []backend{sqliteBackend, postgresBackend, mysqlBackend} {
		t.Run(b.name, func(t *testing.T) {
			_, db, _ := b.open(t, "")
			if _, err := sqlstore.Migrate(t.Context(), db, b.dialect, &sqlstore.MigrateOptions{Tables: apikeyTable}); err != nil {
				t.Fatal(err)
			}
			st, err := sqlstore.New(db, b.dialect, nil)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			window, max := int64(86400000), int64(10)
			soon := now.Add(time.Hour)
			mk := func(id, ref string, created time.Time, exp *time.Time) *store.APIKey {
				return &store.APIKey{ID: id, ConfigID: "default", Name: "n-" + id, Start: "abcdef", ReferenceID: ref,
					Key: "hash-" + id, Enabled: true, RateLimitEnabled: true, RateLimitTimeWindow: &window,
					RateLimitMax: &max, ExpiresAt: exp, CreatedAt: created, UpdatedAt: created, Metadata: `{"a":1}`}
			}
			for _, k := range []*store.APIKey{mk("k2", "u1", now.Add(time.Second), &soon), mk("k1", "u1", now, nil), mk("k3", "u2", now, &soon)} {
				if err := st.CreateAPIKey(t.Context(), k); err != nil {
					t.Fatal(err)
				}
			}
			got, err := st.APIKey(t.Context(), "hash-k1")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "n-k1" || got.Prefix != "" || got.Remaining != nil || got.ExpiresAt != nil || *got.RateLimitMax != 10 ||
				!got.CreatedAt.Equal(now) || got.Metadata != `{"a":1}` || got.Permissions != "" || !got.Enabled {
				t.Fatalf("read back: %+v", got)
			}
			list, err := st.APIKeysByReference(t.Context(), "u1")
			if err != nil || len(list) != 2 || list[0].ID != "k1" || list[1].ID != "k2" {
				t.Fatalf("APIKeysByReference: %v %v", list, err)
			}
			upd, err := st.SetAPIKeyFields(t.Context(), "k2", map[string]any{"name": "renamed", "enabled": false, "expiresAt": nil})
			if err != nil || upd.Name != "renamed" || upd.Enabled || upd.ExpiresAt != nil {
				t.Fatalf("SetAPIKeyFields: %+v %v", upd, err)
			}
			if _, err := st.SetAPIKeyFields(t.Context(), "missing", map[string]any{"name": "x"}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("SetAPIKeyFields of a missing key: %v", err)
			}
			if n, err := st.DeleteExpiredAPIKeys(t.Context(), now); err != nil || n != 0 {
				t.Fatalf("DeleteExpiredAPIKeys before expiry: %d %v", n, err)
			}
			if n, err := st.DeleteExpiredAPIKeys(t.Context(), soon.Add(time.Millisecond)); err != nil || n != 1 {
				t.Fatalf("DeleteExpiredAPIKeys: %d %v, want 1 (k3; k2's expiry was cleared, k1 has none)", n, err)
			}
			if err := st.DeleteAPIKey(t.Context(), "k1"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.APIKeyByID(t.Context(), "k1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("after DeleteAPIKey: %v", err)
			}
		})
	}
}
