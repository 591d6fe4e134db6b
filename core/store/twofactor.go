package store

import (
	"context"
	"time"
)

// TwoFactor is a row of the two-factor plugin's twoFactor table (better-auth src/plugins/two-factor/schema.ts):
// a user's TOTP secret and backup codes, both encrypted with the server's secret, and the failure count
// behind the account lockout.
type TwoFactor struct {
	ID     string
	UserID string
	// Secret is the TOTP secret as stored: Better Auth's symmetricEncrypt of the secret string.
	Secret string
	// BackupCodes are the backup codes as stored (encrypted JSON array, by default).
	BackupCodes string
	// Verified is false while an enrolment waits for its first TOTP code. A NULL (a row written before
	// the column existed) reads as true, as Better Auth's "verified !== false" does.
	Verified bool
	// FailedVerificationCount counts consecutive failed second-factor checks; NULL reads as 0.
	FailedVerificationCount int
	// LockedUntil is when the lockout ends; nil when not locked.
	LockedUntil *time.Time
}

// TwoFactorStore is implemented by databases that hold the two-factor plugin's twoFactor table (sqlstore
// does). Every method bounds its time; "not found" is [ErrNotFound].
type TwoFactorStore interface {
	// TwoFactorByUser returns the user's row (Better Auth's findOne by userId).
	TwoFactorByUser(ctx context.Context, userID string) (*TwoFactor, error)
	// CreateTwoFactor inserts t.
	CreateTwoFactor(ctx context.Context, t *TwoFactor) error
	// UpdateTwoFactor sets fields ("secret", "backupCodes", "verified", "failedVerificationCount",
	// "lockedUntil"; nil writes NULL) of the row with that id.
	UpdateTwoFactor(ctx context.Context, id string, fields map[string]any) error
	// SwapBackupCodes sets backupCodes to next only while it still is prev, and reports whether it did: of
	// two requests spending the same backup code, one wins.
	SwapBackupCodes(ctx context.Context, id, prev, next string) (bool, error)
	// DeleteTwoFactor deletes the user's rows.
	DeleteTwoFactor(ctx context.Context, userID string) error
	// IncrementTwoFactorFailures adds one to failedVerificationCount atomically (a NULL counts as 0) and
	// returns the new count.
	IncrementTwoFactorFailures(ctx context.Context, id string) (int, error)
	// LockTwoFactor sets lockedUntil while failedVerificationCount is at least min.
	LockTwoFactor(ctx context.Context, id string, min int, until time.Time) error
	// UnlockTwoFactor clears the count and lockedUntil when lockedUntil is at or before now.
	UnlockTwoFactor(ctx context.Context, id string, now time.Time) error
}
