package authhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
)

// TestMount signs up through the mux, then uses the cookies it set on Better Auth's endpoints and on a
// route behind Require.
func TestMount(t *testing.T) {
	server := authservertest.New(t)
	a := server.Verifier()
	mux := http.NewServeMux()
	authhttp.Mount(mux, server)
	mux.Handle("GET /api/me", authhttp.Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := authhttp.Session(r)
		_, _ = io.WriteString(w, "hello "+s.User.Email)
	})))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "site") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	authservertest.RunMount(t, srv.URL)
}

// TestMountBesideSitePatterns checks that Mount's patterns do not conflict with a site's catch-all patterns
// (ServeMux panics on conflicts), and that the site still gets its requests outside the base path.
func TestMountBesideSitePatterns(t *testing.T) {
	tests := []struct {
		name, pattern string
		siteMethod    string // a request to /api/authx with this method reaches the site
	}{
		{"any method", "/", "POST"},
		{"GET", "GET /", "GET"},
		{"POST", "POST /", "POST"},
		{"api subtree", "/api/", "PUT"},
		{"GET api subtree", "GET /api/", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := authservertest.New(t)
			mux := http.NewServeMux()
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "site") })
			authhttp.Mount(mux, server)
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/auth/ok", `{"ok":true}`},
				{tt.siteMethod, "/api/authx", "site"},
			} {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
				if got := rec.Body.String(); got != c.body {
					t.Errorf("%s %s: %d %q, want %q", c.method, c.path, rec.Code, got, c.body)
				}
			}
		})
	}
}
