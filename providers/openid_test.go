package providers_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest/oidcop"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

const opRedirect = "http://127.0.0.1:3000/api/auth/callback/local"

var opAccounts = map[string]oidcop.Claims{
	"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice Example", "picture": "https://example.com/a.png"},
	"bob":   {"email": "bob@example.com", "email_verified": false, "name": "Bob Unverified"},
}

func startOP(t *testing.T, userinfoOnly bool) *oidcop.OP {
	t.Helper()
	return oidcop.StartConfig(t, oidcop.Config{
		Clients: []oidcop.Client{
			{ID: "rp", Secret: "rp-secret", RedirectURIs: []string{opRedirect}},
			{ID: "rp-basic", Secret: "rp-secret", RedirectURIs: []string{opRedirect}, AuthMethod: "client_secret_basic"},
			{ID: "other", Secret: "other-secret", RedirectURIs: []string{opRedirect}},
		},
		Accounts:           opAccounts,
		UserinfoOnlyClaims: userinfoOnly,
	})
}

func newOpenID(t *testing.T, op *oidcop.OP, clientID string, tokenAuth providers.TokenAuth) authserver.Provider {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	secret := auth.Secret("rp-secret")
	if clientID == "other" {
		secret = "other-secret"
	}
	p, err := providers.OpenID(ctx, providers.OpenIDConfig{ID: "local", Issuer: op.Issuer, ClientID: clientID,
		ClientSecret: secret, TokenAuth: tokenAuth})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// flow is one authorization: the parameters sent and the authorization response.
type flow struct {
	state, verifier, nonce string
	authURL                *url.URL
	callback               url.Values
}

// authorize builds the authorization URL and logs login in at the OP.
func authorize(t *testing.T, ctx context.Context, op *oidcop.OP, p authserver.Provider, login string) flow {
	t.Helper()
	f := flow{state: "state-" + oauth2.GenerateVerifier()[:16], verifier: oauth2.GenerateVerifier(),
		nonce: "nonce-" + oauth2.GenerateVerifier()[:16]}
	raw, err := p.AuthCodeURL(ctx, authserver.AuthCodeParams{State: f.state, CodeVerifier: f.verifier, Nonce: f.nonce,
		RedirectURI: opRedirect})
	if err != nil {
		t.Fatal(err)
	}
	if f.authURL, err = url.Parse(raw); err != nil {
		t.Fatal(err)
	}
	cb, err := op.Login(ctx, raw, login, true)
	if err != nil {
		t.Fatalf("login: %v\nOP stderr:\n%s", err, op.Stderr())
	}
	f.callback = cb.Query()
	if e := f.callback.Get("error"); e != "" {
		t.Fatalf("authorization error %s: %s", e, f.callback.Get("error_description"))
	}
	if f.callback.Get("state") != f.state {
		t.Fatalf("callback state %q, want %q", f.callback.Get("state"), f.state)
	}
	if f.callback.Get("iss") != op.Issuer {
		t.Fatalf("callback iss %q, want %q (RFC 9207)", f.callback.Get("iss"), op.Issuer)
	}
	return f
}

func (f flow) exchange(ctx context.Context, p authserver.Provider) (*authserver.ProviderTokens, *authserver.ProviderUser, error) {
	return p.Exchange(ctx, authserver.ExchangeParams{Code: f.callback.Get("code"), CodeVerifier: f.verifier,
		RedirectURI: opRedirect, Nonce: f.nonce})
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestOpenIDAgainstOP(t *testing.T) {
	op := startOP(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rp := newOpenID(t, op, "rp", providers.ClientSecretPost)

	t.Run("authorization URL", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		raw, err := rp.AuthCodeURL(ctx, authserver.AuthCodeParams{State: "st", CodeVerifier: verifier, Nonce: "nn",
			RedirectURI: opRedirect, Scopes: []string{"offline_access"}, LoginHint: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(raw)
		q := u.Query()
		want := map[string]string{"response_type": "code", "client_id": "rp", "redirect_uri": opRedirect,
			"state": "st", "nonce": "nn", "code_challenge_method": "S256", "code_challenge": s256(verifier),
			"scope": "openid email profile offline_access", "login_hint": "alice"}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, q.Get(k), v)
			}
		}
		if q.Has("client_secret") || strings.Contains(raw, "rp-secret") {
			t.Errorf("the client secret is in the authorization URL: %s", raw)
		}
		if !strings.HasPrefix(raw, op.Issuer+"/") {
			t.Errorf("authorization URL %s is not at the OP", raw)
		}
	})

	for _, tt := range []struct {
		name, client, login string
		tokenAuth           providers.TokenAuth
		want                authserver.ProviderUser
	}{
		{"verified email, client_secret_post", "rp", "alice", providers.ClientSecretPost, authserver.ProviderUser{Subject: "alice",
			Email: "alice@example.com", EmailVerified: true, Name: "Alice Example", Image: "https://example.com/a.png"}},
		{"unverified email", "rp", "bob", providers.ClientSecretPost, authserver.ProviderUser{Subject: "bob",
			Email: "bob@example.com", Name: "Bob Unverified"}},
		{"no claims at all", "rp", "carol", providers.ClientSecretPost, authserver.ProviderUser{Subject: "carol"}},
		{"client_secret_basic", "rp-basic", "alice", providers.ClientSecretBasic, authserver.ProviderUser{Subject: "alice",
			Email: "alice@example.com", EmailVerified: true, Name: "Alice Example", Image: "https://example.com/a.png"}},
	} {
		t.Run("code flow/"+tt.name, func(t *testing.T) {
			p := newOpenID(t, op, tt.client, tt.tokenAuth)
			f := authorize(t, ctx, op, p, tt.login)
			tokens, user, err := f.exchange(ctx, p)
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			tt.want.Issuer = op.Issuer
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
			if tokens.AccessToken == "" || tokens.IDToken == "" {
				t.Errorf("tokens = %+v", tokens)
			}
			if d := time.Until(tokens.AccessTokenExpiresAt); d < 50*time.Minute || d > 61*time.Minute {
				t.Errorf("access token expires in %v, want about an hour", d)
			}
			if !slices.Contains(tokens.Scopes, "openid") || !slices.Contains(tokens.Scopes, "email") {
				t.Errorf("scopes = %v", tokens.Scopes)
			}
			// The ID token the client holds verifies on its own (sign-in with an ID token), with its nonce.
			again, err := p.VerifyIDToken(ctx, tokens.IDToken, f.nonce)
			if err != nil {
				t.Fatalf("VerifyIDToken: %v", err)
			}
			if again.Subject != tt.want.Subject || again.Email != tt.want.Email {
				t.Errorf("VerifyIDToken user = %+v", again)
			}
			if _, err := p.VerifyIDToken(ctx, tokens.IDToken, "another-nonce"); !errors.Is(err, providers.ErrInvalidIDToken) {
				t.Errorf("VerifyIDToken with another nonce: %v, want ErrInvalidIDToken", err)
			}
		})
	}

	t.Run("nonce mismatch is refused", func(t *testing.T) {
		f := authorize(t, ctx, op, rp, "alice")
		f.nonce = "not-the-nonce-sent"
		_, _, err := f.exchange(ctx, rp)
		if !errors.Is(err, providers.ErrInvalidIDToken) || !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("err = %v, want ErrInvalidIDToken", err)
		}
		if !strings.Contains(err.Error(), "nonce") {
			t.Errorf("err = %v, want it to name the nonce", err)
		}
	})

	t.Run("ID token for another client is refused", func(t *testing.T) {
		other := newOpenID(t, op, "other", providers.ClientSecretPost)
		f := authorize(t, ctx, op, rp, "alice")
		tokens, _, err := f.exchange(ctx, rp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = other.VerifyIDToken(ctx, tokens.IDToken, "")
		if !errors.Is(err, providers.ErrInvalidIDToken) || !strings.Contains(err.Error(), "aud") {
			t.Fatalf("err = %v, want ErrInvalidIDToken for aud", err)
		}
		// Nor can the other client redeem rp's code.
		g := authorize(t, ctx, op, rp, "alice")
		if _, _, err := g.exchange(ctx, other); !errors.Is(err, providers.ErrExchange) {
			t.Fatalf("other client redeeming rp's code: %v, want ErrExchange", err)
		}
	})

	t.Run("wrong code_verifier is refused by the OP", func(t *testing.T) {
		f := authorize(t, ctx, op, rp, "alice")
		f.verifier = oauth2.GenerateVerifier()
		_, _, err := f.exchange(ctx, rp)
		if !errors.Is(err, providers.ErrExchange) || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("err = %v, want ErrExchange (invalid_grant)", err)
		}
	})

	t.Run("a code is single use", func(t *testing.T) {
		f := authorize(t, ctx, op, rp, "alice")
		if _, _, err := f.exchange(ctx, rp); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.exchange(ctx, rp); !errors.Is(err, providers.ErrExchange) {
			t.Fatalf("second exchange: %v, want ErrExchange", err)
		}
	})

	t.Run("client authentication on the wire", func(t *testing.T) {
		for _, tt := range []struct {
			name, client string
			tokenAuth    providers.TokenAuth
			basic        bool
		}{
			{"post", "rp", providers.ClientSecretPost, false},
			{"basic", "rp-basic", providers.ClientSecretBasic, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rec := &recorder{}
				p, err := providers.OpenID(ctx, providers.OpenIDConfig{ID: "local", Issuer: op.Issuer, ClientID: tt.client,
					ClientSecret: "rp-secret", TokenAuth: tt.tokenAuth, HTTPClient: &http.Client{Transport: rec}})
				if err != nil {
					t.Fatal(err)
				}
				f := authorize(t, ctx, op, p, "alice")
				if _, _, err := f.exchange(ctx, p); err != nil {
					t.Fatal(err)
				}
				form, hdr := rec.tokenRequest(t)
				if got := strings.HasPrefix(hdr.Get("Authorization"), "Basic "); got != tt.basic {
					t.Errorf("Authorization = %q, want Basic: %v", hdr.Get("Authorization"), tt.basic)
				}
				if got := form.Get("client_secret") == "rp-secret"; got == tt.basic {
					t.Errorf("client_secret in the body = %q, want it: %v", form.Get("client_secret"), !tt.basic)
				}
				if form.Get("code_verifier") != f.verifier || form.Get("redirect_uri") != opRedirect ||
					form.Get("grant_type") != "authorization_code" {
					t.Errorf("token request form = %v", form)
				}
			})
		}
	})

	t.Run("wrong client secret is refused by the OP", func(t *testing.T) {
		p, err := providers.OpenID(ctx, providers.OpenIDConfig{ID: "local", Issuer: op.Issuer, ClientID: "rp",
			ClientSecret: "not-the-secret"})
		if err != nil {
			t.Fatal(err)
		}
		f := authorize(t, ctx, op, p, "alice")
		if _, _, err := f.exchange(ctx, p); !errors.Is(err, providers.ErrExchange) || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("err = %v, want ErrExchange (invalid_client)", err)
		}
	})

	t.Run("access denied", func(t *testing.T) {
		raw, err := rp.AuthCodeURL(ctx, authserver.AuthCodeParams{State: "st", CodeVerifier: oauth2.GenerateVerifier(),
			RedirectURI: opRedirect})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := op.Abort(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Query().Get("error") != "access_denied" || cb.Query().Get("state") != "st" {
			t.Fatalf("callback = %s", cb)
		}
	})
}

