package authserver

import (
	"context"
	"time"
)

// Observer receives what a [Server] does, for traces and metrics (adapters/authotel implements it with
// OpenTelemetry). Set it in [Config].Observer; nil, the default, costs one nil check per request. Its
// methods are called synchronously on the request's goroutine, must be safe for concurrent use, must be
// quick and must not keep ctx. They are given no token bytes, cookies, passwords, emails or user IDs: only
// routes, Better Auth's error codes, provider IDs and timings.
type Observer interface {
	// StartEndpoint is called when a request reaches one of the server's endpoints (a 404 does not), before
	// rate limiting and the other checks. It returns the context the endpoint runs with, so that the
	// verifier's and the store's spans nest under the endpoint's, and a function the server calls once,
	// after the answer is written, with its HTTP status and Better Auth's error code ("" when none).
	StartEndpoint(ctx context.Context, op Operation) (context.Context, func(status int, code string))

	// ObserveAuthAttempt is called once per sign-in or sign-up attempt: POST /sign-in/email and
	// /sign-up/email when they answer (whatever the answer, a 429 included), and each social sign-in that
	// reached the provider's identity (the callback's, or /sign-in/social's with an ID token).
	ObserveAuthAttempt(ctx context.Context, a AuthAttempt)

	// ObserveRateLimited is called for each request the rate limiter refuses (429), with the route.
	ObserveRateLimited(ctx context.Context, op Operation)

	// ObserveHashWait is called after each wait for a password hashing slot (see
	// [Config].MaxConcurrentHashes): how long it waited and its error: nil when it got a slot,
	// context.DeadlineExceeded when the queue stayed full for HashQueueTimeout (the request gets 503), or
	// context.Canceled when the client went away.
	ObserveHashWait(ctx context.Context, wait time.Duration, err error)
}

// Operation names one of the server's endpoints as Better Auth's OpenTelemetry spans do (better-auth
// src/api/dispatch.ts): the span is "<Method> <Route>", with the attributes http.route (Route) and
// better_auth.operation_id (ID).
type Operation struct {
	// Method is the request's method: "GET" or "POST".
	Method string
	// Route is the endpoint's path below the base path, as a template: "/sign-in/email", "/callback/:id".
	Route string
	// ID is Better Auth's operation ID: the endpoint's operationId ("signInEmail",
	// "signUpWithEmailAndPassword") or, where it has none, its key in auth.api ("revokeSession"). A plugin
	// endpoint's is its [Endpoint].OperationID, or its Path when that is empty.
	ID string
}

// AuthAttempt is the outcome of a sign-in or sign-up.
type AuthAttempt struct {
	// Flow is "sign-in" or "sign-up" (a social sign-in that created the user is a sign-up).
	Flow string
	// Method is "email" or "social".
	Method string
	// Provider is the social provider's ID ("google"); "" for email.
	Provider string
	// OK says whether it succeeded: a session was created, or the sign-up was accepted.
	OK bool
	// Code is why it failed: Better Auth's error code ("INVALID_EMAIL_OR_PASSWORD",
	// "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", …) or, for social sign-in, the error its redirect carries
	// ("account_not_linked", "unable_to_create_user"). "" when OK, and for answers without a code (429).
	Code string
}

// operationIDs are Better Auth's operation IDs of the built-in routes (the endpoint's operationId, or its
// key in auth.api; better-auth src/api/routes/*.ts).
var operationIDs = map[string]string{
	"/ok":                      "ok",
	"/sign-up/email":           "signUpWithEmailAndPassword",
	"/sign-in/email":           "signInEmail",
	"/sign-out":                "signOut",
	"/get-session":             "getSession",
	"/list-sessions":           "listUserSessions",
	"/revoke-session":          "revokeSession",
	"/revoke-sessions":         "revokeSessions",
	"/revoke-other-sessions":   "revokeOtherSessions",
	"/change-password":         "changePassword",
	"/update-user":             "updateUser",
	"/send-verification-email": "sendVerificationEmail",
	"/verify-email":            "verifyEmail",
	"/request-password-reset":  "requestPasswordReset",
	"/reset-password/:token":   "resetPasswordCallback",
	"/reset-password":          "resetPassword",
	"/sign-in/social":          "socialSignIn",
	"/callback/:id":            "handleOAuthCallback",
	"/link-social":             "linkSocialAccount",
	"/unlink-account":          "unlinkAccount",
	"/list-accounts":           "listUserAccounts",
	"/get-access-token":        "getAccessToken",
	"/refresh-token":           "refreshToken",
	"/account-info":            "accountInfo",
}

// observeAuth reports a sign-in or sign-up attempt to the observer, if any.
func (c *call) observeAuth(a AuthAttempt) {
	if obs := c.srv.observer; obs != nil {
		obs.ObserveAuthAttempt(c.ctx, a)
	}
}
