package providers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

const msTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// newMicrosoftIdP is a fake login.microsoftonline.com for tenant, with a Graph photo endpoint.
func newMicrosoftIdP(t *testing.T, tenant string) *fakeIdP {
	f := newFakeIdP(t, "/"+tenant+"/discovery/v2.0/keys", "/"+tenant+"/oauth2/v2.0/token")
	f.mux.HandleFunc("GET /graph/v1.0/me/photos/{size}/$value", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ms-access" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write([]byte("JPEG" + r.PathValue("size")))
	})
	return f
}

func newMicrosoft(t *testing.T, f *fakeIdP, edit func(*providers.MicrosoftConfig)) authserver.Provider {
	t.Helper()
	cfg := providers.MicrosoftConfig{ClientID: "ms-client", ClientSecret: "ms-secret", Authority: f.srv.URL + "/",
		GraphURL: f.srv.URL + "/graph"}
	if edit != nil {
		edit(&cfg)
	}
	p, err := providers.Microsoft(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func msClaims(f *fakeIdP, tid string) map[string]any {
	now := time.Now().Unix()
	return map[string]any{"iss": f.srv.URL + "/" + tid + "/v2.0", "aud": "ms-client", "sub": "pairwise-sub",
		"oid": "00000000-0000-0000-66f3-3332eca7ea81", "tid": tid, "email": "ada@contoso.com", "name": "Ada",
		"iat": now, "exp": now + 3600}
}

func TestMicrosoftAuthCodeURL(t *testing.T) {
	for _, tenant := range []string{"common", msTenant} {
		t.Run(tenant, func(t *testing.T) {
			f := newMicrosoftIdP(t, tenant)
			p := newMicrosoft(t, f, func(c *providers.MicrosoftConfig) {
				if tenant != "common" {
					c.Tenant = tenant
				}
				c.Prompt = "select_account"
			})
			raw, err := p.AuthCodeURL(context.Background(), authserver.AuthCodeParams{State: "st", CodeVerifier: testVerifier,
				RedirectURI: "https://app.example/api/auth/callback/microsoft", LoginHint: "ada@contoso.com"})
			if err != nil {
				t.Fatal(err)
			}
			checkAuthURL(t, raw, f.srv.URL+"/"+tenant+"/oauth2/v2.0/authorize", map[string]string{
				"client_id": "ms-client", "scope": "openid profile email User.Read offline_access", "prompt": "select_account",
				"login_hint": "ada@contoso.com", "state": "st", "nonce": ""})
		})
	}
}

func TestMicrosoftExchange(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*providers.MicrosoftConfig)
		claims    map[string]any // changes to msClaims
		want      authserver.ProviderUser
		wantErr   error
		imageWant string
	}{
		{"no email_verified claim, email not listed: unverified", nil, nil,
			authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"email_verified true", nil, map[string]any{"email_verified": true},
			authserver.ProviderUser{Email: "ada@contoso.com", EmailVerified: true, Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"email_verified \"false\" wins over the lists", nil,
			map[string]any{"email_verified": "false", "verified_primary_email": []string{"ada@contoso.com"}},
			authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"email in verified_primary_email", nil, map[string]any{"verified_primary_email": []string{"ada@contoso.com"}},
			authserver.ProviderUser{Email: "ada@contoso.com", EmailVerified: true, Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"email in verified_secondary_email", nil, map[string]any{"verified_secondary_email": []string{"x@y", "ada@contoso.com"}},
			authserver.ProviderUser{Email: "ada@contoso.com", EmailVerified: true, Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"photo size 96", func(c *providers.MicrosoftConfig) { c.ProfilePhotoSize = 96 }, nil,
			authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzk2eDk2"},
		{"photo disabled", func(c *providers.MicrosoftConfig) { c.DisableProfilePhoto = true }, nil,
			authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil, ""},
		{"no oid", nil, map[string]any{"oid": nil}, authserver.ProviderUser{}, providers.ErrUserInfo, ""},
		{"iss names another tenant than tid", nil, map[string]any{"tid": "11111111-2222-3333-4444-555555555555"},
			authserver.ProviderUser{}, providers.ErrInvalidIDToken, ""},
		{"personal account on organizations", func(c *providers.MicrosoftConfig) { c.Tenant = "organizations" },
			map[string]any{"tid": providers.MicrosoftConsumerTenant}, authserver.ProviderUser{}, providers.ErrInvalidIDToken, ""},
		{"work account on consumers", func(c *providers.MicrosoftConfig) { c.Tenant = "consumers" },
			nil, authserver.ProviderUser{}, providers.ErrInvalidIDToken, ""},
		{"personal account on consumers", func(c *providers.MicrosoftConfig) { c.Tenant = "consumers" },
			map[string]any{"tid": providers.MicrosoftConsumerTenant}, authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil,
			"data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"single tenant", func(c *providers.MicrosoftConfig) { c.Tenant = msTenant }, nil,
			authserver.ProviderUser{Email: "ada@contoso.com", Name: "Ada"}, nil, "data:image/jpeg;base64, SlBFRzQ4eDQ4"},
		{"single tenant, token from another tenant", func(c *providers.MicrosoftConfig) { c.Tenant = msTenant },
			map[string]any{"tid": "11111111-2222-3333-4444-555555555555"}, authserver.ProviderUser{}, providers.ErrInvalidIDToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := providers.MicrosoftConfig{}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			tenant := cfg.Tenant
			if tenant == "" {
				tenant = "common"
			}
			f := newMicrosoftIdP(t, tenant)
			p := newMicrosoft(t, f, tt.edit)
			c := msClaims(f, msTenant)
			if tid, ok := tt.claims["tid"].(string); ok {
				c["iss"] = f.srv.URL + "/" + tid + "/v2.0"
			}
			c = claims(c, tt.claims)
			if tt.name == "iss names another tenant than tid" {
				c["iss"] = f.srv.URL + "/" + msTenant + "/v2.0"
			}
			f.setToken(200, map[string]any{"access_token": "ms-access", "expires_in": 3600, "id_token": f.sign(c),
				"scope": "openid profile email User.Read"})
			_, user, err := p.Exchange(context.Background(), authserver.ExchangeParams{Code: "c", CodeVerifier: testVerifier,
				RedirectURI: "https://app.example/api/auth/callback/microsoft"})
			if tt.wantErr != nil {
				errorIs(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Subject, tt.want.Issuer, tt.want.Image = "00000000-0000-0000-66f3-3332eca7ea81", c["iss"].(string), tt.imageWant
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
			// Sign-in with the ID token alone: same identity, no Graph photo (no access token).
			again, err := p.VerifyIDToken(context.Background(), f.sign(c), "")
			if err != nil {
				t.Fatal(err)
			}
			if again.Subject != tt.want.Subject || again.EmailVerified != tt.want.EmailVerified || strings.HasPrefix(again.Image, "data:") {
				t.Errorf("VerifyIDToken user = %+v", again)
			}
		})
	}
}
