package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

func TestJWKs(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := sqlstore.Migrate(ctx, db, sqlstore.SQLite, nil); err != nil {
		t.Fatal(err)
	}
	s, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	t0 := time.Date(2026, 11, 28, 13, 0, 0, 123e6, time.UTC)
	exp := t0.Add(time.Hour)
	for _, k := range []store.JWK{
		{ID: "b", PublicKey: `{"kty":"OKP"}`, PrivateKey: "$ba$1$xx", Alg: "EdDSA", Crv: "Ed25519", CreatedAt: t0.Add(time.Second)},
		{ID: "a", PublicKey: `{"kty":"EC"}`, PrivateKey: "yy", CreatedAt: t0, ExpiresAt: &exp},
	} {
		if err := s.CreateJWK(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.JWKs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[0].Alg != "" || got[0].ExpiresAt == nil || !got[0].ExpiresAt.Equal(exp) ||
		got[1].Alg != "EdDSA" || got[1].ExpiresAt != nil || !got[1].CreatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("%+v", got)
	}
	var raw string
	db.QueryRow(`select "createdAt" from jwks where id = 'a'`).Scan(&raw)
	if raw != "2026-11-28T13:00:00.123Z" {
		t.Fatalf("createdAt stored as %q, not as Better Auth stores dates", raw)
	}
}
