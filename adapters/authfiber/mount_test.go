package authfiber_test

import (
	"net"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
)

// TestMount signs up through a fiber app on a loopback listener (so the connection has a real address), then
// uses the cookies it set on Better Auth's endpoints and on a route behind Middleware.
func TestMount(t *testing.T) {
	server := authservertest.New(t)
	a := server.Verifier()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	authfiber.Mount(app, server)
	app.Get("/api/me", authfiber.Middleware(a), func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c)
		return c.SendString("hello " + s.User.Email)
	})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("site") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	defer func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	authservertest.RunMount(t, "http://"+ln.Addr().String())
}
