package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

// Users loads the owner of a key: the database Better Auth keeps its users in (a sqlstore.Store).
type Users interface {
	// UserByID returns the user with this id, or [store.ErrNotFound].
	UserByID(ctx context.Context, id string) (*store.User, error)
}

// APIKeyOptions configures [Store.APIKeys].
type APIKeyOptions struct {
	// Users loads the keys' owners. Nil means Database; one of them is required.
	Users Users

	// Database is the plugin's fallbackToDatabase: the apikey table (a sqlstore.Store) is the source of
	// truth, Redis its cache. Nil means storage: "secondary-storage" alone: the keys live only in Redis.
	Database store.APIKeyStore

	// Now is the clock for the keys' TTLs. Nil means time.Now.
	Now func() time.Time
}

// APIKeys reads and counts keys of Better Auth's api-key plugin (@better-auth/api-key 1.7.21) kept in
// secondary storage (storage: "secondary-storage"), with or without fallbackToDatabase. It implements
// [store.APIKeyStore] for auth.APIKeyConfig.Store.
//
// Keys live under api-key:<hashed key> and api-key:by-id:<id> (after [Options].KeyPrefix), both holding the
// key as JSON, with a TTL until the key expires.
//
// Without a database, Redis is the only copy and the plugin counts uses and requests with a
// read-modify-write of that JSON (its own FIXME(api-key-secondary-atomic)): two Node verifications at once
// can both spend the same use. APIKeys counts with an optimistic transaction instead (WATCH both keys,
// check the guard on the value as it is, MULTI/EXEC the write, retry when another writer got in first),
// so Go verifiers never lose an update, between themselves or over a Node write; a Node write that started
// from a value read before Go's can still overwrite Go's count, which only the plugin can fix.
//
// With Database, lookups read Redis first and the table when Redis has no copy (then store it, as the
// plugin does); counting is the table's guarded update, and the row that results is written back to both
// Redis keys (and the reference's key list deleted), as the plugin's claimUsageInDatabase does.
//
// Both keys of one api key are in one transaction: on Redis Cluster they hash to different slots, which a
// transaction refuses; use it only on a single Redis (or a proxy that accepts cross-slot transactions).
type APIKeys struct {
	s     *Store
	users Users
	db    store.APIKeyStore
	now   func() time.Time
}

var _ store.APIKeyStore = (*APIKeys)(nil)

// APIKeys returns the api keys kept in this store's Redis, under its KeyPrefix.
func (s *Store) APIKeys(opts APIKeyOptions) (*APIKeys, error) {
	a := &APIKeys{s: s, users: opts.Users, db: opts.Database, now: opts.Now}
	if a.users == nil && a.db != nil {
		a.users = a.db
	}
	if a.users == nil {
		return nil, errors.New("redisstore: APIKeyOptions needs Users or Database")
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a, nil
}

// UserByID returns the user with this id from APIKeyOptions.Users.
func (a *APIKeys) UserByID(ctx context.Context, id string) (*store.User, error) {
	return a.users.UserByID(ctx, id)
}

// APIKey returns the key stored under api-key:<key> (key already hashed), or [store.ErrNotFound]. With a
// Database, a key Redis does not hold is read from the table and stored in Redis.
func (a *APIKeys) APIKey(ctx context.Context, key string) (*store.APIKey, error) {
	if key == "" {
		return nil, store.ErrNotFound
	}
	var k *store.APIKey
	err := a.s.breaker.Do(ctx, func(ctx context.Context) error {
		ctx, cancel := limits.Bound(ctx, a.s.timeout)
		defer cancel()
		sk, err := a.get(ctx, a.s.client, betterauth.APIKeyStorageKey(key))
		if err == nil {
			k = sk.Key
		}
		return err
	})
	switch {
	case err == nil:
		return k, nil
	case !errors.Is(err, store.ErrNotFound) || a.db == nil:
		return nil, err
	}
	if k, err = a.db.APIKey(ctx, key); err != nil {
		return nil, err
	}
	if err := a.cache(ctx, k); err != nil {
		return nil, err
	}
	return k, nil
}

// get reads and parses one stored key; a missing or unreadable value is store.ErrNotFound.
func (a *APIKeys) get(ctx context.Context, c redis.Cmdable, key string) (*betterauth.StoredAPIKey, error) {
	raw, err := c.Get(ctx, a.s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) || wrongType(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: api key: %w", err)
	}
	sk, ok := betterauth.ParseStoredAPIKey(raw)
	if !ok {
		return nil, store.ErrNotFound
	}
	return sk, nil
}

// cache writes k (a row of the table) to Redis as the plugin's setApiKeyInStorage does with
// fallbackToDatabase: both keys, with the key's TTL, and the reference's list deleted.
func (a *APIKeys) cache(ctx context.Context, k *store.APIKey) error {
	return a.s.breaker.Do(ctx, func(ctx context.Context) error {
		ctx, cancel := limits.Bound(ctx, a.s.timeout)
		defer cancel()
		v := betterauth.MarshalStoredAPIKey(k)
		ttl := betterauth.APIKeyStorageTTL(k, a.now())
		_, err := a.s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, a.s.prefix+betterauth.APIKeyStorageKey(k.Key), v, ttl)
			p.Set(ctx, a.s.prefix+betterauth.APIKeyStorageKeyByID(k.ID), v, ttl)
			p.Del(ctx, a.s.prefix+betterauth.APIKeyStorageKeyByRef(k.ReferenceID))
			return nil
		})
		if err != nil {
			return fmt.Errorf("redisstore: api key cache: %w", err)
		}
		return nil
	})
}

