// Package authhttp is gobetterauth's net/http middleware: it authenticates each request with an
// [auth.Auth], applies a route policy ([auth.Policy]) and puts the [auth.Session] in the request context.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	mux.Handle("/api/", authhttp.Middleware(a)(api))
//	mux.Handle("/", authhttp.Middleware(a, authhttp.Optional())(site))
//
// Inside a handler, [Session] (or [auth.FromContext]) returns the session.
//
// # Denials
//
// [Middleware] answers a request without valid credentials itself and does not call the next handler: 401
// with WWW-Authenticate, 403 when a check of the policy fails, 503 with Retry-After when a dependency such as
// the JWKS endpoint is down, or 500 if the check panicked, each with a JSON body {"code","message"} from
// [auth.NewErrorResponse]. With [Optional] it lets requests without credentials through anonymously but
// still refuses credentials that are present and invalid (a client that sends a bad token should learn so).
// [WithErrorHandler] replaces the answer.
//
// # Route policy
//
// [WithPolicy] takes an [auth.Policy]: protected and skipped path prefixes, page routes that redirect to a
// login URL with the original path in callbackUrl, and role, permission or custom checks. The policy lives in
// the core, so net/http, chi, gin and fiber behave identically; they all pass the same conformance suite,
// [authtest.Run]. A middleware inside another one reuses the session the outer one found and adds its own
// checks. The middleware never reads the client IP.
//
// [authtest.Run]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#Run
package authhttp
