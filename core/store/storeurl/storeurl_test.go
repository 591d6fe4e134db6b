package storeurl

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/remote"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		kind string // "" for an error
		dsn  string
		mem  bool
	}{
		{name: "sqlite relative", in: "sqlite:auth.db", kind: "sqlite", dsn: "file:auth.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite relative dir", in: "sqlite:./data/auth.db", kind: "sqlite", dsn: "file:./data/auth.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite // relative", in: "sqlite://data/auth.db", kind: "sqlite", dsn: "file:data/auth.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite absolute", in: "sqlite:/var/lib/app/auth.db", kind: "sqlite", dsn: "file:/var/lib/app/auth.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite /// absolute", in: "sqlite:///var/lib/app/auth.db", kind: "sqlite", dsn: "file:/var/lib/app/auth.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite params kept", in: "sqlite:auth.db?_pragma=cache_size(-2000)", kind: "sqlite", dsn: "file:auth.db?mode=rw&" + sqlitePragmas + "&_pragma=cache_size(-2000)"},
		{name: "sqlite odd characters escaped", in: "sqlite:my#db%.db", kind: "sqlite", dsn: "file:my%23db%25.db?mode=rw&" + sqlitePragmas},
		{name: "sqlite memory", in: "sqlite::memory:", kind: "sqlite", dsn: "file::memory:?" + sqlitePragmas, mem: true},
		{name: "sqlite // memory", in: "sqlite://:memory:", kind: "sqlite", dsn: "file::memory:?" + sqlitePragmas, mem: true},
		{name: "sqlite no path", in: "sqlite:", kind: ""},
		{name: "sqlite // no path", in: "sqlite://", kind: ""},
		{name: "postgres", in: "postgres://u:p@db:5432/app?sslmode=require", kind: "postgres", dsn: "postgres://u:p@db:5432/app?sslmode=require&connect_timeout=1"},
		{name: "postgresql", in: "postgresql://db/app", kind: "postgres", dsn: "postgresql://db/app?connect_timeout=1"},
		{name: "postgres own connect_timeout", in: "postgres://db/app?connect_timeout=3", kind: "postgres", dsn: "postgres://db/app?connect_timeout=3"},
		{name: "postgres socket host param", in: "postgres:///app?host=/var/run/postgresql", kind: "postgres", dsn: "postgres:///app?host=/var/run/postgresql&connect_timeout=1"},
		{name: "postgres no host", in: "postgres:///app", kind: ""},
		{name: "postgres pool parameters removed", in: "postgres://db/app?pool_max_conns=4&sslmode=disable&pool_max_conn_idle_time=1m", kind: "postgres", dsn: "postgres://db/app?sslmode=disable&connect_timeout=1"},
		{name: "postgres only pool parameters", in: "postgres://db/app?pool_max_idle_conns=2", kind: "postgres", dsn: "postgres://db/app?connect_timeout=1"},
		{name: "postgres bad pool_max_conns", in: "postgres://db/app?pool_max_conns=0", kind: ""},
		{name: "postgres bad pool lifetime", in: "postgres://db/app?pool_max_conn_lifetime=soon", kind: ""},
		{name: "sqlite pool parameters removed", in: "sqlite:auth.db?pool_max_conns=2&_pragma=cache_size(-2000)", kind: "sqlite", dsn: "file:auth.db?mode=rw&" + sqlitePragmas + "&_pragma=cache_size(-2000)"},
		{name: "mysql pool parameters removed", in: "mysql://app@db/auth?pool_max_conns=8&charset=utf8mb4", kind: "mysql", dsn: "app@tcp(db:3306)/auth?charset=utf8mb4&parseTime=true&timeout=1s"},
		{name: "mysql", in: "mysql://root:s%40cret@db:3306/auth", kind: "mysql",
			dsn: "root:s@cret@tcp(db:3306)/auth?parseTime=true&timeout=1s"},
		{name: "mysql default port, params", in: "mysql://app@db/auth?tls=skip-verify&charset=utf8mb4", kind: "mysql",
			dsn: "app@tcp(db:3306)/auth?charset=utf8mb4&parseTime=true&timeout=1s&tls=skip-verify"},
		{name: "mysql parseTime forced", in: "mysql://app@db/auth?parseTime=false&loc=Local", kind: "mysql",
			dsn: "app@tcp(db:3306)/auth?parseTime=true&timeout=1s"},
		{name: "mysql ipv6", in: "mysql://app@[::1]:3307/auth", kind: "mysql", dsn: "app@tcp([::1]:3307)/auth?parseTime=true&timeout=1s"},
		{name: "mysql no database", in: "mysql://app@db/", kind: ""},
		{name: "mysql no host", in: "mysql:///auth", kind: ""},
		{name: "mysql bad param", in: "mysql://app@db/auth?timeout=soon", kind: ""},
		{name: "redis", in: "redis://127.0.0.1:6379/0", kind: "redis", dsn: "redis://127.0.0.1:6379/0"},
		{name: "rediss with prefix", in: "rediss://:pw@cache:6380/2?key_prefix=better-auth:", kind: "redis", dsn: "rediss://:xxxxx@cache:6380/2"},
		{name: "redis bad option", in: "redis://127.0.0.1/0?colour=blue", kind: ""},
		{name: "https", in: "https://app.example.com", kind: "remote", dsn: "https://app.example.com"},
		{name: "http", in: "http://localhost:3000/api/auth", kind: "remote", dsn: "http://localhost:3000/api/auth"},
		{name: "unknown", in: "mongodb://db/app", kind: ""},
		{name: "empty", in: "", kind: ""},
		{name: "no scheme", in: "auth.db", kind: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.in)
			if tt.kind == "" {
				if err == nil {
					t.Fatalf("parsed as %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.kind != tt.kind || got.dsn != tt.dsn || got.memory != tt.mem {
				t.Fatalf("got kind %q dsn %q memory %v; want %q %q %v", got.kind, got.dsn, got.memory, tt.kind, tt.dsn, tt.mem)
			}
		})
	}
	got, _ := parse("rediss://:pw@cache:6380/2?key_prefix=better-auth:&pool_size=3")
	if got.keyPrefix != "better-auth:" || got.redis.Password != "pw" || got.redis.DB != 2 || got.redis.PoolSize != 3 ||
		got.redis.TLSConfig == nil || !got.redis.ContextTimeoutEnabled {
		t.Errorf("redis options %+v, prefix %q", got.redis, got.keyPrefix)
	}
	got, _ = parse("mysql://root:s%40cret@db:3306/auth")
	if got.mysql.Passwd != "s@cret" || got.mysql.Loc != time.UTC || !got.mysql.ParseTime {
		t.Errorf("mysql config %+v", got.mysql)
	}
}

