package providers

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Sign in with Apple's endpoints and issuer.
const (
	AppleIssuer   = "https://appleid.apple.com"
	AppleAuthURL  = "https://appleid.apple.com/auth/authorize"
	AppleTokenURL = "https://appleid.apple.com/auth/token"
	AppleJWKSURL  = "https://appleid.apple.com/auth/keys"
)

// AppleConfig configures [Apple].
type AppleConfig struct {
	// ClientID is the Services ID. Required.
	ClientID string
	// ClientSecret is the client secret: a JWT (ES256) that you sign with your Sign in with Apple key and
	// renew before it expires (at most six months). Generating it is the caller's job. Required.
	ClientSecret auth.Secret
	// Scopes are requested in addition to the defaults, "email name".
	Scopes []string
	// DisableDefaultScopes drops the default scopes.
	DisableDefaultScopes bool
	// Audiences are additional client ids accepted as an ID token's aud and azp: the app bundle
	// identifiers of native apps that sign in with an ID token. ClientID is always accepted.
	Audiences []string
	// AuthURL, TokenURL and JWKSURL replace Apple's endpoints (for tests). Empty means Apple's.
	AuthURL, TokenURL, JWKSURL string
	// HTTPClient makes every call to Apple; see [OpenIDConfig].HTTPClient.
	HTTPClient *http.Client
	// Now is the clock for ID token checks. Nil means time.Now.
	Now func() time.Time
}

// Apple returns the Sign in with Apple provider, id "apple", as Better Auth's: scopes "email name",
// response_type "code id_token" with response_mode=form_post (Apple then POSTs the response to the
// redirect URI: the callback must accept POST), PKCE, identity from the ID token (RS256, issuer
// https://appleid.apple.com, at most an hour old): sub, email, email_verified (a boolean or the strings
// "true"/"false"; missing is false) and name when present. The nonce claim may be the nonce or its
// lower-case hex SHA-256, as Apple's native SDKs send it. Apple gives the user's name only once, in the
// first callback's "user" form field: see [AppleName]. Sign-in with an ID token is supported.
func Apple(cfg AppleConfig) (authserver.Provider, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, configError("apple: ClientID and ClientSecret are required")
	}
	client, now := boundedClient(cfg.HTTPClient), orNow(cfg.Now)
	var scopes []string
	if !cfg.DisableDefaultScopes {
		scopes = []string{"email", "name"}
	}
	p := &provider{
		id: "apple",
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: oauth2.Endpoint{
			AuthURL: or(cfg.AuthURL, AppleAuthURL), TokenURL: or(cfg.TokenURL, AppleTokenURL),
			AuthStyle: oauth2.AuthStyleInParams}},
		scopes: joinScopes(scopes, cfg.Scopes),
		params: [][2]string{{"response_mode", "form_post"}, {"response_type", "code id_token"}},
		client: client,
		now:    now,
		ids: newIDTokenVerifier("apple", client, now, idTokenOptions{
			issuer:      AppleIssuer,
			jwksURL:     or(cfg.JWKSURL, AppleJWKSURL),
			algs:        []string{oidc.RS256},
			audiences:   append([]string{cfg.ClientID}, cfg.Audiences...),
			maxAge:      idTokenMaxAge,
			nonceSHA256: true,
		}),
	}
	p.user = func(_ context.Context, _ *oauth2.Token, idt *oidc.IDToken, c *idClaims) (*authserver.ProviderUser, error) {
		return &authserver.ProviderUser{Subject: idt.Subject, Issuer: AppleIssuer, Email: c.Email,
			EmailVerified: c.Email != "" && c.EmailVerified.Value, Name: c.Name}, nil
	}
	return p, nil
}

// AppleName returns the display name in the "user" form field Apple posts with the first authorization
// ({"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"…"}): first and last name joined by a
// space, as Better Auth builds it, or "" when the field is absent or malformed.
func AppleName(userField string) string {
	var v struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if userField == "" || json.Unmarshal([]byte(userField), &v) != nil {
		return ""
	}
	return strings.TrimSpace(v.Name.FirstName + " " + v.Name.LastName)
}
