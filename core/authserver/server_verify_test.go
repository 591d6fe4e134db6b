package authserver_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// outbox is a Mailer that keeps what it is asked to send.
type outbox struct {
	mu   sync.Mutex
	sent []authserver.Email
}

func (o *outbox) SendEmail(_ context.Context, e authserver.Email) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, e)
	return nil
}

func (o *outbox) last(t *testing.T, kind authserver.EmailKind) authserver.Email {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if o.sent[i].Kind == kind {
			return o.sent[i]
		}
	}
	t.Fatalf("no %s email sent", kind)
	return authserver.Email{}
}

func (o *outbox) count() int { o.mu.Lock(); defer o.mu.Unlock(); return len(o.sent) }

// pathOf returns the part of an emailed link below the base path, with its query.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(link, srvBase+"/api/auth")
	if !ok {
		t.Fatalf("link %q is not under the base URL", link)
	}
	return rest
}

// TestVerificationTokenVector: the verification JWT Go writes is byte for byte the one Better Auth 1.7.25
// wrote for the same user, secret and time (shared/vectors/tour/outbox-emails.json).
func TestVerificationTokenVector(t *testing.T) {
	const want = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6Imp3dEBleGFtcGxlLmNvbSIsInVzZXJJZCI6IlJwU25VTUY3UTZZVGxqMHRLaVRJOFdmSERiSllBeVhEIiwiaWF0IjoxNzk1ODcyNzQyLCJleHAiOjE3OTU4NzYzNDJ9.3mMnAsCFhVThyMVIX3L1ri5gPZMf4jryYkw16pyTmrE"
	box := &outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Auth.Secret = "probe-secret-0123456789abcdefghijklmnopqrstuvwxyz"
		c.Auth.BaseURL = "http://localhost:3005"
		c.Mailer = box
		c.TrustedOrigins = []string{srvBase}
	})
	s.clk.t = time.Unix(1795872742, 0).UTC()
	b := s.browser(t)
	// Make the user with the captured id: sign up, then rename the id in the database.
	signUp(t, b, "jwt@example.com", "password123")
	if _, err := s.db.Exec(`update "user" set id = 'RpSnUMF7Q6YTlj0tKiTI8WfHDbJYAyXD'`); err != nil {
		t.Fatal(err)
	}
	anon := s.browser(t)
	anon.do("POST", "/send-verification-email", `{"email":"jwt@example.com","callbackURL":"/v"}`).want(t, 200, "")
	e := box.last(t, authserver.EmailVerify)
	if e.Token != want {
		t.Fatalf("token\n got %s\nwant %s", e.Token, want)
	}
	if e.URL != "http://localhost:3005/api/auth/verify-email?token="+want+"&callbackURL=%2Fv" {
		t.Fatalf("url %s", e.URL)
	}
}

func TestServerEmailVerification(t *testing.T) {
	box := &outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.EmailAndPassword.RequireEmailVerification = true
		c.EmailVerification.SendOnSignIn = true
		c.EmailVerification.AutoSignInAfterVerification = true
	})
	b := s.browser(t)
	up := b.do("POST", "/sign-up/email", `{"name":"V","email":"v@example.com","password":"password123","callbackURL":"/welcome"}`)
	up.want(t, 200, "")
	if up.json["token"] != nil || len(up.cookies) != 0 {
		t.Fatalf("sign-up with verification required signed in: %s", up.body)
	}
	// A duplicate sign-up gets the same kind of answer (no enumeration).
	dup := b.do("POST", "/sign-up/email", `{"name":"V","email":"v@example.com","password":"password123"}`)
	dup.want(t, 200, "")
	if dup.json["token"] != nil || dup.json["user"].(map[string]any)["email"] != "v@example.com" {
		t.Fatalf("duplicate sign-up: %s", dup.body)
	}
	mail := box.last(t, authserver.EmailVerify)
	if !strings.Contains(mail.URL, "callbackURL=%2Fwelcome") {
		t.Fatalf("verification link %s", mail.URL)
	}
	n := box.count()
	b.do("POST", "/sign-in/email", `{"email":"v@example.com","password":"password123"}`).want(t, 403, "EMAIL_NOT_VERIFIED")
	if box.count() != n+1 {
		t.Fatal("sendOnSignIn did not send")
	}
	link := pathOf(t, box.last(t, authserver.EmailVerify).URL)

	// Tampered, expired and foreign-secret tokens.
	bad := strings.Replace(link, "token=ey", "token=eX", 1)
	b.do("GET", "/verify-email?token=garbage", "").want(t, 401, "INVALID_TOKEN")
	r := b.do("GET", bad, "")
	if r.status != 302 || !strings.Contains(r.header.Get("Location"), "error=INVALID_TOKEN") {
		t.Fatalf("tampered token: %d %v", r.status, r.header)
	}
	b.do("GET", "/verify-email?token=x&callbackURL=https://evil.example/", "").want(t, 403, "INVALID_CALLBACK_URL")

	s.clk.add(2 * time.Hour)
	tok := strings.TrimPrefix(strings.Split(link, "&")[0], "/verify-email?token=")
	b.do("GET", "/verify-email?token="+tok, "").want(t, 401, "TOKEN_EXPIRED")
	s.clk.add(-2 * time.Hour)

	r = b.do("GET", link, "")
	if r.status != 302 || r.header.Get("Location") != "/" {
		t.Fatalf("verify-email: %d %v %s", r.status, r.header, r.body)
	}
	if r.cookieValue("better-auth.session_token") == "" {
		t.Fatal("autoSignInAfterVerification set no session")
	}
	if g := b.do("GET", "/get-session", ""); g.json["user"].(map[string]any)["emailVerified"] != true {
		t.Fatalf("after verification: %s", g.body)
	}
	b.do("POST", "/sign-in/email", `{"email":"v@example.com","password":"password123"}`).want(t, 200, "")
	// Signed in and verified: asking again is an error, for another address too.
	b.do("POST", "/send-verification-email", `{"email":"v@example.com"}`).want(t, 400, "EMAIL_ALREADY_VERIFIED")
	b.do("POST", "/send-verification-email", `{"email":"w@example.com"}`).want(t, 400, "EMAIL_MISMATCH")
	// Unauthenticated: the same answer for unknown addresses, after at least 500 ms.
	start := time.Now()
	s.browser(t).do("POST", "/send-verification-email", `{"email":"nobody@example.com"}`).want(t, 200, "")
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("unknown address answered in %v", d)
	}
}

func TestServerPasswordReset(t *testing.T) {
	box := &outbox{}
	var deleted []string
	var mu sync.Mutex
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.EmailAndPassword.RevokeSessionsOnPasswordReset = true
		c.Hooks.SessionDeleted = func(_ context.Context, s store.Session) {
			mu.Lock()
			deleted = append(deleted, s.ID)
			mu.Unlock()
		}
	})
	b := s.browser(t)
	signUp(t, b, "r@example.com", "password123")
	anon := s.browser(t)
	ans := anon.do("POST", "/request-password-reset", `{"email":"r@example.com","redirectTo":"/reset"}`)
	ans.want(t, 200, "")
	unknown := anon.do("POST", "/request-password-reset", `{"email":"nobody@example.com","redirectTo":"/reset"}`)
	if unknown.body != ans.body {
		t.Fatalf("unknown address answered differently: %s vs %s", unknown.body, ans.body)
	}
	anon.do("POST", "/request-password-reset", `{"email":"r@example.com","redirectTo":"https://evil.example/"}`).want(t, 403, "INVALID_REDIRECT_URL")
	mail := box.last(t, authserver.EmailResetPassword)
	if len(mail.Token) != 24 || !strings.HasSuffix(mail.URL, "/reset-password/"+mail.Token+"?callbackURL=%2Freset") {
		t.Fatalf("reset mail %+v", mail)
	}
	r := anon.do("GET", pathOf(t, mail.URL), "")
	if r.status != 302 || r.header.Get("Location") != srvBase+"/reset?token="+mail.Token {
		t.Fatalf("reset link: %d %v", r.status, r.header)
	}
	r = anon.do("GET", "/reset-password/nottherighttoken00000000?callbackURL=%2Freset", "")
	if r.header.Get("Location") != srvBase+"/reset?error=INVALID_TOKEN" {
		t.Fatalf("bad reset link: %v", r.header)
	}
	anon.do("GET", "/reset-password/x?callbackURL=https://evil.example/", "").want(t, 403, "INVALID_CALLBACK_URL")

	anon.do("POST", "/reset-password", `{"newPassword":"short","token":"`+mail.Token+`"}`).want(t, 400, "PASSWORD_TOO_SHORT")
	anon.do("POST", "/reset-password", `{"newPassword":"brand-new-pass"}`).want(t, 400, "INVALID_TOKEN")
	anon.do("POST", "/reset-password?token="+mail.Token, `{"newPassword":"brand-new-pass"}`).want(t, 200, "")
	anon.do("POST", "/reset-password", `{"newPassword":"another-pass1","token":"`+mail.Token+`"}`).want(t, 400, "INVALID_TOKEN") // single use
	if g := b.do("GET", "/get-session", ""); g.body != "null" {
		t.Fatal("revokeSessionsOnPasswordReset left a session")
	}
	mu.Lock()
	if len(deleted) != 1 {
		t.Errorf("SessionDeleted ran %d times, want 1", len(deleted))
	}
	mu.Unlock()
	anon.do("POST", "/sign-in/email", `{"email":"r@example.com","password":"password123"}`).want(t, 401, "INVALID_EMAIL_OR_PASSWORD")
	anon.do("POST", "/sign-in/email", `{"email":"r@example.com","password":"brand-new-pass"}`).want(t, 200, "")

	// An expired token.
	anon.do("POST", "/request-password-reset", `{"email":"r@example.com"}`).want(t, 200, "")
	tok := box.last(t, authserver.EmailResetPassword).Token
	s.clk.add(61 * time.Minute)
	anon.do("POST", "/reset-password", `{"newPassword":"another-pass1","token":"`+tok+`"}`).want(t, 400, "INVALID_TOKEN")
	if r := anon.do("GET", "/reset-password/"+tok+"?callbackURL=/reset", ""); !strings.Contains(r.header.Get("Location"), "error=INVALID_TOKEN") {
		t.Fatalf("expired reset link: %v", r.header)
	}
}

