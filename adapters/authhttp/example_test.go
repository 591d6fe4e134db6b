package authhttp_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// Protect an API with Middleware. The issuer stands in for a Better Auth server with the JWT plugin on; in
// production BaseURL is that server's URL (BETTER_AUTH_URL) and the token comes from authClient.token().
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
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := authhttp.Session(r)
		fmt.Fprintf(w, "hello %s", s.User.Email)
	})
	api := httptest.NewServer(authhttp.Middleware(a)(me))
	defer api.Close()

	call := func(token string) {
		req, _ := http.NewRequest("GET", api.URL+"/api/me", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		var body [128]byte
		n, _ := resp.Body.Read(body[:])
		fmt.Println(resp.StatusCode, string(body[:n]))
	}
	call("")
	call(betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"}))
	// Output:
	// 401 {"code":"UNAUTHORIZED","message":"Unauthorized"}
	// 200 hello ada@example.com
}

// Optional lets anonymous requests through and refuses bad credentials.
func ExampleOptional() {
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := authhttp.Session(r); ok {
			fmt.Fprintln(w, "signed in as", s.User.Name)
			return
		}
		fmt.Fprintln(w, "welcome, guest")
	})
	h := authhttp.Middleware(a, authhttp.Optional())(page)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())

	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer not-a-jwt")
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 welcome, guest
	// 401 Bearer error="invalid_token"
}

// A route policy on a ServeMux: public and login paths skipped, the dashboard a page that redirects to the
// login page, and the admin API behind a second middleware that also needs the admin role.
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
	text := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, s) })
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/public", text("public"))
	mux.Handle("GET /dashboard", text("dashboard"))
	mux.Handle("GET /api/admin", authhttp.Middleware(a, authhttp.WithPolicy(auth.Policy{Roles: []string{"admin"}}))(text("admin area")))
	h := authhttp.Middleware(a, authhttp.WithPolicy(auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	}))(mux)

	user := betterAuth.MustMint(authtest.Claims{Extra: map[string]any{"role": "user"}})
	for _, c := range []struct{ target, token string }{
		{"/api/public", ""}, {"/dashboard", ""}, {"/dashboard", user}, {"/api/admin", user},
	} {
		req := httptest.NewRequest("GET", c.target, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if loc := rec.Header().Get("Location"); loc != "" {
			fmt.Println(rec.Code, "->", loc)
			continue
		}
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 public
	// 303 -> /login?callbackUrl=/dashboard
	// 200 dashboard
	// 403 {"code":"FORBIDDEN","message":"Forbidden"}
}
