package interop_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest/oidcop"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// The social tests run the Go server's social sign-in against a real OpenID Provider (panva oidc-provider,
// package oidcop), which enforces redirect_uri matching, client authentication, PKCE S256 and the nonce,
// and then check that the real Better Auth server on the same database sees the same user and accounts.

const (
	socialBase   = "http://localhost:3000"
	socialClient = "go-rp"
	socialSecret = "go-rp-secret-0123456789"
)

// rp is a small OpenID Connect relying party implementing authserver.Provider for these tests (core cannot import
// the providers module): discovery, an authorization URL with S256 PKCE and the nonce, the token request
// with client_secret_post, and ID tokens verified against the OP's JWKS (signature, iss, aud, exp, nonce).
type rp struct {
	id, issuer, authEP, tokenEP, jwksURI, userinfoEP string
	client                                           *http.Client
}

func newRP(t *testing.T, id, issuer string) *rp {
	t.Helper()
	p := &rp{id: id, client: &http.Client{Timeout: 10 * time.Second}}
	var disc struct {
		Issuer   string `json:"issuer"`
		Auth     string `json:"authorization_endpoint"`
		Token    string `json:"token_endpoint"`
		JWKSURI  string `json:"jwks_uri"`
		UserInfo string `json:"userinfo_endpoint"`
		Response []string
	}
	if err := p.getJSON(issuer+"/.well-known/openid-configuration", &disc); err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != issuer {
		t.Fatalf("discovery issuer %q, want %q", disc.Issuer, issuer)
	}
	p.issuer, p.authEP, p.tokenEP, p.jwksURI, p.userinfoEP = disc.Issuer, disc.Auth, disc.Token, disc.JWKSURI, disc.UserInfo
	return p
}

func (p *rp) getJSON(u string, v any) error {
	resp, err := p.client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

func (p *rp) ID() string     { return p.id }
func (p *rp) Issuer() string { return p.issuer }

func (p *rp) AuthCodeURL(_ context.Context, a authserver.AuthCodeParams) (string, error) {
	h := sha256.Sum256([]byte(a.CodeVerifier))
	q := url.Values{"response_type": {"code"}, "client_id": {socialClient}, "redirect_uri": {a.RedirectURI},
		"state": {a.State}, "scope": {strings.Join(append([]string{"openid", "email", "profile"}, a.Scopes...), " ")},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(h[:])}, "code_challenge_method": {"S256"}}
	if a.Nonce != "" {
		q.Set("nonce", a.Nonce)
	}
	return p.authEP + "?" + q.Encode(), nil
}

func (p *rp) Exchange(ctx context.Context, a authserver.ExchangeParams) (*authserver.ProviderTokens, *authserver.ProviderUser, error) {
	tok, err := p.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {a.Code}, "redirect_uri": {a.RedirectURI},
		"code_verifier": {a.CodeVerifier}})
	if err != nil {
		return nil, nil, err
	}
	u, err := p.VerifyIDToken(ctx, tok.IDToken, a.Nonce)
	if err != nil {
		return tok, nil, err
	}
	return tok, u, nil
}

// RefreshAccessToken redeems a refresh token (grant_type=refresh_token, client_secret_post).
func (p *rp) RefreshAccessToken(ctx context.Context, refreshToken string) (*authserver.ProviderTokens, error) {
	return p.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// UserInfo reads the userinfo endpoint with the access token.
func (p *rp) UserInfo(ctx context.Context, tok authserver.ProviderTokens) (*authserver.ProviderUser, map[string]any, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.userinfoEP, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var raw map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&raw); err != nil || resp.StatusCode != 200 {
		return nil, nil, fmt.Errorf("userinfo: %s %v", resp.Status, err)
	}
	str := func(k string) string { s, _ := raw[k].(string); return s }
	return &authserver.ProviderUser{Subject: str("sub"), Issuer: p.issuer, Email: str("email"), EmailVerified: raw["email_verified"] == true,
		Name: str("name"), Image: str("picture")}, raw, nil
}

