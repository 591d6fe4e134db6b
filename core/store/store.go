package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound means no session has the token: it was never issued, was deleted (sign-out, revocation), or
// its user no longer exists. It is an answer, not a failure: the caller treats the credentials as invalid.
var ErrNotFound = errors.New("store: session not found")

// Store finds Better Auth sessions by token. Lookup returns the session and its user, [ErrNotFound], or
// another error when the store could not answer (down, timed out); callers map that to 503, never to 401.
// Expiry is checked by the caller with its own clock, so Lookup returns expired rows it finds.
// Implementations must be safe for concurrent use and must bound every call in time.
type Store interface {
	Lookup(ctx context.Context, token string) (*Result, error)
}

// Result is a session and its user.
type Result struct {
	Session Session
	User    User
}

// Session is a row of Better Auth's session table.
type Session struct {
	// ID is the session id.
	ID string `json:"id"`
	// Token is the session token. It is a credential: it is never marshalled to JSON.
	Token string `json:"-"`
	// UserID is the id of the session's user.
	UserID string `json:"userId"`
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time `json:"expiresAt"`
	// CreatedAt and UpdatedAt are the row's timestamps.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// IPAddress and UserAgent are what Better Auth recorded at sign-in ("" when none).
	IPAddress string `json:"ipAddress"`
	UserAgent string `json:"userAgent"`
	// Additional holds columns beyond Better Auth's core schema (plugins, additionalFields), by field name.
	Additional map[string]any `json:"-"`
}

// User is a row of Better Auth's user table, or the user fields of a JWT.
type User struct {
	// ID is the user id.
	ID string `json:"id"`
	// Email is the user's email address.
	Email string `json:"email"`
	// Name is the user's display name.
	Name string `json:"name"`
	// EmailVerified reports whether the email address was verified.
	EmailVerified bool `json:"emailVerified"`
	// Image is the avatar URL, or "" when Better Auth has null.
	Image string `json:"image"`
	// Role is the admin plugin's role field (comma-separated when several), or "".
	Role string `json:"role,omitempty"`
	// Additional holds fields beyond the ones above (plugins, additionalFields, createdAt, updatedAt), by
	// field name, with JSON types (string, float64, bool, nil, []any, map[string]any).
	Additional map[string]any `json:"-"`
}

// CredentialLookup is implemented by stores that check a caller's raw Better Auth credentials themselves
// (the remote store asks a Better Auth server), so a service without the secret can still accept session
// cookies. cookieHeader holds only Better Auth's cookies; authorization is the Authorization header value.
// Errors are as for Store.Lookup.
type CredentialLookup interface {
	LookupCredentials(ctx context.Context, cookieHeader, authorization string) (*Result, error)
}
