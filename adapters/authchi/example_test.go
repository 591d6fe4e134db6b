package authchi_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authchi"
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

// Protect a chi API. The issuer stands in for a Better Auth server with the JWT plugin on; in production
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

	r := chi.NewRouter()
	r.Use(authchi.Middleware(a))
	r.Get("/api/me", func(w http.ResponseWriter, r *http.Request) {
		s, _ := authchi.Session(r)
		fmt.Fprintf(w, "hello %s", s.User.Email)
	})

	get(r, "/api/me", "")
	get(r, "/api/me", betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"}))
	// Output:
	// 401 {"code":"UNAUTHORIZED","message":"Unauthorized"}
	// 200 hello ada@example.com
}

// A route policy: public and login paths skipped, the dashboard a page that redirects to the login page,
// and an admin route group that also needs the admin role.
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

	r := chi.NewRouter()
	r.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	r.Route("/api/admin", func(r chi.Router) {
		r.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
		r.Get("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "admin area") })
	})
	r.Get("/api/public", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "public") })
	r.Get("/dashboard", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "dashboard") })

	user := betterAuth.MustMint(authtest.Claims{Extra: map[string]any{"role": "user"}})
	get(r, "/api/public", "")
	get(r, "/dashboard", "")
	get(r, "/dashboard", user)
	get(r, "/api/admin/", user)
	// Output:
	// 200 public
	// 303 -> /login?callbackUrl=/dashboard
	// 200 dashboard
	// 403 {"code":"FORBIDDEN","message":"Forbidden"}
}
