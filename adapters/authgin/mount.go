package authgin

import (
	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Mount registers the server s on r for every method at s.BasePath()+"/*path" ("/api/auth/*path" by
// default), so that it answers Better Auth's endpoints there: sign-up, sign-in, sign-out, get-session and
// the rest. gin leaves c.Request.URL.Path whole, so s sees the full path, as
// [authserver.Server.ServeHTTP] needs.
//
// Mount on the engine (or a group at "/"): the base path is matched against the full URL path, so a group
// at "/v1" would route "/v1/api/auth/…" to s, which answers 404. Middleware added to r with Use before Mount
// runs before s. Mount panics if s is nil or the route conflicts with one r already has, as gin does: a
// programming error found at set-up.
func Mount(r gin.IRoutes, s *authserver.Server) {
	if s == nil {
		panic("authgin: Mount with a nil *authserver.Server")
	}
	r.Any(s.BasePath()+"/*path", gin.WrapH(s))
}
