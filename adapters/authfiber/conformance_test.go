package authfiber_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestConformance runs the shared adapter suite through authfiber.Middleware on a fiber app, each request
// served by fasthttp from its raw bytes (app.Test).
func TestConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
		app := fiber.New()
		app.Use(authfiber.Middleware(a, authfiber.WithPolicy(p)))
		app.All("/*", func(c *fiber.Ctx) error {
			s, ok := authfiber.Session(c)
			return c.SendString(h(c.UserContext(), s, ok))
		})
		return asHandler(t, app)
	})
}

// asHandler serves net/http requests with app through fasthttp, as app.Test does.
func asHandler(t *testing.T, app *fiber.App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := app.Test(r, -1)
		if err != nil {
			t.Errorf("fiber: %v", err)
			w.WriteHeader(599)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			if k == "Content-Length" || k == "Date" {
				continue
			}
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}
