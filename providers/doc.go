// Package providers has the social sign-in providers of gobetterauth: implementations of [authserver.Provider]
// that behave like Better Auth's socialProviders, built on [go-oidc] and [golang.org/x/oauth2].
//
//   - [OpenID]: any OpenID Connect issuer, from its discovery document (Better Auth's genericOAuth with a
//     discoveryUrl).
//   - [Google], [Microsoft] (Entra ID), [Apple]: OpenID Connect, identity from the ID token.
//   - [GitLab], [GitHub]: plain OAuth 2.0, identity from the provider's REST API.
//
// Each has Better Auth's default scopes and maps the profile to an [authserver.ProviderUser] as Better Auth
// does; the constructors' docs say how, provider by provider.
//
// # Security
//
// Every authorization request carries a PKCE S256 challenge, and every code exchange its verifier; the
// state and the verifier are the caller's (server-generated, stored, single use). Every ID token is
// verified, in the code flow too: the signature with the issuer's JWKS (asymmetric algorithms only, so an
// HS256 token keyed with the client secret is refused), the exact issuer, aud = the client id (or one of
// the configured extra audiences), azp when present (and required when there are several audiences), exp
// and iat with a 30-second leeway, the age (one hour for Google, Microsoft and Apple), at_hash when
// present, and the nonce when one is given. The email_verified flag is taken only from the source that
// gave the email, and a missing flag is false.
//
// # Errors
//
// [ErrParams] is a caller bug. [ErrExchange] (the code was refused), [ErrRefresh] (the refresh token was
// refused), [ErrInvalidIDToken] and [ErrUserInfo] are the provider saying no; the first three wrap
// [auth.ErrInvalidToken]. A provider that
// cannot be reached, times out, or answers 5xx or 429 gives an [*auth.UnavailableError]: the caller
// should answer 503 and let the user retry, not blame them.
//
// # HTTP
//
// All calls go through a copy of the configured http.Client (or a new one) with a [DefaultTimeout] when
// it has none, no redirects followed, and responses limited to [MaxResponseBytes]. Key sets are fetched
// by go-oidc in the background on a context the provider owns, with that client, and cached.
//
// [go-oidc]: https://pkg.go.dev/github.com/coreos/go-oidc/v3/oidc
package providers
