package emailotp_test

import (
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
	"github.com/gobetterauth/gobetterauth/core/authserver/emailotp"
)

const baseURL = authservertest.HarnessBaseURL

// server is a Go server with the emailotp plugin (authservertest.Harness: SQLite, a clock the test moves, a
// mailer that keeps what it is asked to send).
type server struct{ *authservertest.Harness }

// answer is one response.
type answer = authservertest.Answer

func newServer(t *testing.T, cfg emailotp.Config) *server {
	t.Helper()
	return &server{authservertest.NewHarness(t, emailotp.New(cfg))}
}

// otp asks for a code and returns it.
func (s *server) otp(email, typ string) string {
	s.T.Helper()
	if a := s.Post("/email-otp/send-verification-otp", map[string]any{"email": email, "type": typ}); a.Status != 200 || a.Raw != `{"success":true}` {
		s.T.Fatalf("send-verification-otp: %d %s", a.Status, a.Raw)
	}
	e := s.Email()
	if len(e.Token) != 6 || strings.Trim(e.Token, "0123456789") != "" {
		s.T.Fatalf("code %q", e.Token)
	}
	return e.Token
}

func (s *server) signUp(email, password string) answer {
	s.T.Helper()
	a := s.Post("/sign-up/email", map[string]any{"name": "U", "email": email, "password": password})
	if a.Status != 200 {
		s.T.Fatalf("sign-up: %d %s", a.Status, a.Raw)
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
			if err := s.DB.QueryRow(`SELECT value FROM verification WHERE identifier = 'sign-in-otp-new@example.com'`).Scan(&value); err != nil {
				t.Fatal(err)
			}
			if (storage == "plain") != (value == code+":0") || !strings.HasSuffix(value, ":0") {
				t.Fatalf("stored %q for %q", value, code)
			}
			a := s.Post("/sign-in/email-otp", map[string]any{"email": "new@example.com", "otp": code, "name": "Nia"})
			user, _ := a.Body["user"].(map[string]any)
			if a.Status != 200 || a.Body["token"] == "" || user["emailVerified"] != true || user["name"] != "Nia" || a.Cookies["better-auth.session_token"] == "" {
				t.Fatalf("sign-in: %d %s", a.Status, a.Raw)
			}
			if a := s.Post("/sign-in/email-otp", map[string]any{"email": "new@example.com", "otp": code}); a.Status != 400 || a.Code() != "INVALID_OTP" {
				t.Fatalf("replay: %d %s", a.Status, a.Raw)
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
				if a := s.Post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": wrong(code)}); a.Status != 400 || a.Code() != "INVALID_OTP" {
					t.Fatalf("wrong code %d: %d %s", i, a.Status, a.Raw)
				}
			}
			s.Advance(tt.advance)
			a := s.Post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": code})
			if a.Status != tt.status || a.Code() != tt.code {
				t.Fatalf("got %d %s, want %d %s", a.Status, a.Raw, tt.status, tt.code)
			}
			if tt.status != 200 {
				// The code is gone either way: the right code now is INVALID_OTP.
				if a := s.Post("/sign-in/email-otp", map[string]any{"email": "a@example.com", "otp": code}); a.Status != 400 || a.Code() != "INVALID_OTP" {
					t.Fatalf("after: %d %s", a.Status, a.Raw)
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
				a := s.Post(tt.path, body)
				answers = append(answers, a.Raw)
			}
			if answers[0] != answers[1] || answers[0] != `{"success":true}` {
				t.Fatalf("answers differ: %q", answers)
			}
			if e := s.Email(); e.To != "known@example.com" {
				t.Fatalf("first email to %q", e.To)
			}
			if e, ok := s.EmailWithin(200 * time.Millisecond); ok {
				if !tt.unknown || e.To != "unknown@example.com" {
					t.Fatalf("unexpected email to %q", e.To)
				}
			} else if tt.unknown {
				t.Fatal("no email for the unknown address")
			}
		})
	}
}

