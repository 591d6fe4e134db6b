package authserver

// Where rate-limit counters live (better-auth src/api/rate-limiter/index.ts getRateLimitStorage): memory,
// the rateLimit table, or secondary storage. The rules (which window and max apply to a path) are
// httpsec's, the same for the three.

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// The RateLimit.Storage values.
const (
	RateLimitMemory           = "memory"
	RateLimitDatabase         = "database"
	RateLimitSecondaryStorage = "secondary-storage"
)

// rateLimiter counts one request and decides it. err means the storage could not answer.
type rateLimiter struct {
	rules    *httpsec.RateLimiter // the rules; also the counters of Storage "memory"
	db       store.RateLimitStore // Storage "database"
	kv       store.SecondaryStorage
	failOpen bool
	now      func() time.Time
	log      *slog.Logger

	longest   time.Duration // the longest window: rows older than that are pruned
	nextPrune atomic.Int64  // unix ms
}

// allow counts a request from client key ip to path. retryAfter is the seconds for X-Retry-After.
func (l *rateLimiter) allow(ctx context.Context, ip, path string) (ok bool, retryAfter int, err error) {
	if l.db == nil && l.kv == nil {
		ok, retryAfter = l.rules.Allow(ip, path)
		return ok, retryAfter, nil
	}
	key, window, limit := l.rules.Counter(ip, path)
	if l.kv != nil {
		// Better Auth: INCR with the window as TTL; allowed while the count is at most max, else
		// X-Retry-After is the whole window.
		n, err := l.kv.Increment(ctx, key, window)
		if err != nil {
			return l.failed(err)
		}
		if n <= int64(limit) {
			return true, 0, nil
		}
		return false, ceilSeconds(window), nil
	}
	now := l.now()
	allowed, retry, err := l.db.ConsumeRateLimit(ctx, key, window, limit, now)
	if err != nil {
		return l.failed(err)
	}
	if allowed {
		if next := l.nextPrune.Load(); now.UnixMilli() >= next && l.nextPrune.CompareAndSwap(next, now.Add(time.Minute).UnixMilli()) {
			if err := l.db.PruneRateLimits(ctx, now.Add(-l.longest)); err != nil {
				l.log.Error("auth: pruning rate limit rows", "err", err)
			}
		}
		return true, 0, nil
	}
	return false, max(ceilSeconds(retry), 1), nil
}

// failed is the answer when the storage could not count the request: through (FailOpen) or 503.
func (l *rateLimiter) failed(err error) (bool, int, error) {
	l.log.Error("auth: rate limit storage unavailable", "failOpen", l.failOpen, "err", err)
	if l.failOpen {
		return true, 0, nil
	}
	return false, 0, err
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }
