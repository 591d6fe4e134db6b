// Package authhttp is gobetterauth's net/http middleware: it authenticates each request with an
// [auth.Auth] and puts the [auth.Session] in the request context.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, BETTER_AUTH_SECRET, …
//	mux.Handle("/api/", authhttp.Require(a)(api))
//	mux.Handle("/", authhttp.Optional(a)(site))
//
// Inside a handler, [SessionFrom] (or [auth.FromContext]) returns the session.
//
// # Denials
//
// [Require] answers a request without valid credentials itself and does not call the next handler: 401 with
// WWW-Authenticate, 503 with Retry-After when a dependency such as the JWKS endpoint is down, each with a
// JSON body {"code","message"} from [auth.NewErrorResponse]. [Optional] lets requests without credentials
// through anonymously but still refuses credentials that are present and invalid (a client that sends a bad
// token should learn so). [WithErrorHandler] replaces the answer.
package authhttp
