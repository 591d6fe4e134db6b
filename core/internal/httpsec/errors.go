package httpsec

import "net/http"

// Error is a refusal with Better Auth's status, code and message. Code is empty for the refusals Better
// Auth sends without one.
type Error struct {
	Status        int
	Code, Message string
}

// Error returns "httpsec: CODE: message".
func (e *Error) Error() string { return "httpsec: " + e.Code + ": " + e.Message }

// The refusals, with Better Auth's codes and messages (@better-auth/core src/error/codes.ts). They are
// shared values: compare them, do not modify them.
var (
	ErrMissingOrigin      = &Error{http.StatusForbidden, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"}
	ErrInvalidOrigin      = &Error{http.StatusForbidden, "INVALID_ORIGIN", "Invalid origin"}
	ErrInvalidCallback    = &Error{http.StatusForbidden, "INVALID_CALLBACK_URL", "Invalid callbackURL"}
	ErrInvalidRedirect    = &Error{http.StatusForbidden, "INVALID_REDIRECT_URL", "Invalid redirectURL"}
	ErrInvalidErrCallback = &Error{http.StatusForbidden, "INVALID_ERROR_CALLBACK_URL", "Invalid errorCallbackURL"}
	ErrInvalidNewUserCb   = &Error{http.StatusForbidden, "INVALID_NEW_USER_CALLBACK_URL", "Invalid newUserCallbackURL"}
	ErrCrossSiteLogin     = &Error{http.StatusForbidden, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
		"Cross-site navigation login blocked. This request appears to be a CSRF attack."}
)

// callbackFields are the body fields the origin check validates, in Better Auth's order, with the label
// its messages use and the refusal.
var callbackFields = []struct {
	field, label string
	err          *Error
}{
	{"callbackURL", "callbackURL", ErrInvalidCallback},
	{"redirectTo", "redirectURL", ErrInvalidRedirect},
	{"errorCallbackURL", "errorCallbackURL", ErrInvalidErrCallback},
	{"newUserCallbackURL", "newUserCallbackURL", ErrInvalidNewUserCb},
}

// CallbackNotString is Better Auth's refusal when a callback body field (callbackURL, redirectTo,
// errorCallbackURL, newUserCallbackURL) is present and truthy but not a string — a number, true, an object
// or an array (also a repeated callbackURL query parameter): 400 with no code and the message
// "Invalid redirectURL: expected a string" (the label is Better Auth's, so redirectTo reads redirectURL).
// Falsy values (false, 0, "", null) are ignored as absent.
func CallbackNotString(field string) *Error {
	label := field
	for _, f := range callbackFields {
		if f.field == field {
			label = f.label
		}
	}
	return &Error{Status: http.StatusBadRequest, Message: "Invalid " + label + ": expected a string"}
}
