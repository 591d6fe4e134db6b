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

// storedAPIKeyVector has the shape the api-key plugin's serializeApiKey writes for a key created with
// storage: "secondary-storage" (createApiKey's data plus id; permissions as JSON text, metadata an object).
const storedAPIKeyVector = `{"configId":"default","createdAt":"2026-05-01T10:00:00.123Z","updatedAt":"2026-05-01T10:00:00.123Z","name":null,"prefix":null,"start":"AbCdEf","key":"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sEbDwCgg","enabled":true,"expiresAt":null,"referenceId":"u1","lastRefillAt":null,"lastRequest":null,"metadata":{"plan":"pro"},"rateLimitMax":10,"rateLimitTimeWindow":86400000,"remaining":5,"refillAmount":null,"refillInterval":null,"rateLimitEnabled":true,"requestCount":0,"permissions":"{\"files\":[\"read\"]}","id":"k1"}`

// FuzzParseStoredAPIKey: any value parses or is refused without panicking; what parses writes back to a
// value that parses to the same key.
func FuzzParseStoredAPIKey(f *testing.F) {
	f.Add([]byte(storedAPIKeyVector))
	f.Add([]byte(`{"id":"k","key":"h","referenceId":"u","createdAt":"2026-01-01T00:00:00.000Z","remaining":1.5}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sk, ok := ParseStoredAPIKey(raw)
		if !ok {
			return
		}
		again, ok := ParseStoredAPIKey(sk.MarshalCounters())
		if !ok || again.Key.ID != sk.Key.ID || again.Key.Key != sk.Key.Key || again.Key.RequestCount != sk.Key.RequestCount ||
			(again.Key.Remaining == nil) != (sk.Key.Remaining == nil) || again.Key.Enabled != sk.Key.Enabled {
			t.Fatalf("round trip: %+v → %+v", sk.Key, again)
		}
	})
}
