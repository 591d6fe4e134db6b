package interop_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// algorithms are the JWT plugin's key algorithms; each gets its own server.
var algorithms = []string{"EdDSA", "ES256", "ES512", "RS256", "PS256"}

// rotationInterval is JWKS_ROTATION_INTERVAL of the rotation servers, in seconds.
const rotationInterval = 2

// A lazyServer is started on first use. The first test that needs any server also starts every warm one in
// the background, the rotation server first (its test has to sleep through a key rotation), so the Node
// start-ups overlap with each other and with that sleep; TestMain closes whatever was started.
type lazyServer struct {
	warm bool
	get  func() (*interop.Server, error)
}

var (
	servers  = map[string]*lazyServer{}
	order    []string // warm-up order
	warmOnce sync.Once
	starting sync.WaitGroup
	mu       sync.Mutex
	started  []*interop.Server
)

func define(name string, warm bool, env map[string]string) {
	servers[name] = &lazyServer{warm: warm, get: sync.OnceValues(func() (*interop.Server, error) {
		ctx, cancel := context.WithTimeout(context.Background(), interop.StartTimeout)
		defer cancel()
		s, err := interop.Start(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", name, err)
		}
		mu.Lock()
		started = append(started, s)
		mu.Unlock()
		return s, nil
	})}
	order = append(order, name)
}

func init() {
	grace := map[string]string{"JWKS_ROTATION_INTERVAL": fmt.Sprint(rotationInterval), "JWKS_GRACE_PERIOD": "3600"}
	define("rotation", true, grace)
	// The algorithm servers also carry the cookie cache strategies, which do not change the JWT plugin.
	caches := map[string]string{"ES256": "compact", "ES512": "jwt", "RS256": "jwe"}
	for _, alg := range algorithms {
		env := map[string]string{"JWT_ALG": alg}
		if c := caches[alg]; c != "" {
			env["COOKIE_CACHE"] = c
			cacheServer[auth.CacheStrategy(c)] = alg
		}
		define(alg, true, env)
	}
	define("custom", true, map[string]string{
		"BASE_PATH": "/auth", "JWT_ISSUER": "https://issuer.example", "JWT_AUDIENCE": "https://api.example",
		"JWT_EXPIRES": "1h", "JWT_ALG": "ES256",
	})
	define("path", false, map[string]string{"BASE_URL": "http://127.0.0.1:{port}/custom"})
	define("mixed-case", false, map[string]string{"BASE_URL": "http://LocalHost:{port}"})
	define("rotation-skew", false, grace)
	define("rotation-refresh", false, grace)
}

// cacheServer names the server of each cookie cache strategy.
var cacheServer = map[auth.CacheStrategy]string{}

func TestMain(m *testing.M) {
	code := m.Run()
	starting.Wait()
	mu.Lock()
	for _, s := range started {
		s.Close()
	}
	mu.Unlock()
	runCleanups() // after the servers are gone: drop their databases, delete their Redis keys and files
	os.Exit(code)
}

