package authchi

import (
	"github.com/go-chi/chi/v5"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Mount mounts the server s on r at s.BasePath() ("/api/auth" by default), for every method, so that it
// answers Better Auth's endpoints there: sign-up, sign-in, sign-out, get-session and the rest. chi's Mount
// leaves r.URL.Path whole (it tracks the rest of the path in its route context), so s sees the full path,
// as [authserver.Server.ServeHTTP] needs.
//
// Mount on the root router (or a group of it): the base path is matched against the full URL path, so a
// sub-router mounted at "/v1" would route "/v1/api/auth/…" to s, which answers 404. Mount panics if s is
// nil or the base path is already mounted on r, as chi does: a programming error found at set-up.
func Mount(r chi.Router, s *authserver.Server) {
	if s == nil {
		panic("authchi: Mount with a nil *authserver.Server")
	}
	r.Mount(s.BasePath(), s)
}
