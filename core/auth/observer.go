package auth

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
)

// Observer receives what an [Auth] does, for traces and metrics (adapters/authotel implements it with
// OpenTelemetry). Set it in [Config].Observer; nil, the default, costs one nil check per call. Its methods
// are called synchronously on the request's goroutine (ObserveJWKSFetch on the fetch's), must be safe for
// concurrent use, must be quick, and must not keep ctx. They are given no token bytes, cookies or user data:
// only the kind of credential, timings and the error, whose kind ([HTTPStatus], [NewErrorResponse]'s Code)
// is what to record.
type Observer interface {
	// ObserveVerify is called once per [Auth.Authenticate] and [Auth.VerifyToken], when it returns: the
	// time it started, the kind of credential it read (0 when there was none; on failure, the kind the
	// request presented), and its error (nil on success).
	ObserveVerify(ctx context.Context, start time.Time, kind Credential, err error)

	// ObserveStoreLookup is called after each session lookup in the Store: when it started and its error
	// (nil when found; store.ErrNotFound when there is no such session).
	ObserveStoreLookup(ctx context.Context, start time.Time, err error)

	// ObserveJWKSFetch is called after each fetch of the JWKS, which runs in the background: when it
	// started and its error. ctx is the fetch's own, not a request's.
	ObserveJWKSFetch(ctx context.Context, start time.Time, err error)
}

// presented is the kind of credential r presents, for an observer of a refused request.
func (a *Auth) presented(r *Request) Credential {
	if len(r.Authorization) > 0 {
		if tok, ok, _ := bearer(r.Authorization[0]); ok {
			if looksLikeJWT(tok) && (a.keys != nil || a.s.hs256) {
				return CredentialJWT
			}
			return CredentialSessionToken
		}
	}
	if len(r.Cookie) > 0 && a.sessionsOn() {
		return CredentialCookie
	}
	return 0
}

// JWKSFetchReason classifies an error given to [Observer].ObserveJWKSFetch, for a metric's attribute: ""
// for nil, "timeout" (the fetch's FetchTimeout ran out), "network" (no answer: DNS, connection, TLS),
// "status" (an answer other than 200), "too_large" (over JWKS.MaxBytes), "malformed" (not a key set),
// "too_many_keys" (over JWKS.MaxKeys), or "other".
func JWKSFetchReason(err error) string {
	var se *jwks.StatusError
	var tl *jwks.TooLargeError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &se):
		return "status"
	case errors.As(err, &tl):
		return "too_large"
	case errors.Is(err, jwks.ErrMalformedSet):
		return "malformed"
	case errors.Is(err, jwks.ErrTooManyKeys):
		return "too_many_keys"
	case errors.As(err, &ne):
		if ne.Timeout() {
			return "timeout"
		}
		return "network"
	}
	return "other"
}
