package authserver_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// The admin plugin's refusal, as Better Auth 1.7.25 answers it (default bannedUserMessage).
const bannedMessage = "You have been banned from this application. Please contact support if you believe this is an error."

// addPluginColumns adds the admin and two-factor plugins' columns and table exactly as Better Auth's own
// migrator adds them (core/store/sqlstore/testdata/plugins-admin-twofactor.sqlite.sql). Call it before the first
// request: the store reads the columns on first use.
func addPluginColumns(t *testing.T, db *sql.DB) {
	t.Helper()
	b, err := os.ReadFile("../store/sqlstore/testdata/plugins-admin-twofactor.sqlite.sql")
	if err != nil {
		t.Fatal(err)
	}
	for stmt := range strings.SplitSeq(string(b), ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
}

// setUser sets columns of the user row with that email, as Better Auth's admin or two-factor plugin would.
func setUser(t *testing.T, db *sql.DB, email, set string, args ...any) {
	t.Helper()
	res, err := db.Exec(`update "user" set `+set+` where "email" = ?`, append(args, email)...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("no user %s", email)
	}
}

func sessionCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`select count(*) from "session"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func isoMs(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// TestSessionGatePasswordSignIn: a user Better Auth's admin plugin banned, or who enabled two-factor through
// Better Auth's plugin, gets no session from the Go server's /sign-in/email (issue 12 items 1 and 2).
func TestSessionGatePasswordSignIn(t *testing.T) {
	tests := []struct {
		name          string
		set           string // SQL SET clause on the user row; "" leaves it as sign-up wrote it
		args          func(now time.Time) []any
		status        int
		code, message string
		after         func(t *testing.T, db *sql.DB)
	}{
		{name: "no plugin state", status: 200},
		{name: "banned", set: `"banned" = 1, "banReason" = 'spam'`, status: 403, code: "BANNED_USER", message: bannedMessage},
		{name: "banned until tomorrow", set: `"banned" = 1, "banExpires" = ?`,
			args: func(now time.Time) []any { return []any{isoMs(now.Add(24 * time.Hour))} }, status: 403, code: "BANNED_USER", message: bannedMessage},
		{name: "ban expired: cleared and signed in, as Better Auth does", set: `"banned" = 1, "banReason" = 'spam', "banExpires" = ?`,
			args: func(now time.Time) []any { return []any{isoMs(now.Add(-time.Second))} }, status: 200,
			after: func(t *testing.T, db *sql.DB) {
				var banned int
				var reason, expires sql.NullString
				if err := db.QueryRow(`select "banned", "banReason", "banExpires" from "user"`).Scan(&banned, &reason, &expires); err != nil {
					t.Fatal(err)
				}
				if banned != 0 || reason.Valid || expires.Valid {
					t.Fatalf("ban not cleared: %d %v %v", banned, reason, expires)
				}
			}},
		{name: "two-factor enabled, no two-factor plugin in Go: fail closed", set: `"twoFactorEnabled" = 1`, status: 403,
			code: "TWO_FACTOR_NOT_SUPPORTED", message: "Two-factor authentication is enabled for this user, and this server has no two-factor plugin"},
		{name: "banned and two-factor: the ban answers", set: `"banned" = 1, "twoFactorEnabled" = 1`, status: 403, code: "BANNED_USER", message: bannedMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			addPluginColumns(t, s.db)
			signUp(t, s.browser(t), "ann@example.com", "correct horse")
			if tt.set != "" {
				var args []any
				if tt.args != nil {
					args = tt.args(s.clk.now())
				}
				setUser(t, s.db, "ann@example.com", tt.set, args...)
			}
			before := sessionCount(t, s.db)
			b := s.browser(t)
			r := b.do("POST", "/sign-in/email", `{"email":"ann@example.com","password":"correct horse"}`)
			r.want(t, tt.status, tt.code)
			if tt.message != "" && r.json["message"] != tt.message {
				t.Fatalf("message %q", r.json["message"])
			}
			if got, want := sessionCount(t, s.db)-before, map[bool]int{true: 1, false: 0}[tt.status == 200]; got != want {
				t.Fatalf("%d sessions created, want %d", got, want)
			}
			if tt.status != 200 && (r.cookieValue("better-auth.session_token") != "" || r.json["token"] != nil) {
				t.Fatalf("refusal carries a session: %v %s", r.header, r.body)
			}
			if tt.after != nil {
				tt.after(t, s.db)
			}
		})
	}
}

// TestSessionGateSignUp: sign-up's automatic sign-in goes through the gate too (here a BeforeCreateUser hook
// bans the new user, as a Better Auth user.create.before hook could).
func TestSessionGateSignUp(t *testing.T) {
	s := newServer(t, func(c *authserver.Config) {
		c.Hooks.BeforeCreateUser = func(_ context.Context, u *store.User) error {
			u.Additional = map[string]any{"banned": true}
			return nil
		}
	})
	addPluginColumns(t, s.db)
	r := s.browser(t).do("POST", "/sign-up/email", `{"name":"Ann","email":"ann@example.com","password":"correct horse"}`)
	r.want(t, 403, "BANNED_USER")
	if sessionCount(t, s.db) != 0 || r.cookieValue("better-auth.session_token") != "" {
		t.Fatal("a banned sign-up got a session")
	}
}

// TestSessionGateSocial: the social callback redirects a banned user to the error URL with Better Auth's
// code and message (redirectOnError), and ID-token sign-in answers 403; neither creates a session. Social
// sign-in never asks for a second factor, in Better Auth either.
func TestSessionGateSocial(t *testing.T) {
	tests := []struct {
		name     string
		set      string
		idToken  bool
		wantCode string // "" = signed in
	}{
		{name: "redirect flow, banned", set: `"banned" = 1`, wantCode: "BANNED_USER"},
		{name: "ID token, banned", set: `"banned" = 1`, idToken: true, wantCode: "BANNED_USER"},
		{name: "redirect flow, two-factor enabled: signed in as by Better Auth", set: `"twoFactorEnabled" = 1`},
		{name: "ID token, ban expired", set: `"banned" = 1, "banExpires" = '2000-01-01T00:00:00.000Z'`, idToken: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, nil)
			addPluginColumns(t, s.db)
			first := s.browser(t).login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home"}`)
			if first.header.Get("Location") != "/home" {
				t.Fatalf("first sign-in: %v", first.header)
			}
			setUser(t, s.db, "alice@example.com", tt.set)
			before := sessionCount(t, s.db)
			b := s.browser(t)
			var gotCode string
			if tt.idToken {
				r := b.do("POST", "/sign-in/social", `{"provider":"oidc","idToken":{"token":"`+s.oidc.idToken("alice", "")+`"}}`)
				gotCode = r.code()
				if tt.wantCode != "" && (r.status != 403 || r.json["message"] != bannedMessage) {
					t.Fatalf("ID token sign-in: %d %s", r.status, r.body)
				}
			} else {
				r := b.login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home","errorCallbackURL":"/oops"}`)
				if tt.wantCode != "" {
					base, code, desc := errorOf(t, r)
					if base != "/oops" || desc != bannedMessage {
						t.Fatalf("redirect %s", r.header.Get("Location"))
					}
					gotCode = code
				} else if r.header.Get("Location") != "/home" {
					t.Fatalf("redirect %s", r.header.Get("Location"))
				}
			}
			if gotCode != tt.wantCode {
				t.Fatalf("code %q, want %q", gotCode, tt.wantCode)
			}
			created := sessionCount(t, s.db) - before
			if (tt.wantCode == "") != (created == 1) || b.cookies["better-auth.session_token"] != "" && tt.wantCode != "" {
				t.Fatalf("%d sessions created", created)
			}
		})
	}
}

// TestSessionGateVerifyEmail: autoSignInAfterVerification of a banned user answers 403 BANNED_USER, as Better
// Auth's verify-email does when createSession throws.
func TestSessionGateVerifyEmail(t *testing.T) {
	box := &mail.Outbox{}
	s := newServer(t, func(c *authserver.Config) {
		c.Mailer = box
		c.EmailAndPassword.RequireEmailVerification = true
		c.EmailVerification.AutoSignInAfterVerification = true
	})
	addPluginColumns(t, s.db)
	b := s.browser(t)
	b.do("POST", "/sign-up/email", `{"name":"V","email":"v@example.com","password":"password123"}`).want(t, 200, "")
	setUser(t, s.db, "v@example.com", `"banned" = 1`)
	r := b.do("GET", pathOf(t, nextMail(t, box, "v@example.com", authserver.EmailVerify).URL), "")
	r.want(t, 403, "BANNED_USER")
	if sessionCount(t, s.db) != 0 || r.cookieValue("better-auth.session_token") != "" {
		t.Fatal("verification signed a banned user in")
	}
}

// TestSessionGateVerifier: a session of a banned user found in the database (Better Auth's ban deletes the
// user's sessions; one created before, or by a server without the gate, may remain) is refused by the
// verifier with ErrBanned (403 BANNED_USER, catalogue B15) and by get-session; an expired ban is no ban.
func TestSessionGateVerifier(t *testing.T) {
	tests := []struct {
		name    string
		set     string
		args    func(now time.Time) []any
		refused bool
	}{
		{name: "not banned", set: `"banned" = 0`},
		{name: "banned", set: `"banned" = 1`, refused: true},
		{name: "banned until later", set: `"banned" = 1, "banExpires" = ?`, args: func(now time.Time) []any { return []any{isoMs(now.Add(time.Minute))} }, refused: true},
		{name: "ban expired", set: `"banned" = 1, "banExpires" = ?`, args: func(now time.Time) []any { return []any{isoMs(now.Add(-time.Minute))} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			addPluginColumns(t, s.db)
			b := s.browser(t)
			up := signUp(t, b, "ann@example.com", "correct horse")
			var args []any
			if tt.args != nil {
				args = tt.args(s.clk.now())
			}
			setUser(t, s.db, "ann@example.com", tt.set, args...)
			cookie := "better-auth.session_token=" + up.cookieValue("better-auth.session_token")
			sess, err := s.a.Verifier().Authenticate(t.Context(), auth.Request{Cookie: []string{cookie}})
			bearer, berr := s.a.Verifier().Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + up.cookieValue("better-auth.session_token")}})
			g := b.do("GET", "/get-session", "")
			if !tt.refused {
				if err != nil || sess.User.Email != "ann@example.com" || g.json["user"] == nil {
					t.Fatalf("Authenticate %v; get-session %s", err, g.body)
				}
				return
			}
			for _, e := range []error{err, berr} {
				if !errors.Is(e, auth.ErrBanned) || !errors.Is(e, auth.ErrForbidden) || auth.HTTPStatus(e) != 403 {
					t.Fatalf("Authenticate: %v", e)
				}
				if r := auth.NewErrorResponse(e); r.Code != "BANNED_USER" || r.Message != bannedMessage {
					t.Fatalf("error response %+v", r)
				}
			}
			if sess != nil || bearer != nil {
				t.Fatal("a session came with the refusal")
			}
			if g.status != 200 || g.body != "null" {
				t.Fatalf("get-session of a banned user: %d %s", g.status, g.body)
			}
		})
	}
}

