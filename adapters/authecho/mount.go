package authecho

import (
	"github.com/labstack/echo/v5"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Router is what [Mount] registers a route on: an *echo.Echo or an *echo.Group.
type Router interface {
	Any(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) echo.RouteInfo
}

// Mount registers the server s on r for every method at s.BasePath()+"/*" ("/api/auth/*" by default), so
// that it answers Better Auth's endpoints there: sign-up, sign-in, sign-out, get-session and the rest. echo
// leaves the request's URL.Path whole, so s sees the full path, as [authserver.Server.ServeHTTP] needs.
//
// Mount on the *echo.Echo (or a group at ""): the base path is matched against the full URL path, so a
// group at "/v1" would route "/v1/api/auth/…" to s, which answers 404. Middleware added with Use on r runs
// before s. Mount panics if s is nil, as echo panics on a route it cannot add: a programming error found at
// set-up.
func Mount(r Router, s *authserver.Server) {
	if s == nil {
		panic("authecho: Mount with a nil *authserver.Server")
	}
	r.Any(s.BasePath()+"/*", echo.WrapHandler(s))
}
