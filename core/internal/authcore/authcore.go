// Package authcore is the seam between the verifier (package auth) and server mode (package authserver).
//
// Server mode wraps a verifier: it writes the cookies the verifier reads, so both must agree on the
// validated settings (base URL and path, cookie names, cookie cache strategy and version, the secret) and
// share the codecs built from them (the cookie signer, the jwe cache keys, the cookie cache decoder). Those
// live in the verifier, which knows nothing of server mode. Package auth hands them over here, through
// [Of], which it sets in an init function; package authserver reads them with Of on the *auth.Auth it
// built. No exported API of auth.Auth exists for the server's sake, no import runs from auth to
// authserver, and only packages below core/ can import this one.
package authcore

import (
	"context"
	"log/slog"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// State is what server mode reads of a verifier: its validated settings and its codecs. It is built once
// per verifier and never changed.
type State struct {
	// BaseURL is Config.BaseURL without a trailing slash; RawBaseURL is it as configured (the JWT
	// plugin's cache issuer); Origin is its origin; BasePath is the validated base path.
	BaseURL, RawBaseURL, Origin, BasePath string
	// Secret is the current secret ("" when none).
	Secret string
	// Names are Better Auth's cookie names; Secure says the cookies carry the Secure attribute.
	Names  betterauth.Names
	Secure bool
	// Strategy is the cookie cache strategy (auth.CacheStrategy's value) and CacheVersion its version.
	Strategy, CacheVersion string
	// MaxSessionAge is Config.MaxSessionAge: an absolute session lifetime from createdAt; 0 means none.
	MaxSessionAge time.Duration
	// Now is the clock and Log the logger (never nil).
	Now func() time.Time
	Log *slog.Logger
	// Signer signs with the current secret; nil without one. JWE holds the jwe cookie cache keys; nil
	// unless that strategy is on.
	Signer *betterauth.Signer
	JWE    *betterauth.JWEKeys
	// CachedSession returns the session a session_data cookie value holds when Better Auth itself would
	// use it for the session token token, else nil (the store decides).
	CachedSession func(ctx context.Context, value, token string) *store.Result
}

// Of returns the State of a verifier, an *auth.Auth; it panics on anything else. Package auth sets it.
var Of func(verifier any) *State
