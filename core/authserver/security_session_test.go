package authserver_test

// Regression tests for issue 12 items 4 and 7–12 (session hygiene); docs/security.md lists them.

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
)

// TestSecurityRawBearerTokenServer (issue 12 item 4): in server mode the bearer plugin decides whether raw
// session tokens are taken, for the server's own endpoints and for its Verifier; the verifier alone is
// auth's TestSecurityRawBearerTokenRefusedByDefault.
func TestSecurityRawBearerTokenServer(t *testing.T) {
	bearer := func(tok string) auth.Request { return auth.Request{Authorization: []string{"Bearer " + tok}} }
	// Server mode: the server's bearer setting decides, for its own endpoints and for Authenticate.
	for _, tt := range []struct {
		name     string
		edit     func(*authserver.Config)
		rawOK    bool
		signedOK bool
	}{
		{name: "bearer plugin off", signedOK: true},
		{name: "bearer plugin on", edit: func(c *authserver.Config) {
			c.Plugins = append(c.Plugins, authserver.Bearer(authserver.BearerConfig{}))
		}, rawOK: true, signedOK: true},
		{name: "bearer plugin with requireSignature", edit: func(c *authserver.Config) {
			c.Plugins = append(c.Plugins, authserver.Bearer(authserver.BearerConfig{RequireSignature: true}))
		}, signedOK: true},
		{name: "bearer plugin off, AcceptRawSessionTokens", edit: func(c *authserver.Config) { c.Auth.AcceptRawSessionTokens = true }, rawOK: true, signedOK: true},
	} {
		t.Run("server, "+tt.name, func(t *testing.T) {
			s := newServer(t, tt.edit)
			b := s.browser(t)
			up := signUp(t, b, "raw@example.com", "password123")
			raw := up.json["token"].(string)
			signed := b.cookies["better-auth.session_token"]
			for _, c := range []struct {
				tok string
				ok  bool
			}{{raw, tt.rawOK}, {signed, tt.signedOK}} {
				_, err := s.a.Verifier().Authenticate(t.Context(), bearer(c.tok))
				if (err == nil) != c.ok {
					t.Errorf("Authenticate(Bearer %.8s…) = %v, want ok=%v", c.tok, err, c.ok)
				}
			}
			api := s.browser(t)
			api.origin = ""
			api.header.Set("Authorization", "Bearer "+raw)
			onServer := strings.Contains(tt.name, "bearer plugin on")
			if g := api.do("GET", "/get-session", ""); (g.body != "null") != onServer {
				t.Errorf("/get-session with the raw token: %s (want a session: %v)", g.body, onServer)
			}
		})
	}
}

// TestSecurityNoStoreOnSessionAnswers (issue 12 item 7): every answer of the server, and above all those
// that carry a token, a session or Set-Cookie, says Cache-Control: no-store.
func TestSecurityNoStoreOnSessionAnswers(t *testing.T) {
	box := &mail.Outbox{}
	s := newSocialServer(t, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{}))
		c.Mailer = box
		c.EmailVerification.AutoSignInAfterVerification = true
	})
	b := s.browser(t)
	var seen []string
	check := func(name string, status int, a answer) answer {
		t.Helper()
		seen = append(seen, name)
		if a.status != status {
			t.Errorf("%s: %d %s, want %d", name, a.status, a.body, status)
		}
		if got := a.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d, %d cookies): Cache-Control %q, want no-store", name, a.status, len(a.cookies), got)
		}
		return a
	}
	check("sign-up", 200, signUp(t, b, "nostore@example.com", "password123"))
	check("sign-in", 200, b.do("POST", "/sign-in/email", `{"email":"nostore@example.com","password":"password123"}`))
	check("sign-in error", 401, b.do("POST", "/sign-in/email", `{"email":"nostore@example.com","password":"wrong password"}`))
	check("get-session", 200, b.do("GET", "/get-session", ""))
	check("list-sessions", 200, b.do("GET", "/list-sessions", ""))
	check("token", 200, b.do("GET", "/token", ""))
	check("update-user", 200, b.do("POST", "/update-user", `{"name":"N"}`))
	check("change-password", 200, b.do("POST", "/change-password", `{"currentPassword":"password123","newPassword":"password456","revokeOtherSessions":true}`))
	check("send-verification-email", 200, b.do("POST", "/send-verification-email", `{"email":"nostore@example.com"}`))
	v := s.browser(t)
	check("verify-email with auto sign-in", 302, v.do("GET", pathOf(t, nextMail(t, box, "nostore@example.com", authserver.EmailVerify).URL), ""))
	check("request-password-reset", 200, b.do("POST", "/request-password-reset", `{"email":"nostore@example.com"}`))
	tok := nextMail(t, box, "nostore@example.com", authserver.EmailResetPassword).Token
	check("reset-password", 200, s.browser(t).do("POST", "/reset-password", `{"token":"`+tok+`","newPassword":"password789"}`))
	check("social callback", 302, s.browser(t).login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home"}`))
	check("sign-in/social idToken", 200, s.browser(t).do("POST", "/sign-in/social", `{"provider":"oidc","idToken":{"token":"`+s.oidc.idToken("alice", "")+`"}}`))
	check("sign-out", 200, b.do("POST", "/sign-out", "{}"))
	check("ok", 200, b.do("GET", "/ok", ""))
	if len(seen) != 16 {
		t.Fatalf("checked %d answers", len(seen))
	}
}

