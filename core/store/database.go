package store

import (
	"context"
	"errors"
	"time"
)

// ErrConflict means a row could not be written because a unique value (a user's email, a session token, an
// account's provider and account id) is taken.
var ErrConflict = errors.New("store: already exists")

// Database is what a Better Auth-compatible server needs from its database: Better Auth's user, session,
// account and verification tables, read and written the way Better Auth 1.7.25 does, so a Go and a Node
// server can share them. Every method bounds its time; "not found" is [ErrNotFound]; a broken database is
// any other error (the server answers 503).
//
// Dates are written as Better Auth writes them for the dialect (ISO-8601 text with milliseconds in SQLite,
// timestamptz in PostgreSQL, datetime(3) in MySQL) and read back in UTC. Users returned by Database methods
// carry "createdAt" and "updatedAt" in Additional as ISO-8601 strings, like [Store.Lookup] does.
type Database interface {
	Store

	// CreateUser inserts u with createdAt = updatedAt = now. u.ID and a lower-case u.Email are set by the
	// caller; u.Additional holds extra columns by field name. A taken email is [ErrConflict].
	CreateUser(ctx context.Context, u *User, now time.Time) error
	// UserByEmail returns the user whose email is email (already lower-cased by the caller).
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserByID returns the user with that id.
	UserByID(ctx context.Context, id string) (*User, error)
	// UpdateUser sets the given fields (Better Auth field names: "name", "image", "emailVerified", "email",
	// or additional fields; a nil value writes NULL) and updatedAt = now, and returns the updated user.
	UpdateUser(ctx context.Context, id string, fields map[string]any, now time.Time) (*User, error)
	// DeleteUser deletes the user, its sessions and its accounts.
	DeleteUser(ctx context.Context, id string) error

	// CreateAccount inserts a.
	CreateAccount(ctx context.Context, a *Account) error
	// Accounts returns the user's accounts, oldest first.
	Accounts(ctx context.Context, userID string) ([]Account, error)
	// AccountByProvider returns the account of providerID whose accountId is accountID.
	AccountByProvider(ctx context.Context, providerID, accountID string) (*Account, error)
	// UpdateAccount sets the given fields (Better Auth field names, e.g. "password", "accessToken") and
	// updatedAt = now.
	UpdateAccount(ctx context.Context, id string, fields map[string]any, now time.Time) error
	// DeleteAccount deletes one account.
	DeleteAccount(ctx context.Context, id string) error

	// CreateSession inserts s (every field set by the caller).
	CreateSession(ctx context.Context, s *Session) error
	// UpdateSession sets a session's expiresAt and updatedAt, by token.
	UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) error
	// DeleteSession deletes the session with that token; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, token string) error
	// DeleteSessions deletes every session of the user.
	DeleteSessions(ctx context.Context, userID string) error
	// Sessions returns the user's sessions, expired ones included, oldest first.
	Sessions(ctx context.Context, userID string) ([]Session, error)

	// CreateVerification inserts v.
	CreateVerification(ctx context.Context, v *Verification) error
	// Verification returns the newest verification row with that identifier.
	Verification(ctx context.Context, identifier string) (*Verification, error)
	// DeleteVerification deletes the verification row with that id.
	DeleteVerification(ctx context.Context, id string) error
}

// SessionFieldUpdater is implemented by databases that can set a session's additional fields (sqlstore
// does): Better Auth's POST /update-session needs it.
type SessionFieldUpdater interface {
	// UpdateSessionFields sets the given fields (Better Auth field names beyond the core schema; nil
	// writes NULL) and updatedAt = now on the session with that token. A missing session is [ErrNotFound].
	UpdateSessionFields(ctx context.Context, token string, fields map[string]any, now time.Time) error
}

// Account is a row of Better Auth's account table: a user's password ("credential" provider) or a linked
// social identity. Empty strings and nil times are NULL columns.
type Account struct {
	ID         string `json:"id"`
	AccountID  string `json:"accountId"`
	ProviderID string `json:"providerId"`
	UserID     string `json:"userId"`

	AccessToken           string     `json:"-"`
	RefreshToken          string     `json:"-"`
	IDToken               string     `json:"-"`
	AccessTokenExpiresAt  *time.Time `json:"accessTokenExpiresAt"`
	RefreshTokenExpiresAt *time.Time `json:"refreshTokenExpiresAt"`
	Scope                 string     `json:"scope"`
	// Password is "<saltHex>:<keyHex>" (scrypt) on a credential account. It is never marshalled.
	Password string `json:"-"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Verification is a row of Better Auth's verification table (password reset tokens, OAuth state).
type Verification struct {
	ID         string
	Identifier string
	Value      string
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// JWK is a row of the JWT plugin's jwks table: a signing key, its private half usually encrypted with the
// secret ("$ba$<version>$…").
type JWK struct {
	ID         string
	PublicKey  string // JWK JSON
	PrivateKey string // JWK JSON, or its encrypted envelope
	Alg, Crv   string // "" when NULL
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil when NULL
}

// KeyStore is implemented by databases that hold the JWT plugin's jwks table (sqlstore does).
type KeyStore interface {
	// JWKs returns every row, oldest first.
	JWKs(ctx context.Context) ([]JWK, error)
	// CreateJWK inserts a row.
	CreateJWK(ctx context.Context, k *JWK) error
}
