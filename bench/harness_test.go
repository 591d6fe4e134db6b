package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// hsSecret is the HS256 secret: 40 bytes, above auth.MinSecretBytes.
const hsSecret = "bench-secret-0123456789abcdefghijklmnopq"

// leeway is the clock skew both sides allow; it is gobetterauth's default (auth.DefaultLeeway).
const leeway = 30 * time.Second

// fixture is one token and everything needed to verify it on each path.
type fixture struct {
	alg    string
	tok    string
	signed []byte // header.payload, the JWS signing input
	sig    []byte // the decoded signature
	origin string // iss and aud

	pub    crypto.PublicKey // the verification key (JWKS algorithms)
	secret []byte           // the HMAC key (HS256)

	ours *auth.Auth // gobetterauth, JWKS fetched up front (or HS256 on)

	parser  *jwt.Parser // golang-jwt with checks equivalent to ours
	keyfunc jwt.Keyfunc // golang-jwt key lookup: kid → key in a map (what keyfunc/v3 does on its hot path)
}

// newJWKSFixture starts a fake Better Auth issuer for alg, mints a JWT-plugin token and sets up each verifier
// for it. The key set is fetched before it returns, so no benchmark includes a fetch.
func newJWKSFixture(tb testing.TB, alg string) *fixture {
	tb.Helper()
	is, err := authtest.NewIssuer(alg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(is.Close)
	f := &fixture{alg: alg, tok: is.MustMint(authtest.Claims{}), origin: is.URL(), pub: is.PrivateKey().Public()}
	f.split(tb)
	f.ours = newOurs(tb, auth.Config{BaseURL: is.URL()})
	keys := map[string]any{is.KeyID(): f.pub}
	f.keyfunc = func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := keys[kid]
		if !ok {
			return nil, errors.New("bench: unknown kid")
		}
		return k, nil
	}
	f.parser = newParser(alg, f.origin)
	return f
}

// newHS256Fixture signs a Better Auth-shaped payload with HS256 and sets up each verifier for it.
func newHS256Fixture(tb testing.TB) *fixture {
	tb.Helper()
	is, err := authtest.NewIssuer("EdDSA") // only for its URL, which the payload names as iss and aud
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(is.Close)
	payload, err := is.Payload(authtest.Claims{})
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := authtest.SignHS256(hsSecret, payload)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{alg: "HS256", tok: tok, origin: is.URL(), secret: []byte(hsSecret)}
	f.split(tb)
	f.ours = newOurs(tb, auth.Config{BaseURL: is.URL(), AcceptHS256: true, Secret: hsSecret})
	f.keyfunc = func(*jwt.Token) (any, error) { return f.secret, nil }
	f.parser = newParser("HS256", f.origin)
	return f
}

// newOurs builds a gobetterauth verifier and fetches its key set.
func newOurs(tb testing.TB, cfg auth.Config) *auth.Auth {
	tb.Helper()
	a, err := auth.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Refresh(ctx); err != nil {
		tb.Fatal(err)
	}
	return a
}

// newParser is golang-jwt/v5 configured like gobetterauth's defaults: one algorithm, exact iss and aud,
// exp required, iat checked, 30 s leeway. It is built once and reused, which is the fastest way to use
// golang-jwt (jwt.Parse builds a new parser on every call).
func newParser(alg, origin string) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{alg}),
		jwt.WithIssuer(origin),
		jwt.WithAudience(origin),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
	)
}

// split fills signed and sig from tok.
func (f *fixture) split(tb testing.TB) {
	tb.Helper()
	i := strings.LastIndexByte(f.tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(f.tok[i+1:])
	if err != nil {
		tb.Fatal(err)
	}
	f.signed, f.sig = []byte(f.tok[:i]), sig
}

// rawVerify returns the bare signature check for f: the floor no verifier can go under. It does only the
// work any verifier must do per token (hash, parse r and s, verify) on bytes decoded in advance.
func (f *fixture) rawVerify(tb testing.TB) func() bool {
	tb.Helper()
	switch f.alg {
	case "EdDSA":
		pub := f.pub.(ed25519.PublicKey)
		return func() bool { return ed25519.Verify(pub, f.signed, f.sig) }
	case "HS256":
		mac := hmac.New(sha256.New, f.secret)
		var sum [sha256.Size]byte
		return func() bool {
			mac.Reset()
			mac.Write(f.signed)
			return hmac.Equal(mac.Sum(sum[:0]), f.sig)
		}
	case "ES256":
		pub := f.pub.(*ecdsa.PublicKey)
		return func() bool {
			d := sha256.Sum256(f.signed)
			r, s := new(big.Int).SetBytes(f.sig[:32]), new(big.Int).SetBytes(f.sig[32:])
			return ecdsa.Verify(pub, d[:], r, s)
		}
	case "RS256":
		pub := f.pub.(*rsa.PublicKey)
		return func() bool {
			d := sha256.Sum256(f.signed)
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], f.sig) == nil
		}
	case "PS256":
		pub := f.pub.(*rsa.PublicKey)
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
		return func() bool {
			d := sha256.Sum256(f.signed)
			return rsa.VerifyPSS(pub, crypto.SHA256, d[:], f.sig, opts) == nil
		}
	}
	tb.Fatalf("no raw verifier for %s", f.alg)
	return nil
}

// keyfuncV3 returns a keyfunc/v3 Keyfunc over the issuer's live JWKS endpoint, as its README sets it up.
func (f *fixture) keyfuncV3(tb testing.TB) jwt.Keyfunc {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel) // ends keyfunc's refresh goroutine
	k, err := keyfunc.NewDefaultCtx(ctx, []string{f.origin + "/api/auth/jwks"})
	if err != nil {
		tb.Fatal(err)
	}
	return k.Keyfunc
}

// tokenKey is the context key of the golang-jwt middleware.
type tokenKey struct{}

// golangJWTMiddleware is golang-jwt in the net/http middleware one would write for it: Bearer token from the
// Authorization header, parse, token into the request context, or a 401 with a small JSON body.
func golangJWTMiddleware(p *jwt.Parser, kf jwt.Keyfunc) func(http.Handler) http.Handler {
	const scheme = "Bearer "
	deny := func(w http.ResponseWriter) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"UNAUTHORIZED","message":"invalid token"}`))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
				deny(w)
				return
			}
			t, err := p.Parse(h[len(scheme):], kf)
			if err != nil {
				deny(w)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)))
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing but the status, so the harness costs almost nothing.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(code int) { w.code = code }

// httpHarness serves one reused request through a middleware into a handler that only counts calls. Every
// middleware runs in the same harness.
type httpHarness struct {
	h      http.Handler
	r      *http.Request
	w      *discardWriter
	served int // calls that reached the handler
}

func newHarness(mw func(http.Handler) http.Handler, authorization string) *httpHarness {
	hh := &httpHarness{w: &discardWriter{h: http.Header{}}}
	hh.h = mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hh.served++ }))
	hh.r = httptest.NewRequest(http.MethodGet, "/api/me", nil)
	hh.r.Header["Authorization"] = []string{authorization}
	return hh
}

func (hh *httpHarness) serve() { hh.h.ServeHTTP(hh.w, hh.r) }

// accepted serves one request and reports whether it reached the handler with no response written.
func (hh *httpHarness) accepted() bool {
	before := hh.served
	hh.w.code = 0
	hh.serve()
	return hh.served == before+1 && hh.w.code == 0
}