// TestSecuritySignOutEndsEveryPresentedSession (issue 12 item 8): sign-out with the session cookie sent
// twice, or after a junk cookie of the same name, ends the session; a sign-out that could not delete it
// answers 503 and leaves the cookies, never success.
func TestSecuritySignOutEndsEveryPresentedSession(t *testing.T) {
	const name = "better-auth.session_token"
	for _, tt := range []struct {
		name    string
		cookies func(real, other string) []string
		dbDown  bool
		status  int
		ended   bool
	}{
		{name: "one cookie", cookies: func(r, _ string) []string { return []string{r} }, status: 200, ended: true},
		{name: "the same cookie twice", cookies: func(r, _ string) []string { return []string{r, r} }, status: 200, ended: true},
		{name: "junk cookie first", cookies: func(r, _ string) []string { return []string{"junk", r} }, status: 200, ended: true},
		{name: "forged signature first", cookies: func(r, _ string) []string { return []string{flipFirst(r), r} }, status: 200, ended: true},
		{name: "junk cookie last", cookies: func(r, _ string) []string { return []string{r, "junk"} }, status: 200, ended: true},
		{name: "two sessions", cookies: func(r, o string) []string { return []string{o, r} }, status: 200, ended: true},
		{name: "database down", cookies: func(r, _ string) []string { return []string{r} }, dbDown: true, status: 503},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			b := s.browser(t)
			signUp(t, b, "out@example.com", "password123")
			other := b.cookies[name]
			b.do("POST", "/sign-in/email", `{"email":"out@example.com","password":"password123"}`).want(t, 200, "")
			real := b.cookies[name]
			if tt.dbDown {
				s.db.Close()
			}
			var pairs []string
			for _, v := range tt.cookies(real, other) {
				pairs = append(pairs, name+"="+v)
			}
			x := s.browser(t)
			x.header.Set("Cookie", strings.Join(pairs, "; "))
			out := x.do("POST", "/sign-out", "{}")
			if out.status != tt.status {
				t.Fatalf("sign-out: %d %s, want %d", out.status, out.body, tt.status)
			}
			if tt.dbDown {
				if len(out.cookies) != 0 || strings.Contains(out.body, "success") {
					t.Fatalf("failed sign-out cleared cookies or claimed success: %v %s", out.cookies, out.body)
				}
				return
			}
			if out.body != `{"success":true}` || out.cookieValue(name) != "" || len(out.cookies) == 0 {
				t.Fatalf("sign-out answer %s, cookies %v", out.body, out.cookies)
			}
			check := []string{real}
			if strings.Contains(tt.name, "two") {
				check = append(check, other)
			}
			for _, v := range check {
				if _, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{name + "=" + v}}); err == nil {
					t.Errorf("session %.8s… still valid after sign-out", v)
				}
			}
		})
	}
}

