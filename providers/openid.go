package providers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// OpenIDConfig configures [OpenID]: any OpenID Connect provider, found from its discovery document, like
// a Better Auth genericOAuth provider with a discoveryUrl.
type OpenIDConfig struct {
	// ID is the provider id ("keycloak"): the :provider of /callback/:provider. Required.
	ID string
	// Issuer is the issuer URL. The discovery document is read from
	// Issuer + "/.well-known/openid-configuration" and its "issuer" must equal Issuer exactly. Required.
	Issuer string
	// ClientID and ClientSecret are the client's credentials. ClientID is required; an empty
	// ClientSecret makes a public client (PKCE only).
	ClientID     string
	ClientSecret auth.Secret
	// TokenAuth is how the client authenticates at the token endpoint: [ClientSecretPost] (the zero value,
	// Better Auth's default) or [ClientSecretBasic].
	TokenAuth TokenAuth
	// Scopes are requested on every authorization. Nil means "openid email profile"; "openid" is added
	// first when missing, as Better Auth does for OpenID providers. Per-request scopes are added to these.
	Scopes []string
	// Audiences are additional client ids accepted as an ID token's aud and azp (for example the client
	// ids of mobile apps that sign in with an ID token). ClientID is always accepted.
	Audiences []string
	// AuthParams are extra authorization request parameters ("prompt": "consent", "access_type":
	// "offline"). state, client_id, redirect_uri, response_type, code_challenge(_method), nonce and scope
	// cannot be overridden and are ignored here.
	AuthParams map[string]string
	// HTTPClient makes every call to the provider. Nil means a new client. Either way it is used through a
	// copy that times out after [DefaultTimeout] (unless it has a Timeout), does not follow redirects and
	// reads at most [MaxResponseBytes] per answer.
	HTTPClient *http.Client
	// Now is the clock for ID token checks. Nil means time.Now.
	Now func() time.Time
}

// OpenID returns a provider for any OpenID Connect issuer. It reads the discovery document now (ctx
// bounds that call only) and refuses an issuer whose document names another issuer, has no jwks_uri, or
// lists code_challenge_methods_supported without S256.
//
// The provider always sends a PKCE S256 challenge, sends the nonce it is given, and authenticates with
// client_secret_post unless [OpenIDConfig].TokenAuth says basic. ID tokens are verified by go-oidc
// (signature with the issuer's JWKS, the issuer's asymmetric algorithms only, exact iss, exp) and here (aud
// is the client id, azp when present, sub and iat present, the nonce when given, at_hash when present).
// The user's email, email_verified, name and picture come from the ID token when it carries sub and
// email; otherwise from the userinfo endpoint, whose sub must equal the ID token's, and then
// email_verified is the userinfo's too: a verification flag is only trusted from the source that gave the
// email. A missing email_verified is false.
func OpenID(ctx context.Context, cfg OpenIDConfig) (authserver.Provider, error) {
	if cfg.ID == "" || strings.ContainsAny(cfg.ID, "/?#") {
		return nil, configError("OpenID: ID %q: want a non-empty id without / ? #", cfg.ID)
	}
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, configError("OpenID %s: Issuer and ClientID are required", cfg.ID)
	}
	client := boundedClient(cfg.HTTPClient)
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		if isUnreachable(err) {
			return nil, unavailable(cfg.ID, fmt.Errorf("discovery of %s: %w", cfg.Issuer, err))
		}
		return nil, configError("OpenID %s: discovery of %s: %v", cfg.ID, cfg.Issuer, err)
	}
	var disc struct {
		Issuer      string   `json:"issuer"`
		JWKSURI     string   `json:"jwks_uri"`
		UserInfo    string   `json:"userinfo_endpoint"`
		Algs        []string `json:"id_token_signing_alg_values_supported"`
		PKCEMethods []string `json:"code_challenge_methods_supported"`
	}
	if err := op.Claims(&disc); err != nil {
		return nil, configError("OpenID %s: discovery document: %v", cfg.ID, err)
	}
	if disc.JWKSURI == "" {
		return nil, configError("OpenID %s: the discovery document of %s has no jwks_uri", cfg.ID, cfg.Issuer)
	}
	if len(disc.PKCEMethods) > 0 && !slices.Contains(disc.PKCEMethods, "S256") {
		return nil, configError("OpenID %s: %s does not support PKCE S256 (code_challenge_methods_supported %v)",
			cfg.ID, cfg.Issuer, disc.PKCEMethods)
	}
	// Only asymmetric algorithms: an HS256 ID token would be keyed with the client secret (C19).
	var algs []string
	for _, a := range disc.Algs {
		if a != "none" && !strings.HasPrefix(a, "HS") {
			algs = append(algs, a)
		}
	}
	now := orNow(cfg.Now)
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = []string{"openid", "email", "profile"}
	}
	if !slices.Contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	ep := op.Endpoint()
	ep.AuthStyle = cfg.TokenAuth.style()
	p := &provider{
		id:       cfg.ID,
		conf:     oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: ep},
		scopes:   joinScopes(scopes),
		params:   extraParams(cfg.AuthParams),
		client:   client,
		now:      now,
		userinfo: disc.UserInfo,
		ids: newIDTokenVerifier(cfg.ID, client, now, idTokenOptions{
			issuer:    disc.Issuer,
			jwksURL:   disc.JWKSURI,
			algs:      algs,
			audiences: append([]string{cfg.ClientID}, cfg.Audiences...),
		}),
	}
	p.user = func(ctx context.Context, tok *oauth2.Token, idt *oidc.IDToken, c *idClaims) (*authserver.ProviderUser, error) {
		u := &authserver.ProviderUser{Subject: idt.Subject, Issuer: disc.Issuer}
		src := c
		if c.Email == "" && disc.UserInfo != "" && tok != nil && tok.AccessToken != "" {
			var ui idClaims
			if err := getJSON(ctx, cfg.ID, disc.UserInfo, tok.AccessToken, nil, &ui); err != nil {
				return nil, err
			}
			if ui.Sub != idt.Subject {
				return nil, fmt.Errorf("%w: %s: userinfo sub %q is not the id_token's", ErrUserInfo, cfg.ID, ui.Sub)
			}
			src = &ui
		}
		u.Email, u.EmailVerified = src.Email, src.Email != "" && src.EmailVerified.Value
		u.Name, u.Image = src.Name, src.Picture
		return u, nil
	}
	return p, nil
}
