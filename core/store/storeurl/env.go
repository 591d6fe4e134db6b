package storeurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// envOpenTimeout bounds [FromEnv]'s store check when ctx has no earlier deadline.
const envOpenTimeout = 10 * time.Second

// ConfigFromEnv is [auth.ConfigFromEnv] plus the session store named by DATABASE_URL (or, when that is
// unset, REDIS_URL), opened by [OpenWith] and checked within ctx (10 seconds when ctx has no deadline).
// The store is in Config.Store and its connections in Config.Closer, which [auth.Auth.Close] closes; a
// caller that does not pass the Config to [auth.New], or whose New fails, closes Config.Closer itself.
// Without either variable it is auth.ConfigFromEnv: JWTs only. A SQLite database is opened read-only
// (query_only), enough for sessions; for API keys, which count their uses, use [ConfigFromEnvWith] with
// [Options].Writable.
//
// GOBETTERAUTH_STORE_CACHE_TTL (a duration such as "5s"; "0" for none) sets the one in-process cache of
// found sessions: for a remote store (an http(s) URL) it is the store's own answer cache, 5 s when unset;
// for the others it is [store.NewCache] in front of the store, none when unset.
// GOBETTERAUTH_STORE_BREAKER_FAILURES, GOBETTERAUTH_STORE_BREAKER_OPEN_FOR and
// GOBETTERAUTH_STORE_MAX_WAITING set [Options].Outage ([store.Outage]'s Failures, OpenFor and
// MaxWaiting).
func ConfigFromEnv(ctx context.Context) (auth.Config, error) {
	return ConfigFromEnvWith(ctx, nil)
}

// ConfigFromEnvWith is [ConfigFromEnv] with opts as the store's options before the environment's
// variables set theirs: for example &Options{Writable: true} for a SQLite DATABASE_URL whose API keys
// count their uses. A nil *Options means all defaults.
func ConfigFromEnvWith(ctx context.Context, opts *Options) (auth.Config, error) {
	c, err := auth.ConfigFromEnv()
	if err != nil && !errors.Is(err, auth.ErrStoreInEnv) {
		return c, err
	}
	name, dsn := auth.EnvDatabaseURL, os.Getenv(auth.EnvDatabaseURL)
	if dsn == "" {
		name, dsn = auth.EnvRedisURL, os.Getenv(auth.EnvRedisURL)
	}
	if dsn == "" {
		return c, nil
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.env = name
	ttlEnv := os.Getenv(auth.EnvStoreCacheTTL)
	var ttl time.Duration
	if ttlEnv != "" {
		if ttl, err = time.ParseDuration(ttlEnv); err != nil || ttl < 0 {
			return c, fmt.Errorf("%w: %s=%q is not a duration of 0 or more", auth.ErrInvalidConfig, auth.EnvStoreCacheTTL, ttlEnv)
		}
	}
	if err := outageFromEnv(&o.Outage); err != nil {
		return c, err
	}
	remoteStore := false
	if t, err := parse(dsn); err == nil && t.kind == "remote" {
		remoteStore = true
		if ttlEnv != "" {
			o.RemoteCacheTTL = ttl
			if ttl == 0 {
				o.RemoteCacheTTL = -1 // "0": no cache
			}
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, envOpenTimeout)
		defer cancel()
	}
	st, closer, err := OpenWith(ctx, dsn, &o)
	if err != nil {
		return c, EnvError(name, dsn, err)
	}
	if !remoteStore {
		st = store.NewCache(st, ttl, store.DefaultCacheEntries) // ttl 0: st itself
	}
	c.Store, c.Closer = st, closer
	return c, nil
}

// outageFromEnv reads the outage variables into o.
func outageFromEnv(o *store.Outage) error {
	for _, v := range []struct {
		name string
		n    *int
		d    *time.Duration
	}{
		{name: auth.EnvStoreBreakerFailures, n: &o.Failures},
		{name: auth.EnvStoreBreakerOpenFor, d: &o.OpenFor},
		{name: auth.EnvStoreMaxWaiting, n: &o.MaxWaiting},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		var err error
		if v.n != nil {
			*v.n, err = strconv.Atoi(s)
		} else if *v.d, err = time.ParseDuration(s); err == nil && *v.d < 0 {
			err = errors.New("negative")
		}
		if err != nil {
			return fmt.Errorf("%w: %s=%q is not valid", auth.ErrInvalidConfig, v.name, s)
		}
	}
	return nil
}

// FromEnv is [auth.New] with the Config from [ConfigFromEnv]: an Auth that checks Better Auth's session
// cookies and bearer-plugin session tokens against the store DATABASE_URL (or REDIS_URL) names, besides
// JWTs. Its Close closes that store. Without either variable it is [auth.FromEnv].
func FromEnv(ctx context.Context) (*auth.Auth, error) {
	c, err := ConfigFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	a, err := auth.New(c)
	if err != nil {
		closeIf(c.Closer)
		return nil, auth.EnvError(err)
	}
	return a, nil
}

// EnvError is an error of [Open] or [OpenDB] for the URL in the environment variable name (DATABASE_URL,
// REDIS_URL): it names the variable and the URL without its password, says what is wrong and what to do,
// and wraps [auth.ErrInvalidConfig] and err.
func EnvError(name, databaseURL string, err error) error {
	shown := "(unparsable)"
	if u, perr := url.Parse(strings.TrimSpace(databaseURL)); perr == nil {
		shown = u.Redacted()
	}
	why := strings.TrimPrefix(err.Error(), "storeurl: ")
	fix := "check that the database is running and reachable from here, and the URL's host, port, user, password and database name"
	if _, perr := parse(databaseURL); perr != nil {
		fix = "write it as sqlite:PATH, postgres://user:password@host:5432/db, mysql://user:password@host:3306/db, redis://host:6379 or the https:// URL of a Better Auth server"
	} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(databaseURL)), "sqlite:") {
		fix = "check that the file exists (the Better Auth server creates it) and this process may read its folder; the path is relative to the working directory"
	}
	return &envError{msg: fmt.Sprintf("%s: %s=%s: %s: %s", auth.ErrInvalidConfig, name, shown, why, fix), err: err}
}

// envError is [EnvError]'s answer: its own message, wrapping auth.ErrInvalidConfig and the cause.
type envError struct {
	msg string
	err error
}

func (e *envError) Error() string   { return e.msg }
func (e *envError) Unwrap() []error { return []error{auth.ErrInvalidConfig, e.err} }

func closeIf(c io.Closer) {
	if c != nil {
		c.Close()
	}
}
