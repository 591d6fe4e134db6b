package authgin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/adapters/authgin"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func init() { gin.SetMode(gin.TestMode) }

// TestConformance runs the shared adapter suite through authgin.Middleware on a gin engine.
func TestConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		r := gin.New()
		r.Use(authgin.Middleware(a, authgin.WithPolicy(p)))
		r.Any("/*path", func(c *gin.Context) {
			s, ok := authgin.Session(c)
			c.String(http.StatusOK, "%s", h(c.Request.Context(), s, ok))
		})
		return r
	})
}
