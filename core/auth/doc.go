// Package auth verifies the credentials a Better Auth server issues, so a Go service knows who the caller is.
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
// # Results
//
// Authenticate returns a [*Session] (the [User] with typed fields, the [*Claims], and any other claim via
// [Claim] or [Session.Decode]) or an error, never both. Errors are sentinels matched with errors.Is;
// [HTTPStatus] and [NewErrorResponse] turn them into the status, headers and Better Auth-shaped JSON body
// every adapter sends. Put the session in a context with [NewContext] and read it with [FromContext].
//
// # Configuration
//
// [New] validates a [Config] up front and never panics; zero fields mean documented defaults.
// [ConfigFromEnv] and [FromEnv] read BETTER_AUTH_URL, BETTER_AUTH_SECRET and the other variables listed on the
// Env constants. Package auth links no database or Redis driver: storeurl.FromEnv (package
// github.com/gobetterauth/gobetterauth/core/store/storeurl) opens the session store DATABASE_URL or REDIS_URL
// names, and FromEnv refuses those variables with [ErrStoreInEnv] rather than ignore them.
package auth
