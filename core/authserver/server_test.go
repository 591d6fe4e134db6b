package authserver_test

import (
	"database/sql"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const srvBase = "http://localhost:3000"

// srvClock is an adjustable test srvClock.
type srvClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *srvClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *srvClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type testServer struct {
	a   *authserver.Server
	db  *sql.DB
	clk *srvClock
}

// newServer returns a server-mode Auth on a fresh SQLite file with Better Auth's schema.
func newServer(t *testing.T, edit func(*authserver.Config)) *testServer {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(t.Context(), db, sqlstore.SQLite, nil); err != nil {
		t.Fatal(err)
	}
	clk := &srvClock{t: time.Now().UTC().Truncate(time.Millisecond)}
	st, err := sqlstore.New(db, sqlstore.SQLite, &sqlstore.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	cfg := authserver.Config{
		Auth: auth.Config{
			BaseURL:     srvBase,
			Secret:      auth.Secret(strings.Repeat("s", 40)),
			DisableJWKS: true,
			Now:         clk.now,
		},
		Database:  st,
		RateLimit: authserver.RateLimitConfig{Enabled: &off},
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := authserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() }) // drains the mail queue before the database closes
	return &testServer{a: a, db: db, clk: clk}
}

// browser keeps cookies like a browser would for one origin.
type browser struct {
	t       *testing.T
	s       *testServer
	cookies map[string]string
	origin  string
	header  http.Header
}

func (s *testServer) browser(t *testing.T) *browser {
	return &browser{t: t, s: s, cookies: map[string]string{}, origin: srvBase, header: http.Header{}}
}

type answer struct {
	status  int
	header  http.Header
	body    string
	cookies []*http.Cookie
	json    map[string]any
}

func (b *browser) do(method, path, body string) answer {
	b.t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, srvBase+"/api/auth"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, srvBase+"/api/auth"+path, nil)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	rec := httptest.NewRecorder()
	b.s.a.ServeHTTP(rec, req)
	res := rec.Result()
	a := answer{status: res.StatusCode, header: res.Header, body: rec.Body.String(), cookies: res.Cookies()}
	for _, c := range a.cookies {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.json)
	return a
}

func (a answer) code() string { s, _ := a.json["code"].(string); return s }

func (a answer) want(t *testing.T, status int, code string) {
	t.Helper()
	if a.status != status || a.code() != code {
		t.Fatalf("got %d %s, want %d %q", a.status, a.body, status, code)
	}
}

func signUp(t *testing.T, b *browser, email, pw string) answer {
	t.Helper()
	a := b.do("POST", "/sign-up/email", `{"name":"Ann","email":"`+email+`","password":"`+pw+`"}`)
	a.want(t, 200, "")
	return a
}

