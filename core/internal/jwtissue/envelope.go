package jwtissue

// Mirrors better-auth src/crypto/index.ts (symmetricEncrypt, symmetricDecrypt, parseEnvelope,
// formatEnvelope), src/context/secret-utils.ts (buildSecretConfig, validateSecretsArray, parseSecretsEnv)
// and the secret choice of src/context/create-context.ts. The cipher is @noble/ciphers'
// managedNonce(xchacha20poly1305); the key is @better-auth/utils' SHA-256 of the secret's UTF-8 bytes.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/chacha20poly1305"
)

// baDefaultSecret is Better Auth's built-in development secret. As a legacy secret it is ignored.
const baDefaultSecret = "better-auth-secret-12345678901234567890"

// envelopePrefix starts a versioned envelope: "$ba$<version>$<hex>".
const envelopePrefix = "$ba$"

// Secrets are Better Auth's secrets, as its secretConfig holds them. The zero value has no secret and
// fails. Secrets print and log as "[REDACTED]".
type Secrets struct {
	// Current is the secret (Better Auth's secret option, BETTER_AUTH_SECRET) when Versions is empty: it
	// encrypts bare hex and decrypts bare hex. "" means Legacy. When Versions is set, Current must be "" or
	// equal to Versions[0].Value.
	Current string
	// Versions are Better Auth's rotated secrets (its secrets option, BETTER_AUTH_SECRETS), current first.
	// Versions[0] encrypts, as "$ba$<version>$…"; an envelope is decrypted with the secret of its version.
	// Versions are unique and not negative; values are not empty. Nil means no rotation.
	Versions []Versioned
	// Legacy is Better Auth's plain secret when Versions is set (its secret option, BETTER_AUTH_SECRET): it
	// decrypts bare hex written before rotation. "" or Better Auth's built-in default secret means none.
	// Without Versions it is the secret when Current is "".
	Legacy string
}

// Versioned is one rotated secret.
type Versioned struct {
	// Version is the number written in envelopes: "$ba$<Version>$…".
	Version int
	// Value is the secret.
	Value string
}

// String returns "[REDACTED]".
func (Versioned) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (Versioned) GoString() string { return "[REDACTED]" }

// LogValue implements [slog.LogValuer]; it returns "[REDACTED]".
func (Versioned) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// String returns "[REDACTED]".
func (Secrets) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]", so %#v does not leak the secrets either.
func (Secrets) GoString() string { return "[REDACTED]" }

// LogValue implements [slog.LogValuer]; it returns "[REDACTED]".
func (Secrets) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// ParseSecretsEnv parses BETTER_AUTH_SECRETS ("<version>:<secret>,<version>:<secret>", current first) as
// Better Auth's parseSecretsEnv does: entries and values are trimmed, a version is read like JavaScript's
// parseInt. "" gives nil. The result is not yet validated; [Encrypt] and [Decrypt] do that.
func ParseSecretsEnv(s string) ([]Versioned, error) {
	if s == "" {
		return nil, nil
	}
	var out []Versioned
	for i, entry := range strings.Split(s, ",") {
		entry = trimJSSpace(entry)
		v, value, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("%w: BETTER_AUTH_SECRETS entry %d: want <version>:<secret>", ErrSecrets, i+1)
		}
		n, isInt := jsParseInt(v)
		if !isInt || n < 0 || n > 1<<53-1 {
			return nil, fmt.Errorf("%w: BETTER_AUTH_SECRETS entry %d: version must be a non-negative integer", ErrSecrets, i+1)
		}
		value = trimJSSpace(value)
		if value == "" {
			return nil, fmt.Errorf("%w: BETTER_AUTH_SECRETS: empty secret for version %d", ErrSecrets, int(n))
		}
		out = append(out, Versioned{Version: int(n), Value: value})
	}
	return out, nil
}

// config is Better Auth's secretConfig: a single secret (versions nil) or versioned keys.
type config struct {
	single  string
	current Versioned
	keys    map[int]string
	legacy  string
}

func (s *Secrets) config() (*config, error) {
	if len(s.Versions) == 0 {
		single := s.Current
		if single == "" {
			single = s.Legacy
		}
		if single == "" {
			return nil, fmt.Errorf("%w: no secret", ErrSecrets)
		}
		return &config{single: single}, nil
	}
	c := &config{current: s.Versions[0], keys: make(map[int]string, len(s.Versions))}
	if s.Current != "" && s.Current != c.current.Value {
		return nil, fmt.Errorf("%w: Current is not the first version's value", ErrSecrets)
	}
	for _, v := range s.Versions {
		switch _, dup := c.keys[v.Version]; {
		case v.Version < 0:
			return nil, fmt.Errorf("%w: version %d is negative", ErrSecrets, v.Version)
		case v.Value == "":
			return nil, fmt.Errorf("%w: empty secret for version %d", ErrSecrets, v.Version)
		case dup:
			return nil, fmt.Errorf("%w: duplicate version %d", ErrSecrets, v.Version)
		}
		c.keys[v.Version] = v.Value
	}
	if s.Legacy != baDefaultSecret {
		c.legacy = s.Legacy
	}
	return c, nil
}

