package storeurl

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
)

func TestPoolSettings(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  string
		opts Pool
		want Pool
	}{
		{name: "defaults", url: "postgres://db/app",
			want: Pool{MaxOpenConns: 16, MaxIdleConns: 16, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute}},
		{name: "idle follows open", url: "postgres://db/app?pool_max_conns=40",
			want: Pool{MaxOpenConns: 40, MaxIdleConns: 40, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute}},
		{name: "URL", url: "mysql://u@db/app?pool_max_conns=8&pool_max_idle_conns=4&pool_max_conn_lifetime=1h&pool_max_conn_idle_time=0",
			want: Pool{MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: -1}},
		{name: "options", url: "sqlite:auth.db", opts: Pool{MaxOpenConns: 4, ConnMaxIdleTime: time.Minute},
			want: Pool{MaxOpenConns: 4, MaxIdleConns: 4, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: time.Minute}},
		{name: "URL over options", url: "sqlite:auth.db?pool_max_conns=2", opts: Pool{MaxOpenConns: 4, MaxIdleConns: 3},
			want: Pool{MaxOpenConns: 2, MaxIdleConns: 2, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.opts.override(tg.pool).withDefaults(); got != tt.want {
				t.Errorf("pool %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestPoolNoChurn fails if a pool opened by Open, OpenDB or OpenDBWith closes connections under
// concurrency only to open new ones: 32 clients against 16 connections must reuse the 16. On PostgreSQL
// the connections are counted where they arrive (a TCP proxy in front of the server); on SQLite by the
// pool's own statistics.
func TestPoolNoChurn(t *testing.T) {
	const clients, perClient = 32, 25
	postgres := func(t *testing.T) (string, func() int64) {
		root, err := sql.Open("pgx", storetest.PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { root.Close() })
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		storetest.Require(t, "PostgreSQL", storetest.EnvPostgres, root.PingContext(ctx))
		schema := storetest.Name("gba_pool_")
		ddl, err := os.ReadFile("../sqlstore/testdata/schema.postgres.sql")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := root.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { root.Exec("DROP SCHEMA " + schema + " CASCADE") })
		tx, err := root.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("SET LOCAL search_path TO " + schema + "; " + string(ddl)); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(storetest.PostgresURL())
		p := storetest.NewProxy(t, u.Host)
		u.Host = p.Addr()
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), p.Accepted
	}
	sqlite := func(t *testing.T) (string, func() int64) {
		path := filepath.Join(t.TempDir(), "auth.db")
		betterAuthSQLite(t, path)
		return "sqlite:" + path, nil
	}
	// Each query holds its connection a little, so that all clients are in flight at once.
	const pgSleep, sqliteSleep = "SELECT 1 FROM pg_sleep(0.002)", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 2000) SELECT count(*) FROM c"
	lookup := func(st store.Store) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := st.Lookup(ctx, authtest.NewSessionToken())
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
	}
	query := func(db *sql.DB, q string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			var n int
			return db.QueryRowContext(ctx, q).Scan(&n)
		}
	}
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T) (string, func() int64)
		open  func(t *testing.T, url string) (*sql.DB, func(ctx context.Context) error)
	}{
		{name: "postgres OpenDB", setup: postgres, open: func(t *testing.T, url string) (*sql.DB, func(ctx context.Context) error) {
			db, _, err := OpenDB(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			return db, query(db, pgSleep)
		}},
		{name: "postgres Open", setup: postgres, open: func(t *testing.T, url string) (*sql.DB, func(ctx context.Context) error) {
			st, closer, err := Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			return closer.(*sql.DB), lookup(st)
		}},
		{name: "sqlite OpenDB", setup: sqlite, open: func(t *testing.T, url string) (*sql.DB, func(ctx context.Context) error) {
			db, _, err := OpenDB(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			return db, query(db, sqliteSleep)
		}},
		{name: "sqlite Open", setup: sqlite, open: func(t *testing.T, url string) (*sql.DB, func(ctx context.Context) error) {
			st, closer, err := Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			return closer.(*sql.DB), lookup(st)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, accepted := tt.setup(t)
			db, do := tt.open(t, url)
			defer db.Close()
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perClient {
						if err := do(t.Context()); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			st := db.Stats()
			t.Logf("stats %+v", st)
			if st.MaxIdleClosed != 0 || st.MaxLifetimeClosed != 0 || st.MaxIdleTimeClosed != 0 {
				t.Errorf("the pool closed connections it then had to open again: %+v", st)
			}
			if st.OpenConnections > DefaultMaxOpenConns {
				t.Errorf("%d connections open, want at most %d", st.OpenConnections, DefaultMaxOpenConns)
			}
			if accepted != nil {
				if n := accepted(); n > DefaultMaxOpenConns {
					t.Errorf("the server saw %d connections for %d concurrent clients, want at most %d (the pool churns)",
						n, clients, DefaultMaxOpenConns)
				}
			}
		})
	}
}
