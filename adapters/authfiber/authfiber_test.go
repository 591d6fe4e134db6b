package authfiber_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func newAuth(t testing.TB, edit func(*auth.Config)) (*authtest.Issuer, *auth.Auth) {
	t.Helper()
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	cfg := auth.Config{BaseURL: is.URL()}
	if edit != nil {
		edit(&cfg)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return is, a
}

// record is what the handler saw, kept by a sink goroutine after the handler has returned.
type record struct {
	want    string // the user id the client sent in X-Want, copied by the test
	user    string // the session's user id
	subject string // the session's sub claim
	authz   string // authfiber.Request(c).Authorization[0]
}

// TestBufferReuse is the fasthttp buffer-reuse stress test (security spec E10, S12): 1000 requests with
// distinct tokens over 16 concurrent connections, each request's session and copied header values kept by
// a sink goroutine after its handler returned, then checked once every request is done. With the token cache
// on, a second round of the same tokens must map each token to its own user, which fails if a cache key
// (the token string) aliased a reused buffer. Run it with -race.
func TestBufferReuse(t *testing.T) {
	const users, workers = 1000, 16
	is, a := newAuth(t, func(c *auth.Config) { c.TokenCacheSize = 2 * users })
	tokens := make([]string, users)
	for i := range tokens {
		tokens[i] = is.MustMint(authtest.Claims{ID: fmt.Sprintf("user-%04d", i), Email: fmt.Sprintf("u%d@example.com", i)})
	}

	sink := make(chan record, 64)
	var kept []record
	var senders, sinkDone sync.WaitGroup
	sinkDone.Add(1)
	go func() {
		defer sinkDone.Done()
		for r := range sink {
			kept = append(kept, r)
		}
	}()

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(authfiber.Middleware(a))
	app.Get("/api/me", func(c *fiber.Ctx) error {
		s, ok := authfiber.Session(c)
		if !ok {
			return errors.New("no session")
		}
		rr := authfiber.Request(c)
		r := record{want: strings.Clone(c.Get("X-Want")), user: s.User.ID, subject: s.Claims.Subject}
		if len(rr.Authorization) == 1 {
			r.authz = rr.Authorization[0]
		}
		senders.Add(1)
		go func() { defer senders.Done(); sink <- r }() // kept after the handler returns
		return c.SendString(s.User.ID)
	})
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = app.Listener(ln) }()
	defer func() { _ = app.Shutdown() }()

	client := &http.Client{Transport: &http.Transport{
		DialContext:         func(context.Context, string, string) (net.Conn, error) { return ln.Dial() },
		MaxConnsPerHost:     workers,
		MaxIdleConnsPerHost: workers,
	}, Timeout: 30 * time.Second}

	var mismatches sync.Map
	round := func(name string) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					want := fmt.Sprintf("user-%04d", i)
					req, _ := http.NewRequest("GET", "http://fiber.test/api/me", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[i])
					req.Header.Set("X-Want", want)
					resp, err := client.Do(req)
					if err != nil {
						mismatches.Store(name+want, err.Error())
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || string(body) != want {
						mismatches.Store(name+want, fmt.Sprintf("status %d body %q", resp.StatusCode, body))
					}
				}
			}()
		}
		for i := range users {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	round("verify ")
	round("cached ") // every token again, now from the token cache
	_ = app.Shutdown()
	senders.Wait()
	close(sink)
	sinkDone.Wait()

	mismatches.Range(func(k, v any) bool {
		t.Errorf("%s: %s", k, v)
		return true
	})
	if len(kept) != 2*users {
		t.Fatalf("kept %d records, want %d", len(kept), 2*users)
	}
	bad := 0
	for _, r := range kept {
		var i int
		if _, err := fmt.Sscanf(r.want, "user-%04d", &i); err != nil || i < 0 || i >= users {
			t.Fatalf("record %+v", r)
		}
		if r.user != r.want || r.subject != r.want || r.authz != "Bearer "+tokens[i] {
			bad++
			if bad <= 5 {
				t.Errorf("after the handler returned, the record for %s reads user %q, sub %q, authorization ok=%v",
					r.want, r.user, r.subject, r.authz == "Bearer "+tokens[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d records changed after their handler returned", bad, len(kept))
	}
}

// serve runs one request through app.
func serve(t *testing.T, app *fiber.App, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestErrorHandler(t *testing.T) {
	_, a := newAuth(t, nil)
	var got error
	app := fiber.New()
	app.Use(authfiber.Middleware(a, authfiber.WithErrorHandler(func(c *fiber.Ctx, err error) error {
		got = err
		return c.Status(auth.HTTPStatus(err)).SendString("custom: " + err.Error())
	})))
	ran := false
	app.Get("/*", func(c *fiber.Ctx) error { ran = true; return nil })
	resp, body := serve(t, app, "GET", "/x")
	if resp.StatusCode != 401 || body != "custom: auth: no credentials" || !errors.Is(got, auth.ErrNoCredentials) || ran {
		t.Fatalf("status %d body %q err %v ran %v", resp.StatusCode, body, got, ran)
	}
}

// TestCaseInsensitiveRouting checks that with fiber's default case-insensitive routing, "/API/me" is
// protected by Protect "/api" (it reaches the same route), and that a case-sensitive app does not fold.
func TestCaseInsensitiveRouting(t *testing.T) {
	_, a := newAuth(t, nil)
	for _, sensitive := range []bool{false, true} {
		app := fiber.New(fiber.Config{CaseSensitive: sensitive})
		app.Use(authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{Protect: []string{"/api"}})))
		app.Get("/api/me", func(c *fiber.Ctx) error { return c.SendString("me") })
		app.Get("/*", func(c *fiber.Ctx) error { return c.SendString("other") })
		resp, body := serve(t, app, "GET", "/API/me")
		want := 401
		if sensitive {
			want = 200 // "/API/me" is another route there, outside the protected prefix
		}
		if resp.StatusCode != want {
			t.Errorf("CaseSensitive=%v: status %d (%s), want %d", sensitive, resp.StatusCode, body, want)
		}
	}
}

// TestNested checks an optional middleware on the app with a role check on a group: the group reuses the
// session the outer middleware found.
func TestNested(t *testing.T) {
	is, a := newAuth(t, nil)
	app := fiber.New()
	app.Use(authfiber.Middleware(a, authfiber.Optional()))
	admin := app.Group("/admin", authfiber.Middleware(a, authfiber.WithPolicy(auth.Policy{Roles: []string{"admin"}})))
	admin.Get("/", func(c *fiber.Ctx) error {
		s, _ := authfiber.Session(c)
		return c.SendString("admin " + s.User.ID)
	})
	app.Get("/", func(c *fiber.Ctx) error {
		if s, ok := auth.FromContext(c.UserContext()); ok {
			return c.SendString("hello " + s.User.ID)
		}
		return c.SendString("hello guest")
	})
	adminTok := is.MustMint(authtest.Claims{ID: "a1", Extra: map[string]any{"role": "admin"}})
	userTok := is.MustMint(authtest.Claims{ID: "u1"})
	tests := []struct {
		target, tok string
		status      int
		body        string
	}{
		{"/", "", 200, "hello guest"},
		{"/", userTok, 200, "hello u1"},
		{"/admin", adminTok, 200, "admin a1"},
		{"/admin", userTok, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`},
		{"/admin", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`},
	}
	for _, tt := range tests {
		var h []string
		if tt.tok != "" {
			h = []string{"Authorization", "Bearer " + tt.tok}
		}
		resp, body := serve(t, app, "GET", tt.target, h...)
		if resp.StatusCode != tt.status || body != tt.body {
			t.Errorf("%s with token=%v: %d %q, want %d %q", tt.target, tt.tok != "", resp.StatusCode, body, tt.status, tt.body)
		}
	}
}

func TestRequestCopies(t *testing.T) {
	_, a := newAuth(t, nil)
	var rr auth.RouteRequest
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		rr = authfiber.Request(c)
		return c.SendStatus(204)
	})
	_ = a
	serve(t, app, "OPTIONS", "/a/%2e%2e/b?x=1", "Authorization", "Bearer abc", "Cookie", "a=1; b=2",
		"Access-Control-Request-Method", "GET")
	// fasthttp has reused its buffers by now; the copies must be intact.
	if len(rr.Authorization) != 1 || rr.Authorization[0] != "Bearer abc" || len(rr.Cookie) != 1 || rr.Cookie[0] != "a=1; b=2" {
		t.Errorf("copies changed: %q %q", rr.Authorization, rr.Cookie)
	}
	if !rr.Preflight {
		t.Error("preflight not seen")
	}
}
