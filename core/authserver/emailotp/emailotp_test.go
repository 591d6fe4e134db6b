package emailotp_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/emailotp"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const baseURL = "http://localhost:3000"

// server is a Go server with the email-OTP plugin, on SQLite, with a clock the test moves and a mailer
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

func newServer(t *testing.T, cfg emailotp.Config) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), mail: make(chan authserver.Email, 16)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.db = db
	p := emailotp.New(cfg)
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
		Auth: auth.Config{BaseURL: baseURL, Secret: "emailotp-test-secret-0123456789abcdef", DisableJWKS: true,
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

// otp asks for a code and returns it.
func (s *server) otp(email, typ string) string {
	s.t.Helper()
	if a := s.post("/email-otp/send-verification-otp", map[string]any{"email": email, "type": typ}); a.status != 200 || a.raw != `{"success":true}` {
		s.t.Fatalf("send-verification-otp: %d %s", a.status, a.raw)
	}
	e := s.email()
	if len(e.Token) != 6 || strings.Trim(e.Token, "0123456789") != "" {
		s.t.Fatalf("code %q", e.Token)
	}
	return e.Token
}

func (s *server) signUp(email, password string) answer {
	s.t.Helper()
	a := s.post("/sign-up/email", map[string]any{"name": "U", "email": email, "password": password})
	if a.status != 200 {
		s.t.Fatalf("sign-up: %d %s", a.status, a.raw)
	}
	return a
}

// wrong is a code that is not otp.
func wrong(otp string) string {
	if otp == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSignIn(t *testing.T) {
	for _, storage := range []string{"plain", "hashed", "encrypted"} {
		t.Run(storage, func(t *testing.T) {
			s := newServer(t, emailotp.Config{Storage: storage})
			code := s.otp("New@Example.com", "sign-in")
			var value string
			if err := s.db.QueryRow(`SELECT value FROM verification WHERE identifier = 'sign-in-otp-new@example.com'`).Scan(&value); err != nil {
				t.Fatal(err)
			}
			if (storage == "plain") != (value == code+":0") || !strings.HasSuffix(value, ":0") {
				t.Fatalf("stored %q for %q", value, code)
			}
			a := s.post("/sign-in/email-otp", map[string]any{"email": "new@example.com", "otp": code, "name": "Nia"})
			user, _ := a.body["user"].(map[string]any)
			if a.status != 200 || a.body["token"] == "" || user["emailVerified"] != true || user["name"] != "Nia" || a.cookies["better-auth.session_token"] == "" {
				t.Fatalf("sign-in: %d %s", a.status, a.raw)
			}
			if a := s.post("/sign-in/email-otp", map[string]any{"email": "new@example.com", "otp": code}); a.status != 400 || a.code() != "INVALID_OTP" {
				t.Fatalf("replay: %d %s", a.status, a.raw)
			}
		})
	}
}

func TestAttemptsAndExpiry(t *testing.T) {
	tests := []struct {
		name    string
		cfg     emailotp.Config
		tries   int // wrong codes first
		advance time.Duration
		status  int
		code    string
	}{
		{name: "right code", status: 200},
		{name: "two wrong then right", tries: 2, status: 200},
		{name: "three wrong then right", tries: 3, status: 403, code: "TOO_MANY_ATTEMPTS"},
		{name: "five allowed", cfg: emailotp.Config{AllowedAttempts: 5}, tries: 4, status: 200},
		{name: "expired", advance: 300*time.Second + time.Millisecond, status: 400, code: "OTP_EXPIRED"},
		{name: "not yet expired", advance: 299 * time.Second, status: 200},
		{name: "custom expiry", cfg: emailotp.Config{ExpiresIn: time.Minute}, advance: 61 * time.Second, status: 400, code: "OTP_EXPIRED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			code := s.otp("a@example.com", "sign-in")
			for i := range tt.tries {
				if a := s.post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": wrong(code)}); a.status != 400 || a.code() != "INVALID_OTP" {
					t.Fatalf("wrong code %d: %d %s", i, a.status, a.raw)
				}
			}
			s.advance(tt.advance)
			a := s.post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": code})
			if a.status != tt.status || a.code() != tt.code {
				t.Fatalf("got %d %s, want %d %s", a.status, a.raw, tt.status, tt.code)
			}
			if tt.status != 200 {
				// The code is gone either way: the right code now is INVALID_OTP.
				if a := s.post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": code}); a.status != 400 || a.code() != "INVALID_OTP" {
					t.Fatalf("after: %d %s", a.status, a.raw)
				}
			}
		})
	}
}