func TestOpenIDUserinfoFallback(t *testing.T) {
	op := startOP(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rp := newOpenID(t, op, "rp", providers.ClientSecretPost)
	for _, tt := range []struct {
		login string
		want  authserver.ProviderUser
	}{
		{"alice", authserver.ProviderUser{Subject: "alice", Email: "alice@example.com", EmailVerified: true,
			Name: "Alice Example", Image: "https://example.com/a.png"}},
		{"bob", authserver.ProviderUser{Subject: "bob", Email: "bob@example.com", Name: "Bob Unverified"}},
	} {
		t.Run(tt.login, func(t *testing.T) {
			f := authorize(t, ctx, op, rp, tt.login)
			tokens, user, err := f.exchange(ctx, rp)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Issuer = op.Issuer
			if *user != tt.want {
				t.Errorf("user = %+v\nwant   %+v", *user, tt.want)
			}
			// The ID token alone has no email: the email above came from userinfo.
			bare, err := rp.VerifyIDToken(ctx, tokens.IDToken, f.nonce)
			if err != nil {
				t.Fatal(err)
			}
			if bare.Email != "" || bare.EmailVerified {
				t.Errorf("ID token user = %+v, want no email (OP_ID_TOKEN_ALL_CLAIMS=0)", bare)
			}
			// The refresh token the OP issued gives a new access token, which reads the same user at the
			// userinfo endpoint (/account-info).
			if tokens.RefreshToken == "" {
				t.Fatal("the OP issued no refresh token")
			}
			fresh, err := rp.(authserver.TokenRefresher).RefreshAccessToken(ctx, tokens.RefreshToken)
			if err != nil || fresh.AccessToken == "" || fresh.AccessToken == tokens.AccessToken || fresh.AccessTokenExpiresAt.IsZero() {
				t.Fatalf("refresh: %+v %v", fresh, err)
			}
			info, raw, err := rp.(authserver.UserInfoReader).UserInfo(ctx, *fresh)
			if err != nil || *info != tt.want || raw["sub"] != tt.login || raw["email"] != tt.want.Email {
				t.Fatalf("user info %+v %v %v, want %+v", info, raw, err, tt.want)
			}
			if _, err := rp.(authserver.TokenRefresher).RefreshAccessToken(ctx, "not-a-refresh-token"); !errors.Is(err, providers.ErrRefresh) {
				t.Fatalf("refresh with a bad token: %v, want ErrRefresh", err)
			}
		})
	}
}

func TestOpenIDDiscovery(t *testing.T) {
	op := startOP(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name    string
		cfg     providers.OpenIDConfig
		wantErr error
	}{
		{"issuer with a trailing slash", providers.OpenIDConfig{ID: "x", Issuer: op.Issuer + "/", ClientID: "rp"}, auth.ErrInvalidConfig},
		{"no id", providers.OpenIDConfig{Issuer: op.Issuer, ClientID: "rp"}, auth.ErrInvalidConfig},
		{"no client id", providers.OpenIDConfig{ID: "x", Issuer: op.Issuer}, auth.ErrInvalidConfig},
		{"unreachable issuer", providers.OpenIDConfig{ID: "x", Issuer: "http://127.0.0.1:1", ClientID: "rp"}, auth.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := providers.OpenID(ctx, tt.cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
