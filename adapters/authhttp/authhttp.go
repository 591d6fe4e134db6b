package authhttp

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Require returns middleware that lets a request through only with valid credentials, applying the route
// policy given with [WithPolicy] (its Optional field is ignored: Require always requires). It panics if a is
// nil or the policy is invalid (see [auth.NewGuard]), a programming error found at set-up, never at request
// time.
func Require(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	return middleware(a, false, opts)
}

// Optional returns middleware that lets requests without credentials through anonymously and refuses
// requests whose credentials are present but invalid (or cannot be checked). Otherwise it is [Require].
func Optional(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	return middleware(a, true, opts)
}

// SessionFrom returns the session that Require or Optional stored in r's context.
func SessionFrom(r *http.Request) (*auth.Session, bool) { return auth.FromContext(r.Context()) }

// Request returns the core's view of r. It copies nothing: net/http does not reuse request memory.
func Request(r *http.Request) auth.Request {
	return auth.Request{
		Method:        r.Method,
		Path:          r.URL.Path,
		Authorization: r.Header["Authorization"],
		Cookie:        r.Header["Cookie"],
	}
}

// RouteRequest returns the route policy's view of r, for code that calls [auth.Guard.Check] directly.
func RouteRequest(r *http.Request) auth.RouteRequest {
	return auth.RouteRequest{
		Request:   Request(r),
		RawPath:   r.URL.RawPath,
		RawQuery:  r.URL.RawQuery,
		Preflight: r.Method == http.MethodOptions && len(r.Header["Access-Control-Request-Method"]) > 0,
	}
}

func middleware(a *auth.Auth, optional bool, opts []Option) func(http.Handler) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Optional = optional
	g, err := auth.NewGuard(a, o.policy)
	if err != nil {
		panic("authhttp: " + err.Error())
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rr := RouteRequest(r)
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
