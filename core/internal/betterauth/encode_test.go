package betterauth

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// rotatedSecret is the current secret of the tour2 "E" (rotation) captures; the probe secret was the old one.
const rotatedSecret = "rotated-secret-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// captured is one Set-Cookie header Better Auth wrote.
type captured struct {
	source, header string
	name, value    string
	attrs          string // "; Max-Age=…; Path=/; …"
}

func loadSetCookies(t testing.TB) []captured {
	t.Helper()
	f, err := os.Open("testdata/setcookies.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []captured
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		src, h, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		c := captured{source: src, header: h}
		pair, attrs, _ := strings.Cut(h, ";")
		c.name, c.value, _ = strings.Cut(pair, "=")
		c.attrs = ";" + attrs
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 70 {
		t.Fatalf("only %d captured headers", len(out))
	}
	return out
}

// maxAgeOf returns the Max-Age of a captured header, 0 when it has none.
func maxAgeOf(t testing.TB, c captured) time.Duration {
	_, rest, ok := strings.Cut(c.attrs, "; Max-Age=")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.SplitN(rest, ";", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(n) * time.Second
}

// inputFrom rebuilds the CacheInput of a decoded payload through SessionJSON and UserJSON.
func inputFrom(p *Payload, maxAge time.Duration, now time.Time) CacheInput {
	return CacheInput{
		Session:   SessionJSON(p.Session),
		User:      UserJSON(p.User),
		UpdatedAt: time.UnixMilli(p.UpdatedAt),
		Version:   p.Version,
		MaxAge:    maxAge,
		Now:       now,
	}
}

// cacheCaptures returns the captured session_data values (not deletions).
func cacheCaptures(t testing.TB) []captured {
	var out []captured
	for _, c := range loadSetCookies(t) {
		if strings.HasSuffix(c.name, ".session_data") && c.value != "" {
			out = append(out, c)
		}
	}
	return out
}

// Every compact cache Better Auth wrote is rebuilt byte for byte from its own decoded contents.
func TestEncodeCompactCaptures(t *testing.T) {
	v, _ := loadVectors(t)
	s := NewSigner(v.Secret)
	exact, other := 0, 0
	for _, c := range cacheCaptures(t) {
		p, exp, err := s.DecodeCompact(c.value)
		if err != nil {
			continue // jwt or jwe
		}
		t.Run(c.source, func(t *testing.T) {
			maxAge := maxAgeOf(t, c)
			age := maxAge
			if age == 0 {
				age = 60 * time.Second // no Max-Age (rememberMe false): Better Auth's 60 s
			}
			got := s.EncodeCompact(inputFrom(p, maxAge, exp.Add(-age)))
			outer, _ := rawURL.DecodeString(c.value)
			if !strings.HasPrefix(string(outer), `{"session":{"session":{"expiresAt":`) {
				// Better Auth's update-user path re-caches a session object whose keys start with id
				// (its own order differs by code path); the cache still round-trips.
				other++
				if p2, exp2, err := s.DecodeCompact(got); err != nil || exp2 != exp || p2.Session.Token != p.Session.Token {
					t.Fatalf("re-encoded cache does not decode: %v", err)
				}
				return
			}
			exact++
			if got != c.value {
				g, _ := rawURL.DecodeString(got)
				t.Fatalf("EncodeCompact differs\n got  %s\n want %s", g, outer)
			}
		})
	}
	if exact < 15 || other > 2 {
		t.Fatalf("%d byte-exact compact captures, %d in another key order", exact, other)
	}
}

// Every "jwt" (HS256) cache Better Auth wrote is rebuilt byte for byte; go-jose verifies ours.
func TestEncodeJWTCaptures(t *testing.T) {
	v, _ := loadVectors(t)
	s := NewSigner(v.Secret)
	n := 0
	for _, c := range cacheCaptures(t) {
		if strings.Count(c.value, ".") != 2 || !strings.HasPrefix(c.value, hs256Header+".") {
			continue
		}
		n++
		t.Run(c.source, func(t *testing.T) {
			claims := verifyHS256(t, c.value, v.Secret)
			p, err := ParsePayload(claims)
			if err != nil {
				t.Fatal(err)
			}
			var tc struct{ Iat, Exp int64 }
			if err := json.Unmarshal(claims, &tc); err != nil {
				t.Fatal(err)
			}
			maxAge := maxAgeOf(t, c)
			if tc.Exp-tc.Iat != int64(maxAge/time.Second) {
				t.Fatalf("exp-iat = %d, Max-Age %v", tc.Exp-tc.Iat, maxAge)
			}
			got, err := s.EncodeJWTCache(inputFrom(p, maxAge, time.Unix(tc.Iat, 999e6)))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.value {
				t.Fatalf("EncodeJWTCache differs\n got  %s\n want %s", got, c.value)
			}
			verifyHS256(t, got, v.Secret)
		})
	}
	if n == 0 {
		t.Fatal("no jwt captures")
	}
}

// verifyHS256 checks token with go-jose (not our code) and returns its claims.
func verifyHS256(t *testing.T, token, secret string) []byte {
	t.Helper()
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Protected; h.Algorithm != "HS256" || h.KeyID != "" || len(h.ExtraHeaders) != 0 {
		t.Fatalf("header %+v", h)
	}
	claims, err := jws.Verify([]byte(secret))
	if err != nil {
		t.Fatalf("go-jose refused: %v", err)
	}
	return claims
}

// Every "jwe" cache Better Auth wrote decrypts, and encrypting its contents again with its own IV and jti
// gives the identical token; EncryptCache's random tokens decrypt with Decrypt and go-jose and carry the
// same header.
func TestEncryptCacheCaptures(t *testing.T) {
	v, _ := loadVectors(t)
	n := 0
	for _, c := range cacheCaptures(t) {
		if strings.Count(c.value, ".") != 4 {
			continue
		}
		n++
		t.Run(c.source, func(t *testing.T) {
			var k *JWEKeys
			var claims []byte
			for _, secret := range []string{v.Secret, rotatedSecret} {
				kk, _ := NewJWEKeys([]string{secret})
				if pt, err := kk.Decrypt(c.value); err == nil {
					k, claims = kk, pt
					break
				}
			}
			if k == nil {
				t.Fatal("captured JWE decrypts with neither secret")
			}
			p, err := ParsePayload(claims)
			if err != nil {
				t.Fatal(err)
			}
			var tc struct {
				Iat, Exp int64
				Jti      string
			}
			if err := json.Unmarshal(claims, &tc); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(c.value, ".")
			iv, _ := rawURL.DecodeString(parts[2])
			in := inputFrom(p, maxAgeOf(t, c), time.Unix(tc.Iat, 0))
			if got := k.encryptCache(in, iv, tc.Jti); got != c.value {
				t.Fatalf("encryptCache differs\n got  %s\n want %s", got, c.value)
			}

			tok, err := k.EncryptCache(in)
			if err != nil {
				t.Fatal(err)
			}
			if tok == c.value {
				t.Fatal("EncryptCache is not randomised")
			}
			gp := strings.Split(tok, ".")
			if gp[0] != parts[0] || gp[1] != "" || len(gp[2]) != 22 || len(gp[4]) != 43 {
				t.Fatalf("token shape %q vs captured %q", tok, c.value)
			}
			pt, err := k.Decrypt(tok)
			if err != nil {
				t.Fatal(err)
			}
			var gc struct {
				Iat, Exp int64
				Jti      string
			}
			if err := json.Unmarshal(pt, &gc); err != nil || gc.Iat != tc.Iat || gc.Exp != tc.Exp || !isUUIDv4(gc.Jti) {
				t.Fatalf("claims %s (%v)", pt, err)
			}
			obj, err := jose.ParseEncrypted(tok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512})
			if err != nil {
				t.Fatal(err)
			}
			if obj.Header.KeyID != k.KeyID() {
				t.Fatalf("kid %q, want %q", obj.Header.KeyID, k.KeyID())
			}
			if b, err := obj.Decrypt(k.keys[0].key[:]); err != nil || string(b) != string(pt) {
				t.Fatalf("go-jose: %v", err)
			}
		})
	}
	if n < 3 {
		t.Fatalf("%d jwe captures", n)
	}
}

func isUUIDv4(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' || s[14] != '4' ||
		!strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for _, c := range strings.ReplaceAll(s, "-", "") {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Round trips through the decoders, and the defaults of CacheInput.
func TestEncodeRoundTrip(t *testing.T) {
	secret := "roundtrip-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	s := NewSigner(secret)
	k, _ := NewJWEKeys([]string{secret, "older-secret-0123456789abcdefghijklmnopqrstuvwxyz"})
	now := time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.UTC)
	sess, user := sampleRecords(now)
	tests := []struct {
		name       string
		in         CacheInput
		wantExpMS  int64 // compact expiresAt
		wantExpSec int64 // jwt/jwe exp
		version    string
	}{
		{"maxAge 300", CacheInput{MaxAge: 300 * time.Second, Now: now}, now.UnixMilli() + 300e3, now.Unix() + 300, "1"},
		{"no Max-Age", CacheInput{Now: now}, now.UnixMilli() + 60e3, now.Unix() + 300, "1"},
		{"version and updatedAt", CacheInput{MaxAge: time.Hour, Now: now, Version: `v"2`, UpdatedAt: now.Add(-time.Second)},
			now.UnixMilli() + 3600e3, now.Unix() + 3600, `v"2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Session, in.User = SessionJSON(sess), UserJSON(user)
			wantUpdated := now.UnixMilli()
			if !in.UpdatedAt.IsZero() {
				wantUpdated = in.UpdatedAt.UnixMilli()
			}
			check := func(p *Payload) {
				t.Helper()
				if p.Session.Token != sess.Token || p.Session.ID != sess.ID || !p.Session.ExpiresAt.Equal(sess.ExpiresAt) ||
					p.User.Email != user.Email || p.User.Name != user.Name || p.User.Role != user.Role ||
					p.Version != tt.version || p.UpdatedAt != wantUpdated || p.Session.Additional["activeOrganizationId"] != "org" {
					t.Fatalf("payload %+v", p)
				}
			}

			p, exp, err := s.DecodeCompact(s.EncodeCompact(in))
			if err != nil || exp.UnixMilli() != tt.wantExpMS {
				t.Fatalf("compact: %v, exp %v", err, exp)
			}
			check(p)
			if _, _, err := NewSigner(secret + "x").DecodeCompact(s.EncodeCompact(in)); err == nil {
				t.Fatal("compact opened with another secret")
			}

			tok, err := s.EncodeJWTCache(in)
			if err != nil {
				t.Fatal(err)
			}
			claims := verifyHS256(t, tok, secret)
			if p, err = ParsePayload(claims); err != nil {
				t.Fatal(err)
			}
			check(p)
			var tc struct{ Iat, Exp int64 }
			_ = json.Unmarshal(claims, &tc)
			if tc.Iat != now.Unix() || tc.Exp != tt.wantExpSec {
				t.Fatalf("jwt iat %d exp %d", tc.Iat, tc.Exp)
			}

			jwe, err := k.EncryptCache(in)
			if err != nil {
				t.Fatal(err)
			}
			pt, err := k.Decrypt(jwe)
			if err != nil {
				t.Fatal(err)
			}
			if p, err = ParsePayload(pt); err != nil {
				t.Fatal(err)
			}
			check(p)
			// After a rotation the old current key still opens it (by kid).
			k2, _ := NewJWEKeys([]string{"newer-secret-0123456789abcdefghijklmnopqrstuvwxyz", secret})
			if _, err := k2.Decrypt(jwe); err != nil {
				t.Fatalf("rotated: %v", err)
			}
		})
	}
}

// The jwt and jwe encoders refuse input that is not two JSON objects.
func TestEncodeBadInput(t *testing.T) {
	s := NewSigner("x-secret-0123456789abcdefghijklmnopqrstuvwxyz")
	k, _ := NewJWEKeys([]string{"x-secret-0123456789abcdefghijklmnopqrstuvwxyz"})
	for _, in := range []CacheInput{{}, {Session: []byte(`{}`)}, {Session: []byte(`[]`), User: []byte(`{}`)}} {
		if _, err := s.EncodeJWTCache(in); err == nil {
			t.Errorf("jwt accepted %+v", in)
		}
		if _, err := k.EncryptCache(in); err == nil {
			t.Errorf("jwe accepted %+v", in)
		}
	}
	// Compact has no error: empty objects still give a value Better Auth refuses (no id), and so do we.
	if _, _, err := s.DecodeCompact(s.EncodeCompact(CacheInput{})); err == nil {
		t.Error("empty compact cache decoded")
	}
}

func sampleRecords(now time.Time) (sess store.Session, user store.User) {
	sess = store.Session{
		ID: "sessid0123456789abcdefghijklmnop", Token: "tok0123456789abcdefghijklmnopqrs", UserID: "userid0123456789abcdefghijklmnop",
		ExpiresAt: now.Add(7 * 24 * time.Hour), CreatedAt: now, UpdatedAt: now, IPAddress: "203.0.113.7", UserAgent: "Go-test/1.0",
		Additional: map[string]any{"activeOrganizationId": "org", "impersonatedBy": nil},
	}
	user = store.User{
		ID: sess.UserID, Email: "zoë@example.com", Name: `Zoë "<&>" ` + "\u2028", EmailVerified: true, Role: "admin",
		Additional: map[string]any{"createdAt": "2029-12-31T00:00:00.000Z", "updatedAt": "2030-01-01T00:00:00.000Z", "banned": false, "bio": "x"},
	}
	return sess, user
}

func BenchmarkEncodeCompact(b *testing.B) {
	v, _ := loadVectors(b)
	s := NewSigner(v.Secret)
	now := time.Now()
	sess, user := sampleRecords(now)
	in := CacheInput{Session: SessionJSON(sess), User: UserJSON(user), MaxAge: 300 * time.Second, Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if s.EncodeCompact(in) == "" {
			b.Fatal("empty")
		}
	}
}

// BenchmarkEncodeCompactRecords includes SessionJSON and UserJSON, as a server writing a cache does.
func BenchmarkEncodeCompactRecords(b *testing.B) {
	v, _ := loadVectors(b)
	s := NewSigner(v.Secret)
	now := time.Now()
	sess, user := sampleRecords(now)
	b.ReportAllocs()
	for b.Loop() {
		in := CacheInput{Session: SessionJSON(sess), User: UserJSON(user), MaxAge: 300 * time.Second, Now: now}
		if s.EncodeCompact(in) == "" {
			b.Fatal("empty")
		}
	}
}

func BenchmarkEncodeJWTCache(b *testing.B) {
	v, _ := loadVectors(b)
	s := NewSigner(v.Secret)
	now := time.Now()
	sess, user := sampleRecords(now)
	in := CacheInput{Session: SessionJSON(sess), User: UserJSON(user), MaxAge: 300 * time.Second, Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.EncodeJWTCache(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptCache(b *testing.B) {
	v, _ := loadVectors(b)
	k, _ := NewJWEKeys([]string{v.Secret})
	now := time.Now()
	sess, user := sampleRecords(now)
	in := CacheInput{Session: SessionJSON(sess), User: UserJSON(user), MaxAge: 300 * time.Second, Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.EncryptCache(in); err != nil {
			b.Fatal(err)
		}
	}
}
