package interop_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/twofactor"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// twoFactorPair is a Go server with the two-factor plugin and a Node server with Better Auth's, on one
// database that Go migrated with the plugin's schema.
type twoFactorPair struct {
	goSrv, node *interop.Server
	db          *sql.DB
	otp         chan string // the codes the Go server sent
}

func newTwoFactorPair(t *testing.T, kind string) *twoFactorPair {
	t.Helper()
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var dbURL string
	env := map[string]string{"PLUGINS": "twoFactor"}
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "twofactor.db")
		dbURL, env["DB_FILE"] = "sqlite:"+file, file
	case "postgres":
		u, drop, err := newPostgresDatabase(ctx)
		requireFixture(t, err)
		t.Cleanup(drop)
		dbURL, env["DATABASE"] = u, u
	}
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Go migrates with the plugin's schema: Better Auth's migrator then finds nothing to add.
	if _, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{Tables: twofactor.Schema}); err != nil {
		t.Fatal(err)
	}
	p := &twoFactorPair{db: db, otp: make(chan string, 8)}
	p.node = interop.NewServer(t, env)
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, twofactor.New(twofactor.Config{Issuer: "gobetterauth-interop",
			OTP: twofactor.OTPConfig{Send: func(_ context.Context, _ store.User, code string) error { p.otp <- code; return nil }}}))
	})
	return p
}

// totpSecret reads the user's TOTP secret from the twoFactor table and decrypts it with the shared
// format (Better Auth's symmetricDecrypt, as jwtissue.Decrypt reads it).
func (p *twoFactorPair) totpSecret(t *testing.T, email string) string {
	t.Helper()
	var enc string
	q := `select tf."secret" from "twoFactor" tf join "user" u on u."id" = tf."userId" where u."email" = '` + email + `'`
	if err := p.db.QueryRowContext(t.Context(), q).Scan(&enc); err != nil {
		t.Fatal(err)
	}
	secret, err := jwtissue.Decrypt(jwtissue.Secrets{Current: interop.DefaultSecret}, enc)
	if err != nil {
		t.Fatalf("decrypting the TOTP secret %q: %v", enc, err)
	}
	return secret
}

// totpAt is the RFC 6238 code (SHA-1, 6 digits, 30 s) of a Better Auth secret (its UTF-8 bytes are the key)
// for the period offset periods from now.
func totpAt(secret string, offset int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(time.Now().Unix()/30+int64(offset)))
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// call POSTs body with cookie as a browser on the site and returns the status, the body and the cookies
// set (name → value; an expired one maps to "").
func call(t *testing.T, s *interop.Server, path, cookie string, body any) (int, map[string]any, map[string]string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.AuthURL(path), strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", strings.TrimSuffix(s.BaseURL, "/"))
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	set := map[string]string{}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			set[c.Name] = ""
		} else {
			set[c.Name] = c.Value
		}
	}
	return resp.StatusCode, out, set
}

// jarOf is the Cookie header of the cookies that were set and not expired.
func jarOf(set map[string]string) string {
	var pairs []string
	for k, v := range set {
		if v != "" {
			pairs = append(pairs, k+"="+v)
		}
	}
	return strings.Join(pairs, "; ")
}

// challenge signs in with email and password at s and checks the answer is Better Auth's two-factor
// redirect: no session cookie, the two_factor cookie; it returns that cookie.
func challenge(t *testing.T, s *interop.Server, name, email string, extra string) string {
	t.Helper()
	status, body, set := call(t, s, "/sign-in/email", extra, map[string]any{"email": email, "password": password})
	if status != 200 || body["twoFactorRedirect"] != true || set["better-auth.session_token"] != "" || set["better-auth.two_factor"] == "" {
		t.Fatalf("%s sign-in of a two-factor user: %d %v %v", name, status, body, set)
	}
	if _, ok := set["better-auth.session_token"]; !ok {
		t.Fatalf("%s: the redirect does not expire the session cookie: %v", name, set)
	}
	methods, _ := body["twoFactorMethods"].([]any)
	if fmt.Sprint(methods) != "[totp otp]" {
		t.Fatalf("%s: twoFactorMethods %v", name, body["twoFactorMethods"])
	}
	return "better-auth.two_factor=" + set["better-auth.two_factor"]
}

