package store

import (
	"context"
	"time"
)

// Passkey is a row of the passkey plugin's passkey table (@better-auth/passkey src/schema.ts), as the
// plugin writes it, so that a credential registered by a Node server signs in on a Go one and the reverse.
type Passkey struct {
	ID   string
	Name string // the user's label; "" when none (NULL)
	// PublicKey is the credential's COSE_Key (RFC 9052 §7) in standard base64 with padding, as
	// @better-auth/utils' base64.encode writes it.
	PublicKey string
	UserID    string
	// CredentialID is the credential id in base64url without padding (the WebAuthn response's id).
	CredentialID string
	// Counter is the authenticator's signature counter last seen.
	Counter int64
	// DeviceType is "singleDevice" or "multiDevice" (the backup-eligible flag at registration).
	DeviceType string
	// BackedUp is the backup-state flag at registration.
	BackedUp bool
	// Transports are the authenticator's transports joined by commas ("internal,hybrid"); "" when none.
	Transports string
	// CreatedAt is when it was registered; nil when NULL.
	CreatedAt *time.Time
	// AAGUID is the authenticator model's AAGUID as a UUID string; "" when NULL.
	AAGUID string
}

// PasskeyStore is implemented by databases that hold the passkey plugin's passkey table (sqlstore does).
// Every method bounds its time; "not found" is [ErrNotFound].
type PasskeyStore interface {
	// PasskeysByUser returns the user's passkeys (Better Auth's findMany by userId), oldest first.
	PasskeysByUser(ctx context.Context, userID string) ([]Passkey, error)
	// PasskeyByID returns the passkey with that id.
	PasskeyByID(ctx context.Context, id string) (*Passkey, error)
	// PasskeyByCredentialID returns the passkey with that credential id (base64url).
	PasskeyByCredentialID(ctx context.Context, credentialID string) (*Passkey, error)
	// CreatePasskey inserts p.
	CreatePasskey(ctx context.Context, p *Passkey) error
	// UpdatePasskey sets fields ("name", "counter") of the passkey with that id.
	UpdatePasskey(ctx context.Context, id string, fields map[string]any) error
	// DeletePasskey deletes the passkey with that id.
	DeletePasskey(ctx context.Context, id string) error
}
