package authtest

import "github.com/gobetterauth/gobetterauth/core/internal/betterauth"

// SignCookie returns the session_token cookie value a Better Auth server with secret writes for a session
// token: encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token))). Use it to build session
// cookies for rows your test put in a store.
func SignCookie(secret, token string) string { return betterauth.NewSigner(secret).Sign(token) }

// NewSessionToken returns a random session token shaped like Better Auth's (32 characters of [A-Za-z0-9]).
func NewSessionToken() string { return betterauth.NewSessionToken() }