func TestServerSignUpSignInSession(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	up := signUp(t, b, "Ann@Example.com", "correct horse")
	user := up.json["user"].(map[string]any)
	if user["email"] != "ann@example.com" || user["emailVerified"] != false || user["image"] != nil || up.json["token"] == "" {
		t.Fatalf("sign-up answer %s", up.body)
	}
	var tokenCookie *http.Cookie
	for _, c := range up.cookies {
		if c.Name == "better-auth.session_token" {
			tokenCookie = c
		}
	}
	if tokenCookie == nil || tokenCookie.MaxAge != 604800 || !tokenCookie.HttpOnly || tokenCookie.SameSite != http.SameSiteLaxMode || tokenCookie.Path != "/" {
		t.Fatalf("session cookie %+v", tokenCookie)
	}
	if !strings.HasPrefix(tokenCookie.Value, up.json["token"].(string)+".") {
		t.Fatalf("cookie %q does not carry token %v", tokenCookie.Value, up.json["token"])
	}

	// The same cookie verifies through the verifier side (Authenticate), as a Go API would check it.
	sess, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{"better-auth.session_token=" + tokenCookie.Value}})
	if err != nil || sess.User.Email != "ann@example.com" {
		t.Fatalf("Authenticate: %v %+v", err, sess)
	}

	g := b.do("GET", "/get-session", "")
	g.want(t, 200, "")
	if g.header.Get("Cache-Control") != "no-store" || g.json["user"].(map[string]any)["id"] != user["id"] {
		t.Fatalf("get-session %v %s", g.header, g.body)
	}

	b.do("POST", "/sign-in/email", `{"email":"ann@example.com","password":"wrong password"}`).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
	b.do("POST", "/sign-in/email", `{"email":"nobody@example.com","password":"wrong password"}`).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
	in := b.do("POST", "/sign-in/email", `{"email":"ANN@example.com","password":"correct horse","callbackURL":"/dashboard"}`)
	in.want(t, 200, "")
	if in.json["redirect"] != true || in.json["url"] != "/dashboard" || in.header.Get("Location") != "/dashboard" {
		t.Fatalf("sign-in with callback: %v %s", in.header, in.body)
	}

	// One session: signing in again ended the sign-up's session (issue 12 item 9; Better Auth keeps both).
	l := b.do("GET", "/list-sessions", "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(l.body), &list); l.status != 200 || err != nil || len(list) != 1 {
		t.Fatalf("list-sessions %d %s", l.status, l.body)
	}

	out := b.do("POST", "/sign-out", "{}")
	out.want(t, 200, "")
	if out.body != `{"success":true}` {
		t.Fatalf("sign-out body %s", out.body)
	}
	if g := b.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatalf("after sign-out: %s", g.body)
	}
	if _, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{"better-auth.session_token=" + in.cookieValue("better-auth.session_token")}}); err == nil {
		t.Fatal("the signed-out session still authenticates")
	}
}

func (a answer) cookieValue(name string) string {
	for _, c := range a.cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestServerErrors(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	signUp(t, b, "dup@example.com", "password123")
	fresh := s.browser(t)
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		code, message                   string
	}{
		{"duplicate", "POST", "/sign-up/email", "", `{"name":"x","email":"dup@example.com","password":"password123"}`, 422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email."},
		{"short", "POST", "/sign-up/email", "", `{"name":"x","email":"a@example.com","password":"short"}`, 400, "PASSWORD_TOO_SHORT", "Password too short"},
		{"long", "POST", "/sign-up/email", "", `{"name":"x","email":"a@example.com","password":"` + strings.Repeat("p", 129) + `"}`, 400, "PASSWORD_TOO_LONG", "Password too long"},
		{"bad email", "POST", "/sign-up/email", "", `{"name":"x","email":"nope","password":"password123"}`, 400, "VALIDATION_ERROR", "[body.email] Invalid email address"},
		{"missing name", "POST", "/sign-up/email", "", `{"email":"a@example.com","password":"password123"}`, 400, "VALIDATION_ERROR", "[body.name] Invalid input: expected string, received undefined"},
		{"text/plain", "POST", "/sign-up/email", "text/plain", `hello`, 415, "UNSUPPORTED_MEDIA_TYPE", `Content-Type "text/plain" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json`},
		{"bad json", "POST", "/sign-in/email", "", `{"email":`, 400, "BAD_REQUEST", "Invalid JSON in request body"},
		{"sign-in bad email", "POST", "/sign-in/email", "", `{"email":"nope","password":"password123"}`, 400, "INVALID_EMAIL", "Invalid email"},
		{"get-session POST", "POST", "/get-session", "", `{}`, 405, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED", "POST method requires deferSessionRefresh to be enabled in session config"},
		{"update-user no session", "POST", "/update-user", "", `{"name":"x"}`, 401, "UNAUTHORIZED", "Unauthorized"},
		{"bad callback", "POST", "/sign-in/email", "", `{"email":"dup@example.com","password":"password123","callbackURL":"https://evil.example"}`, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, srvBase+"/api/auth"+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", orStr(tt.ctype, "application/json"))
			rec := httptest.NewRecorder()
			fresh.s.a.ServeHTTP(rec, req)
			var got struct{ Code, Message string }
			json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if got.Code != tt.code {
				t.Errorf("code %q, want %q", got.Code, tt.code)
			}
			if got.Message != tt.message {
				t.Errorf("message %q, want %q", got.Message, tt.message)
			}
		})
	}
	if r := b.do("GET", "/nope", ""); r.status != 404 || r.body != "" {
		t.Errorf("unknown path: %d %q", r.status, r.body)
	}
}

func orStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestServerOriginCheck(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) { c.TrustedOrigins = []string{"https://*.example.com"} })
	b := s.browser(t)
	signUp(t, b, "o@example.com", "password123")
	for _, tt := range []struct {
		name, origin, referer string
		status                int
		code                  string
	}{
		{"no origin", "", "", 403, "MISSING_OR_NULL_ORIGIN"},
		{"null origin", "null", "", 403, "MISSING_OR_NULL_ORIGIN"},
		{"evil origin", "https://evil.com", "", 403, "INVALID_ORIGIN"},
		{"prefix trick", "http://localhost:3000.evil.com", "", 403, "INVALID_ORIGIN"},
		{"evil referer", "", "https://evil.com/page", 403, "INVALID_ORIGIN"},
		{"wildcard trusted", "https://app.example.com", "", 200, ""},
		{"base origin", srvBase, "", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := *b
			c.origin = tt.origin
			c.header = http.Header{}
			if tt.referer != "" {
				c.header.Set("Referer", tt.referer)
			}
			c.cookies = map[string]string{}
			for k, v := range b.cookies {
				c.cookies[k] = v
			}
			c.do("POST", "/update-user", `{"name":"New"}`).want(t, tt.status, tt.code)
		})
	}
	// Sign-in with fetch metadata from a cross-site navigation is refused even without cookies.
	anon := s.browser(t)
	anon.origin = "https://evil.com"
	anon.header.Set("Sec-Fetch-Site", "cross-site")
	anon.header.Set("Sec-Fetch-Mode", "navigate")
	anon.do("POST", "/sign-in/email", `{"email":"o@example.com","password":"password123"}`).want(t, 403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED")
}

