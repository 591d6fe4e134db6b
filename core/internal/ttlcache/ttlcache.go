// Package ttlcache is the one bounded cache with per-entry expiry that gobetterauth's caches share: the
// verified-token cache of package auth, store.NewCache and the remote store's cache.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps keys to values that expire at a time each Put sets. It holds at most the bound given to [New];
// when full, a Put of a new key first drops the expired entries, then arbitrary ones (Go's map order is
// random, so this is random eviction, which needs no bookkeeping on hits) until a tenth of the bound is
// free. It never returns an entry at or past its expiry. The clock is the caller's: every call that reads
// the time takes now. It is safe for concurrent use; hits take only a read lock.
type Cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]entry[V]
	max int
}

type entry[V any] struct {
	v     V
	until time.Time
}

// New returns an empty Cache holding at most n entries (at least one).
func New[K comparable, V any](n int) *Cache[K, V] {
	n = max(n, 1)
	return &Cache[K, V]{m: make(map[K]entry[V], min(n, 1024)), max: n}
}

// Get returns the value for k if it is there and now is before its expiry. An expired entry is dropped.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok {
		var zero V
		return zero, false
	}
	if !now.Before(e.until) {
		c.mu.Lock()
		if cur, ok := c.m[k]; ok && !now.Before(cur.until) {
			delete(c.m, k)
		}
		c.mu.Unlock()
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put stores v under k until the given time, replacing any entry for k. An entry already expired at now is
// not stored.
func (c *Cache[K, V]) Put(k K, v V, until, now time.Time) {
	if !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		c.evict(now)
	}
	c.m[k] = entry[V]{v: v, until: until}
}

// evict makes room: expired entries first, then arbitrary ones down to 90% of the bound (below it, for
// bounds under ten).
func (c *Cache[K, V]) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.until) {
			delete(c.m, k)
		}
	}
	for k := range c.m {
		if len(c.m) < c.max-c.max/10 {
			break
		}
		delete(c.m, k)
	}
}

// Delete drops the entry for k, if any.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// Len reports the number of entries held, expired ones included until they are dropped.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