// server returns the named server, skipping t when Node is not set up (failing it under CI=true).
func server(t *testing.T, name string) *interop.Server {
	t.Helper()
	interop.Require(t)
	warmOnce.Do(func() {
		starting.Go(func() {
			for i, name := range order {
				if l := servers[name]; l.warm {
					starting.Go(func() { _, _ = l.get() })
				}
				if i == 0 {
					time.Sleep(300 * time.Millisecond) // a head start for the rotation server
				}
			}
		})
	})
	s, err := servers[name].get()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var userSeq atomic.Int64

// signUp creates a fresh user named name on s and returns its session cookies.
func signUp(t *testing.T, s *interop.Server, name string) string {
	t.Helper()
	email := fmt.Sprintf("user%d-%d@example.com", userSeq.Add(1), time.Now().UnixNano())
	cookie, err := s.SignUp(t.Context(), email, "correct horse battery staple", name)
	if err != nil {
		t.Fatal(err)
	}
	return cookie
}

func token(t *testing.T, s *interop.Server, cookie string) string {
	t.Helper()
	tok, err := s.Token(t.Context(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func newAuth(t *testing.T, cfg auth.Config) *auth.Auth {
	t.Helper()
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// counting counts the JWKS requests that go through it.
type counting struct{ n atomic.Int64 }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (c *counting) client() *http.Client { return &http.Client{Transport: c, Timeout: 5 * time.Second} }

// header decodes a token's JOSE header (untrusted; for comparisons only).
func header(t *testing.T, tok string) (h struct{ Alg, Kid, Typ string }) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// An awkward name: JSON escapes (quote, backslash), non-ASCII, an astral-plane character and HTML.
const awkwardName = "Zoë \"Q\" O'Brien \\ 🚀 </script> \u00e9\u0301"

// TestJWTPluginTokens: for every algorithm, the tokens a real Better Auth server hands out (GET /token and
// the set-auth-jwt header of GET /get-session) verify with nothing but the base URL, and the session Go
// reads from them is the one the server reports.
func TestJWTPluginTokens(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			s := server(t, alg)
			ctx := t.Context()
			cookie := signUp(t, s, awkwardName)
			gs, err := s.GetSession(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			tokens := map[string]string{"/token": token(t, s, cookie), "set-auth-jwt": gs.JWT}
			// Better Auth creates its first key lazily, and concurrent first requests (other tests use this
			// server too) may each create one: every published key must have the server's algorithm, and
			// each token's kid must be one of them.
			keys, err := s.JWKS(ctx)
			if err != nil {
				t.Fatal(err)
			}
			published := map[string]bool{}
			for _, k := range keys {
				if k.Algorithm != alg || k.KeyID == "" {
					t.Errorf("JWKS key %+v, want alg %s and a kid", k, alg)
				}
				published[k.KeyID] = true
			}
			a := newAuth(t, auth.Config{BaseURL: s.BaseURL})
			for source, tok := range tokens {
				h := header(t, tok)
				if h.Alg != alg || !published[h.Kid] {
					t.Errorf("%s: header = %+v, want alg %s and a kid from %+v", source, h, alg, keys)
				}
				kid := h.Kid
				c, err := a.VerifyToken(ctx, tok)
				if err != nil {
					t.Fatalf("%s: VerifyToken: %v", source, err)
				}
				if c.Algorithm != alg || c.KeyID != kid {
					t.Errorf("%s: Algorithm, KeyID = %q, %q; want %q, %q", source, c.Algorithm, c.KeyID, alg, kid)
				}
				if c.Subject != gs.User.ID || c.Issuer != s.URL || !slices.Equal(c.Audience(), []string{s.URL}) {
					t.Errorf("%s: sub, iss, aud = %q, %q, %q; want %q, %q, [%q]", source, c.Subject, c.Issuer, c.Audience(), gs.User.ID, s.URL, s.URL)
				}
				if d := c.ExpiresAt.Sub(c.IssuedAt); d != 15*time.Minute {
					t.Errorf("%s: exp - iat = %v, want the plugin's default 15m", source, d)
				}
				var extra struct{ CreatedAt, UpdatedAt string }
				if err := c.Decode(&extra); err != nil || extra.CreatedAt != gs.User.CreatedAt || extra.UpdatedAt != gs.User.UpdatedAt {
					t.Errorf("%s: Decode = %+v, %v; want createdAt %q updatedAt %q", source, extra, err, gs.User.CreatedAt, gs.User.UpdatedAt)
				}

				sess, err := a.Authenticate(ctx, auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{"Bearer " + tok}})
				if err != nil {
					t.Fatalf("%s: Authenticate: %v", source, err)
				}
				u := sess.User
				if u.ID != gs.User.ID || u.Email != gs.User.Email || u.Name != gs.User.Name || u.EmailVerified != gs.User.EmailVerified || u.Image != "" {
					t.Errorf("%s: User = %+v\nwant what /get-session says: %+v", source, u, gs.User)
				}
				if u.Name != awkwardName {
					t.Errorf("%s: Name = %q, want %q", source, u.Name, awkwardName)
				}
				if sess.Credential != auth.CredentialJWT || sess.Claims == nil || sess.Claims.KeyID != kid {
					t.Errorf("%s: Credential = %v, Claims = %+v", source, sess.Credential, sess.Claims)
				}
			}
		})
	}
}

// tamper returns tok with one character of part i (0 header, 1 payload, 2 signature) changed. For the
// signature, one bit of the decoded bytes is flipped, so the segment stays canonical base64url.
func tamper(t *testing.T, tok string, i int) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if i == 2 {
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		sig[len(sig)/2] ^= 1
		parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	} else {
		b := []byte(parts[i])
		j := len(b) / 2
		if b[j] == 'A' {
			b[j] = 'B'
		} else {
			b[j] = 'A'
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ".")
}

// TestRejected: real tokens that must not pass, each with a fresh Auth.
func TestRejected(t *testing.T) {
	t.Parallel()
	s := server(t, "EdDSA")
	other := server(t, "ES256")
	ctx := t.Context()
	valid := token(t, s, signUp(t, s, "Rejected"))
	foreign := token(t, other, signUp(t, other, "Foreign"))

	tests := []struct {
		name  string
		token string
		edit  func(*auth.Config)
		want  error
	}{
		{name: "valid", token: valid},
		{name: "payload byte changed", token: tamper(t, valid, 1), want: auth.ErrInvalidToken},
		{name: "signature byte changed", token: tamper(t, valid, 2), want: auth.ErrInvalidToken},
		{name: "header byte changed", token: tamper(t, valid, 0), want: auth.ErrInvalidToken},
		{name: "expired (clock 1 h ahead)", token: valid, edit: func(c *auth.Config) {
			c.Now = func() time.Time { return time.Now().Add(time.Hour) }
		}, want: auth.ErrExpired},
		{name: "wrong audience", token: valid, edit: func(c *auth.Config) { c.Audiences = []string{"https://api.example"} }, want: auth.ErrInvalidToken},
		{name: "wrong issuer", token: valid, edit: func(c *auth.Config) { c.Issuers = []string{"https://issuer.example"} }, want: auth.ErrInvalidToken},
		{name: "EdDSA not allowed", token: valid, edit: func(c *auth.Config) { c.Algorithms = []string{"ES256", "RS256"} }, want: auth.ErrInvalidToken},
		{name: "key of another server", token: foreign, want: auth.ErrInvalidToken},
		{name: "truncated", token: valid[:len(valid)-10], want: auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := auth.Config{BaseURL: s.BaseURL}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			a := newAuth(t, cfg)
			c, err := a.VerifyToken(ctx, tt.token)
			if tt.want == nil {
				if err != nil || c == nil {
					t.Fatalf("VerifyToken = %v, %v; want claims", c, err)
				}
				return
			}
			if c != nil {
				t.Errorf("VerifyToken returned claims %+v with error %v", c, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyToken error = %v, want %v", err, tt.want)
			}
			if got := auth.HTTPStatus(err); got != http.StatusUnauthorized {
				t.Errorf("HTTPStatus(%v) = %d, want 401", err, got)
			}
			sess, err := a.Authenticate(ctx, auth.Request{Method: "GET", Path: "/", Authorization: []string{"Bearer " + tt.token}})
			if sess != nil || !errors.Is(err, tt.want) {
				t.Errorf("Authenticate = %v, %v; want %v", sess, err, tt.want)
			}
		})
	}
}

// TestServerOptions: a server with its own base path, issuer, audience and expiry verifies once Config says
// the same, and not with the defaults.
func TestServerOptions(t *testing.T) {
	t.Parallel()
	s := server(t, "custom")
	ctx := t.Context()
	tok := token(t, s, signUp(t, s, "Custom"))
	good := auth.Config{BaseURL: s.BaseURL, BasePath: "/auth", Issuers: []string{"https://issuer.example"}, Audiences: []string{"https://api.example"}}
	c, err := newAuth(t, good).VerifyToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Algorithm != "ES256" || c.Issuer != "https://issuer.example" || c.ExpiresAt.Sub(c.IssuedAt) != time.Hour {
		t.Errorf("claims = %+v, want ES256, issuer https://issuer.example, 1 h", c)
	}
	for _, tt := range []struct {
		name string
		edit func(*auth.Config)
		want error
	}{
		{name: "default issuer", edit: func(c *auth.Config) { c.Issuers = nil }, want: auth.ErrInvalidToken},
		{name: "default audience", edit: func(c *auth.Config) { c.Audiences = nil }, want: auth.ErrInvalidToken},
		// The default base path has no JWKS here (404): a key set that cannot be fetched is "could not check".
		{name: "default base path", edit: func(c *auth.Config) { c.BasePath = "" }, want: auth.ErrUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := newAuth(t, cfg).VerifyToken(ctx, tok)
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyToken error = %v, want %v", err, tt.want)
			}
		})
	}
}