// token is a token request with client_secret_post.
func (p *rp) token(ctx context.Context, form url.Values) (*authserver.ProviderTokens, error) {
	form.Set("client_id", socialClient)
	form.Set("client_secret", socialSecret)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.tokenEP, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		ExpiresIn    int    `json:"expires_in"`
		Scope        string `json:"scope"`
		Error        string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 || tr.Error != "" {
		return nil, fmt.Errorf("token endpoint: %s %s", resp.Status, tr.Error)
	}
	tok := &authserver.ProviderTokens{AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, IDToken: tr.IDToken,
		Scopes: strings.Fields(tr.Scope)}
	if tr.ExpiresIn > 0 {
		tok.AccessTokenExpiresAt = time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return tok, nil
}

func (p *rp) VerifyIDToken(_ context.Context, token, nonce string) (*authserver.ProviderUser, error) {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("id_token: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := p.getJSON(p.jwksURI, &set); err != nil {
		return nil, err
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		return nil, errors.New("id_token: unknown key")
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return nil, err
	}
	var c struct {
		Iss, Sub, Nonce, Email, Name, Picture string
		Aud                                   any
		Exp                                   int64
		EmailVerified                         bool `json:"email_verified"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	aud := fmt.Sprint(c.Aud)
	switch {
	case c.Iss != p.issuer:
		return nil, errors.New("id_token: iss")
	case aud != socialClient && aud != "["+socialClient+"]":
		return nil, errors.New("id_token: aud")
	case time.Unix(c.Exp, 0).Before(time.Now()):
		return nil, errors.New("id_token: expired")
	case nonce != "" && c.Nonce != nonce:
		return nil, errors.New("id_token: nonce")
	}
	return &authserver.ProviderUser{Subject: c.Sub, Issuer: c.Iss, Email: c.Email, EmailVerified: c.EmailVerified,
		Name: c.Name, Image: c.Picture}, nil
}

// socialEnv is the OP, a Go server on a SQLite file and the way to reach both.
type socialEnv struct {
	op  *oidcop.OP
	a   *authserver.Server
	db  *sql.DB
	rp  *rp
	dbf string
}

func newSocialEnv(t *testing.T, edit func(*authserver.Config)) *socialEnv {
	t.Helper()
	op := oidcop.StartConfig(t, oidcop.Config{
		Clients: []oidcop.Client{{ID: socialClient, Secret: socialSecret,
			RedirectURIs: []string{socialBase + "/api/auth/callback/op", socialBase + "/rp-callback"}}},
		Accounts: map[string]oidcop.Claims{
			"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice"},
			"carol": {"email": "carol@example.com", "email_verified": true, "name": "Carol"},
			"dave":  {"email": "dave@example.com", "email_verified": false, "name": "Dave"},
			"erin":  {"email": "erin@example.com", "email_verified": true, "name": "Erin"},
			"frank": {"email": "frank@example.com", "email_verified": true, "name": "Frank"},
			"grace": {"email": "grace@example.com", "email_verified": true, "name": "Grace"},
		},
		AutoConsent: true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	file := filepath.Join(t.TempDir(), "social.db")
	db, dialect, err := storeurl.OpenDB(ctx, "sqlite:"+file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(ctx, db, dialect, nil); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := newRP(t, "op", op.Issuer)
	sc := &authserver.Config{Auth: auth.Config{BaseURL: socialBase, Secret: interop.DefaultSecret, DisableJWKS: true},
		Database: st, DevMode: true, SocialProviders: []authserver.Provider{p}}
	if edit != nil {
		edit(sc)
	}
	a, err := authserver.New(*sc)
	if err != nil {
		t.Fatal(err)
	}
	return &socialEnv{op: op, a: a, db: db, rp: p, dbf: file}
}

// goBrowser talks to the in-process Go server with a cookie jar, as a browser on socialBase would.
type goBrowser struct {
	t       *testing.T
	e       *socialEnv
	cookies map[string]string
}

func (e *socialEnv) browser(t *testing.T) *goBrowser {
	return &goBrowser{t: t, e: e, cookies: map[string]string{}}
}

type goAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (b *goBrowser) cookie() string {
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

func (b *goBrowser) do(method, target string, body any) goAnswer {
	b.t.Helper()
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = strings.NewReader(string(j))
	}
	if !strings.HasPrefix(target, "http") {
		target = socialBase + "/api/auth" + target
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", socialBase)
	req.RemoteAddr = "192.0.2.1:1234"
	if c := b.cookie(); c != "" {
		req.Header.Set("Cookie", c)
	}
	rec := httptest.NewRecorder()
	b.e.a.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return goAnswer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// flow starts a flow at path (sign-in/social or link-social), logs in at the OP as login, and sends the
// OP's answer to the callback; it returns where the callback redirected.
func (b *goBrowser) flow(path string, body map[string]any, login string) string {
	b.t.Helper()
	start := b.do("POST", path, body)
	var out struct{ URL string }
	if err := json.Unmarshal(start.body, &out); start.status != 200 || err != nil || out.URL == "" {
		b.t.Fatalf("%s: %d %s", path, start.status, start.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cb, err := b.e.op.Login(ctx, out.URL, login, true)
	if err != nil {
		b.t.Fatalf("login at the OP: %v\n%s", err, b.e.op.Stderr())
	}
	return b.callback(cb)
}

func (b *goBrowser) callback(cb *url.URL) string {
	b.t.Helper()
	a := b.do("GET", cb.String(), nil)
	if a.status != 302 {
		b.t.Fatalf("callback: %d %s", a.status, a.body)
	}
	return a.header.Get("Location")
}

func (b *goBrowser) signUp(email string) {
	b.t.Helper()
	a := b.do("POST", "/sign-up/email", map[string]any{"name": "Pw", "email": email, "password": "password123"})
	if a.status != 200 {
		b.t.Fatalf("sign-up: %d %s", a.status, a.body)
	}
}

func (b *goBrowser) sessionEmail() string {
	b.t.Helper()
	var s struct{ User struct{ Email string } }
	json.Unmarshal(b.do("GET", "/get-session", nil).body, &s)
	return s.User.Email
}

type socialAccount struct {
	ID, AccountID, ProviderID, UserID string
	AccessToken, IDToken, Scope       sql.NullString
}

func (e *socialEnv) accounts(t *testing.T, email string) []socialAccount {
	t.Helper()
	rows, err := e.db.Query(`select a."id", a."accountId", a."providerId", a."userId", a."accessToken", a."idToken", a."scope"
		from "account" a join "user" u on u."id" = a."userId" where u."email" = ? order by a."providerId"`, email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []socialAccount
	for rows.Next() {
		var a socialAccount
		if err := rows.Scan(&a.ID, &a.AccountID, &a.ProviderID, &a.UserID, &a.AccessToken, &a.IDToken, &a.Scope); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func (e *socialEnv) verified(t *testing.T, email string) bool {
	t.Helper()
	var v bool
	if err := e.db.QueryRow(`select "emailVerified" from "user" where "email" = ?`, email).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func errorCode(t *testing.T, loc string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("error")
}

func TestSocialOP(t *testing.T) {
	e := newSocialEnv(t, nil)

	t.Run("new user", func(t *testing.T) {
		b := e.browser(t)
		loc := b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home", "newUserCallbackURL": "/welcome"}, "alice")
		if loc != "/welcome" || b.sessionEmail() != "alice@example.com" {
			t.Fatalf("went to %q as %q", loc, b.sessionEmail())
		}
		if !e.verified(t, "alice@example.com") {
			t.Fatal("email_verified from the OP not taken")
		}
		accts := e.accounts(t, "alice@example.com")
		if len(accts) != 1 || accts[0].ProviderID != "op" || accts[0].AccountID != "alice" || accts[0].AccessToken.String == "" ||
			!strings.Contains(accts[0].IDToken.String, ".") || !strings.Contains(accts[0].Scope.String, "openid") {
			t.Fatalf("account %+v", accts)
		}
	})
	t.Run("returning user", func(t *testing.T) {
		before := e.accounts(t, "alice@example.com")[0]
		b := e.browser(t)
		loc := b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home", "newUserCallbackURL": "/welcome"}, "alice")
		after := e.accounts(t, "alice@example.com")
		if loc != "/home" || len(after) != 1 || after[0].ID != before.ID || after[0].AccessToken == before.AccessToken {
			t.Fatalf("went to %q; accounts %+v", loc, after)
		}
	})
	t.Run("implicit link onto a verified password account", func(t *testing.T) {
		e.browser(t).signUp("carol@example.com")
		if _, err := e.db.Exec(`update "user" set "emailVerified" = 1 where "email" = 'carol@example.com'`); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		loc := b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home", "newUserCallbackURL": "/welcome"}, "carol")
		if accts := e.accounts(t, "carol@example.com"); loc != "/home" || len(accts) != 2 || b.sessionEmail() != "carol@example.com" {
			t.Fatalf("went to %q; accounts %+v", loc, accts)
		}
	})
	t.Run("unverified email from an untrusted provider is not linked", func(t *testing.T) {
		e.browser(t).signUp("dave@example.com")
		if _, err := e.db.Exec(`update "user" set "emailVerified" = 1 where "email" = 'dave@example.com'`); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		loc := b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home", "errorCallbackURL": "/oops"}, "dave")
		if !strings.HasPrefix(loc, "/oops?") || errorCode(t, loc) != "account_not_linked" || b.sessionEmail() != "" {
			t.Fatalf("went to %q", loc)
		}
		if accts := e.accounts(t, "dave@example.com"); len(accts) != 1 {
			t.Fatalf("accounts %+v", accts)
		}
	})
	t.Run("explicit link and unlink", func(t *testing.T) {
		b := e.browser(t)
		b.signUp("erin@example.com")
		loc := b.flow("/link-social", map[string]any{"provider": "op", "callbackURL": "/settings"}, "erin")
		accts := e.accounts(t, "erin@example.com")
		if loc != "/settings" || len(accts) != 2 || accts[1].ProviderID != "op" {
			t.Fatalf("went to %q; accounts %+v", loc, accts)
		}
		list := b.do("GET", "/list-accounts", nil)
		if list.status != 200 || !strings.Contains(string(list.body), `"providerId":"op"`) || strings.Contains(string(list.body), "accessToken") {
			t.Fatalf("list-accounts %d %s", list.status, list.body)
		}
		un := b.do("POST", "/unlink-account", map[string]any{"accountId": accts[1].ID})
		if un.status != 200 || len(e.accounts(t, "erin@example.com")) != 1 {
			t.Fatalf("unlink %d %s", un.status, un.body)
		}
	})
	t.Run("id token sign-in", func(t *testing.T) {
		// The client signs in at the OP itself (as a mobile app would) and hands the ID token over.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		verifier, nonce := strings.Repeat("v", 64), "client-nonce-1"
		u, _ := e.rp.AuthCodeURL(ctx, authserver.AuthCodeParams{State: "client-state", CodeVerifier: verifier, Nonce: nonce,
			RedirectURI: socialBase + "/rp-callback"})
		cb, err := e.op.Login(ctx, u, "alice", true)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.rp.Exchange(ctx, authserver.ExchangeParams{Code: cb.Query().Get("code"), CodeVerifier: verifier,
			RedirectURI: socialBase + "/rp-callback", Nonce: nonce})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		bad := b.do("POST", "/sign-in/social", map[string]any{"provider": "op", "idToken": map[string]any{"token": tok.IDToken, "nonce": "other"}})
		if bad.status != 401 || !strings.Contains(string(bad.body), "INVALID_TOKEN") {
			t.Fatalf("wrong nonce: %d %s", bad.status, bad.body)
		}
		ok := b.do("POST", "/sign-in/social", map[string]any{"provider": "op", "idToken": map[string]any{"token": tok.IDToken, "nonce": nonce}})
		if ok.status != 200 || b.sessionEmail() != "alice@example.com" {
			t.Fatalf("id token sign-in: %d %s", ok.status, ok.body)
		}
	})
	t.Run("code injection fails at the OP's PKCE check", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		attacker, victim := e.browser(t), e.browser(t)
		start := func(b *goBrowser) *url.URL {
			var out struct{ URL string }
			json.Unmarshal(b.do("POST", "/sign-in/social", map[string]any{"provider": "op", "errorCallbackURL": "/oops"}).body, &out)
			cb, err := e.op.Login(ctx, out.URL, "alice", true)
			if err != nil {
				t.Fatal(err)
			}
			return cb
		}
		stolen, own := start(attacker), start(victim)
		q := own.Query()
		q.Set("code", stolen.Query().Get("code"))
		own.RawQuery = q.Encode()
		if loc := victim.callback(own); errorCode(t, loc) != "invalid_code" || victim.sessionEmail() != "" {
			t.Fatalf("injected code: went to %q", loc)
		}
	})
	t.Run("access denied at the OP", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		b := e.browser(t)
		var out struct{ URL string }
		json.Unmarshal(b.do("POST", "/sign-in/social", map[string]any{"provider": "op", "errorCallbackURL": "/oops"}).body, &out)
		cb, err := e.op.Abort(ctx, out.URL)
		if err != nil {
			t.Fatal(err)
		}
		if loc := b.callback(cb); !strings.HasPrefix(loc, "/oops?") || errorCode(t, loc) != "access_denied" {
			t.Fatalf("went to %q", loc)
		}
	})

	// The real Better Auth server (with the same OP as a genericOAuth provider) on the same database.
	node := interop.NewServer(t, map[string]string{"DB_FILE": e.dbf, "BASE_URL": socialBase,
		"GENERIC_OAUTH": fmt.Sprintf(`[{"providerId":"op","discoveryUrl":%q,"clientId":%q,"clientSecret":%q,"scopes":["openid","email","profile"]}]`,
			e.op.Issuer+"/.well-known/openid-configuration", socialClient, socialSecret)})
	nodeDo := func(b *goBrowser, method, path string, body any) (*http.Response, []byte) {
		t.Helper()
		return b.node(node.URL, method, path, body)
	}

	t.Run("Better Auth reads the same rows", func(t *testing.T) {
		b := e.browser(t)
		b.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home"}, "carol")
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		sess, err := node.GetSession(ctx, b.cookie())
		if err != nil || sess.User.Email != "carol@example.com" {
			t.Fatalf("Node get-session: %v %+v", err, sess)
		}
		goList := b.do("GET", "/list-accounts", nil)
		resp, nodeList := nodeDo(b, "GET", "/api/auth/list-accounts", nil)
		if resp.StatusCode != 200 || string(nodeList) != string(goList.body) {
			t.Fatalf("list-accounts differ\n  go: %s\nnode: %s", goList.body, nodeList)
		}
	})
	t.Run("Better Auth starts, Go finishes", func(t *testing.T) {
		b := e.browser(t)
		resp, body := nodeDo(b, "POST", "/api/auth/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home"})
		var out struct{ URL string }
		if err := json.Unmarshal(body, &out); resp.StatusCode != 200 || err != nil || b.cookies["better-auth.state"] == "" {
			t.Fatalf("Node sign-in/social: %d %s", resp.StatusCode, body)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cb, err := e.op.Login(ctx, out.URL, "frank", true)
		if err != nil {
			t.Fatal(err)
		}
		if loc := b.callback(cb); loc != "/home" || b.sessionEmail() != "frank@example.com" {
			t.Fatalf("Go finished Node's flow at %q as %q", loc, b.sessionEmail())
		}
		if accts := e.accounts(t, "frank@example.com"); len(accts) != 1 || accts[0].AccountID != "frank" {
			t.Fatalf("accounts %+v", accts)
		}
	})
	t.Run("Go starts, Better Auth finishes", func(t *testing.T) {
		b := e.browser(t)
		start := b.do("POST", "/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home"})
		var out struct{ URL string }
		json.Unmarshal(start.body, &out)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cb, err := e.op.Login(ctx, out.URL, "grace", true)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := nodeDo(b, "GET", cb.RequestURI(), nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "/home" {
			t.Fatalf("Node finished Go's flow: %d %q %s\n%s", resp.StatusCode, loc, body, node.Stderr())
		}
		if b.sessionEmail() != "grace@example.com" {
			t.Fatal("Go does not accept the session Node created")
		}
		// Node's account row is the one Go signs in with next time.
		b2 := e.browser(t)
		loc := b2.flow("/sign-in/social", map[string]any{"provider": "op", "callbackURL": "/home", "newUserCallbackURL": "/welcome"}, "grace")
		if accts := e.accounts(t, "grace@example.com"); loc != "/home" || len(accts) != 1 {
			t.Fatalf("went to %q; accounts %+v", loc, accts)
		}
	})
}

// node sends a request to the Node server at base with b's cookies and keeps the cookies it sets.
func (b *goBrowser) node(base, method, path string, body any) (*http.Response, []byte) {
	b.t.Helper()
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = strings.NewReader(string(j))
	}
	req, _ := http.NewRequest(method, base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", socialBase)
	if c := b.cookie(); c != "" {
		req.Header.Set("Cookie", c)
	}
	noFollow := &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := noFollow.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp, out
}