// TestNoEnumeration: the answers to requests for codes are the same for addresses with and without a
// user; emails go only where the plugin sends them.
func TestNoEnumeration(t *testing.T) {
	tests := []struct {
		name    string
		cfg     emailotp.Config
		path    string
		typ     string
		unknown bool // an email is sent for the unknown address
	}{
		{name: "sign-in", path: "/email-otp/send-verification-otp", typ: "sign-in", unknown: true},
		{name: "sign-in, sign-up disabled", cfg: emailotp.Config{DisableSignUp: true}, path: "/email-otp/send-verification-otp", typ: "sign-in"},
		{name: "email-verification", path: "/email-otp/send-verification-otp", typ: "email-verification"},
		{name: "forget-password", path: "/email-otp/send-verification-otp", typ: "forget-password"},
		{name: "request-password-reset", path: "/email-otp/request-password-reset"},
		{name: "forget-password/email-otp", path: "/forget-password/email-otp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			s.signUp("known@example.com", "password1234")
			var answers []string
			for _, e := range []string{"known@example.com", "unknown@example.com"} {
				body := map[string]any{"email": e}
				if tt.typ != "" {
					body["type"] = tt.typ
				}
				a := s.post(tt.path, body)
				answers = append(answers, a.raw)
			}
			if answers[0] != answers[1] || answers[0] != `{"success":true}` {
				t.Fatalf("answers differ: %q", answers)
			}
			if e := s.email(); e.To != "known@example.com" {
				t.Fatalf("first email to %q", e.To)
			}
			select {
			case e := <-s.mail:
				if !tt.unknown || e.To != "unknown@example.com" {
					t.Fatalf("unexpected email to %q", e.To)
				}
			case <-time.After(200 * time.Millisecond):
				if tt.unknown {
					t.Fatal("no email for the unknown address")
				}
			}
		})
	}
}

func TestVerifyEmailAndReset(t *testing.T) {
	s := newServer(t, emailotp.Config{})
	s.signUp("v@example.com", "password1234")
	code := s.otp("v@example.com", "email-verification")
	if a := s.post("/email-otp/check-verification-otp", map[string]any{"email": "v@example.com", "type": "email-verification", "otp": code}); a.status != 200 || a.raw != `{"success":true}` {
		t.Fatalf("check: %d %s", a.status, a.raw)
	}
	a := s.post("/email-otp/verify-email", map[string]any{"email": "v@example.com", "otp": code})
	user, _ := a.body["user"].(map[string]any)
	if a.status != 200 || a.body["status"] != true || a.body["token"] != nil || user["emailVerified"] != true {
		t.Fatalf("verify-email: %d %s", a.status, a.raw)
	}
	if a := s.post("/email-otp/verify-email", map[string]any{"email": "v@example.com", "otp": code}); a.status != 400 || a.code() != "INVALID_OTP" {
		t.Fatalf("verify-email again: %d %s", a.status, a.raw)
	}

	code = s.otp("v@example.com", "forget-password")
	if a := s.post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "short"}); a.status != 400 || a.code() != "PASSWORD_TOO_SHORT" {
		t.Fatalf("short password: %d %s", a.status, a.raw)
	}
	if a := s.post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "new-password-99"}); a.status != 200 || a.raw != `{"success":true}` {
		t.Fatalf("reset: %d %s", a.status, a.raw)
	}
	if a := s.post("/sign-in/email", map[string]any{"email": "v@example.com", "password": "new-password-99"}); a.status != 200 {
		t.Fatalf("sign-in with the new password: %d %s", a.status, a.raw)
	}
	if a := s.post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "other-password-99"}); a.status != 400 || a.code() != "INVALID_OTP" {
		t.Fatalf("reset again: %d %s", a.status, a.raw)
	}
}

