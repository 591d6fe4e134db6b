package auth

import (
	"sync"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
)

// tokenCache remembers verified tokens. It is bounded: when full, an arbitrary entry makes room (Go's map
// iteration order is randomised, so this is random eviction, which needs no bookkeeping on hits).
type tokenCache struct {
	mu   sync.RWMutex
	m    map[string]cacheEntry
	max  int
	keys *jwks.Set // nil when JWKS is off
}

type cacheEntry struct {
	v     *verified
	until time.Time // the token's exp, or iat+MaxTokenAge when sooner
}

func newTokenCache(max int, keys *jwks.Set) *tokenCache {
	return &tokenCache{m: make(map[string]cacheEntry, min(max, 1024)), max: max, keys: keys}
}

// get returns the cached session for raw, if it is still good at now: before its exp (with no leeway) and,
// for a JWKS token, while its key is still in the key set.
func (c *tokenCache) get(raw string, now time.Time) *Session {
	c.mu.RLock()
	e, ok := c.m[raw]
	c.mu.RUnlock()
	if !ok {
		return nil
	}
	if !now.Before(e.until) || (e.v.key != nil && (c.keys == nil || !c.keys.Has(e.v.key))) {
		c.mu.Lock()
		delete(c.m, raw)
		c.mu.Unlock()
		return nil
	}
	return &e.v.s
}

func (c *tokenCache) put(raw string, v *verified, maxAge time.Duration) {
	until := v.c.ExpiresAt
	if maxAge > 0 && v.c.IssuedAt.Add(maxAge).Before(until) {
		until = v.c.IssuedAt.Add(maxAge)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[raw]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[raw] = cacheEntry{v: v, until: until}
}

// len reports the number of entries.
func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
