package authecho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authecho"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
)

// TestMount signs up through an echo router, then uses the cookies it set on Better Auth's endpoints and on
// a route behind Middleware. The middleware is the route's, not a group's: an echo group with middleware
// answers every unknown path below its prefix through that middleware (401, not 404, for "/api/authx/ok"),
// which the shared mount test does not expect.
func TestMount(t *testing.T) {
	server := authservertest.New(t)
	a := server.Verifier()
	e := echo.New()
	authecho.Mount(e, server)
	e.GET("/api/me", func(c *echo.Context) error {
		s, _ := authecho.Session(c)
		return c.String(http.StatusOK, "hello "+s.User.Email)
	}, authecho.Middleware(a))
	e.GET("/", func(c *echo.Context) error { return c.String(http.StatusOK, "site") })
	srv := httptest.NewServer(e)
	defer srv.Close()
	authservertest.RunMount(t, srv.URL)
}
