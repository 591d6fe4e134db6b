package providers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

// apiFake is a fake OAuth 2.0 provider with a REST API: a token endpoint and JSON routes.
type apiFake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string]func() (int, any) // "GET /user" -> answer
	hdrs   map[string]http.Header
	forms  []map[string][]string
}

func newAPIFake(t *testing.T, routes map[string]func() (int, any)) *apiFake {
	f := &apiFake{routes: routes, hdrs: map[string]http.Header{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
		}
		f.mu.Lock()
		f.hdrs[key] = r.Header.Clone()
		if r.Method == http.MethodPost {
			f.forms = append(f.forms, r.PostForm)
		}
		h := f.routes[key]
		f.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		status, body := h()
		if s, ok := body.(string); ok {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(s))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *apiFake) header(key string) http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hdrs[key]
}

func answer(status int, body any) func() (int, any) { return func() (int, any) { return status, body } }

func exchange(t *testing.T, p authserver.Provider) (*authserver.ProviderTokens, *authserver.ProviderUser, error) {
	t.Helper()
	return p.Exchange(context.Background(), authserver.ExchangeParams{Code: "code-1", CodeVerifier: testVerifier,
		RedirectURI: "https://app.example/api/auth/callback/" + p.ID(), Nonce: "ignored"})
}

