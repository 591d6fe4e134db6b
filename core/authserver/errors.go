package authserver

// The error answers: Better Auth's error codes and messages (@better-auth/core src/error/codes.ts, BASE_ERROR_CODES),
// and how a database, hashing or protection failure maps to one.

import (
	"errors"

	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// apiError is a Better Auth error answer: {"message","code"} with a status.
type apiError struct {
	status        int
	code, message string
	retryAfter    int  // seconds, for 429 and 503; 0 = none
	noBody        bool // better-call's APIError without a body: the answer is empty
}

func (e *apiError) Error() string { return "auth: " + e.code + ": " + e.message }

func newAPIError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// Better Auth's error codes (BASE_ERROR_CODES), with its messages.
var (
	errUnauthorized        = newAPIError(401, "UNAUTHORIZED", "Unauthorized")
	errInvalidEmailOrPw    = newAPIError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
	errInvalidEmail        = newAPIError(400, "INVALID_EMAIL", "Invalid email")
	errInvalidPassword     = newAPIError(400, "INVALID_PASSWORD", "Invalid password")
	errPasswordTooShort    = newAPIError(400, "PASSWORD_TOO_SHORT", "Password too short")
	errPasswordTooLong     = newAPIError(400, "PASSWORD_TOO_LONG", "Password too long")
	errUserExists          = newAPIError(422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.")
	errFailedCreateUser    = newAPIError(422, "FAILED_TO_CREATE_USER", "Failed to create user")
	errEmailNotVerified    = newAPIError(403, "EMAIL_NOT_VERIFIED", "Email not verified")
	errSignUpDisabled      = newAPIError(400, "EMAIL_PASSWORD_SIGN_UP_DISABLED", "Email and password sign up is not enabled")
	errEmailPwDisabled     = newAPIError(400, "EMAIL_PASSWORD_DISABLED", "Email and password is not enabled")
	errCredentialNotFound  = newAPIError(400, "CREDENTIAL_ACCOUNT_NOT_FOUND", "Credential account not found")
	errSessionNotFresh     = newAPIError(403, "SESSION_NOT_FRESH", "Session is not fresh")
	errEmailCannotUpdate   = newAPIError(400, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
	errBodyNotObject       = newAPIError(400, "BODY_MUST_BE_AN_OBJECT", "Body must be an object")
	errNoFieldsToUpdate    = newAPIError(400, "", "No fields to update") // no code in Better Auth
	errInvalidJSON         = newAPIError(400, "BAD_REQUEST", "Invalid JSON in request body")
	errBodyTooLarge        = newAPIError(413, "PAYLOAD_TOO_LARGE", "Request body is too large")
	errGetSessionPost      = newAPIError(405, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED", "POST method requires deferSessionRefresh to be enabled in session config")
	errFailedGetSession    = newAPIError(401, "FAILED_TO_GET_SESSION", "Failed to get session")
	errPasswordNeedsUpper  = newAPIError(400, "PASSWORD_REQUIRES_UPPERCASE", "Password must contain an uppercase letter")
	errPasswordNeedsLower  = newAPIError(400, "PASSWORD_REQUIRES_LOWERCASE", "Password must contain a lowercase letter")
	errPasswordNeedsNumber = newAPIError(400, "PASSWORD_REQUIRES_NUMBER", "Password must contain a number")
	errPasswordNeedsSymbol = newAPIError(400, "PASSWORD_REQUIRES_SPECIAL", "Password must contain a special character")

	errChangeEmailDisabled    = newAPIError(400, "CHANGE_EMAIL_DISABLED", "Change email is disabled")
	errEmailIsTheSame         = newAPIError(400, "", "Email is the same")                // no code in Better Auth
	errVerificationNotEnabled = newAPIError(400, "", "Verification email isn't enabled") // /change-email's: no code
	errSessionExpired         = newAPIError(400, "SESSION_EXPIRED", "Session expired. Re-authenticate to perform this action.")
	errInvalidUser            = newAPIError(400, "INVALID_USER", "Invalid user")
	errDeleteTokenInvalid     = newAPIError(404, "INVALID_TOKEN", "Invalid token")
	errFailedGetUserInfo      = newAPIError(404, "FAILED_TO_GET_USER_INFO", "Failed to get user info")
	errNotFoundNoBody         = &apiError{status: 404, noBody: true}
)

// errServerUnavailable is a dependency failure (database down, hashing queue full): 503 with Retry-After,
// never a 401 that would sign the user out.
func errServerUnavailable(retry int) *apiError {
	return &apiError{status: 503, code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable", retryAfter: retry}
}

// dbError maps a database failure to 503 with Retry-After; nil stays nil.
func dbError(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return err
	}
	var e *apiError
	if errors.As(err, &e) {
		return err
	}
	return &dbFailure{err}
}

// dbFailure is a database error; it is answered as 503.
type dbFailure struct{ err error }

func (e *dbFailure) Error() string { return "auth: database: " + e.err.Error() }
func (e *dbFailure) Unwrap() error { return e.err }

// httpsecError converts a protection refusal.
func httpsecError(e *httpsec.Error) error {
	if e == nil {
		return nil
	}
	return newAPIError(e.Status, e.Code, e.Message)
}