// rotate signs up a user on s, verifies its first token with a (counting one JWKS fetch), waits until the
// server's signing key has expired, and returns the first token and a second one signed with the new key.
func rotate(t *testing.T, s *interop.Server, a *auth.Auth, fetches *counting) (tok1, tok2 string, c1 *auth.Claims) {
	t.Helper()
	ctx := t.Context()
	cookie := signUp(t, s, "Rotation")
	tok1 = token(t, s, cookie) // the server's first token: it creates the first key, valid for rotationInterval
	got1 := time.Now()
	c1, err := a.VerifyToken(ctx, tok1)
	if err != nil {
		t.Fatalf("token 1: %v", err)
	}
	if n := fetches.n.Load(); n != 1 {
		t.Fatalf("JWKS fetches after token 1 = %d, want 1", n)
	}
	// The key expires rotationInterval after it was created, which was before got1.
	time.Sleep(time.Until(got1.Add(rotationInterval*time.Second + 200*time.Millisecond)))
	tok2 = token(t, s, cookie)
	if header(t, tok2).Kid == c1.KeyID {
		t.Fatalf("token 2 has the kid of token 1 (%s): the server did not rotate", c1.KeyID)
	}
	return tok1, tok2, c1
}

// TestRotation: after Better Auth rotates its signing key, the first token with the new kid verifies at
// once with one more JWKS fetch (no false 401 while the unknown-kid cooldown runs), and the old token still
// verifies: the grace period keeps the old key published.
func TestRotation(t *testing.T) {
	t.Parallel()
	s := server(t, "rotation")
	ctx := t.Context()
	fetches := &counting{}
	a := newAuth(t, auth.Config{BaseURL: s.BaseURL, HTTPClient: fetches.client()})
	tok1, tok2, c1 := rotate(t, s, a, fetches)

	c2, err := a.VerifyToken(ctx, tok2)
	if err != nil {
		t.Fatalf("token 2 (new kid): %v", err)
	}
	if n := fetches.n.Load(); n != 2 {
		t.Errorf("JWKS fetches after token 2 = %d, want 2", n)
	}
	if c2.KeyID == c1.KeyID || c2.Subject != c1.Subject {
		t.Errorf("token 2: kid %s sub %s; token 1: kid %s sub %s", c2.KeyID, c2.Subject, c1.KeyID, c1.Subject)
	}
	keys, err := s.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.KeyID)
	}
	if !slices.Contains(kids, c1.KeyID) || !slices.Contains(kids, c2.KeyID) {
		t.Errorf("server JWKS kids = %v, want both %s and %s", kids, c1.KeyID, c2.KeyID)
	}
	if _, err := a.VerifyToken(ctx, tok1); err != nil {
		t.Errorf("token 1 after rotation: %v", err)
	}
	if n := fetches.n.Load(); n != 2 {
		t.Errorf("JWKS fetches after token 1 again = %d, want still 2", n)
	}
}

