package authserver

// Passwords: the length limits and character rules for a new password, and hashing and verifying within
// the server's concurrency bound (better-auth src/api/routes/sign-up.ts, password.ts; src/crypto/password.ts).

import (
	"context"
	"errors"
	"strings"
	"unicode/utf16"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// jsLength is JavaScript's string length: UTF-16 code units.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// checkNewPassword applies the length limits and the configured rules to a new password.
func (c *call) checkNewPassword(pw string) error {
	n := jsLength(pw)
	if n < c.srv.ep.MinPasswordLength {
		return errPasswordTooShort
	}
	if n > c.srv.ep.MaxPasswordLength {
		return errPasswordTooLong
	}
	ep := c.srv.ep
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z' || (r > 127 && strings.ToLower(string(r)) != string(r)):
			upper = true
		case r >= 'a' && r <= 'z' || (r > 127 && strings.ToUpper(string(r)) != string(r)):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			special = true
		}
	}
	switch {
	case ep.RequireUppercase && !upper:
		return errPasswordNeedsUpper
	case ep.RequireLowercase && !lower:
		return errPasswordNeedsLower
	case ep.RequireNumber && !digit:
		return errPasswordNeedsNumber
	case ep.RequireSpecial && !special:
		return errPasswordNeedsSymbol
	}
	return nil
}

// hashCtx bounds a wait for a hashing slot.
func (c *call) hashCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx, c.srv.hashTimeout)
}

// hashError maps a hashing failure: a full queue is 503 with Retry-After.
func hashError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errServerUnavailable(1)
	}
	if errors.Is(err, context.Canceled) {
		return newAPIError(499, "CLIENT_CLOSED_REQUEST", "Client closed request")
	}
	return err
}

// hashPassword hashes within the concurrency bound.
func (c *call) hashPassword(pw string) (string, error) {
	ctx, cancel := c.hashCtx()
	defer cancel()
	h, err := c.a.hasher.Hash(ctx, pw)
	return h, hashError(err)
}

// verifyPassword checks pw against hash within the concurrency bound. A malformed hash is a failed check
// (logged), never a pass.
func (c *call) verifyPassword(hash, pw string) (bool, error) {
	ctx, cancel := c.hashCtx()
	defer cancel()
	ok, err := c.a.hasher.Verify(ctx, hash, pw)
	if errors.Is(err, betterauth.ErrPasswordHash) {
		c.a.s.log.Error("auth: malformed password hash in the account table")
		return false, nil
	}
	return ok, hashError(err)
}
