package authhttp

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Option configures Require and Optional.
type Option func(*options)

type options struct {
	policy  auth.Policy
	onError func(http.ResponseWriter, *http.Request, error)
}

// WithPolicy sets the route policy: protected and skipped path prefixes, page routes that redirect to a
// login URL, and role, permission and custom checks. See [auth.Policy]; its zero value (the default)
// authenticates every path and answers refusals with JSON.
func WithPolicy(p auth.Policy) Option {
	return func(o *options) { o.policy = p }
}

// WithErrorHandler replaces [WriteError] as the answer to refused requests (401, 403, 500, 503); page
// redirects are still written by the middleware. h must write a response; the next handler is not called
// either way. [auth.HTTPStatus] gives the status to use. Nil means WriteError.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(o *options) { o.onError = h }
}
