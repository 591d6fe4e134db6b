package providers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

func newApple(t *testing.T, f *fakeIdP) authserver.Provider {
	t.Helper()
	p, err := providers.Apple(providers.AppleConfig{ClientID: "com.example.web", ClientSecret: "client-secret-jwt",
		Audiences: []string{"com.example.ios"}, AuthURL: f.srv.URL + "/auth/authorize", TokenURL: f.srv.URL + "/auth/token",
		JWKSURL: f.srv.URL + "/auth/keys"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func appleClaims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{"iss": "https://appleid.apple.com", "aud": "com.example.web", "sub": "001234.abcd.0987",
		"email": "x7@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true", "iat": now, "exp": now + 600}
}

func TestAppleAuthCodeURL(t *testing.T) {
	f := newFakeIdP(t, "/auth/keys", "/auth/token")
	raw, err := newApple(t, f).AuthCodeURL(context.Background(), authserver.AuthCodeParams{State: "st", CodeVerifier: testVerifier,
		RedirectURI: "https://app.example/api/auth/callback/apple", Nonce: "n-1"})
	if err != nil {
		t.Fatal(err)
	}
	checkAuthURL(t, raw, f.srv.URL+"/auth/authorize", map[string]string{"client_id": "com.example.web",
		"scope": "email name", "response_mode": "form_post", "response_type": "code id_token", "nonce": "n-1", "state": "st"})
}

func TestAppleIDToken(t *testing.T) {
	sum := sha256.Sum256([]byte("raw-nonce"))
	hashed := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		changes map[string]any
		nonce   string
		want    authserver.ProviderUser
		wantErr bool
	}{
		{"string email_verified", nil, "", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com", EmailVerified: true}, false},
		{"boolean email_verified", map[string]any{"email_verified": true}, "", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com", EmailVerified: true}, false},
		{"\"false\"", map[string]any{"email_verified": "false"}, "", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com"}, false},
		{"missing email_verified", map[string]any{"email_verified": nil}, "", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com"}, false},
		{"no email", map[string]any{"email": nil}, "", authserver.ProviderUser{}, false},
		{"native app audience", map[string]any{"aud": "com.example.ios"}, "", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com", EmailVerified: true}, false},
		{"exact nonce", map[string]any{"nonce": "raw-nonce"}, "raw-nonce", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com", EmailVerified: true}, false},
		{"SHA-256 of the nonce", map[string]any{"nonce": hashed}, "raw-nonce", authserver.ProviderUser{Email: "x7@privaterelay.appleid.com", EmailVerified: true}, false},
		{"nonce mismatch", map[string]any{"nonce": "other"}, "raw-nonce", authserver.ProviderUser{}, true},
		{"other audience", map[string]any{"aud": "com.evil.app"}, "", authserver.ProviderUser{}, true},
		{"other issuer", map[string]any{"iss": "https://appleid.apple.com.evil"}, "", authserver.ProviderUser{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIdP(t, "/auth/keys", "/auth/token")
			p := newApple(t, f)
			user, err := p.VerifyIDToken(context.Background(), f.sign(claims(appleClaims(), tt.changes)), tt.nonce)
			if tt.wantErr {
				errorIs(t, err, providers.ErrInvalidIDToken)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Subject, tt.want.Issuer = "001234.abcd.0987", "https://appleid.apple.com"
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
		})
	}
}

func TestAppleExchange(t *testing.T) {
	f := newFakeIdP(t, "/auth/keys", "/auth/token")
	p := newApple(t, f)
	f.setToken(200, map[string]any{"access_token": "a.b", "refresh_token": "r.b", "expires_in": 3600, "token_type": "Bearer",
		"id_token": f.sign(appleClaims())})
	_, user, err := p.Exchange(context.Background(), authserver.ExchangeParams{Code: "c.0.abc", CodeVerifier: testVerifier,
		RedirectURI: "https://app.example/api/auth/callback/apple"})
	if err != nil {
		t.Fatal(err)
	}
	if user.Subject != "001234.abcd.0987" || !user.EmailVerified {
		t.Errorf("user = %+v", user)
	}
	form, _ := f.lastTokenRequest(t)
	if form.Get("client_secret") != "client-secret-jwt" || form.Get("code_verifier") != testVerifier {
		t.Errorf("token request = %v", form)
	}
}

func TestAppleName(t *testing.T) {
	tests := []struct{ name, field, want string }{
		{"both", `{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"a@b"}`, "Ada Lovelace"},
		{"first only", `{"name":{"firstName":"Ada"}}`, "Ada"},
		{"last only", `{"name":{"lastName":"Lovelace"}}`, "Lovelace"},
		{"no name", `{"email":"a@b"}`, ""},
		{"empty", ``, ""},
		{"malformed", `{"name":`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := providers.AppleName(tt.field); got != tt.want {
				t.Errorf("AppleName(%q) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}
