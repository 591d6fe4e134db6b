package authserver

import (
	"context"
	"errors"
	"time"
)

// ErrIDTokenNotSupported is returned by [Provider.VerifyIDToken] for providers that cannot sign users in
// with an ID token (plain OAuth 2.0 providers such as GitHub).
var ErrIDTokenNotSupported = errors.New("auth: id_token not supported")

// Provider is a social sign-in provider, like one of Better Auth's socialProviders: an OAuth 2.0 or OpenID
// Connect identity provider. The providers module (github.com/gobetterauth/gobetterauth/providers) has
// Google, Microsoft Entra ID, Apple, GitLab, GitHub and any OpenID Connect issuer. Implementations must be
// safe for concurrent use, must verify every ID token (signature by the issuer's keys, exact iss, aud =
// client id, azp when present, exp, and the nonce when one is given) and must bound their HTTP calls in time.
type Provider interface {
	// ID is the provider id: the :provider of /callback/:provider and the account table's providerId
	// ("google").
	ID() string
	// AuthCodeURL returns the authorization URL the browser is sent to.
	AuthCodeURL(ctx context.Context, p AuthCodeParams) (string, error)
	// Exchange redeems an authorization code and returns the tokens and the verified identity. When
	// p.Nonce is not empty the ID token must carry exactly that nonce.
	Exchange(ctx context.Context, p ExchangeParams) (*ProviderTokens, *ProviderUser, error)
	// VerifyIDToken checks an ID token the client obtained itself (sign-in with an ID token) and returns
	// its identity; nonce, when not empty, must match. Providers without ID tokens return
	// [ErrIDTokenNotSupported].
	VerifyIDToken(ctx context.Context, idToken, nonce string) (*ProviderUser, error)
}

// TokenRefresher is implemented by providers that can refresh access tokens (Better Auth's
// refreshAccessToken): POST /refresh-token needs it, and POST /get-access-token refreshes through it when
// the stored access token is expired or expires within 5 s. Without it a provider's tokens are served as
// stored.
type TokenRefresher interface {
	// RefreshAccessToken redeems refreshToken at the provider's token endpoint (grant_type=refresh_token)
	// and returns the new tokens. RefreshToken is "" or the one given when the provider did not rotate it
	// (the stored one stays); zero expiries are unknown. Errors answer FAILED_TO_REFRESH_ACCESS_TOKEN (or
	// FAILED_TO_GET_ACCESS_TOKEN) and are logged, never shown.
	RefreshAccessToken(ctx context.Context, refreshToken string) (*ProviderTokens, error)
}

// UserInfoReader is implemented by providers that read the user's profile with an access token (Better
// Auth's getUserInfo): GET /account-info answers with it. Without it /account-info answers 401
// FAILED_TO_GET_USER_INFO.
type UserInfoReader interface {
	// UserInfo returns the user tokens belong to (tokens holds a valid access token, the stored ID token
	// and the scopes) and the provider's profile as it sent it (the answer's data). Errors wrapping
	// [auth.ErrUnavailable] answer 503, others 401 FAILED_TO_GET_USER_INFO.
	UserInfo(ctx context.Context, tokens ProviderTokens) (*ProviderUser, map[string]any, error)
}

// AuthCodeParams are the parameters of an authorization request.
type AuthCodeParams struct {
	// State is the server-generated state (stored and bound to the browser by the caller).
	State string
	// CodeVerifier is the PKCE verifier; the URL carries its S256 challenge. Always set.
	CodeVerifier string
	// Nonce is the OpenID Connect nonce, or "" for plain OAuth 2.0 providers.
	Nonce string
	// RedirectURI is <BaseURL><BasePath>/callback/<id>.
	RedirectURI string
	// Scopes are requested in addition to the provider's defaults.
	Scopes []string
	// LoginHint is passed as login_hint when not empty.
	LoginHint string
}

// ExchangeParams are the parameters of a token request.
type ExchangeParams struct {
	Code, CodeVerifier, RedirectURI string
	// Nonce is the nonce sent with the authorization request ("" for none).
	Nonce string
}

// ProviderTokens are the tokens of a provider, as Better Auth stores them on the account row.
type ProviderTokens struct {
	AccessToken, RefreshToken, IDToken          string
	AccessTokenExpiresAt, RefreshTokenExpiresAt time.Time // zero when unknown
	// Scopes are the granted scopes.
	Scopes []string
}

// ProviderUser is a verified identity from a provider.
type ProviderUser struct {
	// Subject is the provider's stable user id (the ID token's sub, GitHub's numeric id): the account
	// row's accountId.
	Subject string
	// Issuer is the OpenID issuer ("https://accounts.google.com"), or "" for plain OAuth 2.0 providers.
	Issuer string
	// Email is the user's email address, "" when the provider gave none.
	Email string
	// EmailVerified says whether the provider vouches for Email.
	EmailVerified bool
	// Name and Image are the display name and avatar URL, "" when unknown.
	Name, Image string
}
