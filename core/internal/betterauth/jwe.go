package betterauth

// Mirrors better-auth src/crypto/jwt.ts (deriveEncryptionSecret, symmetricDecodeJWT): the "jwe" cookie
// cache strategy.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// Better Auth's key derivation for the session cache: HKDF-SHA256(secret, salt, info) → 64 bytes.
const (
	jweSalt = "better-auth-session"
	jweInfo = "BetterAuth.js Generated Encryption Key"
)

// JWEKeys decrypts "jwe" cookie caches with every configured secret, as Better Auth does after a secret
// rotation: a token's kid (the RFC 7638 thumbprint of the derived key) picks the secret; without a kid each
// secret is tried in order.
type JWEKeys struct {
	keys []jweKey
}

type jweKey struct {
	key [64]byte
	kid string
}

// NewJWEKeys derives the keys for secrets (current first, then older versions, then the legacy secret).
func NewJWEKeys(secrets []string) (*JWEKeys, error) {
	k := &JWEKeys{}
	for _, s := range secrets {
		b, err := hkdf.Key(sha256.New, []byte(s), []byte(jweSalt), jweInfo, 64)
		if err != nil {
			return nil, err
		}
		var jk jweKey
		copy(jk.key[:], b)
		thumb := sha256.Sum256([]byte(`{"k":"` + base64.RawURLEncoding.EncodeToString(b) + `","kty":"oct"}`))
		jk.kid = base64.RawURLEncoding.EncodeToString(thumb[:])
		k.keys = append(k.keys, jk)
	}
	return k, nil
}

// KeyID returns the kid Better Auth puts in tokens encrypted with the first (current) secret.
func (k *JWEKeys) KeyID() string { return k.keys[0].kid }

// Decrypt opens a compact JWE with alg "dir" and enc "A256CBC-HS512" and returns its plaintext (the claims
// JSON). Better Auth also lists A256GCM, but its derived key is 64 bytes, which A256GCM cannot use, so such
// tokens never decrypt there either; they are refused. zip and crit are refused. Every failure returns the
// same error.
func (k *JWEKeys) Decrypt(token string) ([]byte, error) {
	if strings.Count(token, ".") != 4 || len(token) > MaxCacheBytes {
		return nil, ErrCache
	}
	parts := strings.SplitN(token, ".", 5)
	h64, ek, iv64, ct64, tag64 := parts[0], parts[1], parts[2], parts[3], parts[4]
	if ek != "" {
		return nil, ErrCache // "dir" has no encrypted key
	}
	hdr, err := rawURL.DecodeString(h64)
	if err != nil {
		return nil, ErrCache
	}
	var alg, enc, kid string
	var hasKid bool
	err = strictjson.Walk(hdr, func(m strictjson.Member) error {
		val := string(hdr[m.Start:m.End])
		switch string(m.Key) {
		case "alg":
			alg = val
		case "enc":
			enc = val
		case "kid":
			if m.Kind != strictjson.String {
				return ErrCache
			}
			kid, hasKid = val, true
		case "zip", "crit":
			return ErrCache
		}
		return nil
	})
	if err != nil || alg != "dir" || enc != "A256CBC-HS512" {
		return nil, ErrCache
	}
	iv, err1 := rawURL.DecodeString(iv64)
	ct, err2 := rawURL.DecodeString(ct64)
	tag, err3 := rawURL.DecodeString(tag64)
	if err1 != nil || err2 != nil || err3 != nil || len(iv) != aes.BlockSize || len(tag) != 32 ||
		len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrCache
	}
	for i := range k.keys {
		key := &k.keys[i]
		if hasKid && subtle.ConstantTimeCompare([]byte(kid), []byte(key.kid)) != 1 {
			continue
		}
		if pt, ok := openCBCHS512(key.key[:], []byte(h64), iv, ct, tag); ok {
			return pt, nil
		}
		if hasKid {
			break
		}
	}
	return nil, ErrCache
}

// openCBCHS512 is AES_256_CBC_HMAC_SHA_512 decryption (RFC 7518 §5.2.2.2): the tag is checked first, in
// constant time, then the PKCS#7 padding.
func openCBCHS512(key, aad, iv, ct, tag []byte) ([]byte, bool) {
	macKey, encKey := key[:32], key[32:]
	m := hmac.New(sha512.New, macKey)
	m.Write(aad)
	m.Write(iv)
	m.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(aad))*8)
	m.Write(al[:])
	if !hmac.Equal(m.Sum(nil)[:32], tag) {
		return nil, false
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, false
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(pt) {
		return nil, false
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, false
		}
	}
	return pt[:len(pt)-pad], true
}
