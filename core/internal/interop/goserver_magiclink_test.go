package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/emailotp"
	"github.com/gobetterauth/gobetterauth/core/authserver/magiclink"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// emailPair is a Go server with the magic-link and email-OTP plugins and a Node server with Better
// Auth's, on one database.
type emailPair struct {
	goSrv, node *interop.Server
	mail        chan authserver.Email // what the Go server sent
}

func newEmailPair(t *testing.T, kind string) *emailPair {
	t.Helper()
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var dbURL string
	env := map[string]string{"PLUGINS": "magicLink,emailOTP"}
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "email.db")
		dbURL, env["DB_FILE"] = "sqlite:"+file, file
	case "postgres":
		u, drop, err := newPostgresDatabase(ctx)
		requireFixture(t, err)
		t.Cleanup(drop)
		dbURL, env["DATABASE"] = u, u
	}
	p := &emailPair{mail: make(chan authserver.Email, 32)}
	p.node = interop.NewServer(t, env)
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Mailer = authserver.MailerFunc(func(_ context.Context, e authserver.Email) error { p.mail <- e; return nil })
		c.Plugins = append(c.Plugins, magiclink.New(magiclink.Config{}), emailotp.New(emailotp.Config{}))
	})
	return p
}

// goEmail waits for the Go server's next email.
func (p *emailPair) goEmail(t *testing.T) authserver.Email {
	t.Helper()
	select {
	case e := <-p.mail:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("the Go server sent no email")
	}
	return authserver.Email{}
}

// nodeToken returns the token (or code) of Node's newest email of kind to email.
func nodeToken(t *testing.T, n *interop.Server, kind, email string) string {
	t.Helper()
	box := nodeOutbox(t, n)
	for i := len(box) - 1; i >= 0; i-- {
		if box[i].Kind == kind && box[i].Email == email {
			return box[i].Token
		}
	}
	t.Fatalf("Node sent no %s email to %s: %+v", kind, email, box)
	return ""
}

// verifyLink follows a magic link token on s without callbackURL and returns the status, the Location and
// the body.
func verifyLink(t *testing.T, s *interop.Server, token string) (int, string, string) {
	t.Helper()
	return getStatus(t, s.AuthURL("/magic-link/verify?token="+url.QueryEscape(token)))
}