func TestServerRateLimit(t *testing.T) {
	on := true
	s := newServer(t, func(c *authserver.Config) {
		c.RateLimit.Enabled = &on
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	b := s.browser(t)
	body := `{"email":"x@example.com","password":"password123"}`
	for i := range 3 {
		b.header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i))) // spoofed: the peer is not a proxy
		b.do("POST", "/sign-in/email", body).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
	}
	r := b.do("POST", "/sign-in/email", body)
	if r.status != 429 || r.header.Get("X-Retry-After") == "" || r.body != `{"message":"Too many requests. Please try again later."}` {
		t.Fatalf("4th sign-in: %d %v %s", r.status, r.header, r.body)
	}
	// Path variants share the bucket.
	if r := b.do("POST", "/sign-in/email/", body); r.status != 429 {
		t.Fatalf("trailing slash variant: %d", r.status)
	}
	s.clk.add(11 * time.Second)
	b.do("POST", "/sign-in/email", body).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
}

func TestServerSlidingRefresh(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) {
		c.Session = authserver.SessionConfig{ExpiresIn: 120 * time.Second, UpdateAge: 10 * time.Second}
	})
	b := s.browser(t)
	signUp(t, b, "slide@example.com", "password123")
	g := b.do("GET", "/get-session", "")
	exp0 := g.json["session"].(map[string]any)["expiresAt"].(string)
	if g.cookieValue("better-auth.session_token") != "" {
		t.Fatal("refreshed before updateAge")
	}
	s.clk.add(11 * time.Second)
	if g := b.do("GET", "/get-session?disableRefresh=true", ""); g.json["session"].(map[string]any)["expiresAt"] != exp0 {
		t.Fatal("disableRefresh refreshed")
	}
	g = b.do("GET", "/get-session", "")
	exp1 := g.json["session"].(map[string]any)["expiresAt"].(string)
	if exp1 <= exp0 {
		t.Fatalf("not extended: %s -> %s", exp0, exp1)
	}
	var c *http.Cookie
	for _, k := range g.cookies {
		if k.Name == "better-auth.session_token" {
			c = k
		}
	}
	if c == nil || c.MaxAge != 120 {
		t.Fatalf("refresh cookie %+v", c)
	}
	// Past expiry: null, cookies cleared, row deleted.
	s.clk.add(200 * time.Second)
	if g := b.do("GET", "/get-session", ""); g.body != "null" || len(b.cookies) != 0 {
		t.Fatalf("expired: %s, jar %v", g.body, b.cookies)
	}
	var n int
	s.db.QueryRow(`select count(*) from session`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d session rows left", n)
	}
}

