package authchi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authchi"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
)

// TestMount signs up through a chi router, then uses the cookies it set on Better Auth's endpoints and on a
// route group behind Middleware.
func TestMount(t *testing.T) {
	server := authservertest.New(t)
	a := server.Verifier()
	r := chi.NewRouter()
	authchi.Mount(r, server)
	r.Group(func(r chi.Router) {
		r.Use(authchi.Middleware(a))
		r.Get("/api/me", func(w http.ResponseWriter, r *http.Request) {
			s, _ := authchi.Session(r)
			_, _ = io.WriteString(w, "hello "+s.User.Email)
		})
	})
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "site") })
	srv := httptest.NewServer(r)
	defer srv.Close()
	authservertest.RunMount(t, srv.URL)
}
