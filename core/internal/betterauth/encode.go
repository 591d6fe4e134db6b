package betterauth

// Mirrors better-auth src/cookies/index.ts (setCookieCache: the payload and the compact strategy) and
// src/crypto/jwt.ts (signJWT for the "jwt" strategy, symmetricEncodeJWT for "jwe"), with jose's SignJWT and
// EncryptJWT claim order.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"time"
)

// Better Auth's fallbacks when the cache cookie has no Max-Age (rememberMe false): the compact value then
// expires after 60 s, the jwt and jwe values after 300 s.
const (
	compactDefaultAge = 60
	tokenDefaultAge   = 300
)

// errCacheInput means a CacheInput's Session or User is not a JSON object.
var errCacheInput = errors.New("betterauth: cookie cache input: session and user must be JSON objects")

// CacheInput is what a cookie cache holds, and when it is written.
type CacheInput struct {
	// Session and User are the session and user objects, as [SessionJSON] and [UserJSON] write them. They
	// are copied into the cache as they are.
	Session, User []byte
	// UpdatedAt is the payload's updatedAt (Better Auth's Date.now() when it builds the payload). Zero
	// means Now.
	UpdatedAt time.Time
	// Version is the payload's version. "" means "1", Better Auth's default.
	Version string
	// MaxAge is the cache cookie's Max-Age, in whole seconds; the cache expires MaxAge after Now. Zero means
	// the cookie has no Max-Age (rememberMe false), and then, as in Better Auth, the compact value expires
	// after 60 s and the jwt and jwe values after 300 s.
	MaxAge time.Duration
	// Now is when the cache is written. Zero means time.Now().
	Now time.Time
}

func (in *CacheInput) now() time.Time {
	if in.Now.IsZero() {
		return time.Now()
	}
	return in.Now
}

// age returns MaxAge in seconds, or def when it is zero (JavaScript's maxAge || def).
func (in *CacheInput) age(def int64) int64 {
	if s := int64(in.MaxAge / time.Second); s != 0 {
		return s
	}
	return def
}

// Payload returns the cache payload as Better Auth's JSON.stringify writes it:
// {"session":<Session>,"user":<User>,"updatedAt":<ms>,"version":"<Version>"}.
func (in CacheInput) Payload() []byte {
	updated := in.UpdatedAt
	if updated.IsZero() {
		updated = in.now()
	}
	version := in.Version
	if version == "" {
		version = "1"
	}
	b := make([]byte, 0, len(in.Session)+len(in.User)+len(version)+96)
	b = append(b, `{"session":`...)
	b = appendRaw(b, in.Session)
	b = append(b, `,"user":`...)
	b = appendRaw(b, in.User)
	b = append(b, `,"updatedAt":`...)
	b = strconv.AppendInt(b, updated.UnixMilli(), 10)
	b = append(b, `,"version":`...)
	b = AppendJSString(b, version)
	return append(b, '}')
}

func appendRaw(b, v []byte) []byte {
	if len(v) == 0 {
		return append(b, "null"...)
	}
	return append(b, v...)
}

// valid reports whether Session and User look like JSON objects (a cheap check, not a parse).
func (in *CacheInput) valid() bool {
	obj := func(b []byte) bool { return len(b) >= 2 && b[0] == '{' && b[len(b)-1] == '}' }
	return obj(in.Session) && obj(in.User)
}

// withMembers returns the JSON object obj with extra members (`"k":v,…`, no leading comma) spliced in
// before its closing brace: what JavaScript's {...obj, k: v} then JSON.stringify produces.
func withMembers(obj []byte, extra ...[]byte) []byte {
	n := len(obj)
	for _, e := range extra {
		n += len(e)
	}
	b := make([]byte, 0, n+1)
	b = append(b, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		b = append(b, ',')
	}
	for _, e := range extra {
		b = append(b, e...)
	}
	return append(b, '}')
}

// EncodeCompact returns the "compact" cookie cache value Better Auth writes for in: base64url (no padding)
// of {"session":<payload>,"expiresAt":<ms>,"signature":"<sig>"}, where expiresAt is Now + MaxAge and sig
// is base64url(HMAC-SHA256(secret, <payload with ,"expiresAt":<ms> before its closing brace>)). For the
// same inputs it is byte for byte what Better Auth writes, and [Signer.DecodeCompact] opens it. Session
// and User are not checked: anything but JSON objects gives a value Better Auth refuses.
func (s *Signer) EncodeCompact(in CacheInput) string {
	in.Now = in.now()
	p := in.Payload()
	exp := strconv.AppendInt(make([]byte, 0, 32), in.Now.UnixMilli()+in.age(compactDefaultAge)*1000, 10)
	signed := withMembers(p, []byte(`"expiresAt":`), exp)
	var sig [43]byte
	rawURL.Encode(sig[:], s.Sum(signed))
	outer := make([]byte, 0, len(p)+len(exp)+len(sig)+48)
	outer = append(outer, `{"session":`...)
	outer = append(outer, p...)
	outer = append(outer, `,"expiresAt":`...)
	outer = append(outer, exp...)
	outer = append(outer, `,"signature":"`...)
	outer = append(outer, sig[:]...)
	outer = append(outer, `"}`...)
	return base64.RawURLEncoding.EncodeToString(outer)
}