func TestServerDontRemember(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	signUp(t, b, "dr@example.com", "password123")
	in := b.do("POST", "/sign-in/email", `{"email":"dr@example.com","password":"password123","rememberMe":false}`)
	in.want(t, 200, "")
	var tok, dr *http.Cookie
	for _, c := range in.cookies {
		switch c.Name {
		case "better-auth.session_token":
			tok = c
		case "better-auth.dont_remember":
			dr = c
		}
	}
	if tok == nil || tok.MaxAge != 0 || dr == nil || !strings.HasPrefix(dr.Value, "true.") {
		t.Fatalf("cookies %+v %+v", tok, dr)
	}
	g := b.do("GET", "/get-session", "")
	exp, _ := time.Parse(time.RFC3339, g.json["session"].(map[string]any)["expiresAt"].(string))
	if d := exp.Sub(s.clk.now()); d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("dont-remember session lives %v", d)
	}
	s.clk.add(2 * 24 * time.Hour / 2) // past updateAge, but a not-remembered session never slides
	if g := b.do("GET", "/get-session", ""); g.cookieValue("better-auth.session_token") != "" {
		t.Fatal("a not-remembered session was refreshed")
	}
}

func TestServerChangePasswordAndUpdateUser(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	signUp(t, b, "cp@example.com", "password123")
	other := s.browser(t)
	other.do("POST", "/sign-in/email", `{"email":"cp@example.com","password":"password123"}`).want(t, 200, "")

	b.do("POST", "/change-password", `{"currentPassword":"wrong-password","newPassword":"newpassword1"}`).want(t, 400, "INVALID_PASSWORD")
	cp := b.do("POST", "/change-password", `{"currentPassword":"password123","newPassword":"newpassword1","revokeOtherSessions":true}`)
	cp.want(t, 200, "")
	if tok, _ := cp.json["token"].(string); tok == "" {
		t.Fatalf("change-password with revoke: %s", cp.body)
	}
	if g := other.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatalf("other session survived revokeOtherSessions: %s", g.body)
	}
	b.do("POST", "/sign-in/email", `{"email":"cp@example.com","password":"password123"}`).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
	b.do("POST", "/sign-in/email", `{"email":"cp@example.com","password":"newpassword1"}`).want(t, 200, "")

	b.do("POST", "/update-user", `{"email":"x@example.com"}`).want(t, 400, "EMAIL_CAN_NOT_BE_UPDATED")
	b.do("POST", "/update-user", `{}`).want(t, 400, "")
	b.do("POST", "/update-user", `{"name":"Renamed","image":"https://img.example/a.png"}`).want(t, 200, "")
	g := b.do("GET", "/get-session?disableCookieCache=true", "")
	if u := g.json["user"].(map[string]any); u["name"] != "Renamed" || u["image"] != "https://img.example/a.png" {
		t.Fatalf("after update-user: %s", g.body)
	}
}

