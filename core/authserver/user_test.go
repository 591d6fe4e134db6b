package authserver_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// newFieldServer is newServer with cfg's additional field columns migrated.
func newFieldServer(t *testing.T, edit func(*authserver.Config)) *testServer {
	t.Helper()
	var schema []sqlstore.Table
	s := newServer(t, func(c *authserver.Config) {
		edit(c)
		schema = c.Schema()
	})
	if _, err := sqlstore.Migrate(t.Context(), s.db, sqlstore.SQLite, &sqlstore.MigrateOptions{Tables: schema}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServerAdditionalFields(t *testing.T) {
	s := newFieldServer(t, func(c *authserver.Config) {
		c.User.AdditionalFields = map[string]authserver.AdditionalField{
			"nickname": {Required: true},
			"age":      {Type: sqlstore.FieldNumber},
			"plan":     {NoInput: true, Default: "free"},
			"role2":    {NoInput: true},
			"lang":     {Default: "en"},
		}
	})
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"required field missing", `{"name":"A","email":"a1@example.com","password":"password123"}`, 400, "MISSING_FIELD"},
		{"input false without default", `{"name":"A","email":"a2@example.com","password":"password123","nickname":"n","role2":"admin"}`, 400, "FIELD_NOT_ALLOWED"},
		{"wrong type", `{"name":"A","email":"a3@example.com","password":"password123","nickname":"n","age":"old"}`, 400, "VALIDATION_ERROR"},
		{"input false falsy value ignored", `{"name":"A","email":"a4@example.com","password":"password123","nickname":"n","role2":""}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.browser(t).do("POST", "/sign-up/email", tc.body).want(t, tc.status, tc.code)
		})
	}
	b := s.browser(t)
	a := b.do("POST", "/sign-up/email", `{"name":"A","email":"ok@example.com","password":"password123","nickname":"nick","age":41,"plan":"pro","unknown":"x"}`)
	a.want(t, 200, "")
	u := a.json["user"].(map[string]any)
	if u["nickname"] != "nick" || u["age"] != float64(41) || u["plan"] != "free" || u["lang"] != "en" || u["unknown"] != nil {
		t.Fatalf("user %v: want nickname, age 41, plan free (input: false takes its default), lang en, no unknown", u)
	}
	if _, ok := u["role2"]; !ok || u["role2"] != nil {
		t.Fatalf("role2 = %v, want null", u["role2"])
	}
	b.do("POST", "/update-user", `{"plan":"pro"}`).want(t, 400, "FIELD_NOT_ALLOWED")
	b.do("POST", "/update-user", `{"unknown":"x"}`).want(t, 400, "")
	b.do("POST", "/update-user", `{"age":42,"nickname":"nick2"}`).want(t, 200, "")
	g := b.do("GET", "/get-session?disableCookieCache=true", "")
	gu := g.json["user"].(map[string]any)
	if gu["age"] != float64(42) || gu["nickname"] != "nick2" || gu["plan"] != "free" {
		t.Fatalf("session user %v", gu)
	}
}

func TestServerUpdateSession(t *testing.T) {
	s := newFieldServer(t, func(c *authserver.Config) {
		c.Session.AdditionalFields = map[string]authserver.AdditionalField{
			"theme":  {Default: "light"},
			"locked": {NoInput: true},
		}
	})
	b := s.browser(t)
	signUp(t, b, "s@example.com", "password123")
	g := b.do("GET", "/get-session", "")
	if g.json["session"].(map[string]any)["theme"] != "light" {
		t.Fatalf("new session: %s, want theme light", g.body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"nothing declared", `{"other":1}`, 400, ""},
		{"input false", `{"locked":"yes"}`, 400, "FIELD_NOT_ALLOWED"},
		{"not an object", `[1]`, 400, "BODY_MUST_BE_AN_OBJECT"},
	} {
		t.Run(tc.name, func(t *testing.T) { b.do("POST", "/update-session", tc.body).want(t, tc.status, tc.code) })
	}
	a := b.do("POST", "/update-session", `{"theme":"dark"}`)
	a.want(t, 200, "")
	if a.json["session"].(map[string]any)["theme"] != "dark" {
		t.Fatalf("update-session: %s", a.body)
	}
	if g := b.do("GET", "/get-session?disableCookieCache=true", ""); g.json["session"].(map[string]any)["theme"] != "dark" {
		t.Fatalf("get-session after update: %s", g.body)
	}
	s.browser(t).do("POST", "/update-session", `{"theme":"dark"}`).want(t, 401, "UNAUTHORIZED")
}

func TestServerDeferSessionRefresh(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) { c.Session.DeferRefresh = true })
	b := s.browser(t)
	signUp(t, b, "d@example.com", "password123")
	g := b.do("GET", "/get-session", "")
	if g.json["needsRefresh"] != false {
		t.Fatalf("fresh session: %s, want needsRefresh false", g.body)
	}
	exp := g.json["session"].(map[string]any)["expiresAt"]
	s.clk.add(25 * time.Hour)
	g = b.do("GET", "/get-session", "")
	if g.json["needsRefresh"] != true || g.json["session"].(map[string]any)["expiresAt"] != exp {
		t.Fatalf("GET after updateAge: %s, want needsRefresh true and no refresh", g.body)
	}
	p := b.do("POST", "/get-session", "")
	p.want(t, 200, "")
	if _, ok := p.json["needsRefresh"]; ok || p.json["session"].(map[string]any)["expiresAt"] == exp {
		t.Fatalf("POST: %s, want a refreshed session without needsRefresh", p.body)
	}
	// Without the option POST is refused.
	s2 := newServer(t, nil)
	b2 := s2.browser(t)
	signUp(t, b2, "d@example.com", "password123")
	b2.do("POST", "/get-session", "").want(t, 405, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED")
}

func TestServerChangeEmail(t *testing.T) {
	box := &mail.Outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.User.ChangeEmail = authserver.ChangeEmailConfig{Enabled: true, UpdateEmailWithoutVerification: true}
		c.TrustedOrigins = []string{srvBase}
	})
	b := s.browser(t)
	signUp(t, b, "old@example.com", "password123")
	signUp(t, s.browser(t), "taken@example.com", "password123")
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"invalid email", `{"newEmail":"nope"}`, 400, "VALIDATION_ERROR"},
		{"same email", `{"newEmail":"OLD@example.com"}`, 400, ""},
		{"foreign callback", `{"newEmail":"x@example.com","callbackURL":"https://evil.example/"}`, 403, "INVALID_CALLBACK_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) { b.do("POST", "/change-email", tc.body).want(t, tc.status, tc.code) })
	}
	if a := b.do("POST", "/change-email", `{"newEmail":"OLD@example.com"}`); a.json["message"] != "Email is the same" {
		t.Fatalf("same email: %s", a.body)
	}
	// A taken address: the same answer, nothing changes.
	b.do("POST", "/change-email", `{"newEmail":"taken@example.com"}`).want(t, 200, "")
	// Unverified user with updateEmailWithoutVerification: changed at once, a link to the new address.
	b.do("POST", "/change-email", `{"newEmail":"new@example.com"}`).want(t, 200, "")
	if g := b.do("GET", "/get-session", ""); g.json["user"].(map[string]any)["email"] != "new@example.com" {
		t.Fatalf("session after change: %s", g.body)
	}
	e := nextMail(t, box, "new@example.com", authserver.EmailVerify)
	b.do("GET", pathOf(t, e.URL), "").want(t, 302, "")
	u, err := storeOf(t, s).UserByEmail(t.Context(), "new@example.com")
	if err != nil || !u.EmailVerified {
		t.Fatalf("new address: %+v %v, want verified", u, err)
	}
	s.browser(t).do("POST", "/change-email", `{"newEmail":"z@example.com"}`).want(t, 401, "UNAUTHORIZED")
}

func storeOf(t *testing.T, s *testServer) store.Database {
	t.Helper()
	st, err := sqlstore.New(s.db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestServerChangeEmailVerified(t *testing.T) {
	for _, tc := range []struct {
		name    string
		confirm bool
	}{{"verification to the new address", false}, {"confirmation from the old address first", true}} {
		t.Run(tc.name, func(t *testing.T) {
			box := &mail.Outbox{}
			s := newServer(t, func(c *authserver.Config) {
				c.Mailer = box
				c.User.ChangeEmail = authserver.ChangeEmailConfig{Enabled: true, SendChangeEmailConfirmation: tc.confirm}
			})
			b := s.browser(t)
			signUp(t, b, "v@example.com", "password123")
			if _, err := s.db.Exec(`update "user" set "emailVerified" = 1`); err != nil {
				t.Fatal(err)
			}
			b.do("POST", "/change-email", `{"newEmail":"v2@example.com","callbackURL":"/done"}`).want(t, 200, "")
			if tc.confirm {
				c := nextMail(t, box, "v@example.com", authserver.EmailChangeEmailConfirmation)
				if c.NewEmail != "v2@example.com" {
					t.Fatalf("confirmation: %+v", c)
				}
				if a := b.do("GET", pathOf(t, c.URL), ""); a.status != 302 || a.header.Get("Location") != "/done" {
					t.Fatalf("confirmation link: %d %v", a.status, a.header)
				}
			}
			e := nextMail(t, box, "v2@example.com", authserver.EmailVerify)
			// Another signed-in user cannot use the link.
			other := s.browser(t)
			signUp(t, other, "other@example.com", "password123")
			if a := other.do("GET", pathOf(t, e.URL), ""); a.status != 302 || !strings.Contains(a.header.Get("Location"), "error=INVALID_USER") {
				t.Fatalf("link followed by another user: %d %v", a.status, a.header)
			}
			if a := b.do("GET", pathOf(t, e.URL), ""); a.status != 302 || a.header.Get("Location") != "/done" {
				t.Fatalf("verification link: %d %v %s", a.status, a.header, a.body)
			}
			u, err := storeOf(t, s).UserByEmail(t.Context(), "v2@example.com")
			if err != nil || !u.EmailVerified {
				t.Fatalf("user after the change: %+v %v, want v2 verified", u, err)
			}
			// Reused: INVALID_TOKEN (the user no longer has the old address).
			if a := b.do("GET", pathOf(t, e.URL), ""); a.status != 302 || !strings.Contains(a.header.Get("Location"), "error=INVALID_TOKEN") {
				t.Fatalf("reused link: %d %v", a.status, a.header)
			}
			noCB := strings.Split(pathOf(t, e.URL), "&callbackURL")[0]
			b.do("GET", noCB, "").want(t, 401, "INVALID_TOKEN")
		})
	}
}

func TestServerChangeEmailErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		conf   authserver.ChangeEmailConfig
		mailer bool
		status int
		code   string
		msg    string
	}{
		{"disabled", authserver.ChangeEmailConfig{}, true, 400, "CHANGE_EMAIL_DISABLED", "Change email is disabled"},
		{"no mailer and verification needed", authserver.ChangeEmailConfig{Enabled: true}, false, 400, "", "Verification email isn't enabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, func(c *authserver.Config) {
				c.User.ChangeEmail = tc.conf
				if tc.mailer {
					c.Mailer = &mail.Outbox{}
				}
			})
			b := s.browser(t)
			signUp(t, b, "e@example.com", "password123")
			a := b.do("POST", "/change-email", `{"newEmail":"e2@example.com"}`)
			a.want(t, tc.status, tc.code)
			if a.json["message"] != tc.msg {
				t.Fatalf("message %v, want %q", a.json["message"], tc.msg)
			}
		})
	}
}

func TestServerDeleteUser(t *testing.T) {
	var before, after []string
	hooks := authserver.DeleteUserConfig{Enabled: true,
		BeforeDelete: func(_ context.Context, u store.User) error {
			before = append(before, u.Email)
			if u.Email == "keep@example.com" {
				return &authserver.HookError{Status: 403, Code: "KEEP", Message: "kept"}
			}
			return nil
		},
		AfterDelete: func(_ context.Context, u store.User) error { after = append(after, u.Email); return nil }}
	s := newServer(t, func(c *authserver.Config) { c.User.DeleteUser = hooks })
	b := s.browser(t)
	signUp(t, b, "del@example.com", "password123")
	b.do("POST", "/delete-user", `{"password":"wrong-password"}`).want(t, 400, "INVALID_PASSWORD")
	s.clk.add(25 * time.Hour)
	b.do("GET", "/get-session", "") // still valid: 7 days
	b.do("POST", "/delete-user", `{}`).want(t, 400, "SESSION_EXPIRED")
	b.do("POST", "/delete-user", `{"token":"nope"}`).want(t, 404, "INVALID_TOKEN")
	a := b.do("POST", "/delete-user", `{"password":"password123"}`)
	a.want(t, 200, "")
	if a.json["message"] != "User deleted" || a.cookieValue("better-auth.session_token") != "" {
		t.Fatalf("delete: %s %v", a.body, a.cookies)
	}
	if _, err := storeOf(t, s).UserByEmail(t.Context(), "del@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user still there: %v", err)
	}
	var n int
	s.db.QueryRow(`select count(*) from account`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d accounts left", n)
	}
	k := s.browser(t)
	signUp(t, k, "keep@example.com", "password123")
	k.do("POST", "/delete-user", `{}`).want(t, 403, "KEEP")
	if strings.Join(before, ",") != "del@example.com,keep@example.com" || strings.Join(after, ",") != "del@example.com" {
		t.Fatalf("hooks: before %v after %v", before, after)
	}
	// Disabled: 404 with no body.
	off := newServer(t, nil)
	ob := off.browser(t)
	signUp(t, ob, "off@example.com", "password123")
	if a := ob.do("POST", "/delete-user", `{}`); a.status != 404 || a.body != "" {
		t.Fatalf("disabled: %d %q", a.status, a.body)
	}
	ob.do("GET", "/delete-user/callback?token=x", "").want(t, 404, "NOT_FOUND")
}

func TestServerDeleteUserLink(t *testing.T) {
	box := &mail.Outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.User.DeleteUser = authserver.DeleteUserConfig{Enabled: true, SendDeleteAccountVerification: true, DeleteTokenExpiresIn: time.Hour}
	})
	b := s.browser(t)
	signUp(t, b, "link@example.com", "password123")
	// Even a correct password only sends a link.
	a := b.do("POST", "/delete-user", `{"password":"password123","callbackURL":"/bye"}`)
	if a.status != 200 || a.json["message"] != "Verification email sent" {
		t.Fatalf("delete with password: %d %s", a.status, a.body)
	}
	e := nextMail(t, box, "link@example.com", authserver.EmailDeleteAccount)
	if len(e.Token) != 32 || strings.Trim(e.Token, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
		t.Fatalf("token %q: want 32 of [0-9a-z]", e.Token)
	}
	s.browser(t).do("GET", pathOf(t, e.URL), "").want(t, 404, "FAILED_TO_GET_USER_INFO")
	// Another user's session cannot spend it (and, as in Better Auth, the attempt spends it).
	other := s.browser(t)
	signUp(t, other, "other@example.com", "password123")
	b.do("POST", "/delete-user", `{}`).want(t, 200, "")
	e2 := nextMail(t, box, "link@example.com", authserver.EmailDeleteAccount)
	other.do("POST", "/delete-user", `{"token":"`+e2.Token+`"}`).want(t, 404, "INVALID_TOKEN")
	b.do("POST", "/delete-user", `{"token":"`+e2.Token+`"}`).want(t, 404, "INVALID_TOKEN")
	// The first link works once.
	if a := b.do("GET", pathOf(t, e.URL), ""); a.status != 302 || a.header.Get("Location") != "/bye" {
		t.Fatalf("callback: %d %v %s", a.status, a.header, a.body)
	}
	if _, err := storeOf(t, s).UserByEmail(t.Context(), "link@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user still there: %v", err)
	}
	// Expired.
	c := s.browser(t)
	signUp(t, c, "late@example.com", "password123")
	c.do("POST", "/delete-user", `{}`).want(t, 200, "")
	e3 := nextMail(t, box, "late@example.com", authserver.EmailDeleteAccount)
	s.clk.add(2 * time.Hour)
	c.do("POST", "/delete-user", `{"token":"`+e3.Token+`"}`).want(t, 404, "INVALID_TOKEN")
}

// TestServerChangeEmailExpiredLink: a change-email verification link followed after it expired (1 h) is
// refused with TOKEN_EXPIRED (a redirect to its callbackURL with ?error=, as Better Auth's verify-email does),
// and the address stays as it was.
func TestServerChangeEmailExpiredLink(t *testing.T) {
	box := &mail.Outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.User.ChangeEmail = authserver.ChangeEmailConfig{Enabled: true}
	})
	b := s.browser(t)
	signUp(t, b, "x@example.com", "password123")
	if _, err := s.db.Exec(`update "user" set "emailVerified" = 1`); err != nil {
		t.Fatal(err)
	}
	b.do("POST", "/change-email", `{"newEmail":"x2@example.com"}`).want(t, 200, "")
	e := nextMail(t, box, "x2@example.com", authserver.EmailVerify)
	s.clk.add(time.Hour + time.Second)
	// The link carries a callbackURL, so the answer is Better Auth's redirect with the error.
	if a := b.do("GET", pathOf(t, e.URL), ""); a.status != 302 || !strings.Contains(a.header.Get("Location"), "error=TOKEN_EXPIRED") {
		t.Fatalf("expired link: %d %v %s", a.status, a.header, a.body)
	}
	if _, err := storeOf(t, s).UserByEmail(t.Context(), "x@example.com"); err != nil {
		t.Fatalf("the old address after an expired link: %v", err)
	}
}
