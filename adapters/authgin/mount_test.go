package authgin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/adapters/authgin"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
)

// TestMount signs up through a gin engine, then uses the cookies it set on Better Auth's endpoints and on a
// route group behind Middleware.
func TestMount(t *testing.T) {
	server := authservertest.New(t)
	a := server.Verifier()
	r := gin.New()
	authgin.Mount(r, server)
	api := r.Group("/api", authgin.Middleware(a))
	api.GET("/me", func(c *gin.Context) {
		s, _ := authgin.Session(c)
		c.String(http.StatusOK, "hello "+s.User.Email)
	})
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "site") })
	srv := httptest.NewServer(r)
	defer srv.Close()
	authservertest.RunMount(t, srv.URL)
}
