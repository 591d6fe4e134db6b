package authecho_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authecho"
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

// TestStopsChain checks that a refusal stops the chain: later middleware and the handler do not run, and
// echo's HTTPErrorHandler sees no error (the answer is already written).
func TestStopsChain(t *testing.T) {
	_, a := newAuth(t)
	e := echo.New()
	var later, handler, errHandler bool
	e.HTTPErrorHandler = func(c *echo.Context, err error) { errHandler = true }
	e.Use(authecho.Middleware(a))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error { later = true; return next(c) }
	})
	e.GET("/x", func(c *echo.Context) error { handler = true; return nil })
	rec := serve(e, "GET", "/x", "")
	if rec.Code != 401 || later || handler || errHandler {
		t.Fatalf("status %d, later middleware ran %v, handler ran %v, HTTPErrorHandler ran %v", rec.Code, later, handler, errHandler)
	}
}

func TestErrorHandler(t *testing.T) {
	tests := []struct {
		name   string
		h      func(c *echo.Context, err error) error
		status int
		body   string
	}{
		{"writes its own answer", func(c *echo.Context, err error) error {
			return c.String(auth.HTTPStatus(err), "custom")
		}, 401, "custom"},
		{"returns an error for echo", func(c *echo.Context, err error) error {
			return echo.NewHTTPError(auth.HTTPStatus(err), "from echo")
		}, 401, `{"message":"from echo"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, a := newAuth(t)
			var got error
			e := echo.New()
			e.Use(authecho.Middleware(a, authecho.WithErrorHandler(func(c *echo.Context, err error) error {
				got = err
				return tt.h(c, err)
			})))
			ran := false
			e.GET("/x", func(c *echo.Context) error { ran = true; return nil })
			rec := serve(e, "GET", "/x", "")
			if rec.Code != tt.status || rec.Body.String() != tt.body || !errors.Is(got, auth.ErrNoCredentials) || ran {
				t.Fatalf("status %d body %q err %v ran %v", rec.Code, rec.Body, got, ran)
			}
		})
	}
}

// TestGroups checks optional auth on the router with a role check on a group, which reuses the session the
// outer middleware found.
func TestGroups(t *testing.T) {
	is, a := newAuth(t)
	e := echo.New()
	e.Use(authecho.Middleware(a, authecho.Optional()))
	admin := e.Group("/admin", authecho.Middleware(a, authecho.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.GET("", func(c *echo.Context) error {
		s, _ := auth.FromContext(c.Request().Context())
		return c.String(200, "admin "+s.User.ID)
	})
	e.GET("/", func(c *echo.Context) error {
		if s, ok := authecho.Session(c); ok {
			return c.String(200, "hello "+s.User.ID)
		}
		return c.String(200, "hello guest")
	})
	adminTok := is.MustMint(authtest.Claims{ID: "a1", Extra: map[string]any{"role": "admin"}})
	userTok := is.MustMint(authtest.Claims{ID: "u1"})
	tests := []struct {
		name, target, tok string
		status            int
		body              string
	}{
		{"guest", "/", "", 200, "hello guest"},
		{"user", "/", userTok, 200, "hello u1"},
		{"admin on the group", "/admin", adminTok, 200, "admin a1"},
		{"user on the group", "/admin", userTok, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`},
		{"guest on the group", "/admin", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(e, "GET", tt.target, tt.tok)
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("%s: %d %q, want %d %q", tt.target, rec.Code, rec.Body, tt.status, tt.body)
			}
		})
	}
}

// TestSpoofedForwardedFor checks that the middleware does not depend on the client IP.
func TestSpoofedForwardedFor(t *testing.T) {
	_, a := newAuth(t)
	e := echo.New()
	e.Use(authecho.Middleware(a))
	e.GET("/x", func(c *echo.Context) error { return c.String(200, "ok") })
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	req.RemoteAddr = "127.0.0.1:1234"
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestSessionWithoutRequest(t *testing.T) {
	if _, ok := authecho.Session(nil); ok {
		t.Fatal("session on a nil context")
	}
}
