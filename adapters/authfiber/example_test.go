package authfiber_test

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"

	"github.com/gofiber/fiber/v2"

	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// get serves one GET request through app and prints the answer.
func get(app *fiber.App, target, token string) {
	req := httptest.NewRequest("GET", target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	show(resp.StatusCode, resp.Header.Get("Location"), string(body))
}

// show prints a status, then the redirect target or the body.
func show(status int, location, body string) {
	if location != "" {
		fmt.Println(status, "->", location)
		return
	}
	fmt.Println(status, body)
}

// Protect a fiber API. The issuer stands in for a Better Auth server with the JWT plugin on; in production
// BaseURL is that server's URL (BETTER_AUTH_URL) and the token comes from authClient.token().
func ExampleMiddleware() {
	betterAuth, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}

	app := fiber.New()
	app.Use(authfiber.Middleware(a))
	app.Get("/api/me", func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c)
		return c.SendString("hello " + s.User.Email)
	})

	get(app, "/api/me", "")
	get(app, "/api/me", betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"}))
	// Output:
	// 401 {"code":"UNAUTHORIZED","message":"Unauthorized"}
	// 200 hello ada@example.com
}

// A route policy: public and login paths skipped, the dashboard a page that redirects to the login page,
// and an admin group that also needs the admin role.
func ExampleWithPolicy() {
	betterAuth, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}

	app := fiber.New()
	app.Use(authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	admin := app.Group("/api/admin", authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.Get("/", func(c *fiber.Ctx) error { return c.SendString("admin area") })
	app.Get("/api/public", func(c *fiber.Ctx) error { return c.SendString("public") })
	app.Get("/dashboard", func(c *fiber.Ctx) error { return c.SendString("dashboard") })

	user := betterAuth.MustMint(authtest.Claims{Extra: map[string]any{"role": "user"}})
	get(app, "/api/public", "")
	get(app, "/dashboard", "")
	get(app, "/dashboard", user)
	get(app, "/api/admin", user)
	// Output:
	// 200 public
	// 303 -> /login?callbackUrl=/dashboard
	// 200 dashboard
	// 403 {"code":"FORBIDDEN","message":"Forbidden"}
}

// The README's first snippet, compiled here (Example_readme has no Output, so it is built but never run);
// TestREADMESnippet checks that README.md shows exactly these lines.
func Example_readme() {
	// README begin
	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for DATABASE_URL
	if err != nil {
		log.Fatal(err)
	}
	app := fiber.New()
	app.Use(authfiber.Middleware(a)) // 401/503 JSON unless the caller is authenticated

	app.Get("/api/me", func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c) // or auth.FromContext(c.UserContext())
		return c.JSON(fiber.Map{"user": s.User})
	})
	log.Fatal(app.Listen("127.0.0.1:8080"))
	// README end
}