// TestSharedDatabaseMagicLinkEmailOTP: on one database (SQLite, PostgreSQL), a magic link or a sign-in
// code issued by Node signs in on Go and the reverse, once: the other server then refuses it; the session
// made by one is valid on the other; a new user signed up by link on one is found by the other.
func TestSharedDatabaseMagicLinkEmailOTP(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			p := newEmailPair(t, kind)
			servers := map[string]*interop.Server{"Node": p.node, "Go": p.goSrv}
			for _, dir := range [][2]string{{"Node", "Go"}, {"Go", "Node"}} {
				issuer, verifier := servers[dir[0]], servers[dir[1]]
				email := strings.ToLower("link-" + dir[0] + "@example.com")
				if st, body, _ := call(t, issuer, "/sign-in/magic-link", "", map[string]any{"email": email, "name": "Linda"}); st != 200 || body["status"] != true {
					t.Fatalf("%s sign-in/magic-link: %d %v", dir[0], st, body)
				}
				var token string
				if dir[0] == "Node" {
					token = nodeToken(t, p.node, "magic-link", email)
				} else {
					token = p.goEmail(t).Token
				}
				st, loc, body := verifyLink(t, verifier, token)
				var out struct {
					Token string
					User  struct{ Email, Name string }
				}
				if st != 200 || json.Unmarshal([]byte(body), &out) != nil || out.User.Email != email || out.User.Name != "Linda" {
					t.Fatalf("%s link on %s: %d %q %s", dir[0], dir[1], st, loc, body)
				}
				// A link is spent once, on either server.
				for name, s := range servers {
					if st, loc, _ := verifyLink(t, s, token); st != 302 || !strings.HasSuffix(loc, "/?error=INVALID_TOKEN") {
						t.Fatalf("%s link replayed on %s: %d %q", dir[0], name, st, loc)
					}
				}

				// Email OTP sign-in, the same way round.
				email = strings.ToLower("otp-" + dir[0] + "@example.com")
				if st, body, _ := call(t, issuer, "/email-otp/send-verification-otp", "", map[string]any{"email": email, "type": "sign-in"}); st != 200 || body["success"] != true {
					t.Fatalf("%s send-verification-otp: %d %v", dir[0], st, body)
				}
				var code string
				if dir[0] == "Node" {
					code = nodeToken(t, p.node, "sign-in-otp", email)
				} else {
					code = p.goEmail(t).Token
				}
				st, body2, set := call(t, verifier, "/sign-in/email-otp", "", map[string]any{"email": email, "otp": code})
				if st != 200 || body2["token"] == nil || set["better-auth.session_token"] == "" {
					t.Fatalf("%s code on %s: %d %v", dir[0], dir[1], st, body2)
				}
				cookie := "better-auth.session_token=" + set["better-auth.session_token"]
				for name, s := range servers {
					if _, err := s.GetSession(t.Context(), cookie); err != nil {
						t.Fatalf("session from %s refused by %s: %v", dir[1], name, err)
					}
					if st, body, _ := call(t, s, "/sign-in/email-otp", "", map[string]any{"email": email, "otp": code}); st != 400 || body["code"] != "INVALID_OTP" {
						t.Fatalf("%s code replayed on %s: %d %v", dir[0], name, st, body)
					}
				}

				// Wrong codes count on both: two on the issuer, one on the verifier, and the right code is
				// refused with TOO_MANY_ATTEMPTS.
				if st, _, _ := call(t, issuer, "/email-otp/send-verification-otp", "", map[string]any{"email": email, "type": "sign-in"}); st != 200 {
					t.Fatal(st)
				}
				if dir[0] == "Node" {
					code = nodeToken(t, p.node, "sign-in-otp", email)
				} else {
					code = p.goEmail(t).Token
				}
				bad := "000000"
				if code == bad {
					bad = "111111"
				}
				for _, s := range []*interop.Server{issuer, issuer, verifier} {
					if st, body, _ := call(t, s, "/sign-in/email-otp", "", map[string]any{"email": email, "otp": bad}); st != 400 || body["code"] != "INVALID_OTP" {
						t.Fatalf("wrong code: %d %v", st, body)
					}
				}
				if st, body, _ := call(t, verifier, "/sign-in/email-otp", "", map[string]any{"email": email, "otp": code}); st != 403 || body["code"] != "TOO_MANY_ATTEMPTS" {
					t.Fatalf("fourth try on %s: %d %v", dir[1], st, body)
				}
			}
		})
	}
}

