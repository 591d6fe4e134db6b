package authchi_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authchi"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func newAuth(t testing.TB) (*authtest.Issuer, *auth.Auth) {
	t.Helper()
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	a, err := auth.New(auth.Config{BaseURL: is.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return is, a
}

func serve(h http.Handler, target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func text(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, s) }
}

// TestRoutesAndGroups wires the middleware every way chi offers: r.Use on the router (optional), r.With on
// one route, inside r.Route, and inside r.Group, and a mounted sub-router, whose path prefixes are matched
// against the full path.
func TestRoutesAndGroups(t *testing.T) {
	is, a := newAuth(t)
	r := chi.NewRouter()
	r.Use(authchi.Middleware(a, authchi.Optional()))
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		if s, ok := authchi.Session(r); ok {
			_, _ = io.WriteString(w, "hello "+s.User.ID)
			return
		}
		_, _ = io.WriteString(w, "hello guest")
	})
	r.With(authchi.Middleware(a)).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		s, _ := authchi.Session(r)
		_, _ = io.WriteString(w, "me "+s.User.ID)
	})
	r.Route("/admin", func(r chi.Router) {
		r.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
		r.Get("/", text("admin"))
	})
	r.Group(func(r chi.Router) {
		r.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{Permissions: []string{"reports:read"}})))
		r.Get("/reports", text("reports"))
	})
	sub := chi.NewRouter()
	sub.Use(authchi.Middleware(a, authchi.WithPolicy(auth.Policy{Skip: []string{"/api/public"}})))
	sub.Get("/public", text("public"))
	sub.Get("/private", text("private"))
	r.Mount("/api", sub)

	admin := is.MustMint(authtest.Claims{ID: "a1", Extra: map[string]any{"role": "admin", "permissions": []string{"reports:read"}}})
	user := is.MustMint(authtest.Claims{ID: "u1"})
	tests := []struct {
		target, tok string
		status      int
		body        string
	}{
		{"/", "", 200, "hello guest"},
		{"/", user, 200, "hello u1"},
		{"/me", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
		{"/me", user, 200, "me u1"},
		{"/admin/", admin, 200, "admin"},
		{"/admin/", user, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`},
		{"/admin/", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
		{"/reports", admin, 200, "reports"},
		{"/reports", user, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`},
		{"/api/public", "", 200, "public"},
		{"/api/private", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
		{"/api/private", user, 200, "private"},
	}
	for _, tt := range tests {
		rec := serve(r, tt.target, tt.tok)
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("%s with token=%v: %d %q, want %d %q", tt.target, tt.tok != "", rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

func TestErrorHandler(t *testing.T) {
	_, a := newAuth(t)
	var got error
	r := chi.NewRouter()
	r.Use(authchi.Middleware(a, authchi.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "custom", auth.HTTPStatus(err))
	})))
	ran := false
	r.Get("/x", func(http.ResponseWriter, *http.Request) { ran = true })
	rec := serve(r, "/x", "")
	if rec.Code != 401 || rec.Body.String() != "custom\n" || !errors.Is(got, auth.ErrNoCredentials) || ran {
		t.Fatalf("status %d body %q err %v ran %v", rec.Code, rec.Body, got, ran)
	}
}
