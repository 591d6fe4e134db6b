// Command nethttp is a small API protected by gobetterauth's net/http middleware. It verifies the JWTs that a
// Better Auth server (JWT plugin on) hands out, fetching the server's JWKS.
//
// Configure it with the environment (see the repository README): BETTER_AUTH_URL is required; PORT defaults
// to 8080 and ADDR to 127.0.0.1.
//
//	GET /api/public  200 for anyone
//	GET /api/me      401 JSON without a valid token, else {"user":{…},"session":{…}}
//	GET /api/admin   403 unless the user's role is "admin"
//	GET /healthz     200 "ok"
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
)

func main() {
	cfg, err := auth.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	cfg.Logger = slog.Default()
	a, err := auth.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	addr := net.JoinHostPort(cmp.Or(os.Getenv("ADDR"), "127.0.0.1"), cmp.Or(os.Getenv("PORT"), "8080"))
	srv := &http.Server{
		Addr:              addr,
		Handler:           newMux(a),
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("nethttp example listening on http://%s (Better Auth at %s)", addr, a.BaseURL())
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newMux wires the example's routes.
func newMux(a *auth.Auth) *http.ServeMux {
	mux := http.NewServeMux()
	require := authhttp.Require(a)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /api/public", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "hello, anyone"})
	})
	mux.Handle("GET /api/me", require(http.HandlerFunc(me)))
	mux.Handle("GET /api/admin", require(http.HandlerFunc(admin)))
	return mux
}

func me(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.SessionFrom(r)
	session := map[string]any{"credential": s.Credential.String()}
	if c := s.Claims; c != nil {
		session["expiresAt"] = c.ExpiresAt.UTC().Format(time.RFC3339)
		session["issuer"] = c.Issuer
		session["algorithm"] = c.Algorithm
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": s.User, "session": session})
}

func admin(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.SessionFrom(r)
	if s.User.Role != "admin" {
		auth.NewErrorResponse(auth.ErrForbidden).Write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "hello, admin " + s.User.Name})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
