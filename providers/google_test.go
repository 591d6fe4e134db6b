package providers_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

func newGoogle(t *testing.T, f *fakeIdP, edit func(*providers.GoogleConfig)) authserver.Provider {
	t.Helper()
	cfg := providers.GoogleConfig{ClientID: "g-client", ClientSecret: "g-secret", AuthURL: f.srv.URL + "/o/oauth2/v2/auth",
		TokenURL: f.srv.URL + "/token", JWKSURL: f.srv.URL + "/oauth2/v3/certs"}
	if edit != nil {
		edit(&cfg)
	}
	p, err := providers.Google(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newGoogleIdP(t *testing.T) *fakeIdP { return newFakeIdP(t, "/oauth2/v3/certs", "/token") }

func googleClaims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{"iss": "https://accounts.google.com", "azp": "g-client", "aud": "g-client", "sub": "1100",
		"email": "ada@gmail.com", "email_verified": true, "name": "Ada Lovelace", "picture": "https://lh3.example/ada.jpg",
		"iat": now, "exp": now + 3600}
}

func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func TestGoogleAuthCodeURL(t *testing.T) {
	f := newGoogleIdP(t)
	tests := []struct {
		name   string
		edit   func(*providers.GoogleConfig)
		params authserver.AuthCodeParams
		want   map[string]string
	}{
		{"defaults", nil, authserver.AuthCodeParams{},
			map[string]string{"scope": "email profile openid", "include_granted_scopes": "true", "nonce": "",
				"hd": "", "prompt": "", "access_type": "", "login_hint": ""}},
		{"request scopes, nonce and login hint", nil,
			authserver.AuthCodeParams{Scopes: []string{"https://www.googleapis.com/auth/drive.readonly", "email"}, Nonce: "n-1", LoginHint: "ada@gmail.com"},
			map[string]string{"scope": "email profile openid https://www.googleapis.com/auth/drive.readonly", "nonce": "n-1",
				"login_hint": "ada@gmail.com"}},
		{"options", func(c *providers.GoogleConfig) {
			c.HostedDomain, c.Prompt, c.AccessType, c.DisableIncludeGrantedScopes = "example.com", "select_account consent", "offline", true
			c.Scopes = []string{"https://www.googleapis.com/auth/calendar"}
		}, authserver.AuthCodeParams{},
			map[string]string{"hd": "example.com", "prompt": "select_account consent", "access_type": "offline",
				"include_granted_scopes": "", "scope": "email profile openid https://www.googleapis.com/auth/calendar"}},
		{"default scopes disabled", func(c *providers.GoogleConfig) {
			c.DisableDefaultScopes, c.Scopes = true, []string{"openid"}
		}, authserver.AuthCodeParams{}, map[string]string{"scope": "openid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newGoogle(t, f, tt.edit)
			tt.params.State, tt.params.CodeVerifier, tt.params.RedirectURI = "st-1", testVerifier, "https://app.example/api/auth/callback/google"
			raw, err := p.AuthCodeURL(context.Background(), tt.params)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"response_type": "code", "client_id": "g-client", "state": "st-1",
				"redirect_uri": "https://app.example/api/auth/callback/google"}
			for k, v := range tt.want {
				want[k] = v
			}
			checkAuthURL(t, raw, f.srv.URL+"/o/oauth2/v2/auth", want)
		})
	}
}

func TestAuthCodeParamsRequired(t *testing.T) {
	f := newGoogleIdP(t)
	p := newGoogle(t, f, nil)
	ok := authserver.AuthCodeParams{State: "s", CodeVerifier: testVerifier, RedirectURI: "https://app.example/cb"}
	tests := []struct {
		name string
		edit func(*authserver.AuthCodeParams)
	}{
		{"no state", func(p *authserver.AuthCodeParams) { p.State = "" }},
		{"no redirect URI", func(p *authserver.AuthCodeParams) { p.RedirectURI = "" }},
		{"no code verifier", func(p *authserver.AuthCodeParams) { p.CodeVerifier = "" }},
		{"short code verifier", func(p *authserver.AuthCodeParams) { p.CodeVerifier = testVerifier[:42] }},
		{"long code verifier", func(p *authserver.AuthCodeParams) { p.CodeVerifier = strings.Repeat("a", 129) }},
		{"code verifier with a space", func(p *authserver.AuthCodeParams) { p.CodeVerifier = testVerifier[:50] + " " }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := ok
			tt.edit(&params)
			_, err := p.AuthCodeURL(context.Background(), params)
			errorIs(t, err, providers.ErrParams)
		})
	}
	_, _, err := p.Exchange(context.Background(), authserver.ExchangeParams{CodeVerifier: testVerifier, RedirectURI: "https://app.example/cb"})
	errorIs(t, err, providers.ErrParams)
}

