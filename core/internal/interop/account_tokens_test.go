package interop_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// TestSocialAccountTokens: Go and the real Better Auth server, both with account.encryptOAuthTokens and the
// same secret, on one database with the real OP issuing refresh tokens. Tokens Go stored encrypted at
// sign-in are served decrypted by Node's /get-access-token; Node's /refresh-token writes new encrypted
// tokens that Go serves and refreshes with; Go's refresh is served by Node; both read /account-info. The answers match: successes byte for
// byte, errors as JSON.
func TestSocialAccountTokens(t *testing.T) {
	e := newSocialEnv(t, func(c *authserver.Config) { c.EncryptOAuthTokens = true })
	node := interop.NewServer(t, map[string]string{"DB_FILE": e.dbf, "BASE_URL": socialBase, "ENCRYPT_OAUTH_TOKENS": "1",
		"GENERIC_OAUTH": fmt.Sprintf(`[{"providerId":"op","discoveryUrl":%q,"clientId":%q,"clientSecret":%q,"scopes":["openid","email","profile"]}]`,
			e.op.Issuer+"/.well-known/openid-configuration", socialClient, socialSecret)})
	b := e.browser(t)
	b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home"}, "alice")
	accts := e.accounts(t, "alice@example.com")
	if len(accts) != 1 {
		t.Fatalf("accounts %+v", accts)
	}
	id := accts[0].ID
	encrypted := regexp.MustCompile(`^[0-9a-f]{80,}$`)
	stored := func() (access, refresh string) {
		t.Helper()
		if err := e.db.QueryRow(`select "accessToken","refreshToken" from "account" where "id" = ?`, id).Scan(&access, &refresh); err != nil {
			t.Fatal(err)
		}
		if !encrypted.MatchString(access) || !encrypted.MatchString(refresh) {
			t.Fatalf("tokens stored in the clear: %q %q", access, refresh)
		}
		return access, refresh
	}
	stored()
	sel := map[string]any{"accountId": id}

	var bothAs func(b *goBrowser, path string, body any, status int) map[string]any
	// both sends the same request to Go and Node and requires the same status and body.
	both := func(path string, body any, status int) map[string]any {
		t.Helper()
		return bothAs(b, path, body, status)
	}
	bothAs = func(b *goBrowser, path string, body any, status int) map[string]any {
		t.Helper()
		g := b.do("POST", path, body)
		resp, n := b.node(node.URL, "POST", "/api/auth"+path, body)
		var out, nodeOut map[string]any
		_ = json.Unmarshal(g.body, &out)
		_ = json.Unmarshal(n, &nodeOut)
		// Successes match byte for byte; error bodies as JSON (Go writes {"code","message"}, Node
		// {"message","code"}).
		same := string(g.body) == string(n) || (status != 200 && out != nil && reflect.DeepEqual(out, nodeOut))
		if g.status != status || resp.StatusCode != status || !same {
			t.Fatalf("%s %v\n  go: %d %s\nnode: %d %s\n%s", path, body, g.status, g.body, resp.StatusCode, n, node.Stderr())
		}
		return out
	}
	first := both("/get-access-token", sel, 200)
	if first["accessToken"] == "" || first["accessToken"] == nil {
		t.Fatalf("get-access-token %v", first)
	}

	// Node refreshes (decrypting Go's refresh token) and writes encrypted tokens; Go serves them.
	resp, nb := b.node(node.URL, "POST", "/api/auth/refresh-token", sel)
	var nr map[string]any
	if err := json.Unmarshal(nb, &nr); resp.StatusCode != 200 || err != nil || nr["accessToken"] == first["accessToken"] {
		t.Fatalf("Node refresh-token: %d %s\n%s", resp.StatusCode, nb, node.Stderr())
	}
	a1, _ := stored()
	if got := both("/get-access-token", sel, 200); got["accessToken"] != nr["accessToken"] {
		t.Fatalf("after Node's refresh: %v, want %v", got["accessToken"], nr["accessToken"])
	}

	// Go refreshes with the refresh token Node encrypted; Node serves Go's tokens.
	g := b.do("POST", "/refresh-token", sel)
	var gr map[string]any
	if err := json.Unmarshal(g.body, &gr); g.status != 200 || err != nil || gr["accessToken"] == nr["accessToken"] {
		t.Fatalf("Go refresh-token: %d %s", g.status, g.body)
	}
	if a2, _ := stored(); a2 == a1 {
		t.Fatal("Go's refresh did not write the access token")
	}
	if got := both("/get-access-token", sel, 200); got["accessToken"] != gr["accessToken"] {
		t.Fatalf("after Go's refresh: %v, want %v", got["accessToken"], gr["accessToken"])
	}

	// An access token about to expire is refreshed by /get-access-token, by either server.
	for _, who := range []string{"go", "node"} {
		if _, err := e.db.Exec(`update "account" set "accessTokenExpiresAt" = ? where "id" = ?`,
			time.Now().Add(2*time.Second).UTC().Format("2006-01-02T15:04:05.000Z"), id); err != nil {
			t.Fatal(err)
		}
		before, _ := stored()
		var got map[string]any
		if who == "go" {
			json.Unmarshal(b.do("POST", "/get-access-token", sel).body, &got)
		} else {
			_, body := b.node(node.URL, "POST", "/api/auth/get-access-token", sel)
			json.Unmarshal(body, &got)
		}
		after, _ := stored()
		if after == before || got["accessToken"] == gr["accessToken"] || got["accessToken"] == nil {
			t.Fatalf("%s did not refresh an expiring token: %v", who, got)
		}
		if again := both("/get-access-token", sel, 200); again["accessToken"] != got["accessToken"] {
			t.Fatalf("%s's refreshed token: %v, want %v", who, again["accessToken"], got["accessToken"])
		}
	}

	// /account-info: both read the OP's userinfo endpoint with the valid access token and answer the same
	// user and account. The rest differs by design: genericOAuth's user has no id and its data merges the
	// ID token's claims into the userinfo answer; Go answers as Better Auth's built-in social providers
	// (user.id is the subject) with the userinfo answer as data.
	type info struct {
		User struct {
			Email         string
			Name          string
			EmailVerified bool
		}
		Data    struct{ Sub, Email string }
		Account struct{ ID, ProviderID, AccountID string }
	}
	var gi, ni info
	g2 := b.do("GET", "/account-info?accountId="+id, nil)
	resp, nb = b.node(node.URL, "GET", "/api/auth/account-info?accountId="+id, nil)
	if err := json.Unmarshal(g2.body, &gi); err != nil || g2.status != 200 || json.Unmarshal(nb, &ni) != nil || resp.StatusCode != 200 ||
		gi != ni || gi.User.Email != "alice@example.com" || !gi.User.EmailVerified || gi.Data.Sub != "alice" || gi.Account.ID != id {
		t.Fatalf("account-info\n  go: %d %s\nnode: %d %s", g2.status, g2.body, resp.StatusCode, nb)
	}

	// Better Auth's own client (getAccessToken, refreshToken, accountInfo) against both servers over HTTP,
	// with the session Go issued: Node's answers first, then Go's from the tokens Node left.
	goHTTP := httptest.NewServer(e.a)
	t.Cleanup(goHTTP.Close)
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	steps := []interop.ClientStep{
		step("jar.set", map[string]string{"cookie": "better-auth.session_token=" + b.cookies["better-auth.session_token"]}),
		step("getAccessToken", sel),
		step("refreshToken", sel),
		step("getAccessToken", sel),
		step("accountInfo", map[string]any{"query": sel}),
		step("getAccessToken", map[string]any{"accountId": "nope"}),
		step("refreshToken", map[string]any{"providerId": "op"}),
	}
	var prev string
	for _, srv := range []struct{ name, url string }{{"node", node.URL}, {"go", goHTTP.URL}} {
		r := interop.RunClient(t, srv.url, "/api/auth", socialBase, steps...)
		var before, refreshed, after struct{ AccessToken string }
		_ = r[1].DecodeData(&before)
		_ = r[2].DecodeData(&refreshed)
		_ = r[3].DecodeData(&after)
		if r[1].Status != 200 || r[2].Status != 200 || r[3].Status != 200 || r[4].Status != 200 || before.AccessToken == "" ||
			(prev != "" && before.AccessToken != prev) || refreshed.AccessToken == before.AccessToken || after.AccessToken != refreshed.AccessToken {
			t.Fatalf("%s client: %+v", srv.name, r)
		}
		if pick(r[4].Data, "account.id") != `"`+id+`"` || pick(r[4].Data, "user.email") != `"alice@example.com"` {
			t.Fatalf("%s accountInfo: %s", srv.name, r[4].Data)
		}
		if r[5].Error == nil || r[5].Error.Code != "ACCOUNT_NOT_FOUND" || r[6].Error == nil || r[6].Error.Code != "VALIDATION_ERROR" {
			t.Fatalf("%s refusals: %+v %+v", srv.name, r[5].Error, r[6].Error)
		}
		prev = refreshed.AccessToken
	}

	// The same refusals.
	both("/get-access-token", map[string]any{"accountId": "nope"}, 400)
	both("/refresh-token", map[string]any{"accountId": "nope"}, 400)
	both("/get-access-token", map[string]any{"useAccountCookie": true}, 400)
	for _, q := range []string{"accountId=nope", "providerId=op"} {
		g := b.do("GET", "/account-info?"+q, nil)
		resp, n := b.node(node.URL, "GET", "/api/auth/account-info?"+q, nil)
		var gm, nm map[string]any
		_ = json.Unmarshal(g.body, &gm)
		_ = json.Unmarshal(n, &nm)
		if g.status != 400 || resp.StatusCode != 400 || !reflect.DeepEqual(gm, nm) {
			t.Fatalf("account-info?%s\n  go: %d %s\nnode: %d %s", q, g.status, g.body, resp.StatusCode, n)
		}
	}
	both("/refresh-token", map[string]any{"providerId": "op"}, 400)
	bothAs(e.browser(t), "/get-access-token", sel, 401)
	bothAs(e.browser(t), "/refresh-token", sel, 401)
	if g, n := e.browser(t).do("GET", "/account-info?accountId="+id, nil), e.browser(t); g.status != 401 || len(g.body) != 0 {
		t.Fatalf("account-info without a session: %d %s", g.status, g.body)
	} else if resp, body := n.node(node.URL, "GET", "/api/auth/account-info?accountId="+id, nil); resp.StatusCode != 401 || len(body) != 0 {
		t.Fatalf("Node account-info without a session: %d %s", resp.StatusCode, body)
	}
}
