package betterauth

// Mirrors @better-auth/utils src/password.node.ts (hashPassword, verifyPassword) and better-auth
// src/crypto/password.ts.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"
)

// Better Auth's scrypt parameters. They are below OWASP's floor (N·r = 2^18 vs 2^20) but fixed: the TS
// verifier hard-codes them, so a shared database must keep them.
const (
	ScryptN      = 16384
	ScryptR      = 16
	ScryptP      = 1
	ScryptKeyLen = 64
	// ScryptMemory is what one hash needs (128·N·r bytes): 32 MiB.
	ScryptMemory = 128 * ScryptN * ScryptR
)

// ErrPasswordHash means a stored hash is not "<32 hex salt>:<128 hex key>".
var ErrPasswordHash = errors.New("betterauth: malformed password hash")

// HashPassword hashes password as Better Auth stores it: a random 16-byte salt written as 32 lower-case hex
// characters, whose ASCII text (not the bytes it encodes) is the scrypt salt; the password NFKC-normalised;
// result "<saltHex>:<keyHex>".
func HashPassword(password string) (string, error) {
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return "", err
	}
	saltHex := hex.EncodeToString(salt[:])
	key, err := scrypt.Key([]byte(norm.NFKC.String(password)), []byte(saltHex), ScryptN, ScryptR, ScryptP, ScryptKeyLen)
	if err != nil {
		return "", err
	}
	return saltHex + ":" + hex.EncodeToString(key), nil
}

// VerifyPassword reports whether password matches a stored Better Auth hash, comparing in constant time.
func VerifyPassword(hash, password string) (bool, error) {
	saltHex, keyHex, ok := strings.Cut(hash, ":")
	if !ok || len(saltHex) != 32 || len(keyHex) != 2*ScryptKeyLen {
		return false, ErrPasswordHash
	}
	want, err := hex.DecodeString(keyHex)
	if err != nil {
		return false, ErrPasswordHash
	}
	if _, err := hex.DecodeString(saltHex); err != nil {
		return false, ErrPasswordHash
	}
	got, err := scrypt.Key([]byte(norm.NFKC.String(password)), []byte(saltHex), ScryptN, ScryptR, ScryptP, ScryptKeyLen)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyHash is a well-formed hash of no password, verified against when the user does not exist so that an
// unknown email costs the same work as a wrong password.
const DummyHash = "00000000000000000000000000000000:" +
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

// Hasher bounds how many scrypt computations run at once (each takes ScryptMemory), so a burst of sign-ins
// cannot exhaust memory. Waiting honours the caller's context.
type Hasher struct {
	slots chan struct{}
	// OnWait, when set before first use, is called after each wait for a slot with its length and error.
	OnWait func(ctx context.Context, wait time.Duration, err error)
}

// NewHasher allows n concurrent hashes (n < 1 means 1).
func NewHasher(n int) *Hasher { return &Hasher{slots: make(chan struct{}, max(n, 1))} }

// Hash is HashPassword within the concurrency bound.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(password)
}

// Verify is VerifyPassword within the concurrency bound.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	return VerifyPassword(hash, password)
}

func (h *Hasher) acquire(ctx context.Context) error {
	if h.OnWait == nil {
		return h.wait(ctx)
	}
	start := time.Now()
	err := h.wait(ctx)
	h.OnWait(ctx, time.Since(start), err)
	return err
}

func (h *Hasher) wait(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }
