package authhttp

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Mount registers a on mux below a.BasePath() ("/api/auth/" by default) for GET (and so HEAD) and POST, the
// methods Better Auth's endpoints use, so that a server-mode Auth (one with [auth.Config] Server set)
// answers them there: sign-up, sign-in, sign-out, get-session and the rest. The request reaches a with its
// full URL path, as [auth.Auth.ServeHTTP] needs. The patterns name their methods so that they do not
// conflict with a site's own "GET /" or "POST /" patterns (a method-less "/api/auth/" would, and
// [http.ServeMux] panics on conflicts); other methods below the base path are left to mux.
//
// Mount the Auth on the mux that serves the site's root: a mux mounted under another prefix with
// [http.StripPrefix] would hide the base path from a. Mount panics if a is nil or if mux already has the
// same patterns, as [http.ServeMux.Handle] does: a programming error found at set-up.
func Mount(mux *http.ServeMux, a *auth.Auth) {
	if a == nil {
		panic("authhttp: Mount with a nil *auth.Auth")
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		mux.Handle(m+" "+a.BasePath()+"/", a)
	}
}
