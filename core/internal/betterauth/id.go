package betterauth

// Mirrors better-auth packages/core/src/utils/id.ts and @better-auth/utils random.ts (generateRandomString):
// ids and session tokens are 32 characters from [A-Za-z0-9], drawn by rejection sampling so every character
// is equally likely.

import "crypto/rand"

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns n characters from [A-Za-z0-9] (about 5.95 bits each; 32 characters ≈ 190 bits).
func RandomString(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			// 248 = 4·62: bytes at or above it would favour the first characters.
			if b < 248 && len(out) < n {
				out = append(out, idAlphabet[b%62])
			}
		}
	}
	return string(out)
}

// RandomFrom returns n characters of alphabet (at most 256 characters long), each equally likely: Better
// Auth's generateRandomString with other alphabets ("0-9" for OTPs, "a-z", "A-Z" for magic-link tokens).
func RandomFrom(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// NewID returns a Better Auth id (32 characters).
func NewID() string { return RandomString(32) }

// NewSessionToken returns a Better Auth session token (32 characters).
func NewSessionToken() string { return RandomString(32) }

// DummyUserID is a user id no real user has (ids are 32 alphanumeric characters), for the lookups that
// keep an unknown email as costly as a known one.
const DummyUserID = "-"

// RandomLowerAlnum returns n characters from [0-9a-z] (generateRandomString(n, "0-9", "a-z"): the
// deletion tokens of /delete-user), by rejection sampling.
func RandomLowerAlnum(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			// 252 = 7·36.
			if b < 252 && len(out) < n {
				out = append(out, alphabet[b%36])
			}
		}
	}
	return string(out)
}
