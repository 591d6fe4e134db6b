package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// orgTables are the organization plugin's organization and invitation tables, as its schema declares them.
var orgTables = []sqlstore.Table{
	{Name: "organization", Fields: []sqlstore.Field{
		{Name: "name", Type: sqlstore.FieldString, Required: true},
		{Name: "slug", Type: sqlstore.FieldString, Required: true, Unique: true, Index: true},
		{Name: "logo", Type: sqlstore.FieldString},
		{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
		{Name: "metadata", Type: sqlstore.FieldString},
	}},
	{Name: "invitation", Fields: []sqlstore.Field{
		{Name: "organizationId", Type: sqlstore.FieldString, Required: true, References: "organization", Index: true},
		{Name: "email", Type: sqlstore.FieldString, Required: true, Index: true},
		{Name: "role", Type: sqlstore.FieldString},
		{Name: "status", Type: sqlstore.FieldString, Required: true, Default: "pending"},
		{Name: "expiresAt", Type: sqlstore.FieldDate, Required: true},
		{Name: "createdAt", Type: sqlstore.FieldDate, Required: true, DefaultNow: true},
		{Name: "inviterId", Type: sqlstore.FieldString, Required: true, References: "user"},
	}},
}

// TestRowStore: on each database, rows of the organization plugin's tables are written and read back with
// their types (dates as instants, NULL as nil), selected with Better Auth's where clauses, sorted, paged,
// counted, updated only where the condition still holds (an invitation accepted once), and deleted; a
// taken unique slug is store.ErrConflict, an unknown field store.ErrInvalidQuery, an empty where refused.
func TestRowStore(t *testing.T) {
	for _, b := range []backend{sqliteBackend, postgresBackend, mysqlBackend} {
		t.Run(b.name, func(t *testing.T) {
			_, db, _ := b.open(t, "")
			ctx := t.Context()
			if _, err := sqlstore.Migrate(ctx, db, b.dialect, &sqlstore.MigrateOptions{Tables: orgTables}); err != nil {
				t.Fatal(err)
			}
			st, err := sqlstore.New(db, b.dialect, nil)
			if err != nil {
				t.Fatal(err)
			}
			u := &store.User{ID: "u1", Email: "ann@example.com", Name: "Ann"}
			now := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC)
			if err := st.CreateUser(ctx, u, now); err != nil {
				t.Fatal(err)
			}
			for i, slug := range []string{"acme", "beta"} {
				row := store.Row{"id": "o" + slug, "name": slug, "slug": slug, "logo": nil, "createdAt": now.Add(time.Duration(i) * time.Hour)}
				if err := st.CreateRow(ctx, "organization", row); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.CreateRow(ctx, "organization", store.Row{"id": "o3", "name": "x", "slug": "acme", "createdAt": now}); !errors.Is(err, store.ErrConflict) {
				t.Errorf("taken slug: %v", err)
			}
			rows, err := st.FindRows(ctx, "organization", store.RowQuery{Where: []store.Where{{Field: "slug", Value: "acme"}}})
			if err != nil || len(rows) != 1 {
				t.Fatalf("find: %v %v", rows, err)
			}
			if r := rows[0]; r["id"] != "oacme" || r["logo"] != nil || r["metadata"] != nil || !r["createdAt"].(time.Time).Equal(now) {
				t.Errorf("row read back: %#v", r)
			}
			rows, err = st.FindRows(ctx, "organization", store.RowQuery{Where: []store.Where{{Field: "id", Operator: "in", Value: []any{"oacme", "obeta", "nope"}}},
				SortBy: "createdAt", Desc: true, Limit: 1, Offset: 1})
			if err != nil || len(rows) != 1 || rows[0]["slug"] != "acme" {
				t.Errorf("in, sort, page: %v %v", rows, err)
			}
			exp := now.Add(48 * time.Hour)
			for _, id := range []string{"i1", "i2"} {
				if err := st.CreateRow(ctx, "invitation", store.Row{"id": id, "organizationId": "oacme", "email": "bob@example.com",
					"role": "member", "status": "pending", "expiresAt": exp, "createdAt": now, "inviterId": "u1"}); err != nil {
					t.Fatal(err)
				}
			}
			pending := []store.Where{{Field: "id", Value: "i1"}, {Field: "status", Value: "pending"}}
			if n, err := st.UpdateRows(ctx, "invitation", pending, store.Row{"status": "accepted"}); n != 1 || err != nil {
				t.Errorf("accept: %d %v", n, err)
			}
			if n, err := st.UpdateRows(ctx, "invitation", pending, store.Row{"status": "accepted"}); n != 0 || err != nil {
				t.Errorf("accept twice: %d %v", n, err)
			}
			if n, err := st.CountRows(ctx, "invitation", []store.Where{{Field: "organizationId", Value: "oacme"}, {Field: "status", Value: "pending"}}); n != 1 || err != nil {
				t.Errorf("count pending: %d %v", n, err)
			}
			rows, err = st.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{{Field: "expiresAt", Operator: "gt", Value: now}}, SortBy: "id"})
			if err != nil || len(rows) != 2 || rows[0]["status"] != "accepted" || !rows[1]["expiresAt"].(time.Time).Equal(exp) {
				t.Errorf("by date: %v %v", rows, err)
			}
			if _, err := st.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{{Field: "nope", Value: 1}}}); !errors.Is(err, store.ErrInvalidQuery) {
				t.Errorf("unknown field: %v", err)
			}
			if _, err := st.DeleteRows(ctx, "invitation", nil); err == nil {
				t.Error("delete without where")
			}
			if _, err := st.UpdateRows(ctx, "invitation", nil, store.Row{"status": "x"}); err == nil {
				t.Error("update without where")
			}
			if n, err := st.DeleteRows(ctx, "invitation", []store.Where{{Field: "organizationId", Value: "oacme"}}); n != 2 || err != nil {
				t.Errorf("delete: %d %v", n, err)
			}
			if _, err := st.FindRows(ctx, "user", store.RowQuery{}); !errors.Is(err, store.ErrInvalidQuery) {
				t.Errorf("a model without rows: %v", err)
			}
		})
	}
}
