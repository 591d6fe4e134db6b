package authecho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authecho"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// get serves one GET request through h and prints the answer.
func get(h http.Handler, target, token string) {
	req := httptest.NewRequest("GET", target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	show(rec.Code, rec.Header().Get("Location"), rec.Body.String())
}

// show prints a status, then the redirect target or the body.
func show(status int, location, body string) {
	if location != "" {
		fmt.Println(status, "->", location)
		return
	}
	fmt.Println(status, body)
}

// Protect an echo API. The issuer stands in for a Better Auth server with the JWT plugin on; in production
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

	e := echo.New()
	e.Use(authecho.Middleware(a))
	e.GET("/api/me", func(c *echo.Context) error {
		s, _ := authecho.Session(c)
		return c.String(200, "hello "+s.User.Email)
	})

	get(e, "/api/me", "")
	get(e, "/api/me", betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"}))
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

	e := echo.New()
	e.Use(authecho.Middleware(a, authecho.WithPolicy(auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	admin := e.Group("/api/admin", authecho.Middleware(a, authecho.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.GET("", func(c *echo.Context) error { return c.String(200, "admin area") })
	e.GET("/api/public", func(c *echo.Context) error { return c.String(200, "public") })
	e.GET("/dashboard", func(c *echo.Context) error { return c.String(200, "dashboard") })

	user := betterAuth.MustMint(authtest.Claims{Extra: map[string]any{"role": "user"}})
	get(e, "/api/public", "")
	get(e, "/dashboard", "")
	get(e, "/dashboard", user)
	get(e, "/api/admin", user)
	// Output:
	// 200 public
	// 303 -> /login?callbackUrl=/dashboard
	// 200 dashboard
	// 403 {"code":"FORBIDDEN","message":"Forbidden"}
}
