package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

// SecondaryStorage is Better Auth's secondaryStorage on Redis, for a server ([store.SecondaryStorage]):
// authserver.Config.SecondaryStorage keeps sessions, the active-sessions lists, verification values and,
// with RateLimit.Storage "secondary-storage", rate-limit counters in it, under the keys Better Auth 1.7.25
// uses, so a Node server whose secondaryStorage is the same Redis (with the same key prefix) shares them.
// It is safe for concurrent use and does not own the client.
type SecondaryStorage struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
}

var _ store.SecondaryStorage = (*SecondaryStorage)(nil)

// NewSecondaryStorage returns Better Auth's secondaryStorage over client. opts.KeyPrefix is put in front of
// every key (as ioredis' keyPrefix or @better-auth/redis-storage's "better-auth:" do) and opts.Timeout
// bounds each command whose context has no earlier deadline; opts.Outage is not used (the server decides
// what an outage means). A nil opts means no prefix and [DefaultTimeout]. It does no I/O.
func NewSecondaryStorage(client redis.UniversalClient, opts *Options) (*SecondaryStorage, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.Timeout < 0 {
		return nil, errors.New("redisstore: negative Timeout")
	}
	s := &SecondaryStorage{client: client, prefix: opts.KeyPrefix, timeout: opts.Timeout}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// Get returns the string under key (GET); a missing key, or one holding another type, is ok false.
func (s *SecondaryStorage) Get(ctx context.Context, key string) (string, bool, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	v, err := s.client.Get(ctx, s.prefix+key).Result()
	if errors.Is(err, redis.Nil) || wrongType(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redisstore: get: %w", err)
	}
	return v, true, nil
}

// Set stores value under key (SET, with EX in whole seconds, rounded up, when ttl > 0).
func (s *SecondaryStorage) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	if ttl > 0 {
		ttl = ttl.Round(0)
		if r := ttl % time.Second; r != 0 {
			ttl += time.Second - r
		}
	}
	if err := s.client.Set(ctx, s.prefix+key, value, max(ttl, 0)).Err(); err != nil {
		return fmt.Errorf("redisstore: set: %w", err)
	}
	return nil
}

// Delete removes key (DEL).
func (s *SecondaryStorage) Delete(ctx context.Context, key string) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	if err := s.client.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}

// Increment is INCR and, in the same MULTI/EXEC, EXPIRE key ttl NX (Redis 7): the TTL is set only when
// INCR created the key, so the key counts one fixed window. ttl is rounded up to whole seconds, at least 1.
func (s *SecondaryStorage) Increment(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	secs := max(int64((ttl+time.Second-1)/time.Second), 1)
	var incr *redis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, s.prefix+key)
		p.ExpireNX(ctx, s.prefix+key, time.Duration(secs)*time.Second)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redisstore: increment: %w", err)
	}
	return incr.Val(), nil
}

// GetAndDelete is GETDEL (Redis 6.2).
func (s *SecondaryStorage) GetAndDelete(ctx context.Context, key string) (string, bool, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	v, err := s.client.GetDel(ctx, s.prefix+key).Result()
	if errors.Is(err, redis.Nil) || wrongType(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redisstore: getdel: %w", err)
	}
	return v, true, nil
}
