package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors. Match them with [errors.Is]; the status each one maps to comes from [HTTPStatus].
var (
	// ErrNoCredentials means the request carried no credentials this Auth reads. It is not a failure: optional
	// routes treat it as an anonymous request. 401.
	ErrNoCredentials = errors.New("auth: no credentials")
	// ErrInvalidToken means credentials were present but are not valid: bad signature, wrong issuer or
	// audience, malformed, unknown key, or not yet valid. 401.
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrExpired means the credentials were valid once but have expired. 401.
	ErrExpired = errors.New("auth: token expired")
	// ErrForbidden means the caller is authenticated but not allowed. 403.
	ErrForbidden = errors.New("auth: forbidden")
	// ErrBanned means the session's user is banned by Better Auth's admin plugin (banned, and banExpires null
	// or still ahead). It is an [ErrForbidden]: 403, with Better Auth's code BANNED_USER.
	ErrBanned = fmt.Errorf("%w: user banned", ErrForbidden)
	// ErrTooManyRequests means the credentials are valid but may not be used now: an API key that used up
	// its uses or is over its rate limit. 429, with Retry-After when known.
	ErrTooManyRequests = errors.New("auth: too many requests")
	// ErrUnavailable means the credentials could not be checked because a dependency (the JWKS endpoint, a
	// database) is down. It is never a reason to log the user out. 503, with Retry-After.
	ErrUnavailable = errors.New("auth: verification unavailable")
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = errors.New("auth: invalid config")
	// ErrStoreInEnv means DATABASE_URL or REDIS_URL names a session store, which [ConfigFromEnv] and [FromEnv]
	// do not open (package auth links no driver): storeurl.ConfigFromEnv and storeurl.FromEnv do. It wraps
	// [ErrInvalidConfig].
	ErrStoreInEnv = fmt.Errorf("%w: a session store is named in the environment", ErrInvalidConfig)
)

// UnavailableError is the typed form of [ErrUnavailable]: it says when to retry.
type UnavailableError struct {
	// RetryAfter is how long the client should wait before retrying; at least one second.
	RetryAfter time.Duration
	// Err is the underlying cause. It may carry details that belong in logs, not in responses.
	Err error
}

// Error implements error.
func (e *UnavailableError) Error() string {
	if e.Err == nil {
		return ErrUnavailable.Error()
	}
	return ErrUnavailable.Error() + ": " + e.Err.Error()
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// reasonError is a 401 with a reason for logs. The reasons are fixed strings, allocated once.
type reasonError struct {
	kind   error
	reason string
}

func (e *reasonError) Error() string        { return e.kind.Error() + ": " + e.reason }
func (e *reasonError) Is(target error) bool { return target == e.kind }

func invalid(reason string) error { return &reasonError{kind: ErrInvalidToken, reason: reason} }

// HTTPStatus returns the status code for an error from this package: 401, 403, 429 or 503, 500 for anything
// unknown (an unknown error must never let a request through, nor log a user out), and 200 for nil. Every
// adapter uses it, so they cannot drift.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrInvalidToken), errors.Is(err, ErrExpired):
		return http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrTooManyRequests):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// RetryAfter returns how long a client should wait before retrying after err, if err says so.
func RetryAfter(err error) (time.Duration, bool) {
	if ue, ok := errors.AsType[*UnavailableError](err); ok {
		return max(ue.RetryAfter, time.Second), true
	}
	if errors.Is(err, ErrUnavailable) {
		return time.Second, true
	}
	if ke, ok := errors.AsType[*APIKeyError](err); ok && ke.RetryAfter > 0 {
		return ke.RetryAfter, true
	}
	return 0, false
}

// ErrorResponse is the HTTP answer for an error, in Better Auth's JSON shape {"code":"…","message":"…"}.
// It never contains token bytes or the error's internal details.
type ErrorResponse struct {
	// Status is the HTTP status code, from [HTTPStatus].
	Status int
	// Code is a Better Auth style error code, e.g. "UNAUTHORIZED".
	Code string
	// Message is a short human-readable message.
	Message string
	// WWWAuthenticate is the WWW-Authenticate header value for 401s (RFC 6750 §3), or "".
	WWWAuthenticate string
	// RetryAfter is the Retry-After header value in seconds for 503s and 429s, or 0.
	RetryAfter int
}

// NewErrorResponse maps err to its HTTP answer.
func NewErrorResponse(err error) ErrorResponse {
	r := ErrorResponse{Status: HTTPStatus(err)}
	if ke, ok := errors.AsType[*APIKeyError](err); ok && !errors.Is(err, ErrForbidden) {
		r.Code, r.Message = ke.Code, ke.Message
		if r.Status == http.StatusUnauthorized {
			r.WWWAuthenticate = `Bearer error="invalid_token"`
		}
		if d, ok := RetryAfter(err); ok {
			r.RetryAfter = int((d + time.Second - 1) / time.Second)
		}
		return r
	}
	switch {
	case errors.Is(err, ErrNoCredentials):
		r.Code, r.Message, r.WWWAuthenticate = "UNAUTHORIZED", "Unauthorized", "Bearer"
	case errors.Is(err, ErrExpired):
		r.Code, r.Message, r.WWWAuthenticate = "TOKEN_EXPIRED", "Token expired", `Bearer error="invalid_token"`
	case errors.Is(err, ErrInvalidToken):
		r.Code, r.Message, r.WWWAuthenticate = "INVALID_TOKEN", "Invalid token", `Bearer error="invalid_token"`
	case errors.Is(err, ErrBanned):
		r.Code, r.Message = "BANNED_USER", "You have been banned from this application. Please contact support if you believe this is an error."
	case errors.Is(err, ErrForbidden):
		r.Code, r.Message = "FORBIDDEN", "Forbidden"
	case errors.Is(err, ErrUnavailable):
		d, _ := RetryAfter(err)
		r.Code, r.Message, r.RetryAfter = "SERVICE_UNAVAILABLE", "Authentication is temporarily unavailable", int((d+time.Second-1)/time.Second)
	default:
		r.Code, r.Message = "INTERNAL_SERVER_ERROR", "Internal server error"
	}
	return r
}

// Body returns the JSON body. Code and Message are fixed ASCII strings, so no escaping is needed.
func (r ErrorResponse) Body() []byte {
	return []byte(`{"code":"` + r.Code + `","message":"` + r.Message + `"}`)
}

// Write writes the response to w: the headers, the status and the JSON body.
func (r ErrorResponse) Write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if r.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", r.WWWAuthenticate)
	}
	if r.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(r.RetryAfter))
	}
	w.WriteHeader(r.Status)
	_, _ = w.Write(r.Body())
}
