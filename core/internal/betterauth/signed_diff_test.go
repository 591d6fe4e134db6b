package betterauth

import (
	"crypto/sha256"
	"net/url"
	"strings"
	"testing"
)

// verifyRef is Verify as it was before it unescaped the signature alone: the whole value unescaped by
// url.PathUnescape, then split at its last dot.
func verifyRef(s *Signer, raw string) (string, bool) {
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

// FuzzVerifyAsPathUnescape: Verify accepts and returns what verifyRef does, on signed values as cookies and
// bearer tokens carry them and on anything else.
func FuzzVerifyAsPathUnescape(f *testing.F) {
	s := NewSigner("a-secret-of-the-right-length-for-better-auth")
	for _, v := range []string{"tok", "t.o.k", "a%b", "x+y/z=", "tok%2E", ""} {
		f.Add(s.Sign(v))
		f.Add(s.SignRaw(v))
		f.Add(s.Sign(v) + "%")
		f.Add(strings.Replace(s.Sign(v), "%3D", "%3d", 1))
		f.Add(strings.Replace(s.Sign(v), ".", "%2E", 1))
	}
	f.Add("%2E" + s.Sign("x"))
	f.Add("a.%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := s.Verify(raw)
		want, wantOK := verifyRef(s, raw)
		if got != want || ok != wantOK {
			t.Fatalf("Verify(%q) = %q, %v; before: %q, %v", raw, got, ok, want, wantOK)
		}
	})
}

// TestVerifyAllocations: checking a signed cookie whose signature alone is escaped allocates nothing.
func TestVerifyAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops values at random")
	}
	s := NewSigner("a-secret-of-the-right-length-for-better-auth")
	cookie := s.Sign("sessiontoken123")
	if !strings.Contains(cookie, "%") {
		t.Fatalf("cookie %q has no escape", cookie)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, ok := s.Verify(cookie); !ok {
			t.Fatal("refused")
		}
	}); n != 0 {
		t.Errorf("Verify allocates %v times", n)
	}
}