// TestRotationClockAhead is TestRotation with the Go host's clock 3 s ahead of the Better Auth server's,
// well inside the 30 s leeway Config allows for iat: the refetch-sooner rule must allow for the skew and for
// iat's whole seconds, or a new key would wait out the 30 s cooldown with 401s.
func TestRotationClockAhead(t *testing.T) {
	t.Parallel()
	s := server(t, "rotation-skew")
	fetches := &counting{}
	a := newAuth(t, auth.Config{BaseURL: s.BaseURL, HTTPClient: fetches.client(), Now: func() time.Time { return time.Now().Add(3 * time.Second) }})
	_, tok2, _ := rotate(t, s, a, fetches)
	if _, err := a.VerifyToken(t.Context(), tok2); err != nil {
		t.Errorf("token 2 (new kid): %v; JWKS fetches: %d", err, fetches.n.Load())
	}
}

// TestRotationRightAfterFetch: with clocks in step, a key rotated in the same second as a JWKS fetch (here an
// explicit Refresh; a background refresh does the same) signs tokens whose whole-second iat is not after the
// fetch; they must still verify after at most MinInterval, not wait out the 30 s cooldown with 401s.
func TestRotationRightAfterFetch(t *testing.T) {
	t.Parallel()
	s := server(t, "rotation-refresh")
	ctx := t.Context()
	fetches := &counting{}
	a := newAuth(t, auth.Config{BaseURL: s.BaseURL, HTTPClient: fetches.client()})
	cookie := signUp(t, s, "Rotation")
	tok1 := token(t, s, cookie)
	got1 := time.Now()
	if _, err := a.VerifyToken(ctx, tok1); err != nil {
		t.Fatal(err)
	}
	// Wait until the first key has expired, then to just after the start of a second.
	wake := got1.Add(rotationInterval*time.Second + 200*time.Millisecond).Truncate(time.Second).Add(time.Second + 20*time.Millisecond)
	time.Sleep(time.Until(wake))
	fetchedAt := time.Now()
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tok2 := token(t, s, cookie) // the server rotates now, in the same second as the fetch
	// The first request with the new kid comes after MinInterval, so a fetch is allowed if the token counts
	// as newer than the key set.
	time.Sleep(time.Until(fetchedAt.Add(auth.DefaultMinFetchInterval + 100*time.Millisecond)))
	c2, err := a.VerifyToken(ctx, tok2)
	if err != nil {
		var iat struct{ Iat int64 }
		p, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok2, ".")[1])
		_ = json.Unmarshal(p, &iat)
		t.Fatalf("token 2 (new kid, iat %d, last fetch at %s): %v; JWKS fetches: %d",
			iat.Iat, fetchedAt.Format("15:04:05.000"), err, fetches.n.Load())
	}
	if c2.KeyID == header(t, tok1).Kid {
		t.Fatal("the server did not rotate")
	}
}