func TestServerResetDisabledWithoutMailer(t *testing.T) {
	s := newServer(t, nil)
	s.browser(t).do("POST", "/request-password-reset", `{"email":"a@example.com"}`).want(t, 400, "RESET_PASSWORD_DISABLED")
	s.browser(t).do("POST", "/send-verification-email", `{"email":"a@example.com"}`).want(t, 400, "VERIFICATION_EMAIL_NOT_ENABLED")
}

// TestServerHooks: the seed's temporary-email rejection (a before-create hook with its own code), a
// last-login hook on session creation, and a hook that breaks fails the request with 500, not a pass.
func TestServerHooks(t *testing.T) {
	var logins []string
	var mu sync.Mutex
	s := newServer(t, func(c *authserver.Config) {
		c.Hooks.BeforeCreateUser = func(_ context.Context, u *store.User) error {
			if strings.HasSuffix(u.Email, "@mailinator.com") {
				return &authserver.HookError{Status: 400, Code: "TEMPORARY_EMAIL_NOT_ALLOWED", Message: "Temporary email addresses are not allowed"}
			}
			if u.Email == "boom@example.com" {
				return errors.New("database of disposable domains unreachable")
			}
			u.Name = strings.TrimSpace(u.Name)
			return nil
		}
		c.Hooks.SessionCreated = func(_ context.Context, s store.Session, u store.User) error {
			mu.Lock()
			logins = append(logins, u.Email)
			mu.Unlock()
			return nil
		}
	})
	b := s.browser(t)
	b.do("POST", "/sign-up/email", `{"name":"T","email":"t@mailinator.com","password":"password123"}`).want(t, 400, "TEMPORARY_EMAIL_NOT_ALLOWED")
	if r := b.do("POST", "/sign-up/email", `{"name":"T","email":"boom@example.com","password":"password123"}`); r.status != 500 {
		t.Fatalf("failing hook: %d %s", r.status, r.body)
	}
	up := b.do("POST", "/sign-up/email", `{"name":"  Padded  ","email":"ok@example.com","password":"password123"}`)
	up.want(t, 200, "")
	if up.json["user"].(map[string]any)["name"] != "Padded" {
		t.Fatalf("hook change not applied: %s", up.body)
	}
	b.do("POST", "/sign-in/email", `{"email":"ok@example.com","password":"password123"}`).want(t, 200, "")
	mu.Lock()
	defer mu.Unlock()
	if len(logins) != 2 || logins[1] != "ok@example.com" {
		t.Fatalf("SessionCreated saw %v", logins)
	}
	var n int
	s.db.QueryRow(`select count(*) from "user"`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d users: refused sign-ups must write nothing", n)
	}
}

// TestServerPasswordRules: the seed's optional rules, each its own 400.
func TestServerPasswordRules(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) {
		c.EmailAndPassword = authserver.EmailPasswordConfig{MinPasswordLength: 10, RequireUppercase: true,
			RequireLowercase: true, RequireNumber: true, RequireSpecial: true}
	})
	b := s.browser(t)
	for _, tt := range []struct{ pw, code string }{
		{"Sh0rt!", "PASSWORD_TOO_SHORT"},
		{"alllowercase1!", "PASSWORD_REQUIRES_UPPERCASE"},
		{"ALLUPPERCASE1!", "PASSWORD_REQUIRES_LOWERCASE"},
		{"NoNumbersHere!", "PASSWORD_REQUIRES_NUMBER"},
		{"NoSpecials123", "PASSWORD_REQUIRES_SPECIAL"},
	} {
		t.Run(tt.code, func(t *testing.T) {
			b.do("POST", "/sign-up/email", `{"name":"P","email":"p@example.com","password":"`+tt.pw+`"}`).want(t, 400, tt.code)
		})
	}
	// Length is counted in UTF-16 units, as JavaScript does: 4 emoji are 8 units.
	s2 := newServer(t, nil)
	s2.browser(t).do("POST", "/sign-up/email", `{"name":"E","email":"e@example.com","password":"😀😀😀😀"}`).want(t, 200, "")
	s2.browser(t).do("POST", "/sign-up/email", `{"name":"E","email":"e2@example.com","password":"😀😀😀"}`).want(t, 400, "PASSWORD_TOO_SHORT")
	b.do("POST", "/sign-up/email", `{"name":"P","email":"p@example.com","password":"Good-Pass-123"}`).want(t, 200, "")
}
