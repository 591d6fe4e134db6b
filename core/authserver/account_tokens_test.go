package authserver_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// refreshingOP is a fakeOP that also refreshes tokens (it accepts the refresh tokens it issued, "rt-…",
// and answers a new access token, refresh token and ID token) and reads user info with an access token.
type refreshingOP struct{ *fakeOP }

var (
	_ authserver.TokenRefresher = refreshingOP{}
	_ authserver.UserInfoReader = refreshingOP{}
)

func (f refreshingOP) RefreshAccessToken(_ context.Context, refreshToken string) (*authserver.ProviderTokens, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshed = append(f.refreshed, refreshToken)
	if f.refreshErr != nil {
		return nil, f.refreshErr
	}
	if !strings.HasPrefix(refreshToken, "rt-") {
		return nil, errors.New("invalid_grant")
	}
	f.n++
	return &authserver.ProviderTokens{AccessToken: fmt.Sprintf("at-new-%d", f.n), RefreshToken: fmt.Sprintf("rt-new-%d", f.n),
		IDToken: fmt.Sprintf("idt-new-%d", f.n), AccessTokenExpiresAt: time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
}

func (f refreshingOP) UserInfo(_ context.Context, tok authserver.ProviderTokens) (*authserver.ProviderUser, map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.infoTokens = append(f.infoTokens, tok.AccessToken)
	if f.infoErr != nil {
		return nil, nil, f.infoErr
	}
	u, ok := f.users[f.infoLogin]
	if !ok || !strings.HasPrefix(tok.AccessToken, "at-") {
		return nil, nil, errors.New("invalid_token")
	}
	return &u, map[string]any{"sub": u.Subject, "email": u.Email, "locale": "en"}, nil
}

// tokenRow is what the account row holds of an account's tokens.
type tokenRow struct {
	access, refresh, idToken, accessExp, refreshExp sql.NullString
}

func (s *socialServer) tokens(t *testing.T, id string) tokenRow {
	t.Helper()
	var r tokenRow
	if err := s.db.QueryRow(`select "accessToken","refreshToken","idToken","accessTokenExpiresAt","refreshTokenExpiresAt" from "account" where "id" = ?`, id).
		Scan(&r.access, &r.refresh, &r.idToken, &r.accessExp, &r.refreshExp); err != nil {
		t.Fatal(err)
	}
	return r
}

var hexToken = regexp.MustCompile(`^[0-9a-f]{82,}$`)

// stored checks a token column: plain when not encrypting, else symmetricEncrypt's hex of want.
func (s *socialServer) stored(t *testing.T, encrypted bool, col sql.NullString, want string) {
	t.Helper()
	if !encrypted {
		if col.String != want {
			t.Fatalf("stored %q, want %q", col.String, want)
		}
		return
	}
	if !hexToken.MatchString(col.String) {
		t.Fatalf("stored %q, want it encrypted", col.String)
	}
	if got, err := s.a.Decrypt(col.String); err != nil || got != want {
		t.Fatalf("stored decrypts to %q (%v), want %q", got, err, want)
	}
}

// TestAccountTokens: tokens from a social sign-in are stored as Better Auth stores them (encrypted with
// EncryptOAuthTokens), /get-access-token serves the stored token while it is valid and refreshes it when it
// is about to expire, and /refresh-token refreshes on demand; both write the new tokens.
func TestAccountTokens(t *testing.T) {
	for _, tt := range []struct {
		name    string
		encrypt bool
	}{{"plain", false}, {"encrypted", true}} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, func(c *authserver.Config) { c.EncryptOAuthTokens = tt.encrypt })
			b := s.browser(t)
			u := b.start("/sign-in/social", `{"provider":"oidc","callbackURL":"/home"}`)
			code, state := s.oidc.authorize(t, u, "alice", "")
			b.callback("oidc", url.Values{"code": {code}, "state": {state}})
			acct := s.accounts(t, s.user(t, "alice@example.com").ID)[0]
			row := s.tokens(t, acct.ID)
			s.stored(t, tt.encrypt, row.access, "at-"+code)
			s.stored(t, tt.encrypt, row.refresh, "rt-"+code)
			if row.idToken.String != "idt-"+code || row.accessExp.String == "" || row.refreshExp.Valid {
				t.Fatalf("stored id token %v, expiries %v %v", row.idToken, row.accessExp, row.refreshExp)
			}
			body := `{"accountId":"` + acct.ID + `"}`

			// Valid: the stored token, no refresh.
			a := b.do("POST", "/get-access-token", body)
			a.want(t, 200, "")
			if want := `{"accessToken":"at-` + code + `","accessTokenExpiresAt":"2030-01-02T03:04:05.678Z","scopes":["openid","email"],"idToken":"idt-` + code + `"}`; a.body != want {
				t.Fatalf("get-access-token %s\nwant %s", a.body, want)
			}
			if len(s.oidc.refreshed) != 0 {
				t.Fatalf("refreshed a valid token: %v", s.oidc.refreshed)
			}

			// Expiring within 5 s: refreshed with the decrypted refresh token, new tokens written.
			s.setAccessExp(t, acct.ID, s.clk.now().Add(4*time.Second))
			a = b.do("POST", "/get-access-token", body)
			a.want(t, 200, "")
			if len(s.oidc.refreshed) != 1 || s.oidc.refreshed[0] != "rt-"+code {
				t.Fatalf("refresh calls %v", s.oidc.refreshed)
			}
			newAT, _ := a.json["accessToken"].(string)
			if !strings.HasPrefix(newAT, "at-new-") || a.json["accessTokenExpiresAt"] != "2031-01-02T03:04:05.000Z" ||
				!strings.HasPrefix(fmt.Sprint(a.json["idToken"]), "idt-new-") {
				t.Fatalf("get-access-token after expiry %s", a.body)
			}
			row = s.tokens(t, acct.ID)
			s.stored(t, tt.encrypt, row.access, newAT)
			s.stored(t, tt.encrypt, row.refresh, "rt-new-"+strings.TrimPrefix(newAT, "at-new-"))
			if row.idToken.String != a.json["idToken"] || !strings.HasPrefix(row.accessExp.String, "2031-01-02T03:04:05") {
				t.Fatalf("row after refresh %+v", row)
			}
			// Now valid again: no second refresh.
			b.do("POST", "/get-access-token", body).want(t, 200, "")
			if len(s.oidc.refreshed) != 1 {
				t.Fatalf("refresh calls %v", s.oidc.refreshed)
			}

			// /refresh-token refreshes a valid token too and answers every token.
			s.oidc.mu.Lock()
			s.oidc.refreshed = nil
			s.oidc.mu.Unlock()
			prevRT := "rt-new-" + strings.TrimPrefix(newAT, "at-new-")
			r := b.do("POST", "/refresh-token", body)
			r.want(t, 200, "")
			if len(s.oidc.refreshed) != 1 || s.oidc.refreshed[0] != prevRT {
				t.Fatalf("refresh calls %v", s.oidc.refreshed)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.body), &got); err != nil {
				t.Fatal(err)
			}
			at, _ := got["accessToken"].(string)
			n := strings.TrimPrefix(at, "at-new-")
			if want := `{"accessToken":"at-new-` + n + `","refreshToken":"rt-new-` + n + `","accessTokenExpiresAt":"2031-01-02T03:04:05.000Z",` +
				`"refreshTokenExpiresAt":null,"scope":"openid,email","idToken":"idt-new-` + n + `","providerId":"oidc","accountId":"` + acct.ID + `"}`; r.body != want {
				t.Fatalf("refresh-token %s\nwant %s", r.body, want)
			}
			row = s.tokens(t, acct.ID)
			s.stored(t, tt.encrypt, row.access, "at-new-"+n)
			s.stored(t, tt.encrypt, row.refresh, "rt-new-"+n)
		})
	}
}

