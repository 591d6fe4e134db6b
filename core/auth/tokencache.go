package auth

import (
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
)

// tokenCache remembers verified tokens, keyed by the raw token, in the one bounded TTL cache
// (internal/ttlcache): an entry expires at the token's exp (or iat+MaxTokenAge when sooner), and one whose
// key has left the key set is dropped when read.
type tokenCache struct {
	c    *ttlcache.Cache[string, *verified]
	keys *jwks.Set // nil when JWKS is off
}

func newTokenCache(max int, keys *jwks.Set) *tokenCache {
	return &tokenCache{c: ttlcache.New[string, *verified](max), keys: keys}
}

// get returns the cached session for raw, if it is still good at now: before its exp (with no leeway) and,
// for a JWKS token, while its key is still in the key set.
func (c *tokenCache) get(raw string, now time.Time) *Session {
	v, ok := c.c.Get(raw, now)
	if !ok {
		return nil
	}
	if v.key != nil && (c.keys == nil || !c.keys.Has(v.key)) {
		c.c.Delete(raw)
		return nil
	}
	return &v.s
}

func (c *tokenCache) put(raw string, v *verified, maxAge time.Duration, now time.Time) {
	until := v.c.ExpiresAt
	if maxAge > 0 && v.c.IssuedAt.Add(maxAge).Before(until) {
		until = v.c.IssuedAt.Add(maxAge)
	}
	c.c.Put(raw, v, until, now)
}
