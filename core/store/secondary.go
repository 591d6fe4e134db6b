package store

import (
	"context"
	"time"
)

// SecondaryStorage is Better Auth's secondaryStorage option: a key-value store with expiring keys (Redis,
// usually) where a server keeps sessions, the active-sessions-<userId> lists, verification values and
// rate-limit counters instead of, or besides, the database. redisstore.NewSecondaryStorage implements it
// over go-redis. Implementations must be safe for concurrent use and bound every call in time; an error is
// "could not answer" (the server answers 503), never "not found".
type SecondaryStorage interface {
	// Get returns the value stored under key; ok is false when there is none.
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Set stores value under key; it expires after ttl, or never when ttl is 0.
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Increment adds 1 to the integer under key atomically (a missing key counts from 0) and returns the
	// new value. When it creates the key, the key expires after ttl (a fixed window).
	Increment(ctx context.Context, key string, ttl time.Duration) (int64, error)
	// GetAndDelete returns the value under key and removes it in one atomic step, so that of two callers
	// racing for a single-use value only one gets it; ok is false when there was none.
	GetAndDelete(ctx context.Context, key string) (value string, ok bool, err error)
}

// Wrapper is implemented by a Database that wraps another one (the server's secondary-storage layer, which
// keeps sessions and verification values out of the database): Unwrap returns the wrapped Database.
type Wrapper interface {
	Unwrap() Database
}

// As returns db, or the Database it wraps (through [Wrapper], any depth), as a T: the way to reach an
// optional interface of the underlying store ([UserLister], [PasskeyStore], …) from the Database a server
// hands out.
func As[T any](db Database) (T, bool) {
	if db == nil { // a nil Database must not become a non-nil Store
		var zero T
		return zero, false
	}
	return StoreAs[T](db)
}

// StoreWrapper is implemented by a Store that wraps another one ([NewCache]'s cache): UnwrapStore returns
// the wrapped Store.
type StoreWrapper interface {
	UnwrapStore() Store
}

// StoreAs returns s, or the Store it wraps (through [StoreWrapper] or [Wrapper], any depth), as a T: the way
// to reach an optional interface of the underlying store ([APIKeyStore], [OrganizationStore], …) through
// [NewCache], whose cache holds sessions only. A call through the returned value is not cached.
func StoreAs[T any](s Store) (T, bool) {
	for s != nil {
		if v, ok := s.(T); ok {
			return v, true
		}
		switch w := s.(type) {
		case StoreWrapper:
			s = w.UnwrapStore()
		case Wrapper:
			s = w.Unwrap()
		default:
			s = nil
		}
	}
	var zero T
	return zero, false
}

// RateLimitStore is implemented by databases that hold Better Auth's rateLimit table (sqlstore does), for a
// server's RateLimit.Storage "database".
type RateLimitStore interface {
	// ConsumeRateLimit counts one request under key (Better Auth's "<ip>|<path>") as Better Auth's database
	// rate limiter does, in atomic steps: allowed when window has passed since the row's lastRequest (the
	// count restarts at 1) or its count is below max (count + 1); either way lastRequest becomes now. A
	// refused request is not counted; retryAfter is the time until the window of the last allowed request
	// ends.
	ConsumeRateLimit(ctx context.Context, key string, window time.Duration, max int, now time.Time) (allowed bool, retryAfter time.Duration, err error)
	// PruneRateLimits deletes the rows whose lastRequest is before before.
	PruneRateLimits(ctx context.Context, before time.Time) error
}

// Base returns the Database at the bottom of db's [Wrapper]s (db itself when it wraps nothing): the SQL
// database behind a server's secondary-storage layer, for what Better Auth always keeps there, such as
// reserveVerificationValue's first-writer-wins rows.
func Base(db Database) Database {
	for {
		w, ok := db.(Wrapper)
		if !ok {
			return db
		}
		db = w.Unwrap()
	}
}
