// Command echo is a small API protected by gobetterauth's echo middleware (authecho). It verifies the
// JWT-plugin tokens a Better Auth server issues against the server's JWKS, and links no database driver:
// for session cookies, build the Auth with storeurl.FromEnv instead, as examples/nethttp and examples/chi do.
//
// Configure it with the environment (see the repository README): BETTER_AUTH_URL is required; PORT defaults
// to 8080 and ADDR to 127.0.0.1.
//
//	GET /api/public  200 for anyone
//	GET /api/me      401 JSON when not signed in, else {"user":{…},"session":{…}}
//	GET /api/admin   403 unless the user's role is "admin", and for an impersonated session
//	GET /api/files   an API key with {"files": ["read"]}, GET /api/org, POST /api/org/projects: served
//	                 only for an Auth with a database store (see examples/internal/plugins and examples/nethttp)
//	GET /dashboard   a page: redirects to /login?callbackUrl=/dashboard when not signed in
//	GET /login       where the dashboard sends visitors who are not signed in
//	GET /healthz     200 "ok"
package main

import (
	"cmp"
	"context"
	"html"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/gobetterauth/gobetterauth/adapters/authecho"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/examples/internal/plugins"
)

func main() {
	a, err := auth.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	addr := net.JoinHostPort(cmp.Or(os.Getenv("ADDR"), "127.0.0.1"), cmp.Or(os.Getenv("PORT"), "8080"))
	srv := &http.Server{
		Addr:              addr,
		Handler:           newRouter(a),
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("echo example listening on http://%s (Better Auth at %s)", addr, a.BaseURL())
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newRouter wires the example's routes.
func newRouter(a *auth.Auth) *echo.Echo {
	e := echo.New()
	e.Use(middleware.Recover())
	e.Use(authecho.Middleware(a, authecho.WithPolicy(auth.Policy{
		Skip:     append([]string{"/api/public", "/healthz", "/login"}, plugins.Skip...),
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	e.GET("/healthz", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/login", func(c *echo.Context) error {
		return c.HTML(http.StatusOK, "<!doctype html><title>Sign in</title><h1>Sign in</h1>"+
			"<p>Sign in with your Better Auth app, then open the dashboard again.</p>\n")
	})
	e.GET("/dashboard", func(c *echo.Context) error {
		s, _ := authecho.Session(c)
		return c.HTML(http.StatusOK, "<!doctype html><title>Dashboard</title><h1>Welcome, "+html.EscapeString(s.User.Name)+"</h1>\n")
	})
	e.GET("/api/public", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"message": "hello, anyone"})
	})
	e.GET("/api/me", func(c *echo.Context) error {
		s, _ := authecho.Session(c)
		return c.JSON(http.StatusOK, s) // {"session":{…},"user":{…}}, as Better Auth's /get-session
	})
	admins := authecho.Middleware(a, authecho.WithPolicy(plugins.Admin)) // reuses the session
	e.GET("/api/admin", func(c *echo.Context) error {
		s, _ := authecho.Session(c)
		return c.JSON(http.StatusOK, map[string]string{"message": "hello, admin " + s.User.Name})
	}, admins)
	// The plugin routes need a database store (not auth.FromEnv's JWTs): see examples/nethttp.
	keys, orgs := plugins.Enabled(a)
	if keys {
		e.GET("/api/files", func(c *echo.Context) error {
			s, _ := authecho.Session(c)
			return c.JSON(http.StatusOK, map[string]string{"keyId": s.APIKey.ID, "userId": s.User.ID})
		}, authecho.Middleware(a, authecho.WithPolicy(plugins.Files)))
	}
	if orgs {
		e.GET("/api/org", func(c *echo.Context) error {
			s, _ := authecho.Session(c)
			m, err := a.Member(c.Request().Context(), s) // cached: the policy just read it
			if err != nil {
				return c.JSON(auth.HTTPStatus(err), map[string]string{"message": http.StatusText(auth.HTTPStatus(err))})
			}
			return c.JSON(http.StatusOK, map[string]string{"organizationId": m.OrganizationID, "role": m.Role})
		}, authecho.Middleware(a, authecho.WithPolicy(plugins.Org)))
		e.POST("/api/org/projects", func(c *echo.Context) error {
			s, _ := authecho.Session(c)
			id, _ := s.ActiveOrganizationID()
			return c.JSON(http.StatusCreated, map[string]string{"organizationId": id, "message": "project created"})
		}, authecho.Middleware(a, authecho.WithPolicy(plugins.Projects)))
	}
	return e
}
