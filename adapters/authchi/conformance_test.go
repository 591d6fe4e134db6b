package authchi_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authchi"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestConformance runs the shared adapter suite through authchi.Middleware on a chi router.
func TestConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		r := chi.NewRouter()
		r.Use(authchi.Middleware(a, authchi.WithPolicy(p)))
		r.Handle("/*", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, ok := authchi.Session(r)
			_, _ = io.WriteString(w, h(r.Context(), s, ok))
		}))
		return r
	})
}

// TestConformanceInGroup runs the suite with the middleware inside a chi route group.
func TestConformanceInGroup(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		r := chi.NewRouter()
		r.Group(func(r chi.Router) {
			r.Use(authchi.Middleware(a, authchi.WithPolicy(p)))
			r.Handle("/*", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s, ok := authchi.Session(r)
				_, _ = io.WriteString(w, h(r.Context(), s, ok))
			}))
		})
		return r
	})
}
