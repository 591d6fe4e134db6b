package betterauth

// Mirrors better-call src/crypto.ts (signCookieValue, verifySignature) and src/context.ts (getSignedCookie).

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"
	"sync"
	"unsafe"
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
	buf []byte // Verify's URL-decoding buffer
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
	st := s.pool.Get().(*macState)
	defer s.pool.Put(st)
	// v is raw URL-decoded into the pooled state's buffer, or raw's own bytes (only read) when it has no
	// escape: the check allocates nothing, and neither does the answer unless an escape precedes the dot.
	esc := strings.IndexByte(raw, '%')
	var v []byte
	if esc >= 0 {
		var ok bool
		if st.buf, ok = appendPathUnescape(st.buf[:0], raw); !ok {
			return "", false
		}
		v = st.buf
		if cap(st.buf) > maxPooledBuf {
			st.buf = nil
		}
	} else {
		v = unsafe.Slice(unsafe.StringData(raw), len(raw))
	}
	dot := bytes.LastIndexByte(v, '.')
	if dot < 1 || len(v)-dot-1 != sigLen || v[len(v)-1] != '=' {
		return "", false
	}
	var sig [33]byte
	n, err := stdStrict.Decode(sig[:], v[dot+1:])
	if err != nil || n != sha256.Size {
		return "", false
	}
	st.mac.Reset()
	st.mac.Write(v[:dot])
	if !hmac.Equal(st.mac.Sum(st.sum[:0]), sig[:n]) {
		return "", false
	}
	if esc < 0 || esc >= dot {
		return raw[:dot], true // raw[:dot] has no escape, so it is the decoded value
	}
	return string(v[:dot]), true
}

// maxPooledBuf bounds the buffer a pooled hash state keeps for decoding.
const maxPooledBuf = 4096

// appendPathUnescape appends s with its %XX escapes decoded, as url.PathUnescape decodes it ("+" stays
// "+"); it reports false where url.PathUnescape fails (a "%" without two hex digits after it).
func appendPathUnescape(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			j := strings.IndexByte(s[i:], '%')
			if j < 0 {
				return append(dst, s[i:]...), true
			}
			dst = append(dst, s[i:i+j]...)
			i += j
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, hi<<4|lo)
		i += 3
	}
	return dst, true
}

// unhex returns the value of one hexadecimal digit.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
