package providers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

// TestRefreshAccessToken: every provider refreshes at its token endpoint with grant_type=refresh_token
// and its client credentials, maps the answer as a code exchange's, keeps the given refresh token when the
// provider does not rotate it, and classifies refusals (ErrRefresh) apart from outages (auth.ErrUnavailable).
func TestRefreshAccessToken(t *testing.T) {
	var answer func() (int, any)
	f := newAPIFake(t, nil)
	f.routes = map[string]func() (int, any){}
	for _, p := range []string{"/gh/token", "/google/token", "/apple/token", "/gitlab/oauth/token"} {
		f.routes["POST "+p] = func() (int, any) { return answer() }
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	gh, err := providers.GitHub(providers.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret", TokenURL: f.srv.URL + "/gh/token"})
	if err != nil {
		t.Fatal(err)
	}
	google, err := providers.Google(providers.GoogleConfig{ClientID: "g-client", ClientSecret: "g-secret", TokenURL: f.srv.URL + "/google/token",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	apple, err := providers.Apple(providers.AppleConfig{ClientID: "a-client", ClientSecret: "a-secret", TokenURL: f.srv.URL + "/apple/token"})
	if err != nil {
		t.Fatal(err)
	}
	gl, err := providers.GitLab(providers.GitLabConfig{ClientID: "gl-client", ClientSecret: "gl-secret", Issuer: f.srv.URL + "/gitlab"})
	if err != nil {
		t.Fatal(err)
	}
	provs := map[string]authserver.Provider{"github": gh, "google": google, "apple": apple, "gitlab": gl}
	for _, tt := range []struct {
		name, provider string
		status         int
		body           any
		wantErr        error
		wantRefresh    string
		wantIDToken    string
		wantExpires    bool
	}{
		{name: "google rotates", provider: "google", status: 200, body: map[string]any{"access_token": "at2", "token_type": "Bearer",
			"expires_in": 3600, "refresh_token": "rt2", "id_token": "idt2", "scope": "openid email"},
			wantRefresh: "rt2", wantIDToken: "idt2", wantExpires: true},
		{name: "github keeps", provider: "github", status: 200, body: map[string]any{"access_token": "at2", "token_type": "bearer"},
			wantRefresh: "rt1"},
		{name: "apple", provider: "apple", status: 200, body: map[string]any{"access_token": "at2", "token_type": "Bearer", "expires_in": 3600},
			wantRefresh: "rt1", wantExpires: true},
		{name: "gitlab", provider: "gitlab", status: 200, body: map[string]any{"access_token": "at2", "token_type": "Bearer", "refresh_token": "rt2"},
			wantRefresh: "rt2"},
		{name: "refused", provider: "google", status: 400, body: map[string]any{"error": "invalid_grant"}, wantErr: providers.ErrRefresh},
		{name: "refusal is an invalid token", provider: "github", status: 401, body: map[string]any{"error": "invalid_client"}, wantErr: auth.ErrInvalidToken},
		{name: "outage", provider: "gitlab", status: 503, body: map[string]any{}, wantErr: auth.ErrUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			answer = func() (int, any) { return tt.status, tt.body }
			r, ok := provs[tt.provider].(authserver.TokenRefresher)
			if !ok {
				t.Fatalf("%s does not refresh", tt.provider)
			}
			tok, err := r.RefreshAccessToken(context.Background(), "rt1")
			form := f.forms[len(f.forms)-1]
			if form["grant_type"][0] != "refresh_token" || form["refresh_token"][0] != "rt1" {
				t.Fatalf("token request %v", form)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "at2" || tok.RefreshToken != tt.wantRefresh || tok.IDToken != tt.wantIDToken ||
				tok.AccessTokenExpiresAt.IsZero() == tt.wantExpires {
				t.Fatalf("tokens %+v", tok)
			}
			if tt.provider == "google" && (!tok.AccessTokenExpiresAt.Equal(now.Add(time.Hour)) || len(tok.Scopes) != 2) {
				t.Fatalf("tokens %+v", tok)
			}
		})
	}
	if _, err := gh.(authserver.TokenRefresher).RefreshAccessToken(context.Background(), ""); !errors.Is(err, providers.ErrParams) {
		t.Fatalf("empty refresh token: %v", err)
	}
}

// TestUserInfo: GitHub reads its user API and Google its userinfo endpoint with the access token; Apple
// needs a stored ID token (TestUserInfoStoredIDToken).
func TestUserInfo(t *testing.T) {
	f := newAPIFake(t, map[string]func() (int, any){
		"GET /user": answer(200, map[string]any{"id": 583231, "login": "octocat", "name": "The Octocat",
			"avatar_url": "https://avatars.example/u/583231", "email": "octocat@github.com"}),
		"GET /user/emails": answer(200, []map[string]any{{"email": "octocat@github.com", "primary": true, "verified": true}}),
		"GET /userinfo": answer(200, map[string]any{"sub": "g-123", "email": "ada@example.com", "email_verified": true,
			"name": "Ada", "picture": "https://img.example/ada", "locale": "en"}),
	})
	gh, err := providers.GitHub(providers.GitHubConfig{ClientID: "gh", APIURL: f.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	google, err := providers.Google(providers.GoogleConfig{ClientID: "g", ClientSecret: "s", UserInfoURL: f.srv.URL + "/userinfo"})
	if err != nil {
		t.Fatal(err)
	}
	apple, err := providers.Apple(providers.AppleConfig{ClientID: "a", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		p        authserver.Provider
		want     authserver.ProviderUser
		wantData map[string]any
		wantErr  error
	}{
		{name: "github", p: gh, want: authserver.ProviderUser{Subject: "583231", Email: "octocat@github.com", EmailVerified: true,
			Name: "The Octocat", Image: "https://avatars.example/u/583231"}, wantData: map[string]any{}},
		{name: "google", p: google, want: authserver.ProviderUser{Subject: "g-123", Issuer: providers.GoogleIssuer, Email: "ada@example.com",
			EmailVerified: true, Name: "Ada", Image: "https://img.example/ada"}, wantData: map[string]any{"sub": "g-123", "email": "ada@example.com",
			"email_verified": true, "name": "Ada", "picture": "https://img.example/ada", "locale": "en"}},
		{name: "apple without an ID token", p: apple, wantErr: providers.ErrInvalidIDToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, data, err := tt.p.(authserver.UserInfoReader).UserInfo(context.Background(), authserver.ProviderTokens{AccessToken: "at"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || *u != tt.want || fmt.Sprint(data) != fmt.Sprint(tt.wantData) {
				t.Fatalf("user %+v %v %v\nwant %+v %v", u, data, err, tt.want, tt.wantData)
			}
			if h := f.hdrs["GET /user"]; tt.name == "github" && h.Get("Authorization") != "Bearer at" {
				t.Fatalf("authorization %q", h.Get("Authorization"))
			}
		})
	}
}

// TestUserInfoStoredIDToken: Apple's user info is the stored ID token's, verified as at sign-in except for
// its expiry and age.
func TestUserInfoStoredIDToken(t *testing.T) {
	f := newFakeIdP(t, "/auth/keys", "/auth/token")
	p := newApple(t, f).(authserver.UserInfoReader)
	old := time.Now().Add(-3 * time.Hour).Unix()
	expired := claims(appleClaims(), map[string]any{"iat": old, "exp": old + 600})
	for _, tt := range []struct {
		name    string
		idToken string
		wantErr error
	}{
		{name: "expired and old is fine", idToken: f.sign(expired)},
		{name: "another signer", idToken: signWith(otherKey(), testKID, expired), wantErr: providers.ErrInvalidIDToken},
		{name: "another audience", idToken: f.sign(claims(expired, map[string]any{"aud": "someone-else"})), wantErr: providers.ErrInvalidIDToken},
		{name: "another issuer", idToken: f.sign(claims(expired, map[string]any{"iss": "https://evil.example"})), wantErr: providers.ErrInvalidIDToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, data, err := p.UserInfo(context.Background(), authserver.ProviderTokens{AccessToken: "at", IDToken: tt.idToken})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				return
			}
			want := authserver.ProviderUser{Subject: "001234.abcd.0987", Issuer: providers.AppleIssuer, Email: "x7@privaterelay.appleid.com",
				EmailVerified: true}
			if err != nil || *u != want || data["is_private_email"] != "true" {
				t.Fatalf("user %+v %v %v, want %+v", u, data, err, want)
			}
		})
	}
}
