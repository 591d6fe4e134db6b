// Command fiber is a small API protected by gobetterauth's fiber middleware (authfiber). It verifies the
// JWT-plugin tokens a Better Auth server issues against the server's JWKS, and links no database driver:
// for session cookies, build the Auth with storeurl.FromEnv instead, as examples/nethttp and examples/chi do.
//
// Configure it with the environment (see the repository README): BETTER_AUTH_URL is required; PORT defaults
// to 8080 and ADDR to 127.0.0.1.
//
//	GET /api/public  200 for anyone
//	GET /api/me      401 JSON when not signed in, else {"user":{…},"session":{…}}
//	GET /api/admin   403 unless the user's role is "admin"
//	GET /dashboard   a page: redirects to /login?callbackUrl=/dashboard when not signed in
//	GET /login       where the dashboard sends visitors who are not signed in
//	GET /healthz     200 "ok"
package main

import (
	"cmp"
	"context"
	"html"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/examples/internal/plugins"
)

func main() {
	// LOG_LEVEL (debug, info, warn, error; default info): refused credentials are logged at debug, and
	// credentials that could not be checked (503) at warn with their cause.
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmp.Or(os.Getenv("LOG_LEVEL"), "info"))); err != nil {
		log.Fatalf("LOG_LEVEL %q is not a level: set it to debug, info, warn or error", os.Getenv("LOG_LEVEL"))
	}
	slog.SetLogLoggerLevel(level)
	a, err := auth.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	// The JWKS is fetched now: a wrong BETTER_AUTH_URL, or a server without Better Auth's JWT plugin, is a
	// warning at start rather than a 503 on every request.
	probe, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := a.Refresh(probe); err != nil {
		slog.Warn("the Better Auth server's JWKS cannot be fetched, so every JWT will get 503 until it can: check "+
			"BETTER_AUTH_URL (or BETTER_AUTH_JWKS_URL) and that the server runs Better Auth's JWT plugin", "err", err)
	}
	cancel()
	addr := net.JoinHostPort(cmp.Or(os.Getenv("ADDR"), "127.0.0.1"), cmp.Or(os.Getenv("PORT"), "8080"))
	app := newApp(a)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = app.ShutdownWithTimeout(5 * time.Second)
	}()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("listening on %s: %v: set PORT (and ADDR) to a free port", addr, err)
	}
	log.Printf("fiber example listening on http://%s (Better Auth at %s)", ln.Addr(), a.BaseURL())
	if err := app.Listener(ln); err != nil {
		log.Fatal(err)
	}
}

// newApp wires the example's routes.
func newApp(a *auth.Auth) *fiber.App {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		ReadTimeout:           10 * time.Second, // with the default 4 KiB read buffer, bounds slow or huge headers
	})
	app.Use(authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{
		Skip:     append([]string{"/api/public", "/healthz", "/login"}, plugins.Skip...),
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/login", func(c *fiber.Ctx) error {
		c.Type("html", "utf-8")
		return c.SendString("<!doctype html><title>Sign in</title><h1>Sign in</h1>" +
			"<p>Sign in with your Better Auth app, then open the dashboard again.</p>\n")
	})
	app.Get("/dashboard", func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c)
		c.Type("html", "utf-8")
		return c.SendString("<!doctype html><title>Dashboard</title><h1>Welcome, " + html.EscapeString(s.User.Name) + "</h1>\n")
	})
	api := app.Group("/api")
	api.Get("/public", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"message": "hello, anyone"}) })
	api.Get("/me", func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c)
		return c.JSON(s) // {"session":{…},"user":{…}}, as Better Auth's /get-session
	})
	api.Get("/admin", authfiber.Middleware(a, authfiber.WithPolicy(plugins.Admin)), // reuses the session
		func(c *fiber.Ctx) error {
			s, _ := authfiber.Session(c)
			return c.JSON(fiber.Map{"message": "hello, admin " + s.User.Name})
		})
	// The plugin routes need a database store (not auth.FromEnv's JWTs): see examples/nethttp.
	keys, orgs := plugins.Enabled(a)
	if keys {
		api.Get("/files", authfiber.Middleware(a, authfiber.WithPolicy(plugins.Files)), func(c *fiber.Ctx) error {
			s, _ := authfiber.Session(c)
			return c.JSON(fiber.Map{"keyId": s.APIKey.ID, "userId": s.User.ID})
		})
	}
	if orgs {
		api.Get("/org", authfiber.Middleware(a, authfiber.WithPolicy(plugins.Org)), func(c *fiber.Ctx) error {
			s, _ := authfiber.Session(c)
			m, err := a.Member(c.UserContext(), s) // cached: the policy just read it
			if err != nil {
				return c.Status(auth.HTTPStatus(err)).JSON(fiber.Map{"message": http.StatusText(auth.HTTPStatus(err))})
			}
			return c.JSON(fiber.Map{"organizationId": m.OrganizationID, "role": m.Role})
		})
		api.Post("/org/projects", authfiber.Middleware(a, authfiber.WithPolicy(plugins.Projects)), func(c *fiber.Ctx) error {
			s, _ := authfiber.Session(c)
			id, _ := s.ActiveOrganizationID()
			return c.Status(http.StatusCreated).JSON(fiber.Map{"organizationId": id, "message": "project created"})
		})
	}
	return app
}
