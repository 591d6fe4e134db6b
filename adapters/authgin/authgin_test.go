package authgin_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/adapters/authgin"
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

func serve(h http.Handler, method, target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAbort checks that a refusal stops the whole chain: later middleware and the handler do not run, and
// the chain reports itself aborted.
func TestAbort(t *testing.T) {
	_, a := newAuth(t)
	r := gin.New()
	var later, handler, aborted bool
	r.Use(func(c *gin.Context) { c.Next(); aborted = c.IsAborted() })
	r.Use(authgin.Middleware(a))
	r.Use(func(c *gin.Context) { later = true })
	r.GET("/x", func(c *gin.Context) { handler = true })
	rec := serve(r, "GET", "/x", "")
	if rec.Code != 401 || later || handler || !aborted {
		t.Fatalf("status %d, later middleware ran %v, handler ran %v, aborted %v", rec.Code, later, handler, aborted)
	}
}

func TestErrorHandler(t *testing.T) {
	_, a := newAuth(t)
	var got error
	r := gin.New()
	r.Use(authgin.Middleware(a, authgin.WithErrorHandler(func(c *gin.Context, err error) {
		got = err
		c.String(auth.HTTPStatus(err), "custom")
	})))
	ran := false
	r.GET("/x", func(c *gin.Context) { ran = true })
	rec := serve(r, "GET", "/x", "")
	if rec.Code != 401 || rec.Body.String() != "custom" || !errors.Is(got, auth.ErrNoCredentials) || ran {
		t.Fatalf("status %d body %q err %v ran %v", rec.Code, rec.Body, got, ran)
	}
}

// TestGroups checks optional auth on the engine with a role check on a group, which reuses the session the
// outer middleware found, and that the session is visible through c (with ContextWithFallback) too.
func TestGroups(t *testing.T) {
	is, a := newAuth(t)
	r := gin.New()
	r.ContextWithFallback = true
	r.Use(authgin.Middleware(a, authgin.Optional()))
	admin := r.Group("/admin", authgin.Middleware(a, authgin.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.GET("", func(c *gin.Context) {
		s, _ := auth.FromContext(c) // gin.Context is a context.Context
		c.String(200, "admin "+s.User.ID)
	})
	r.GET("/", func(c *gin.Context) {
		if s, ok := authgin.Session(c); ok {
			c.String(200, "hello "+s.User.ID)
			return
		}
		c.String(200, "hello guest")
	})
	adminTok := is.MustMint(authtest.Claims{ID: "a1", Extra: map[string]any{"role": "admin"}})
	userTok := is.MustMint(authtest.Claims{ID: "u1"})
	tests := []struct {
		target, tok string
		status      int
		body        string
	}{
		{"/", "", 200, "hello guest"},
		{"/", userTok, 200, "hello u1"},
		{"/admin", adminTok, 200, "admin a1"},
		{"/admin", userTok, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`},
		{"/admin", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
	}
	for _, tt := range tests {
		rec := serve(r, "GET", tt.target, tt.tok)
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("%s with token=%v: %d %q, want %d %q", tt.target, tt.tok != "", rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

// TestSpoofedForwardedFor checks that the middleware does not depend on the client IP: gin trusts every
// proxy by default, and X-Forwarded-For changes nothing.
func TestSpoofedForwardedFor(t *testing.T) {
	_, a := newAuth(t)
	r := gin.New()
	r.Use(authgin.Middleware(a))
	r.GET("/x", func(c *gin.Context) { c.String(200, "ok") })
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	req.RemoteAddr = "127.0.0.1:1234"
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestSessionWithoutRequest(t *testing.T) {
	if _, ok := authgin.Session(&gin.Context{}); ok {
		t.Fatal("session on an empty context")
	}
}
