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
