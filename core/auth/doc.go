// Package auth verifies the credentials a Better Auth server issues, so a Go service knows who the caller is.
// It is the verifier only: it reads what a Better Auth server (Node, or package authserver) wrote, and
// links no database driver and no server code.
//
// # A tour
//
// [New] validates a [Config] and returns an [*Auth]. An adapter (authhttp, authchi, authgin, authfiber)
// turns each request into a [Request] and calls [Auth.Authenticate], through a [Guard] that applies a
// [Policy]. Authenticate returns a [*Session] or a sentinel error; the adapter stores the session with
// [NewContext], handlers read it with [FromContext] and [Claim], and refusals are written with
// [HTTPStatus] and [NewErrorResponse]. The rest of this page follows that path.
//
// # Credentials, in order
//
// A request may carry one of five kinds of [Credential], and [Auth.Authenticate] reads them in this order:
//
//   - the Authorization header, "Bearer <token>" (more than one Authorization header is refused):
//     a JWT-plugin token ([CredentialJWT]) or, with [Config].AcceptHS256, an HS256 token
//     ([CredentialHS256]); any other token, when sessions are on, is a bearer-plugin session token
//     ([CredentialSessionToken]), signed, or raw only with [Config].AcceptRawSessionTokens;
//   - without a bearer token, Better Auth's session_token cookie ([CredentialCookie]), checked against
//     [Config].Store, or its session_data cookie cache ([CredentialCookieCache]) when
//     [Config].CookieCache names the server's strategy and [Request].SkipCookieCache is off.
//
// Another Authorization scheme, or nothing, is [ErrNoCredentials]: not a failure, an anonymous request.
//
// # Tokens
//
// With the Better Auth JWT plugin on, clients get a JWT from authClient.token() (GET /api/auth/token) or from
// the set-auth-jwt header of /get-session, and send it as "Authorization: Bearer <jwt>". [Auth.Authenticate]
// reads that header; [Auth.VerifyToken] checks a raw token. Verification follows the JWT plugin exactly:
//
//   - the key comes from the server's JWKS (BaseURL + BasePath + "/jwks" by default) by the token's kid, which
//     is required;
//   - the algorithm is the key's own (its "alg", within [Config].Algorithms); the token header must agree,
//     so "none", HS256-with-a-public-key and other algorithm confusions cannot work;
//   - "iss" and "aud" must name an accepted issuer and audience (default: BaseURL's origin, as the plugin
//     sets them), "sub" must be present, "exp" is required, "nbf" and "iat" are honoured, each with a small
//     bounded leeway;
//   - header and payload must be strict JSON: duplicate member names, invalid UTF-8 and deep nesting are
//     refused, as are crit, b64 and zip headers and any typ other than JWT.
//
// HS256 tokens signed with BETTER_AUTH_SECRET are a separate mode ([Config].AcceptHS256) that shares no code
// path with JWKS keys.
//
// # The key set
//
// The JWKS is fetched on first use (or by [Auth.Refresh]) and kept in memory. Known kids are looked up
// without locks or I/O. The set is refreshed in the background once older than JWKS.RefreshInterval, so keys
// removed upstream stop working. An unknown kid triggers at most one fetch per JWKS.Cooldown, all callers
// sharing the one fetch in flight and each waiting no longer than its own context allows; a token issued
// after the last fetch may trigger one sooner, because its key may have just been rotated in. When the
// endpoint is down the last good set keeps serving; a token whose key is not in it gets [ErrUnavailable]
// (503 with Retry-After), never a 401 that would log the user out. Fetches are bounded in time, bytes and
// key count; symmetric (oct), private, weak and malformed keys are skipped.
//
// # Sessions
//
// Session cookies and session tokens are looked up in a [store.Store] (package
// github.com/gobetterauth/gobetterauth/core/store: sqlstore, redisstore, remote; [store.NewCache] in
// front of any). The signed cookie is checked with the [Config].Secret (or the current one of
// [Config].Secrets) before the store is asked; the session is refused when expired, older than
// [Config].MaxSessionAge, not its user's, or its user is banned by Better Auth's admin plugin
// ([ErrBanned]). A store that cannot answer is [ErrUnavailable], never a sign-out. The cookie cache is
// read exactly as Better Auth reads it (compact, jwt, jwe or the JWT plugin's, see [CacheStrategy]) and
// used only when Better Auth itself would use it; otherwise the store decides. [Config].TokenCacheSize
// keeps verified JWTs in memory.
//
// # Results
//
// Authenticate returns a [*Session] (the [User] with typed fields, the [*Claims], and any other claim via
// [Claim] or [Session.Decode]) or an error, never both. Errors are sentinels matched with errors.Is;
// [HTTPStatus] and [NewErrorResponse] turn them into the status, headers and Better Auth-shaped JSON body
// every adapter sends. Put the session in a context with [NewContext] and read it with [FromContext].
//
// # Route policy
//
// A [Policy] says which paths need a caller (Protect, Skip), which are pages that redirect to a login
// page instead of answering 401 (Pages, LoginURL), whether anonymous callers pass (Optional), and what a
// caller needs (Roles, Permissions, Authorize). [NewGuard] validates it; [Guard.Check] applies it to a
// [RouteRequest] ([NewRouteRequest] builds one from a net/http request) and returns a [Decision]: Allow
// with a session, Deny with an error, or Redirect. Adapters only write the decision out, so the four of
// them answer byte for byte alike; package authtest's Run proves it.
//
// # Configuration
//
// [New] validates a [Config] up front and never panics; zero fields mean documented defaults.
// [ConfigFromEnv] and [FromEnv] read BETTER_AUTH_URL, BETTER_AUTH_SECRET and the other variables listed on the
// Env constants. Package auth links no database or Redis driver: storeurl.FromEnv (package
// github.com/gobetterauth/gobetterauth/core/store/storeurl) opens the session store DATABASE_URL or REDIS_URL
// names, and FromEnv refuses those variables with [ErrStoreInEnv] rather than ignore them.
//
// Secrets are [Secret] values: they print and log as "[REDACTED]", so a Config can be logged.
//
// # Server mode and tests
//
// Package github.com/gobetterauth/gobetterauth/core/authserver is a Better Auth-compatible server that wraps
// an Auth (its Verifier method returns it); package auth knows nothing of it. Package
// github.com/gobetterauth/gobetterauth/core/auth/authtest has a fake Better Auth issuer (authtest.NewIssuer)
// for tests and the adapters' shared conformance suite (authtest.Run). docs/architecture.md in the
// repository walks through a verification step by step.
package auth
