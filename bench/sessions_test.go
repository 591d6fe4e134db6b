package bench

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const sessionSecret = "bench-session-secret-0123456789abcdefghij"

// sqliteSessions writes Better Auth's SQLite schema (as its migrator creates it) with 1 000 users and
// sessions stored the way Better Auth stores them, and returns the database and one session's token.
func sqliteSessions(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	ddl, err := os.ReadFile("../core/store/sqlstore/testdata/schema.sqlite.sql")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "auth.db"))
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
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	now, exp := iso(time.Now()), iso(time.Now().Add(time.Hour))
	var token string
	tx, err := db.Begin() // one commit, not 2 000 (each an fsync)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range 1000 {
		id := strings.Repeat("u", 24) + padded(i)
		token = strings.Repeat("t", 24) + padded(i)
		if _, err := tx.Exec(`insert into "user" values (?,?,?,1,null,?,?,null,null,null,null)`, id, "User", id+"@example.com", now, now); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.Exec(`insert into "session" values (?,?,?,?,?,'','bench',?,null)`, "s"+id, exp, token, now, now, id); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return db, token
}

func padded(i int) string {
	s := "00000000" + itoa(i)
	return s[len(s)-8:]
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// BenchmarkSessionCookie: Better Auth's signed session cookie through authhttp, the session read from
// SQLite by sqlstore, with and without the in-process cache.
func BenchmarkSessionCookie(b *testing.B) {
	db, token := sqliteSessions(b)
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		store store.Store
	}{
		{"sqlite", st},
		{"sqlite-cached", store.NewCache(st, 5*time.Second, 10_000)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			a := newOurs(b, auth.Config{BaseURL: "http://localhost:3000", Secret: sessionSecret, Store: tt.store, DisableJWKS: true})
			hh := newHarness(authhttp.Middleware(a), "")
			delete(hh.r.Header, "Authorization")
			hh.r.Header["Cookie"] = []string{"theme=dark; better-auth.session_token=" + signCookie(b, token)}
			if !hh.accepted() {
				b.Fatal("session cookie refused")
			}
			b.ReportAllocs()
			for b.Loop() {
				hh.serve()
			}
			if hh.w.code != 0 {
				b.Fatal("refused during the run")
			}
		})
	}
}

// signCookie signs token as the Better Auth server does.
func signCookie(tb testing.TB, token string) string {
	tb.Helper()
	return authtest.SignCookie(sessionSecret, token)
}
