package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const isoMillis = "2006-01-02T15:04:05.000Z"

// kolkata is time.Local's zone (IST) under a name a DSN can carry.
var kolkata = func() *time.Location {
	l, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		panic(err)
	}
	return l
}()

// sqliteBackend writes what Kysely writes to SQLite: ISO-8601 text with milliseconds and "Z", booleans
// as 0/1. The naive variant stores integer milliseconds (Drizzle's timestamp_ms mode).
var sqliteBackend = backend{
	name:    "sqlite",
	dialect: sqlstore.SQLite,
	open: func(t *testing.T, _ string) (*sql.DB, *sql.DB, string) {
		path := filepath.Join(t.TempDir(), "auth.db")
		admin := openDB(t, "sqlite", path)
		admin.SetMaxOpenConns(1)
		// A busy timeout longer than any deadline here: lookups must end by their context, not by SQLITE_BUSY.
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)"
		return admin, openDB(t, "sqlite", dsn), dsn
	},
	date: func(variant string, tm time.Time) any {
		if variant == "naive" {
			return tm.UnixMilli()
		}
		return tm.UTC().Format(isoMillis)
	},
	boolean: func(b bool) any {
		if b {
			return int64(1)
		}
		return int64(0)
	},
	naive: func(ddl string) string { return ddl },
	lock: func(t *testing.T, admin *sql.DB) func() {
		conn, err := admin.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		return func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
		}
	},
}

func TestSQLite(t *testing.T) {
	runSuite(t, sqliteBackend)
}