func TestGitHub(t *testing.T) {
	profile := map[string]any{"id": 583231, "login": "octocat", "name": "The Octocat", "email": nil,
		"avatar_url": "https://avatars.example/u/583231"}
	withProfile := func(changes map[string]any) func() (int, any) { return answer(200, claims(profile, changes)) }
	emails := []map[string]any{
		{"email": "octo@users.noreply.github.com", "primary": false, "verified": true},
		{"email": "octocat@github.com", "primary": true, "verified": true},
	}
	okToken := answer(200, map[string]any{"access_token": "gho_abc", "token_type": "bearer", "scope": "read:user,user:email"})
	tests := []struct {
		name    string
		routes  map[string]func() (int, any)
		want    authserver.ProviderUser
		wantErr []error
	}{
		{"primary verified email", map[string]func() (int, any){"GET /user": withProfile(nil), "GET /user/emails": answer(200, emails)},
			authserver.ProviderUser{Email: "octocat@github.com", EmailVerified: true, Name: "The Octocat"}, nil},
		{"primary unverified email", map[string]func() (int, any){"GET /user": withProfile(nil), "GET /user/emails": answer(200, []map[string]any{
			{"email": "v@example.com", "primary": false, "verified": true}, {"email": "p@example.com", "primary": true, "verified": false}})},
			authserver.ProviderUser{Email: "p@example.com", Name: "The Octocat"}, nil},
		{"no primary: the first address", map[string]func() (int, any){"GET /user": withProfile(nil), "GET /user/emails": answer(200, []map[string]any{
			{"email": "first@example.com", "primary": false, "verified": true}, {"email": "second@example.com", "primary": false, "verified": false}})},
			authserver.ProviderUser{Email: "first@example.com", EmailVerified: true, Name: "The Octocat"}, nil},
		{"public email is used, verified from the list", map[string]func() (int, any){
			"GET /user": withProfile(map[string]any{"email": "octo@users.noreply.github.com"}), "GET /user/emails": answer(200, emails)},
			authserver.ProviderUser{Email: "octo@users.noreply.github.com", EmailVerified: true, Name: "The Octocat"}, nil},
		{"public email not in the list is unverified", map[string]func() (int, any){
			"GET /user": withProfile(map[string]any{"email": "public@example.com"}), "GET /user/emails": answer(200, emails)},
			authserver.ProviderUser{Email: "public@example.com", Name: "The Octocat"}, nil},
		{"emails refused (no user:email scope)", map[string]func() (int, any){
			"GET /user": withProfile(map[string]any{"email": "public@example.com"}), "GET /user/emails": answer(403, map[string]any{"message": "forbidden"})},
			authserver.ProviderUser{Email: "public@example.com", Name: "The Octocat"}, nil},
		{"no email at all", map[string]func() (int, any){"GET /user": withProfile(nil), "GET /user/emails": answer(200, []any{})},
			authserver.ProviderUser{Name: "The Octocat"}, nil},
		{"no name: the login", map[string]func() (int, any){"GET /user": withProfile(map[string]any{"name": nil}), "GET /user/emails": answer(200, emails)},
			authserver.ProviderUser{Email: "octocat@github.com", EmailVerified: true, Name: "octocat"}, nil},
		{"user API refuses the token", map[string]func() (int, any){"GET /user": answer(401, map[string]any{"message": "Bad credentials"})},
			authserver.ProviderUser{}, []error{providers.ErrUserInfo}},
		{"user API down", map[string]func() (int, any){"GET /user": answer(502, nil)}, authserver.ProviderUser{}, []error{auth.ErrUnavailable}},
		{"emails API down", map[string]func() (int, any){"GET /user": withProfile(nil), "GET /user/emails": answer(503, nil)},
			authserver.ProviderUser{}, []error{auth.ErrUnavailable}},
		{"user answer too large", map[string]func() (int, any){"GET /user": withProfile(map[string]any{"bio": strings.Repeat("x", 2<<20)})},
			authserver.ProviderUser{}, []error{providers.ErrUserInfo}},
		{"bad verification code (error in a 200 answer)", map[string]func() (int, any){
			"POST /login/oauth/access_token": answer(200, map[string]any{"error": "bad_verification_code"})},
			authserver.ProviderUser{}, []error{providers.ErrExchange, auth.ErrInvalidToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.routes["POST /login/oauth/access_token"] == nil {
				tt.routes["POST /login/oauth/access_token"] = okToken
			}
			f := newAPIFake(t, tt.routes)
			p, err := providers.GitHub(providers.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
				AuthURL: f.srv.URL + "/login/oauth/authorize", TokenURL: f.srv.URL + "/login/oauth/access_token", APIURL: f.srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			tokens, user, err := exchange(t, p)
			if tt.wantErr != nil {
				errorIs(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Subject, tt.want.Image = "583231", "https://avatars.example/u/583231"
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
			if !slices.Equal(tokens.Scopes, []string{"read:user", "user:email"}) || tokens.AccessToken != "gho_abc" {
				t.Errorf("tokens = %+v", tokens)
			}
			if h := f.header("GET /user"); h.Get("User-Agent") == "" || h.Get("Authorization") != "Bearer gho_abc" {
				t.Errorf("GET /user headers = %v", h)
			}
		})
	}
}

func TestGitHubFormEncodedToken(t *testing.T) {
	f := newAPIFake(t, map[string]func() (int, any){
		"POST /token": answer(200, "access_token=gho_form&scope=read%3Auser%2Cuser%3Aemail&token_type=bearer"),
		"GET /user":   answer(200, map[string]any{"id": 1, "login": "a"}),
	})
	p, err := providers.GitHub(providers.GitHubConfig{ClientID: "c", TokenURL: f.srv.URL + "/token", APIURL: f.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	tokens, user, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if tokens.AccessToken != "gho_form" || !slices.Equal(tokens.Scopes, []string{"read:user", "user:email"}) || user.Subject != "1" {
		t.Errorf("tokens = %+v, user = %+v", tokens, user)
	}
}

func TestOAuth2Providers(t *testing.T) {
	f := newAPIFake(t, nil)
	gh, err := providers.GitHub(providers.GitHubConfig{ClientID: "gh-client", AuthURL: f.srv.URL + "/login/oauth/authorize",
		Prompt: "select_account"})
	if err != nil {
		t.Fatal(err)
	}
	gl, err := providers.GitLab(providers.GitLabConfig{ClientID: "gl-client", Issuer: f.srv.URL + "/gitlab/",
		Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		p        authserver.Provider
		wantBase string
		want     map[string]string
	}{
		{"github", gh, f.srv.URL + "/login/oauth/authorize", map[string]string{"client_id": "gh-client",
			"scope": "read:user user:email", "prompt": "select_account", "nonce": "", "login_hint": "me"}},
		{"gitlab (self-hosted, repeated slashes collapsed)", gl, f.srv.URL + "/gitlab/oauth/authorize",
			map[string]string{"client_id": "gl-client", "scope": "read_user openid", "nonce": "", "login_hint": "me"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tt.p.AuthCodeURL(context.Background(), authserver.AuthCodeParams{State: "st", CodeVerifier: testVerifier,
				RedirectURI: "https://app.example/cb", Nonce: "not-sent", LoginHint: "me"})
			if err != nil {
				t.Fatal(err)
			}
			checkAuthURL(t, raw, tt.wantBase, tt.want)
			if _, err := tt.p.VerifyIDToken(context.Background(), "a.b.c", ""); !errors.Is(err, authserver.ErrIDTokenNotSupported) {
				t.Errorf("VerifyIDToken: %v, want authserver.ErrIDTokenNotSupported", err)
			}
		})
	}
}

func TestGitLab(t *testing.T) {
	profile := map[string]any{"id": 4242, "username": "ada", "name": "Ada Lovelace", "email": "ada@example.com",
		"avatar_url": "https://gitlab.example/uploads/ada.png", "state": "active", "locked": false}
	tests := []struct {
		name    string
		changes map[string]any
		status  int
		want    authserver.ProviderUser
		wantErr error
	}{
		{"active user", nil, 200, authserver.ProviderUser{Name: "Ada Lovelace", Email: "ada@example.com"}, nil},
		{"email_verified is taken when sent", map[string]any{"email_verified": true}, 200,
			authserver.ProviderUser{Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true}, nil},
		{"no name: the username", map[string]any{"name": nil}, 200, authserver.ProviderUser{Name: "ada", Email: "ada@example.com"}, nil},
		{"blocked", map[string]any{"state": "blocked"}, 200, authserver.ProviderUser{}, providers.ErrUserInfo},
		{"locked", map[string]any{"locked": true}, 200, authserver.ProviderUser{}, providers.ErrUserInfo},
		{"token refused", nil, 401, authserver.ProviderUser{}, providers.ErrUserInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAPIFake(t, map[string]func() (int, any){
				"POST /oauth/token": answer(200, map[string]any{"access_token": "glpat", "refresh_token": "glr", "expires_in": 7200,
					"scope": "read_user", "token_type": "Bearer"}),
				"GET /api/v4/user": answer(tt.status, claims(profile, tt.changes)),
			})
			p, err := providers.GitLab(providers.GitLabConfig{ClientID: "gl-client", ClientSecret: "gl-secret", Issuer: f.srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			tokens, user, err := exchange(t, p)
			if tt.wantErr != nil {
				errorIs(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Subject, tt.want.Image = "4242", "https://gitlab.example/uploads/ada.png"
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
			if tokens.RefreshToken != "glr" || tokens.AccessTokenExpiresAt.IsZero() {
				t.Errorf("tokens = %+v", tokens)
			}
			f.mu.Lock()
			form := f.forms[0]
			f.mu.Unlock()
			if form["client_secret"][0] != "gl-secret" || form["code_verifier"][0] != testVerifier {
				t.Errorf("token request = %v", form)
			}
		})
	}
}
