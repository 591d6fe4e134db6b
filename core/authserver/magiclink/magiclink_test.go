package magiclink_test

import (
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
	"github.com/gobetterauth/gobetterauth/core/authserver/magiclink"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const baseURL = authservertest.HarnessBaseURL

// server is a Go server with the magiclink plugin (authservertest.Harness: SQLite, a clock the test moves, a
// mailer that keeps what it is asked to send).
type server struct{ *authservertest.Harness }

// answer is one response.
type answer = authservertest.Answer

func newServer(t *testing.T, cfg magiclink.Config) *server {
	t.Helper()
	return &server{authservertest.NewHarness(t, magiclink.New(cfg))}
}

// link asks for a link and returns the URL sent.
func (s *server) link(body map[string]any) *url.URL {
	s.T.Helper()
	if a := s.Post("/sign-in/magic-link", body); a.Status != 200 || a.Raw != `{"status":true}` {
		s.T.Fatalf("sign-in/magic-link: %d %s", a.Status, a.Raw)
	}
	e := s.Email()
	if e.Kind != authserver.EmailMagicLink {
		s.T.Fatalf("email kind %q", e.Kind)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Query().Get("token") != e.Token || len(e.Token) != 32 {
		s.T.Fatalf("link %q token %q", e.URL, e.Token)
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
	a := s.Get(verifyPath(u, nil))
	if a.Status != 302 || a.Location != baseURL+"/welcome" || a.Cookies["better-auth.session_token"] == "" {
		t.Fatalf("new user: %d %q %v", a.Status, a.Location, a.Cookies)
	}
	nu, err := s.Store.UserByEmail(t.Context(), "new@example.com")
	if err != nil || !nu.EmailVerified || nu.Name != "Nia" {
		t.Fatalf("user %+v %v", nu, err)
	}
	// A second link for the same user: the existing user goes to callbackURL; without it, JSON.
	u = s.link(map[string]any{"email": "new@example.com", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"})
	if a := s.Get(verifyPath(u, nil)); a.Status != 302 || a.Location != baseURL+"/dash" {
		t.Fatalf("existing user: %d %q", a.Status, a.Location)
	}
	u = s.link(map[string]any{"email": "new@example.com"})
	a = s.Get(verifyPath(u, map[string]string{"callbackURL": ""}))
	user, _ := a.Body["user"].(map[string]any)
	sess, _ := a.Body["session"].(map[string]any)
	if a.Status != 200 || a.Body["token"] == "" || user["id"] != nu.ID || sess["token"] != a.Body["token"] {
		t.Fatalf("json: %d %s", a.Status, a.Raw)
	}
	// Used once: the same link again fails.
	if a := s.Get(verifyPath(u, map[string]string{"callbackURL": ""})); a.Status != 302 || a.Location != baseURL+"/?error=INVALID_TOKEN" {
		t.Fatalf("replay: %d %q", a.Status, a.Location)
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
			s.Advance(300*time.Second + time.Millisecond)
			return verifyPath(u, map[string]string{"errorCallbackURL": "/oops?x=1"})
		}, status: 302, location: baseURL + "/oops?x=1&error=INVALID_TOKEN"},
		{name: "just in time", email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			s.Advance(299 * time.Second)
			return verifyPath(u, nil)
		}, status: 302, location: baseURL + "/"},
		{name: "custom expiry", cfg: magiclink.Config{ExpiresIn: time.Minute}, email: "a@example.com", prepare: func(s *server, u *url.URL) string {
			s.Advance(61 * time.Second)
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
			a := s.Get(tt.prepare(s, u))
			if a.Status != tt.status || a.Location != tt.location || a.Code() != tt.code {
				t.Fatalf("got %d %q %q %s, want %d %q %q", a.Status, a.Location, a.Code(), a.Raw, tt.status, tt.location, tt.code)
			}
			if tt.status == 302 && strings.Contains(tt.location, "error=") && a.Cookies["better-auth.session_token"] != "" {
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
		if a := s.Post("/sign-up/email", map[string]any{"name": "K", "email": "known@example.com", "password": "password1234"}); a.Status != 200 {
			t.Fatalf("sign-up: %d %s", a.Status, a.Raw)
		}
		var answers []string
		for _, e := range []string{"known@example.com", "unknown@example.com"} {
			a := s.Post("/sign-in/magic-link", map[string]any{"email": e})
			answers = append(answers, a.Raw)
			if got := s.Email(); got.To != e {
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
	if err := s.DB.QueryRow(`SELECT count(*) FROM verification WHERE identifier = ?`, "magic-link:"+tok).Scan(&n); err != nil || n != 0 {
		t.Fatalf("plain token stored: %d %v", n, err)
	}
	var value string
	if err := s.DB.QueryRow(`SELECT value FROM verification WHERE identifier LIKE 'magic-link:%'`).Scan(&value); err != nil || value != `{"type":"magic-link","email":"h@example.com"}` {
		t.Fatalf("value %q %v", value, err)
	}
	if a := s.Get(verifyPath(u, nil)); a.Status != 302 || a.Location != baseURL+"/" {
		t.Fatalf("verify: %d %q", a.Status, a.Location)
	}
}

// TestProvesUnverifiedUser: an account created with a password but never verified loses its password and
// sessions when the owner of the address signs in by link (revokeUnprovenAccountAccess).
func TestProvesUnverifiedUser(t *testing.T) {
	s := newServer(t, magiclink.Config{})
	a := s.Post("/sign-up/email", map[string]any{"name": "Squatter", "email": "victim@example.com", "password": "password1234"})
	if a.Status != 200 {
		t.Fatalf("sign-up: %d %s", a.Status, a.Raw)
	}
	squatter := a.Cookies["better-auth.session_token"]
	u := s.link(map[string]any{"email": "victim@example.com"})
	if a := s.Get(verifyPath(u, map[string]string{"callbackURL": ""})); a.Status != 200 {
		t.Fatalf("verify: %d %s", a.Status, a.Raw)
	}
	usr, _ := s.Store.UserByEmail(t.Context(), "victim@example.com")
	accts, _ := s.Store.Accounts(t.Context(), usr.ID)
	if !usr.EmailVerified || len(accts) != 0 {
		t.Fatalf("verified %v, accounts %d", usr.EmailVerified, len(accts))
	}
	if a := s.Post("/sign-in/email", map[string]any{"email": "victim@example.com", "password": "password1234"}); a.Status == 200 {
		t.Fatal("the squatter's password still signs in")
	}
	token, _, _ := strings.Cut(squatter, ".")
	if _, err := s.Store.Lookup(t.Context(), token); err == nil {
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
			if a := s.Post("/sign-in/magic-link", tt.body); a.Status != tt.status || a.Code() != tt.code {
				t.Fatalf("got %d %s", a.Status, a.Raw)
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
