package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.db")
	url := "sqlite:" + path
	ddl, err := os.ReadFile("../../store/sqlstore/testdata/schema.sqlite.jwt.sql")
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	steps := []struct {
		name   string
		args   []string
		code   int
		stdout string // the whole output, whitespace normalised; "" means empty
		stderr string // substring
		exists bool   // the file exists afterwards
	}{
		{"dry run on a new file", []string{"migrate", "--database-url", url, "--dry-run"}, 0, norm(string(ddl)), "would create tables [user session account verification jwks]", false},
		{"migrate", []string{"migrate", "--database-url", url}, 0, norm(string(ddl)), "created tables [user session account verification jwks]", true},
		{"again", []string{"migrate", "--database-url", url}, 0, "", "up to date", true},
		{"dry run again", []string{"migrate", "--database-url", url, "--dry-run"}, 0, "", "up to date", true},
		{"no url", []string{"migrate"}, 2, "", "--database-url is required", true},
		{"extra argument", []string{"migrate", "--database-url", url, "x"}, 2, "", "no arguments", true},
		{"bad flag", []string{"migrate", "--nope"}, 2, "", "flag provided but not defined", true},
		{"not sql", []string{"migrate", "--database-url", "redis://127.0.0.1:1/0"}, 3, "", "not an SQL database", true},
		{"unreachable", []string{"migrate", "--database-url", "postgres://postgres@127.0.0.1:1/x?connect_timeout=1"}, 3, "", "postgres", true},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if got := norm(stdout.String()); got != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.stderr)
			}
			if _, err := os.Stat(path); (err == nil) != tt.exists {
				t.Errorf("the database file exists: %v, want %v", err == nil, tt.exists)
			}
		})
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil || n != 5 {
		t.Errorf("tables: %d, %v", n, err)
	}
}

func TestMigrateRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{`CREATE TABLE "jwks" ("id" text not null primary key, "publicKey" text not null, "createdAt" date not null)`,
		`INSERT INTO "jwks" VALUES ('k1', '{}', '2026-11-28T13:28:59.006Z')`} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"migrate", "--database-url", "sqlite:" + path}, nil, &stdout, &stderr, nil); code != 1 {
		t.Errorf("exit %d, want 1; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"privateKey"`) {
		t.Errorf("stderr: %s", stderr.String())
	}
}
