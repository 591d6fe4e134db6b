package betterauth

import (
	"strings"
	"testing"
)

// FuzzSignedVerify: only values this secret signed verify, and what comes out is what was signed.
func FuzzSignedVerify(f *testing.F) {
	v, get := loadVectors(f)
	s := NewSigner(v.Secret)
	signed := map[string]bool{}
	for name := range v.Strategies {
		f.Add(get(name, "better-auth.session_token"))
		f.Add(get(name, "set-auth-token"))
		tok, _ := s.Verify(get(name, "better-auth.session_token"))
		signed[tok] = true
	}
	f.Add("true.AAAA%3D")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, ok := s.Verify(raw)
		if ok && !signed[tok] {
			t.Fatalf("verified a value nobody signed: %q from %q", tok, raw)
		}
	})
}

// FuzzRead: any Cookie header parses without panicking; the session token is taken only from an exact
// name, and chunks join only when contiguous.
func FuzzRead(f *testing.F) {
	f.Add("better-auth.session_token=a.b; better-auth.session_data.0=x; better-auth.session_data.1=y")
	f.Add(`__Secure-better-auth.session_token="v"; better-auth.session_token=w`)
	f.Add("better-auth.session_data.01=a;;;=;better-auth.session_data=")
	names := NewNames("", true, Names{})
	f.Fuzz(func(t *testing.T, header string) {
		j, err := Read([]string{header}, names)
		if err != nil {
			return
		}
		if j.SessionToken != "" && !strings.Contains(header, names.SessionToken) {
			t.Fatalf("token %q from a header without the secure name", j.SessionToken)
		}
		if len(j.SessionData) > MaxCacheBytes {
			t.Fatalf("cache of %d bytes", len(j.SessionData))
		}
	})
}

// FuzzDecodeCompact: only caches signed with the secret are accepted, and then their payload parses.
func FuzzDecodeCompact(f *testing.F) {
	v, get := loadVectors(f)
	s := NewSigner(v.Secret)
	real := get("compact", "better-auth.session_data")
	f.Add(real)
	f.Add(real[:100])
	f.Add(b64(`{"session":{},"expiresAt":1,"signature":"x"}`))
	f.Fuzz(func(t *testing.T, value string) {
		p, _, err := s.DecodeCompact(value)
		if err == nil && (p == nil || value != real) {
			t.Fatalf("accepted a cache Better Auth did not sign: %q", value)
		}
	})
}

// FuzzJWEDecrypt: no panic, and only the captured token decrypts.
func FuzzJWEDecrypt(f *testing.F) {
	v, get := loadVectors(f)
	k, _ := NewJWEKeys([]string{v.Secret})
	real := get("jwe", "better-auth.session_data")
	f.Add(real)
	f.Add("a.b.c.d.e")
	f.Fuzz(func(t *testing.T, tok string) {
		if _, err := k.Decrypt(tok); err == nil && tok != real {
			t.Fatalf("decrypted a token Better Auth did not make: %q", tok)
		}
	})
}
