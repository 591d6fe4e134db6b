package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// DefaultTimeout bounds a lookup whose context has no earlier deadline.
const DefaultTimeout = 2 * time.Second

// Options configures a [Store]. A nil *Options means all defaults.
type Options struct {
	// KeyPrefix is put in front of every key, as your secondaryStorage implementation does. Empty means
	// none, as in Better Auth's documented example; @better-auth/redis-storage uses "better-auth:".
	KeyPrefix string

	// Timeout bounds each lookup when its context has no earlier deadline. Zero means [DefaultTimeout].
	Timeout time.Duration

	// Outage configures the breaker and the bound on waiting in front of Redis. The zero value means the
	// defaults ([store.Outage]).
	Outage store.Outage
}

// Store looks up Better Auth sessions in Redis. It is safe for concurrent use. It does not own the client:
// closing that is the caller's job.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	breaker *breaker.Breaker
}

var (
	_ store.Store           = (*Store)(nil)
	_ store.BreakerReporter = (*Store)(nil)
)

// New returns a store reading Better Auth's secondary storage through client. It does no I/O.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.Timeout < 0 {
		return nil, errors.New("redisstore: negative Timeout")
	}
	if err := limits.CheckOutage("redisstore", opts.Outage); err != nil {
		return nil, err
	}
	name := "redisstore"
	if c, ok := client.(*redis.Client); ok {
		name += " " + c.Options().Addr
	}
	s := &Store{client: client, prefix: opts.KeyPrefix, timeout: opts.Timeout, breaker: limits.Breaker(name, opts.Outage)}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// BreakerStats returns the counts of the breaker in front of Redis.
func (s *Store) BreakerStats() store.BreakerStats { return limits.Stats(s.breaker) }

// Lookup returns the session stored under token. Sessions past their expiresAt are returned if Redis
// still has them; the caller checks expiry. While the breaker is open (see [Options].Outage) it fails at
// once without asking Redis.
func (s *Store) Lookup(ctx context.Context, token string) (*store.Result, error) {
	if !limits.ValidToken(token) {
		return nil, store.ErrNotFound
	}
	var res *store.Result
	err := s.breaker.Do(ctx, func(ctx context.Context) (err error) {
		res, err = s.lookup(ctx, token)
		return err
	})
	return res, err // a refusal reads "redisstore ADDR: circuit breaker open"
}

func (s *Store) lookup(ctx context.Context, token string) (*store.Result, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	raw, err := s.client.Get(ctx, s.prefix+token).Bytes()
	if errors.Is(err, redis.Nil) || wrongType(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: lookup: %w", err)
	}
	res, ok := parse(raw)
	if !ok || res.Session.Token != token {
		return nil, store.ErrNotFound
	}
	// Better Auth (db/internal-adapter.ts isRevokedSession): a session created before the user's
	// revoked-sessions-before mark is gone. Number(null) is 0 and NaN compares false: neither revokes.
	mark, err := s.client.Get(ctx, s.prefix+"revoked-sessions-before-"+res.Session.UserID).Result()
	switch {
	case errors.Is(err, redis.Nil):
	case err != nil:
		return nil, fmt.Errorf("redisstore: lookup: %w", err)
	default:
		before, perr := strconv.ParseFloat(strings.TrimSpace(mark), 64)
		created := res.Session.CreatedAt
		if perr == nil && !created.IsZero() && float64(created.UnixMilli()) < before {
			return nil, store.ErrNotFound
		}
	}
	return res, nil
}

// wrongType reports a key holding something other than a string: not a session.
func wrongType(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "WRONGTYPE")
}

// parse reads a secondary-storage value: {"session":{…},"user":{…}}.
func parse(raw []byte) (*store.Result, bool) {
	var v struct {
		Session map[string]any `json:"session"`
		User    map[string]any `json:"user"`
	}
	if json.Unmarshal(raw, &v) != nil || v.Session == nil || v.User == nil {
		return nil, false
	}
	sess, ok := betterauth.SessionFromMap(v.Session)
	if !ok {
		return nil, false
	}
	user, ok := betterauth.UserFromMap(v.User)
	if !ok {
		return nil, false
	}
	return &store.Result{Session: sess, User: user}, true
}