// TestHS256: tokens from Better Auth's own HS256 signer verify with AcceptHS256 and the secret, and only so.
func TestHS256(t *testing.T) {
	t.Parallel()
	s := server(t, "EdDSA")
	ctx := t.Context()
	now := time.Now().Unix()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "user-hs256", "iss": s.URL, "aud": s.URL, "exp": now + 600, "email": "hs@example.com", "name": "HS"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	mint := func(secret string, c map[string]any) string {
		tok, err := s.MintHS256With(ctx, secret, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := mint("", claims(nil))
	hs256 := func(c *auth.Config) { c.AcceptHS256, c.Secret = true, auth.Secret(s.Secret) }

	tests := []struct {
		name  string
		token string
		edit  func(*auth.Config)
		want  error
	}{
		{name: "accepted", token: valid, edit: hs256},
		{name: "AcceptHS256 off", token: valid, want: auth.ErrInvalidToken},
		{name: "AcceptHS256 off, secret set", token: valid, edit: func(c *auth.Config) { c.Secret = auth.Secret(s.Secret) }, want: auth.ErrInvalidToken},
		{name: "another secret", token: mint("another-secret-of-at-least-32-bytes-0123456789", claims(nil)), edit: hs256, want: auth.ErrInvalidToken},
		{name: "expired", token: mint("", claims(func(c map[string]any) { c["exp"] = now - 3600 })), edit: hs256, want: auth.ErrExpired},
		{name: "wrong audience", token: mint("", claims(func(c map[string]any) { c["aud"] = "https://api.example" })), edit: hs256, want: auth.ErrInvalidToken},
		{name: "no subject", token: mint("", claims(func(c map[string]any) { delete(c, "sub") })), edit: hs256, want: auth.ErrInvalidToken},
		{name: "payload byte changed", token: tamper(t, valid, 1), edit: hs256, want: auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fetches := &counting{}
			cfg := auth.Config{BaseURL: s.BaseURL, HTTPClient: fetches.client()}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c, err := newAuth(t, cfg).VerifyToken(ctx, tt.token)
			if n := fetches.n.Load(); n != 0 {
				t.Errorf("an HS256 token caused %d JWKS fetches", n)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyToken: %v", err)
				}
				if c.Algorithm != "HS256" || c.KeyID != "" || c.Subject != "user-hs256" || c.Issuer != s.URL || c.ExpiresAt.Unix() != now+600 {
					t.Errorf("claims = %+v", c)
				}
				return
			}
			if c != nil || !errors.Is(err, tt.want) {
				t.Errorf("VerifyToken = %+v, %v; want %v", c, err, tt.want)
			}
			if got := auth.HTTPStatus(err); got != http.StatusUnauthorized {
				t.Errorf("HTTPStatus = %d, want 401", got)
			}
		})
	}
}