// hs256Header is base64url({"alg":"HS256"}), the only header signJWT sets.
const hs256Header = "eyJhbGciOiJIUzI1NiJ9"

// EncodeJWTCache returns the "jwt" cookie cache value Better Auth's default signer (signJWT) writes: a
// compact JWS with header {"alg":"HS256"}, HMAC-SHA256 keyed with the secret, and claims = the payload +
// "iat" (Now, in seconds) + "exp" (iat + MaxAge). It is deterministic: for the same inputs it is the token
// Better Auth writes. It fails only when Session or User is not a JSON object.
func (s *Signer) EncodeJWTCache(in CacheInput) (string, error) {
	if !in.valid() {
		return "", errCacheInput
	}
	in.Now = in.now()
	iat := in.Now.Unix()
	claims := withMembers(in.Payload(), timeClaims(iat, iat+in.age(tokenDefaultAge))...)
	b := make([]byte, 0, len(hs256Header)+1+rawURL.EncodedLen(len(claims))+1+43)
	b = append(b, hs256Header...)
	b = append(b, '.')
	b = rawURL.AppendEncode(b, claims)
	sum := s.Sum(b)
	b = append(b, '.')
	b = rawURL.AppendEncode(b, sum)
	return string(b), nil
}

// timeClaims returns `"iat":<iat>,"exp":<exp>` as members for withMembers.
func timeClaims(iat, exp int64) [][]byte {
	b := make([]byte, 0, 40)
	b = append(b, `"iat":`...)
	b = strconv.AppendInt(b, iat, 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, exp, 10)
	return [][]byte{b}
}

// EncryptCache returns the "jwe" cookie cache value Better Auth's symmetricEncodeJWT writes: a compact JWE
// with header {"alg":"dir","enc":"A256CBC-HS512","kid":"<current key's thumbprint>"}, encrypted with the
// key derived from the first (current) secret, a random IV, and claims = the payload + "iat" (Now, in
// seconds) + "exp" (iat + MaxAge) + "jti" (a random UUID). [JWEKeys.Decrypt] and Better Auth open it. It
// fails only when Session or User is not a JSON object.
func (k *JWEKeys) EncryptCache(in CacheInput) (string, error) {
	if !in.valid() {
		return "", errCacheInput
	}
	var iv [aes.BlockSize]byte
	_, _ = rand.Read(iv[:]) // crypto/rand.Read never fails (Go 1.24+)
	return k.encryptCache(in, iv[:], newUUID()), nil
}

// encryptCache is EncryptCache with the IV and jti given.
func (k *JWEKeys) encryptCache(in CacheInput, iv []byte, jti string) string {
	in.Now = in.now()
	iat := in.Now.Unix()
	members := timeClaims(iat, iat+in.age(tokenDefaultAge))
	members = append(members, AppendJSString([]byte(`,"jti":`), jti))
	claims := withMembers(in.Payload(), members...)
	key := &k.keys[0]
	h64 := rawURL.EncodeToString([]byte(`{"alg":"dir","enc":"A256CBC-HS512","kid":` + string(AppendJSString(nil, key.kid)) + `}`))
	ct, tag := sealCBCHS512(key.key[:], []byte(h64), iv, claims)
	b := make([]byte, 0, len(h64)+2+22+1+rawURL.EncodedLen(len(ct))+1+43)
	b = append(b, h64...)
	b = append(b, '.', '.')
	b = rawURL.AppendEncode(b, iv)
	b = append(b, '.')
	b = rawURL.AppendEncode(b, ct)
	b = append(b, '.')
	b = rawURL.AppendEncode(b, tag)
	return string(b)
}

// sealCBCHS512 is AES_256_CBC_HMAC_SHA_512 encryption (RFC 7518 §5.2.2.1): PKCS#7 padding, AES-256-CBC
// with the key's second half, then the tag: the first 32 bytes of HMAC-SHA512(first half, AAD || IV ||
// ciphertext || AL), AL being the AAD's length in bits as a 64-bit big-endian number.
func sealCBCHS512(key, aad, iv, pt []byte) (ct, tag []byte) {
	macKey, encKey := key[:32], key[32:]
	pad := aes.BlockSize - len(pt)%aes.BlockSize
	ct = make([]byte, len(pt)+pad)
	copy(ct, pt)
	for i := len(pt); i < len(ct); i++ {
		ct[i] = byte(pad)
	}
	block, _ := aes.NewCipher(encKey) // cannot fail: the key is 32 bytes
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
	m := hmac.New(sha512.New, macKey)
	m.Write(aad)
	m.Write(iv)
	m.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(aad))*8)
	m.Write(al[:])
	return ct, m.Sum(nil)[:32]
}

// newUUID returns a random (version 4) UUID in lower case, as crypto.randomUUID does.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return string(b)
}
