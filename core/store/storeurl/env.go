package storeurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// envOpenTimeout bounds [FromEnv]'s store check when ctx has no earlier deadline.
const envOpenTimeout = 10 * time.Second

// ConfigFromEnv is [auth.ConfigFromEnv] plus the session store named by DATABASE_URL (or, when that is
// unset, REDIS_URL), opened by [Open] and checked within ctx (10 seconds when ctx has no deadline),
// optionally behind an in-process cache of GOBETTERAUTH_STORE_CACHE_TTL (for example "5s"). The store is in
// Config.Store and its connections in Config.Closer, which [auth.Auth.Close] closes; a caller that does not
// pass the Config to [auth.New], or whose New fails, closes Config.Closer itself. Without either variable it
// is auth.ConfigFromEnv: JWTs only.
func ConfigFromEnv(ctx context.Context) (auth.Config, error) {
	c, err := auth.ConfigFromEnv()
	if err != nil && !errors.Is(err, auth.ErrStoreInEnv) {
		return c, err
	}
	dsn := os.Getenv(auth.EnvDatabaseURL)
	if dsn == "" {
		dsn = os.Getenv(auth.EnvRedisURL)
	}
	if dsn == "" {
		return c, nil
	}
	ttlEnv := os.Getenv(auth.EnvStoreCacheTTL)
	var ttl time.Duration
	if ttlEnv != "" {
		if ttl, err = time.ParseDuration(ttlEnv); err != nil {
			return c, fmt.Errorf("%w: %s=%q is not a duration", auth.ErrInvalidConfig, auth.EnvStoreCacheTTL, ttlEnv)
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, envOpenTimeout)
		defer cancel()
	}
	st, closer, err := Open(ctx, dsn)
	if err != nil {
		return c, fmt.Errorf("%w: opening the session store: %w", auth.ErrInvalidConfig, err)
	}
	if ttlEnv != "" {
		st = store.NewCache(st, ttl, store.DefaultCacheEntries)
	}
	c.Store, c.Closer = st, closer
	return c, nil
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
		return nil, fmt.Errorf("%w (configured from the environment)", err)
	}
	return a, nil
}

func closeIf(c io.Closer) {
	if c != nil {
		c.Close()
	}
}