func TestServerRevoke(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	signUp(t, b, "rv@example.com", "password123")
	second := s.browser(t)
	in := second.do("POST", "/sign-in/email", `{"email":"rv@example.com","password":"password123"}`)
	// Someone else's or unknown token: 200, nothing deleted.
	b.do("POST", "/revoke-session", `{"token":"unknown"}`).want(t, 200, "")
	b.do("POST", "/revoke-session", `{}`).want(t, 400, "VALIDATION_ERROR")
	b.do("POST", "/revoke-session", `{"token":"`+in.json["token"].(string)+`"}`).want(t, 200, "")
	if g := second.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatalf("revoked session still valid: %s", g.body)
	}
	third := s.browser(t)
	third.do("POST", "/sign-in/email", `{"email":"rv@example.com","password":"password123"}`).want(t, 200, "")
	b.do("POST", "/revoke-other-sessions", "").want(t, 200, "")
	if g := third.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatal("revoke-other-sessions left a session")
	}
	if g := b.do("GET", "/get-session", ""); g.body == "null" {
		t.Fatal("revoke-other-sessions revoked the caller")
	}
	b.do("POST", "/revoke-sessions", "").want(t, 200, "")
	if g := b.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatal("revoke-sessions left the caller signed in")
	}
}

func TestServerDatabaseDown(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	signUp(t, b, "down@example.com", "password123")
	s.db.Close()
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/get-session", ""},
		{"POST", "/sign-in/email", `{"email":"down@example.com","password":"password123"}`},
		{"POST", "/sign-up/email", `{"name":"x","email":"new@example.com","password":"password123"}`},
	} {
		r := b.do(tt.method, tt.path, tt.body)
		if r.status != 503 || r.header.Get("Retry-After") == "" {
			t.Errorf("%s with the database down: %d %s", tt.path, r.status, r.body)
		}
	}
}

// TestServerHashingBounded: concurrent sign-ins never run more scrypt computations than the bound, and a
// request that cannot get a slot in time gets 503 with Retry-After, not a 401.
func TestServerHashingBounded(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) {
		c.MaxConcurrentHashes = 1
		c.HashQueueTimeout = 30 * time.Millisecond
	})
	signUp(t, s.browser(t), "burst@example.com", "password123")
	var got503, got401 atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			b := s.browser(t)
			r := b.do("POST", "/sign-in/email", `{"email":"burst@example.com","password":"wrong-password"}`)
			switch {
			case r.status == 503 && r.header.Get("Retry-After") != "":
				got503.Add(1)
			case r.status == 401:
				got401.Add(1)
			default:
				t.Errorf("unexpected %d %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	if got503.Load() == 0 || got401.Load() == 0 {
		t.Fatalf("401s %d, 503s %d: want both (one slot, 30 ms queue)", got401.Load(), got503.Load())
	}
}

// TestServerOff: a verifier is not a handler, so it cannot be mounted as a server by mistake.
func TestServerOff(t *testing.T) {
	a, err := auth.New(auth.Config{BaseURL: srvBase, DisableJWKS: true, AcceptHS256: true, Secret: auth.Secret(strings.Repeat("s", 40))})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := any(a).(http.Handler); ok {
		t.Fatal("a verifier-only *auth.Auth is an http.Handler")
	}
}

func TestServerConfigErrors(t *testing.T) {
	db, _ := testdb.SQLite(t)
	st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	secret := auth.Secret(strings.Repeat("s", 40))
	for _, cfg := range []authserver.Config{
		{Auth: auth.Config{BaseURL: srvBase, DisableJWKS: true}, Database: st}, // no secret
		{Auth: auth.Config{BaseURL: srvBase, Secret: secret}},                  // no database
		{Auth: auth.Config{BaseURL: srvBase, Secret: secret}, Database: st, TrustedOrigins: []string{"::bad"}},
		{Auth: auth.Config{BaseURL: srvBase, Secret: secret}, Database: st,
			EmailAndPassword: authserver.EmailPasswordConfig{MinPasswordLength: 20, MaxPasswordLength: 10}},
		{Auth: auth.Config{BaseURL: srvBase, Secret: secret}, Database: st, MailQueue: authserver.MailQueueConfig{Size: -1}},
		{Auth: auth.Config{BaseURL: srvBase, Secret: secret}, Database: st, MailQueue: authserver.MailQueueConfig{DrainTimeout: -time.Second}},
	} {
		if _, err := authserver.New(cfg); err == nil {
			t.Errorf("New accepted %+v", cfg)
		}
	}
}

