// Package authecho is gobetterauth's echo (v5) middleware: it authenticates each request with an
// [auth.Auth], applies a route policy ([auth.Policy]) and makes the caller's [auth.Session] available to
// handlers.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	e := echo.New()
//	e.Use(authecho.Middleware(a))
//	e.GET("/api/me", func(c *echo.Context) error {
//		s, _ := authecho.Session(c) // or auth.FromContext(c.Request().Context())
//		return c.JSON(200, s)
//	})
//
// # Denials
//
// A request the policy refuses is answered by the middleware, which then returns nil without calling the
// next handler, so no later middleware or handler runs and echo's HTTPErrorHandler is not involved: 401 with
// WWW-Authenticate, 403, 503 with Retry-After when a dependency such as the JWKS endpoint or the session
// store is down, or 500 if the check panicked, each with the JSON body {"code","message"} from
// [auth.NewErrorResponse], byte for byte the same as every other gobetterauth adapter. [WithErrorHandler]
// replaces that answer (and may return an error for echo's HTTPErrorHandler instead). A page route
// ([auth.Policy].Pages) redirects a visitor who is not signed in to the login URL instead, with the original
// path in callbackUrl.
//
// # Route policy
//
// [WithPolicy] takes an [auth.Policy]: optional auth ([Optional]), protected and skipped path prefixes, page
// routes, and role, permission or custom checks. The policy lives in the core, so echo, gin, fiber, chi and
// net/http behave identically; they all pass the same conformance suite, [authtest.Run]. A Middleware on a
// group inside another one reuses the session the outer one found and adds its own checks:
//
//	e.Use(authecho.Middleware(a, authecho.Optional()))
//	admin := e.Group("/admin", authecho.Middleware(a, authecho.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
//
// # Client IP
//
// The middleware never reads the client IP (echo's c.RealIP and its IP extractors), so proxy headers such
// as X-Forwarded-For cannot affect it.
//
// [authtest.Run]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#Run
package authecho
