// Package testdb gives tests across the core module a SQLite database with Better Auth's schema, as Better
// Auth 1.7.25's migrator creates it (with the admin plugin's columns).
package testdb

import (
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver
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
