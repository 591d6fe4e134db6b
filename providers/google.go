package providers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Google's endpoints and issuer.
const (
	GoogleIssuer   = "https://accounts.google.com"
	GoogleAuthURL  = "https://accounts.google.com/o/oauth2/v2/auth"
	GoogleTokenURL = "https://oauth2.googleapis.com/token"
	GoogleJWKSURL  = "https://www.googleapis.com/oauth2/v3/certs"
	// GoogleUserInfoURL is Google's OpenID userinfo endpoint, which UserInfo reads.
	GoogleUserInfoURL = "https://openidconnect.googleapis.com/v1/userinfo"
)

// idTokenMaxAge is how old (by iat) an ID token from Google, Microsoft or Apple may be, as Better Auth
// allows.
const idTokenMaxAge = time.Hour

// GoogleConfig configures [Google].
type GoogleConfig struct {
	// ClientID and ClientSecret are the OAuth client's credentials. Both are required.
	ClientID     string
	ClientSecret auth.Secret
	// Scopes are requested in addition to the defaults, "email profile openid".
	Scopes []string
	// DisableDefaultScopes drops the default scopes.
	DisableDefaultScopes bool
	// Audiences are additional client ids accepted as an ID token's aud and azp (Android and iOS client
	// ids, for sign-in with an ID token). ClientID is always accepted.
	Audiences []string
	// HostedDomain restricts sign-in to a Google Workspace domain: it is sent as hd and the ID token's hd
	// claim must equal it; "*" accepts any Workspace domain (but not a consumer account). "" allows all.
	HostedDomain string
	// Prompt and AccessType are sent as prompt ("select_account", "consent") and access_type
	// ("offline" for a refresh token) when not empty.
	Prompt, AccessType string
	// DisableIncludeGrantedScopes stops sending include_granted_scopes=true, which Better Auth sends by
	// default.
	DisableIncludeGrantedScopes bool
	// AuthURL, TokenURL, JWKSURL and UserInfoURL replace Google's endpoints (for tests). Empty means
	// Google's.
	AuthURL, TokenURL, JWKSURL, UserInfoURL string
	// HTTPClient makes every call to Google; see [OpenIDConfig].HTTPClient.
	HTTPClient *http.Client
	// Now is the clock for ID token checks. Nil means time.Now.
	Now func() time.Time
}

// Google returns the Google provider, id "google", as Better Auth's: scopes "email profile openid", PKCE,
// include_granted_scopes=true, identity from the ID token (RS256, issuer https://accounts.google.com or
// accounts.google.com, at most an hour old): sub, email, email_verified, name, picture. Sign-in with an ID
// token is supported.
func Google(cfg GoogleConfig) (authserver.Provider, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, configError("google: ClientID and ClientSecret are required")
	}
	client, now := boundedClient(cfg.HTTPClient), orNow(cfg.Now)
	var scopes []string
	if !cfg.DisableDefaultScopes {
		scopes = []string{"email", "profile", "openid"}
	}
	var params [][2]string
	if cfg.Prompt != "" {
		params = append(params, [2]string{"prompt", cfg.Prompt})
	}
	if cfg.AccessType != "" {
		params = append(params, [2]string{"access_type", cfg.AccessType})
	}
	if cfg.HostedDomain != "" {
		params = append(params, [2]string{"hd", cfg.HostedDomain})
	}
	if !cfg.DisableIncludeGrantedScopes {
		params = append(params, [2]string{"include_granted_scopes", "true"})
	}
	var check func(c *idClaims) error
	if hd := cfg.HostedDomain; hd != "" {
		check = func(c *idClaims) error {
			if c.HD == "" || (hd != "*" && c.HD != hd) {
				return errors.New("hd does not match the hosted domain")
			}
			return nil
		}
	}
	p := &provider{
		id: "google",
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: oauth2.Endpoint{
			AuthURL: or(cfg.AuthURL, GoogleAuthURL), TokenURL: or(cfg.TokenURL, GoogleTokenURL),
			AuthStyle: oauth2.AuthStyleInParams}},
		scopes:   joinScopes(scopes, cfg.Scopes),
		params:   params,
		client:   client,
		now:      now,
		userinfo: or(cfg.UserInfoURL, GoogleUserInfoURL),
		ids: newIDTokenVerifier("google", client, now, idTokenOptions{
			issuer:    GoogleIssuer, // go-oidc also accepts "accounts.google.com" for this issuer
			jwksURL:   or(cfg.JWKSURL, GoogleJWKSURL),
			algs:      []string{oidc.RS256},
			audiences: append([]string{cfg.ClientID}, cfg.Audiences...),
			maxAge:    idTokenMaxAge,
			check:     check,
		}),
	}
	p.user = func(_ context.Context, _ *oauth2.Token, idt *oidc.IDToken, c *idClaims) (*authserver.ProviderUser, error) {
		return &authserver.ProviderUser{Subject: idt.Subject, Issuer: GoogleIssuer, Email: c.Email,
			EmailVerified: c.Email != "" && c.EmailVerified.Value, Name: c.Name, Image: c.Picture}, nil
	}
	return p, nil
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
