package auth

import (
	"fmt"
	"log/slog"
	"math"
)

// Secret is a secret string, such as BETTER_AUTH_SECRET. It prints, logs and encodes to JSON as
// "[REDACTED]", so a Config that is logged (with a text or a JSON handler) or formatted does not leak it.
// Convert it to a string (string(s)) where the secret itself is needed.
type Secret string

const redacted = "[REDACTED]"

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak the secret either.
func (Secret) GoString() string { return redacted }

// LogValue implements [slog.LogValuer]; it returns "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns "[REDACTED]" as a JSON string, so slog's JSON handler and encoding/json do not leak
// the secret of a struct that holds one.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MinSecretEntropyBits is the estimated entropy below which [SecretWeakness] calls a secret weak.
const MinSecretEntropyBits = 120

// betterAuthDefaultSecret is the secret Better Auth falls back to without one; it refuses it in production.
const betterAuthDefaultSecret = "better-auth-secret-12345678901234567890"

// SecretWeakness says why s is unfit for production, by the rules of `gobetterauth secret check`: "" when
// it is fit, else a phrase to follow the secret's name, such as "is 5 bytes; at least 32 are required" or
// "has about 6 bits of entropy; at least 120 are needed". It never contains the secret. A production
// server refuses a secret with a weakness; [New] only enforces the length.
func SecretWeakness(s Secret) string {
	switch {
	case s == betterAuthDefaultSecret:
		return "is Better Auth's built-in default secret"
	case len(s) < MinSecretBytes:
		return fmt.Sprintf("is %d bytes; at least %d are required", len(s), MinSecretBytes)
	case entropyBits(string(s)) < MinSecretEntropyBits:
		return fmt.Sprintf("has about %.0f bits of entropy; at least %d are needed", entropyBits(string(s)), MinSecretEntropyBits)
	}
	return ""
}

// entropyBits estimates a string's entropy as its length times the Shannon entropy of its characters.
func entropyBits(s string) float64 {
	counts := map[rune]float64{}
	n := 0.0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := c / n
		h -= p * math.Log2(p)
	}
	return h * n
}
