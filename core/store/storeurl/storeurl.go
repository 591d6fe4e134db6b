package storeurl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/remote"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// OpenTimeout bounds Open's connection check when ctx has no earlier deadline.
const OpenTimeout = 5 * time.Second

// Driver settings applied when the URL does not set them (docs/stores.md, "Outages"). A lookup has 2 s
// (the stores' DefaultTimeout) unless its context ends sooner; a dial and a read must each fit inside it,
// so a down service costs one bounded attempt, never a chain of retries with backoff.
const (
	driverDialTimeout = time.Second            // redis dial_timeout, pgx connect_timeout, mysql timeout
	driverIOTimeout   = time.Second            // redis read_timeout and write_timeout, mysql readTimeout and writeTimeout (lookups only)
	redisMaxRetries   = 1                      // one retry of a read-only GET, for a pooled connection Redis closed
	redisDialRetries  = 1                      // go-redis v9 dials up to 5 times with backoff by default: once here
	redisPoolTimeout  = 500 * time.Millisecond // wait for a free pooled connection
)

// Options configures [OpenWith]. A nil *Options means all defaults.
type Options struct {
	// Outage configures the store's breaker and its bound on waiting lookups. The zero value means the
	// defaults ([store.Outage]).
	Outage store.Outage

	// RemoteCacheTTL is how long a remote store (an http(s) URL) remembers a found session
	// (remote.Options.CacheTTL): zero means remote.DefaultCacheTTL, 5 s; negative turns the cache off.
	// The other stores have no cache of their own: put [store.NewCache] in front of them.
	RemoteCacheTTL time.Duration

	// Writable opens a SQLite database for writing. The zero value opens it query_only, so the store can
	// only read: all that verifying sessions needs. Set it when the store must write: API keys
	// (auth.APIKeyConfig) count their uses in the apikey table, and auth.New refuses a read-only store for
	// them. The file is still never created. PostgreSQL and MySQL are opened the same either way: their
	// user's grants decide.
	Writable bool

	// Pool is the connection pool of an SQL store. The URL's pool_* parameters override its fields; zero
	// fields mean the defaults ([Pool]).
	Pool Pool

	env string // the environment variable the URL came from, for the read-only store's advice
}

// SQLite settings: wait a little for Better Auth's writes, never write ourselves (unless Options.Writable).
const sqlitePragmas = "_pragma=busy_timeout(1000)&_pragma=query_only(1)"

// target is a parsed URL.
type target struct {
	kind      string // "sqlite", "postgres", "mysql", "redis" or "remote"
	dsn       string // the driver's DSN, or the base URL of a remote store
	memory    bool   // sqlite::memory:
	mysql     *mysql.Config
	redis     *redis.Options
	keyPrefix string
	pool      Pool // the URL's pool_* parameters (SQL only)
}

// Open opens the store databaseURL names, checks that it answers (and, for SQL, that Better Auth's tables
// are there) within ctx or [OpenTimeout], and returns it with the Closer that releases its connections.
// Errors never contain the URL's password.
func Open(ctx context.Context, databaseURL string) (store.Store, io.Closer, error) {
	return OpenWith(ctx, databaseURL, nil)
}

// OpenWith is [Open] with options: the store's outage settings and the remote store's cache.
func OpenWith(ctx context.Context, databaseURL string, opts *Options) (store.Store, io.Closer, error) {
	if opts == nil {
		opts = &Options{}
	}
	t, err := parse(databaseURL)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, OpenTimeout)
		defer cancel()
	}
	switch t.kind {
	case "sqlite", "postgres", "mysql":
		return openSQL(ctx, t, opts)
	case "redis":
		c := redis.NewClient(t.redis)
		if err := c.Ping(ctx).Err(); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("storeurl: redis at %s: %w", t.redis.Addr, err)
		}
		s, err := redisstore.New(c, &redisstore.Options{KeyPrefix: t.keyPrefix, Outage: opts.Outage})
		if err != nil {
			c.Close()
			return nil, nil, err
		}
		return s, c, nil
	default: // remote
		s, err := remote.New(t.dsn, &remote.Options{CacheTTL: opts.RemoteCacheTTL, Outage: opts.Outage})
		if err != nil {
			return nil, nil, err
		}
		if err := s.Ping(ctx); err != nil {
			s.Close()
			return nil, nil, err
		}
		return s, s, nil
	}
}

func openSQL(ctx context.Context, t *target, opts *Options) (store.Store, io.Closer, error) {
	var db *sql.DB
	dialect := sqlstore.Dialect(t.kind)
	sopts := &sqlstore.Options{Outage: opts.Outage}
	switch t.kind {
	case "sqlite":
		dsn := t.dsn
		if opts.Writable {
			dsn = t.sqliteWritable()
		} else if opts.env != "" {
			sopts.ReadOnly = opts.env + "'s SQLite database is opened read-only (query_only) by storeurl.ConfigFromEnv, " +
				"and API keys count their uses in it: use storeurl.ConfigFromEnvWith(ctx, &storeurl.Options{Writable: true})"
		} else {
			sopts.ReadOnly = "storeurl opened this SQLite database read-only (query_only), and API keys count their uses " +
				"in it: open it with storeurl.OpenWith(ctx, url, &storeurl.Options{Writable: true})"
		}
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, nil, fmt.Errorf("storeurl: %w", err)
		}
	case "postgres":
		var err error
		if db, err = sql.Open("pgx", t.dsn); err != nil {
			return nil, nil, fmt.Errorf("storeurl: %w", redact(err, t.dsn))
		}
	case "mysql":
		cfg := t.mysql.Clone()
		if cfg.ReadTimeout == 0 {
			cfg.ReadTimeout = driverIOTimeout // lookups only: OpenDB's migrations may read longer
		}
		if cfg.WriteTimeout == 0 {
			cfg.WriteTimeout = driverIOTimeout
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("storeurl: %w", err)
		}
		db = sql.OpenDB(conn)
		dialect = sqlstore.MySQL
	}
	t.applyPool(db, opts.Pool)
	fail := func(err error) (store.Store, io.Closer, error) {
		db.Close()
		return nil, nil, fmt.Errorf("storeurl: %s: %w", t.kind, redact(err, t.dsn))
	}
	if err := db.PingContext(ctx); err != nil {
		return fail(err)
	}
	s, err := sqlstore.New(db, dialect, sopts)
	if err != nil {
		return fail(err)
	}
	if !t.memory {
		if err := s.Check(ctx); err != nil {
			return fail(err)
		}
	}
	return s, db, nil
}

// redact removes a URL's password from an error message, should a driver quote the URL.
func redact(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// parse reads a database URL.
func parse(raw string) (*target, error) {
	raw = strings.TrimSpace(raw)
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok || raw == "" {
		return nil, errors.New("storeurl: not a URL (want sqlite:, postgres://, mysql://, redis:// or https://)")
	}
	var pool Pool
	switch strings.ToLower(scheme) {
	case "sqlite", "postgres", "postgresql", "mysql":
		base, query, _ := strings.Cut(raw, "?")
		query, p, err := cutPool(query)
		if err != nil {
			return nil, err
		}
		if raw, pool = base, p; query != "" {
			raw += "?" + query
		}
	}
	t, err := parseScheme(raw, scheme)
	if t != nil {
		t.pool = pool
	}
	return t, err
}

// applyPool sets the pool of db: opts, overridden by the URL's pool_* parameters.
func (t *target) applyPool(db *sql.DB, opts Pool) {
	p := opts.override(t.pool)
	if t.memory {
		// Every connection to :memory: is a database of its own: one, kept forever.
		p = Pool{MaxOpenConns: 1, ConnMaxLifetime: -1, ConnMaxIdleTime: -1}
	}
	p.Apply(db)
}

func parseScheme(raw, scheme string) (*target, error) {
	switch strings.ToLower(scheme) {
	case "sqlite":
		return parseSQLite(raw)
	case "postgres", "postgresql":
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" && u.Query().Get("host") == "" {
			return nil, errors.New("storeurl: malformed postgres URL")
		}
		if q := u.Query(); !q.Has("connect_timeout") {
			// pgx's connect_timeout is whole seconds, per connection attempt (sslmode=prefer, the default,
			// may try twice: TLS, then plain text).
			sep := "?"
			if strings.Contains(raw, "?") {
				sep = "&"
			}
			raw += sep + "connect_timeout=" + strconv.Itoa(int(driverDialTimeout/time.Second))
		}
		return &target{kind: "postgres", dsn: raw}, nil
	case "mysql":
		return parseMySQL(raw)
	case "redis", "rediss":
		return parseRedis(raw)
	case "http", "https":
		return &target{kind: "remote", dsn: raw}, nil
	}
	return nil, fmt.Errorf("storeurl: unknown scheme %q (want sqlite, postgres, postgresql, mysql, redis, rediss, http or https)", scheme)
}

