package betterauth

// Mirrors better-call src/crypto.ts (signCookieValue, verifySignature) and src/context.ts (getSignedCookie).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/url"
	"strings"
	"sync"
)

// sigLen is the length of a signature in a signed value: standard base64 of 32 bytes, with padding.
const sigLen = 44

var stdStrict = base64.StdEncoding.Strict()

// Signer computes and checks HMAC-SHA256 with one key, the way Better Auth uses its secret: signed cookies,
// bearer tokens, the compact cookie cache and HS256 tokens. It pools its hash states, so a check costs no
// allocation. It is safe for concurrent use.
type Signer struct{ pool sync.Pool }

type macState struct {
	mac hash.Hash
	sum [sha256.Size]byte
}

// NewSigner returns a Signer keyed with the UTF-8 bytes of secret, used as is (Better Auth derives nothing).
func NewSigner(secret string) *Signer {
	key := []byte(secret)
	s := &Signer{}
	s.pool.New = func() any { return &macState{mac: hmac.New(sha256.New, key)} }
	return s
}

// Equal reports whether mac is HMAC-SHA256(key, msg), in constant time.
func (s *Signer) Equal(msg, mac []byte) bool {
	if len(mac) != sha256.Size {
		return false
	}
	st := s.pool.Get().(*macState)
	st.mac.Reset()
	st.mac.Write(msg)
	ok := hmac.Equal(st.mac.Sum(st.sum[:0]), mac)
	s.pool.Put(st)
	return ok
}

// equalParts reports whether mac is HMAC-SHA256(key) of the concatenated parts, in constant time.
func (s *Signer) equalParts(mac []byte, parts ...[]byte) bool {
	if len(mac) != sha256.Size {
		return false
	}
	st := s.pool.Get().(*macState)
	st.mac.Reset()
	for _, p := range parts {
		st.mac.Write(p)
	}
	ok := hmac.Equal(st.mac.Sum(st.sum[:0]), mac)
	s.pool.Put(st)
	return ok
}

// Sum returns HMAC-SHA256(key, msg).
func (s *Signer) Sum(msg []byte) []byte {
	st := s.pool.Get().(*macState)
	st.mac.Reset()
	st.mac.Write(msg)
	out := st.mac.Sum(nil)
	s.pool.Put(st)
	return out
}

// uriEscaper does what encodeURIComponent does to the characters of tokens and standard base64.
var uriEscaper = strings.NewReplacer("%", "%25", "+", "%2B", "/", "%2F", "=", "%3D")

// Sign returns the cookie value Better Auth writes for value: encodeURIComponent(value + "." +
// base64(HMAC-SHA256(secret, value))).
func (s *Signer) Sign(value string) string {
	return uriEscaper.Replace(s.SignRaw(value))
}

// SignRaw returns value + "." + base64(HMAC-SHA256(secret, value)) without URL encoding: the bearer plugin's
// set-auth-token header.
func (s *Signer) SignRaw(value string) string {
	return value + "." + base64.StdEncoding.EncodeToString(s.Sum([]byte(value)))
}

// Verify checks a signed value as Better Auth reads one and returns the value inside. raw is the cookie
// value as sent (URL-encoded) or already decoded (the bearer plugin's set-auth-token form): it is
// URL-decoded once with decodeURIComponent semantics ("+" stays "+", an invalid escape fails), split at the
// last ".", and the signature must be exactly 44 characters of padded standard base64.
func (s *Signer) Verify(raw string) (string, bool) {
	v := raw
	if strings.IndexByte(v, '%') >= 0 {
		d, err := url.PathUnescape(v)
		if err != nil {
			return "", false
		}
		v = d
	}
	dot := strings.LastIndexByte(v, '.')
	if dot < 1 || len(v)-dot-1 != sigLen || v[len(v)-1] != '=' {
		return "", false
	}
	var sig [33]byte
	n, err := stdStrict.Decode(sig[:], []byte(v[dot+1:]))
	if err != nil || n != sha256.Size {
		return "", false
	}
	value := v[:dot]
	if !s.Equal([]byte(value), sig[:n]) {
		return "", false
	}
	return value, true
}
