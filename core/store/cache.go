package store

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
)

// MaxCacheTTL is the longest time [NewCache] keeps a session: a longer ttl is lowered to it.
const MaxCacheTTL = time.Minute

// DefaultCacheEntries is the number of sessions [NewCache] keeps when maxEntries is not positive.
const DefaultCacheEntries = 10_000

// NewCache returns a Store that remembers the sessions s finds for up to ttl, so repeated requests with the
// same token skip the lookup. ttl ≤ 0 returns s itself: there is no cache unless you ask for one. A ttl over
// [MaxCacheTTL] is lowered to it. At most maxEntries sessions are kept ([DefaultCacheEntries] when
// maxEntries ≤ 0); when full, expired entries go first, then arbitrary ones.
//
// Only found sessions are cached. Errors are never cached, and neither is [ErrNotFound], so a session
// created a moment ago is seen at once and a store that failed is asked again on the next call. An entry is
// never used at or after its session's ExpiresAt.
//
// The trade-off: a session revoked in Better Auth (sign-out, revoke-sessions, a banned user) keeps working
// here for up to ttl, as it does with Better Auth's own cookie cache. Keep ttl to a few seconds where
// revocation must be quick, and skip the cache for sensitive operations.
//
// When s also implements [CredentialLookup] (the remote store), so does the returned Store, and its
// LookupCredentials results are cached the same way, keyed by a SHA-256 of the credentials.
//
// The returned Store is a [BreakerReporter] reporting s's breaker, and a [StoreWrapper]: [StoreAs] reaches
// s's other interfaces ([APIKeyStore], [OrganizationStore], …) through it, uncached.
//
// Results handed out by the cache share their Additional maps: treat them as read-only.
func NewCache(s Store, ttl time.Duration, maxEntries int) Store {
	if ttl <= 0 || s == nil {
		return s
	}
	if ttl > MaxCacheTTL {
		ttl = MaxCacheTTL
	}
	if maxEntries <= 0 {
		maxEntries = DefaultCacheEntries
	}
	c := &cache{next: s, ttl: ttl, max: maxEntries, now: time.Now, entries: ttlcache.New[[sha256.Size]byte, Result](maxEntries)}
	if cl, ok := s.(CredentialLookup); ok {
		return &credentialCache{cache: c, creds: cl}
	}
	return c
}

type cache struct {
	next Store
	ttl  time.Duration
	max  int
	now  func() time.Time

	entries *ttlcache.Cache[[sha256.Size]byte, Result]
}

// UnwrapStore implements [StoreWrapper]: the store the cache is in front of.
func (c *cache) UnwrapStore() Store { return c.next }

// Lookup implements Store.
func (c *cache) Lookup(ctx context.Context, token string) (*Result, error) {
	return c.do(cacheKey("t", token), func() (*Result, error) { return c.next.Lookup(ctx, token) })
}

func cacheKey(parts ...string) [sha256.Size]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (c *cache) do(k [sha256.Size]byte, lookup func() (*Result, error)) (*Result, error) {
	now := c.now()
	if r, ok := c.entries.Get(k, now); ok {
		return &r, nil
	}
	res, err := lookup()
	if err != nil || res == nil {
		return res, err
	}
	until := now.Add(c.ttl)
	if res.Session.ExpiresAt.Before(until) {
		until = res.Session.ExpiresAt
	}
	if !now.Before(until) {
		return res, nil
	}
	c.entries.Put(k, *res, until, now)
	r := *res
	return &r, nil
}

// BreakerStats returns the counts of the cached store's breaker: zero, with State "", when it has none.
func (c *cache) BreakerStats() BreakerStats {
	if r, ok := c.next.(BreakerReporter); ok {
		return r.BreakerStats()
	}
	return BreakerStats{}
}

// credentialCache is a cache in front of a store that also checks raw credentials.
type credentialCache struct {
	*cache
	creds CredentialLookup
}

// LookupCredentials implements CredentialLookup.
func (c *credentialCache) LookupCredentials(ctx context.Context, cookieHeader, authorization string) (*Result, error) {
	return c.do(cacheKey("c", cookieHeader, authorization), func() (*Result, error) {
		return c.creds.LookupCredentials(ctx, cookieHeader, authorization)
	})
}
