// Package seed fills Better Auth's tables, as sqlstore.Migrate creates them, with many users and one
// session each, fast: one INSERT ... SELECT per table over a generated series (a recursive CTE on SQLite,
// generate_series on PostgreSQL). The growth benchmarks (bench/growth_test.go) and the memory probe
// (bench/cmd/memprobe) share it.
//
// User i has id [UserID](i), email [Email](i) and the session whose token is [Token](i); the session
// expires 7 days after seeding, so get-session neither refreshes nor refuses it.
package seed

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Token is the session token of user i: 32 characters, like Better Auth's.
func Token(i int) string { return fmt.Sprintf("t%031d", i) }

// Email is the email of user i.
func Email(i int) string { return fmt.Sprintf("u%023d@example.com", i) }

// UserID is the id of user i.
func UserID(i int) string { return fmt.Sprintf("u%023d", i) }

// OpenSQLite opens the SQLite file at path (creating it) as storeurl opens one for writing (busy timeout;
// the journal mode is the file's), with pragmas appended to the DSN ("&_pragma=…", may be empty), and
// creates Better Auth's schema with sqlstore.Migrate.
func OpenSQLite(ctx context.Context, path, pragmas string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"+pragmas)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, db, sqlstore.SQLite, nil); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ErrNoServer is returned by [CreatePostgres] when the server does not answer within 3 seconds.
var ErrNoServer = errors.New("seed: no PostgreSQL server answers")

// Postgres is a database created for one run on a PostgreSQL server, with Better Auth's schema.
type Postgres struct {
	// DB is the new database, with the pool storeurl.Open sets (32 connections, all kept idle).
	DB *sql.DB
	// URL names the new database: the admin URL with its path replaced.
	URL string
	// Name is the database's name, gba_bench_<random>.
	Name string

	admin *sql.DB
}

// CreatePostgres creates a database named gba_bench_<12 hex digits> on the server adminURL names (a role that
// may create databases), opens it and creates Better Auth's schema. Drop removes it. When the server does
// not answer, the error wraps [ErrNoServer].
func CreatePostgres(ctx context.Context, adminURL string) (*Postgres, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return nil, err
	}
	ping, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := admin.PingContext(ping); err != nil {
		admin.Close()
		return nil, fmt.Errorf("%w: %v", ErrNoServer, err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	p := &Postgres{Name: "gba_bench_" + hex.EncodeToString(rnd[:]), admin: admin}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+p.Name); err != nil {
		admin.Close()
		return nil, err
	}
	u.Path = "/" + p.Name
	p.URL = u.String()
	if p.DB, err = sql.Open("pgx", p.URL); err != nil {
		_ = p.Drop(ctx)
		return nil, err
	}
	p.DB.SetMaxOpenConns(32)
	p.DB.SetMaxIdleConns(32)
	if _, err := sqlstore.Migrate(ctx, p.DB, sqlstore.Postgres, nil); err != nil {
		_ = p.Drop(ctx)
		return nil, err
	}
	return p, nil
}

// Drop closes the database and drops it, ending its other sessions (WITH (FORCE)).
func (p *Postgres) Drop(ctx context.Context) error {
	if p.DB != nil {
		p.DB.Close()
	}
	_, err := p.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+p.Name+" WITH (FORCE)")
	p.admin.Close()
	return err
}

// Users inserts users 0 … n-1 and one session each into db (Better Auth's schema, in dialect d), then
// updates the planner's statistics.
func Users(ctx context.Context, db *sql.DB, d sqlstore.Dialect, n int) error {
	var stmts []string
	switch d {
	case sqlstore.SQLite:
		now := time.Now().UTC()
		iso := func(t time.Time) string { return "'" + t.Format("2006-01-02T15:04:05.000Z") + "'" }
		series := fmt.Sprintf("WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i < %d) ", n-1)
		stmts = []string{
			series + `INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") ` +
				`SELECT printf('u%023d', i), 'User', printf('u%023d@example.com', i), 1, ` + iso(now) + `, ` + iso(now) + ` FROM c`,
			series + `INSERT INTO "session" ("id", "expiresAt", "token", "createdAt", "updatedAt", "userId") ` +
				`SELECT printf('s%023d', i), ` + iso(now.Add(7*24*time.Hour)) + `, printf('t%031d', i), ` + iso(now) + `, ` + iso(now) +
				`, printf('u%023d', i) FROM c`,
			`ANALYZE`,
		}
	case sqlstore.Postgres:
		series := fmt.Sprintf(" FROM generate_series(0, %d) AS i", n-1)
		stmts = []string{
			`INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") ` +
				`SELECT 'u' || lpad(i::text, 23, '0'), 'User', 'u' || lpad(i::text, 23, '0') || '@example.com', true, now(), now()` + series,
			`INSERT INTO "session" ("id", "expiresAt", "token", "createdAt", "updatedAt", "userId") ` +
				`SELECT 's' || lpad(i::text, 23, '0'), now() + interval '7 days', 't' || lpad(i::text, 31, '0'), now(), now(), 'u' || lpad(i::text, 23, '0')` + series,
			`ANALYZE "user"`, `ANALYZE "session"`,
		}
	default:
		return fmt.Errorf("seed: dialect %v is not supported", d)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("seeding %d sessions: %w\n%s", n, err, q)
		}
	}
	return nil
}
