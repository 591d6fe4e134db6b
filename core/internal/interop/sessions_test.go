package interop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/remote"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// The session tests run the real Better Auth server on each store Better Auth can keep sessions in —
// a SQLite file, a PostgreSQL database (npm pg), Redis as secondaryStorage (npm ioredis) — and point the
// Go side at the same store (storeurl.Open with the DATABASE_URL a user would write), or at the server
// itself (the remote store). Every answer Go gives is compared with the server's own /get-session for the
// same cookies at the same moment.

// cacheMaxAge is COOKIE_CACHE_MAX_AGE of the session servers: short, so that waiting for a cookie cache
// to expire costs a few seconds.
const cacheMaxAge = 5 * time.Second

const password = "correct horse battery staple"

// A sessionServer is a Better Auth server on one store, with what Go needs to read that store.
type sessionServer struct {
	*interop.Server
	databaseURL string             // the store's URL for storeurl.Open
	cache       auth.CacheStrategy // the server's cookie cache, as Go names it
	cookies     auth.CookieConfig  // how Go names the server's cookies
	cookieName  string             // the session cookie's name prefix as sent: "better-auth." or "__Secure-myapp."
	pgURL       string             // the PostgreSQL database, for the fault test
	redisURL    string             // Redis without the key prefix, for the fault test
}

// sessionServers start on first use; the first session test starts all of them at once, in the background,
// so their start-ups overlap. TestMain closes them and then runs cleanups (drop the database, delete the
// Redis keys, remove the files).
var (
	sessionServers = map[string]func() (*sessionServer, error){
		// SQLite, the compact cache and the user field that makes caches long enough to be chunked.
		"sqlite": lazySessionServer(func(dir string) (map[string]string, *sessionServer, func(), error) {
			file := filepath.Join(dir, "auth.db")
			return map[string]string{"DB_FILE": file, "COOKIE_CACHE": "compact"},
				&sessionServer{databaseURL: "sqlite:" + file, cache: auth.CacheCompact}, nil, nil
		}),
		// PostgreSQL through pg's Pool, the jwt cache.
		"postgres": lazySessionServer(func(string) (map[string]string, *sessionServer, func(), error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			dbURL, drop, err := newPostgresDatabase(ctx)
			if err != nil {
				return nil, nil, nil, err
			}
			return map[string]string{"DATABASE": dbURL, "COOKIE_CACHE": "jwt"},
				&sessionServer{databaseURL: dbURL, cache: auth.CacheJWT, pgURL: dbURL}, drop, nil
		}),
		// Redis as secondaryStorage (users and accounts in a SQLite file), the jwe cache.
		"redis": lazySessionServer(func(string) (map[string]string, *sessionServer, func(), error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			redisURL, prefix, clean, err := newRedisPrefix(ctx)
			if err != nil {
				return nil, nil, nil, err
			}
			u := redisURL + "?key_prefix=" + url.QueryEscape(prefix)
			if strings.Contains(redisURL, "?") {
				u = redisURL + "&key_prefix=" + url.QueryEscape(prefix)
			}
			return map[string]string{"REDIS_URL": redisURL, "REDIS_KEY_PREFIX": prefix, "COOKIE_CACHE": "jwe"},
				&sessionServer{databaseURL: u, cache: auth.CacheJWE, redisURL: redisURL}, clean, nil
		}),
		// An https base URL (so every cookie name starts with __Secure-), a custom cookie prefix, and the JWT
		// plugin's cookie cache (strategy jwt with jwt({ sessionCookieCache: true })), on SQLite.
		"secure": lazySessionServer(func(dir string) (map[string]string, *sessionServer, func(), error) {
			file := filepath.Join(dir, "auth.db")
			return map[string]string{"DB_FILE": file, "COOKIE_CACHE": "jwt-plugin", "COOKIE_PREFIX": "myapp",
					"BASE_URL": "https://127.0.0.1:{port}"},
				&sessionServer{databaseURL: "sqlite:" + file, cache: auth.CacheJWTPlugin,
					cookies: auth.CookieConfig{Prefix: "myapp"}, cookieName: "__Secure-myapp."}, nil, nil
		}),
	}
	warmSessions sync.Once
	cleanups     []func() // guarded by mu
)

