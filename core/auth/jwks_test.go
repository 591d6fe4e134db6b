package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: testNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func withClock(is *authtest.Issuer, c *clock) func(*auth.Config) {
	is.SetNow(c.Now)
	return func(cfg *auth.Config) { cfg.Now = c.Now }
}

func down(w http.ResponseWriter, _ *http.Request) bool {
	http.Error(w, "down", http.StatusBadGateway)
	return true
}

func TestJWKSUnavailable(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"A24 502", down},
		{"A28 HTML 200", func(w http.ResponseWriter, _ *http.Request) bool { fmt.Fprint(w, "<html>hi</html>"); return true }},
		{"A28 no keys", func(w http.ResponseWriter, _ *http.Request) bool { fmt.Fprint(w, `{"kyes":[]}`); return true }},
		{"A28 keys not an array", func(w http.ResponseWriter, _ *http.Request) bool { fmt.Fprint(w, `{"keys":{}}`); return true }},
		{"A28 duplicate member", func(w http.ResponseWriter, _ *http.Request) bool { fmt.Fprint(w, `{"keys":[],"keys":[]}`); return true }},
		{"A29 huge", func(w http.ResponseWriter, _ *http.Request) bool {
			fmt.Fprint(w, `{"keys":[],"pad":"`+strings.Repeat("x", 2<<20)+`"}`)
			return true
		}},
		{"A29 too many keys", func(w http.ResponseWriter, _ *http.Request) bool {
			fmt.Fprint(w, `{"keys":[`+strings.TrimSuffix(strings.Repeat(`{"kty":"oct","k":"AA","kid":"x"},`, 101), ",")+`]}`)
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := newIssuer(t, "EdDSA")
			is.SetHandler(tt.handler)
			a := newAuth(t, is, nil)
			_, err := verify(a, is.MustMint(authtest.Claims{}))
			checkErr(t, err, auth.ErrUnavailable)
			if got := auth.HTTPStatus(err); got != http.StatusServiceUnavailable {
				t.Errorf("status %d", got)
			}
			if d, ok := auth.RetryAfter(err); !ok || d < time.Second {
				t.Errorf("RetryAfter = %v %v", d, ok)
			}
			r := auth.NewErrorResponse(err)
			if r.RetryAfter < 1 || r.Code != "SERVICE_UNAVAILABLE" {
				t.Errorf("response %+v", r)
			}
		})
	}
}

// A30: a redirect to another host is not followed, even to a server that would serve the right keys.
func TestJWKSCrossHostRedirectRefused(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(is.JWKS()) }))
	defer mirror.Close()
	is.SetHandler(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, strings.Replace(mirror.URL, "127.0.0.1", "localhost", 1)+"/jwks", http.StatusFound)
		return true
	})
	a := newAuth(t, is, nil)
	_, err := verify(a, is.MustMint(authtest.Claims{}))
	checkErr(t, err, auth.ErrUnavailable)
}

func TestJWKSConnectionRefused(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	tok := is.MustMint(authtest.Claims{})
	a := newAuth(t, is, nil)
	is.Close()
	_, err := verify(a, tok)
	checkErr(t, err, auth.ErrUnavailable)
}

// A25, A26: once keys are cached, an outage does not hurt tokens signed by them, even past the refresh
// interval; a token with an unknown kid cannot be decided, so it gets 503, not 401.
func TestJWKSServesLastGoodSetWhileDown(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	tok := is.MustMint(authtest.Claims{})
	if _, err := verify(a, tok); err != nil {
		t.Fatal(err)
	}
	is.SetHandler(down)
	c.Advance(auth.DefaultRefreshInterval + time.Second)
	for range 3 {
		if _, err := verify(a, tok); err != nil {
			t.Fatalf("cached key refused during outage: %v", err)
		}
	}
	if err := a.Refresh(t.Context()); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("Refresh during outage = %v", err)
	}
	if _, err := verify(a, tok); err != nil {
		t.Fatalf("cached key refused after a failed refresh: %v", err)
	}
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	c.Advance(auth.DefaultCooldown)
	_, err := verify(a, is.MustMint(authtest.Claims{}))
	checkErr(t, err, auth.ErrUnavailable)
}

