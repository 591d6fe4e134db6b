// Package testdb gives tests across the core module a SQLite database with Better Auth's schema, as Better
// Auth 1.7.25's migrator creates it (with the admin plugin's columns), and an empty PostgreSQL database of
// their own.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver
	_ "modernc.org/sqlite"             // the SQLite driver
)

// SQLite creates a SQLite file with Better Auth's tables in a temporary directory and returns the open
// database and its path. The database is closed when the test ends.
func SQLite(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	ddl, err := os.ReadFile(filepath.Join(filepath.Dir(file), "../../store/sqlstore/testdata/schema.sqlite.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "auth.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	for _, stmt := range strings.Split(string(ddl), ";") {
		if strings.TrimSpace(stmt) != "" {
			if _, err := db.Exec(stmt); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return db, path
}

// ISO formats t as Better Auth stores dates in SQLite (JavaScript's toISOString).
func ISO(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Environment variable naming the PostgreSQL server of the tests (a role that may create databases), and its
// default; core/store's tests and the interop tests read the same variable.
const (
	EnvPostgres     = "GOBETTERAUTH_TEST_POSTGRES_URL"
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Postgres creates an empty PostgreSQL database with a random name (gba_test_…) and returns its URL; the
// database is dropped, with any connection left, when the test ends. A server that does not answer skips
// the test, or fails it when the environment variable CI is "true".
func Postgres(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		admin = DefaultPostgres
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL not reachable (CI=true, so this fails instead of skipping): %v", err)
		}
		tb.Skipf("PostgreSQL not reachable, skipping (set %s to point at one): %v", EnvPostgres, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "gba_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