// TestClientMagicLinkEmailOTP: the real JS client with magicLinkClient() and emailOTPClient() runs the same
// script against Node and Go: magic link sign-up and sign-in, email OTP sign-in, email verification and
// password reset, each followed by getSession, with the same statuses, codes, body keys and cookies.
func TestClientMagicLinkEmailOTP(t *testing.T) {
	p := newEmailPair(t, "sqlite")
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	type outcome struct {
		Op     string
		Status int
		Code   string
		Keys   string
		Jar    string
	}
	run := func(s *interop.Server, name string) []outcome {
		email := "client-" + name + "@example.com"
		otpEmail := "client-otp-" + name + "@example.com"
		// token waits for the server's newest email of kind to addr.
		token := func(kind, addr string) string {
			if s == p.node {
				return nodeToken(t, p.node, kind, addr)
			}
			for {
				e := p.goEmail(t)
				if e.To == addr {
					return e.Token
				}
			}
		}
		var all []interop.ClientResult
		var jar map[string]string
		// runSteps runs steps with the jar carried over from the last run.
		runSteps := func(steps ...interop.ClientStep) []interop.ClientResult {
			var pre []interop.ClientStep
			for k, v := range jar {
				pre = append(pre, step("jar.set", map[string]any{"cookie": k + "=" + v}))
			}
			res := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(pre, steps...)...)[len(pre):]
			jar = res[len(res)-1].Jar
			all = append(all, res...)
			return res
		}
		runSteps(step("signIn.magicLink", map[string]any{"email": email, "name": "Client"}))
		runSteps(
			step("magicLink.verify", map[string]any{"query": map[string]any{"token": token("magic-link", email)}}),
			step("getSession", nil),
			step("signOut", nil),
			step("magicLink.verify", map[string]any{"query": map[string]any{"token": "nope"}}),
			step("emailOtp.sendVerificationOtp", map[string]any{"email": otpEmail, "type": "sign-in"}),
		)
		code := token("sign-in-otp", otpEmail)
		runSteps(
			step("signIn.emailOtp", map[string]any{"email": otpEmail, "otp": "000000x"}),
			step("signIn.emailOtp", map[string]any{"email": otpEmail, "otp": code}),
			step("getSession", nil),
			step("signIn.emailOtp", map[string]any{"email": otpEmail, "otp": code}),
			step("signUp.email", map[string]any{"name": "V", "email": "v-" + otpEmail, "password": password}),
			step("emailOtp.sendVerificationOtp", map[string]any{"email": "v-" + otpEmail, "type": "email-verification"}),
		)
		runSteps(
			step("emailOtp.verifyEmail", map[string]any{"email": "v-" + otpEmail, "otp": token("email-verification-otp", "v-"+otpEmail)}),
			step("getSession", nil),
			step("forgetPassword.emailOtp", map[string]any{"email": "v-" + otpEmail}),
		)
		runSteps(
			step("emailOtp.resetPassword", map[string]any{"email": "v-" + otpEmail, "otp": token("forget-password-otp", "v-"+otpEmail), "password": "another-password-1"}),
			step("emailOtp.resetPassword", map[string]any{"email": "v-" + otpEmail, "otp": "123456", "password": "another-password-1"}),
			step("signIn.email", map[string]any{"email": "v-" + otpEmail, "password": "another-password-1"}),
			step("getSession", nil),
		)
		var out []outcome
		for _, r := range all {
			o := outcome{Op: r.Op, Status: r.Status}
			if r.Error != nil {
				o.Code = r.Error.Code
			}
			var data map[string]any
			if json.Unmarshal(r.Data, &data) == nil {
				var keys []string
				for k := range data {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				o.Keys = strings.Join(keys, ",")
				if u, ok := data["user"].(map[string]any); ok {
					o.Keys += fmt.Sprintf(" emailVerified=%v name=%v", u["emailVerified"], u["name"])
				}
			}
			if loc := r.Headers["location"]; loc != "" {
				o.Keys += " location=" + strings.TrimPrefix(loc, strings.TrimSuffix(s.BaseURL, "/"))
			}
			var names []string
			for k := range r.Jar {
				names = append(names, k)
			}
			slices.Sort(names)
			o.Jar = strings.Join(names, ",")
			out = append(out, o)
		}
		return out
	}
	node, goRes := run(p.node, "node"), run(p.goSrv, "go")
	if len(node) != len(goRes) {
		t.Fatalf("%d steps on Node, %d on Go", len(node), len(goRes))
	}
	for i := range node {
		if node[i] != goRes[i] {
			t.Errorf("step %d:\n  Node %+v\n  Go   %+v", i, node[i], goRes[i])
		} else {
			t.Logf("step %d: %+v", i, node[i])
		}
	}
	if goRes[1].Status != 200 || !strings.Contains(goRes[2].Keys, "emailVerified=true name=Client") {
		t.Fatalf("Go magic-link sign-up: %+v / %+v", goRes[1], goRes[2])
	}
}