// TestSecuritySignInEndsPresentedSession (issue 12 item 9, catalogue C22): signing in (email or social)
// while presenting a session of the same user deletes that session, unless Session.KeepSessionOnSignIn;
// a presented session of another user is left alone.
func TestSecuritySignInEndsPresentedSession(t *testing.T) {
	const name = "better-auth.session_token"
	emailSignIn := func(t *testing.T, s *socialServer, b *browser) {
		b.do("POST", "/sign-in/email", `{"email":"fix@example.com","password":"password123"}`).want(t, 200, "")
	}
	socialSignIn := func(t *testing.T, s *socialServer, b *browser) {
		b.login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home"}`)
	}
	idTokenSignIn := func(t *testing.T, s *socialServer, b *browser) {
		b.do("POST", "/sign-in/social", `{"provider":"oidc","idToken":{"token":"`+s.oidc.idToken("alice", "")+`"}}`).want(t, 200, "")
	}
	for _, tt := range []struct {
		name    string
		keep    bool
		signIn  func(*testing.T, *socialServer, *browser)
		social  bool // the first session is alice's (social); else fix@example.com's
		other   bool // the presented session is another user's
		revoked bool
	}{
		{name: "email", signIn: emailSignIn, revoked: true},
		{name: "email, KeepSessionOnSignIn", keep: true, signIn: emailSignIn},
		{name: "email, another user's session", other: true, signIn: emailSignIn},
		{name: "social callback", social: true, signIn: socialSignIn, revoked: true},
		{name: "social callback, KeepSessionOnSignIn", keep: true, social: true, signIn: socialSignIn},
		{name: "social idToken", social: true, signIn: idTokenSignIn, revoked: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, func(c *authserver.Config) { c.Session.KeepSessionOnSignIn = tt.keep })
			b := s.browser(t)
			signUp(t, s.browser(t), "fix@example.com", "password123")
			switch {
			case tt.other:
				signUp(t, b, "someone@example.com", "password123")
			case tt.social:
				socialSignIn(t, s, b)
			default:
				emailSignIn(t, s, b)
			}
			old := b.cookies[name]
			tt.signIn(t, s, b)
			if b.cookies[name] == old || b.cookies[name] == "" {
				t.Fatal("sign-in set no new session cookie")
			}
			_, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{name + "=" + old}})
			if revoked := err != nil; revoked != tt.revoked {
				t.Fatalf("presented session revoked = %v (%v), want %v", revoked, err, tt.revoked)
			}
			if _, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{name + "=" + b.cookies[name]}}); err != nil {
				t.Fatalf("new session: %v", err)
			}
		})
	}
}

// TestSecurityMaxSessionAge (issue 12 item 10, catalogue B27): with MaxSessionAge a session that is used
// every few days still ends at createdAt + MaxSessionAge (refreshes stop there, the cookie too), and the
// verifier refuses it as expired from the store and from the cookie cache. Without it, Better Auth's
// sliding expiry keeps a used session alive forever.
func TestSecurityMaxSessionAge(t *testing.T) {
	const day = 24 * time.Hour
	for _, tt := range []struct {
		name string
		cap  time.Duration
	}{
		{name: "no cap: a used session lives on (Better Auth)"},
		{name: "MaxSessionAge 30 days", cap: 30 * day},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, func(c *authserver.Config) { c.Session.MaxSessionAge = tt.cap })
			b := s.browser(t)
			signUp(t, b, "old@example.com", "password123")
			cookie := b.cookies["better-auth.session_token"]
			created := s.clk.now()
			for d := 6; d <= 90; d += 6 {
				s.clk.add(6 * day)
				now := s.clk.now()
				g := b.do("GET", "/get-session", "")
				_, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{"better-auth.session_token=" + cookie}})
				if tt.cap == 0 || now.Before(created.Add(tt.cap)) {
					if g.body == "null" || err != nil {
						t.Fatalf("day %d: session ended early: %s, %v", d, g.body, err)
					}
					exp, _ := time.Parse(time.RFC3339Nano, g.json["session"].(map[string]any)["expiresAt"].(string))
					if tt.cap > 0 && exp.After(created.Add(tt.cap)) {
						t.Fatalf("day %d: refreshed to %v, past createdAt + MaxSessionAge", d, exp)
					}
					for _, c := range g.cookies {
						if c.Name == "better-auth.session_token" && tt.cap > 0 && time.Duration(c.MaxAge)*time.Second > created.Add(tt.cap).Sub(now) {
							t.Fatalf("day %d: cookie Max-Age %d outlives the session", d, c.MaxAge)
						}
					}
					continue
				}
				if g.body != "null" {
					t.Fatalf("day %d: a session past MaxSessionAge still served: %s", d, g.body)
				}
				if !errors.Is(err, auth.ErrInvalidToken) {
					t.Fatalf("day %d: Authenticate = %v, want ErrInvalidToken", d, err)
				}
				return
			}
			if tt.cap > 0 {
				t.Fatal("the session never ended")
			}
		})
	}

	for _, tt := range []struct {
		name      string
		cfg, srv  time.Duration
		wantError bool
	}{
		{name: "negative", cfg: -time.Hour, wantError: true},
		{name: "server negative", srv: -time.Hour, wantError: true},
		{name: "both, different", cfg: time.Hour, srv: 2 * time.Hour, wantError: true},
		{name: "both, the same", cfg: time.Hour, srv: time.Hour},
	} {
		t.Run("config, "+tt.name, func(t *testing.T) {
			_, err := authserver.New(authserver.Config{Auth: auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40)), DisableJWKS: true, MaxSessionAge: tt.cfg},
				Database: nilDB{}, Session: authserver.SessionConfig{MaxSessionAge: tt.srv}})
			if (err != nil) != tt.wantError {
				t.Fatalf("New: %v, want an error: %v", err, tt.wantError)
			}
		})
	}
}

// TestSecurityPasswordResetRevokesSessionsByDefault (issue 12 item 11): a password reset ends every
// session of the user unless EmailAndPassword.KeepSessionsOnPasswordReset (Better Auth's default keeps
// them, so an attacker's session survived the victim's reset).
func TestSecurityPasswordResetRevokesSessionsByDefault(t *testing.T) {
	for _, tt := range []struct {
		name string
		keep bool
	}{
		{name: "default"},
		{name: "KeepSessionsOnPasswordReset", keep: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			box := &mail.Outbox{}
			s := newServer(t, func(c *authserver.Config) {
				c.Mailer = box
				c.EmailAndPassword.KeepSessionsOnPasswordReset = tt.keep
				// The user's email is unverified, so the reset also proves the address, which ends every
				// session unless this is set (issue 12 item 5); set it to look at item 11 alone.
				c.AccountLinking.KeepUnverifiedLinksOnEmailProof = true
			})
			attacker := s.browser(t)
			signUp(t, attacker, "reset@example.com", "password123")
			victim := s.browser(t)
			victim.do("POST", "/request-password-reset", `{"email":"reset@example.com"}`).want(t, 200, "")
			victim.do("POST", "/reset-password", `{"newPassword":"brand-new-pass","token":"`+nextMail(t, box, "reset@example.com", authserver.EmailResetPassword).Token+`"}`).want(t, 200, "")
			_, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{"better-auth.session_token=" + attacker.cookies["better-auth.session_token"]}})
			if kept := err == nil; kept != tt.keep {
				t.Fatalf("session kept = %v (%v), want %v", kept, err, tt.keep)
			}
		})
	}
}

// TestSecuritySocialStateExactKeys (issue 12 item 12): the social state is read with exact, case-sensitive
// member names, as JavaScript reads it, so additionalData keys that differ from internal fields only in
// case ("NEWUSERURL", "LINK") stay additional data.
func TestSecuritySocialStateExactKeys(t *testing.T) {
	for _, tt := range []struct {
		name, additional string
	}{
		{name: "NEWUSERURL", additional: `{"NEWUSERURL":"https://app.example.com/attacker"}`},
		{name: "newuserurl", additional: `{"newuserurl":"https://app.example.com/attacker"}`},
		{name: "NewUserUrl", additional: `{"NewUserUrl":"https://app.example.com/attacker"}`},
		{name: "LINK", additional: `{"LINK":{"email":"alice@example.com","userId":"attacker"}}`},
		{name: "CALLBACKURL", additional: `{"CALLBACKURL":"https://app.example.com/attacker"}`},
		{name: "exact newUserURL (dropped when stored)", additional: `{"newUserURL":"https://app.example.com/attacker"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, nil)
			b := s.browser(t)
			cb := b.login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home","additionalData":`+tt.additional+`}`)
			if loc := cb.header.Get("Location"); loc != "/home" {
				t.Fatalf("a new user went to %q, want the callbackURL", loc)
			}
			if b.cookies["better-auth.session_token"] == "" {
				t.Fatal("no session: the flow was not a sign-in")
			}
		})
	}
}

// flipFirst changes the first character of s, which breaks a signed value's signature or token.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