// A31: a key rotated in upstream is fetched once, and tokens with it verify with no false 401.
func TestJWKSRotation(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	old := is.MustMint(authtest.Claims{})
	if _, err := verify(a, old); err != nil {
		t.Fatal(err)
	}
	if is.Hits() != 1 {
		t.Fatalf("hits = %d after first token", is.Hits())
	}
	c.Advance(2 * time.Second) // well inside the 30 s cooldown
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	fresh := is.MustMint(authtest.Claims{})
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 50 {
		wg.Go(func() {
			if _, err := verify(a, fresh); err != nil {
				failures.Add(1)
				t.Log(err)
			}
		})
	}
	wg.Wait()
	if failures.Load() != 0 || is.Hits() != 2 {
		t.Errorf("failures = %d, hits = %d; want 0 and exactly one refetch", failures.Load(), is.Hits())
	}
	if _, err := verify(a, old); err != nil {
		t.Errorf("old key still published but refused: %v", err)
	}
}

// A31 edge: a token issued well before our last fetch (more than 1 s + the iat leeway) cannot carry a key
// we missed, so inside the cooldown it is refused without a fetch.
func TestJWKSUnknownKidInsideCooldown(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	if _, err := verify(a, is.MustMint(authtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	backdated := is.MustMint(authtest.Claims{IssuedAt: testNow.Add(-time.Minute)})
	_, err := verify(a, backdated)
	checkErr(t, err, auth.ErrInvalidToken)
	if is.Hits() != 1 {
		t.Errorf("hits = %d, want no refetch inside the cooldown", is.Hits())
	}
	c.Advance(auth.DefaultCooldown)
	if _, err := verify(a, backdated); err != nil {
		t.Errorf("after the cooldown: %v", err)
	}
	if is.Hits() != 2 {
		t.Errorf("hits = %d, want 2", is.Hits())
	}
}

// A31 edge: a key rotated in the same second as our last fetch (or with the issuer's clock a little behind
// ours) still verifies: the request waits out MinInterval and triggers one fetch, instead of a false 401.
func TestJWKSRotationRightAfterFetch(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	if _, err := verify(a, is.MustMint(authtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	for _, iat := range []time.Time{testNow, testNow.Add(-3 * time.Second)} {
		start := time.Now()
		if _, err := verify(a, is.MustMint(authtest.Claims{IssuedAt: iat})); err != nil {
			t.Fatalf("iat %v: %v (hits %d)", iat.Sub(testNow), err, is.Hits())
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("waited %v", d)
		}
	}
	if is.Hits() != 2 {
		t.Errorf("hits = %d, want exactly one refetch", is.Hits())
	}
}

// A32: a key removed upstream stops verifying after the next refresh.
func TestJWKSKeyRemoval(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	old := is.MustMint(authtest.Claims{})
	if _, err := verify(a, old); err != nil {
		t.Fatal(err)
	}
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	is.Retire()
	c.Advance(auth.DefaultRefreshInterval)
	// The first lookup past the refresh interval starts a background refresh and is still served.
	if _, err := verify(a, old); err != nil {
		t.Fatalf("served stale set: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := verify(a, old)
		if errors.Is(err, auth.ErrInvalidToken) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("removed key still accepted: %v (hits %d)", err, is.Hits())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if is.Hits() != 2 {
		t.Errorf("hits = %d, want 2", is.Hits())
	}
}

// A33: a flood of random kids costs at most one fetch per cooldown; with a fresh iat (which an attacker can
// always write) at most one per MinInterval.
func TestJWKSRefetchStorm(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, withClock(is, c))
	if _, err := verify(a, is.MustMint(authtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	storm := func(n int, prefix string, iat time.Time) int64 {
		var wg sync.WaitGroup
		var unexpected atomic.Int64
		p, err := is.Payload(authtest.Claims{IssuedAt: iat, ExpiresAt: testNow.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		body := string(p)
		for i := range n {
			wg.Go(func() {
				tok := forge(t, is, fmt.Sprintf(`{"alg":"EdDSA","kid":"%s-%d"}`, prefix, i), body)
				if _, err := verify(a, tok); !errors.Is(err, auth.ErrInvalidToken) {
					unexpected.Add(1)
				}
			})
		}
		wg.Wait()
		return unexpected.Load()
	}
	if u := storm(1000, "old", testNow.Add(-time.Minute)); u != 0 || is.Hits() != 1 {
		t.Errorf("stale iat: unexpected = %d, hits = %d; want 0 and no refetch inside the cooldown", u, is.Hits())
	}
	start := time.Now()
	u := storm(1000, "fresh", testNow)
	// One refetch per MinInterval of real time at most: on a loaded machine the storm itself may outlast it.
	maxHits := 2 + int64(time.Since(start)/auth.DefaultMinFetchInterval)
	if hits := is.Hits(); u != 0 || hits < 2 || hits > maxHits {
		t.Errorf("fresh iat: unexpected = %d, hits = %d; want 0 and one refetch per MinInterval (2..%d)", u, hits, maxHits)
	}
	before := is.Hits()
	c.Advance(auth.DefaultCooldown)
	if u := storm(100, "again", testNow.Add(-time.Minute)); u != 0 || is.Hits() != before+1 {
		t.Errorf("after the cooldown: unexpected = %d, hits = %d; want exactly one more than %d", u, is.Hits(), before)
	}
}

// A27: a slow endpoint holds a request no longer than the request's own deadline, and the fetch finishes
// for later requests.
func TestJWKSSlowEndpoint(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	release := make(chan struct{})
	is.SetHandler(func(http.ResponseWriter, *http.Request) bool { <-release; return false })
	a := newAuth(t, is, nil)
	tok := is.MustMint(authtest.Claims{})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.VerifyToken(ctx, tok)
	checkErr(t, err, auth.ErrUnavailable)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("request waited %v for a slow JWKS", d)
	}
	close(release)
	if err := a.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(a, tok); err != nil {
		t.Errorf("after the slow fetch completed: %v", err)
	}
	if is.Hits() != 1 {
		t.Errorf("hits = %d; the waiting request must join the fetch, not start another", is.Hits())
	}
}

// A28, A22, A23: bad keys are skipped one by one, the good ones kept.
func TestJWKSSkipsBadKeys(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	good := strings.TrimSuffix(strings.TrimPrefix(string(is.JWKS()), `{"keys":[`), `]}`)
	weakRSA := `{"kty":"RSA","alg":"RS256","kid":"weak","n":"` + strings.Repeat("A", 170) + `","e":"AQAB"}`
	offCurve := `{"kty":"EC","crv":"P-256","alg":"ES256","kid":"offcurve","x":"` + strings.Repeat("A", 43) + `","y":"` + strings.Repeat("A", 43) + `"}`
	set := `{"keys":[` + strings.Join([]string{
		`{"kty":"oct","k":"c2VjcmV0","kid":"hmac","alg":"HS256"}`,
		`{"kty":"OKP","crv":"X25519","x":"` + strings.Repeat("A", 43) + `","kid":"xdh"}`,
		`{"kty":"FOO","kid":"foo"}`,
		`"not an object"`,
		weakRSA, offCurve,
		`{"kty":"OKP","crv":"Ed25519","x":"short","kid":"bad-x","alg":"EdDSA"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + strings.Repeat("A", 43) + `","kid":"enc","alg":"EdDSA","use":"enc"}`,
		good,
	}, ",") + `]}`
	is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool { fmt.Fprint(w, set); return true })
	a := newAuth(t, is, nil)
	if _, err := verify(a, is.MustMint(authtest.Claims{})); err != nil {
		t.Fatalf("good key lost among bad ones: %v", err)
	}
	for _, kid := range []string{"hmac", "weak", "offcurve", "bad-x", "enc"} {
		_, err := verify(a, forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`"}`, payload(t, is)))
		checkErr(t, err, auth.ErrInvalidToken)
	}
}

// A28: a kid listed twice with different key material is ambiguous; both entries are dropped.
func TestJWKSDuplicateKid(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	other := newIssuer(t, "EdDSA")
	mine := strings.TrimSuffix(strings.TrimPrefix(string(is.JWKS()), `{"keys":[`), `]}`)
	theirs := strings.Replace(strings.TrimSuffix(strings.TrimPrefix(string(other.JWKS()), `{"keys":[`), `]}`), other.KeyID(), is.KeyID(), 1)
	is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool {
		fmt.Fprint(w, `{"keys":[`+mine+`,`+theirs+`]}`)
		return true
	})
	a := newAuth(t, is, nil)
	_, err := verify(a, is.MustMint(authtest.Claims{}))
	checkErr(t, err, auth.ErrInvalidToken)
}

func TestJWKSSameHostRedirectFollowed(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	var redirected atomic.Bool
	is.SetHandler(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("moved") == "" {
			redirected.Store(true)
			http.Redirect(w, r, "/api/auth/jwks?moved=1", http.StatusFound)
			return true
		}
		return false
	})
	a := newAuth(t, is, nil)
	if _, err := verify(a, is.MustMint(authtest.Claims{})); err != nil || !redirected.Load() {
		t.Fatalf("err %v, redirected %v", err, redirected.Load())
	}
}

func TestTokenCache(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	c := newClock()
	a := newAuth(t, is, func(cfg *auth.Config) { withClock(is, c)(cfg); cfg.TokenCacheSize = 2 })
	tok := is.MustMint(authtest.Claims{ExpiresAt: testNow.Add(time.Minute)})
	first, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok}})
	if err != nil || second != first {
		t.Fatalf("second lookup not served from the cache: %v", err)
	}
	// Never at or past exp: at exp the token is verified again (and the leeway still accepts it) ...
	c.Advance(time.Minute)
	third, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok}})
	if err != nil || third == first {
		t.Fatalf("served from the cache at exp: %v", err)
	}
	// ... and past exp + leeway it is refused.
	c.Advance(auth.DefaultLeeway + time.Second)
	_, err = verify(a, tok)
	checkErr(t, err, auth.ErrExpired)

	// Bounded: three tokens in a cache of two.
	for i := range 3 {
		if _, err := verify(a, is.MustMint(authtest.Claims{ID: fmt.Sprint("u", i)})); err != nil {
			t.Fatal(err)
		}
	}
	// A key removed upstream also removes its cached tokens.
	tok2 := is.MustMint(authtest.Claims{})
	if _, err := verify(a, tok2); err != nil {
		t.Fatal(err)
	}
	if _, err := is.Rotate("EdDSA"); err != nil {
		t.Fatal(err)
	}
	is.Retire()
	if err := a.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err = verify(a, tok2)
	checkErr(t, err, auth.ErrInvalidToken)
}

func TestJWKSURLMustBeSecure(t *testing.T) {
	for _, u := range []string{"http://example.com/jwks", "ftp://localhost/jwks", "jwks", "http://user:pw@localhost/jwks"} {
		if _, err := auth.New(auth.Config{BaseURL: "https://app.example.com", JWKSURL: u}); !errors.Is(err, auth.ErrInvalidConfig) {
			t.Errorf("JWKSURL %q accepted: %v", u, err)
		}
	}
	for _, u := range []string{"http://localhost:3000/api/auth/jwks", "http://127.0.0.1/jwks", "http://[::1]:80/jwks", "https://example.com/jwks"} {
		if _, err := auth.New(auth.Config{BaseURL: "https://app.example.com", JWKSURL: u}); err != nil {
			t.Errorf("JWKSURL %q refused: %v", u, err)
		}
	}
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := auth.New(auth.Config{BaseURL: srv.URL}); err != nil {
		t.Errorf("https base URL refused: %v", err)
	}
}