// TestSessionGateColumnsAddedWhileRunning: the Go server has read the user table before a Node Better Auth
// server sharing the database migrates for the admin and two-factor plugins and bans the user. Once the
// store's columns are older than sqlstore.DefaultSchemaRefresh, without a restart, the verifier refuses the
// session it accepted before (ErrBanned) and password sign-in answers BANNED_USER; then two-factor alone
// gets no session either.
func TestSessionGateColumnsAddedWhileRunning(t *testing.T) {
	s := newServer(t, nil)
	b := s.browser(t)
	up := signUp(t, b, "ann@example.com", "correct horse")
	req := auth.Request{Cookie: []string{"better-auth.session_token=" + up.cookieValue("better-auth.session_token")}}
	if _, err := s.a.Verifier().Authenticate(t.Context(), req); err != nil {
		t.Fatalf("Authenticate before the migration: %v", err)
	}

	addPluginColumns(t, s.db)
	setUser(t, s.db, "ann@example.com", `"banned" = 1`)
	s.clk.add(sqlstore.DefaultSchemaRefresh)
	sess, err := s.a.Verifier().Authenticate(t.Context(), req)
	if !errors.Is(err, auth.ErrBanned) || sess != nil {
		t.Fatalf("Authenticate after the ban: %v, %v; want ErrBanned", sess, err)
	}
	before := sessionCount(t, s.db)
	in := s.browser(t).do("POST", "/sign-in/email", `{"email":"ann@example.com","password":"correct horse"}`)
	in.want(t, 403, "BANNED_USER")

	setUser(t, s.db, "ann@example.com", `"banned" = 0, "twoFactorEnabled" = 1`)
	in = s.browser(t).do("POST", "/sign-in/email", `{"email":"ann@example.com","password":"correct horse"}`)
	in.want(t, 403, "TWO_FACTOR_NOT_SUPPORTED")
	if n := sessionCount(t, s.db); n != before {
		t.Fatalf("%d sessions created", n-before)
	}
}
