package magiclink_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/magiclink"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const baseURL = "http://localhost:3000"

// server is a Go server with the magic-link plugin, on SQLite, with a clock the test moves and a mailer
// that keeps what it is asked to send.
type server struct {
	t    *testing.T
	h    http.Handler
	db   *sql.DB
	st   store.Database
	mu   sync.Mutex
	now  time.Time
	mail chan authserver.Email
}

func newServer(t *testing.T, cfg magiclink.Config) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), mail: make(chan authserver.Email, 16)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.db = db
	p := magiclink.New(cfg)
	if err := authserver.Migrate(t.Context(), db, "sqlite", p); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.st = st
	srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{p},
		Mailer: authserver.MailerFunc(func(_ context.Context, e authserver.Email) error { s.mail <- e; return nil }),
		Auth: auth.Config{BaseURL: baseURL, Secret: "magiclink-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.h = srv
	return s
}

func (s *server) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

// email waits for the next email.
func (s *server) email() authserver.Email {
	s.t.Helper()
	select {
	case e := <-s.mail:
		return e
	case <-time.After(5 * time.Second):
		s.t.Fatal("no email was sent")
	}
	return authserver.Email{}
}

// answer is one response.
type answer struct {
	status   int
	raw      string
	body     map[string]any
	location string
	cookies  map[string]string
}

func (a answer) code() string { c, _ := a.body["code"].(string); return c }

func (s *server) do(r *http.Request) answer {
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	a := answer{status: w.Code, raw: w.Body.String(), location: w.Header().Get("Location"), cookies: map[string]string{}}
	_ = json.Unmarshal(w.Body.Bytes(), &a.body)
	for _, c := range w.Result().Cookies() {
		a.cookies[c.Name] = c.Value
	}
	return a
}

func (s *server) post(path string, body any) answer {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, baseURL+"/api/auth"+path, strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", baseURL)
	return s.do(r)
}

func (s *server) get(pathAndQuery string) answer {
	return s.do(httptest.NewRequest(http.MethodGet, baseURL+"/api/auth"+pathAndQuery, nil))
}

