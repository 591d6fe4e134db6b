package auth

import (
	"context"

	"github.com/gobetterauth/gobetterauth/core/internal/authcore"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Server mode (package authserver) reads the verifier's settings and codecs through authcore, never
// through exported API; see authcore's package doc.
func init() {
	authcore.Of = func(v any) *authcore.State { return v.(*Auth).state() }
}

// state is what server mode needs of a.
func (a *Auth) state() *authcore.State {
	return &authcore.State{
		BaseURL: a.s.baseURL, RawBaseURL: a.s.rawBaseURL, Origin: a.s.origin, BasePath: a.s.basePath,
		Secret: string(a.s.secret), Names: a.s.names, Secure: a.s.secure,
		Strategy: string(a.s.strategy), CacheVersion: a.s.cacheVersion,
		MaxSessionAge: a.s.maxSessionAge,
		Now:           a.s.now, Log: a.s.log, Signer: a.signer, JWE: a.jwe,
		CachedSession: func(ctx context.Context, value, token string) *store.Result {
			if p := a.cachedPayload(ctx, value, token); p != nil {
				return &p.Result
			}
			return nil
		},
	}
}