func TestSQLiteUnreachable(t *testing.T) {
	db := openDB(t, "sqlite", "file:"+filepath.Join(t.TempDir(), "missing", "auth.db"))
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	unavailable(t, st, token)
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pgURL returns the test server's URL with extra parameters (pgx sends unknown ones as run-time
// parameters: search_path, timezone, application_name).
func pgURL(t *testing.T, base string, params map[string]string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// pgAdmin connects to the test server, or skips (fails under CI=true).
func pgAdmin(t *testing.T) *sql.DB {
	t.Helper()
	db := openDB(t, "pgx", storetest.PostgresURL())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	storetest.Require(t, "PostgreSQL", storetest.EnvPostgres, db.PingContext(ctx))
	return db
}

// postgresBackend creates a schema per test. Better Auth's migrations use timestamptz and boolean; the
// naive variant uses timestamp (without time zone). The store's connection runs in Asia/Kolkata.
var postgresBackend = backend{
	name:    "postgres",
	dialect: sqlstore.Postgres,
	open: func(t *testing.T, _ string) (*sql.DB, *sql.DB, string) {
		root := pgAdmin(t)
		schema := storetest.Name("gba_")
		if _, err := root.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := root.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
				t.Errorf("dropping schema %s: %v", schema, err)
			}
		})
		admin := openDB(t, "pgx", pgURL(t, storetest.PostgresURL(), map[string]string{"search_path": schema, "timezone": "UTC"}))
		dsn := pgURL(t, storetest.PostgresURL(), map[string]string{"search_path": schema, "timezone": "Asia/Kolkata"})
		return admin, openDB(t, "pgx", dsn), dsn
	},
	date: func(variant string, tm time.Time) any {
		if variant == "naive" {
			return tm.UTC().Format("2006-01-02 15:04:05.000")
		}
		return tm
	},
	boolean: func(b bool) any { return b },
	naive:   func(ddl string) string { return strings.ReplaceAll(ddl, "timestamptz", "timestamp") },
	lock: func(t *testing.T, admin *sql.DB) func() {
		tx, err := admin.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`LOCK TABLE "session" IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback() }
	},
}

func TestPostgres(t *testing.T) {
	runSuite(t, postgresBackend)
}

// mysqlAdmin connects to the test server, or skips (fails under CI=true).
func mysqlAdmin(t *testing.T) (*sql.DB, *mysql.Config) {
	t.Helper()
	cfg, err := mysql.ParseDSN(storetest.MySQLDSN())
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "mysql", cfg.FormatDSN())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	storetest.Require(t, "MySQL", storetest.EnvMySQL, db.PingContext(ctx))
	return db, cfg
}

// mysqlBackend creates a database per test. Better Auth's migrations use timestamp(3) and boolean
// (tinyint(1)); rows are written by a UTC session as mysql2 in a UTC Node process writes them. The naive
// variant uses datetime(3), as Prisma does. The store's connection has time_zone -03:00 and parseTime with
// loc = Asia/Kolkata: three different zones, so a date read in any wrong one is off by hours.
var mysqlBackend = backend{
	name:    "mysql",
	dialect: sqlstore.MySQL,
	open: func(t *testing.T, variant string) (*sql.DB, *sql.DB, string) {
		root, base := mysqlAdmin(t)
		name := storetest.Name("gba_")
		if _, err := root.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := root.Exec("DROP DATABASE " + name); err != nil {
				t.Errorf("dropping database %s: %v", name, err)
			}
		})
		admin := base.Clone()
		admin.DBName = name
		admin.Params = map[string]string{"time_zone": "'+00:00'"}
		st := base.Clone()
		st.DBName = name
		st.Params = map[string]string{"time_zone": "'-03:00'"}
		st.ParseTime = true
		st.Loc = kolkata
		return openDB(t, "mysql", admin.FormatDSN()), openDB(t, "mysql", st.FormatDSN()), st.FormatDSN()
	},
	date:    func(_ string, tm time.Time) any { return tm.UTC().Format("2006-01-02 15:04:05.000") },
	boolean: func(b bool) any { return b },
	naive:   func(ddl string) string { return strings.ReplaceAll(ddl, "timestamp(3)", "datetime(3)") },
	lock: func(t *testing.T, admin *sql.DB) func() {
		conn, err := admin.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "LOCK TABLES `session` WRITE, `user` WRITE"); err != nil {
			t.Fatal(err)
		}
		return func() {
			conn.ExecContext(context.Background(), "UNLOCK TABLES")
			conn.Close()
		}
	},
}

func TestMySQL(t *testing.T) {
	runSuite(t, mysqlBackend)
}

// TestMySQLText reads both schemas without parseTime: dates arrive as text.
func TestMySQLText(t *testing.T) {
	for _, variant := range []string{"", "naive"} {
		t.Run("variant="+variant, func(t *testing.T) {
			s := newSchema(t, mysqlBackend, variant)
			s.fill(t)
			cfg, err := mysql.ParseDSN(s.dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.ParseTime = false
			st, err := sqlstore.New(reopen(t, mysqlBackend, cfg.FormatDSN()), sqlstore.MySQL, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := st.Lookup(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res, want())
		})
	}
}

// TestFaults takes the database away under a working store (a TCP proxy that is closed, then reopened) and
// checks that lookups fail with an error, never ErrNotFound, and work again once it is back.
func TestFaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    backend
		via  func(t *testing.T, dsn, proxy string) string // the store's DSN through the proxy
		addr func(t *testing.T) string                    // the server's address
	}{
		{
			name: "postgres", b: postgresBackend,
			via: func(t *testing.T, dsn, proxy string) string {
				u, _ := url.Parse(dsn)
				u.Host = proxy
				return u.String()
			},
			addr: func(t *testing.T) string {
				u, _ := url.Parse(storetest.PostgresURL())
				return u.Host
			},
		},
		{
			name: "mysql", b: mysqlBackend,
			via: func(t *testing.T, dsn, proxy string) string {
				cfg, err := mysql.ParseDSN(dsn)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Addr = proxy
				return cfg.FormatDSN()
			},
			addr: func(t *testing.T) string {
				cfg, _ := mysql.ParseDSN(storetest.MySQLDSN())
				return cfg.Addr
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSchema(t, tt.b, "")
			s.fill(t)
			p := storetest.NewProxy(t, tt.addr(t))
			db := reopen(t, tt.b, tt.via(t, s.dsn, p.Addr()))
			st, err := sqlstore.New(db, tt.b.dialect, &sqlstore.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Lookup(context.Background(), token); err != nil {
				t.Fatal(err)
			}
			p.Down()
			for range 3 { // pooled connections are dead, new ones refused
				unavailable(t, st, token)
			}
			p.Up()
			recovers(t, st)

			p.Stall(true) // a server that accepts and never answers
			db.SetMaxIdleConns(0)
			p.Down()
			p.Up()
			start := time.Now()
			unavailable(t, st, token)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("stalled lookup took %s, Timeout is 1 s", d)
			}
			p.Stall(false)
			recovers(t, st)
		})
	}
}

// recovers checks that lookups work again within a few tries (a pool may hand out one more dead
// connection; database/sql retries some of those itself).
func recovers(t *testing.T, st store.Store) {
	t.Helper()
	var err error
	for range 3 {
		var res *store.Result
		if res, err = st.Lookup(context.Background(), token); err == nil {
			if res.Session.Token != token {
				t.Fatalf("got token %q", res.Session.Token)
			}
			return
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ErrNotFound while recovering")
		}
	}
	t.Fatalf("no recovery: %v", err)
}

// TestPostgresTerminatedBackends kills the store's server connections (pg_terminate_backend) and checks
// that no lookup says "not found" and that the pool recovers.
func TestPostgresTerminatedBackends(t *testing.T) {
	s := newSchema(t, postgresBackend, "")
	s.fill(t)
	app := storetest.Name("gba_app_")
	db := reopen(t, postgresBackend, pgURL(t, s.dsn, map[string]string{"application_name": app}))
	db.SetMaxIdleConns(4)
	st, err := sqlstore.New(db, sqlstore.Postgres, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := st.Lookup(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.admin.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no backend terminated")
	}
	for range 3 {
		_, err := st.Lookup(context.Background(), token)
		if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ErrNotFound after pg_terminate_backend: %v", err)
		}
	}
	recovers(t, st)
}
