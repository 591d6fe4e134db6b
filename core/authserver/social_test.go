package authserver_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// fakeOP is an in-test social provider. Its "authorization server" binds each code to the PKCE challenge,
// nonce and redirect URI of the request that produced it, as a real one does, so code injection and nonce
// replay fail the way they fail against a real provider.
type fakeOP struct {
	id, issuer string

	mu       sync.Mutex
	users    map[string]authserver.ProviderUser // by login
	grants   map[string]*fakeGrant              // by code
	idTokens map[string]fakeIDToken             // by token
	last     authserver.AuthCodeParams
	n        int

	authURLErr  error
	verifyErr   error // VerifyIDToken fails with it
	audienceErr bool  // Exchange: the ID token was minted for another client
	wrongIss    bool  // Exchange and VerifyIDToken: identities carry another issuer

	refreshErr error    // RefreshAccessToken fails with it
	refreshed  []string // the refresh tokens RefreshAccessToken was given
	infoLogin  string   // UserInfo answers this login's profile
	infoErr    error    // UserInfo fails with it
	infoTokens []string // the access tokens UserInfo was given
}

type fakeGrant struct {
	challenge, nonce, redirectURI, login string
}

type fakeIDToken struct {
	login, nonce string
}

func newFakeOP(id, issuer string) *fakeOP {
	return &fakeOP{id: id, issuer: issuer, users: map[string]authserver.ProviderUser{}, grants: map[string]*fakeGrant{},
		idTokens: map[string]fakeIDToken{}}
}

func (f *fakeOP) ID() string     { return f.id }
func (f *fakeOP) Issuer() string { return f.issuer }

func s256(v string) string {
	h := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func (f *fakeOP) AuthCodeURL(_ context.Context, p authserver.AuthCodeParams) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.authURLErr != nil {
		return "", f.authURLErr
	}
	f.last = p
	q := url.Values{"response_type": {"code"}, "client_id": {"client-" + f.id}, "state": {p.State},
		"redirect_uri": {p.RedirectURI}, "code_challenge": {s256(p.CodeVerifier)}, "code_challenge_method": {"S256"}}
	if p.Nonce != "" {
		q.Set("nonce", p.Nonce)
	}
	if len(p.Scopes) > 0 {
		q.Set("scope", strings.Join(p.Scopes, " "))
	}
	if p.LoginHint != "" {
		q.Set("login_hint", p.LoginHint)
	}
	return "https://op.test/" + f.id + "/authorize?" + q.Encode(), nil
}

// authorize plays the user signing in at the provider: it returns the code and state the provider sends to
// the redirect URI. nonce, when not empty, replaces the request's nonce (a replayed ID token).
func (f *fakeOP) authorize(t *testing.T, authURL, login, nonce string) (code, state string) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Fatalf("authorization request without S256 PKCE: %s", authURL)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	code = fmt.Sprintf("code-%s-%d", f.id, f.n)
	g := &fakeGrant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirectURI: q.Get("redirect_uri"), login: login}
	if nonce != "" {
		g.nonce = nonce
	}
	f.grants[code] = g
	return code, q.Get("state")
}

func (f *fakeOP) Exchange(_ context.Context, p authserver.ExchangeParams) (*authserver.ProviderTokens, *authserver.ProviderUser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.grants[p.Code]
	delete(f.grants, p.Code)
	if g == nil || s256(p.CodeVerifier) != g.challenge || p.RedirectURI != g.redirectURI {
		return nil, nil, errors.New("invalid_grant")
	}
	tokens := &authserver.ProviderTokens{AccessToken: "at-" + p.Code, RefreshToken: "rt-" + p.Code, IDToken: "idt-" + p.Code,
		AccessTokenExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 678_900_000, time.UTC), Scopes: []string{"openid", "email"}}
	if g.nonce != p.Nonce {
		return tokens, nil, errors.New("id_token nonce mismatch")
	}
	if f.audienceErr {
		return tokens, nil, errors.New("id_token aud is another client")
	}
	u := f.users[g.login]
	if f.wrongIss {
		u.Issuer = "https://other.test"
	}
	return tokens, &u, nil
}

func (f *fakeOP) VerifyIDToken(_ context.Context, token, nonce string) (*authserver.ProviderUser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.issuer == "" {
		return nil, authserver.ErrIDTokenNotSupported
	}
	if f.verifyErr != nil {
		return nil, f.verifyErr
	}
	it, ok := f.idTokens[token]
	if !ok || (nonce != "" && nonce != it.nonce) {
		return nil, errors.New("invalid id_token")
	}
	u := f.users[it.login]
	if f.wrongIss {
		u.Issuer = "https://other.test"
	}
	return &u, nil
}

// user registers a login at the provider.
func (f *fakeOP) user(login, email string, verified bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[login] = authserver.ProviderUser{Subject: "sub-" + login, Issuer: f.issuer, Email: email, EmailVerified: verified,
		Name: "Name " + login, Image: "https://img.test/" + login}
}

// idToken mints an ID token the client could send itself.
func (f *fakeOP) idToken(login, nonce string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	tok := fmt.Sprintf("idtoken-%s-%d", f.id, f.n)
	f.idTokens[tok] = fakeIDToken{login: login, nonce: nonce}
	return tok
}

type socialServer struct {
	*testServer
	oidc, plain *fakeOP
}

// newSocialServer is a server with an OpenID Connect provider "oidc" and a plain OAuth 2.0 provider
// "plain" (no issuer, no ID tokens, no token refresh).
func newSocialServer(t *testing.T, edit func(*authserver.Config)) *socialServer {
	oidc, plain := newFakeOP("oidc", "https://op.test"), newFakeOP("plain", "")
	for _, f := range []*fakeOP{oidc, plain} {
		f.user("alice", "Alice@Example.com", true)
		f.user("unverified", "ann@example.com", false)
		f.user("verified", "ann@example.com", true)
		f.user("noemail", "", true)
		f.user("other", "other@example.com", true)
	}
	s := newServer(t, func(c *authserver.Config) {
		c.SocialProviders = []authserver.Provider{refreshingOP{oidc}, plain}
		c.TrustedOrigins = []string{"https://app.example.com"}
		if edit != nil {
			edit(c)
		}
	})
	return &socialServer{testServer: s, oidc: oidc, plain: plain}
}

// start begins a flow (POST /sign-in/social or /link-social) and returns the authorization URL.
func (b *browser) start(path, body string) string {
	b.t.Helper()
	a := b.do("POST", path, body)
	a.want(b.t, 200, "")
	u, _ := a.json["url"].(string)
	if u == "" || a.json["redirect"] != true || a.header.Get("Location") != u {
		b.t.Fatalf("%s: %d %v %s", path, a.status, a.header, a.body)
	}
	return u
}

// callback sends the provider's redirect to /callback/<id> and returns the answer.
func (b *browser) callback(id string, q url.Values) answer {
	b.t.Helper()
	a := b.do("GET", "/callback/"+id+"?"+q.Encode(), "")
	if a.status != 302 {
		b.t.Fatalf("callback: %d %s", a.status, a.body)
	}
	return a
}

// login runs a whole redirect flow for login at op and returns the callback's answer.
func (b *browser) login(op *fakeOP, login, body string) answer {
	b.t.Helper()
	u := b.start("/sign-in/social", body)
	code, state := op.authorize(b.t, u, login, "")
	return b.callback(op.id, url.Values{"code": {code}, "state": {state}})
}

