package authhttp

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Middleware returns net/http middleware that authenticates each request with a and applies the route
// policy given with [WithPolicy] (by default: valid credentials required on every path; [Optional] lets
// anonymous requests through). On success it puts the session in the request's context (read it with
// [Session]) and calls next; otherwise it writes the answer (the shared JSON error, or a redirect for a page
// route) and does not call next. A Middleware inside another one reuses the session the outer one found and
// only adds its own checks (for example Roles on an admin route).
//
// Middleware panics if a is nil or the policy is invalid (see [auth.NewGuard]): a programming error found
// at set-up, never at request time.
func Middleware(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	return middleware(a, nil, opts)
}

// Require is [Middleware] that always requires credentials (the policy's Optional field and [Optional] are
// ignored).
//
// Deprecated: use [Middleware]; it requires credentials unless told otherwise.
func Require(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	no := false
	return middleware(a, &no, opts)
}

// Session returns the caller that [Middleware] authenticated for r, from its context. ok is false for an
// anonymous request (an optional or skipped route).
func Session(r *http.Request) (*auth.Session, bool) { return auth.FromContext(r.Context()) }

// SessionFrom is [Session].
//
// Deprecated: use [Session], the name every adapter uses.
func SessionFrom(r *http.Request) (*auth.Session, bool) { return Session(r) }

// Request returns the route policy's view of r ([auth.NewRouteRequest]), for code that calls
// [auth.Guard.Check], or [auth.Auth.Authenticate] with its Request field, directly. It copies nothing:
// net/http does not reuse request memory.
func Request(r *http.Request) auth.RouteRequest { return auth.NewRouteRequest(r) }

// RouteRequest is [Request].
//
// Deprecated: use [Request], which now returns the route policy's view.
func RouteRequest(r *http.Request) auth.RouteRequest { return auth.NewRouteRequest(r) }

// middleware builds the middleware; a non-nil optional overrides the policy and options (for Require).
func middleware(a *auth.Auth, optional *bool, opts []Option) func(http.Handler) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Optional = o.policy.Optional || o.optional
	if optional != nil {
		o.policy.Optional = *optional
	}
	g, err := auth.NewGuard(a, o.policy)
	if err != nil {
		panic("authhttp: " + err.Error())
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rr := auth.NewRouteRequest(r)
			ctx := r.Context()
			d := g.Check(ctx, &rr)
			switch {
			case d.Action == auth.Allow:
				if c := d.Context(ctx); c != ctx {
					r = r.WithContext(c)
				}
				next.ServeHTTP(w, r)
			case d.Action == auth.Deny && o.onError != nil:
				o.onError(w, r, d.Err)
			default:
				d.Write(w)
			}
		})
	}
}

// WriteError is the default error handler: the status from [auth.HTTPStatus], WWW-Authenticate or
// Retry-After as the error calls for, and Better Auth's JSON error body.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	auth.NewErrorResponse(err).Write(w)
}
