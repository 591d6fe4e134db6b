// Package authotel reports what gobetterauth does to OpenTelemetry: its [Observer] is an [auth.Observer]
// (verifications, session store lookups, JWKS fetches) and an [authserver.Observer] (server-mode endpoints,
// sign-ins and sign-ups, rate-limit refusals, the password hashing queue).
//
//	obs, err := authotel.New(authotel.Config{}) // the global TracerProvider and MeterProvider
//	a, err := auth.New(auth.Config{BaseURL: url, Observer: obs})
//	// or, in server mode (the verifier reports to obs too):
//	srv, err := authserver.New(authserver.Config{Auth: …, Database: db, Observer: obs})
//
// The core (package auth) imports no OpenTelemetry package: it calls the [auth.Observer] it is given, and
// without one pays a nil check per call. This module is the only one that links the OpenTelemetry API; it
// looks the tracer and the instruments up once, in [New], never per request.
//
// # Spans
//
// "gobetterauth.verify" (one per Authenticate or VerifyToken), "gobetterauth.store.lookup" and
// "gobetterauth.jwks.fetch", each with its real start and end time. In server mode, one server span per
// endpoint request named as Better Auth 1.7.25 names its own ("POST /sign-in/email", "GET /get-session"),
// with Better Auth's attributes http.route and better_auth.operation_id ("signInEmail"), plus
// http.request.method, http.response.status_code and gobetterauth.reason (the answer's error code); the
// endpoint runs in its context, so spans of hooks and of the application nest under it. Sign-ins and
// sign-ups add an event "gobetterauth.sign-in" / "gobetterauth.sign-up" to it. Attributes: gobetterauth.credential
// ("jwt", "cookie", "session-token", …, or "none"), gobetterauth.outcome ("allow" or "deny") and
// gobetterauth.reason, Better Auth's error code ("INVALID_TOKEN", "TOKEN_EXPIRED", "SERVICE_UNAVAILABLE",
// …). A refusal that means the check could not be made (503, 500) sets the span's status to Error. Token
// bytes, cookies, user IDs and e-mail addresses are never recorded, nor the error's text.
//
// # Metrics
//
//   - gobetterauth.verify.count (counter): verifications by credential, outcome and reason;
//   - gobetterauth.verify.duration (histogram, s): their latency, by credential and outcome;
//   - gobetterauth.store.lookup.duration (histogram, s): session store lookups, by outcome ("found",
//     "not_found", "error");
//   - gobetterauth.jwks.fetch.count (counter): JWKS fetches by outcome ("ok", "error") and reason
//     ([auth.JWKSFetchReason]: "timeout", "network", "status", "too_large", "malformed", …);
//   - gobetterauth.server.request.duration (histogram, s): server endpoints by http.request.method,
//     http.route and http.response.status_code;
//   - gobetterauth.server.auth.attempt.count (counter): sign-ins and sign-ups by gobetterauth.flow
//     ("sign-in", "sign-up"), gobetterauth.method ("email", "social"), gobetterauth.provider, outcome
//     ("success", "failure") and reason;
//   - gobetterauth.server.ratelimit.refusal.count (counter): 429s by method and route;
//   - gobetterauth.server.hash.queue.wait (histogram, s): waits for a password hashing slot by outcome
//     ("acquired", "timeout", "canceled"), and gobetterauth.server.hash.queue.refusal.count (counter) the
//     ones that got none.
//
// Every attribute has a small, fixed set of values (routes are templates; reasons are Better Auth's error
// codes; providers are the configured ones), so the series stay few.
package authotel
