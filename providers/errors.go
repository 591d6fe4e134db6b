package providers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Sentinel errors. Match them with [errors.Is]. A provider that could not be reached (a network error, a
// timeout, a 5xx or 429 answer, an unreachable key set) gives an [*auth.UnavailableError] instead, so
// errors.Is(err, auth.ErrUnavailable) holds and the caller can answer 503 rather than blame the user.
var (
	// ErrInvalidIDToken means an ID token failed verification: signature, algorithm, issuer, audience,
	// authorized party, expiry, issued-at, nonce or a provider-specific claim check. It wraps
	// [auth.ErrInvalidToken], so [auth.HTTPStatus] maps it to 401. Better Auth's callback answers it with
	// error=unable_to_get_user_info, its sign-in with an ID token with 401 INVALID_TOKEN.
	ErrInvalidIDToken error = &sentinel{"providers: invalid id_token", auth.ErrInvalidToken}
	// ErrExchange means the token endpoint refused the authorization code (invalid_grant for a used,
	// expired or foreign code, or a wrong code_verifier; invalid_client), or answered something that is
	// not a token response. It wraps [auth.ErrInvalidToken]. Better Auth's callback answers it with
	// error=invalid_code.
	ErrExchange error = &sentinel{"providers: code exchange failed", auth.ErrInvalidToken}
	// ErrRefresh means the token endpoint refused a refresh token (invalid_grant for a revoked, expired or
	// foreign refresh token; invalid_client), or answered something that is not a token response. It wraps
	// [auth.ErrInvalidToken]. Better Auth's /refresh-token answers it with FAILED_TO_REFRESH_ACCESS_TOKEN.
	ErrRefresh error = &sentinel{"providers: token refresh failed", auth.ErrInvalidToken}
	// ErrUserInfo means the provider's identity could not be read: no ID token where one is required,
	// a user API that refused the access token, a userinfo subject that differs from the ID token's, or a
	// disabled account. Better Auth's callback answers it with error=unable_to_get_user_info.
	ErrUserInfo = errors.New("providers: unable to get user info")
	// ErrParams means the caller passed incomplete parameters (no state, code verifier, redirect URI or
	// code): a programming error.
	ErrParams = errors.New("providers: missing parameters")
)

// sentinel is an error with its own message that also matches a more general one.
type sentinel struct {
	msg    string
	parent error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.parent }

// unavailable wraps err, a failure to reach the provider, as an [auth.UnavailableError].
func unavailable(id string, err error) error {
	return &auth.UnavailableError{Err: fmt.Errorf("providers: %s: %w", id, err)}
}

// isUnreachable reports whether err says the provider could not be reached (as opposed to answering no).
func isUnreachable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return false
}

// classify turns err from a call to provider id into an [auth.UnavailableError] when the provider could not
// be reached, and wraps it with kind otherwise.
func classify(id string, kind, err error) error {
	if isUnreachable(err) {
		return unavailable(id, err)
	}
	return fmt.Errorf("%w: %s: %w", kind, id, err)
}

func invalidIDToken(id, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidIDToken, id, reason)
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: providers: "+format, append([]any{auth.ErrInvalidConfig}, args...)...)
}