func TestGoogleExchange(t *testing.T) {
	f := newGoogleIdP(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	p := newGoogle(t, f, func(c *providers.GoogleConfig) {
		c.Now = func() time.Time { return now }
	})
	c := googleClaims()
	c["iat"], c["exp"], c["nonce"], c["at_hash"] = now.Unix(), now.Add(time.Hour).Unix(), "n-1", atHash("ya29.access")
	f.setToken(200, map[string]any{"access_token": "ya29.access", "refresh_token": "1//refresh", "expires_in": 3599,
		"refresh_token_expires_in": 604800, "scope": "openid https://www.googleapis.com/auth/userinfo.email",
		"token_type": "Bearer", "id_token": f.sign(c)})
	tokens, user, err := p.Exchange(context.Background(), authserver.ExchangeParams{Code: "4/code", CodeVerifier: testVerifier,
		RedirectURI: "https://app.example/api/auth/callback/google", Nonce: "n-1"})
	if err != nil {
		t.Fatal(err)
	}
	wantUser := authserver.ProviderUser{Subject: "1100", Issuer: "https://accounts.google.com", Email: "ada@gmail.com",
		EmailVerified: true, Name: "Ada Lovelace", Image: "https://lh3.example/ada.jpg"}
	if *user != wantUser {
		t.Errorf("user = %+v\nwant   %+v", *user, wantUser)
	}
	if tokens.AccessToken != "ya29.access" || tokens.RefreshToken != "1//refresh" || tokens.IDToken == "" {
		t.Errorf("tokens = %+v", tokens)
	}
	if !tokens.AccessTokenExpiresAt.Equal(now.Add(3599*time.Second)) || !tokens.RefreshTokenExpiresAt.Equal(now.Add(604800*time.Second)) {
		t.Errorf("expiries = %v, %v", tokens.AccessTokenExpiresAt, tokens.RefreshTokenExpiresAt)
	}
	if !slices.Equal(tokens.Scopes, []string{"openid", "https://www.googleapis.com/auth/userinfo.email"}) {
		t.Errorf("scopes = %q", tokens.Scopes)
	}
	form, hdr := f.lastTokenRequest(t)
	want := map[string]string{"grant_type": "authorization_code", "code": "4/code", "code_verifier": testVerifier,
		"redirect_uri": "https://app.example/api/auth/callback/google", "client_id": "g-client", "client_secret": "g-secret"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("token request %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if hdr.Get("Authorization") != "" {
		t.Errorf("token request Authorization = %q, want client_secret_post only", hdr.Get("Authorization"))
	}
	if hdr.Get("Accept") != "application/json" {
		t.Errorf("token request Accept = %q", hdr.Get("Accept"))
	}
}

func TestGoogleVerifyIDToken(t *testing.T) {
	now := time.Now().Unix()
	tests := []struct {
		name    string
		edit    func(*providers.GoogleConfig)
		token   func(f *fakeIdP) string
		nonce   string
		wantErr bool
		want    string // a word the error must contain
	}{
		{"valid", nil, func(f *fakeIdP) string { return f.sign(googleClaims()) }, "", false, ""},
		{"issuer without scheme", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iss": "accounts.google.com"}))
		}, "", false, ""},
		{"nonce matches", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"nonce": "n-1"}))
		}, "n-1", false, ""},
		{"extra audience (mobile client)", func(c *providers.GoogleConfig) { c.Audiences = []string{"android-client"} },
			func(f *fakeIdP) string {
				return f.sign(claims(googleClaims(), map[string]any{"aud": "g-client", "azp": "android-client"}))
			}, "", false, ""},
		{"several audiences, azp is the client", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"aud": []string{"g-client", "other"}, "azp": "g-client"}))
		}, "", false, ""},
		{"hosted domain matches", func(c *providers.GoogleConfig) { c.HostedDomain = "example.com" }, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"hd": "example.com"}))
		}, "", false, ""},
		{"any hosted domain", func(c *providers.GoogleConfig) { c.HostedDomain = "*" }, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"hd": "example.org"}))
		}, "", false, ""},

		{"nonce mismatch", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"nonce": "n-1"}))
		}, "n-2", true, "nonce"},
		{"nonce missing", nil, func(f *fakeIdP) string { return f.sign(googleClaims()) }, "n-1", true, "nonce"},
		{"other issuer", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iss": "https://evil.example"}))
		}, "", true, "issue"},
		{"issuer with trailing slash", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iss": "https://accounts.google.com/"}))
		}, "", true, "issue"},
		{"other audience", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"aud": "other-client", "azp": nil}))
		}, "", true, "aud"},
		{"extra audience without azp", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"aud": []string{"g-client", "other"}, "azp": nil}))
		}, "", true, "azp"},
		{"azp is another client", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"azp": "other-client"}))
		}, "", true, "azp"},
		{"expired", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iat": now - 7200, "exp": now - 60}))
		}, "", true, "expired"},
		{"expired within the 30 s leeway", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"exp": now - 10}))
		}, "", false, ""},
		{"older than an hour", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iat": now - 3700, "exp": now + 3600}))
		}, "", true, "iat"},
		{"issued in the future", nil, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"iat": now + 300}))
		}, "", true, "iat"},
		{"no iat", nil, func(f *fakeIdP) string { return f.sign(claims(googleClaims(), map[string]any{"iat": nil})) }, "", true, "iat"},
		{"no sub", nil, func(f *fakeIdP) string { return f.sign(claims(googleClaims(), map[string]any{"sub": nil})) }, "", true, "sub"},
		{"signed by another key", nil, func(f *fakeIdP) string { return signWith(otherKey(), testKID, googleClaims()) }, "", true, "signature"},
		{"unknown kid", nil, func(f *fakeIdP) string { return signWith(otherKey(), "rotated-away", googleClaims()) }, "", true, "signature"},
		{"HS256 keyed with the client secret", nil, func(f *fakeIdP) string { return hs256("g-secret", googleClaims()) }, "", true, "malformed"},
		{"alg none", nil, func(f *fakeIdP) string { return algNone(googleClaims()) }, "", true, "malformed"},
		{"garbage", nil, func(f *fakeIdP) string { return "not.a.jwt" }, "", true, "malformed"},
		{"empty", nil, func(f *fakeIdP) string { return "" }, "", true, "empty"},
		{"hosted domain mismatch", func(c *providers.GoogleConfig) { c.HostedDomain = "example.com" }, func(f *fakeIdP) string {
			return f.sign(claims(googleClaims(), map[string]any{"hd": "evil.example"}))
		}, "", true, "hd"},
		{"hosted domain required, consumer account", func(c *providers.GoogleConfig) { c.HostedDomain = "*" },
			func(f *fakeIdP) string { return f.sign(googleClaims()) }, "", true, "hd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGoogleIdP(t)
			p := newGoogle(t, f, tt.edit)
			user, err := p.VerifyIDToken(context.Background(), tt.token(f), tt.nonce)
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if user.Subject != "1100" || user.Email != "ada@gmail.com" || !user.EmailVerified ||
					user.Issuer != "https://accounts.google.com" {
					t.Errorf("user = %+v", user)
				}
				return
			}
			errorIs(t, err, providers.ErrInvalidIDToken, auth.ErrInvalidToken)
			if err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestGoogleExchangeErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fakeIdP)
		http  *http.Client
		want  []error
	}{
		{"invalid_grant", func(f *fakeIdP) {
			f.setToken(400, map[string]any{"error": "invalid_grant", "error_description": "Bad Request"})
		}, nil, []error{providers.ErrExchange, auth.ErrInvalidToken}},
		{"error in a 200 answer", func(f *fakeIdP) {
			f.setToken(200, map[string]any{"error": "invalid_grant"})
		}, nil, []error{providers.ErrExchange}},
		{"not JSON", func(f *fakeIdP) {
			f.token = func(url.Values) (int, string, string) { return 200, "application/json", "<html>" }
		}, nil, []error{providers.ErrExchange}},
		{"body larger than 1 MiB", func(f *fakeIdP) {
			f.token = func(url.Values) (int, string, string) {
				return 200, "application/json", `{"access_token":"` + strings.Repeat("a", 2<<20) + `"}`
			}
		}, nil, []error{providers.ErrExchange}},
		{"redirect is not followed", func(f *fakeIdP) {
			f.mux.HandleFunc("POST /moved/token", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/token", http.StatusTemporaryRedirect)
			})
			f.setToken(200, map[string]any{"access_token": "at", "id_token": f.sign(googleClaims())})
		}, nil, []error{providers.ErrExchange}},
		{"server error", func(f *fakeIdP) { f.setToken(503, map[string]any{"error": "temporarily_unavailable"}) },
			nil, []error{auth.ErrUnavailable}},
		{"rate limited", func(f *fakeIdP) { f.setToken(429, map[string]any{}) }, nil, []error{auth.ErrUnavailable}},
		{"slow token endpoint", func(f *fakeIdP) {
			f.mux.HandleFunc("POST /slow/token", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client hanging up
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			})
		}, &http.Client{Timeout: 100 * time.Millisecond}, []error{auth.ErrUnavailable}},
		{"no id_token", func(f *fakeIdP) { f.setToken(200, map[string]any{"access_token": "at"}) }, nil, []error{providers.ErrUserInfo}},
		{"id_token for another client", func(f *fakeIdP) {
			f.setToken(200, map[string]any{"access_token": "at", "id_token": f.sign(claims(googleClaims(), map[string]any{"aud": "x", "azp": nil}))})
		}, nil, []error{providers.ErrInvalidIDToken}},
		{"at_hash of another access token", func(f *fakeIdP) {
			f.setToken(200, map[string]any{"access_token": "at", "id_token": f.sign(claims(googleClaims(), map[string]any{"at_hash": atHash("other")}))})
		}, nil, []error{providers.ErrInvalidIDToken}},
		{"key set unavailable", func(f *fakeIdP) {
			f.setToken(200, map[string]any{"access_token": "at", "id_token": f.sign(googleClaims())})
			f.mux.HandleFunc("GET /down/certs", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
		}, nil, []error{auth.ErrUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGoogleIdP(t)
			tt.setup(f)
			p := newGoogle(t, f, func(c *providers.GoogleConfig) {
				c.HTTPClient = tt.http
				switch tt.name {
				case "slow token endpoint":
					c.TokenURL = f.srv.URL + "/slow/token"
				case "redirect is not followed":
					c.TokenURL = f.srv.URL + "/moved/token"
				}
				if tt.name == "key set unavailable" {
					c.JWKSURL = f.srv.URL + "/down/certs"
				}
			})
			_, _, err := p.Exchange(context.Background(), authserver.ExchangeParams{Code: "c", CodeVerifier: testVerifier,
				RedirectURI: "https://app.example/cb"})
			errorIs(t, err, tt.want...)
			if tt.name == "redirect is not followed" && f.tokenCount() != 0 {
				t.Errorf("the redirect to the token endpoint was followed")
			}
		})
	}
}

func TestConfigRequired(t *testing.T) {
	tests := []struct {
		name string
		new  func() (authserver.Provider, error)
	}{
		{"google without secret", func() (authserver.Provider, error) { return providers.Google(providers.GoogleConfig{ClientID: "x"}) }},
		{"google without client id", func() (authserver.Provider, error) {
			return providers.Google(providers.GoogleConfig{ClientSecret: "x"})
		}},
		{"microsoft without client id", func() (authserver.Provider, error) { return providers.Microsoft(providers.MicrosoftConfig{}) }},
		{"microsoft with a bad tenant", func() (authserver.Provider, error) {
			return providers.Microsoft(providers.MicrosoftConfig{ClientID: "x", Tenant: "a/b"})
		}},
		{"apple without secret", func() (authserver.Provider, error) { return providers.Apple(providers.AppleConfig{ClientID: "x"}) }},
		{"gitlab without client id", func() (authserver.Provider, error) { return providers.GitLab(providers.GitLabConfig{}) }},
		{"github without client id", func() (authserver.Provider, error) { return providers.GitHub(providers.GitHubConfig{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.new()
			errorIs(t, err, auth.ErrInvalidConfig)
		})
	}
}
