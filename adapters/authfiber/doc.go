// Package authfiber is gobetterauth's fiber (v2) middleware: it authenticates each request with an
// [auth.Auth], applies a route policy ([auth.Policy]) and makes the caller's [auth.Session] available to
// handlers.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	app := fiber.New()
//	app.Use(authfiber.Middleware(a))
//	app.Get("/api/me", func(c *fiber.Ctx) error {
//		s, _ := authfiber.Session(c) // or auth.FromContext(c.UserContext())
//		return c.JSON(fiber.Map{"user": s.User})
//	})
//
// # Memory
//
// fasthttp reuses a request's memory once its handler returns, so strings taken from it (c.Get, c.Cookies,
// c.Params) must not be kept. The middleware copies the Authorization and Cookie values before they reach
// the core, whose token cache keeps tokens as map keys, and the [auth.Session] it stores holds no byte of the
// request: it may be kept, logged or handed to a goroutine after the handler returns. fiber's Immutable
// setting is not assumed either way. A -race stress test with a thousand distinct tokens over concurrent
// connections checks this.
//
// # Denials
//
// A request the policy refuses is answered by the middleware, which returns without calling c.Next(): 401
// with WWW-Authenticate, 403, 503 with Retry-After when a dependency such as the JWKS endpoint or the session
// store is down, or 500 if the check panicked, each with the JSON body {"code","message"} from
// [auth.NewErrorResponse], byte for byte the same as every other gobetterauth adapter. [WithErrorHandler]
// replaces that answer. A page route ([auth.Policy].Pages) redirects a visitor who is not signed in to the
// login URL instead, with the original path in callbackUrl.
//
// # Route policy
//
// [WithPolicy] takes an [auth.Policy]: optional auth ([Optional]), protected and skipped path prefixes, page
// routes, and role, permission or custom checks. The policy lives in the core, so fiber, gin, chi and
// net/http behave identically; they all pass the same conformance suite, [authtest.Run]. With fiber's
// default case-insensitive routing, path prefixes are compared regardless of case, so "/API/me" is as
// protected as "/api/me". A Middleware on a group inside another one reuses the session the outer one found
// and adds its own checks:
//
//	app.Use(authfiber.Middleware(a, authfiber.Optional()))
//	admin := app.Group("/admin", authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
//
// The middleware never reads the client IP (c.IP, X-Forwarded-For or fiber's ProxyHeader).
//
// [authtest.Run]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#Run
package authfiber