func TestVerifyEmailAndReset(t *testing.T) {
	s := newServer(t, emailotp.Config{})
	s.signUp("v@example.com", "password1234")
	code := s.otp("v@example.com", "email-verification")
	if a := s.Post("/email-otp/check-verification-otp", map[string]any{"email": "v@example.com", "type": "email-verification", "otp": code}); a.Status != 200 || a.Raw != `{"success":true}` {
		t.Fatalf("check: %d %s", a.Status, a.Raw)
	}
	a := s.Post("/email-otp/verify-email", map[string]any{"email": "v@example.com", "otp": code})
	user, _ := a.Body["user"].(map[string]any)
	if a.Status != 200 || a.Body["status"] != true || a.Body["token"] != nil || user["emailVerified"] != true {
		t.Fatalf("verify-email: %d %s", a.Status, a.Raw)
	}
	if a := s.Post("/email-otp/verify-email", map[string]any{"email": "v@example.com", "otp": code}); a.Status != 400 || a.Code() != "INVALID_OTP" {
		t.Fatalf("verify-email again: %d %s", a.Status, a.Raw)
	}

	code = s.otp("v@example.com", "forget-password")
	if a := s.Post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "short"}); a.Status != 400 || a.Code() != "PASSWORD_TOO_SHORT" {
		t.Fatalf("short password: %d %s", a.Status, a.Raw)
	}
	if a := s.Post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "new-password-99"}); a.Status != 200 || a.Raw != `{"success":true}` {
		t.Fatalf("reset: %d %s", a.Status, a.Raw)
	}
	if a := s.Post("/sign-in/email", map[string]any{"email": "v@example.com", "password": "new-password-99"}); a.Status != 200 {
		t.Fatalf("sign-in with the new password: %d %s", a.Status, a.Raw)
	}
	if a := s.Post("/email-otp/reset-password", map[string]any{"email": "v@example.com", "otp": code, "password": "other-password-99"}); a.Status != 400 || a.Code() != "INVALID_OTP" {
		t.Fatalf("reset again: %d %s", a.Status, a.Raw)
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
			a := s.Post(tt.path, tt.body)
			if a.Status != tt.status || a.Code() != tt.code || (tt.msg != "" && a.Body["message"] != tt.msg) {
				t.Fatalf("got %d %s", a.Status, a.Raw)
			}
		})
	}
}

func TestSignUpDisabled(t *testing.T) {
	s := newServer(t, emailotp.Config{DisableSignUp: true})
	if a := s.Post("/email-otp/send-verification-otp", map[string]any{"email": "n@example.com", "type": "sign-in"}); a.Status != 200 {
		t.Fatalf("send: %d %s", a.Status, a.Raw)
	}
	var n int
	_ = s.DB.QueryRow(`SELECT count(*) FROM verification`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d verification rows left for an address that gets no code", n)
	}
}

func TestSendVerificationOnSignUp(t *testing.T) {
	s := newServer(t, emailotp.Config{SendVerificationOnSignUp: true})
	s.signUp("s@example.com", "password1234")
	e := s.Email()
	if e.Kind != authserver.EmailVerificationOTP || e.To != "s@example.com" {
		t.Fatalf("email %q to %q", e.Kind, e.To)
	}
	if a := s.Post("/email-otp/verify-email", map[string]any{"email": "s@example.com", "otp": e.Token}); a.Status != 200 {
		t.Fatalf("verify-email: %d %s", a.Status, a.Raw)
	}
}

// TestProvesUnverifiedUser: a sign-in code for an address whose account was never verified removes the
// password someone else may have set, and their sessions.
func TestProvesUnverifiedUser(t *testing.T) {
	s := newServer(t, emailotp.Config{})
	s.signUp("victim@example.com", "password1234")
	code := s.otp("victim@example.com", "sign-in")
	if a := s.Post("/sign-in/email-otp", map[string]any{"email": "victim@example.com", "otp": code}); a.Status != 200 {
		t.Fatalf("sign-in: %d %s", a.Status, a.Raw)
	}
	if a := s.Post("/sign-in/email", map[string]any{"email": "victim@example.com", "password": "password1234"}); a.Status == 200 {
		t.Fatal("the earlier password still signs in")
	}
	u, _ := s.Store.UserByEmail(t.Context(), "victim@example.com")
	if !u.EmailVerified {
		t.Fatal("not verified")
	}
}
