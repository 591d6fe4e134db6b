package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// sessionVectors are cookies captured from a real Better Auth 1.7.25 server, one sign-in per cookie cache
// strategy (core/internal/betterauth/testdata/vectors.json).
type sessionVectors struct {
	Secret     string                                `json:"secret"`
	BaseURL    string                                `json:"baseURL"`
	Strategies map[string]map[string]json.RawMessage `json:"strategies"`
}

// sessionNow is inside every captured session and cookie cache (sign-ins at 13:29:11-13:29:57, caches of
// 300 s).
var sessionNow = time.Date(2026, 11, 28, 13, 30, 30, 0, time.UTC)

func loadSessionVectors(t testing.TB) sessionVectors {
	t.Helper()
	b, err := os.ReadFile("../internal/betterauth/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v sessionVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v sessionVectors) get(t testing.TB, strategy, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(v.Strategies[strategy][key], &s); err != nil {
		t.Fatalf("%s %s: %v", strategy, key, err)
	}
	return s
}

// memStore is a Store over the sessions Better Auth returned from /get-session, with a call counter and a
// switch to make it fail.
type memStore struct {
	mu    sync.Mutex
	rows  map[string]*store.Result
	calls int
	err   error
}

func (m *memStore) Lookup(_ context.Context, token string) (*store.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return nil, m.err
	}
	r, ok := m.rows[token]
	if !ok {
		return nil, store.ErrNotFound
	}
	cp := *r
	return &cp, nil
}

func (m *memStore) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

func (m *memStore) delete(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows, token)
}

func newMemStore(t testing.TB, v sessionVectors) *memStore {
	m := &memStore{rows: map[string]*store.Result{}}
	for name, s := range v.Strategies {
		var body struct {
			Session map[string]any `json:"session"`
			User    map[string]any `json:"user"`
		}
		if err := json.Unmarshal(s["get-session-nocache"], &body); err != nil {
			t.Fatal(name, err)
		}
		sess, ok1 := betterauth.SessionFromMap(body.Session)
		user, ok2 := betterauth.UserFromMap(body.User)
		if !ok1 || !ok2 {
			t.Fatalf("%s: get-session body not a session", name)
		}
		m.rows[sess.Token] = &store.Result{Session: sess, User: user}
	}
	return m
}

type sessionFixture struct {
	v     sessionVectors
	store *memStore
	now   time.Time
}

func newSessionFixture(t testing.TB) *sessionFixture {
	v := loadSessionVectors(t)
	return &sessionFixture{v: v, store: newMemStore(t, v), now: sessionNow}
}

