// Package authtest is gobetterauth's public test kit: a fake Better Auth JWT issuer with a real JWKS
// endpoint, helpers for session cookies, and the conformance suite every adapter passes. It is for tests:
// no Node server, no database, no network beyond [net/http/httptest].
//
// # A fake issuer
//
// [NewIssuer] starts an [Issuer]: an httptest server that publishes a JWKS at /api/auth/jwks and mints
// tokens shaped as the Better Auth JWT plugin shapes them (header {"alg","kid"}, user fields as top-level
// claims, iss = aud = the base URL origin, 15-minute expiry). Point an auth.Config's BaseURL at
// [Issuer.URL] and verify what [Issuer.Mint] returns:
//
//	is, _ := authtest.NewIssuer("EdDSA")
//	defer is.Close()
//	a, _ := auth.New(auth.Config{BaseURL: is.URL()})
//	tok := is.MustMint(authtest.Claims{ID: "u1", Email: "ada@example.com"})
//
// The issuer signs with go-jose, not with gobetterauth's own code, so a test that verifies its tokens with
// package auth checks two independent implementations against each other; the interop tests prove the
// same shapes against the real server. [Issuer.Rotate], [Issuer.Retire], [Issuer.SetHandler] and
// [Issuer.SetNow] drive key rotation, outages and time. [SignHS256] signs an HS256 token as Better Auth's
// own signer does.
//
// # Session cookies
//
// [NewSessionToken] makes a session token as Better Auth does, and [SignCookie] the session_token cookie
// value a server with a given secret writes for it, for tests that put session rows in a store.
//
// # The adapter conformance suite
//
// [Run] is one table of cases, in the spirit of testing/slogtest, that every adapter passes through its
// framework's real router: statuses, Better Auth's JSON error bodies, headers, the handler running exactly
// once, redirects for page routes, and no token bytes in any answer or log line. An adapter's whole proof
// is a conformance_test.go like this one (adapters/authhttp):
//
//	func TestConformance(t *testing.T) {
//		authtest.Run(t, func(t *testing.T, a *auth.Auth, p auth.Policy, h authtest.Handler) http.Handler {
//			mux := http.NewServeMux()
//			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
//				s, ok := authhttp.Session(r)
//				io.WriteString(w, h(r.Context(), s, ok))
//			})
//			return authhttp.Middleware(a, authhttp.WithPolicy(p))(mux)
//		})
//	}
//
// Package oidcop, below this one, runs a real OpenID provider for the social sign-in tests; package
// github.com/gobetterauth/gobetterauth/core/authserver/authservertest is the server-mode kit.
package authtest
