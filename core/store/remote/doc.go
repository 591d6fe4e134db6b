// Package remote looks up Better Auth sessions by asking the Better Auth server itself:
// GET <baseURL><basePath>/get-session, with the caller's credentials. It is for services that have neither
// the database nor the secret: the server checks the cookie signature, the session row and expiry, and
// answers {"session":…,"user":…} or null.
//
// # Credentials
//
// [Store.Lookup] sends a session token as "Authorization: Bearer <token>", which Better Auth's bearer
// plugin accepts (it must be enabled on the server). [Store.LookupCredentials] forwards what the caller
// sent: the Cookie header, reduced to Better Auth's own cookies (names containing "session_token",
// "session_data" or "dont_remember"), and the Authorization header as is. Other cookies never leave.
//
// # Freshness
//
// The request carries disableCookieCache=true, so the server reads its database (or secondary storage)
// rather than trusting its cookie cache, and a revoked session is refused at once; set
// [Options].UseServerCookieCache to trade that for latency, accepting the cookie cache's revocation delay
// (its maxAge, 5 minutes by default). It also carries disableRefresh=true: a lookup does not slide the
// session's expiry, whose refreshed cookie could not reach the browser anyway. Answers are cached for
// [Options].CacheTTL (5 s by default), so a revocation takes up to that long to be seen here.
//
// # Failures
//
// null, 401 and 403 are [store.ErrNotFound]. Anything else — 5xx, 429, redirects, a body that is not JSON
// or over the size limit, a refused connection, a timeout — is another error, which callers turn into 503.
// Redirects are never followed, so credentials go to the configured origin only. The base URL must be
// https, except on loopback or with [Options].InsecureAllowHTTP.
package remote
