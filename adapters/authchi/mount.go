package authchi

import (
	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Mount mounts a on r at a.BasePath() ("/api/auth" by default), for every method, so that a server-mode
// Auth (one with [auth.Config] Server set) answers Better Auth's endpoints there: sign-up, sign-in,
// sign-out, get-session and the rest. chi's Mount leaves r.URL.Path whole (it tracks the rest of the path
// in its route context), so a sees the full path, as [auth.Auth.ServeHTTP] needs.
//
// Mount on the root router (or a group of it): the base path is matched against the full URL path, so a
// sub-router mounted at "/v1" would route "/v1/api/auth/…" to a, which answers 404. Mount panics if a is
// nil or the base path is already mounted on r, as chi does: a programming error found at set-up.
func Mount(r chi.Router, a *auth.Auth) {
	if a == nil {
		panic("authchi: Mount with a nil *auth.Auth")
	}
	r.Mount(a.BasePath(), a)
}