// link asks for a link and returns the URL sent.
func (s *server) link(body map[string]any) *url.URL {
	s.t.Helper()
	if a := s.post("/sign-in/magic-link", body); a.status != 200 || a.raw != `{"status":true}` {
		s.t.Fatalf("sign-in/magic-link: %d %s", a.status, a.raw)
	}
	e := s.email()
	if e.Kind != authserver.EmailMagicLink {
		s.t.Fatalf("email kind %q", e.Kind)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Query().Get("token") != e.Token || len(e.Token) != 32 {
		s.t.Fatalf("link %q token %q", e.URL, e.Token)
	}
	return u
}

// verifyPath is the link's path and query below /api/auth, with the query changed by set.
func verifyPath(u *url.URL, set map[string]string) string {
	q := u.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return "/magic-link/verify?" + q.Encode()
}

func TestSignUpAndSignIn(t *testing.T) {
	s := newServer(t, magiclink.Config{})
	u := s.link(map[string]any{"email": "New@Example.com", "name": "Nia", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"})
	if got := u.Query().Get("callbackURL"); got != "/dash" || u.Path != "/api/auth/magic-link/verify" {
		t.Fatalf("link %s", u)
	}
	a := s.get(verifyPath(u, nil))
	if a.status != 302 || a.location != baseURL+"/welcome" || a.cookies["better-auth.session_token"] == "" {
		t.Fatalf("new user: %d %q %v", a.status, a.location, a.cookies)
	}
	nu, err := s.st.UserByEmail(t.Context(), "new@example.com")
	if err != nil || !nu.EmailVerified || nu.Name != "Nia" {
		t.Fatalf("user %+v %v", nu, err)
	}
	// A second link for the same user: the existing user goes to callbackURL; without it, JSON.
	u = s.link(map[string]any{"email": "new@example.com", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"})
	if a := s.get(verifyPath(u, nil)); a.status != 302 || a.location != baseURL+"/dash" {
		t.Fatalf("existing user: %d %q", a.status, a.location)
	}
	u = s.link(map[string]any{"email": "new@example.com"})
	a = s.get(verifyPath(u, map[string]string{"callbackURL": ""}))
	user, _ := a.body["user"].(map[string]any)
	sess, _ := a.body["session"].(map[string]any)
	if a.status != 200 || a.body["token"] == "" || user["id"] != nu.ID || sess["token"] != a.body["token"] {
		t.Fatalf("json: %d %s", a.status, a.raw)
	}
	// Used once: the same link again fails.
	if a := s.get(verifyPath(u, map[string]string{"callbackURL": ""})); a.status != 302 || a.location != baseURL+"/?error=INVALID_TOKEN" {
		t.Fatalf("replay: %d %q", a.status, a.location)
	}
}

func TestVerifyFailures(t *testing.T) {
	tests := []struct {
		name     string
		cfg      magiclink.Config
		email    string
		prepare  func(s *server, u *url.URL) string // returns the verify path
		status   int
		location string
		code     string
	}{
		{name: "expired", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			s.advance(300*time.Second + time.Millisecond)
			return verifyPath(u, map[string]string{"errorCallbackURL": "/oops?x=1"})
		}, status: 302, location: baseURL + "/oops?x=1&error=INVALID_TOKEN"},
		{name: "just in time", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			s.advance(299 * time.Second)
			return verifyPath(u, nil)
		}, status: 302, location: baseURL + "/"},
		{name: "custom expiry", cfg: magiclink.Config{ExpiresIn: time.Minute}, email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			s.advance(61 * time.Second)
			return verifyPath(u, nil)
		}, status: 302, location: baseURL + "/?error=INVALID_TOKEN"},
		{name: "wrong token", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			return verifyPath(u, map[string]string{"token": strings.Repeat("a", 32)})
		}, status: 302, location: baseURL + "/?error=INVALID_TOKEN"},
		{name: "sign-up disabled", cfg: magiclink.Config{DisableSignUp: true}, email: "nobody@example.com", prepare: func(s *server, u *url.URL) string {
			return verifyPath(u, map[string]string{"errorCallbackURL": "/err"})
		}, status: 302, location: baseURL + "/err?error=new_user_signup_disabled"},
		{name: "untrusted callback", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			return verifyPath(u, map[string]string{"callbackURL": "https://evil.example/"})
		}, status: 403, code: "INVALID_CALLBACK_URL"},
		{name: "untrusted error callback", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			return verifyPath(u, map[string]string{"errorCallbackURL": "https://evil.example/"})
		}, status: 403, code: "INVALID_CALLBACK_URL"},
		{name: "no token", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			return "/magic-link/verify"
		}, status: 400, code: "VALIDATION_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			u := s.link(map[string]any{"email": tt.email})
			a := s.get(tt.prepare(s, u))
			if a.status != tt.status || a.location != tt.location || a.code() != tt.code {
				t.Fatalf("got %d %q %q %s, want %d %q %q", a.status, a.location, a.code(), a.raw, tt.status, tt.location, tt.code)
			}
			if tt.status == 302 && strings.Contains(tt.location, "error=") && a.cookies["better-auth.session_token"] != "" {
				t.Fatal("a failure set a session cookie")
			}
		})
	}
}

// TestNoEnumeration: the request for a link answers the same for an address with a user, one without,
// and with sign-up disabled; a link is sent for each.
func TestNoEnumeration(t *testing.T) {
	for _, cfg := range []magiclink.Config{{}, {DisableSignUp: true}} {
		s := newServer(t, cfg)
		if a := s.post("/sign-up/email", map[string]any{"name": "K", "email": "known@example.com", "password": "password1234"}); a.status != 200 {
			t.Fatalf("sign-up: %d %s", a.status, a.raw)
		}
		var answers []string
		for _, e := range []string{"known@example.com", "unknown@example.com"} {
			a := s.post("/sign-in/magic-link", map[string]any{"email": e})
			answers = append(answers, a.raw)
			if got := s.email(); got.To != e {
				t.Fatalf("email to %q", got.To)
			}
		}
		if answers[0] != answers[1] || answers[0] != `{"status":true}` {
			t.Fatalf("answers differ: %q", answers)
		}
	}
}