// betterAuthSQLite writes Better Auth's SQLite schema (the DDL its migrations produce) and one session.
func betterAuthSQLite(t *testing.T, path string) {
	t.Helper()
	ddl, err := os.ReadFile("../sqlstore/testdata/schema.sqlite.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{string(ddl),
		`INSERT INTO "user" VALUES ('ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR', 'Alice', 'alice@example.com', 0, NULL,
			'2026-11-28T13:28:59.006Z', '2026-11-28T13:28:59.006Z', NULL, NULL, NULL, NULL)`,
		`INSERT INTO "session" VALUES ('pa2HfNEH46c23R0oPavCVSOz3KCHJz2W', '2026-12-05T13:28:59.012Z',
			'sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq', '2026-11-28T13:28:59.012Z', '2026-11-28T13:28:59.012Z', '',
			'curl/7.88.1', 'ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR', NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenSQLite(t *testing.T) {
	dir := t.TempDir()
	betterAuthSQLite(t, filepath.Join(dir, "auth.db"))
	t.Chdir(dir)
	for _, u := range []string{"sqlite:auth.db", "sqlite://auth.db", "sqlite:./auth.db", "sqlite:" + filepath.Join(dir, "auth.db"), "sqlite://" + filepath.Join(dir, "auth.db")} {
		t.Run(u, func(t *testing.T) {
			s, c, err := Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, ok := s.(*sqlstore.Store); !ok {
				t.Fatalf("got %T", s)
			}
			res, err := s.Lookup(context.Background(), "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq")
			if err != nil {
				t.Fatal(err)
			}
			if res.User.Email != "alice@example.com" || !res.Session.ExpiresAt.Equal(time.Date(2026, 12, 5, 13, 28, 59, 12e6, time.UTC)) {
				t.Errorf("got %+v", res)
			}
			if _, err := s.Lookup(context.Background(), "nopeAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("read only", func(t *testing.T) {
		_, c, err := Open(context.Background(), "sqlite:auth.db")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.(*sql.DB).Exec(`DELETE FROM "session"`); err == nil {
			t.Fatal("the store's connection could write")
		}
	})
	t.Run("missing file is not created", func(t *testing.T) {
		if _, _, err := Open(context.Background(), "sqlite:missing.db"); err == nil {
			t.Fatal("opened a database that does not exist")
		}
		if _, err := os.Stat("missing.db"); !os.IsNotExist(err) {
			t.Fatalf("an empty database was created: %v", err)
		}
	})
	t.Run("not Better Auth's", func(t *testing.T) {
		db, _ := sql.Open("sqlite", "other.db")
		db.Exec("CREATE TABLE things (id text)")
		db.Close()
		if _, _, err := Open(context.Background(), "sqlite:other.db"); err == nil || !strings.Contains(err.Error(), "session") {
			t.Fatalf("got %v, want a missing session table", err)
		}
	})
	t.Run("memory", func(t *testing.T) {
		s, c, err := Open(context.Background(), "sqlite::memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Empty: no tables, so lookups fail rather than say "not found".
		if _, err := s.Lookup(context.Background(), "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq"); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestOpenServices(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		// The test database has no Better Auth tables: Open reaches the server and reports that.
		_, _, err := Open(context.Background(), storetest.PostgresURL())
		if err != nil && !strings.Contains(err.Error(), "session") {
			storetest.Require(t, "PostgreSQL", storetest.EnvPostgres, err)
		}
		if err == nil {
			t.Skip("the test database has a session table")
		}
	})
	t.Run("mysql", func(t *testing.T) {
		_, _, err := Open(context.Background(), "mysql://root@127.0.0.1:3306/test")
		if err != nil && !strings.Contains(err.Error(), "session") {
			storetest.Require(t, "MySQL", storetest.EnvMySQL, err)
		}
	})
	t.Run("redis", func(t *testing.T) {
		s, c, err := Open(context.Background(), storetest.RedisURL()+"?key_prefix="+url.QueryEscape(storetest.Name("gbatest:")+":"))
		storetest.Require(t, "Redis", storetest.EnvRedis, err)
		defer c.Close()
		if _, ok := s.(*redisstore.Store); !ok {
			t.Fatalf("got %T", s)
		}
		if _, ok := c.(*redis.Client); !ok {
			t.Fatalf("closer %T", c)
		}
		if _, err := s.Lookup(context.Background(), "nopeAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		for _, u := range []string{"postgres://u@127.0.0.1:1/x?connect_timeout=1", "mysql://u@127.0.0.1:1/x", "redis://127.0.0.1:1/0"} {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, _, err := Open(ctx, u)
			cancel()
			if err == nil {
				t.Errorf("%s: opened", u)
			}
		}
	})
}

func TestOpenRemote(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/ok":
			w.Write([]byte(`{"ok":true}`))
		case "/api/auth/get-session":
			w.Write([]byte("null"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, c, err := Open(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := s.(*remote.Store); !ok {
		t.Fatalf("got %T", s)
	}
	if _, ok := s.(store.CredentialLookup); !ok {
		t.Fatal("the remote store must check credentials")
	}
	if _, err := s.Lookup(context.Background(), "nopeAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	if _, _, err := Open(context.Background(), srv.URL+"/wrong/base"); err == nil {
		t.Fatal("opened a base URL without Better Auth")
	}
	if _, _, err := Open(context.Background(), "http://auth.example.com"); err == nil {
		t.Fatal("accepted plain http to a remote host")
	}
}

// TestDriverSettings: a redis URL gets bounded dials, reads and retries unless it sets its own.
func TestDriverSettings(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		url                   string
		dial, read            time.Duration
		retries, dialAttempts int
	}{
		{name: "defaults", url: "redis://127.0.0.1:6379/0", dial: time.Second, read: time.Second, retries: 1, dialAttempts: 1},
		{name: "own", url: "redis://127.0.0.1:6379/0?dial_timeout=3s&read_timeout=2s&max_retries=4", dial: 3 * time.Second, read: 2 * time.Second, retries: 4, dialAttempts: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			o := tg.redis
			if o.DialTimeout != tt.dial || o.ReadTimeout != tt.read || o.MaxRetries != tt.retries || o.DialerRetries != tt.dialAttempts {
				t.Errorf("dial %v read %v retries %d dial attempts %d", o.DialTimeout, o.ReadTimeout, o.MaxRetries, o.DialerRetries)
			}
		})
	}
}