func (f *sessionFixture) auth(t testing.TB, edit func(*auth.Config)) *auth.Auth {
	t.Helper()
	jwks := serveJWKS(t, f.v.Strategies["jwtplugin"]["jwks"])
	cfg := auth.Config{
		BaseURL: f.v.BaseURL, JWKSURL: jwks.URL, Secret: auth.Secret(f.v.Secret), Store: f.store,
		Now: func() time.Time { return f.now },
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func cookieReq(pairs ...string) auth.Request {
	return auth.Request{Method: "GET", Path: "/api/me", Cookie: []string{strings.Join(pairs, "; ")}}
}

func (f *sessionFixture) cookies(t testing.TB, strategy string, withCache bool) auth.Request {
	pairs := []string{"theme=dark", "better-auth.session_token=" + f.v.get(t, strategy, "better-auth.session_token")}
	if withCache {
		pairs = append(pairs, "better-auth.session_data="+f.v.get(t, strategy, "better-auth.session_data"))
	}
	return cookieReq(pairs...)
}

// Every cookie cache strategy Better Auth writes is accepted without a store lookup when configured, and
// its session is the one the server reported.
func TestCookieCacheStrategies(t *testing.T) {
	for _, tt := range []struct {
		vector   string
		strategy auth.CacheStrategy
	}{
		{"compact", auth.CacheCompact}, {"jwt", auth.CacheJWT}, {"jwe", auth.CacheJWE}, {"jwtplugin", auth.CacheJWTPlugin},
	} {
		t.Run(tt.vector, func(t *testing.T) {
			f := newSessionFixture(t)
			a := f.auth(t, func(c *auth.Config) { c.CookieCache.Strategy = tt.strategy })
			s, err := a.Authenticate(t.Context(), f.cookies(t, tt.vector, true))
			checkErr(t, err)
			if s.Credential != auth.CredentialCookieCache || f.store.Calls() != 0 {
				t.Fatalf("credential %v, store calls %d; want the cache and no lookup", s.Credential, f.store.Calls())
			}
			if s.User.Email != tt.vector+"@example.com" || s.Record == nil || s.Record.UserID != s.User.ID || s.Record.UserAgent != "curl/7.88.1" {
				t.Errorf("session %+v record %+v", s.User, s.Record)
			}
			// Revoked on the server: the cache still answers until it expires (documented latency) ...
			tok, _ := betterauth.NewSigner(f.v.Secret).Verify(f.v.get(t, tt.vector, "better-auth.session_token"))
			f.store.delete(tok)
			if _, err := a.Authenticate(t.Context(), f.cookies(t, tt.vector, true)); err != nil {
				t.Errorf("cache refused before its expiry: %v", err)
			}
			// ... but a sensitive route sees the revocation at once (B13) ...
			r := f.cookies(t, tt.vector, true)
			r.SkipCookieCache = true
			_, err = a.Authenticate(t.Context(), r)
			checkErr(t, err, auth.ErrInvalidToken)
			// ... and so does everyone once the cache has expired (B20).
			f.now = sessionNow.Add(5 * time.Minute)
			_, err = a.Authenticate(t.Context(), f.cookies(t, tt.vector, true))
			checkErr(t, err, auth.ErrInvalidToken)
		})
	}
}

// Better Auth's /get-session uses a cookie cache only until its expiry — compact's expiresAt, or exp for
// the JWT kinds — with no clock tolerance: jose's 15 s tolerance lets the jwe and JWT-plugin caches decode
// a little past exp, but session.ts then compares exp*1000 with now and goes to the database. Go must do
// the same, or a revoked session would be accepted 15 s past the cache's maxAge. The expiries are those of
// the captured cookies (shared/vectors/strategies/*.verify.json).
func TestCookieCacheUsedUntilExpiry(t *testing.T) {
	for _, tt := range []struct {
		vector   string
		strategy auth.CacheStrategy
		expires  time.Time
	}{
		{"compact", auth.CacheCompact, time.UnixMilli(1795872851143)},
		{"jwt", auth.CacheJWT, time.Unix(1795872893, 0)},
		{"jwe", auth.CacheJWE, time.Unix(1795872895, 0)},
		{"jwtplugin", auth.CacheJWTPlugin, time.Unix(1795872896, 0)},
	} {
		t.Run(tt.vector, func(t *testing.T) {
			f := newSessionFixture(t)
			a := f.auth(t, func(c *auth.Config) { c.CookieCache.Strategy = tt.strategy })
			for _, step := range []struct {
				offset time.Duration
				want   auth.Credential
			}{
				{-time.Millisecond, auth.CredentialCookieCache},
				{0, auth.CredentialCookie},
				{time.Second, auth.CredentialCookie},
				{14 * time.Second, auth.CredentialCookie},
			} {
				f.now = tt.expires.Add(step.offset)
				s, err := a.Authenticate(t.Context(), f.cookies(t, tt.vector, true))
				checkErr(t, err)
				if s.Credential != step.want {
					t.Errorf("at expiry%+v: credential %v, want %v", step.offset, s.Credential, step.want)
				}
			}
		})
	}
}

func TestSessionCookie(t *testing.T) {
	f := newSessionFixture(t)
	signer := betterauth.NewSigner(f.v.Secret)
	cookie := f.v.get(t, "nocache", "better-auth.session_token")
	token, _ := signer.Verify(cookie)
	raw := f.v.get(t, "nocache", "set-auth-token")
	otherCache := f.v.get(t, "compact", "better-auth.session_data")
	tests := []struct {
		name      string
		edit      func(*auth.Config)
		req       auth.Request
		now       time.Duration // offset from sessionNow
		storeErr  error
		want      []error
		wantCalls int
		cred      auth.Credential
	}{
		{name: "valid", req: cookieReq("better-auth.session_token=" + cookie), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "raw (decoded) form", req: cookieReq("better-auth.session_token=" + raw), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "quoted", req: cookieReq(`better-auth.session_token="` + cookie + `"`), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "no cookies", req: auth.Request{}, want: []error{auth.ErrNoCredentials}},
		{name: "other cookies only", req: cookieReq("theme=dark"), want: []error{auth.ErrNoCredentials}},
		{name: "B1 bad signature, no store query", req: cookieReq("better-auth.session_token=" + flipFirst(cookie)), want: []error{auth.ErrInvalidToken}},
		{name: "B1 other secret", req: cookieReq("better-auth.session_token=" + betterauth.NewSigner(f.v.Secret+"x").Sign(token)), want: []error{auth.ErrInvalidToken}},
		{name: "B2 no signature", req: cookieReq("better-auth.session_token=" + token), want: []error{auth.ErrInvalidToken}},
		{name: "B5 double-encoded", req: cookieReq("better-auth.session_token=" + strings.ReplaceAll(cookie, "%", "%25")), want: []error{auth.ErrInvalidToken}},
		{name: "B7 plain name in secure mode", edit: func(c *auth.Config) { c.Cookies.Secure = auth.SecureOn }, req: cookieReq("better-auth.session_token=" + cookie), want: []error{auth.ErrNoCredentials}},
		{name: "B7 secure name", edit: func(c *auth.Config) { c.Cookies.Secure = auth.SecureOn }, req: cookieReq("__Secure-better-auth.session_token=" + cookie), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B9 duplicate", req: cookieReq("better-auth.session_token="+cookie, "better-auth.session_token="+cookie), want: []error{auth.ErrInvalidToken}},
		{name: "B10 custom prefix", edit: func(c *auth.Config) { c.Cookies.Prefix = "myapp" }, req: cookieReq("myapp.session_token=" + cookie), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B10 default name with custom prefix", edit: func(c *auth.Config) { c.Cookies.Prefix = "myapp" }, req: cookieReq("better-auth.session_token=" + cookie), want: []error{auth.ErrNoCredentials}},
		{name: "B10 renamed cookie", edit: func(c *auth.Config) { c.Cookies.SessionToken = "sid" }, req: cookieReq("sid=" + cookie), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B11 expired", now: 8 * 24 * time.Hour, req: cookieReq("better-auth.session_token=" + cookie), want: []error{auth.ErrExpired}, wantCalls: 1},
		{name: "B14/B16 unknown session", req: cookieReq("better-auth.session_token=" + signer.Sign("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")), want: []error{auth.ErrInvalidToken}, wantCalls: 1},
		{name: "B17 injection-shaped token", req: cookieReq("better-auth.session_token=" + signer.Sign("' OR 1=1--")), want: []error{auth.ErrInvalidToken}, wantCalls: 0},
		{name: "B18 tampered cache falls back to the store", edit: compact, req: cookieReq("better-auth.session_token="+cookie, "better-auth.session_data="+flipFirst(otherCache)), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B19 cache of another session", edit: compact, req: cookieReq("better-auth.session_token="+cookie, "better-auth.session_data="+otherCache), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B24 cache of another strategy", edit: compact, req: cookieReq("better-auth.session_token="+f.v.get(t, "jwt", "better-auth.session_token"), "better-auth.session_data="+f.v.get(t, "jwt", "better-auth.session_data")), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "B21 version mismatch", edit: func(c *auth.Config) { compact(c); c.CookieCache.Version = "2" }, req: cookieReq("better-auth.session_token="+f.v.get(t, "compact", "better-auth.session_token"), "better-auth.session_data="+otherCache), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "cache ignored when not configured", req: cookieReq("better-auth.session_token="+f.v.get(t, "compact", "better-auth.session_token"), "better-auth.session_data="+otherCache), wantCalls: 1, cred: auth.CredentialCookie},
		{name: "E1 store down", storeErr: errors.New("connection refused"), req: cookieReq("better-auth.session_token=" + cookie), want: []error{auth.ErrUnavailable}, wantCalls: 1},
		{name: "E1 store down, valid cache still answers", edit: compact, storeErr: errors.New("connection refused"), req: cookieReq("better-auth.session_token="+f.v.get(t, "compact", "better-auth.session_token"), "better-auth.session_data="+otherCache), cred: auth.CredentialCookieCache},
		{name: "store not found is not unavailable", storeErr: store.ErrNotFound, req: cookieReq("better-auth.session_token=" + cookie), want: []error{auth.ErrInvalidToken}, wantCalls: 1},
		{name: "bearer wins over cookie", req: auth.Request{Authorization: []string{"Bearer " + raw}, Cookie: []string{"better-auth.session_token=" + flipFirst(cookie)}}, wantCalls: 1, cred: auth.CredentialSessionToken},
		{name: "bearer signed", req: auth.Request{Authorization: []string{"Bearer " + raw}}, wantCalls: 1, cred: auth.CredentialSessionToken},
		{name: "bearer URL-encoded", req: auth.Request{Authorization: []string{"Bearer " + cookie}}, wantCalls: 1, cred: auth.CredentialSessionToken},
		{name: "bearer raw token with AcceptRawSessionTokens", edit: rawTokens, req: auth.Request{Authorization: []string{"Bearer " + token}}, wantCalls: 1, cred: auth.CredentialSessionToken},
		{name: "bearer raw token refused by default", req: auth.Request{Authorization: []string{"Bearer " + token}}, want: []error{auth.ErrInvalidToken}},
		{name: "bearer bad signature, no store query", req: auth.Request{Authorization: []string{"Bearer " + token + ".weFsVCho3JxfI9qwi6QhFWzIJ+BU3zXPuTRUPVA/t4o="}}, want: []error{auth.ErrInvalidToken}},
		{name: "bearer unknown raw token", edit: rawTokens, req: auth.Request{Authorization: []string{"Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, want: []error{auth.ErrInvalidToken}, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSessionFixture(t)
			f.now = sessionNow.Add(tt.now)
			f.store.err = tt.storeErr
			a := f.auth(t, tt.edit)
			s, err := a.Authenticate(t.Context(), tt.req)
			checkErr(t, err, tt.want...)
			if got := f.store.Calls(); got != tt.wantCalls {
				t.Errorf("store calls = %d, want %d", got, tt.wantCalls)
			}
			if err != nil {
				if s != nil {
					t.Error("session returned with an error")
				}
				if errors.Is(err, auth.ErrUnavailable) && auth.HTTPStatus(err) != http.StatusServiceUnavailable {
					t.Errorf("status %d", auth.HTTPStatus(err))
				}
				return
			}
			if s.Credential != tt.cred || s.Record == nil || s.User.ID == "" || s.User.ID != s.Record.UserID {
				t.Errorf("session %+v, credential %v want %v", s, s.Credential, tt.cred)
			}
		})
	}
}

func compact(c *auth.Config) { c.CookieCache.Strategy = auth.CacheCompact }

func rawTokens(c *auth.Config) { c.AcceptRawSessionTokens = true }

// B12: expiry is exact to the millisecond.
func TestSessionExpiryBoundary(t *testing.T) {
	f := newSessionFixture(t)
	a := f.auth(t, nil)
	req := f.cookies(t, "nocache", false)
	exp, _ := time.Parse(time.RFC3339Nano, "2026-12-05T13:29:57.664Z")
	f.now = exp.Add(-time.Millisecond)
	if _, err := a.Authenticate(t.Context(), req); err != nil {
		t.Fatalf("1 ms before expiry: %v", err)
	}
	f.now = exp
	_, err := a.Authenticate(t.Context(), req)
	checkErr(t, err, auth.ErrExpired)
}

// B14: a store answer whose user does not match its session is refused.
func TestSessionUserMismatch(t *testing.T) {
	f := newSessionFixture(t)
	for _, r := range f.store.rows {
		r.User.ID = "someone-else"
	}
	_, err := f.auth(t, nil).Authenticate(t.Context(), f.cookies(t, "nocache", false))
	checkErr(t, err, auth.ErrInvalidToken)
}

// A JWT-plugin cache presented as a bearer access token is refused (RFC 8725 §3.12), and an access token
// is never accepted as a cache.
func TestTokenKindsStaySeparate(t *testing.T) {
	f := newSessionFixture(t)
	a := f.auth(t, func(c *auth.Config) { c.CookieCache.Strategy = auth.CacheJWTPlugin })
	cache := f.v.get(t, "jwtplugin", "better-auth.session_data")
	_, err := a.VerifyToken(t.Context(), cache)
	checkErr(t, err, auth.ErrInvalidToken)
	tokens, _ := betterAuthVectors(t) // JWT-plugin access tokens signed by the same key
	s, err := a.Authenticate(t.Context(), cookieReq(
		"better-auth.session_token="+f.v.get(t, "jwtplugin", "better-auth.session_token"),
		"better-auth.session_data="+tokens[0]))
	checkErr(t, err)
	if s.Credential != auth.CredentialCookie {
		t.Errorf("an access token was used as a cookie cache: %v", s.Credential)
	}
}

func TestSessionConfig(t *testing.T) {
	m := &memStore{}
	long := auth.Secret(strings.Repeat("s", 32))
	for _, tt := range []struct {
		name string
		cfg  auth.Config
		ok   bool
	}{
		{"store without secret", auth.Config{BaseURL: "https://a.example", Store: m}, false},
		{"store with secret", auth.Config{BaseURL: "https://a.example", Store: m, Secret: long}, true},
		{"store with secrets", auth.Config{BaseURL: "https://a.example", Store: m, Secrets: []auth.VersionedSecret{{Version: 2, Value: long}}}, true},
		{"repeated versions", auth.Config{BaseURL: "https://a.example", Secrets: []auth.VersionedSecret{{1, long}, {1, long + "x"}}}, false},
		{"short rotated secret", auth.Config{BaseURL: "https://a.example", Secrets: []auth.VersionedSecret{{1, "short"}}}, false},
		{"unknown strategy", auth.Config{BaseURL: "https://a.example", Secret: long, CookieCache: auth.CookieCacheConfig{Strategy: "base64"}}, false},
		{"cache without secret", auth.Config{BaseURL: "https://a.example", CookieCache: auth.CookieCacheConfig{Strategy: auth.CacheCompact}}, false},
		{"jwt-plugin cache without JWKS", auth.Config{BaseURL: "https://a.example", Secret: long, Store: m, DisableJWKS: true, CookieCache: auth.CookieCacheConfig{Strategy: auth.CacheJWTPlugin}}, false},
		{"bad cookie prefix", auth.Config{BaseURL: "https://a.example", Secret: long, Cookies: auth.CookieConfig{Prefix: "a;b"}}, false},
		{"store only, JWKS off", auth.Config{BaseURL: "https://a.example", Secret: long, Store: m, DisableJWKS: true}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.New(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// With rotated secrets the current one signs cookies; older ones only decrypt jwe caches.
func TestSecretRotation(t *testing.T) {
	f := newSessionFixture(t)
	newSecret := auth.Secret("rotated-secret-0123456789abcdefghijklmnop")
	a := f.auth(t, func(c *auth.Config) {
		c.Secrets = []auth.VersionedSecret{{Version: 2, Value: newSecret}}
		c.CookieCache.Strategy = auth.CacheJWE
	})
	// The old cookie was signed with the old (legacy) secret: refused, as Better Auth refuses it.
	_, err := a.Authenticate(t.Context(), f.cookies(t, "nocache", false))
	checkErr(t, err, auth.ErrInvalidToken)
	// A cookie signed with the new secret and the old jwe cache: the cache still decrypts.
	tok, _ := betterauth.NewSigner(f.v.Secret).Verify(f.v.get(t, "jwe", "better-auth.session_token"))
	s, err := a.Authenticate(t.Context(), cookieReq(
		"better-auth.session_token="+betterauth.NewSigner(string(newSecret)).Sign(tok),
		"better-auth.session_data="+f.v.get(t, "jwe", "better-auth.session_data")))
	checkErr(t, err)
	if s.Credential != auth.CredentialCookieCache {
		t.Errorf("credential %v", s.Credential)
	}
}

func TestStoreSessionClaims(t *testing.T) {
	f := newSessionFixture(t)
	for _, r := range f.store.rows {
		r.User.Role = "admin,support"
		r.User.Additional = map[string]any{"permissions": []any{"billing:read"}, "plan": "pro"}
	}
	s, err := f.auth(t, nil).Authenticate(t.Context(), f.cookies(t, "nocache", false))
	checkErr(t, err)
	if perms, ok := auth.Claim[[]string](s, "permissions"); !ok || len(perms) != 1 || perms[0] != "billing:read" {
		t.Errorf("permissions %v %v", perms, ok)
	}
	if role, ok := auth.Claim[string](s, "role"); !ok || role != "admin,support" {
		t.Errorf("role %q %v", role, ok)
	}
	var u struct {
		Email string
		Plan  string
		Image *string
	}
	if err := s.Decode(&u); err != nil || u.Plan != "pro" || u.Email != "nocache@example.com" || u.Image != nil {
		t.Errorf("Decode: %+v %v", u, err)
	}
	if _, ok := auth.Claim[string](s, "missing"); ok {
		t.Error("missing field reported present")
	}
}

func TestSessionMarshalJSON(t *testing.T) {
	f := newSessionFixture(t)
	s, err := f.auth(t, nil).Authenticate(t.Context(), f.cookies(t, "nocache", false))
	checkErr(t, err)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Session map[string]any
		User    map[string]any
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Session["credential"] != "cookie" || got.Session["expiresAt"] != "2026-12-05T13:29:57.664Z" ||
		got.User["email"] != "nocache@example.com" || got.User["image"] != nil || got.User["createdAt"] == nil {
		t.Errorf("%s", b)
	}
	if strings.Contains(string(b), "token") {
		t.Errorf("session token in JSON: %s", b)
	}
}
