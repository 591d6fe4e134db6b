// Package authchi is gobetterauth's chi middleware: it authenticates each request with an [auth.Auth],
// applies a route policy ([auth.Policy]) and puts the caller's [auth.Session] in the request context.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	r := chi.NewRouter()
//	r.Use(authchi.Middleware(a))
//	r.Get("/api/me", func(w http.ResponseWriter, r *http.Request) {
//		s, _ := authchi.Session(r) // or auth.FromContext(r.Context())
//		fmt.Fprintln(w, s.User.Email)
//	})
//
// [Middleware] is a plain func(http.Handler) http.Handler, so it works with r.Use, r.With, inside r.Group and
// r.Route, and on mounted sub-routers. Path prefixes in the policy are matched against the full URL path,
// not the part left to a sub-router.
//
// # Denials
//
// A request the policy refuses is answered by the middleware, and the next handler does not run: 401 with
// WWW-Authenticate, 403, 503 with Retry-After when a dependency such as the JWKS endpoint or the session
// store is down, or 500 if the check panicked, each with the JSON body {"code","message"} from
// [auth.NewErrorResponse], byte for byte the same as every other gobetterauth adapter. [WithErrorHandler]
// replaces that answer. A page route ([auth.Policy].Pages) redirects a visitor who is not signed in to the
// login URL instead, with the original path in callbackUrl.
//
// # Route policy
//
// [WithPolicy] takes an [auth.Policy]: optional auth ([Optional]), protected and skipped path prefixes, page
// routes, and role, permission or custom checks. The policy lives in the core, so chi, gin, fiber and
// net/http behave identically; they all pass the same conformance suite, [authtest.Run]. A Middleware in a
// group inside another one reuses the session the outer one found and adds its own checks:
//
//	r.Use(authchi.Middleware(a, authchi.Optional()))
//	r.Route("/admin", func(r chi.Router) {
//		r.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
//		r.Get("/", adminHome)
//	})
//
// The middleware never reads the client IP.
//
// [authtest.Run]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#Run
package authchi
