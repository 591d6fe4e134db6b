package authgin

import (
	"github.com/gin-gonic/gin"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Mount registers a on r for every method at a.BasePath()+"/*path" ("/api/auth/*path" by default), so
// that a server-mode Auth (one with [auth.Config] Server set) answers Better Auth's endpoints there:
// sign-up, sign-in, sign-out, get-session and the rest. gin leaves c.Request.URL.Path whole, so a sees the
// full path, as [auth.Auth.ServeHTTP] needs.
//
// Mount on the engine (or a group at "/"): the base path is matched against the full URL path, so a group
// at "/v1" would route "/v1/api/auth/…" to a, which answers 404. Middleware added to r with Use before Mount
// runs before a. Mount panics if a is nil or the route conflicts with one r already has, as gin does: a
// programming error found at set-up.
func Mount(r gin.IRoutes, a *auth.Auth) {
	if a == nil {
		panic("authgin: Mount with a nil *auth.Auth")
	}
	r.Any(a.BasePath()+"/*path", gin.WrapH(a))
}