// TestCookieCache: the session_data cookie a real server sets at sign-up, under each strategy, gives the
// session without a store, and a cookie of another strategy does not.
func TestCookieCache(t *testing.T) {
	t.Parallel()
	strategies := []auth.CacheStrategy{auth.CacheCompact, auth.CacheJWT, auth.CacheJWE}
	for _, strategy := range strategies {
		t.Run(string(strategy), func(t *testing.T) {
			t.Parallel()
			s := server(t, cacheServer[strategy])
			ctx := t.Context()
			cookie := signUp(t, s, awkwardName)
			if !strings.Contains(cookie, "better-auth.session_data=") {
				t.Fatalf("sign-up cookies %q have no session_data", cookie)
			}
			gs, err := s.GetSession(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			for _, other := range strategies {
				a := newAuth(t, auth.Config{BaseURL: s.BaseURL, Secret: auth.Secret(s.Secret), CookieCache: auth.CookieCacheConfig{Strategy: other}})
				sess, err := a.Authenticate(ctx, auth.Request{Method: "GET", Path: "/", Cookie: []string{cookie}})
				if other != strategy {
					if err == nil {
						t.Errorf("a %s cookie read as %s gave a session: %+v", strategy, other, sess.User)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				u := sess.User
				if sess.Credential != auth.CredentialCookieCache || u.ID != gs.User.ID || u.Email != gs.User.Email || u.Name != awkwardName || u.EmailVerified {
					t.Errorf("session = %v %+v\nwant the user /get-session gives: %+v", sess.Credential, u, gs.User)
				}
			}
		})
	}
}

// TestHarness: a server that cannot start reports why, and Close stops a running one.
func TestHarness(t *testing.T) {
	t.Parallel()
	interop.Require(t)
	_, err := interop.Start(t.Context(), map[string]string{"JWT_ALG": "HS512"})
	if err == nil || !strings.Contains(err.Error(), `JWT_ALG="HS512"`) {
		t.Errorf("Start with a bad JWT_ALG: %v; want the server's reason", err)
	}

	s := server(t, "ES512")
	resp, err := http.Get(s.URL + "/__test/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/__test/ready = %s", resp.Status)
	}
	stopped := interop.NewServer(t, nil)
	stopped.Close()
	if resp, err := http.Get(stopped.URL + "/__test/ready"); err == nil {
		resp.Body.Close()
		t.Errorf("after Close, %s still answers %s", stopped.URL, resp.Status)
	}
}

// TestBaseURLWithPath: Better Auth treats a baseURL with a path as the full URL of its routes and ignores
// basePath (withPath in better-auth/dist/utils/url.mjs), so BETTER_AUTH_URL=https://host/custom serves
// https://host/custom/jwks. Config{BaseURL} with that value should find the key set there; today it looks
// under BaseURL + "/api/auth" and answers 503.
func TestBaseURLWithPath(t *testing.T) {
	t.Parallel()
	s := server(t, "path")
	if want := s.URL + "/custom"; s.AuthBase != want {
		t.Fatalf("Better Auth serves at %s, want %s", s.AuthBase, want)
	}
	tok := token(t, s, signUp(t, s, "Path"))
	// The explicit JWKS URL works: the token itself is fine, with iss = aud = the origin.
	c, err := newAuth(t, auth.Config{BaseURL: s.BaseURL, JWKSURL: s.AuthURL("/jwks")}).VerifyToken(t.Context(), tok)
	if err != nil || c.Issuer != s.URL {
		t.Fatalf("with JWKSURL %s: %+v, %v", s.AuthURL("/jwks"), c, err)
	}
	if _, err := newAuth(t, auth.Config{BaseURL: s.BaseURL}).VerifyToken(t.Context(), tok); err != nil {
		t.Errorf("Config{BaseURL: %q}: %v", s.BaseURL, err)
	}
}

// TestBaseURLOrigin: host names are case-insensitive, and Better Auth's default iss and aud are
// new URL(baseURL).origin, which lower-cases the host (and drops a default port: https://app.example.com:443
// gives https://app.example.com). With BETTER_AUTH_URL=http://LocalHost:<port>, Config{BaseURL} with the
// same value should verify the server's tokens. Today New refuses it (LocalHost is not seen as loopback, so
// the http JWKS URL is refused), and with the JWKS URL given, the default issuer and audience keep the host
// as written, so every token is refused.
func TestBaseURLOrigin(t *testing.T) {
	t.Parallel()
	s := server(t, "mixed-case")
	tok := token(t, s, signUp(t, s, "Origin"))
	if _, err := auth.New(auth.Config{BaseURL: s.BaseURL}); err != nil {
		t.Errorf("New(Config{BaseURL: %q}): %v", s.BaseURL, err)
	}
	cfg := auth.Config{BaseURL: s.BaseURL, JWKSURL: s.URL + "/api/auth/jwks"}
	c, err := newAuth(t, cfg).VerifyToken(t.Context(), tok)
	if err != nil {
		t.Fatalf("Config{BaseURL: %q, JWKSURL: %q}: %v", cfg.BaseURL, cfg.JWKSURL, err)
	}
	if want := strings.ToLower(s.BaseURL); c.Issuer != want {
		t.Errorf("iss = %q, want %q", c.Issuer, want)
	}
}
