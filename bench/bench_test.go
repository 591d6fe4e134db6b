package bench

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Each BenchmarkALG verifies one token on every path, side by side:
//
//	raw                    the bare signature check on the same bytes (the floor)
//	gobetterauth-verify    (*auth.Auth).VerifyToken
//	gobetterauth-authhttp  authhttp.Middleware serving a request
//	golang-jwt             golang-jwt/v5 Parser.Parse with equivalent checks and a map kid → key
//	golang-jwt-keyfunc     the same with MicahParks/keyfunc/v3 over the live JWKS
//	golang-jwt-http        golang-jwt in an equivalent net/http middleware
//
// Every path is checked to accept the token before the timer starts and on every iteration, so no benchmark
// measures a rejection.

func BenchmarkEdDSA(b *testing.B) {
	f := newJWKSFixture(b, "EdDSA")
	b.Run("raw", func(b *testing.B) { benchRaw(b, f) })
	b.Run("gobetterauth-verify", func(b *testing.B) { benchVerify(b, f.ours, f.tok) })
	b.Run("gobetterauth-authhttp", func(b *testing.B) { benchHTTP(b, authhttp.Middleware(f.ours), f.tok) })
	b.Run("golang-jwt", func(b *testing.B) { benchGolangJWT(b, f.parser, f.keyfunc, f.tok) })
	b.Run("golang-jwt-keyfunc", func(b *testing.B) { benchGolangJWT(b, f.parser, f.keyfuncV3(b), f.tok) })
	b.Run("golang-jwt-http", func(b *testing.B) {
		benchHTTP(b, golangJWTMiddleware(f.parser, f.keyfunc), f.tok)
	})
}

func BenchmarkHS256(b *testing.B) {
	f := newHS256Fixture(b)
	b.Run("raw", func(b *testing.B) { benchRaw(b, f) })
	b.Run("gobetterauth-verify", func(b *testing.B) { benchVerify(b, f.ours, f.tok) })
	b.Run("gobetterauth-authhttp", func(b *testing.B) { benchHTTP(b, authhttp.Middleware(f.ours), f.tok) })
	b.Run("golang-jwt", func(b *testing.B) { benchGolangJWT(b, f.parser, f.keyfunc, f.tok) })
	b.Run("golang-jwt-http", func(b *testing.B) {
		benchHTTP(b, golangJWTMiddleware(f.parser, f.keyfunc), f.tok)
	})
}

func BenchmarkES256(b *testing.B) { benchAsymmetric(b, "ES256") }
func BenchmarkRS256(b *testing.B) { benchAsymmetric(b, "RS256") }
func BenchmarkPS256(b *testing.B) { benchAsymmetric(b, "PS256") }

func benchAsymmetric(b *testing.B, alg string) {
	f := newJWKSFixture(b, alg)
	b.Run("raw", func(b *testing.B) { benchRaw(b, f) })
	b.Run("gobetterauth-verify", func(b *testing.B) { benchVerify(b, f.ours, f.tok) })
	b.Run("golang-jwt", func(b *testing.B) { benchGolangJWT(b, f.parser, f.keyfunc, f.tok) })
}

// BenchmarkCacheHit verifies the same EdDSA token over and over with Config.TokenCacheSize set, so every
// iteration after the first is a cache hit.
func BenchmarkCacheHit(b *testing.B) {
	f := newJWKSFixture(b, "EdDSA")
	a := newOurs(b, auth.Config{BaseURL: f.origin, TokenCacheSize: 1024})
	requireCacheHit(b, a, f.tok)
	b.Run("gobetterauth-verify", func(b *testing.B) { benchVerify(b, a, f.tok) })
	b.Run("gobetterauth-authhttp", func(b *testing.B) { benchHTTP(b, authhttp.Middleware(a), f.tok) })
}

// BenchmarkMalformed sends an Authorization header made of '.' and nothing else, which must be refused at
// a cost that does not grow with its size (in allocations; a scan of the header is allowed).
func BenchmarkMalformed(b *testing.B) {
	f := newJWKSFixture(b, "EdDSA")
	dots1K, dots1M := strings.Repeat(".", 1<<10), strings.Repeat(".", 1<<20)
	ours := authhttp.Middleware(f.ours)
	b.Run("gobetterauth-authhttp-bearer-1KiB", func(b *testing.B) { benchDenied(b, ours, "Bearer "+dots1K) })
	b.Run("gobetterauth-authhttp-bearer-1MiB", func(b *testing.B) { benchDenied(b, ours, "Bearer "+dots1M) })
	b.Run("gobetterauth-authhttp-1MiB", func(b *testing.B) { benchDenied(b, ours, dots1M) })
	b.Run("golang-jwt-http-bearer-1MiB", func(b *testing.B) {
		benchDenied(b, golangJWTMiddleware(f.parser, f.keyfunc), "Bearer "+dots1M)
	})
}

func benchRaw(b *testing.B, f *fixture) {
	verify := f.rawVerify(b)
	if !verify() {
		b.Fatal("raw verification refused the token")
	}
	b.ReportAllocs()
	for b.Loop() {
		if !verify() {
			b.Fatal("raw verification refused the token")
		}
	}
}

func benchVerify(b *testing.B, a *auth.Auth, tok string) {
	ctx := context.Background()
	if _, err := a.VerifyToken(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.VerifyToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGolangJWT(b *testing.B, p *jwt.Parser, kf jwt.Keyfunc, tok string) {
	if _, err := p.Parse(tok, kf); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse(tok, kf); err != nil {
			b.Fatal(err)
		}
	}
}

func benchHTTP(b *testing.B, mw func(http.Handler) http.Handler, tok string) {
	hh := newHarness(mw, "Bearer "+tok)
	if !hh.accepted() {
		b.Fatalf("middleware refused the token: status %d", hh.w.code)
	}
	hh.served = 0
	b.ReportAllocs()
	for b.Loop() {
		hh.serve()
	}
	if hh.served == 0 || hh.w.code != 0 {
		b.Fatalf("middleware refused the token: %d requests served, status %d", hh.served, hh.w.code)
	}
}

func benchDenied(b *testing.B, mw func(http.Handler) http.Handler, authorization string) {
	hh := newHarness(mw, authorization)
	if hh.serve(); hh.served != 0 || hh.w.code != http.StatusUnauthorized {
		b.Fatalf("want 401 and no handler call, got status %d with %d calls", hh.w.code, hh.served)
	}
	b.ReportAllocs()
	for b.Loop() {
		hh.serve()
	}
	if hh.served != 0 {
		b.Fatal("a malformed header reached the handler")
	}
}

// requireCacheHit fails unless a repeated token is served from the cache. A hit returns the very claims
// pointer cached; a fresh verification allocates new ones.
func requireCacheHit(tb testing.TB, a *auth.Auth, tok string) {
	tb.Helper()
	c1, err := a.VerifyToken(context.Background(), tok)
	if err != nil {
		tb.Fatal(err)
	}
	c2, err := a.VerifyToken(context.Background(), tok)
	if err != nil {
		tb.Fatal(err)
	}
	if c1 != c2 {
		tb.Fatal("TokenCacheSize is set but a repeated token was verified again")
	}
}
