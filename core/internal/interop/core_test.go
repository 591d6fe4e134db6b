package interop_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// coreConfig is the Go twin of the Node server's CHANGE_EMAIL, DELETE_USER_VERIFICATION and EXTRA_FIELDS.
func coreConfig(box *mail.Outbox) func(c *authserver.Config) {
	return func(c *authserver.Config) {
		c.Mailer = box
		c.User.ChangeEmail = authserver.ChangeEmailConfig{Enabled: true, UpdateEmailWithoutVerification: true}
		c.User.DeleteUser = authserver.DeleteUserConfig{Enabled: true, SendDeleteAccountVerification: true}
		c.User.AdditionalFields = map[string]authserver.AdditionalField{
			"nickname": {Required: true},
			"age":      {Type: sqlstore.FieldNumber},
			"plan":     {NoInput: true, Default: "free"},
		}
		c.Session.AdditionalFields = map[string]authserver.AdditionalField{"theme": {Default: "light"}}
	}
}

// TestClientCoreEndpointsNodeAndGo: Better Auth's own JS client runs additional fields on sign-up and
// /update-user, /update-session, /change-email (and its verification link) and /delete-user by an emailed
// link against the real Better Auth server and the Go server, configured alike: every step gets the same
// status, error code and message, and the same data.
func TestClientCoreEndpointsNodeAndGo(t *testing.T) {
	t.Parallel()
	interop.Require(t)
	box := &mail.Outbox{}
	g := startGoServer(t, "sqlite:"+filepath.Join(t.TempDir(), "core.db"), interop.DefaultSecret, coreConfig(box))
	n := interop.NewServer(t, map[string]string{"CHANGE_EMAIL": "1", "DELETE_USER_VERIFICATION": "1", "EXTRA_FIELDS": "1"})
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	const pw = "core-password-1"
	run := func(s *interop.Server, steps ...interop.ClientStep) []interop.ClientResult {
		return interop.RunClient(t, s.URL, "/api/auth", s.URL, steps...)
	}
	// same compares one step on both servers: status, error code and message, and the listed data paths.
	same := func(i int, rn, rg interop.ClientResult, paths ...string) {
		t.Helper()
		if rn.Status != rg.Status || (rn.Error == nil) != (rg.Error == nil) ||
			(rn.Error != nil && (rn.Error.Code != rg.Error.Code || rn.Error.Message != rg.Error.Message)) {
			t.Errorf("step %d %s: node %d %+v %s, go %d %+v %s", i, rn.Op, rn.Status, rn.Error, rn.Data, rg.Status, rg.Error, rg.Data)
			return
		}
		for _, p := range paths {
			if a, b := pick(rn.Data, p), pick(rg.Data, p); a != b {
				t.Errorf("step %d %s: %s: node %s, go %s", i, rn.Op, p, a, b)
			}
		}
	}
	email := func(s string) string { return s + "@example.com" }
	phase1 := []interop.ClientStep{
		step("signUp.email", map[string]any{"name": "Core", "email": email("core"), "password": pw, "nickname": "nick", "age": 30, "plan": "pro", "unknown": "x"}),
		step("signUp.email", map[string]any{"name": "Core", "email": email("core-missing"), "password": pw}),
		step("updateUser", map[string]any{"plan": "pro"}),
		step("updateUser", map[string]any{"unknown": "x"}),
		step("updateUser", map[string]any{"nickname": "n2", "age": 31}),
		step("updateSession", map[string]any{"theme": "dark"}),
		step("updateSession", map[string]any{"other": 1}),
		step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
		step("changeEmail", map[string]any{"newEmail": email("CORE")}),
		step("changeEmail", map[string]any{"newEmail": email("core-new")}),
		step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
		step("deleteUser", map[string]any{"password": "wrong-" + pw}),
		step("deleteUser", map[string]any{"password": pw, "callbackURL": "/bye"}),
	}
	rn, rg := run(n, phase1...), run(g, phase1...)
	paths := [][]string{
		{"user.nickname", "user.age", "user.plan", "user.unknown", "token.type"},
		nil, nil, nil, {"status"},
		{"session.theme"}, nil,
		{"user.nickname", "user.age", "user.plan", "session.theme"},
		nil, {"status"},
		{"user.email", "user.emailVerified"},
		nil, {"success", "message"},
	}
	for i := range phase1 {
		same(i, rn[i], rg[i], paths[i]...)
	}
	if got := pick(rg[7].Data, "user.nickname") + pick(rg[7].Data, "session.theme"); got != `"n2""dark"` {
		t.Errorf("go get-session: %s", rg[7].Data)
	}

	// The links: the verification of the new address, then the deletion.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	gv, err := box.Next(ctx, email("core-new"), authserver.EmailVerify)
	if err != nil {
		t.Fatal(err)
	}
	gd, err := box.Next(ctx, email("core-new"), authserver.EmailDeleteAccount)
	if err != nil {
		t.Fatal(err)
	}
	var nv, nd string
	for _, e := range nodeOutbox(t, n) {
		switch {
		case e.Kind == "verify" && e.Email == email("core-new"):
			nv = e.Token
		case e.Kind == "delete-account":
			nd = e.Token
		}
	}
	if nv == "" || nd == "" {
		t.Fatalf("node outbox: %+v", nodeOutbox(t, n))
	}
	phase2 := func(verify, del string) []interop.ClientStep {
		return []interop.ClientStep{
			step("verifyEmail", map[string]any{"query": map[string]any{"token": verify}}),
			step("verifyEmail", map[string]any{"query": map[string]any{"token": verify + "x"}}),
			step("signIn.email", map[string]any{"email": email("core-new"), "password": pw}),
			step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
			step("deleteUser", map[string]any{"token": "not-the-token"}),
			step("deleteUser", map[string]any{"token": del}),
			step("signIn.email", map[string]any{"email": email("core-new"), "password": pw}),
		}
	}
	rn, rg = run(n, phase2(nv, nd)...), run(g, phase2(gv.Token, gd.Token)...)
	paths = [][]string{{"status"}, nil, nil, {"user.email", "user.emailVerified", "user.nickname"}, nil, {"success", "message"}, nil}
	for i := range rn {
		same(i, rn[i], rg[i], paths[i]...)
	}
	if rg[6].Error == nil || rg[6].Error.Code != "INVALID_EMAIL_OR_PASSWORD" {
		t.Errorf("sign-in after deletion on go: %+v", rg[6])
	}
}

