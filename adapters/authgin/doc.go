// Package authgin is gobetterauth's gin middleware: it authenticates each request with an [auth.Auth],
// applies a route policy ([auth.Policy]) and makes the caller's [auth.Session] available to handlers.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	r := gin.New()
//	r.Use(authgin.Middleware(a))
//	r.GET("/api/me", func(c *gin.Context) {
//		s, _ := authgin.Session(c) // or auth.FromContext(c.Request.Context())
//		c.JSON(200, gin.H{"user": s.User})
//	})
//
// # Denials
//
// A request the policy refuses is answered by the middleware, which then aborts the chain (c.Abort), so no
// later middleware or handler runs: 401 with WWW-Authenticate, 403, 503 with Retry-After when a dependency
// such as the JWKS endpoint or the session store is down, or 500 if the check panicked, each with the JSON
// body {"code","message"} from [auth.NewErrorResponse], byte for byte the same as every other gobetterauth
// adapter. [WithErrorHandler] replaces that answer. A page route ([auth.Policy].Pages) redirects a visitor
// who is not signed in to the login URL instead, with the original path in callbackUrl.
//
// # Route policy
//
// [WithPolicy] takes an [auth.Policy]: optional auth ([Optional]), protected and skipped path prefixes, page
// routes, and role, permission or custom checks. The policy lives in the core, so gin, fiber, chi and
// net/http behave identically; they all pass the same conformance suite, [authtest.Run]. A Middleware on a
// group inside another one reuses the session the outer one found and adds its own checks:
//
//	r.Use(authgin.Middleware(a, authgin.Optional()))
//	admin := r.Group("/admin", authgin.Middleware(a, authgin.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
//
// # Client IP
//
// The middleware never reads the client IP, so gin's trust of every proxy by default (c.ClientIP and
// X-Forwarded-For) cannot affect it.
//
// [authtest.Run]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#Run
package authgin
