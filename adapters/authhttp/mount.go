package authhttp

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Mount registers the server s on mux below s.BasePath() ("/api/auth/" by default) for GET (and so HEAD)
// and POST, the methods Better Auth's endpoints use, so that it answers them there: sign-up, sign-in,
// sign-out, get-session and the rest. The request reaches s with its full URL path, as
// [authserver.Server.ServeHTTP] needs. The patterns name their methods so that they do not
// conflict with a site's own "GET /" or "POST /" patterns (a method-less "/api/auth/" would, and
// [http.ServeMux] panics on conflicts); other methods below the base path are left to mux.
//
// Mount the server on the mux that serves the site's root: a mux mounted under another prefix with
// [http.StripPrefix] would hide the base path from s. Mount panics if s is nil or if mux already has the
// same patterns, as [http.ServeMux.Handle] does: a programming error found at set-up.
func Mount(mux *http.ServeMux, s *authserver.Server) {
	if s == nil {
		panic("authhttp: Mount with a nil *authserver.Server")
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		mux.Handle(m+" "+s.BasePath()+"/", s)
	}
}