// errorOf returns the error URL a redirect went to (without its query) and its error code.
func errorOf(t *testing.T, a answer) (base, code, desc string) {
	t.Helper()
	loc := a.header.Get("Location")
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	u.RawQuery = ""
	return u.String(), q.Get("error"), q.Get("error_description")
}

type accountRow struct {
	ID, AccountID, ProviderID, UserID                    string
	AccessToken, RefreshToken, IDToken, Scope, AccessExp sql.NullString
}

func (s *socialServer) accounts(t *testing.T, userID string) []accountRow {
	t.Helper()
	rows, err := s.db.Query(`select "id","accountId","providerId","userId","accessToken","refreshToken","idToken","scope",`+
		`"accessTokenExpiresAt" from "account" where "userId" = ? order by "createdAt", "providerId"`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []accountRow
	for rows.Next() {
		var r accountRow
		if err := rows.Scan(&r.ID, &r.AccountID, &r.ProviderID, &r.UserID, &r.AccessToken, &r.RefreshToken, &r.IDToken,
			&r.Scope, &r.AccessExp); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

type userRow struct {
	ID       string
	Verified bool
	Name     string
}

func (s *socialServer) user(t *testing.T, email string) *userRow {
	t.Helper()
	var u userRow
	err := s.db.QueryRow(`select "id","emailVerified","name" from "user" where "email" = ?`, email).Scan(&u.ID, &u.Verified, &u.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &u
}

func (s *socialServer) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`select count(*) from "` + table + `"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (s *socialServer) verify(t *testing.T, email string) {
	t.Helper()
	if _, err := s.db.Exec(`update "user" set "emailVerified" = 1 where "email" = ?`, email); err != nil {
		t.Fatal(err)
	}
}

// seed creates a user with a password account and signs b in as it, as sign-up would but without the
// cost of scrypt.
func (s *socialServer) seed(t *testing.T, b *browser, email string) {
	t.Helper()
	now := s.clk.now().Format("2006-01-02T15:04:05.000Z")
	exp := s.clk.now().Add(7 * 24 * time.Hour).Format("2006-01-02T15:04:05.000Z")
	id, token := "u-"+email, "tok-"+strings.ReplaceAll(email, "@", "-")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`insert into "user" ("id","name","email","emailVerified","createdAt","updatedAt") values (?,?,?,0,?,?)`, []any{id, "Ann", email, now, now}},
		{`insert into "account" ("id","accountId","providerId","userId","password","createdAt","updatedAt") values (?,?,'credential',?,'00:00',?,?)`, []any{"a-" + email, id, id, now, now}},
		{`insert into "session" ("id","expiresAt","token","createdAt","updatedAt","userId") values (?,?,?,?,?,?)`, []any{"s-" + email, exp, token, now, now, id}},
	} {
		if _, err := s.db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	b.cookies["better-auth.session_token"] = signedState(token)
}

// signedState is the signed cookie value Better Auth writes for a state (or session token) with the test
// secret.
func signedState(state string) string {
	m := hmac.New(sha256.New, []byte(strings.Repeat("s", 40)))
	m.Write([]byte(state))
	return url.QueryEscape(state + "." + base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// plantState writes a state row as another server (Better Auth itself) would, and the matching cookie.
func (s *socialServer) plantState(t *testing.T, b *browser, state string, value map[string]any) {
	t.Helper()
	v, _ := json.Marshal(value)
	now := s.clk.now()
	if _, err := s.db.Exec(`insert into "verification" ("id","identifier","value","expiresAt","createdAt","updatedAt") values (?,?,?,?,?,?)`,
		"v-"+state, "auth-state:"+state, string(v), now.Add(10*time.Minute).Format("2006-01-02T15:04:05.000Z"),
		now.Format("2006-01-02T15:04:05.000Z"), now.Format("2006-01-02T15:04:05.000Z")); err != nil {
		t.Fatal(err)
	}
	b.cookies["better-auth.state"] = signedState(state)
}

func TestSocialSignInFlow(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	start := b.do("POST", "/sign-in/social", `{"provider":"oidc","callbackURL":"/home","newUserCallbackURL":"https://app.example.com/welcome","errorCallbackURL":"/oops","scopes":["profile"],"loginHint":"alice","additionalData":{"ref":"x","callbackURL":"https://evil.example"}}`)
	start.want(t, 200, "")
	if want := `{"url":"` + start.json["url"].(string) + `","redirect":true}`; start.body != want {
		t.Fatalf("answer %s", start.body)
	}
	var stateCookie *http.Cookie
	for _, c := range start.cookies {
		if c.Name == "better-auth.state" {
			stateCookie = c
		}
	}
	if stateCookie == nil || stateCookie.MaxAge != 300 || !stateCookie.HttpOnly || stateCookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("state cookie %+v", stateCookie)
	}
	last := s.oidc.last
	if len(last.State) != 32 || len(last.CodeVerifier) != 128 || len(last.Nonce) != 32 || last.LoginHint != "alice" ||
		!slices.Equal(last.Scopes, []string{"profile"}) || last.RedirectURI != srvBase+"/api/auth/callback/oidc" {
		t.Fatalf("authorization params %+v", last)
	}
	var value string
	if err := s.db.QueryRow(`select "value" from "verification" where "identifier" = ?`, "auth-state:"+last.State).Scan(&value); err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.Unmarshal([]byte(value), &st)
	if st["callbackURL"] != "/home" || st["codeVerifier"] != last.CodeVerifier || st["errorURL"] != "/oops" ||
		st["newUserURL"] != "https://app.example.com/welcome" || st["idTokenNonce"] != last.Nonce || st["oauthState"] != last.State ||
		st["providerId"] != "oidc" || st["ref"] != "x" || st["expiresAt"] != float64(s.clk.now().Add(10*time.Minute).UnixMilli()) {
		t.Fatalf("stored state %s", value)
	}

	code, state := s.oidc.authorize(t, start.json["url"].(string), "alice", "")
	cb := b.callback("oidc", url.Values{"code": {code}, "state": {state}, "iss": {"https://op.test"}})
	if loc := cb.header.Get("Location"); loc != "https://app.example.com/welcome" {
		t.Fatalf("new user went to %q", loc)
	}
	if cb.cookieValue("better-auth.session_token") == "" {
		t.Fatal("no session cookie")
	}
	if _, ok := b.cookies["better-auth.state"]; ok {
		t.Fatal("state cookie not cleared")
	}
	if n := s.count(t, "verification"); n != 0 {
		t.Fatalf("%d verification rows left", n)
	}
	u := s.user(t, "alice@example.com")
	if u == nil || !u.Verified || u.Name != "Name alice" {
		t.Fatalf("user %+v", u)
	}
	accts := s.accounts(t, u.ID)
	if len(accts) != 1 {
		t.Fatalf("accounts %+v", accts)
	}
	a := accts[0]
	if a.ProviderID != "oidc" || a.AccountID != "sub-alice" || a.AccessToken.String != "at-"+code || a.RefreshToken.String != "rt-"+code ||
		a.IDToken.String != "idt-"+code || a.Scope.String != "openid,email" || a.AccessExp.String != "2030-01-02T03:04:05.678Z" {
		t.Fatalf("account row %+v", a)
	}
	g := b.do("GET", "/get-session", "")
	if g.json["user"].(map[string]any)["email"] != "alice@example.com" {
		t.Fatalf("get-session %s", g.body)
	}

	// Returning user: back to callbackURL, fresh tokens, the same single account, scope untouched.
	if _, err := s.db.Exec(`update "account" set "scope" = 'openid' where "id" = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	b2 := s.browser(t)
	cb2 := b2.login(s.oidc, "alice", `{"provider":"oidc","callbackURL":"/home","newUserCallbackURL":"/welcome"}`)
	if loc := cb2.header.Get("Location"); loc != "/home" {
		t.Fatalf("returning user went to %q", loc)
	}
	accts = s.accounts(t, u.ID)
	if len(accts) != 1 || accts[0].AccessToken.String == a.AccessToken.String || accts[0].Scope.String != "openid" {
		t.Fatalf("after second sign-in %+v", accts)
	}
	if s.count(t, "user") != 1 {
		t.Fatal("a second user was created")
	}

	// The plain OAuth 2.0 provider: callbackURL defaults to the base URL.
	b3 := s.browser(t)
	cb3 := b3.login(s.plain, "other", `{"provider":"plain"}`)
	if cb3.header.Get("Location") != srvBase {
		t.Fatalf("plain flow: location %q", cb3.header.Get("Location"))
	}

	// disableRedirect: no Location header.
	d := b.do("POST", "/sign-in/social", `{"provider":"oidc","disableRedirect":true}`)
	if d.status != 200 || d.json["redirect"] != false || d.header.Get("Location") != "" {
		t.Fatalf("disableRedirect: %v %s", d.header, d.body)
	}
}

func TestSocialFormPost(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	u := b.start("/sign-in/social", `{"provider":"oidc","callbackURL":"/home"}`)
	code, state := s.oidc.authorize(t, u, "alice", "")
	// The provider POSTs a form (no cookies: SameSite=Lax cookies stay home on a cross-site POST).
	form := url.Values{"state": {state}, "code": {code}, "user": {`{"name":{"firstName":"A"}}`}}
	op := s.browser(t)
	op.origin = ""
	op.header.Set("Content-Type", "application/x-www-form-urlencoded")
	req := op.do("POST", "/callback/oidc?iss=https%3A%2F%2Fop.test", form.Encode())
	if req.status != 302 {
		t.Fatalf("form_post: %d %s", req.status, req.body)
	}
	want := srvBase + "/api/auth/callback/oidc?code=" + code + "&state=" + state +
		"&user=%7B%22name%22%3A%7B%22firstName%22%3A%22A%22%7D%7D&iss=https%3A%2F%2Fop.test"
	if loc := req.header.Get("Location"); loc != want {
		t.Fatalf("form_post redirect\n got %s\nwant %s", loc, want)
	}
	loc, _ := url.Parse(req.header.Get("Location"))
	cb := b.callback("oidc", loc.Query())
	if cb.header.Get("Location") != "/home" {
		t.Fatalf("after form_post: %v", cb.header)
	}
}

func TestSocialCallbackErrors(t *testing.T) {
	type env struct {
		s *socialServer
		b *browser
	}
	// flow starts an OIDC sign-in in b with errorCallbackURL /oops and returns the provider's answer.
	flow := func(e env, login string) url.Values {
		u := e.b.start("/sign-in/social", `{"provider":"oidc","callbackURL":"/home","errorCallbackURL":"/oops"}`)
		code, state := e.s.oidc.authorize(t, u, login, "")
		return url.Values{"code": {code}, "state": {state}}
	}
	defaultErr := srvBase + "/api/auth/error"
	tests := []struct {
		name     string
		edit     func(*authserver.Config)
		run      func(e env) answer
		base     string
		code     string
		desc     string
		noUsers  bool
		noStates bool
	}{
		{name: "state missing", run: func(e env) answer {
			q := flow(e, "alice")
			q.Del("state")
			return e.b.callback("oidc", q)
		}, base: defaultErr, code: "state_not_found"},
		{name: "state unknown", run: func(e env) answer {
			q := flow(e, "alice")
			st := q.Get("state")
			other := "x" // a different first character (the state may already start with x)
			if st[0] == 'x' {
				other = "y"
			}
			q.Set("state", other+st[1:])
			return e.b.callback("oidc", q)
		}, base: defaultErr, code: "state_mismatch"},
		{name: "state reused", run: func(e env) answer {
			q := flow(e, "alice")
			e.b.callback("oidc", q)
			e.b.cookies["better-auth.state"] = signedState(q.Get("state")) // even with the cookie back
			return e.b.callback("oidc", q)
		}, base: defaultErr, code: "state_mismatch"},
		{name: "state expired", run: func(e env) answer {
			q := flow(e, "alice")
			e.s.clk.add(10*time.Minute + time.Second)
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "other browser", run: func(e env) answer {
			q := flow(e, "alice")
			other := e.s.browser(t)
			a := other.callback("oidc", q)
			// The row is gone: the right browser cannot use it afterwards either.
			if again := e.b.callback("oidc", q); !strings.Contains(again.header.Get("Location"), "state_mismatch") {
				t.Errorf("state usable after a failed attempt: %v", again.header)
			}
			return a
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "cookie of another flow", run: func(e env) answer {
			q1 := flow(e, "alice")
			other := e.s.browser(t)
			other.start("/sign-in/social", `{"provider":"oidc"}`)
			e.b.cookies["better-auth.state"] = other.cookies["better-auth.state"]
			return e.b.callback("oidc", q1)
		}, base: "/oops", code: "state_mismatch", noUsers: true},
		{name: "cookie with a bad signature", run: func(e env) answer {
			q := flow(e, "alice")
			e.b.cookies["better-auth.state"] = url.QueryEscape(q.Get("state") + "." + base64.StdEncoding.EncodeToString(make([]byte, 32)))
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "state cookie sent twice", run: func(e env) answer {
			q := flow(e, "alice")
			v := e.b.cookies["better-auth.state"]
			e.b.cookies["better-auth.state"] = v + "; better-auth.state=" + v
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "state of another provider", run: func(e env) answer {
			u := e.b.start("/sign-in/social", `{"provider":"plain","errorCallbackURL":"/oops"}`)
			code, state := e.s.plain.authorize(t, u, "alice", "")
			return e.b.callback("oidc", url.Values{"code": {code}, "state": {state}})
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "provider error", run: func(e env) answer {
			q := flow(e, "alice")
			q.Del("code")
			q.Set("error", "access_denied")
			q.Set("error_description", "<script>alert(1)</script> & more")
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "access_denied", desc: "<script>alert(1)</script> & more", noUsers: true},
		{name: "no code", run: func(e env) answer {
			q := flow(e, "alice")
			q.Del("code")
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "no_code", noUsers: true},
		{name: "code injection", run: func(e env) answer {
			victim := flow(e, "alice")
			attacker := env{e.s, e.s.browser(t)}
			stolen := flow(attacker, "other")
			victim.Set("code", stolen.Get("code"))
			return e.b.callback("oidc", victim)
		}, base: "/oops", code: "invalid_code", noUsers: true},
		{name: "nonce replay", run: func(e env) answer {
			earlier := e.s.browser(t)
			earlier.start("/sign-in/social", `{"provider":"oidc"}`)
			oldNonce := e.s.oidc.last.Nonce
			u := e.b.start("/sign-in/social", `{"provider":"oidc","errorCallbackURL":"/oops"}`)
			code, state := e.s.oidc.authorize(t, u, "alice", oldNonce)
			return e.b.callback("oidc", url.Values{"code": {code}, "state": {state}})
		}, base: "/oops", code: "unable_to_get_user_info", noUsers: true},
		{name: "other audience", edit: nil, run: func(e env) answer {
			e.s.oidc.audienceErr = true
			defer func() { e.s.oidc.audienceErr = false }()
			return e.b.callback("oidc", flow(e, "alice"))
		}, base: "/oops", code: "unable_to_get_user_info", noUsers: true},
		{name: "RFC 9207 iss mismatch", run: func(e env) answer {
			q := flow(e, "alice")
			q.Set("iss", "https://attacker.test")
			return e.b.callback("oidc", q)
		}, base: "/oops", code: "issuer_mismatch", noUsers: true},
		{name: "identity from another issuer", run: func(e env) answer {
			e.s.oidc.wrongIss = true
			defer func() { e.s.oidc.wrongIss = false }()
			return e.b.callback("oidc", flow(e, "alice"))
		}, base: "/oops", code: "issuer_mismatch", noUsers: true},
		{name: "no email", run: func(e env) answer {
			return e.b.callback("oidc", flow(e, "noemail"))
		}, base: "/oops", code: "email_not_found", noUsers: true},
		{name: "no subject", run: func(e env) answer {
			e.s.oidc.users["nosub"] = authserver.ProviderUser{Issuer: "https://op.test", Email: "x@example.com", EmailVerified: true}
			return e.b.callback("oidc", flow(e, "nosub"))
		}, base: "/oops", code: "unable_to_get_user_info", noUsers: true},
		{name: "hook refuses", edit: func(c *authserver.Config) {
			c.Hooks.BeforeCreateUser = func(context.Context, *store.User) error {
				return &authserver.HookError{Status: 403, Code: "NOT_INVITED", Message: "Ask for an invitation"}
			}
		}, run: func(e env) answer {
			return e.b.callback("oidc", flow(e, "alice"))
		}, base: "/oops", code: "NOT_INVITED", desc: "Ask for an invitation", noUsers: true},
		{name: "hook fails", edit: func(c *authserver.Config) {
			c.Hooks.BeforeCreateUser = func(context.Context, *store.User) error { return errors.New("boom") }
		}, run: func(e env) answer {
			return e.b.callback("oidc", flow(e, "alice"))
		}, base: defaultErr, code: "internal_server_error", noUsers: true},
		// States written by another server (Better Auth's own rows carry no providerId).
		{name: "node state: provider gone", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate1", map[string]any{"callbackURL": "/home", "codeVerifier": "v", "errorURL": "/oops",
				"expiresAt": e.s.clk.now().Add(time.Minute).UnixMilli(), "oauthState": "nodestate1"})
			return e.b.callback("gone", url.Values{"code": {"c"}, "state": {"nodestate1"}})
		}, base: "/oops", code: "oauth_provider_not_found", noUsers: true, noStates: true},
		{name: "node state: no nonce for an OIDC provider", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate2", map[string]any{"callbackURL": "/home", "codeVerifier": "v",
				"expiresAt": e.s.clk.now().Add(time.Minute).UnixMilli()})
			return e.b.callback("oidc", url.Values{"code": {"c"}, "state": {"nodestate2"}})
		}, base: defaultErr, code: "nonce_binding_missing", noUsers: true, noStates: true},
		{name: "node state: oauthState differs", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate3", map[string]any{"callbackURL": "/home", "codeVerifier": "v", "errorURL": "/oops",
				"expiresAt": e.s.clk.now().Add(time.Minute).UnixMilli(), "oauthState": "somethingelse"})
			return e.b.callback("oidc", url.Values{"code": {"c"}, "state": {"nodestate3"}})
		}, base: "/oops", code: "state_mismatch", noUsers: true, noStates: true},
		{name: "node state: no code verifier", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate4", map[string]any{"callbackURL": "/home", "codeVerifier": "",
				"expiresAt": e.s.clk.now().Add(time.Minute).UnixMilli()})
			return e.b.callback("plain", url.Values{"code": {"c"}, "state": {"nodestate4"}})
		}, base: defaultErr, code: "state_mismatch", noUsers: true, noStates: true},
		{name: "node state: malformed", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate5", map[string]any{"callbackURL": 7})
			return e.b.callback("plain", url.Values{"code": {"c"}, "state": {"nodestate5"}})
		}, base: defaultErr, code: "internal_server_error", noUsers: true, noStates: true},
		// Redirect targets are validated again when the state is used.
		{name: "stored errorURL not trusted", run: func(e env) answer {
			e.s.plantState(t, e.b, "nodestate6", map[string]any{"callbackURL": "/home", "codeVerifier": "v",
				"errorURL": "https://evil.example/steal", "expiresAt": e.s.clk.now().Add(time.Minute).UnixMilli()})
			return e.b.callback("plain", url.Values{"state": {"nodestate6"}})
		}, base: defaultErr, code: "no_code", noUsers: true, noStates: true},
		{name: "stored callbackURL not trusted", run: func(e env) answer {
			u := e.b.start("/sign-in/social", `{"provider":"plain","errorCallbackURL":"/oops"}`)
			code, state := e.s.plain.authorize(t, u, "alice", "")
			if _, err := e.s.db.Exec(`update "verification" set "value" = replace("value", '"callbackURL":"` + srvBase + `"', '"callbackURL":"//evil.example"')`); err != nil {
				t.Fatal(err)
			}
			return e.b.callback("plain", url.Values{"code": {code}, "state": {state}})
		}, base: "/oops", code: "no_callback_url", noUsers: true, noStates: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, tt.edit)
			e := env{s, s.browser(t)}
			a := tt.run(e)
			base, code, desc := errorOf(t, a)
			if base != tt.base {
				t.Errorf("error URL %q, want %q", base, tt.base)
			}
			if code != tt.code {
				t.Errorf("error %q, want %q (%s)", code, tt.code, a.header.Get("Location"))
			}
			if desc != tt.desc {
				t.Errorf("error_description %q, want %q", desc, tt.desc)
			}
			if a.cookieValue("better-auth.session_token") != "" {
				t.Error("a failed callback set a session cookie")
			}
			if tt.noUsers && s.count(t, "user") != 0 {
				t.Error("a failed callback created a user")
			}
			if tt.noStates && s.count(t, "verification") != 0 {
				t.Error("a used state row is left")
			}
		})
	}
}

