package authecho

import (
	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Option configures [Middleware].
type Option func(*options)

type options struct {
	policy   auth.Policy
	optional bool
	onError  func(*echo.Context, error) error
}

// WithPolicy sets the route policy: optional auth, protected and skipped path prefixes, page routes that
// redirect to a login URL, and role, permission and custom checks. See [auth.Policy]; its zero value (the
// default) requires valid credentials on every path and answers refusals with JSON.
func WithPolicy(p auth.Policy) Option {
	return func(o *options) { o.policy = p }
}

// Optional lets requests without credentials through anonymously; present but invalid credentials are still
// refused. It is the same as setting Optional in the policy, and may be combined with [WithPolicy] in
// either order.
func Optional() Option {
	return func(o *options) { o.optional = true }
}

// WithErrorHandler replaces [WriteError] as the answer to refused requests (401, 403, 500, 503); page
// redirects are still written by the middleware. The next handler never runs after h. h either writes a
// response and returns nil, or returns an error for echo's HTTPErrorHandler (an *echo.HTTPError with the
// status from [auth.HTTPStatus], say). Nil means WriteError.
func WithErrorHandler(h func(c *echo.Context, err error) error) Option {
	return func(o *options) { o.onError = h }
}
