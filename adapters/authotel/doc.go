// Package authotel reports what a gobetterauth verifier does to OpenTelemetry: an [auth.Observer] that
// records spans and metrics for verifications, session store lookups and JWKS fetches.
//
//	obs, err := authotel.New(authotel.Config{}) // the global TracerProvider and MeterProvider
//	a, err := auth.New(auth.Config{BaseURL: url, Observer: obs})
//
// The core (package auth) imports no OpenTelemetry package: it calls the [auth.Observer] it is given, and
// without one pays a nil check per call. This module is the only one that links the OpenTelemetry API; it
// looks the tracer and the instruments up once, in [New], never per request.
//
// # Spans
//
// "gobetterauth.verify" (one per Authenticate or VerifyToken), "gobetterauth.store.lookup" and
// "gobetterauth.jwks.fetch", each with its real start and end time. Attributes: gobetterauth.credential
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
//   - gobetterauth.jwks.fetch.count (counter): JWKS fetches by outcome ("ok", "error").
package authotel
