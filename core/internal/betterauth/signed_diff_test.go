package betterauth

import (
	"crypto/sha256"
	"net/url"
	"strings"
	"testing"
)

// verifyPathUnescape is Signer.Verify as it was before it decoded into a pooled buffer: url.PathUnescape,
// then the split and the check. The pooled version must answer every value as it did.
func verifyPathUnescape(s *Signer, raw string) (string, bool) {
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

// FuzzVerifyAsPathUnescape: appendPathUnescape decodes (and refuses) exactly what url.PathUnescape does,
// and Verify answers every value as the url.PathUnescape version did. Seeds: signed values with and
// without escapes before and after the dot, and broken escapes.
func FuzzVerifyAsPathUnescape(f *testing.F) {
	s := NewSigner("better-auth-secret-123456789012345678901234567890")
	for _, v := range []string{"tok", "a%2Eb", "x+y", "", "%", "100%"} {
		f.Add(s.Sign(v))
		f.Add(s.SignRaw(v))
	}
	f.Add("%zz.abc")
	f.Add("%4")
	f.Add("%41%")
	f.Add("%C3%A9.%2B%2F%3D")
	f.Fuzz(func(t *testing.T, raw string) {
		want, werr := url.PathUnescape(raw)
		got, ok := appendPathUnescape([]byte("prefix"), raw)
		if ok != (werr == nil) || (ok && string(got[len("prefix"):]) != want) {
			t.Fatalf("appendPathUnescape(%q) = %q, %v; url.PathUnescape: %q, %v", raw, got, ok, want, werr)
		}
		v1, ok1 := s.Verify(raw)
		v2, ok2 := verifyPathUnescape(s, raw)
		if v1 != v2 || ok1 != ok2 {
			t.Fatalf("Verify(%q) = %q, %v; before: %q, %v", raw, v1, ok1, v2, ok2)
		}
	})
}

// TestVerifyAllocs: checking a signed cookie value allocates nothing, escaped or not.
func TestVerifyAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops items")
	}
	s := NewSigner("better-auth-secret-123456789012345678901234567890")
	for _, raw := range []string{s.Sign("abcdefghijklmnopqrstuvwxyz012345"), s.SignRaw("abcdefghijklmnopqrstuvwxyz012345")} {
		if v, ok := s.Verify(raw); !ok || v != "abcdefghijklmnopqrstuvwxyz012345" {
			t.Fatalf("Verify(%q) = %q, %v", raw, v, ok)
		}
		if n := testing.AllocsPerRun(100, func() { s.Verify(raw) }); n != 0 {
			t.Errorf("Verify(%q): %v allocations, want 0", raw, n)
		}
	}
}