// lazySessionServer returns a function that, on its first call, makes a directory, lets setup provision the
// store, and starts the server with setup's environment plus the settings every session server shares.
func lazySessionServer(setup func(dir string) (map[string]string, *sessionServer, func(), error)) func() (*sessionServer, error) {
	return sync.OnceValues(func() (*sessionServer, error) {
		dir, err := os.MkdirTemp("", "gobetterauth-sessions-")
		if err != nil {
			return nil, err
		}
		addCleanup(func() { os.RemoveAll(dir) })
		env, ss, cleanup, err := setup(dir)
		if err != nil {
			return nil, err
		}
		addCleanup(cleanup)
		env["COOKIE_CACHE_MAX_AGE"] = fmt.Sprint(int(cacheMaxAge / time.Second))
		env["BIO_FIELD"] = "1"
		// These tests sign in about a hundred times, at once: Better Auth's scrypt would make that seconds of
		// CPU on two cores, and passwords are not what they test.
		env["INSECURE_FAST_PASSWORD_HASH"] = "1"
		ctx, cancel := context.WithTimeout(context.Background(), interop.StartTimeout)
		defer cancel()
		s, err := interop.Start(ctx, env)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		started = append(started, s)
		mu.Unlock()
		ss.Server = s
		if ss.cookieName == "" {
			ss.cookieName = "better-auth."
		}
		return ss, nil
	})
}

func addCleanup(f func()) {
	if f == nil {
		return
	}
	mu.Lock()
	cleanups = append(cleanups, f)
	mu.Unlock()
}

// runCleanups runs the session servers' cleanups, last first. TestMain calls it after closing the servers.
func runCleanups() {
	mu.Lock()
	defer mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
}

// sessionServerFor returns the named session server, skipping t when Node or a service is missing (failing it
// under CI=true).
func sessionServerFor(t *testing.T, name string) *sessionServer {
	t.Helper()
	interop.Require(t)
	warmSessions.Do(func() {
		for _, get := range sessionServers {
			starting.Go(func() { _, _ = get() })
		}
	})
	s, err := sessionServers[name]()
	requireFixture(t, err)
	return s
}

// A storeCase is a way for Go to read a server's sessions.
type storeCase struct {
	name   string
	server string
	// open returns the store; nil means storeurl.Open(databaseURL).
	open func(t *testing.T, s *sessionServer) store.Store
	// forwards says Go has no secret: the store (remote) checks the caller's credentials itself, and the
	// cookie cache cannot be used.
	forwards bool
}

var storeCases = []storeCase{
	{name: "sqlite", server: "sqlite"},
	{name: "postgres", server: "postgres"},
	{name: "redis", server: "redis"},
	// The remote store asks the server's /get-session. Its own in-process cache is off here (CacheTTL < 0):
	// with it, a revocation is seen after up to CacheTTL (5 s by default; docs/stores.md).
	// They ask the PostgreSQL and Redis servers (any would do), which spreads the sign-ins over the servers.
	{name: "remote", server: "postgres", forwards: true, open: openRemote},
	{name: "remote-with-secret", server: "redis", open: openRemote},
	{name: "secure-prefix", server: "secure"},
}

