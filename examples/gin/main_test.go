package main

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/examples/internal/exampletest"
)

func TestRoutes(t *testing.T) {
	gin.SetMode(gin.TestMode)
	exampletest.Run(t, func(_ *testing.T, a *auth.Auth) http.Handler { return newEngine(a) })
}

// TestWithBetterAuth runs the example against the real Better Auth server: its JWT and its session cookie.
func TestWithBetterAuth(t *testing.T) {
	exampletest.RunBetterAuth(t, func(_ *testing.T, a *auth.Auth) http.Handler { return newEngine(a) })
}
