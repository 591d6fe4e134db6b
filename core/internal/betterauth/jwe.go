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
	"hash"
	"sync"
	"unsafe"

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
	key   [64]byte
	kid   string
	block cipher.Block // AES-256 with the key's second half; safe for concurrent use
	macs  *sync.Pool   // *jweMAC: HMAC-SHA512 with the key's first half
}

// jweMAC is a pooled HMAC-SHA512 state and its sum.
type jweMAC struct {
	h   hash.Hash
	sum [sha512.Size]byte
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
		if jk.block, err = aes.NewCipher(jk.key[32:]); err != nil {
			return nil, err
		}
		macKey := jk.key[:32]
		jk.macs = &sync.Pool{New: func() any { return &jweMAC{h: hmac.New(sha512.New, macKey)} }}
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
	if len(token) > MaxCacheBytes {
		return nil, ErrCache
	}
	var dots [4]int
	n := 0
	for i := 0; i < len(token); i++ {
		if token[i] == '.' {
			if n == len(dots) {
				return nil, ErrCache
			}
			dots[n] = i
			n++
		}
	}
	if n != len(dots) || dots[1] != dots[0]+1 {
		return nil, ErrCache // five parts, and "dir" has no encrypted key
	}
	h64, iv64, ct64, tag64 := token[:dots[0]], token[dots[1]+1:dots[2]], token[dots[2]+1:dots[3]], token[dots[3]+1:]
	// The header, IV, ciphertext, tag and plaintext share one buffer; the plaintext returned keeps it.
	hl, il, cl, tl := rawURL.DecodedLen(len(h64)), rawURL.DecodedLen(len(iv64)), rawURL.DecodedLen(len(ct64)), rawURL.DecodedLen(len(tag64))
	buf := make([]byte, hl+il+cl+tl+cl)
	hn, err := rawURL.Decode(buf[:hl], view(h64))
	if err != nil {
		return nil, ErrCache
	}
	hdr := buf[:hn]
	var alg, enc, kid []byte
	var hasKid bool
	err = strictjson.Walk(hdr, func(m strictjson.Member) error {
		// alg and enc are compared as their raw text, escapes unresolved: "di\u0072" is not "dir".
		switch string(m.Key) {
		case "alg":
			alg = hdr[m.Start:m.End]
		case "enc":
			enc = hdr[m.Start:m.End]
		case "kid":
			if m.Kind != strictjson.String {
				return ErrCache
			}
			kid, hasKid = hdr[m.Start:m.End], true
		case "zip", "crit":
			return ErrCache
		}
		return nil
	})
	if err != nil || string(alg) != "dir" || string(enc) != "A256CBC-HS512" {
		return nil, ErrCache
	}
	rest := buf[hl:]
	in, err1 := rawURL.Decode(rest[:il], view(iv64))
	cn, err2 := rawURL.Decode(rest[il:il+cl], view(ct64))
	tn, err3 := rawURL.Decode(rest[il+cl:il+cl+tl], view(tag64))
	iv, ct, tag := rest[:in], rest[il:il+cn], rest[il+cl:il+cl+tn]
	if err1 != nil || err2 != nil || err3 != nil || len(iv) != aes.BlockSize || len(tag) != 32 ||
		len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrCache
	}
	pt := rest[il+cl+tl : il+cl+tl+cn]
	for i := range k.keys {
		key := &k.keys[i]
		if hasKid && subtle.ConstantTimeCompare(kid, view(key.kid)) != 1 {
			continue
		}
		if pt, ok := key.open(view(h64), iv, ct, tag, pt); ok {
			return pt, nil
		}
		if hasKid {
			break
		}
	}
	return nil, ErrCache
}

// view is a read-only []byte view of s, for functions that only read their input.
func view(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// open is AES_256_CBC_HMAC_SHA_512 decryption (RFC 7518 §5.2.2.2) into pt (len(ct) bytes): the tag is
// checked first, in constant time, then the PKCS#7 padding.
func (key *jweKey) open(aad, iv, ct, tag, pt []byte) ([]byte, bool) {
	m := key.macs.Get().(*jweMAC)
	m.h.Reset()
	m.h.Write(aad)
	m.h.Write(iv)
	m.h.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(aad))*8)
	m.h.Write(al[:])
	ok := hmac.Equal(m.h.Sum(m.sum[:0])[:32], tag)
	key.macs.Put(m)
	if !ok {
		return nil, false
	}
	cipher.NewCBCDecrypter(key.block, iv).CryptBlocks(pt, ct)
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
