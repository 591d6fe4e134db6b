package authhttp_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestConformance runs the shared adapter suite through authhttp.Middleware in front of a ServeMux.
func TestConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			s, ok := authhttp.Session(r)
			_, _ = io.WriteString(w, h(r.Context(), s, ok))
		})
		return authhttp.Middleware(a, authhttp.WithPolicy(p))(mux)
	})
}
