package authecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/adapters/authecho"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestConformance runs the shared adapter suite through authecho.Middleware on an echo router.
func TestConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		e := echo.New()
		e.Use(authecho.Middleware(a, authecho.WithPolicy(p)))
		serve := func(c *echo.Context) error {
			s, ok := authecho.Session(c)
			return c.String(http.StatusOK, h(c.Request().Context(), s, ok))
		}
		e.Any("/*", serve)
		e.RouteNotFound("/*", serve)
		return e
	})
}