func TestHashedToken(t *testing.T) {
	s := newServer(t, magiclink.Config{StoreToken: "hashed"})
	u := s.link(map[string]any{"email": "h@example.com"})
	tok := u.Query().Get("token")
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM verification WHERE identifier = ?`, "magic-link:"+tok).Scan(&n); err != nil || n != 0 {
		t.Fatalf("plain token stored: %d %v", n, err)
	}
	var value string
	if err := s.db.QueryRow(`SELECT value FROM verification WHERE identifier LIKE 'magic-link:%'`).Scan(&value); err != nil || value != `{"type":"magic-link","email":"h@example.com"}` {
		t.Fatalf("value %q %v", value, err)
	}
	if a := s.get(verifyPath(u, nil)); a.status != 302 || a.location != baseURL+"/" {
		t.Fatalf("verify: %d %q", a.status, a.location)
	}
}

// TestProvesUnverifiedUser: an account created with a password but never verified loses its password and
// sessions when the owner of the address signs in by link (revokeUnprovenAccountAccess).
func TestProvesUnverifiedUser(t *testing.T) {
	s := newServer(t, magiclink.Config{})
	a := s.post("/sign-up/email", map[string]any{"name": "Squatter", "email": "victim@example.com", "password": "password1234"})
	if a.status != 200 {
		t.Fatalf("sign-up: %d %s", a.status, a.raw)
	}
	squatter := a.cookies["better-auth.session_token"]
	u := s.link(map[string]any{"email": "victim@example.com"})
	if a := s.get(verifyPath(u, map[string]string{"callbackURL": ""})); a.status != 200 {
		t.Fatalf("verify: %d %s", a.status, a.raw)
	}
	usr, _ := s.st.UserByEmail(t.Context(), "victim@example.com")
	accts, _ := s.st.Accounts(t.Context(), usr.ID)
	if !usr.EmailVerified || len(accts) != 0 {
		t.Fatalf("verified %v, accounts %d", usr.EmailVerified, len(accts))
	}
	if a := s.post("/sign-in/email", map[string]any{"email": "victim@example.com", "password": "password1234"}); a.status == 200 {
		t.Fatal("the squatter's password still signs in")
	}
	token, _, _ := strings.Cut(squatter, ".")
	if _, err := s.st.Lookup(t.Context(), token); err == nil {
		t.Fatal("the squatter's session survived")
	}
}

func TestBadRequests(t *testing.T) {
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{name: "bad email", body: map[string]any{"email": "nope"}, status: 400, code: "VALIDATION_ERROR"},
		{name: "untrusted callback", body: map[string]any{"email": "a@example.com", "callbackURL": "https://evil.example/"}, status: 403, code: "INVALID_CALLBACK_URL"},
		{name: "untrusted new-user callback", body: map[string]any{"email": "a@example.com", "newUserCallbackURL": "https://evil.example/"}, status: 403, code: "INVALID_NEW_USER_CALLBACK_URL"},
		{name: "metadata not a record", body: map[string]any{"email": "a@example.com", "metadata": "x"}, status: 400, code: "VALIDATION_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, magiclink.Config{})
			if a := s.post("/sign-in/magic-link", tt.body); a.status != tt.status || a.code() != tt.code {
				t.Fatalf("got %d %s", a.status, a.raw)
			}
		})
	}
}

func TestNeedsMailer(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	_, err = authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{magiclink.New(magiclink.Config{})},
		Auth: auth.Config{BaseURL: baseURL, Secret: "magiclink-test-secret-0123456789abcdef", DisableJWKS: true}})
	if err == nil || !strings.Contains(err.Error(), "Mailer") {
		t.Fatalf("New without a Mailer: %v", err)
	}
}