// setAccessExp sets an account's accessTokenExpiresAt.
func (s *socialServer) setAccessExp(t *testing.T, id string, exp time.Time) {
	t.Helper()
	if _, err := s.db.Exec(`update "account" set "accessTokenExpiresAt" = ? where "id" = ?`,
		exp.UTC().Format("2006-01-02T15:04:05.000Z"), id); err != nil {
		t.Fatal(err)
	}
}

// TestAccountTokensErrors: every refusal of /get-access-token and /refresh-token, in Better Auth's codes.
func TestAccountTokensErrors(t *testing.T) {
	type env struct {
		s               *socialServer
		b               *browser
		oidcID, plainID string // the signed-in user's account row ids
		credID          string
	}
	for _, tt := range []struct {
		name       string
		encrypt    bool
		setup      func(t *testing.T, e env)
		path, body string // body: %o, %p, %c are the oidc, plain and credential account ids
		status     int
		code       string
		message    string
	}{
		{name: "no session", setup: func(_ *testing.T, e env) { delete(e.b.cookies, "better-auth.session_token") },
			path: "/get-access-token", body: `{"accountId":"%o"}`, status: 401},
		{name: "refresh no session", setup: func(_ *testing.T, e env) { delete(e.b.cookies, "better-auth.session_token") },
			path: "/refresh-token", body: `{"accountId":"%o"}`, status: 401},
		{name: "unknown account", path: "/get-access-token", body: `{"accountId":"nope"}`, status: 400, code: "ACCOUNT_NOT_FOUND", message: "Account not found"},
		{name: "refresh unknown account", path: "/refresh-token", body: `{"accountId":"nope"}`, status: 400, code: "ACCOUNT_NOT_FOUND"},
		{name: "another user's account", setup: func(t *testing.T, e env) { e.s.seed(t, e.b, "bob@example.com") },
			path: "/get-access-token", body: `{"accountId":"%o","userId":"whoever"}`, status: 400, code: "ACCOUNT_NOT_FOUND"},
		{name: "account cookie not stored", path: "/get-access-token", body: `{"useAccountCookie":true}`, status: 400, code: "ACCOUNT_NOT_FOUND"},
		{name: "providerId is not a selector", path: "/get-access-token", body: `{"providerId":"oidc"}`, status: 400, code: "VALIDATION_ERROR"},
		{name: "extra key", path: "/refresh-token", body: `{"accountId":"%o","providerId":"oidc"}`, status: 400, code: "VALIDATION_ERROR"},
		{name: "both selectors", path: "/refresh-token", body: `{"accountId":"%o","useAccountCookie":true}`, status: 400, code: "VALIDATION_ERROR"},
		{name: "credential account", path: "/get-access-token", body: `{"accountId":"%c"}`, status: 400,
			code: "PROVIDER_NOT_SUPPORTED", message: "Provider credential is not supported."},
		{name: "refresh credential account", path: "/refresh-token", body: `{"accountId":"%c"}`, status: 400, code: "PROVIDER_NOT_SUPPORTED"},
		{name: "provider without refresh", path: "/refresh-token", body: `{"accountId":"%p"}`, status: 400,
			code: "TOKEN_REFRESH_NOT_SUPPORTED", message: "Provider plain does not support token refreshing."},
		{name: "no refresh token", setup: func(t *testing.T, e env) {
			e.s.exec(t, `update "account" set "refreshToken" = null where "id" = ?`, e.oidcID)
		},
			path: "/refresh-token", body: `{"accountId":"%o"}`, status: 400, code: "REFRESH_TOKEN_NOT_FOUND", message: "Refresh token not found"},
		{name: "provider refuses refresh", setup: func(_ *testing.T, e env) { e.s.oidc.refreshErr = errors.New("invalid_grant") },
			path: "/refresh-token", body: `{"accountId":"%o"}`, status: 400, code: "FAILED_TO_REFRESH_ACCESS_TOKEN", message: "Failed to refresh access token"},
		{name: "provider refuses expired refresh", setup: func(t *testing.T, e env) {
			e.s.oidc.refreshErr = errors.New("invalid_grant")
			e.s.setAccessExp(t, e.oidcID, e.s.clk.now().Add(-time.Minute))
		}, path: "/get-access-token", body: `{"accountId":"%o"}`, status: 400, code: "FAILED_TO_GET_ACCESS_TOKEN", message: "Failed to get a valid access token"},
		{name: "undecryptable refresh token", encrypt: true, setup: func(t *testing.T, e env) {
			e.s.exec(t, `update "account" set "refreshToken" = ? where "id" = ?`, strings.Repeat("ab", 60), e.oidcID)
		}, path: "/refresh-token", body: `{"accountId":"%o"}`, status: 400, code: "FAILED_TO_REFRESH_ACCESS_TOKEN"},
		{name: "undecryptable access token", encrypt: true, setup: func(t *testing.T, e env) {
			e.s.exec(t, `update "account" set "accessToken" = ? where "id" = ?`, strings.Repeat("ab", 60), e.oidcID)
		}, path: "/get-access-token", body: `{"accountId":"%o"}`, status: 400, code: "FAILED_TO_GET_ACCESS_TOKEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSocialServer(t, func(c *authserver.Config) {
				c.EncryptOAuthTokens = tt.encrypt
				c.AccountLinking.TrustedProviders = []string{"plain"}
			})
			b := s.browser(t)
			s.seed(t, b, "ann@example.com")
			s.verify(t, "ann@example.com")
			for _, op := range []*fakeOP{s.oidc, s.plain} {
				u := b.start("/link-social", `{"provider":"`+op.id+`","callbackURL":"/settings"}`)
				code, state := op.authorize(t, u, "verified", "")
				b.callback(op.id, url.Values{"code": {code}, "state": {state}})
			}
			e := env{s: s, b: b}
			for _, a := range s.accounts(t, s.user(t, "ann@example.com").ID) {
				switch a.ProviderID {
				case "oidc":
					e.oidcID = a.ID
				case "plain":
					e.plainID = a.ID
				case "credential":
					e.credID = a.ID
				}
			}
			if e.oidcID == "" || e.plainID == "" || e.credID == "" {
				t.Fatalf("accounts %+v", e)
			}
			if tt.setup != nil {
				tt.setup(t, e)
			}
			body := strings.NewReplacer("%o", e.oidcID, "%p", e.plainID, "%c", e.credID).Replace(tt.body)
			a := b.do("POST", tt.path, body)
			a.want(t, tt.status, tt.code)
			if tt.status == 401 && a.body != "" { // resolveUserId's ctx.error("UNAUTHORIZED") has no body
				t.Fatalf("401 with a body: %s", a.body)
			}
			if tt.message != "" && a.json["message"] != tt.message {
				t.Fatalf("message %q, want %q", a.json["message"], tt.message)
			}
			if tt.code == "FAILED_TO_REFRESH_ACCESS_TOKEN" || tt.code == "FAILED_TO_GET_ACCESS_TOKEN" {
				if strings.Contains(a.body, "invalid_grant") {
					t.Fatalf("provider error leaked: %s", a.body)
				}
			}
		})
	}
}

