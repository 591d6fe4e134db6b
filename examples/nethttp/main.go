// Command nethttp is a small API protected by gobetterauth's net/http middleware (authhttp). It verifies
// what a Better Auth server issues: JWT-plugin tokens against the server's JWKS and, with DATABASE_URL (or
// REDIS_URL) and BETTER_AUTH_SECRET, session cookies and bearer-plugin session tokens.
//
// Configure it with the environment (see the repository README): BETTER_AUTH_URL is required; PORT defaults
// to 8080 and ADDR to 127.0.0.1.
//
//	GET /api/public  200 for anyone
//	GET /api/me      401 JSON when not signed in, else {"user":{…},"session":{…}}
//	GET /api/admin   403 unless the user's role is "admin", and for an impersonated session
//	GET /api/files   an API key (x-api-key) with {"files": ["read"]}: {"keyId":…,"userId":…} (needs DATABASE_URL)
//	GET /api/org     the active organization and the member's role (needs DATABASE_URL)
//	POST /api/org/projects  201 when the member's role grants {"project": ["create"]} (needs DATABASE_URL)
//	GET /dashboard   a page: redirects to /login?callbackUrl=/dashboard when not signed in
//	GET /login       where the dashboard sends visitors who are not signed in
//	GET /healthz     200 "ok"
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
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
	// storeurl.FromEnv, not auth.FromEnv: it opens the store DATABASE_URL (or REDIS_URL) names for session
	// cookies, and links the database drivers. For JWTs only, auth.FromEnv links none (see examples/gin).
	// The api-key, organization and admin plugins are read from the same database (examples/internal/plugins).
	// Writable: API keys count their uses there (a SQLite DATABASE_URL is otherwise opened query_only, and
	// auth.New refuses it for API keys).
	c, err := storeurl.ConfigFromEnvWith(context.Background(), &storeurl.Options{Writable: true})
	if err != nil {
		log.Fatal(err)
	}
	plugins.Configure(&c)
	a, err := auth.New(c)
	if err != nil {
		log.Fatal(auth.EnvError(err))
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
		Handler:           newHandler(a),
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
	log.Printf("nethttp example listening on http://%s (Better Auth at %s)", ln.Addr(), a.BaseURL())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// policy is the route policy of the whole site: public routes skipped, the dashboard a page.
var policy = auth.Policy{
	Skip:     append([]string{"/api/public", "/healthz", "/login"}, plugins.Skip...),
	Pages:    []string{"/dashboard"},
	LoginURL: "/login",
}

// newHandler wires the example's routes behind the middleware.
func newHandler(a *auth.Auth) http.Handler {
	admins := authhttp.Middleware(a, authhttp.WithPolicy(plugins.Admin))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /login", login)
	mux.HandleFunc("GET /api/public", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "hello, anyone"})
	})
	mux.HandleFunc("GET /api/me", me)
	mux.Handle("GET /api/admin", admins(http.HandlerFunc(admin))) // reuses the session found below
	mux.HandleFunc("GET /dashboard", dashboard)
	keys, orgs := plugins.Enabled(a)
	if keys {
		mux.Handle("GET /api/files", authhttp.Middleware(a, authhttp.WithPolicy(plugins.Files))(http.HandlerFunc(files)))
	}
	if orgs {
		mux.Handle("GET /api/org", authhttp.Middleware(a, authhttp.WithPolicy(plugins.Org))(org(a)))
		mux.Handle("POST /api/org/projects", authhttp.Middleware(a, authhttp.WithPolicy(plugins.Projects))(http.HandlerFunc(createProject)))
	}
	return authhttp.Middleware(a, authhttp.WithPolicy(policy))(mux)
}

func me(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	writeJSON(w, http.StatusOK, s) // {"session":{…},"user":{…}}, as Better Auth's /get-session
}

func admin(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	writeJSON(w, http.StatusOK, map[string]string{"message": "hello, admin " + s.User.Name})
}

func files(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	writeJSON(w, http.StatusOK, map[string]string{"keyId": s.APIKey.ID, "userId": s.User.ID})
}

func org(a *auth.Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := authhttp.Session(r)
		m, err := a.Member(r.Context(), s) // cached: the policy just read it
		if err != nil {
			writeJSON(w, auth.HTTPStatus(err), map[string]string{"message": http.StatusText(auth.HTTPStatus(err))})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"organizationId": m.OrganizationID, "role": m.Role})
	})
}

func createProject(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	id, _ := s.ActiveOrganizationID()
	writeJSON(w, http.StatusCreated, map[string]string{"organizationId": id, "message": "project created"})
}

func dashboard(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Dashboard</title><h1>Welcome, %s</h1>\n", html.EscapeString(s.User.Name))
}

func login(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html><title>Sign in</title><h1>Sign in</h1>"+
		"<p>Sign in with your Better Auth app, then open the dashboard again.</p>\n")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