// TestServerEnumerationTiming (security.md D1): an unknown email and a known email with a wrong password cost
// the same: both answer 401 INVALID_EMAIL_OR_PASSWORD after one scrypt. The samples are taken in pairs
// (known, unknown) back to back, so machine load hits both alike, and compared two ways that a missing
// hash (0 scrypt against 1, a ratio near 0.05) fails by far while noise does not: the median of the pair
// ratios must be near 1, and a sign test on the pairs must not reject "either is as likely to be slower"
// at p < 0.001.
func TestServerEnumerationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: many scrypt computations")
	}
	s := newServer(t, nil)
	signUp(t, s.browser(t), "known@example.com", "password123")
	n := 25
	if raceEnabled {
		n = 12 // scrypt is ~15x slower under -race
	}
	signIn := func(email string) func(int) {
		return func(int) {
			s.browser(t).do("POST", "/sign-in/email", `{"email":"`+email+`","password":"wrong-password"}`).
				want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
		}
	}
	known, unknown := timedPairs(n, signIn("known@example.com"), signIn("unknown@example.com"))
	var ratios []float64
	slower := 0
	for i := range n {
		ratios = append(ratios, float64(unknown[i])/float64(known[i]))
		if unknown[i] > known[i] {
			slower++
		}
	}
	m := median(ratios)
	if m < 0.6 || m > 1.67 {
		t.Errorf("median unknown/known latency ratio %.2f over %d pairs: the paths are distinguishable", m, n)
	}
	// Sign test: under H0 slower ~ Binomial(n, 1/2); |z| > 3.3 is p < 0.001.
	if z := (float64(slower) - float64(n)/2) / math.Sqrt(float64(n)/4); math.Abs(z) > 3.3 {
		t.Errorf("unknown emails were slower in %d of %d pairs (z = %.1f): the paths are distinguishable", slower, n, z)
	}
	t.Logf("median ratio %.3f, unknown slower in %d/%d pairs", m, slower, n)
}

// timedPairs times n pairs of calls back to back, known(i) and unknown(i), alternating which goes first,
// so that machine load hits both alike; it returns the durations of each side, pair by pair.
func timedPairs(n int, known, unknown func(i int)) (k, u []time.Duration) {
	timed := func(f func(int), i int) time.Duration {
		start := time.Now()
		f(i)
		return time.Since(start)
	}
	k, u = make([]time.Duration, n), make([]time.Duration, n)
	for i := range n {
		if i%2 == 0 {
			k[i], u[i] = timed(known, i), timed(unknown, i)
		} else {
			u[i], k[i] = timed(unknown, i), timed(known, i)
		}
	}
	return k, u
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestServerBearer: with the bearer plugin, sign-in answers set-auth-token, and that token (signed, or the
// raw session token) in an Authorization header works like the cookie; a bad signature does not.
func TestServerBearer(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, authserver.Bearer(authserver.BearerConfig{}))
	})
	b := s.browser(t)
	up := signUp(t, b, "bearer@example.com", "password123")
	signed := up.header.Get("Set-Auth-Token")
	if signed == "" || !strings.Contains(up.header.Get("Access-Control-Expose-Headers"), "set-auth-token") {
		t.Fatalf("sign-up headers %v", up.header)
	}
	raw := up.json["token"].(string)
	for _, tt := range []struct {
		name, auth string
		ok         bool
	}{
		{"signed", "Bearer " + signed, true},
		{"url-encoded", "Bearer " + url.QueryEscape(signed), true},
		{"raw", "bearer " + raw, true},
		{"bad signature", "Bearer " + raw + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false},
		{"other scheme", "Basic " + raw, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := s.browser(t)
			api.origin = ""
			api.header.Set("Authorization", tt.auth)
			g := api.do("GET", "/get-session", "")
			if got := g.body != "null"; got != tt.ok {
				t.Fatalf("%s: %s", tt.auth, g.body)
			}
		})
	}
	api := s.browser(t)
	api.origin = ""
	api.header.Set("Authorization", "Bearer "+signed)
	api.do("POST", "/sign-out", "{}").want(t, 200, "")
	if g := api.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatal("sign-out with a bearer token left the session")
	}
}
