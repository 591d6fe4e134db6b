package store

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// APIKey is a row of the apikey table of Better Auth's api-key plugin (@better-auth/api-key 1.7.21). Its
// LogValue leaves out the hashed key and the metadata.
type APIKey struct {
	// ID is the key's id.
	ID string `json:"id"`
	// ConfigID names the plugin configuration the key belongs to; "" and "default" are the default one.
	ConfigID string `json:"configId"`
	// Name, Start and Prefix are the key's name, its first characters and its prefix ("" when null).
	Name   string `json:"name"`
	Start  string `json:"start"`
	Prefix string `json:"prefix"`
	// ReferenceID is the owner: a user id (or an organization id for organization-owned keys).
	ReferenceID string `json:"referenceId"`
	// Key is the stored key: its SHA-256 in unpadded base64url, or the key itself when the plugin's
	// disableKeyHashing is on. It is never marshalled.
	Key string `json:"-"`
	// Enabled is false for a disabled key. A null column reads as true, the column's default.
	Enabled bool `json:"enabled"`
	// ExpiresAt is when the key expires, or nil for never.
	ExpiresAt *time.Time `json:"expiresAt"`
	// Remaining is how many uses are left, or nil for unlimited.
	Remaining *int64 `json:"remaining"`
	// RefillAmount and RefillInterval (milliseconds) refill Remaining; nil when not set.
	RefillAmount   *int64 `json:"refillAmount"`
	RefillInterval *int64 `json:"refillInterval"`
	// LastRefillAt is the last refill, or nil.
	LastRefillAt *time.Time `json:"lastRefillAt"`
	// RateLimitEnabled is false when the key has no rate limit. A null column reads as true.
	RateLimitEnabled bool `json:"rateLimitEnabled"`
	// RateLimitTimeWindow (milliseconds) and RateLimitMax are the per-key rate limit; nil when not set.
	RateLimitTimeWindow *int64 `json:"rateLimitTimeWindow"`
	RateLimitMax        *int64 `json:"rateLimitMax"`
	// RequestCount counts the requests in the current window.
	RequestCount int64 `json:"requestCount"`
	// LastRequest is the last counted request, or nil.
	LastRequest *time.Time `json:"lastRequest"`
	// CreatedAt and UpdatedAt are the row's timestamps.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Permissions is the permissions column as stored: JSON text, or "" when null.
	Permissions string `json:"permissions"`
	// Metadata is the metadata column as stored: JSON text, or "" when null. It may hold anything the key's
	// creator put there: it is never logged.
	Metadata string `json:"-"`
}

// LogValue implements slog.LogValuer: the id, owner and config, never the key or the metadata.
func (k *APIKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("referenceId", k.ReferenceID),
		slog.String("configId", k.ConfigID))
}

// ErrReadOnly means a store was opened read-only (storeurl opens SQLite with query_only) and was asked to
// write, as API keys do when they count their uses. Errors wrapping it say how to open the store for writing.
var ErrReadOnly = errors.New("store: opened read-only")

// ReadOnlyReporter is implemented by stores that know whether they may write (sqlstore.Store). ReadOnly
// returns nil when the store may write, else an error wrapping [ErrReadOnly] that says how to open it for
// writing. auth.New checks it for the store of its API keys, so a store that cannot count their uses fails
// at start rather than answering 503 to every key.
type ReadOnlyReporter interface {
	ReadOnly() error
}

// APIKeyStore reads and updates the api-key plugin's keys, wherever the plugin keeps them (its apikey
// table; Redis secondary storage). Implementations must be safe for concurrent use and bound every call
// in time.
type APIKeyStore interface {
	// APIKey returns the key whose stored key column equals key (already hashed as the plugin hashes it),
	// or [ErrNotFound].
	APIKey(ctx context.Context, key string) (*APIKey, error)

	// UpdateAPIKey applies set to the key with this id if, and only if, its row still satisfies cond, in one
	// atomic step, as the plugin's guarded incrementOne does. It returns the row as it is afterwards and
	// whether set was applied; a row that no longer exists is [ErrNotFound].
	UpdateAPIKey(ctx context.Context, id string, cond APIKeyCond, set APIKeySet) (*APIKey, bool, error)

	// UserByID returns the user with this id, or [ErrNotFound].
	UserByID(ctx context.Context, id string) (*User, error)
}

// APIKeyCond is the guard of an [APIKeyStore.UpdateAPIKey]: every condition that is set must hold.
type APIKeyCond struct {
	// LastRefillAtIs, when set, requires lastRefillAt to equal LastRefillAt (nil: to be null).
	LastRefillAtIs bool
	LastRefillAt   *time.Time
	// RemainingPositive requires remaining > 0.
	RemainingPositive bool
	// LastRequestAfter, when not nil, requires lastRequest > it.
	LastRequestAfter *time.Time
	// LastRequestNotAfter, when not nil, requires lastRequest <= it.
	LastRequestNotAfter *time.Time
	// LastRequestNull requires lastRequest to be null.
	LastRequestNull bool
	// RequestCountBelow, when not nil, requires requestCount < it.
	RequestCountBelow *int64
}

// APIKeySet is what an [APIKeyStore.UpdateAPIKey] writes. UpdatedAt is always written.
type APIKeySet struct {
	// Remaining, when not nil, sets remaining; DecrementRemaining subtracts one instead.
	Remaining          *int64
	DecrementRemaining bool
	// RequestCount, when not nil, sets requestCount; IncrementRequestCount adds one instead.
	RequestCount          *int64
	IncrementRequestCount bool
	// LastRefillAt and LastRequest, when not nil, set those columns.
	LastRefillAt *time.Time
	LastRequest  *time.Time
	// UpdatedAt sets updatedAt.
	UpdatedAt time.Time
}

// APIKeyWriter is an [APIKeyStore] that also creates, lists, changes and deletes keys, as the api-key
// plugin's endpoints do in server mode (sqlstore does, for the plugin's storage: "database").
type APIKeyWriter interface {
	APIKeyStore
	// APIKeyByID returns the key with this id, or [ErrNotFound].
	APIKeyByID(ctx context.Context, id string) (*APIKey, error)
	// APIKeysByReference returns the keys whose referenceId is referenceID, oldest first.
	APIKeysByReference(ctx context.Context, referenceID string) ([]APIKey, error)
	// CreateAPIKey inserts k (Name, Start and Prefix "" are written as NULL; Permissions and Metadata
	// "" too).
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// SetAPIKeyFields sets fields (by Better Auth field name: "name", "enabled", "expiresAt", …) of the key
	// with this id and returns the row as it is afterwards; a missing row is [ErrNotFound].
	SetAPIKeyFields(ctx context.Context, id string, fields map[string]any) (*APIKey, error)
	// DeleteAPIKey deletes the key with this id; a missing row is no error.
	DeleteAPIKey(ctx context.Context, id string) error
	// DeleteExpiredAPIKeys deletes the keys whose expiresAt is set and before now, and returns how many.
	DeleteExpiredAPIKeys(ctx context.Context, now time.Time) (int64, error)
}