// pick returns the JSON text at a dotted path of data ("token.type" is the JSON type of token), "" when
// absent.
func pick(data json.RawMessage, path string) string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	parts := strings.Split(path, ".")
	if parts[len(parts)-1] == "type" {
		parts = parts[:len(parts)-1]
		for _, p := range parts {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return jsonKindOf(v)
	}
	for _, p := range parts {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		if v, ok = m[p]; !ok {
			return "<absent>"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case map[string]any:
		return "object"
	}
	return "other"
}

// TestSharedDatabaseCoreLinks: on one database, a deletion link and an email change link the Go server
// mailed are honoured by the Node server once, the same links mailed by Node are honoured by Go once,
// additional fields written by Node are read by Go, and both servers' /token payloads carry the same user
// (with its additional fields).
func TestSharedDatabaseCoreLinks(t *testing.T) {
	t.Parallel()
	interop.Require(t)
	file := filepath.Join(t.TempDir(), "shared-core.db")
	box := &mail.Outbox{}
	g := startGoServer(t, "sqlite:"+file, interop.DefaultSecret, func(c *authserver.Config) {
		coreConfig(box)(c)
		c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{}))
	})
	n := interop.NewServer(t, map[string]string{"DB_FILE": file, "CHANGE_EMAIL": "1", "DELETE_USER_VERIFICATION": "1", "EXTRA_FIELDS": "1"})
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	const pw = "shared-core-password-1"
	// Node writes the fields; Go reads them.
	interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("signUp.email", map[string]any{"name": "S", "email": "shared-core@example.com", "password": pw, "nickname": "from-node", "age": 7}))
	r := interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("signIn.email", map[string]any{"email": "shared-core@example.com", "password": pw}),
		step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
		step("changeEmail", map[string]any{"newEmail": "shared-core-2@example.com"}),
		step("deleteUser", map[string]any{}))
	if pick(r[1].Data, "user.nickname") != `"from-node"` || pick(r[1].Data, "user.plan") != `"free"` || pick(r[1].Data, "session.theme") != `"light"` {
		t.Fatalf("go reads node's fields: %s", r[1].Data)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	v, err := box.Next(ctx, "shared-core-2@example.com", authserver.EmailVerify)
	if err != nil {
		t.Fatal(err)
	}
	d, err := box.Next(ctx, "shared-core-2@example.com", authserver.EmailDeleteAccount)
	if err != nil {
		t.Fatal(err)
	}
	r = interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("verifyEmail", map[string]any{"query": map[string]any{"token": v.Token}}),
		step("signIn.email", map[string]any{"email": "shared-core-2@example.com", "password": pw}),
		step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
		step("deleteUser", map[string]any{"token": d.Token}),
		step("signIn.email", map[string]any{"email": "shared-core-2@example.com", "password": pw}))
	wantStep(t, r[0], "")
	wantStep(t, r[1], "")
	if pick(r[2].Data, "user.emailVerified") != "true" || pick(r[2].Data, "user.nickname") != `"from-node"` {
		t.Fatalf("node after go's change link: %s", r[2].Data)
	}
	if d := wantStep(t, r[3], ""); d["message"] != "User deleted" {
		t.Fatalf("node with go's deletion token: %s", r[3].Data)
	}
	wantStep(t, r[4], "INVALID_EMAIL_OR_PASSWORD")

	// Node → Go. Node's user changes its address at once (unverified, updateEmailWithoutVerification) and
	// gets a verification link for the new one; both servers' /token carry the same user claims.
	const n1, n2, n3 = "node-core@example.com", "node-core-2@example.com", "node-core-3@example.com"
	r = interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("signUp.email", map[string]any{"name": "N", "email": n1, "password": pw, "nickname": "from-node", "age": 9}),
		step("changeEmail", map[string]any{"newEmail": n2}),
		step("token", nil))
	wantStep(t, r[1], "")
	nodeTok := wantStep(t, r[2], "")
	rg := interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("signIn.email", map[string]any{"email": n2, "password": pw}),
		step("token", nil))
	goTok := wantStep(t, rg[1], "")
	np, gp := tokenPayload(t, nodeTok["token"]), tokenPayload(t, goTok["token"])
	if np["nickname"] != "from-node" || np["age"] != float64(9) || np["plan"] != "free" {
		t.Fatalf("node's /token payload %v: want the additional fields", np)
	}
	for _, k := range []string{"iat", "exp", "iss", "aud"} { // the time and the server's own URL
		delete(np, k)
		delete(gp, k)
	}
	if nb, gb := mustJSON(t, np), mustJSON(t, gp); nb != gb {
		t.Errorf("/token payloads differ:\nnode %s\ngo   %s", nb, gb)
	}
	// Go follows Node's verification link: the user is verified. Node then mails, for the verified user, a
	// change-email link to the new address and a deletion link.
	nodeLink := func(kind, email string) string {
		t.Helper()
		for _, e := range nodeOutbox(t, n) {
			if e.Kind == kind && e.Email == email {
				return e.Token
			}
		}
		t.Fatalf("node outbox has no %s link for %s: %+v", kind, email, nodeOutbox(t, n))
		return ""
	}
	wantStep(t, interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("verifyEmail", map[string]any{"query": map[string]any{"token": nodeLink("verify", n2)}}))[0], "")
	r = interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("signIn.email", map[string]any{"email": n2, "password": pw}),
		step("changeEmail", map[string]any{"newEmail": n3}),
		step("deleteUser", map[string]any{}))
	if !strings.Contains(string(r[0].Data), `"emailVerified":true`) {
		t.Fatalf("node after go followed its verification link: %s", r[0].Data)
	}
	wantStep(t, r[1], "")
	wantStep(t, r[2], "")
	change, del := nodeLink("verify", n3), nodeLink("delete-account", n2)
	rg = interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("verifyEmail", map[string]any{"query": map[string]any{"token": change}}),
		step("verifyEmail", map[string]any{"query": map[string]any{"token": change}}))
	wantStep(t, rg[0], "")
	// The spent link: Go answers as Node answers the same link on the same database (INVALID_TOKEN).
	again := interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("verifyEmail", map[string]any{"query": map[string]any{"token": change}}))[0]
	if rg[1].Error == nil || again.Error == nil || rg[1].Status != again.Status || rg[1].Error.Code != again.Error.Code ||
		rg[1].Error.Message != again.Error.Message || again.Error.Code != "INVALID_TOKEN" {
		t.Errorf("spent change-email link: go %d %+v, node %d %+v", rg[1].Status, rg[1].Error, again.Status, again.Error)
	}
	rg = interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("signIn.email", map[string]any{"email": n3, "password": pw}),
		step("getSession", map[string]any{"query": map[string]any{"disableCookieCache": true}}),
		step("deleteUser", map[string]any{"token": del}),
		step("deleteUser", map[string]any{"token": del}),
		step("signIn.email", map[string]any{"email": n3, "password": pw}))
	wantStep(t, rg[0], "")
	if pick(rg[1].Data, "user.email") != `"`+n3+`"` || pick(rg[1].Data, "user.emailVerified") != "true" ||
		pick(rg[1].Data, "user.nickname") != `"from-node"` {
		t.Fatalf("go after node's change-email link: %s", rg[1].Data)
	}
	if d := wantStep(t, rg[2], ""); d["message"] != "User deleted" {
		t.Fatalf("go with node's deletion token: %s", rg[2].Data)
	}
	if rg[3].Error == nil { // the session went with the user
		t.Fatalf("go deleted twice with node's deletion token: %s", rg[3].Data)
	}
	wantStep(t, rg[4], "INVALID_EMAIL_OR_PASSWORD")
	wantStep(t, interop.RunClient(t, n.URL, "/api/auth", n.URL,
		step("signIn.email", map[string]any{"email": n3, "password": pw}))[0], "INVALID_EMAIL_OR_PASSWORD")
}

// tokenPayload decodes the payload of a compact JWT (a /token answer's token) without checking it.
func tokenPayload(t *testing.T, tok any) map[string]any {
	t.Helper()
	s, _ := tok.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %v", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// mustJSON is json.Marshal (map keys sorted) for a comparison.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
