package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v5"
	"github.com/valyala/fasthttp"

	"github.com/gobetterauth/gobetterauth/adapters/authchi"
	"github.com/gobetterauth/gobetterauth/adapters/authecho"
	"github.com/gobetterauth/gobetterauth/adapters/authfiber"
	"github.com/gobetterauth/gobetterauth/adapters/authgin"
	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
)

// BenchmarkAdapters measures the cost each adapter adds on top of (*auth.Auth).Authenticate, in one run:
//
//	authenticate     Authenticate alone, with the request the adapters build
//	<fw>/bare        the framework serving GET /api/me into a no-op handler, no auth
//	<fw>/<adapter>   the same with the adapter's middleware (default policy) in front
//
// The adapter's own cost is <fw>/<adapter> - <fw>/bare - authenticate, in ns/op and in allocs/op. The token
// is an EdDSA JWT served from the token cache (Config.TokenCacheSize), so the signature check, which is the
// same for every adapter, does not drown the difference. Each row checks that the handler ran and nothing was
// refused.
func BenchmarkAdapters(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	f := newJWKSFixture(b, "EdDSA")
	a := newOurs(b, auth.Config{BaseURL: f.origin, TokenCacheSize: 1024})
	requireCacheHit(b, a, f.tok)
	authz := "Bearer " + f.tok

	b.Run("authenticate", func(b *testing.B) {
		ctx := context.Background()
		req := auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{authz}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Authenticate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, fw := range adapterFrameworks(a) {
		b.Run(fw.name+"/bare", func(b *testing.B) { fw.bench(b, fw.bare(), authz) })
		b.Run(fw.name+"/"+fw.adapter, func(b *testing.B) { fw.bench(b, fw.auth(), authz) })
	}
}

// TestAdapterAllocs logs the allocations each adapter adds per verified request on top of Authenticate
// (target: at most 2), and fails only if a valid token is refused.
func TestAdapterAllocs(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	f := newJWKSFixture(t, "EdDSA")
	a := newOurs(t, auth.Config{BaseURL: f.origin, TokenCacheSize: 1024})
	requireCacheHit(t, a, f.tok)
	authz := "Bearer " + f.tok
	ctx := context.Background()
	req := auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{authz}}
	base := testing.AllocsPerRun(200, func() {
		if _, err := a.Authenticate(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
	for _, fw := range adapterFrameworks(a) {
		bare, with := fw.allocs(t, fw.bare(), authz), fw.allocs(t, fw.auth(), authz)
		added := with - bare - base
		verdict := "within"
		if added > 2 {
			verdict = "MISSES"
		}
		t.Logf("%-7s %-9s adds %.0f allocs per request (framework %.0f, with auth %.0f, Authenticate %.0f): %s the target of 2",
			fw.name, fw.adapter, added, bare, with, base, verdict)
	}
}

// framework builds the same app with and without an adapter, and serves requests to it.
type framework struct {
	name, adapter string
	bare, auth    func() any                                        // an http.Handler, or a fasthttp.RequestHandler for fiber
	serve         func(tb testing.TB, app any, authz string) func() // returns a call that serves one request
}

func (fw framework) bench(b *testing.B, app any, authz string) {
	serve := fw.serve(b, app, authz)
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

func (fw framework) allocs(t *testing.T, app any, authz string) float64 {
	return testing.AllocsPerRun(200, fw.serve(t, app, authz))
}

// served counts the calls that reached a handler; the benchmarks run one at a time.
var served int

// noop is the handler every framework routes GET /api/me to: it only counts.
var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served++ })

func adapterFrameworks(a *auth.Auth) []framework {
	return []framework{
		{
			name: "nethttp", adapter: "authhttp",
			bare:  func() any { return noop },
			auth:  func() any { return authhttp.Middleware(a)(noop) },
			serve: serveHTTP,
		},
		{
			name: "chi", adapter: "authchi",
			bare:  func() any { return chiApp(nil) },
			auth:  func() any { return chiApp(authchi.Middleware(a)) },
			serve: serveHTTP,
		},
		{
			name: "gin", adapter: "authgin",
			bare:  func() any { return ginApp(nil) },
			auth:  func() any { return ginApp(authgin.Middleware(a)) },
			serve: serveHTTP,
		},
		{
			name: "fiber", adapter: "authfiber",
			bare:  func() any { return fiberApp(nil) },
			auth:  func() any { return fiberApp(authfiber.Middleware(a)) },
			serve: serveFasthttp,
		},
		{
			name: "echo", adapter: "authecho",
			bare:  func() any { return echoApp(nil) },
			auth:  func() any { return echoApp(authecho.Middleware(a)) },
			serve: serveHTTP,
		},
	}
}

func echoApp(mw echo.MiddlewareFunc) http.Handler {
	e := echo.New()
	if mw != nil {
		e.Use(mw)
	}
	e.GET("/api/me", func(*echo.Context) error { served++; return nil })
	return e
}

func chiApp(mw func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	if mw != nil {
		r.Use(mw)
	}
	r.Get("/api/me", noop)
	return r
}

func ginApp(mw gin.HandlerFunc) http.Handler {
	r := gin.New()
	if mw != nil {
		r.Use(mw)
	}
	r.GET("/api/me", func(*gin.Context) { served++ })
	return r
}

func fiberApp(mw fiber.Handler) fasthttp.RequestHandler {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	if mw != nil {
		app.Use(mw)
	}
	app.Get("/api/me", func(*fiber.Ctx) error { served++; return nil })
	return app.Handler()
}

// serveHTTP serves one reused request through an http.Handler into a writer that keeps only the status.
func serveHTTP(tb testing.TB, app any, authz string) func() {
	h := app.(http.Handler)
	r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	r.Header["Authorization"] = []string{authz}
	w := &statusWriter{h: http.Header{}}
	if h.ServeHTTP(w, r); w.code != 0 && w.code != http.StatusOK {
		tb.Fatalf("refused: status %d", w.code)
	}
	return func() {
		clear(w.h)
		before := served
		h.ServeHTTP(w, r)
		if w.code != 0 && w.code != http.StatusOK || served != before+1 {
			tb.Fatalf("refused: status %d, handler calls %d", w.code, served-before)
		}
	}
}

// serveFasthttp serves one reused request through a fasthttp handler, as fasthttp's server would with a
// reused RequestCtx.
func serveFasthttp(tb testing.TB, app any, authz string) func() {
	h := app.(fasthttp.RequestHandler)
	var req fasthttp.Request
	req.Header.SetMethod(http.MethodGet)
	req.SetRequestURI("/api/me")
	req.Header.Set("Authorization", authz)
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, nil, nil)
	serve := func() {
		ctx.Response.Reset()
		before := served
		h(ctx)
		if c := ctx.Response.StatusCode(); c != http.StatusOK || served != before+1 {
			tb.Fatalf("refused: status %d: %s", c, ctx.Response.Body())
		}
	}
	serve()
	return serve
}

// statusWriter is a ResponseWriter that keeps nothing but the status.
type statusWriter struct {
	h    http.Header
	code int
}

func (w *statusWriter) Header() http.Header         { return w.h }
func (w *statusWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *statusWriter) WriteHeader(code int)        { w.code = code }