func TestBadRequests(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{name: "bad email", path: "/email-otp/send-verification-otp", body: map[string]any{"email": "nope", "type": "sign-in"}, status: 400, code: "INVALID_EMAIL", msg: "Invalid email"},
		{name: "bad type", path: "/email-otp/send-verification-otp", body: map[string]any{"email": "a@example.com", "type": "x"}, status: 400, code: "VALIDATION_ERROR"},
		{name: "change-email", path: "/email-otp/send-verification-otp", body: map[string]any{"email": "a@example.com", "type": "change-email"}, status: 400, msg: "Invalid OTP type"},
		{name: "no code", path: "/sign-in/email-otp", body: map[string]any{"email": "a@example.com", "otp": "123456"}, status: 400, code: "INVALID_OTP", msg: "Invalid OTP"},
		{name: "check unknown user", path: "/email-otp/check-verification-otp", body: map[string]any{"email": "a@example.com", "type": "sign-in", "otp": "123456"}, status: 400, code: "INVALID_OTP"},
		{name: "missing otp", path: "/sign-in/email-otp", body: map[string]any{"email": "a@example.com"}, status: 400, code: "VALIDATION_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, emailotp.Config{})
			a := s.post(tt.path, tt.body)
			if a.status != tt.status || a.code() != tt.code || (tt.msg != "" && a.body["message"] != tt.msg) {
				t.Fatalf("got %d %s", a.status, a.raw)
			}
		})
	}
}

func TestSignUpDisabled(t *testing.T) {
	s := newServer(t, emailotp.Config{DisableSignUp: true})
	if a := s.post("/email-otp/send-verification-otp", map[string]any{"email": "n@example.com", "type": "sign-in"}); a.status != 200 {
		t.Fatalf("send: %d %s", a.status, a.raw)
	}
	var n int
	_ = s.db.QueryRow(`SELECT count(*) FROM verification`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d verification rows left for an address that gets no code", n)
	}
}

func TestSendVerificationOnSignUp(t *testing.T) {
	s := newServer(t, emailotp.Config{SendVerificationOnSignUp: true})
	s.signUp("s@example.com", "password1234")
	e := s.email()
	if e.Kind != authserver.EmailVerificationOTP || e.To != "s@example.com" {
		t.Fatalf("email %q to %q", e.Kind, e.To)
	}
	if a := s.post("/email-otp/verify-email", map[string]any{"email": "s@example.com", "otp": e.Token}); a.status != 200 {
		t.Fatalf("verify-email: %d %s", a.status, a.raw)
	}
}

// TestProvesUnverifiedUser: a sign-in code for an address whose account was never verified removes the
// password someone else may have set, and their sessions.
func TestProvesUnverifiedUser(t *testing.T) {
	s := newServer(t, emailotp.Config{})
	s.signUp("victim@example.com", "password1234")
	code := s.otp("victim@example.com", "sign-in")
	if a := s.post("/sign-in/email-otp", map[string]any{"email": "victim@example.com", "otp": code}); a.status != 200 {
		t.Fatalf("sign-in: %d %s", a.status, a.raw)
	}
	if a := s.post("/sign-in/email", map[string]any{"email": "victim@example.com", "password": "password1234"}); a.status == 200 {
		t.Fatal("the earlier password still signs in")
	}
	u, _ := s.st.UserByEmail(t.Context(), "victim@example.com")
	if !u.EmailVerified {
		t.Fatal("not verified")
	}
}
