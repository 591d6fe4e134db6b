package main

import (
	"net/http"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/examples/internal/exampletest"
)

func TestRoutes(t *testing.T) {
	exampletest.Run(t, func(_ *testing.T, a *auth.Auth) http.Handler { return newRouter(a) })
}

// TestWithBetterAuth runs the example against the real Better Auth server: its JWT and its session cookie.
func TestWithBetterAuth(t *testing.T) {
	exampletest.RunBetterAuth(t, func(_ *testing.T, a *auth.Auth) http.Handler { return newRouter(a) })
}