// signedIn checks a verify answer signed the user in and returns the session cookie, checked on both
// servers.
func (p *twoFactorPair) signedIn(t *testing.T, what string, status int, body map[string]any, set map[string]string) string {
	t.Helper()
	if status != 200 || body["token"] == nil || set["better-auth.session_token"] == "" {
		t.Fatalf("%s: %d %v %v", what, status, body, set)
	}
	if v, ok := set["better-auth.two_factor"]; !ok || v != "" {
		t.Fatalf("%s: the two_factor cookie is not expired: %v", what, set)
	}
	cookie := "better-auth.session_token=" + set["better-auth.session_token"]
	for _, s := range []*interop.Server{p.goSrv, p.node} {
		if _, err := s.GetSession(t.Context(), cookie); err != nil {
			t.Fatalf("%s: session refused by %s: %v", what, s.BaseURL, err)
		}
	}
	return cookie
}

// TestSharedDatabaseTwoFactor: Go's two-factor plugin and Better Auth's on one database (SQLite and
// PostgreSQL). A user enrolled on Node finishes a two-factor sign-in on Go with a TOTP code computed from
// the secret (decrypted with the shared format), and a user enrolled on Go does on Node; backup codes made
// by one are accepted by the other and spent on both; a trusted device set by Go is honoured by Node; a
// one-time code Node sent finishes the challenge on Go; a TOTP code is refused a second time by Go.
func TestSharedDatabaseTwoFactor(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			p := newTwoFactorPair(t, kind)
			ctx := t.Context()

			// Enrolled on Node.
			nodeUser := "tf-node-" + kind + "@example.com"
			cookie, err := p.node.SignUp(ctx, nodeUser, password, "Node User")
			if err != nil {
				t.Fatal(err)
			}
			en, err := p.node.Post(ctx, "/two-factor/enable", cookie, map[string]any{"password": password})
			if err != nil {
				t.Fatal(err)
			}
			var enrolled struct {
				TotpURI     string   `json:"totpURI"`
				BackupCodes []string `json:"backupCodes"`
			}
			if err := json.Unmarshal(en.Body, &enrolled); err != nil || len(enrolled.BackupCodes) != 10 {
				t.Fatalf("enable: %s", en.Body)
			}
			secret := p.totpSecret(t, nodeUser)
			if totpAt(secret, 0) != totpNow(t, enrolled.TotpURI) {
				t.Fatalf("the decrypted secret %q is not the URI's %s", secret, enrolled.TotpURI)
			}
			if _, err := p.node.Post(ctx, "/two-factor/verify-totp", cookie, map[string]any{"code": totpAt(secret, 0)}); err != nil {
				t.Fatal(err)
			}
			// Go: sign-in → challenge → TOTP.
			tf := challenge(t, p.goSrv, "Go", nodeUser, "")
			next := totpAt(secret, 1) // once: computed again after a 30 s boundary it would be another step's code
			status, body, set := call(t, p.goSrv, "/two-factor/verify-totp", tf, map[string]any{"code": next})
			p.signedIn(t, "Go verify-totp of a Node enrolment", status, body, set)
			// The same code again (a replay within its window) is refused by Go.
			tf = challenge(t, p.goSrv, "Go", nodeUser, "")
			if status, body, _ := call(t, p.goSrv, "/two-factor/verify-totp", tf, map[string]any{"code": next}); status != 401 || body["code"] != "INVALID_CODE" {
				t.Fatalf("replayed TOTP: %d %v", status, body)
			}
			// A backup code from Node's enrolment, used on Go, with trustDevice.
			status, body, set = call(t, p.goSrv, "/two-factor/verify-backup-code", tf, map[string]any{"code": enrolled.BackupCodes[0], "trustDevice": true})
			p.signedIn(t, "Go verify-backup-code", status, body, set)
			trust := set["better-auth.trust_device"]
			if trust == "" {
				t.Fatalf("no trust_device cookie: %v", set)
			}
			// Spent on Go, refused by Node.
			tf = challenge(t, p.node, "Node", nodeUser, "")
			if status, body, _ := call(t, p.node, "/two-factor/verify-backup-code", tf, map[string]any{"code": enrolled.BackupCodes[0]}); status != 401 || body["code"] != "INVALID_BACKUP_CODE" {
				t.Fatalf("Node on a backup code spent on Go: %d %v", status, body)
			}
			// The device Go trusted signs in on Node without a challenge, and Node renews the record.
			status, body, set = call(t, p.node, "/sign-in/email", "better-auth.trust_device="+trust, map[string]any{"email": nodeUser, "password": password})
			if status != 200 || body["twoFactorRedirect"] != nil || set["better-auth.session_token"] == "" || set["better-auth.trust_device"] == "" {
				t.Fatalf("Node sign-in on a device Go trusted: %d %v %v", status, body, set)
			}
			// ... and the record Node renewed is honoured by Go.
			status, body, set = call(t, p.goSrv, "/sign-in/email", "better-auth.trust_device="+set["better-auth.trust_device"], map[string]any{"email": nodeUser, "password": password})
			if status != 200 || body["twoFactorRedirect"] != nil || set["better-auth.session_token"] == "" || set["better-auth.trust_device"] == "" {
				t.Fatalf("Go sign-in on a device Node trusted: %d %v %v", status, body, set)
			}
			// A one-time code Node sent finishes the challenge on Go.
			tf = challenge(t, p.node, "Node", nodeUser, "")
			if _, err := p.node.Post(ctx, "/two-factor/send-otp", tf, nil); err != nil {
				t.Fatal(err)
			}
			box := nodeOutbox(t, p.node)
			otp := box[len(box)-1]
			if otp.Kind != "2fa-otp" || otp.Email != nodeUser {
				t.Fatalf("Node outbox: %+v", otp)
			}
			if status, body, _ := call(t, p.goSrv, "/two-factor/verify-otp", tf, map[string]any{"code": "000000x"}); status != 401 || body["code"] != "INVALID_CODE" {
				t.Fatalf("Go verify-otp, wrong code: %d %v", status, body)
			}
			status, body, set = call(t, p.goSrv, "/two-factor/verify-otp", tf, map[string]any{"code": otp.Token})
			p.signedIn(t, "Go verify-otp of a code Node sent", status, body, set)

			// Enrolled on Go.
			goUser := "tf-go-" + kind + "@example.com"
			cookie, err = p.goSrv.SignUp(ctx, goUser, password, "Go User")
			if err != nil {
				t.Fatal(err)
			}
			en, err = p.goSrv.Post(ctx, "/two-factor/enable", cookie, map[string]any{"password": password})
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(en.Body, &enrolled); err != nil || len(enrolled.BackupCodes) != 10 {
				t.Fatalf("Go enable: %s", en.Body)
			}
			secret = p.totpSecret(t, goUser)
			if totpAt(secret, 0) != totpNow(t, enrolled.TotpURI) || !strings.HasPrefix(enrolled.TotpURI, "otpauth://totp/gobetterauth-interop:tf-go-") {
				t.Fatalf("Go's URI %s does not carry the secret %q", enrolled.TotpURI, secret)
			}
			// Not enabled until the first code.
			if _, body, _ := call(t, p.node, "/sign-in/email", "", map[string]any{"email": goUser, "password": password}); body["twoFactorRedirect"] != nil {
				t.Fatalf("two-factor on before the first code: %v", body)
			}
			v, err := p.goSrv.Post(ctx, "/two-factor/verify-totp", cookie, map[string]any{"code": totpAt(secret, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if s, err := p.node.GetSession(ctx, v.Cookie); err != nil || !strings.Contains(string(s.UserJSON), `"twoFactorEnabled":true`) {
				t.Fatalf("after Go's verify-totp: %v %v", s, err)
			}
			// Node: sign-in → challenge → TOTP; a backup code Go made works on Node and is then spent on Go.
			tf = challenge(t, p.node, "Node", goUser, "")
			status, body, set = call(t, p.node, "/two-factor/verify-totp", tf, map[string]any{"code": totpAt(secret, 1)})
			p.signedIn(t, "Node verify-totp of a Go enrolment", status, body, set)
			tf = challenge(t, p.node, "Node", goUser, "")
			status, body, set = call(t, p.node, "/two-factor/verify-backup-code", tf, map[string]any{"code": enrolled.BackupCodes[3]})
			p.signedIn(t, "Node verify-backup-code of a Go code", status, body, set)
			tf = challenge(t, p.goSrv, "Go", goUser, "")
			if status, body, _ := call(t, p.goSrv, "/two-factor/verify-backup-code", tf, map[string]any{"code": enrolled.BackupCodes[3]}); status != 401 || body["code"] != "INVALID_BACKUP_CODE" {
				t.Fatalf("Go on a backup code spent on Node: %d %v", status, body)
			}
			status, body, set = call(t, p.goSrv, "/two-factor/verify-backup-code", tf, map[string]any{"code": enrolled.BackupCodes[4]})
			p.signedIn(t, "Go verify-backup-code after a wrong one", status, body, set)
			// The Go challenge's one-time code, sent through Go's OTP sender, is honoured by Node.
			tf = challenge(t, p.goSrv, "Go", goUser, "")
			if _, err := p.goSrv.Post(ctx, "/two-factor/send-otp", tf, nil); err != nil {
				t.Fatal(err)
			}
			code := <-p.otp
			status, body, set = call(t, p.node, "/two-factor/verify-otp", tf, map[string]any{"code": code})
			p.signedIn(t, "Node verify-otp of a code Go sent", status, body, set)
			// Disabled on Go: both servers sign in with the password alone.
			login := p.signedIn(t, "session", status, body, set)
			if _, err := p.goSrv.Post(ctx, "/two-factor/disable", login, map[string]any{"password": password}); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*interop.Server{p.goSrv, p.node} {
				if status, body, set := call(t, s, "/sign-in/email", "", map[string]any{"email": goUser, "password": password}); status != 200 || body["twoFactorRedirect"] != nil || set["better-auth.session_token"] == "" {
					t.Fatalf("sign-in after disable at %s: %d %v", s.BaseURL, status, body)
				}
			}
		})
	}
}

