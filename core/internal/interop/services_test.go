package interop_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// The test services, named as core/store's tests name them (core/store/internal/storetest, which this
// package may not import). The PostgreSQL URL and the MySQL DSN (go-sql-driver/mysql's form) are only used
// to create and drop one database per run.
const (
	envPostgres     = "GOBETTERAUTH_TEST_POSTGRES_URL"
	envMySQL        = "GOBETTERAUTH_TEST_MYSQL_DSN"
	envRedis        = "GOBETTERAUTH_TEST_REDIS_URL"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	defaultMySQL    = "root@tcp(127.0.0.1:3306)/test"
	defaultRedis    = "redis://127.0.0.1:6379/0"
)

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func init() {
	// go-redis logs every failed dial on its own; the fault test makes many on purpose.
	redis.SetLogger(quietRedis{})
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// errMissing is wrapped by a fixture error caused by a service that does not answer: a skip, except under
// CI=true.
var errMissing = errors.New("not reachable")

// requireFixture skips t when err says a service is missing (failing it under CI=true, where every service
// must be there), and fails it on any other error.
func requireFixture(t testing.TB, err error) {
	t.Helper()
	switch {
	case err == nil:
	case errors.Is(err, errMissing) && os.Getenv("CI") != "true":
		t.Skipf("%v; skipping", err)
	case errors.Is(err, errMissing):
		t.Fatalf("%v (CI=true, so this fails instead of skipping)", err)
	default:
		t.Fatal(err)
	}
}

// randomName is prefix and 12 random hex digits.
func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// newPostgresDatabase creates an empty database with a random name and returns its URL (the admin URL
// with the database replaced) and a function that drops it, with whatever connections are left.
func newPostgresDatabase(ctx context.Context) (dbURL string, drop func(), err error) {
	admin := envOr(envPostgres, defaultPostgres)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s %w (set %s to point at one): %v", redactURL(admin), errMissing, envPostgres, err)
	}
	name := randomName("gba_interop_")
	if _, err := db.ExecContext(pctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}, nil
}

// newMySQLDatabase creates an empty MySQL/MariaDB database with a random name and returns its URL in the
// mysql://user:pass@host:port/db form that both storeurl and the Node server (mysql2) read, and a function
// that drops it.
func newMySQLDatabase(ctx context.Context) (dbURL string, drop func(), err error) {
	cfg, err := mysql.ParseDSN(envOr(envMySQL, defaultMySQL))
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", envMySQL, err)
	}
	if cfg.Net != "tcp" {
		return "", nil, fmt.Errorf("%s: the Node server reaches MySQL over TCP only, not %q", envMySQL, cfg.Net)
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		return "", nil, fmt.Errorf("MySQL at %s %w (set %s to point at one): %v", cfg.Addr, errMissing, envMySQL, err)
	}
	name := randomName("gba_interop_")
	if _, err := db.ExecContext(pctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("MySQL: %w", err)
	}
	u := url.URL{Scheme: "mysql", Host: cfg.Addr, Path: "/" + name}
	if cfg.Passwd != "" {
		u.User = url.UserPassword(cfg.User, cfg.Passwd)
	} else {
		u.User = url.User(cfg.User)
	}
	return u.String(), func() {
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	}, nil
}

// sharedDatabase makes an empty database of kind (sqlite, postgres or mysql) for a Node and a Go server,
// dropped when t ends: the Go DATABASE_URL and the Node server's variables naming it.
func sharedDatabase(t *testing.T, kind string) (databaseURL string, nodeEnv map[string]string) {
	t.Helper()
	var newDB func(context.Context) (string, func(), error)
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "shared.db")
		return "sqlite:" + file, map[string]string{"DB_FILE": file}
	case "postgres":
		newDB = newPostgresDatabase
	case "mysql":
		newDB = newMySQLDatabase
	default:
		t.Fatalf("sharedDatabase: unknown kind %q", kind)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, drop, err := newDB(ctx)
	requireFixture(t, err)
	t.Cleanup(drop)
	return u, map[string]string{"DATABASE": u}
}

// dialectSQL writes q, written with "quoted" identifiers and ? placeholders, for dialect: backquotes on
// MySQL, $1, $2… on PostgreSQL.
func dialectSQL(dialect sqlstore.Dialect, q string) string {
	switch dialect {
	case sqlstore.MySQL:
		return strings.ReplaceAll(q, `"`, "`")
	case sqlstore.Postgres:
		var b strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return q
}

// newRedisPrefix checks that Redis answers and returns the Redis URL, a random key prefix, and a function
// that deletes every key under that prefix (and no other).
func newRedisPrefix(ctx context.Context) (redisURL, prefix string, clean func(), err error) {
	redisURL = envOr(envRedis, defaultRedis)
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return "", "", nil, err
	}
	c := redis.NewClient(opts)
	defer c.Close()
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		return "", "", nil, fmt.Errorf("Redis at %s %w (set %s to point at one): %v", redactURL(redisURL), errMissing, envRedis, err)
	}
	prefix = randomName("gba-interop-") + ":"
	return redisURL, prefix, func() {
		c := redis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	}, nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(malformed URL)"
	}
	return u.Redacted()
}

// proxy is a TCP proxy in front of a test service that a test can stop and restart, as a crashed server or a
// cut network would: down closes the listener and every open connection; up listens again on the same
// address.
type proxy struct {
	target, addr string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newProxy starts a proxy to target (host:port) on a free loopback port, stopped at the end of t.
func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.down()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) up(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.track(c, ln) {
				c.Close()
				return
			}
			p.wg.Go(func() { p.pipe(c) })
		}
	})
}

// track records c as open, unless the proxy went down (or up again with another listener) meanwhile.
func (p *proxy) track(c net.Conn, ln net.Listener) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != ln {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) pipe(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.target, 3*time.Second)
	if err != nil {
		p.drop(c)
		return
	}
	p.mu.Lock()
	if _, ok := p.conns[c]; !ok { // down() ran meanwhile
		p.mu.Unlock()
		u.Close()
		return
	}
	p.conns[u] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
	p.drop(c)
	p.drop(u)
	<-done
}

func (p *proxy) drop(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