func TestSocialCallbackRequestErrors(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	r := b.do("GET", "/callback/oidc?state=a&state=b&code=c", "")
	if r.status != 400 || r.code() != "VALIDATION_ERROR" || r.json["message"] != "[query.state] Invalid input: expected string, received array" {
		t.Fatalf("duplicated state: %d %s", r.status, r.body)
	}
	r = b.do("POST", "/callback/oidc", `{"state":7}`)
	if r.status != 400 || r.json["message"] != "[body.state] Invalid input: expected string, received number" {
		t.Fatalf("numeric state: %d %s", r.status, r.body)
	}
	r = b.do("GET", "/callback/oidc", "")
	if loc := r.header.Get("Location"); r.status != 302 || loc != srvBase+"/api/auth/error?error=state_not_found" {
		t.Fatalf("bare callback: %d %q", r.status, loc)
	}
}

func TestSocialStartErrors(t *testing.T) {
	tests := []struct {
		name, path, body string
		session          bool
		status           int
		code, message    string
	}{
		{"no provider", "/sign-in/social", `{}`, false, 400, "VALIDATION_ERROR", "[body.provider] Invalid input"},
		{"no body", "/sign-in/social", ``, false, 400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received undefined"},
		{"unknown provider", "/sign-in/social", `{"provider":"nope"}`, false, 404, "PROVIDER_NOT_FOUND", "Provider not found"},
		{"types", "/sign-in/social", `{"provider":"oidc","scopes":["a",1],"disableRedirect":"yes","idToken":{"expiresAt":"x"},"additionalData":[]}`, false, 400, "VALIDATION_ERROR",
			"[body.disableRedirect] Invalid input: expected boolean, received string; [body.idToken.token] Invalid input: expected string, received undefined; [body.idToken.expiresAt] Invalid input: expected number, received string; [body.scopes.1] Invalid input: expected string, received number; [body.additionalData] Invalid input: expected record, received array"},
		{"reserved additionalParams", "/sign-in/social", `{"provider":"oidc","additionalParams":{"redirect_uri":"https://evil.example"}}`, false, 400, "VALIDATION_ERROR",
			"[body.additionalParams] additionalParams cannot include reserved OAuth parameters: state, client_id, redirect_uri, response_type, code_challenge, code_challenge_method, nonce, scope"},
		{"additionalParams", "/sign-in/social", `{"provider":"oidc","additionalParams":{"hd":"example.com"}}`, false, 400, "BAD_REQUEST", "additionalParams is not supported by this server"},
		{"open redirect callbackURL", "/sign-in/social", `{"provider":"oidc","callbackURL":"https://evil.example"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"open redirect //", "/sign-in/social", `{"provider":"oidc","callbackURL":"//evil.example"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"open redirect /\\", "/sign-in/social", `{"provider":"oidc","callbackURL":"/\\evil.example"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"open redirect userinfo", "/sign-in/social", `{"provider":"oidc","callbackURL":"https://app.example.com@evil.example"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"open redirect suffix", "/sign-in/social", `{"provider":"oidc","callbackURL":"https://app.example.com.evil.example"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"javascript:", "/sign-in/social", `{"provider":"oidc","callbackURL":"javascript:alert(1)"}`, false, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"open redirect errorCallbackURL", "/sign-in/social", `{"provider":"oidc","errorCallbackURL":"https://evil.example"}`, false, 403, "INVALID_ERROR_CALLBACK_URL", "Invalid errorCallbackURL"},
		{"open redirect newUserCallbackURL", "/sign-in/social", `{"provider":"oidc","newUserCallbackURL":"//evil.example"}`, false, 403, "INVALID_NEW_USER_CALLBACK_URL", "Invalid newUserCallbackURL"},
		{"callbackURL array", "/sign-in/social", `{"provider":"oidc","callbackURL":["/a","/b"]}`, false, 400, "", "Invalid callbackURL: expected a string"},
		{"link without session", "/link-social", `{"provider":"oidc"}`, false, 401, "UNAUTHORIZED", "Unauthorized"},
		{"link unknown provider", "/link-social", `{"provider":"nope"}`, true, 404, "PROVIDER_NOT_FOUND", "Provider not found"},
		{"link open redirect", "/link-social", `{"provider":"oidc","callbackURL":"https://evil.example"}`, true, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
		{"unlink without session", "/unlink-account", `{"accountId":"x"}`, false, 401, "UNAUTHORIZED", "Unauthorized"},
		{"unlink no id", "/unlink-account", `{}`, true, 400, "VALIDATION_ERROR", "[body.accountId] Invalid input: expected string, received undefined"},
		{"list without session", "/list-accounts", ``, false, 401, "UNAUTHORIZED", "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, nil)
			b := s.browser(t)
			if tt.session {
				s.seed(t, b, "ann@example.com")
			}
			method := "POST"
			if tt.path == "/list-accounts" {
				method = "GET"
			}
			r := b.do(method, tt.path, tt.body)
			if r.status != tt.status {
				t.Errorf("status %d, want %d (%s)", r.status, tt.status, r.body)
			}
			if r.code() != tt.code {
				t.Errorf("code %q, want %q", r.code(), tt.code)
			}
			if r.json["message"] != tt.message {
				t.Errorf("message %q, want %q", r.json["message"], tt.message)
			}
			if s.count(t, "verification") != 0 {
				t.Error("a refused start stored a state")
			}
		})
	}
}

func TestSocialProviderDown(t *testing.T) {
	s := newSocialServer(t, nil)
	s.oidc.authURLErr = errors.New("discovery unreachable")
	b := s.browser(t)
	r := b.do("POST", "/sign-in/social", `{"provider":"oidc"}`)
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("authorization URL failure: %d %v %s", r.status, r.header, r.body)
	}
	if r.cookieValue("better-auth.state") != "" {
		t.Fatal("state cookie set for a flow that cannot start")
	}
}

// TestSocialImplicitLinking covers security.md C8–C10 and oidc.md §1.6's implicit linking rules.
func TestSocialImplicitLinking(t *testing.T) {
	tests := []struct {
		name          string
		edit          func(*authserver.Config)
		localVerified bool
		provider      string
		login         string
		wantError     string // "" = linked and signed in
	}{
		{name: "verified both", localVerified: true, provider: "oidc", login: "verified"},
		{name: "provider email unverified, untrusted", localVerified: true, provider: "oidc", login: "unverified", wantError: "account_not_linked"},
		{name: "provider email unverified, trusted", edit: func(c *authserver.Config) {
			c.AccountLinking.TrustedProviders = []string{"oidc"}
		}, localVerified: true, provider: "oidc", login: "unverified"},
		{name: "trusted is per provider", edit: func(c *authserver.Config) {
			c.AccountLinking.TrustedProviders = []string{"plain"}
		}, localVerified: true, provider: "oidc", login: "unverified", wantError: "account_not_linked"},
		{name: "local user unverified (pre-account hijack)", provider: "oidc", login: "verified", wantError: "account_not_linked"},
		{name: "local user unverified, trusted provider", edit: func(c *authserver.Config) {
			c.AccountLinking.TrustedProviders = []string{"oidc"}
		}, provider: "oidc", login: "verified", wantError: "account_not_linked"},
		{name: "implicit linking off", edit: func(c *authserver.Config) {
			c.AccountLinking.DisableImplicitLinking = true
		}, localVerified: true, provider: "oidc", login: "verified", wantError: "account_not_linked"},
		{name: "linking off", edit: func(c *authserver.Config) {
			c.AccountLinking.Disabled = true
		}, localVerified: true, provider: "oidc", login: "verified", wantError: "account_not_linked"},
		{name: "update user info on link", edit: func(c *authserver.Config) {
			c.AccountLinking.UpdateUserInfoOnLink = true
		}, localVerified: true, provider: "plain", login: "verified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, tt.edit)
			s.seed(t, s.browser(t), "ann@example.com")
			if tt.localVerified {
				s.verify(t, "ann@example.com")
			}
			op := map[string]*fakeOP{"oidc": s.oidc, "plain": s.plain}[tt.provider]
			b := s.browser(t)
			cb := b.login(op, tt.login, `{"provider":"`+tt.provider+`","callbackURL":"/home","errorCallbackURL":"/oops","newUserCallbackURL":"/new"}`)
			u := s.user(t, "ann@example.com")
			accts := s.accounts(t, u.ID)
			if tt.wantError != "" {
				if _, code, _ := errorOf(t, cb); code != tt.wantError {
					t.Fatalf("error %q, want %q", code, tt.wantError)
				}
				if len(accts) != 1 || cb.cookieValue("better-auth.session_token") != "" {
					t.Fatalf("refused link left accounts %+v", accts)
				}
				return
			}
			if loc := cb.header.Get("Location"); loc != "/home" {
				t.Fatalf("linked sign-in went to %q", loc)
			}
			if len(accts) != 2 || accts[1].ProviderID != tt.provider || accts[1].Scope.String != "openid,email" ||
				cb.cookieValue("better-auth.session_token") == "" {
				t.Fatalf("accounts after linking %+v", accts)
			}
			wantName := "Ann"
			if tt.edit != nil && tt.name == "update user info on link" {
				wantName = "Name verified"
			}
			if u.Name != wantName {
				t.Fatalf("name %q, want %q", u.Name, wantName)
			}
		})
	}
}

func TestSocialEmailVerifiedPromotion(t *testing.T) {
	s := newSocialServer(t, nil)
	// A new user takes emailVerified from the provider.
	s.browser(t).login(s.oidc, "unverified", `{"provider":"oidc"}`)
	u := s.user(t, "ann@example.com")
	if u == nil || u.Verified {
		t.Fatalf("new user %+v", u)
	}
	// The same identity later vouches for the email: the user becomes verified.
	s.oidc.mu.Lock()
	p := s.oidc.users["unverified"]
	p.EmailVerified = true
	s.oidc.users["unverified"] = p
	s.oidc.mu.Unlock()
	s.browser(t).login(s.oidc, "unverified", `{"provider":"oidc"}`)
	if u := s.user(t, "ann@example.com"); !u.Verified {
		t.Fatal("email not promoted to verified")
	}
}

// TestSocialIdentityKey: the account is found by (providerId, accountId), never by email (C11): an email
// change at the provider keeps signing in the same user, and the same subject at another provider is
// another identity.
func TestSocialIdentityKey(t *testing.T) {
	s := newSocialServer(t, nil)
	s.browser(t).login(s.oidc, "alice", `{"provider":"oidc"}`)
	alice := s.user(t, "alice@example.com")
	s.oidc.user("alice", "alice.new@example.com", true)
	s.plain.user("alice", "alice.new@example.com", true)
	b := s.browser(t)
	b.login(s.oidc, "alice", `{"provider":"oidc"}`)
	if g := b.do("GET", "/get-session", ""); g.json["user"].(map[string]any)["id"] != alice.ID {
		t.Fatalf("email change re-pointed the identity: %s", g.body)
	}
	// "plain" also calls its user sub-alice, with the new email: a new user, not alice.
	b2 := s.browser(t)
	b2.login(s.plain, "alice", `{"provider":"plain"}`)
	if g := b2.do("GET", "/get-session", ""); g.json["user"].(map[string]any)["id"] == alice.ID {
		t.Fatal("the same subject at another provider signed in as alice")
	}
}

func TestSocialExplicitLinking(t *testing.T) {
	type env struct {
		s *socialServer
		b *browser // signed in as ann@example.com (password)
	}
	// link runs a /link-social flow in b for login at op.
	link := func(e env, op *fakeOP, login string) answer {
		u := e.b.start("/link-social", `{"provider":"`+op.id+`","callbackURL":"/settings","errorCallbackURL":"/oops","scopes":["calendar"]}`)
		code, state := op.authorize(t, u, login, "")
		return e.b.callback(op.id, url.Values{"code": {code}, "state": {state}})
	}
	tests := []struct {
		name      string
		edit      func(*authserver.Config)
		run       func(e env) answer
		wantError string
		wantAccts int
	}{
		{name: "same email", run: func(e env) answer { return link(e, e.s.oidc, "verified") }, wantAccts: 2},
		{name: "local user unverified is fine", run: func(e env) answer { return link(e, e.s.plain, "verified") }, wantAccts: 2},
		{name: "different email", run: func(e env) answer { return link(e, e.s.oidc, "other") },
			wantError: "email_does_not_match", wantAccts: 1},
		{name: "different email allowed", edit: func(c *authserver.Config) { c.AccountLinking.AllowDifferentEmails = true },
			run: func(e env) answer { return link(e, e.s.oidc, "other") }, wantAccts: 2},
		{name: "untrusted, unverified", run: func(e env) answer { return link(e, e.s.oidc, "unverified") },
			wantError: "unable_to_link_account", wantAccts: 1},
		{name: "trusted, unverified", edit: func(c *authserver.Config) { c.AccountLinking.TrustedProviders = []string{"oidc"} },
			run: func(e env) answer { return link(e, e.s.oidc, "unverified") }, wantAccts: 2},
		{name: "linking disabled", edit: func(c *authserver.Config) { c.AccountLinking.Disabled = true },
			run: func(e env) answer { return link(e, e.s.oidc, "verified") }, wantError: "unable_to_link_account", wantAccts: 1},
		{name: "identity owned by another user", run: func(e env) answer {
			e.s.browser(t).login(e.s.oidc, "alice", `{"provider":"oidc"}`)
			e.s.oidc.user("alice", "ann@example.com", true) // same subject, now claiming ann's email
			return link(e, e.s.oidc, "alice")
		}, wantError: "account_already_linked_to_different_user", wantAccts: 1},
		{name: "completed by another user's session", run: func(e env) answer {
			u := e.b.start("/link-social", `{"provider":"oidc","callbackURL":"/settings","errorCallbackURL":"/oops"}`)
			code, state := e.s.oidc.authorize(t, u, "verified", "")
			// The browser now signs in as someone else before the provider answers.
			e.s.seed(t, e.b, "mallory@example.com")
			return e.b.callback("oidc", url.Values{"code": {code}, "state": {state}})
		}, wantError: "unable_to_link_account", wantAccts: 1},
		{name: "signed out meanwhile", run: func(e env) answer {
			u := e.b.start("/link-social", `{"provider":"oidc","callbackURL":"/settings","errorCallbackURL":"/oops"}`)
			code, state := e.s.oidc.authorize(t, u, "verified", "")
			e.b.do("POST", "/sign-out", "{}")
			return e.b.callback("oidc", url.Values{"code": {code}, "state": {state}})
		}, wantError: "unable_to_link_account", wantAccts: 1},
		{name: "relink merges scopes", run: func(e env) answer {
			link(e, e.s.oidc, "verified")
			if _, err := e.s.db.Exec(`update "account" set "scope" = 'openid,calendar' where "providerId" = 'oidc'`); err != nil {
				t.Fatal(err)
			}
			return link(e, e.s.oidc, "verified")
		}, wantAccts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, tt.edit)
			b := s.browser(t)
			s.seed(t, b, "ann@example.com")
			sessionBefore := b.cookies["better-auth.session_token"]
			a := tt.run(env{s, b})
			ann := s.user(t, "ann@example.com")
			accts := s.accounts(t, ann.ID)
			if len(accts) != tt.wantAccts {
				t.Fatalf("%d accounts, want %d: %+v", len(accts), tt.wantAccts, accts)
			}
			if tt.wantError != "" {
				base, code, _ := errorOf(t, a)
				if base != "/oops" || code != tt.wantError {
					t.Fatalf("went to %s, want /oops?error=%s", a.header.Get("Location"), tt.wantError)
				}
				return
			}
			if loc := a.header.Get("Location"); loc != "/settings" {
				t.Fatalf("link went to %q", loc)
			}
			if a.cookieValue("better-auth.session_token") != "" || b.cookies["better-auth.session_token"] != sessionBefore {
				t.Fatal("linking changed the session")
			}
			if l := accts[1]; l.UserID != ann.ID || (l.Scope.String != "openid,email" && l.Scope.String != "openid,calendar,email") {
				t.Fatalf("linked account %+v", l)
			}
			if tt.name == "relink merges scopes" && accts[1].Scope.String != "openid,calendar,email" {
				t.Fatalf("scopes not merged: %q", accts[1].Scope.String)
			}
		})
	}
}

func TestSocialIDToken(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	tok := s.oidc.idToken("alice", "n-1")
	body := `{"provider":"oidc","idToken":{"token":"` + tok + `","nonce":"n-1","accessToken":"at-1","refreshToken":"rt-1"}}`
	r := b.do("POST", "/sign-in/social", body)
	r.want(t, 200, "")
	if r.json["redirect"] != false || r.json["token"] == "" || r.json["user"].(map[string]any)["email"] != "alice@example.com" ||
		!strings.HasPrefix(r.body, `{"redirect":false,"token":"`) || strings.Contains(r.body, `"url"`) {
		t.Fatalf("answer %s", r.body)
	}
	if !strings.HasPrefix(r.cookieValue("better-auth.session_token"), r.json["token"].(string)+".") {
		t.Fatal("no session cookie for the answer's token")
	}
	u := s.user(t, "alice@example.com")
	accts := s.accounts(t, u.ID)
	if len(accts) != 1 || accts[0].IDToken.String != tok || accts[0].AccessToken.String != "at-1" || accts[0].RefreshToken.Valid {
		t.Fatalf("account %+v", accts)
	}
	// The same identity again: the same user.
	r2 := s.browser(t).do("POST", "/sign-in/social", `{"provider":"oidc","idToken":{"token":"`+s.oidc.idToken("alice", "")+`"}}`)
	if r2.status != 200 || r2.json["user"].(map[string]any)["id"] != u.ID {
		t.Fatalf("second sign-in %s", r2.body)
	}

	s.seed(t, s.browser(t), "ann@example.com")
	tests := []struct {
		name          string
		prep          func()
		body          string
		status        int
		code, message string
	}{
		{"unknown token", nil, `{"provider":"oidc","idToken":{"token":"forged"}}`, 401, "INVALID_TOKEN", "Invalid token"},
		{"nonce mismatch", nil, `{"provider":"oidc","idToken":{"token":"` + s.oidc.idToken("alice", "n-2") + `","nonce":"n-3"}}`, 401, "INVALID_TOKEN", "Invalid token"},
		{"plain provider", nil, `{"provider":"plain","idToken":{"token":"x"}}`, 404, "ID_TOKEN_NOT_SUPPORTED", "id_token not supported"},
		{"keys unreachable", func() { s.oidc.verifyErr = fmt.Errorf("jwks: %w", auth.ErrUnavailable) }, `{"provider":"oidc","idToken":{"token":"x"}}`, 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable"},
		{"other issuer", func() { s.oidc.wrongIss = true }, `{"provider":"oidc","idToken":{"token":"` + s.oidc.idToken("alice", "") + `"}}`, 401, "INVALID_TOKEN", "Invalid token"},
		{"no email", nil, `{"provider":"oidc","idToken":{"token":"` + s.oidc.idToken("noemail", "") + `"}}`, 401, "USER_EMAIL_NOT_FOUND", "User email not found"},
		{"no subject", func() {
			s.oidc.users["nosub"] = authserver.ProviderUser{Issuer: "https://op.test", Email: "z@example.com"}
		},
			`{"provider":"oidc","idToken":{"token":"` + s.oidc.idToken("nosub", "") + `"}}`, 401, "FAILED_TO_GET_USER_INFO", "Failed to get user info"},
		{"not linked", nil, `{"provider":"oidc","idToken":{"token":"` + s.oidc.idToken("verified", "") + `"}}`, 401, "OAUTH_LINK_ERROR", "account not linked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prep != nil {
				tt.prep()
			}
			defer func() { s.oidc.verifyErr, s.oidc.wrongIss = nil, false }()
			r := s.browser(t).do("POST", "/sign-in/social", tt.body)
			if r.status != tt.status || r.code() != tt.code || r.json["message"] != tt.message {
				t.Fatalf("got %d %s, want %d %s %q", r.status, r.body, tt.status, tt.code, tt.message)
			}
			if r.cookieValue("better-auth.session_token") != "" {
				t.Fatal("session cookie on a refusal")
			}
		})
	}
}

func TestSocialLinkIDToken(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	s.seed(t, b, "ann@example.com")
	ann := s.user(t, "ann@example.com")
	mallory := s.browser(t)
	s.seed(t, mallory, "mallory@example.com")
	s.browser(t).login(s.plain, "other", `{"provider":"plain"}`) // not involved
	s.browser(t).do("POST", "/sign-in/social", `{"provider":"oidc","idToken":{"token":"`+s.oidc.idToken("alice", "")+`"}}`).want(t, 200, "")

	tests := []struct {
		name          string
		edit          func(*authserver.Config)
		who           *browser
		login         string
		status        int
		code, message string
	}{
		{"unverified, untrusted", nil, b, "unverified", 401, "LINKING_NOT_ALLOWED", "Account not linked - linking not allowed"},
		{"different email", nil, b, "other", 401, "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED", "Account not linked - different emails not allowed"},
		{"owned by another user", nil, b, "alice", 409, "SOCIAL_ACCOUNT_ALREADY_LINKED", "Social account already linked"},
		{"links", nil, b, "verified", 200, "", ""},
		{"again: tokens updated", nil, b, "verified", 200, "", ""},
		{"now owned by ann", nil, mallory, "verified", 409, "SOCIAL_ACCOUNT_ALREADY_LINKED", "Social account already linked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.oidc.idToken(tt.login, "")
			r := tt.who.do("POST", "/link-social", `{"provider":"oidc","idToken":{"token":"`+tok+`","accessToken":"at-`+tok+`"}}`)
			if r.status != tt.status || r.code() != tt.code || (tt.message != "" && r.json["message"] != tt.message) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if tt.status == 200 {
				if r.body != `{"url":"","status":true,"redirect":false}` {
					t.Fatalf("answer %s", r.body)
				}
				accts := s.accounts(t, ann.ID)
				if len(accts) != 2 || accts[1].IDToken.String != tok || accts[1].AccessToken.String != "at-"+tok {
					t.Fatalf("accounts %+v", accts)
				}
			}
		})
	}
}

func TestSocialListAndUnlink(t *testing.T) {
	s := newSocialServer(t, nil)
	b := s.browser(t)
	s.seed(t, b, "ann@example.com")
	ann := s.user(t, "ann@example.com")
	s.clk.add(time.Second)
	u := b.start("/link-social", `{"provider":"oidc","callbackURL":"/settings"}`)
	code, state := s.oidc.authorize(t, u, "verified", "")
	b.callback("oidc", url.Values{"code": {code}, "state": {state}})

	l := b.do("GET", "/list-accounts", "")
	l.want(t, 200, "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(l.body), &list); err != nil || len(list) != 2 {
		t.Fatalf("list-accounts %s", l.body)
	}
	if _, ok := list[1]["scope"]; ok {
		t.Fatalf("list-accounts has scope: %s", l.body)
	}
	for _, secret := range []string{"accessToken", "refreshToken", "idToken", "password", "at-" + code} {
		if strings.Contains(l.body, secret) {
			t.Fatalf("list-accounts leaks %q: %s", secret, l.body)
		}
	}
	if !strings.HasPrefix(l.body, `[{"accountId":"`) || list[0]["providerId"] != "credential" || fmt.Sprint(list[0]["scopes"]) != "[]" ||
		list[1]["providerId"] != "oidc" || list[1]["accountId"] != "sub-verified" || list[1]["userId"] != ann.ID ||
		fmt.Sprint(list[1]["scopes"]) != "[openid email]" {
		t.Fatalf("list-accounts %s", l.body)
	}
	credID, oidcID := list[0]["id"].(string), list[1]["id"].(string)

	b.do("POST", "/unlink-account", `{"accountId":"nope"}`).want(t, 400, "ACCOUNT_NOT_FOUND")
	b.do("POST", "/unlink-account", `{"accountId":"`+oidcID+`"}`).want(t, 200, "")
	b.do("POST", "/unlink-account", `{"accountId":"`+credID+`"}`).want(t, 400, "FAILED_TO_UNLINK_LAST_ACCOUNT")
	if n := len(s.accounts(t, ann.ID)); n != 1 {
		t.Fatalf("%d accounts after unlink", n)
	}

	// A stale session cannot unlink.
	s.clk.add(25 * time.Hour)
	b.do("POST", "/unlink-account", `{"accountId":"`+credID+`"}`).want(t, 403, "SESSION_NOT_FRESH")

	s2 := newSocialServer(t, func(c *authserver.Config) { c.AccountLinking.AllowUnlinkingAll = true })
	b2 := s2.browser(t)
	s2.seed(t, b2, "ann@example.com")
	id := s2.accounts(t, s2.user(t, "ann@example.com").ID)[0].ID
	// Someone else's account id is not found.
	bob := s2.browser(t)
	s2.seed(t, bob, "bob@example.com")
	bob.do("POST", "/unlink-account", `{"accountId":"`+id+`"}`).want(t, 400, "ACCOUNT_NOT_FOUND")
	b2.do("POST", "/unlink-account", `{"accountId":"`+id+`"}`).want(t, 200, "")
}

func TestSocialConfigErrors(t *testing.T) {
	tests := []struct {
		name      string
		providers []authserver.Provider
		trusted   []string
	}{
		{"nil provider", []authserver.Provider{nil}, nil},
		{"duplicate id", []authserver.Provider{newFakeOP("x", ""), newFakeOP("x", "https://op.test")}, nil},
		{"empty id", []authserver.Provider{newFakeOP("", "")}, nil},
		{"slash in id", []authserver.Provider{newFakeOP("a/b", "")}, nil},
		{"credential", []authserver.Provider{newFakeOP("credential", "")}, nil},
		{"empty trusted", nil, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authserver.New(authserver.Config{
				Auth:     auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40)), DisableJWKS: true},
				Database: nilDB{}, SocialProviders: tt.providers,
				AccountLinking: authserver.AccountLinkingConfig{TrustedProviders: tt.trusted}})
			if !errors.Is(err, auth.ErrInvalidConfig) {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

// nilDB is a Database New accepts; the config tests never reach it.
type nilDB struct{ store.Database }

// TestSocialPreHijackEmailProof is issue 12 item 5, the social-first pre-account hijack: an attacker signs
// in through a provider that asserts the victim's address without vouching for it, which creates the
// victim's user with the attacker's identity linked. The owner finds the address taken ("user exists") and
// proves it, by completing a password reset or by following a verification link. The proof must end the
// attacker's session and detach the identity, so that the attacker's next sign-in through the provider is
// an identity like any other that claims a verified user's address unverified: account_not_linked. With
// AccountLinking.KeepUnverifiedLinksOnEmailProof the server keeps Better Auth's behaviour: the
// attacker's identity still signs in to the owner's account.
func TestSocialPreHijackEmailProof(t *testing.T) {
	const victim = "victim@example.com"
	tests := []struct {
		name  string
		proof string // "reset": request and complete a password reset; "verify": follow a verification link
		keep  bool   // AccountLinking.KeepUnverifiedLinksOnEmailProof
	}{
		{name: "password reset", proof: "reset"},
		{name: "email verification", proof: "verify"},
		{name: "password reset, Better Auth's behaviour kept", proof: "reset", keep: true},
		{name: "email verification, Better Auth's behaviour kept", proof: "verify", keep: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box := &mail.Outbox{}
			s := newSocialServer(t, func(c *authserver.Config) {
				c.Mailer = box
				c.EmailVerification.AutoSignInAfterVerification = true
				c.AccountLinking.KeepUnverifiedLinksOnEmailProof = tt.keep
			})
			s.oidc.user("mallory", victim, false)
			const flow = `{"provider":"oidc","callbackURL":"/home","errorCallbackURL":"/oops","newUserCallbackURL":"/new"}`

			// The attacker gets there first: the user is created with the attacker's identity.
			attacker := s.browser(t)
			if loc := attacker.login(s.oidc, "mallory", flow).header.Get("Location"); loc != "/new" {
				t.Fatalf("attacker's social sign-up went to %q", loc)
			}
			u := s.user(t, victim)
			if u == nil || u.Verified {
				t.Fatalf("the attacker's sign-up made user %+v", u)
			}
			if g := attacker.do("GET", "/get-session", ""); g.json["user"] == nil {
				t.Fatalf("the attacker has no session: %s", g.body)
			}

			// The owner is told the address is taken, and proves it.
			owner := s.browser(t)
			owner.do("POST", "/sign-up/email", `{"name":"Vic","email":"`+victim+`","password":"owner-password1"}`).
				want(t, 422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
			switch tt.proof {
			case "reset":
				owner.do("POST", "/request-password-reset", `{"email":"`+victim+`"}`).want(t, 200, "")
				tok := nextMail(t, box, victim, authserver.EmailResetPassword).Token
				owner.do("POST", "/reset-password", `{"newPassword":"owner-password1","token":"`+tok+`"}`).want(t, 200, "")
				owner.do("POST", "/sign-in/email", `{"email":"`+victim+`","password":"owner-password1"}`).want(t, 200, "")
			case "verify":
				owner.do("POST", "/send-verification-email", `{"email":"`+victim+`"}`).want(t, 200, "")
				if r := owner.do("GET", pathOf(t, nextMail(t, box, victim, authserver.EmailVerify).URL), ""); r.status != 302 ||
					r.header.Get("Location") != "/" {
					t.Fatalf("verify-email: %d %v %s", r.status, r.header, r.body)
				}
				if !s.user(t, victim).Verified {
					t.Fatal("the verification link did not verify the email")
				}
			}
			if g := owner.do("GET", "/get-session", ""); g.json["user"] == nil {
				t.Fatalf("the owner is not signed in after the proof: %s", g.body)
			}

			var providers []string
			for _, a := range s.accounts(t, u.ID) {
				providers = append(providers, a.ProviderID)
			}
			attackerSession := attacker.do("GET", "/get-session", "").json["user"] != nil
			again := s.browser(t).login(s.oidc, "mallory", flow)
			_, code, _ := errorOf(t, again)
			if tt.keep {
				if !slices.Contains(providers, "oidc") || again.header.Get("Location") != "/home" {
					t.Fatalf("Better Auth's behaviour: want the identity kept and signing in; accounts %v, sign-in to %q",
						providers, again.header.Get("Location"))
				}
				if tt.proof == "verify" && !attackerSession {
					t.Error("Better Auth's behaviour: verifying the email ended the attacker's session")
				}
				return
			}
			if slices.Contains(providers, "oidc") {
				t.Errorf("the attacker's identity is still linked: accounts %v", providers)
			}
			if attackerSession {
				t.Error("the attacker's session survived the proof")
			}
			if code != "account_not_linked" || again.cookieValue("better-auth.session_token") != "" {
				t.Errorf("the attacker's provider sign-in after the proof: %s, want error account_not_linked",
					again.header.Get("Location"))
			}
		})
	}
}
