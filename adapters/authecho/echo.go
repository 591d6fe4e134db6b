package authecho

import (
	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Middleware returns echo middleware that authenticates each request with a and applies the route policy
// given with [WithPolicy] (by default: valid credentials required on every path). On success it puts the
// session in the request's context and calls the next handler; otherwise it writes the answer (the shared
// JSON error, or a redirect for a page route) and returns nil without calling it, so no later handler runs.
//
// Middleware panics if a is nil or the policy is invalid (see [auth.NewGuard]): a programming error found
// at set-up, never at request time.
func Middleware(a *auth.Auth, opts ...Option) echo.MiddlewareFunc {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Optional = o.policy.Optional || o.optional
	g, err := auth.NewGuard(a, o.policy)
	if err != nil {
		panic("authecho: " + err.Error())
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			r := c.Request()
			rr := auth.NewRouteRequest(r)
			ctx := r.Context()
			d := g.Check(ctx, &rr)
			switch {
			case d.Action == auth.Allow:
				if sc := d.Context(ctx); sc != ctx {
					c.SetRequest(r.WithContext(sc))
				}
				return next(c)
			case d.Action == auth.Deny && o.onError != nil:
				return o.onError(c, d.Err)
			default:
				d.Write(c.Response())
				return nil
			}
		}
	}
}

// Session returns the caller that [Middleware] authenticated for this request, from the request's context.
// ok is false for an anonymous request (an optional or skipped route).
func Session(c *echo.Context) (*auth.Session, bool) {
	if c == nil || c.Request() == nil {
		return nil, false
	}
	return auth.FromContext(c.Request().Context())
}

// WriteError is the default error handler: the status from [auth.HTTPStatus], WWW-Authenticate or
// Retry-After as the error calls for, and Better Auth's JSON error body. It returns nil: the answer is
// written, and echo's HTTPErrorHandler has nothing left to do.
func WriteError(c *echo.Context, err error) error {
	auth.NewErrorResponse(err).Write(c.Response())
	return nil
}

// Request returns the route policy's view of c's request ([auth.NewRouteRequest]), for code that calls
// [auth.Guard.Check], or [auth.Auth.Authenticate] with its Request field, directly. It copies nothing: echo
// serves net/http requests, whose memory is not reused. The client IP is never read.
func Request(c *echo.Context) auth.RouteRequest { return auth.NewRouteRequest(c.Request()) }
