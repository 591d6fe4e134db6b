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
	msg []byte // equalString's copy of its message
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

// equalString is Equal for a message held as a string: it is copied into the pooled state, not into a new
// slice.
func (s *Signer) equalString(msg string, mac []byte) bool {
	if len(mac) != sha256.Size {
		return false
	}
	st := s.pool.Get().(*macState)
	st.msg = append(st.msg[:0], msg...)
	st.mac.Reset()
	st.mac.Write(st.msg)
	ok := hmac.Equal(st.mac.Sum(st.sum[:0]), mac)
	if cap(st.msg) > 4096 {
		st.msg = nil // a huge value is not kept for the next check
	}
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
	var sigText []byte
	var buf [sigLen]byte
	if strings.IndexByte(v, '%') >= 0 {
		// A cookie has its signature's "+", "/" and "=" escaped and, as a rule, nothing before it: the
		// signature is then unescaped into buf and the value is raw's own text, without an allocation.
		// Anything else is unescaped whole.
		if dot := strings.LastIndexByte(v, '.'); dot >= 1 && strings.IndexByte(v[:dot], '%') < 0 {
			if tail, ok := unescapeSig(buf[:0], v[dot+1:]); ok {
				v, sigText = v[:dot], tail
			}
		}
		if sigText == nil {
			d, err := url.PathUnescape(v)
			if err != nil {
				return "", false
			}
			v = d
		}
	}
	if sigText == nil {
		dot := strings.LastIndexByte(v, '.')
		if dot < 1 || len(v)-dot-1 != sigLen {
			return "", false
		}
		v, sigText = v[:dot], append(buf[:0], v[dot+1:]...)
	}
	if len(sigText) != sigLen || sigText[sigLen-1] != '=' {
		return "", false
	}
	var sig [33]byte
	n, err := stdStrict.Decode(sig[:], sigText)
	if err != nil || n != sha256.Size {
		return "", false
	}
	if !s.equalString(v, sig[:n]) {
		return "", false
	}
	return v, true
}

// unescapeSig appends to dst (of capacity sigLen) the signature text s unescaped as url.PathUnescape
// does. It reports false when s does not unescape to at most sigLen bytes without a dot: the caller then
// unescapes the whole value as before.
func unescapeSig(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return nil, false
			}
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if c == '.' || len(dst) == cap(dst) {
			return nil, false
		}
		dst = append(dst, c)
	}
	return dst, true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