func parseSQLite(raw string) (*target, error) {
	rest := raw[len("sqlite:"):]
	rest = strings.TrimPrefix(rest, "//")
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return nil, errors.New("storeurl: sqlite URL without a path (sqlite:PATH, sqlite:///abs/path or sqlite::memory:)")
	}
	params := sqlitePragmas
	if query != "" {
		params += "&" + query
	}
	if path == ":memory:" {
		return &target{kind: "sqlite", dsn: "file::memory:?" + params, memory: true}, nil
	}
	// An SQLite URI filename: escape what it would read as syntax. mode=rw opens an existing database
	// without ever creating an empty one in its place.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return &target{kind: "sqlite", dsn: "file:" + esc + "?mode=rw&" + params}, nil
}

// sqliteWritable is a SQLite target's DSN without query_only.
func (t *target) sqliteWritable() string {
	return strings.Replace(t.dsn, "&_pragma=query_only(1)", "", 1)
}

func parseMySQL(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("storeurl: malformed mysql URL (want mysql://user:pass@host:port/db)")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg, err := mysql.ParseDSN("tcp(" + addr + ")/?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("storeurl: mysql URL parameters: %w", err)
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" {
		return nil, errors.New("storeurl: mysql URL without a database name")
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Timeout == 0 {
		cfg.Timeout = driverDialTimeout
	}
	return &target{kind: "mysql", dsn: cfg.FormatDSN(), mysql: cfg}, nil
}

// RedisOptions parses a redis:// or rediss:// URL as [Open] does, for a program that makes its own go-redis
// client (for [redisstore.NewSecondaryStorage], say): go-redis's options with this package's outage limits
// unless the URL sets them (dial_timeout 1 s, read_timeout and write_timeout 1 s, max_retries 1,
// pool_timeout 500 ms, one dial attempt; every command bounded by its context), and the key_prefix parameter,
// which go-redis does not know. Its errors never contain the URL's password.
func RedisOptions(raw string) (opts *redis.Options, keyPrefix string, err error) {
	t, err := parseRedis(raw)
	if err != nil {
		return nil, "", err
	}
	return t.redis, t.keyPrefix, nil
}

func parseRedis(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("storeurl: malformed redis URL")
	}
	q := u.Query()
	prefix := q.Get("key_prefix")
	q.Del("key_prefix")
	u.RawQuery = q.Encode()
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("storeurl: %w", redact(err, raw))
	}
	opts.ContextTimeoutEnabled = true
	if !q.Has("dial_timeout") {
		opts.DialTimeout = driverDialTimeout
	}
	if !q.Has("read_timeout") {
		opts.ReadTimeout = driverIOTimeout
	}
	if !q.Has("write_timeout") {
		opts.WriteTimeout = driverIOTimeout
	}
	if !q.Has("max_retries") {
		opts.MaxRetries = redisMaxRetries
	}
	if !q.Has("pool_timeout") {
		opts.PoolTimeout = redisPoolTimeout
	}
	opts.DialerRetries = redisDialRetries
	return &target{kind: "redis", dsn: u.Redacted(), redis: opts, keyPrefix: prefix}, nil
}
