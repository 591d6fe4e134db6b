// Command gin is a small API protected by gobetterauth's gin middleware (authgin). It verifies the
// JWT-plugin tokens a Better Auth server issues against the server's JWKS, and links no database driver:
// for session cookies, build the Auth with storeurl.FromEnv instead, as examples/nethttp and examples/chi do.
//
// Configure it with the environment (see the repository README): BETTER_AUTH_URL is required; PORT defaults
// to 8080 and ADDR to 127.0.0.1; GIN_MODE as gin reads it.
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

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/adapters/authgin"
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
	srv := &http.Server{
		Handler:           newEngine(a),
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("listening on %s: %v: set PORT (and ADDR) to a free port", addr, err)
	}
	log.Printf("gin example listening on http://%s (Better Auth at %s)", ln.Addr(), a.BaseURL())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newEngine wires the example's routes.
func newEngine(a *auth.Auth) *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.Use(authgin.Middleware(a, authgin.WithPolicy(auth.Policy{
		Skip:     append([]string{"/api/public", "/healthz", "/login"}, plugins.Skip...),
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})))
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/login", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<!doctype html><title>Sign in</title><h1>Sign in</h1>"+
			"<p>Sign in with your Better Auth app, then open the dashboard again.</p>\n"))
	})
	r.GET("/dashboard", func(c *gin.Context) {
		s, _ := authgin.Session(c)
		c.Data(http.StatusOK, "text/html; charset=utf-8",
			[]byte("<!doctype html><title>Dashboard</title><h1>Welcome, "+html.EscapeString(s.User.Name)+"</h1>\n"))
	})
	api := r.Group("/api")
	api.GET("/public", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"message": "hello, anyone"}) })
	api.GET("/me", func(c *gin.Context) {
		s, _ := authgin.Session(c)
		c.JSON(http.StatusOK, s) // {"session":{…},"user":{…}}, as Better Auth's /get-session
	})
	admins := api.Group("", authgin.Middleware(a, authgin.WithPolicy(plugins.Admin))) // reuses the session
	admins.GET("/admin", func(c *gin.Context) {
		s, _ := authgin.Session(c)
		c.JSON(http.StatusOK, gin.H{"message": "hello, admin " + s.User.Name})
	})
	// The plugin routes need a database store (not auth.FromEnv's JWTs): see examples/nethttp.
	keys, orgs := plugins.Enabled(a)
	if keys {
		api.GET("/files", authgin.Middleware(a, authgin.WithPolicy(plugins.Files)), func(c *gin.Context) {
			s, _ := authgin.Session(c)
			c.JSON(http.StatusOK, gin.H{"keyId": s.APIKey.ID, "userId": s.User.ID})
		})
	}
	if orgs {
		api.GET("/org", authgin.Middleware(a, authgin.WithPolicy(plugins.Org)), func(c *gin.Context) {
			s, _ := authgin.Session(c)
			m, err := a.Member(c.Request.Context(), s) // cached: the policy just read it
			if err != nil {
				c.JSON(auth.HTTPStatus(err), gin.H{"message": http.StatusText(auth.HTTPStatus(err))})
				return
			}
			c.JSON(http.StatusOK, gin.H{"organizationId": m.OrganizationID, "role": m.Role})
		})
		api.POST("/org/projects", authgin.Middleware(a, authgin.WithPolicy(plugins.Projects)), func(c *gin.Context) {
			s, _ := authgin.Session(c)
			id, _ := s.ActiveOrganizationID()
			c.JSON(http.StatusCreated, gin.H{"organizationId": id, "message": "project created"})
		})
	}
	return r
}
