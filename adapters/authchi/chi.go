package authchi

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Middleware returns chi middleware (any func(http.Handler) http.Handler chain works) that authenticates
// each request with a and applies the route policy given with [WithPolicy] (by default: valid credentials
// required on every path). On success it puts the session in the request's context and calls next;
// otherwise it writes the answer (the shared JSON error, or a redirect for a page route) and does not call
// next.
//
// Use it with r.Use on a router, a r.Group or a r.Route; a Middleware inside another one reuses the session
// the outer one found and only adds its own checks (for example Roles on an admin group).
//
// Middleware panics if a is nil or the policy is invalid (see [auth.NewGuard]): a programming error found
// at set-up, never at request time.
func Middleware(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Optional = o.policy.Optional || o.optional
	g, err := auth.NewGuard(a, o.policy)
	if err != nil {
		panic("authchi: " + err.Error())
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rr := auth.NewRouteRequest(r)
			ctx := r.Context()
			d := g.Check(ctx, &rr)
			switch {
			case d.Action == auth.Allow:
				if sc := d.Context(ctx); sc != ctx {
					r = r.WithContext(sc)
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

// Session returns the caller that [Middleware] authenticated for r, from its context. ok is false for an
// anonymous request (an optional or skipped route).
func Session(r *http.Request) (*auth.Session, bool) { return auth.FromContext(r.Context()) }

// WriteError is the default error handler: the status from [auth.HTTPStatus], WWW-Authenticate or
// Retry-After as the error calls for, and Better Auth's JSON error body.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	auth.NewErrorResponse(err).Write(w)
}

// Request returns the route policy's view of r ([auth.NewRouteRequest]), for code that calls
// [auth.Guard.Check], or [auth.Auth.Authenticate] with its Request field, directly. It copies nothing:
// net/http does not reuse request memory. The path prefixes are matched against the whole URL path (with the
// raw path when the client encoded it unusually), not the part left to a sub-router.
func Request(r *http.Request) auth.RouteRequest { return auth.NewRouteRequest(r) }
