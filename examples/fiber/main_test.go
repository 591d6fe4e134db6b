package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/examples/internal/exampletest"
)

func TestRoutes(t *testing.T) { exampletest.Run(t, handler) }

// TestWithBetterAuth runs the example against the real Better Auth server: its JWT and its session cookie.
func TestWithBetterAuth(t *testing.T) { exampletest.RunBetterAuth(t, handler) }

// handler serves the fiber app through app.Test, so the shared suites can drive it as an http.Handler.
func handler(t *testing.T, a *auth.Auth) http.Handler {
	app := newApp(a)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := app.Test(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}