func openRemote(t *testing.T, s *sessionServer) store.Store {
	st, err := remote.New(s.URL, &remote.Options{CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// setup returns the case's server and a Go Auth reading its store.
func (c storeCase) setup(t *testing.T) (*sessionServer, *auth.Auth) {
	t.Helper()
	s := sessionServerFor(t, c.server)
	var st store.Store
	if c.open != nil {
		st = c.open(t, s)
	} else {
		st = openStore(t, s.databaseURL)
	}
	// The interop server runs bearer() without requireSignature, so raw session tokens are its own to take.
	cfg := auth.Config{BaseURL: s.BaseURL, JWKSURL: s.AuthURL("/jwks"), Store: st, Cookies: s.cookies, AcceptRawSessionTokens: true}
	if !c.forwards {
		cfg.Secret = auth.Secret(s.Secret)
		cfg.CookieCache.Strategy = s.cache
	}
	return s, newAuth(t, cfg)
}

func openStore(t *testing.T, databaseURL string) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	st, closer, err := storeurl.Open(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	return st
}

// A user is an account created on a server for one test.
type user struct {
	email string
	s     *sessionServer
}

func newUser(t *testing.T, s *sessionServer, extra map[string]any) (user, *interop.Login) {
	t.Helper()
	u := user{email: fmt.Sprintf("session%d-%d@example.com", userSeq.Add(1), time.Now().UnixNano()), s: s}
	body := map[string]any{"email": u.email, "password": password, "name": awkwardName}
	for k, v := range extra {
		body[k] = v
	}
	l, err := s.Post(t.Context(), "/sign-up/email", "", body)
	if err != nil {
		t.Fatal(err)
	}
	return u, l
}

// signIn signs u in once more: a second session.
func (u user) signIn(t *testing.T, rememberMe bool) *interop.Login {
	t.Helper()
	l, err := u.s.SignIn(t.Context(), u.email, password, rememberMe)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A session is what a browser and a mobile client hold after a sign-in, and when the cookie cache in it
// was issued.
type session struct {
	name   string
	login  *interop.Login
	issued time.Time // before the request that set the cookies: the cache expires no sooner than issued+maxAge-1s
	set    time.Time // after it: the cache has expired by set+maxAge
}

func newSession(t *testing.T, name string, f func() *interop.Login) session {
	t.Helper()
	s := session{name: name, issued: time.Now()}
	s.login = f()
	s.set = time.Now()
	return s
}

// cookieReq is the browser's request: the session's cookies among others of the site.
func (s session) cookieReq() auth.Request {
	return auth.Request{Method: "GET", Path: "/api/me", Cookie: []string{"theme=dark; " + s.login.Cookie}}
}

// storeReq is the same request on a route that skips the cookie cache (a sensitive route).
func (s session) storeReq() auth.Request {
	r := s.cookieReq()
	r.SkipCookieCache = true
	return r
}

func bearerReq(tok string) auth.Request {
	return auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{"Bearer " + tok}}
}

// rawToken is the session token, without its signature.
func (s session) rawToken() string {
	tok, _, _ := strings.Cut(s.login.BearerToken, ".")
	return tok
}

// truth is the server's own answer for the session from its store (?disableCookieCache=true).
func truth(t *testing.T, srv *sessionServer, s session) *interop.SessionResponse {
	t.Helper()
	gs, err := srv.LookupSession(t.Context(), s.login.Cookie, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if gs == nil {
		t.Fatalf("%s: the server has no session for its own cookies", s.name)
	}
	return gs
}

// anyCredential, as the credential accepts wants, accepts any.
const anyCredential auth.Credential = 0

// cacheCred is the credential Go should report for the session's cookie header now: the cookie cache while
// it is surely fresh, the cookie (checked by the server) when Go has no secret. On a machine so slow that
// the cache may have expired already it is anyCredential, and the test says so.
func (c storeCase) cacheCred(t *testing.T, s session) auth.Credential {
	t.Helper()
	switch {
	case c.forwards:
		return auth.CredentialCookie // no secret: the server checks the cookies
	case time.Now().After(s.issued.Add(cacheMaxAge - 1500*time.Millisecond)):
		t.Logf("%s: too slow to check the cookie cache within its maxAge (%v since sign-in); any credential will do", s.name, time.Since(s.issued).Round(time.Millisecond))
		return anyCredential
	}
	return auth.CredentialCookieCache
}

// accepts checks that Go accepts r as the session the server described in want, by credential kind cred.
func accepts(t *testing.T, a *auth.Auth, label string, r auth.Request, cred auth.Credential, want *interop.SessionResponse) {
	t.Helper()
	got, err := a.Authenticate(t.Context(), r)
	if err != nil {
		t.Errorf("%s: %v; want the session of %s", label, err, want.User.Email)
		return
	}
	if cred != anyCredential && got.Credential != cred {
		t.Errorf("%s: credential %v, want %v", label, got.Credential, cred)
	}
	u, w := got.User, want.User
	if u.ID != w.ID || u.Email != w.Email || u.Name != w.Name || u.EmailVerified != w.EmailVerified || u.Image != deref(w.Image) {
		t.Errorf("%s: user %+v\nwant /get-session's %+v", label, u, w)
	}
	rec, err := want.Record()
	if err != nil {
		t.Fatal(err)
	}
	exp, err := time.Parse(time.RFC3339Nano, rec.ExpiresAt)
	if err != nil {
		t.Fatalf("/get-session expiresAt %q: %v", rec.ExpiresAt, err)
	}
	if got.Record == nil || got.Record.ID != rec.ID || got.Record.Token != rec.Token || got.Record.UserID != rec.UserID ||
		!got.Record.ExpiresAt.Equal(exp) {
		t.Errorf("%s: session %+v\nwant /get-session's %+v", label, got.Record, rec)
	}
}

// refuses checks that Go refuses r with a 401 (not found, never "could not check").
func refuses(t *testing.T, a *auth.Auth, label string, r auth.Request) {
	t.Helper()
	got, err := a.Authenticate(t.Context(), r)
	if err == nil {
		t.Errorf("%s: accepted (%v, %s); want 401", label, got.Credential, got.User.Email)
		return
	}
	if !errors.Is(err, auth.ErrInvalidToken) || auth.HTTPStatus(err) != http.StatusUnauthorized {
		t.Errorf("%s: %v (status %d); want ErrInvalidToken, 401", label, err, auth.HTTPStatus(err))
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestSessions: the real Better Auth server on each store, and Go reading the same store (see the groups
// below). The groups and their cases run at once.
func TestSessions(t *testing.T) {
	t.Parallel()
	groups := []group{
		{"Accepted", testAccepted},
		{"Revoked", testRevoked},
		{"RememberMe", testRememberMe},
		{"Chunked", testChunked},
		{"SecureNames", testSecureNames},
		{"StoreDown", testStoreDown},
	}
	all(t, groups, func(g group) string { return g.name }, func(t *testing.T, g group) { g.f(t) })
}

type group struct {
	name string
	f    func(*testing.T)
}

// all runs f on every case as a subtest named name(case), all of them at once, and returns when they are
// done. They are not t.Parallel subtests: go test runs at most -parallel of those at a time (GOMAXPROCS: 2
// on the CI machine), and these spend most of their time waiting for Node or for a cookie cache to expire.
func all[T any](t *testing.T, cases []T, name func(T) string, f func(*testing.T, T)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Go(func() { t.Run(name(c), func(t *testing.T) { f(t, c) }) })
	}
	wg.Wait()
}

// testAccepted: for each store, after a sign-up and a sign-in through the real server, Go accepts
// the cookies the server set (from the cookie cache, and from the store on a route that skips it) and the
// bearer plugin's token, signed (set-auth-token) and raw, each as the session and user the server's own
// /get-session reports.
func testAccepted(t *testing.T) {
	all(t, storeCases, func(c storeCase) string { return c.name }, func(t *testing.T, c storeCase) {
		srv, a := c.setup(t)
		var u user
		signUp := newSession(t, "sign-up", func() (l *interop.Login) { u, l = newUser(t, srv, nil); return l })
		signIn := newSession(t, "sign-in", func() *interop.Login { return u.signIn(t, true) })
		for _, s := range []session{signUp, signIn} {
			want := truth(t, srv, s)
			if !strings.Contains(s.login.Cookie, srv.cookieName+"session_token=") || !strings.Contains(s.login.Cookie, srv.cookieName+"session_data=") {
				t.Fatalf("%s: cookies %q lack %ssession_token or session_data", s.name, s.login.Cookie, srv.cookieName)
			}
			accepts(t, a, s.name+": cookie header", s.cookieReq(), c.cacheCred(t, s), want)
			accepts(t, a, s.name+": cookie header, cache skipped", s.storeReq(), auth.CredentialCookie, want)
			accepts(t, a, s.name+": signed bearer token", bearerReq(s.login.BearerToken), auth.CredentialSessionToken, want)
			accepts(t, a, s.name+": raw bearer token", bearerReq(s.rawToken()), auth.CredentialSessionToken, want)
			// The signed token as the cookie carries it (URL-encoded) is a bearer token too.
			enc := url.QueryEscape(s.login.BearerToken)
			accepts(t, a, s.name+": URL-encoded signed bearer token", bearerReq(enc), auth.CredentialSessionToken, want)
		}
		if signUp.rawToken() == signIn.rawToken() {
			t.Error("sign-up and sign-in gave the same session token")
		}
	})
}

// A revocation is a way the Better Auth server ends sessions. One user has two sessions: the "actor"
// performs the revocation, which ends the "victim" (and, for revoke-other-sessions, a third, "bystander").
type revocation struct {
	name string
	do   func(t *testing.T, srv *sessionServer, actor, victim session) error
	// actorEnds: every session ends, the actor's too. bystander: a third session exists, and ends too.
	actorEnds, bystander bool
}

var revocations = []revocation{
	{name: "sign-out", do: func(t *testing.T, srv *sessionServer, actor, victim session) error {
		_, err := srv.Post(t.Context(), "/sign-out", victim.login.Cookie, nil) // the victim signs itself out
		return err
	}},
	{name: "revoke-session", do: func(t *testing.T, srv *sessionServer, actor, victim session) error {
		_, err := srv.Post(t.Context(), "/revoke-session", actor.login.Cookie, map[string]string{"token": victim.rawToken()})
		return err
	}},
	{name: "revoke-other-sessions", bystander: true, do: func(t *testing.T, srv *sessionServer, actor, victim session) error {
		_, err := srv.Post(t.Context(), "/revoke-other-sessions", actor.login.Cookie, nil)
		return err
	}},
	{name: "delete-user", actorEnds: true, do: func(t *testing.T, srv *sessionServer, actor, victim session) error {
		_, err := srv.Post(t.Context(), "/delete-user", actor.login.Cookie, map[string]string{"password": password})
		return err
	}},
}

// testRevoked: for each store and each way the JS side ends a session (sign-out, revoke-session,
// revoke-other-sessions, deleting the user), Go refuses the ended sessions at once on the store path (the
// cookie on a route that skips the cache, and the bearer token) and keeps accepting the others. From the
// cookie cache it keeps accepting an ended session until the cache's maxAge, as the server's own
// /get-session does, and refuses it after. At each step Go's answer is compared with the server's.
func testRevoked(t *testing.T) {
	all(t, storeCases, func(c storeCase) string { return c.name }, func(t *testing.T, c storeCase) {
		all(t, revocations, func(rv revocation) string { return rv.name }, func(t *testing.T, rv revocation) {
			srv, a := c.setup(t)
			var u user
			actor := newSession(t, "actor", func() (l *interop.Login) { u, l = newUser(t, srv, nil); return l })
			victim := newSession(t, "victim", func() *interop.Login { return u.signIn(t, true) })
			sessions := []session{actor, victim}
			if rv.bystander {
				sessions = append(sessions, newSession(t, "bystander", func() *interop.Login { return u.signIn(t, true) }))
			}
			wants := map[string]*interop.SessionResponse{}
			for _, s := range sessions {
				wants[s.name] = truth(t, srv, s)
				accepts(t, a, s.name+" before", s.storeReq(), auth.CredentialCookie, wants[s.name])
			}

			if err := rv.do(t, srv, actor, victim); err != nil {
				t.Fatal(err)
			}
			ended, kept := sessions[1:], sessions[:1] // the victim and the bystander; the actor
			if rv.actorEnds {
				ended, kept = sessions, nil
			}

			for _, s := range kept {
				accepts(t, a, s.name+" (kept), store path", s.storeReq(), auth.CredentialCookie, wants[s.name])
				accepts(t, a, s.name+" (kept), bearer", bearerReq(s.rawToken()), auth.CredentialSessionToken, wants[s.name])
				sameAsServer(t, srv, a, s.name+" (kept)", s)
			}
			for _, s := range ended {
				refuses(t, a, s.name+" (ended), store path", s.storeReq())
				refuses(t, a, s.name+" (ended), signed bearer", bearerReq(s.login.BearerToken))
				refuses(t, a, s.name+" (ended), raw bearer", bearerReq(s.rawToken()))
				if gs, err := srv.LookupSession(t.Context(), s.login.Cookie, "", true); err != nil || gs != nil {
					t.Errorf("%s (ended): the server's store path still answers %v, %v", s.name, gs, err)
				}
			}
			if c.forwards {
				for _, s := range ended {
					refuses(t, a, s.name+" (ended), cookie header", s.cookieReq())
				}
				return
			}
			// Within maxAge the cache still answers, on both sides.
			for _, s := range ended {
				if deadline := s.issued.Add(cacheMaxAge - 1500*time.Millisecond); time.Now().After(deadline) {
					t.Logf("%s: too slow to check the cache within its maxAge (%v since sign-in)", s.name, time.Since(s.issued))
					continue
				}
				accepts(t, a, s.name+" (ended), cookie cache within maxAge", s.cookieReq(), auth.CredentialCookieCache, wants[s.name])
				if gs, err := srv.LookupSession(t.Context(), s.login.Cookie, "", false); err != nil || gs == nil {
					t.Errorf("%s (ended): within maxAge the server answers %v, %v from its cookie cache; Go accepts", s.name, gs, err)
				}
			}
			// After maxAge neither does.
			var last time.Time
			for _, s := range ended {
				if s.set.After(last) {
					last = s.set
				}
			}
			time.Sleep(time.Until(last.Add(cacheMaxAge + 250*time.Millisecond)))
			for _, s := range ended {
				refuses(t, a, s.name+" (ended), cookie header after maxAge", s.cookieReq())
				sameAsServer(t, srv, a, s.name+" (ended) after maxAge", s)
			}
			for _, s := range kept {
				sameAsServer(t, srv, a, s.name+" (kept) after maxAge", s)
			}
		})
	})
}

// sameAsServer checks that Go and the server's own /get-session agree on whether the session's cookies
// (with their cookie cache) are signed in.
func sameAsServer(t *testing.T, srv *sessionServer, a *auth.Auth, label string, s session) {
	t.Helper()
	_, goErr := a.Authenticate(t.Context(), s.cookieReq())
	gs, err := srv.LookupSession(t.Context(), s.login.Cookie, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if (goErr == nil) != (gs != nil) {
		t.Errorf("%s: Go says %v, the server says signed in = %v", label, goErr, gs != nil)
	}
}

// testRememberMe: a sign-in with rememberMe: false sets a browser-session cookie and the signed
// dont_remember cookie; Go accepts the cookies (cache and store) and the bearer token, with the one-day
// session the server created.
func testRememberMe(t *testing.T) {
	all(t, storeCases, func(c storeCase) string { return c.name }, func(t *testing.T, c storeCase) {
		srv, a := c.setup(t)
		u, _ := newUser(t, srv, nil)
		s := newSession(t, "rememberMe:false", func() *interop.Login { return u.signIn(t, false) })
		var tokenCookie, dontRemember *http.Cookie
		for _, ck := range s.login.Cookies {
			switch ck.Name {
			case srv.cookieName + "session_token":
				tokenCookie = ck
			case srv.cookieName + "dont_remember":
				dontRemember = ck
			}
		}
		if tokenCookie == nil || dontRemember == nil || !strings.HasPrefix(dontRemember.Value, "true.") {
			t.Fatalf("cookies %q: want %ssession_token and a signed %sdont_remember", s.login.Cookie, srv.cookieName, srv.cookieName)
		}
		if tokenCookie.MaxAge != 0 || !tokenCookie.Expires.IsZero() {
			t.Errorf("session_token has Max-Age %d, Expires %v; want a browser-session cookie", tokenCookie.MaxAge, tokenCookie.Expires)
		}
		want := truth(t, srv, s)
		rec, _ := want.Record()
		if exp, err := time.Parse(time.RFC3339Nano, rec.ExpiresAt); err != nil || exp.Sub(s.set) > 24*time.Hour+time.Minute {
			t.Errorf("session expiresAt %s (%v); want a day from now", rec.ExpiresAt, err)
		}
		accepts(t, a, "cookie header", s.cookieReq(), c.cacheCred(t, s), want)
		accepts(t, a, "cookie header, cache skipped", s.storeReq(), auth.CredentialCookie, want)
		accepts(t, a, "raw bearer token", bearerReq(s.rawToken()), auth.CredentialSessionToken, want)
	})
}

// testChunked: a user whose session does not fit one cookie (a 6000-character bio, an additional
// field set at sign-up) gets the cookie cache split into session_data.0, .1, …; under every strategy Go
// joins the chunks and accepts the cache, with the bio, and the store path reads the bio as well.
func testChunked(t *testing.T) {
	bio := strings.Repeat("A long bio, ", 500)
	cached := slices.DeleteFunc(slices.Clone(storeCases), func(c storeCase) bool { return c.forwards }) // no secret, no cache
	all(t, cached, func(c storeCase) string { return c.name }, func(t *testing.T, c storeCase) {
		srv, a := c.setup(t)
		s := newSession(t, "chunked", func() (l *interop.Login) { _, l = newUser(t, srv, map[string]any{"bio": bio}); return l })
		login := s.login
		data := srv.cookieName + "session_data"
		if !strings.Contains(login.Cookie, data+".0=") || !strings.Contains(login.Cookie, data+".1=") || strings.Contains(login.Cookie, data+"=") {
			t.Fatalf("cookies %.300q…: want %s.0 and %s.1 and no unchunked %s", login.Cookie, data, data, data)
		}
		want := truth(t, srv, s)
		if !strings.Contains(string(want.UserJSON), `"bio":"A long bio, `) {
			t.Fatalf("/get-session's user has no bio: %.200s", want.UserJSON)
		}
		accepts(t, a, "chunked cookie cache", s.cookieReq(), c.cacheCred(t, s), want)
		accepts(t, a, "store path", s.storeReq(), auth.CredentialCookie, want)
		for _, r := range []auth.Request{s.cookieReq(), s.storeReq()} {
			if got, err := a.Authenticate(t.Context(), r); err == nil && got.User.Additional["bio"] != bio {
				t.Errorf("%v: bio %.40q…, want the one signed up with", got.Credential, got.User.Additional["bio"])
			}
		}
		// A missing chunk is not a cache: the store decides.
		var partial []string
		for _, p := range strings.Split(login.Cookie, "; ") {
			if !strings.HasPrefix(p, data+".1=") {
				partial = append(partial, p)
			}
		}
		r := auth.Request{Cookie: []string{strings.Join(partial, "; ")}}
		accepts(t, a, "chunk .1 missing", r, auth.CredentialCookie, want)
	})
}

// testSecureNames: with an https base URL Better Auth puts __Secure- in front of every cookie name;
// Go reads those names only when it is configured the same way (https BaseURL or Cookies.Secure = SecureOn,
// and the custom prefix).
func testSecureNames(t *testing.T) {
	srv := sessionServerFor(t, "secure")
	st := openStore(t, srv.databaseURL)
	u, _ := newUser(t, srv, nil)
	s := newSession(t, "secure", func() *interop.Login { return u.signIn(t, true) })
	for _, ck := range s.login.Cookies {
		if !strings.HasPrefix(ck.Name, "__Secure-myapp.") || !ck.Secure {
			t.Errorf("cookie %s (Secure %v): want __Secure-myapp. names, Secure", ck.Name, ck.Secure)
		}
	}
	want := truth(t, srv, s)
	plainURL := strings.Replace(srv.BaseURL, "https://", "http://", 1)
	for _, tt := range []struct {
		name    string
		baseURL string
		cookies auth.CookieConfig
		ok      bool
	}{
		{"https base URL, prefix", srv.BaseURL, auth.CookieConfig{Prefix: "myapp"}, true},
		{"SecureOn, prefix", plainURL, auth.CookieConfig{Prefix: "myapp", Secure: auth.SecureOn}, true},
		{"https base URL, default prefix", srv.BaseURL, auth.CookieConfig{}, false},
		{"SecureOff, prefix", srv.BaseURL, auth.CookieConfig{Prefix: "myapp", Secure: auth.SecureOff}, false},
		{"http base URL, prefix", plainURL, auth.CookieConfig{Prefix: "myapp"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newAuth(t, auth.Config{BaseURL: tt.baseURL, Secret: auth.Secret(srv.Secret), Store: st, Cookies: tt.cookies})
			if tt.ok {
				accepts(t, a, "cookie header", s.cookieReq(), auth.CredentialCookie, want)
				return
			}
			if _, err := a.Authenticate(t.Context(), s.cookieReq()); !errors.Is(err, auth.ErrNoCredentials) {
				t.Errorf("Authenticate: %v; want ErrNoCredentials (the names do not match)", err)
			}
		})
	}
	// The cookies renamed without __Secure- (as an http MITM could set them) are not read in secure mode.
	renamed := strings.ReplaceAll(s.login.Cookie, "__Secure-myapp.", "myapp.")
	a := newAuth(t, auth.Config{BaseURL: srv.BaseURL, Secret: auth.Secret(srv.Secret), Store: st, Cookies: auth.CookieConfig{Prefix: "myapp"}})
	if _, err := a.Authenticate(t.Context(), auth.Request{Cookie: []string{renamed}}); !errors.Is(err, auth.ErrNoCredentials) {
		t.Errorf("plain-named cookies in secure mode: %v; want ErrNoCredentials", err)
	}
}

// testStoreDown: the Go side reads PostgreSQL, Redis or the Better Auth server through a TCP proxy.
// While the proxy is down, a session cookie gets ErrUnavailable (503 with Retry-After), never 401, while a
// valid cookie cache still answers; once it is up again the same cookie is accepted, without a restart.
func testStoreDown(t *testing.T) {
	type fault struct {
		name, server string
		target       func(t *testing.T, s *sessionServer) string                        // host:port behind the proxy
		open         func(t *testing.T, s *sessionServer, proxyAddr string) store.Store // the store through the proxy
	}
	faults := []fault{
		{name: "postgres", server: "postgres",
			target: func(t *testing.T, s *sessionServer) string { return hostPort(t, s.pgURL) },
			open: func(t *testing.T, s *sessionServer, addr string) store.Store {
				return openStore(t, withHost(t, s.pgURL, addr))
			}},
		{name: "redis", server: "redis",
			target: func(t *testing.T, s *sessionServer) string { return hostPort(t, s.redisURL) },
			open: func(t *testing.T, s *sessionServer, addr string) store.Store {
				return openStore(t, withHost(t, s.databaseURL, addr))
			}},
		{name: "remote", server: "sqlite",
			target: func(t *testing.T, s *sessionServer) string { return hostPort(t, s.URL) },
			open: func(t *testing.T, s *sessionServer, addr string) store.Store {
				st, err := remote.New("http://"+addr, &remote.Options{CacheTTL: -1})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}},
	}
	all(t, faults, func(f fault) string { return f.name }, func(t *testing.T, tt fault) {
		srv := sessionServerFor(t, tt.server)
		p := newProxy(t, tt.target(t, srv))
		st := tt.open(t, srv, p.addr)
		a := newAuth(t, auth.Config{BaseURL: srv.BaseURL, Secret: auth.Secret(srv.Secret), Store: st,
			CookieCache: auth.CookieCacheConfig{Strategy: srv.cache}, JWKSURL: srv.AuthURL("/jwks"), Cookies: srv.cookies,
			AcceptRawSessionTokens: true})
		u, _ := newUser(t, srv, nil)
		s := newSession(t, "session", func() *interop.Login { return u.signIn(t, true) })
		want := truth(t, srv, s)
		accepts(t, a, "before", s.storeReq(), auth.CredentialCookie, want)

		p.down()
		for _, r := range []struct {
			name string
			req  auth.Request
		}{{"cookie, cache skipped", s.storeReq()}, {"raw bearer", bearerReq(s.rawToken())}} {
			start := time.Now()
			_, err := a.Authenticate(t.Context(), r.req)
			resp := auth.NewErrorResponse(err)
			if !errors.Is(err, auth.ErrUnavailable) || auth.HTTPStatus(err) != http.StatusServiceUnavailable || resp.RetryAfter < 1 {
				t.Errorf("%s while down: %v (status %d, Retry-After %d); want ErrUnavailable, 503, Retry-After",
					r.name, err, auth.HTTPStatus(err), resp.RetryAfter)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("%s while down: took %v; lookups are bounded (2 s)", r.name, d)
			}
		}
		if time.Now().Before(s.issued.Add(cacheMaxAge - 1500*time.Millisecond)) {
			accepts(t, a, "cookie cache while down", s.cookieReq(), auth.CredentialCookieCache, want)
		}

		p.up(t)
		accepts(t, a, "after the store is back, cookie", s.storeReq(), auth.CredentialCookie, want)
		accepts(t, a, "after the store is back, bearer", bearerReq(s.rawToken()), auth.CredentialSessionToken, want)
	})
}

func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		t.Fatalf("URL %q has no host", raw)
	}
	if u.Port() == "" {
		t.Fatalf("URL %q has no port", raw)
	}
	return u.Host
}

func withHost(t *testing.T, raw, host string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}