// maxTxRetries bounds the optimistic transactions of one update that lose to another writer.
const maxTxRetries = 100

// UpdateAPIKey applies set to the key with this id when it satisfies cond. With a Database the table's
// guarded update decides, and the resulting row is written to Redis. Without one, the guard is checked and
// the write made in one optimistic Redis transaction over both of the key's entries; only the counters
// (remaining, requestCount, lastRefillAt, lastRequest, updatedAt) are written, every other member is kept as
// it is, and the TTL is the plugin's (until expiresAt).
func (a *APIKeys) UpdateAPIKey(ctx context.Context, id string, cond store.APIKeyCond, set store.APIKeySet) (*store.APIKey, bool, error) {
	if a.db != nil {
		k, ok, err := a.db.UpdateAPIKey(ctx, id, cond, set)
		if err != nil || !ok {
			return k, ok, err
		}
		if err := a.cache(ctx, k); err != nil {
			return nil, false, err
		}
		return k, true, nil
	}
	var (
		out     *store.APIKey
		applied bool
	)
	err := a.s.breaker.Do(ctx, func(ctx context.Context) error {
		ctx, cancel := limits.Bound(ctx, a.s.timeout)
		defer cancel()
		byID := a.s.prefix + betterauth.APIKeyStorageKeyByID(id)
		for range maxTxRetries {
			err := a.s.client.Watch(ctx, func(tx *redis.Tx) error {
				out, applied = nil, false
				idk, err := a.get(ctx, tx, betterauth.APIKeyStorageKeyByID(id))
				if err != nil {
					return err
				}
				byHash := a.s.prefix + betterauth.APIKeyStorageKey(idk.Key.Key)
				if err := tx.Watch(ctx, byHash).Err(); err != nil {
					return fmt.Errorf("redisstore: api key: %w", err)
				}
				sk, err := a.get(ctx, tx, betterauth.APIKeyStorageKey(idk.Key.Key))
				if err != nil {
					return err
				}
				if sk.Key.ID != id {
					return store.ErrNotFound
				}
				if !condHolds(sk.Key, cond) {
					out = sk.Key
					return nil
				}
				apply(sk.Key, set)
				v := sk.MarshalCounters()
				ttl := betterauth.APIKeyStorageTTL(sk.Key, a.now())
				_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, byHash, v, ttl)
					p.Set(ctx, byID, v, ttl)
					return nil
				})
				if err != nil {
					return err
				}
				out, applied = sk.Key, true
				return nil
			}, byID)
			if !errors.Is(err, redis.TxFailedErr) {
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					err = fmt.Errorf("redisstore: api key update: %w", err)
				}
				return err
			}
		}
		return fmt.Errorf("redisstore: api key %s: update lost %d races in a row", id, maxTxRetries)
	})
	if err != nil {
		return nil, false, err
	}
	return out, applied, nil
}

// condHolds evaluates an update's guard on the key as stored, as the table's WHERE clause does.
func condHolds(k *store.APIKey, c store.APIKeyCond) bool {
	if c.LastRefillAtIs {
		switch {
		case c.LastRefillAt == nil && k.LastRefillAt != nil,
			c.LastRefillAt != nil && (k.LastRefillAt == nil || k.LastRefillAt.UnixMilli() != c.LastRefillAt.UnixMilli()):
			return false
		}
	}
	if c.RemainingPositive && (k.Remaining == nil || *k.Remaining <= 0) {
		return false
	}
	if c.LastRequestAfter != nil && (k.LastRequest == nil || k.LastRequest.UnixMilli() <= c.LastRequestAfter.UnixMilli()) {
		return false
	}
	if c.LastRequestNotAfter != nil && (k.LastRequest == nil || k.LastRequest.UnixMilli() > c.LastRequestNotAfter.UnixMilli()) {
		return false
	}
	if c.LastRequestNull && k.LastRequest != nil {
		return false
	}
	if c.RequestCountBelow != nil && k.RequestCount >= *c.RequestCountBelow {
		return false
	}
	return true
}

// apply writes set into k.
func apply(k *store.APIKey, set store.APIKeySet) {
	switch {
	case set.Remaining != nil:
		r := *set.Remaining
		k.Remaining = &r
	case set.DecrementRemaining && k.Remaining != nil:
		r := *k.Remaining - 1
		k.Remaining = &r
	}
	switch {
	case set.RequestCount != nil:
		k.RequestCount = *set.RequestCount
	case set.IncrementRequestCount:
		k.RequestCount++
	}
	if set.LastRefillAt != nil {
		t := set.LastRefillAt.UTC()
		k.LastRefillAt = &t
	}
	if set.LastRequest != nil {
		t := set.LastRequest.UTC()
		k.LastRequest = &t
	}
	k.UpdatedAt = set.UpdatedAt.UTC()
}
