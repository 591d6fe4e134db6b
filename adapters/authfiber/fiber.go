package authfiber

import (
	"net/http"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/valyala/fasthttp"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// sessionKey is the key of the session in fiber's Locals; unexported, so no other package can read or
// replace it.
type sessionKey struct{}

// Middleware returns fiber middleware that authenticates each request with a and applies the route policy
// given with [WithPolicy] (by default: valid credentials required on every path). On success it stores the
// session in the request's Locals (read it with [Session]) and in its user context ([auth.FromContext] on
// c.UserContext()), and calls c.Next(); otherwise it writes the answer (the shared JSON error, or a
// redirect for a page route) and returns without calling c.Next().
//
// fasthttp reuses request memory once a handler returns, so the Authorization and Cookie values are copied
// before they reach the core (whose token cache keeps tokens as map keys), and the session holds no byte of
// the request. fiber's Immutable setting is not assumed either way.
//
// Middleware panics if a is nil or the policy is invalid (see [auth.NewGuard]): a programming error found
// at set-up, never at request time.
func Middleware(a *auth.Auth, opts ...Option) fiber.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Optional = o.policy.Optional || o.optional
	g, err := auth.NewGuard(a, o.policy)
	if err != nil {
		panic("authfiber: " + err.Error())
	}
	var apps appCache
	keyHeaders := a.APIKeyHeaders()
	return func(c *fiber.Ctx) error {
		rr := Request(c)
		rr.Header = copyHeaders(&c.Request().Header, keyHeaders)
		rr.CaseInsensitive = apps.caseInsensitive(c.App())
		ctx := c.UserContext()
		d := g.Check(ctx, &rr)
		switch {
		case d.Action == auth.Allow:
			if d.Session != nil {
				c.Locals(sessionKey{}, d.Session)
				if sc := d.Context(ctx); sc != ctx {
					c.SetUserContext(sc)
				}
			}
			return c.Next()
		case d.Action == auth.Deny && o.onError != nil:
			return o.onError(c, d.Err)
		default:
			d.Header(c.Set)
			c.Status(d.Status)
			if b := d.Body(); b != nil {
				return c.Send(b)
			}
			return nil
		}
	}
}

// Session returns the caller that [Middleware] authenticated for this request. ok is false for an anonymous
// request (an optional or skipped route). The session holds no fasthttp memory: it may be kept after the
// handler returns.
func Session(c *fiber.Ctx) (*auth.Session, bool) {
	s, ok := c.Locals(sessionKey{}).(*auth.Session)
	return s, ok && s != nil
}

// WriteError is the default error handler: the status from [auth.HTTPStatus], WWW-Authenticate or
// Retry-After as the error calls for, and Better Auth's JSON error body.
func WriteError(c *fiber.Ctx, err error) error {
	d := auth.Decision{Action: auth.Deny, Err: err, Response: auth.NewErrorResponse(err)}
	d.Status = d.Response.Status
	d.Header(c.Set)
	return c.Status(d.Status).Send(d.Body())
}

// Request returns the route policy's view of c, for code that calls [auth.Guard.Check] or
// [auth.Auth.Authenticate] directly. It leaves Header nil: [Middleware] fills it with the API key headers
// its Auth reads ([auth.Auth.APIKeyHeaders]). The Authorization and Cookie values are copies, safe to keep after the
// handler returns. Method, Path, RawPath and RawQuery share fasthttp's memory: they are valid only until the
// handler returns, which is all the core needs (it keeps none of them).
//
// Path is fasthttp's decoded and normalised path; RawPath is the path as the client sent it, when that
// differs.
func Request(c *fiber.Ctx) auth.RouteRequest {
	req := c.Request()
	h := &req.Header
	uri := req.URI()
	path, raw := uri.Path(), uri.PathOriginal()
	rr := auth.RouteRequest{
		Request: auth.Request{
			Method:        c.Method(),
			Path:          utils.UnsafeString(path),
			Authorization: copyAll(h.PeekAll(fiber.HeaderAuthorization)),
			Cookie:        copyAll(h.PeekAll(fiber.HeaderCookie)),
		},
		RawQuery: utils.UnsafeString(uri.QueryString()),
	}
	if string(raw) != string(path) {
		rr.RawPath = utils.UnsafeString(raw)
	}
	if rr.Method == http.MethodOptions {
		rr.Preflight = len(h.Peek(fiber.HeaderAccessControlRequestMethod)) > 0
	}
	return rr
}

// copyHeaders copies the named headers (the API key headers) out of fasthttp's buffers; nil when none is
// present, so a request without an API key allocates nothing.
func copyHeaders(h *fasthttp.RequestHeader, names []string) map[string][]string {
	var out map[string][]string
	for _, n := range names {
		if vals := h.PeekAll(n); len(vals) > 0 {
			if out == nil {
				out = make(map[string][]string, len(names))
			}
			out[n] = copyAll(vals)
		}
	}
	return out
}

// copyAll copies header values out of fasthttp's buffers.
func copyAll(vals [][]byte) []string {
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return []string{string(vals[0])}
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// appCache remembers whether the last app seen routes case-insensitively (fiber's default), without copying
// its Config on every request.
type appCache struct{ last atomic.Pointer[appCase] }

type appCase struct {
	app  *fiber.App
	fold bool
}

func (ac *appCache) caseInsensitive(app *fiber.App) bool {
	if l := ac.last.Load(); l != nil && l.app == app {
		return l.fold
	}
	l := &appCase{app: app, fold: !app.Config().CaseSensitive}
	ac.last.Store(l)
	return l.fold
}