// secretOfURI is the secret string inside an otpauth:// URI (its base32 decoded).
func secretOfURI(t *testing.T, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientTwoFactor: Better Auth's own JS client, with twoFactorClient, runs one script against the Node
// server and the Go server (enable, verify the first TOTP code, sign out, sign in → twoFactorRedirect,
// verify TOTP with trustDevice, a trusted sign-in with no challenge, new backup codes, disable) and gets
// the same answers and cookies from both.
func TestClientTwoFactor(t *testing.T) {
	p := newTwoFactorPair(t, "sqlite")
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	type outcome struct {
		Op     string
		Status int
		Code   string
		Keys   string
		Jar    string
	}
	run := func(s *interop.Server) []outcome {
		email := "client-2fa@" + strings.TrimPrefix(strings.ReplaceAll(s.BaseURL, ":", "-"), "http-//") + ".example.com"
		email = strings.ReplaceAll(email, "127.0.0.1", "local")
		res := interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signUp.email", map[string]any{"name": "Client", "email": email, "password": password}),
			step("twoFactor.enable", map[string]any{"password": password}),
		)
		en := wantStep(t, res[1], "")
		secret := secretOfURI(t, en["totpURI"].(string))
		var steps []interop.ClientStep
		for name, value := range res[1].Jar {
			steps = append(steps, step("jar.set", map[string]any{"cookie": name + "=" + value}))
		}
		n := len(steps)
		steps = append(steps,
			step("twoFactor.verifyTotp", map[string]any{"code": totpAt(secret, 0)}),
			step("signOut", nil),
			step("signIn.email", map[string]any{"email": email, "password": password}),
			step("twoFactor.verifyTotp", map[string]any{"code": totpAt(secret, 1), "trustDevice": true}),
			step("getSession", nil),
			step("signOut", nil),
			step("signIn.email", map[string]any{"email": email, "password": password}),
			step("twoFactor.generateBackupCodes", map[string]any{"password": password}),
			step("twoFactor.verifyBackupCode", map[string]any{"code": "nope-nope"}),
			step("twoFactor.disable", map[string]any{"password": password}),
			step("getSession", nil),
		)
		res = append(res[:2], interop.RunClient(t, s.URL, "/api/auth", s.URL, steps...)[n:]...)
		var out []outcome
		for _, r := range res {
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
					o.Keys += fmt.Sprintf(" twoFactorEnabled=%v", u["twoFactorEnabled"])
				}
				if r.Op == "signIn.email" {
					o.Keys += fmt.Sprintf(" redirect=%v methods=%v", data["twoFactorRedirect"], data["twoFactorMethods"])
				}
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
	node, goRes := run(p.node), run(p.goSrv)
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
	// The sign-in after verify: a challenge; the one on the trusted device: a session.
	if !strings.Contains(goRes[4].Keys, "redirect=true methods=[totp otp]") || !strings.Contains(goRes[8].Keys, "redirect=<nil>") {
		t.Fatalf("Go sign-ins: %+v / %+v", goRes[4], goRes[8])
	}
}