// Encrypt encrypts plaintext (taken as UTF-8 bytes) as Better Auth's symmetricEncrypt does: lower-case hex
// of a random 24-byte nonce, the XChaCha20-Poly1305 ciphertext and its tag, under SHA-256 of the secret.
// With Versions it uses Versions[0] and returns "$ba$<version>$<hex>"; without, bare hex under Current.
func Encrypt(secrets Secrets, plaintext string) (string, error) {
	c, err := secrets.config()
	if err != nil {
		return "", err
	}
	if c.keys == nil {
		return seal(c.single, []byte(plaintext)), nil
	}
	return envelopePrefix + strconv.Itoa(c.current.Version) + "$" + seal(c.current.Value, []byte(plaintext)), nil
}

// Decrypt decrypts what [Encrypt] (or Better Auth's symmetricEncrypt) wrote, as symmetricDecrypt does.
// Without Versions, ciphertext must be bare hex under Current. With Versions, "$ba$<version>$<hex>" is
// decrypted with that version's secret ([ErrSecretVersion] when it is not configured), and anything else
// as bare hex with Legacy ([ErrNoLegacySecret] when there is none). The plaintext is decoded as
// JavaScript's TextDecoder does: a leading byte order mark is dropped and invalid UTF-8 becomes U+FFFD.
func Decrypt(secrets Secrets, ciphertext string) (string, error) {
	c, err := secrets.config()
	if err != nil {
		return "", err
	}
	if c.keys == nil {
		return open(c.single, ciphertext)
	}
	if version, data, ok := parseEnvelope(ciphertext); ok {
		for v, secret := range c.keys {
			if float64(v) == version {
				return open(secret, data)
			}
		}
		return "", fmt.Errorf("%w: version %v", ErrSecretVersion, version)
	}
	if c.legacy == "" {
		return "", ErrNoLegacySecret
	}
	return open(c.legacy, ciphertext)
}

// parseEnvelope splits "$ba$<version>$<data>" as Better Auth's parseEnvelope does: the version is what
// JavaScript's parseInt makes of the text between the second and third "$" (so " 1", "+1" and "1x" are 1,
// "-0" is 0), and it must be a non-negative integer; anything else is not an envelope.
func parseEnvelope(s string) (version float64, data string, ok bool) {
	rest, found := strings.CutPrefix(s, envelopePrefix)
	if !found {
		return 0, "", false
	}
	v, data, found := strings.Cut(rest, "$")
	if !found {
		return 0, "", false
	}
	n, isInt := jsParseInt(v)
	if !isInt || n < 0 {
		return 0, "", false
	}
	return n, data, true
}

// jsParseInt is JavaScript's parseInt(s, 10) followed by Number.isInteger: leading white space, an
// optional sign, then the longest run of decimal digits. ok is false for NaN and the infinities. -0 is 0.
func jsParseInt(s string) (n float64, ok bool) {
	s = strings.TrimLeftFunc(s, isJSSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, false
	}
	n, err := strconv.ParseFloat(s[:end], 64)
	if err != nil || math.IsInf(n, 0) {
		return 0, false
	}
	if neg && n != 0 {
		n = -n
	}
	return n, true
}

// isJSSpace reports whether r is JavaScript white space or a line terminator (String.prototype.trim).
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func trimJSSpace(s string) string { return strings.TrimFunc(s, isJSSpace) }

// seal returns hex(nonce || XChaCha20-Poly1305(SHA-256(secret), nonce, plaintext)).
func seal(secret string, plaintext []byte) string {
	key := sha256.Sum256([]byte(secret))
	aead, _ := chacha20poly1305.NewX(key[:]) // a 32-byte key never fails
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(out) // crypto/rand.Read never fails (Go 1.24+)
	out = aead.Seal(out, out[:chacha20poly1305.NonceSizeX], plaintext, nil)
	return hex.EncodeToString(out)
}

// open reverses seal. Hex digits may be of either case, as @noble/ciphers' hexToBytes accepts.
func open(secret, ciphertext string) (string, error) {
	b, err := hex.DecodeString(ciphertext)
	if err != nil {
		return "", fmt.Errorf("%w: not hex", ErrDecrypt)
	}
	key := sha256.Sum256([]byte(secret))
	aead, _ := chacha20poly1305.NewX(key[:])
	if len(b) < chacha20poly1305.NonceSizeX+aead.Overhead() {
		return "", fmt.Errorf("%w: too short", ErrDecrypt)
	}
	pt, err := aead.Open(nil, b[:chacha20poly1305.NonceSizeX], b[chacha20poly1305.NonceSizeX:], nil)
	if err != nil {
		return "", fmt.Errorf("%w: wrong secret or tampered data", ErrDecrypt)
	}
	return decodeUTF8(pt), nil
}

// decodeUTF8 decodes b as the WHATWG UTF-8 decoder (TextDecoder with its defaults) does: a leading BOM is
// dropped, and each maximal subpart of an invalid sequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	b = trimBOM(b)
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError || size > 1 {
			sb.Write(b[:size])
			b = b[size:]
			continue
		}
		sb.WriteRune(utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return sb.String()
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// maximalSubpart returns the length of the invalid sequence at the start of b that the WHATWG decoder
// replaces with a single U+FFFD: the lead byte plus the continuation bytes that could still have
// completed it.
func maximalSubpart(b []byte) int {
	lo, hi := byte(0x80), byte(0xBF)
	var need int
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for ; n <= need && n < len(b); n++ {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
	}
	return n
}
