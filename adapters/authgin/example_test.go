package authgin_test

import (
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/adapters/authgin"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// get serves one GET request through h and prints the answer.
func get(h *gin.Engine, target, token string) {
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

// Protect a gin API. The issuer stands in for a Better Auth server with the JWT plugin on; in production
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

	r := gin.New()
	r.Use(authgin.Middleware(a))
	r.GET("/api/me", func(c *gin.Context) {
		s, _ := authgin.Session(c)
		c.String(200, "hello %s", s.User.Email)
	})

	get(r, "/api/me", "")
	get(r, "/api/me", betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"}))
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

	r := gin.New()
	r.Use(authgin.Middleware(a, authgin.WithPolicy(auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	admin := r.Group("/api/admin", authgin.Middleware(a, authgin.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.GET("", func(c *gin.Context) { c.String(200, "admin area") })
	r.GET("/api/public", func(c *gin.Context) { c.String(200, "public") })
	r.GET("/dashboard", func(c *gin.Context) { c.String(200, "dashboard") })

	user := betterAuth.MustMint(authtest.Claims{Extra: map[string]any{"role": "user"}})
	get(r, "/api/public", "")
	get(r, "/dashboard", "")
	get(r, "/dashboard", user)
	get(r, "/api/admin", user)
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
	r := gin.New()
	r.Use(authgin.Middleware(a)) // 401/503 JSON unless the caller is authenticated

	r.GET("/api/me", func(c *gin.Context) {
		s, _ := authgin.Session(c) // or auth.FromContext(c.Request.Context())
		c.JSON(200, gin.H{"user": s.User})
	})
	log.Fatal(r.Run("127.0.0.1:8080"))
	// README end
}