func (s *socialServer) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := s.db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// TestAccountInfo: /account-info reads the provider's user with a valid access token (refreshed first when
// it is about to expire) and answers {user, data, account}; its refusals in Better Auth's codes.
func TestAccountInfo(t *testing.T) {
	s := newSocialServer(t, func(c *authserver.Config) { c.EncryptOAuthTokens = true })
	s.oidc.infoLogin = "alice"
	b := s.browser(t)
	u := b.start("/sign-in/social", `{"provider":"oidc","callbackURL":"/home"}`)
	code, state := s.oidc.authorize(t, u, "alice", "")
	b.callback("oidc", url.Values{"code": {code}, "state": {state}})
	acct := s.accounts(t, s.user(t, "alice@example.com").ID)[0]

	a := b.do("GET", "/account-info?accountId="+acct.ID, "")
	a.want(t, 200, "")
	if want := `{"user":{"id":"sub-alice","name":"Name alice","email":"Alice@Example.com","image":"https://img.test/alice","emailVerified":true},` +
		`"data":{"email":"Alice@Example.com","locale":"en","sub":"sub-alice"},"account":{"id":"` + acct.ID + `","providerId":"oidc","accountId":"sub-alice"}}`; a.body != want {
		t.Fatalf("account-info %s\nwant %s", a.body, want)
	}
	if len(s.oidc.infoTokens) != 1 || s.oidc.infoTokens[0] != "at-"+code {
		t.Fatalf("user info read with %v", s.oidc.infoTokens)
	}

	// An expiring access token is refreshed first; user info is read with the new one.
	s.setAccessExp(t, acct.ID, s.clk.now())
	b.do("GET", "/account-info?accountId="+acct.ID, "").want(t, 200, "")
	if len(s.oidc.refreshed) != 1 || !strings.HasPrefix(s.oidc.infoTokens[1], "at-new-") {
		t.Fatalf("refreshed %v, user info read with %v", s.oidc.refreshed, s.oidc.infoTokens)
	}
	s.stored(t, true, s.tokens(t, acct.ID).access, s.oidc.infoTokens[1])

	for _, tt := range []struct {
		name, query string
		setup       func()
		status      int
		code        string
	}{
		{name: "unknown account", query: "accountId=nope", status: 400, code: "ACCOUNT_NOT_FOUND"},
		{name: "no selection", query: "", status: 400, code: "VALIDATION_ERROR"},
		{name: "unknown parameter", query: "accountId=" + acct.ID + "&providerId=oidc", status: 400, code: "VALIDATION_ERROR"},
		{name: "provider refuses", query: "accountId=" + acct.ID, setup: func() { s.oidc.infoErr = errors.New("invalid_token") },
			status: 401, code: "FAILED_TO_GET_USER_INFO"},
		{name: "another identity", query: "accountId=" + acct.ID, setup: func() { s.oidc.infoLogin = "other" },
			status: 401, code: "FAILED_TO_GET_USER_INFO"},
		{name: "provider down", query: "accountId=" + acct.ID, setup: func() { s.oidc.infoErr = fmt.Errorf("down: %w", auth.ErrUnavailable) },
			status: 503, code: ""},
		{name: "no access token", query: "accountId=" + acct.ID, setup: func() {
			s.exec(t, `update "account" set "accessToken" = null where "id" = ?`, acct.ID)
		}, status: 400, code: "ACCESS_TOKEN_NOT_FOUND"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			a := b.do("GET", "/account-info?"+tt.query, "")
			if a.status != tt.status || (tt.code != "" && a.code() != tt.code) {
				t.Fatalf("got %d %s, want %d %s", a.status, a.body, tt.status, tt.code)
			}
		})
	}
	b2 := s.browser(t)
	if a := b2.do("GET", "/account-info?accountId="+acct.ID, ""); a.status != 401 || a.body != "" {
		t.Fatalf("without a session: %d %s", a.status, a.body)
	}
}
