package authserver

import (
	"context"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// EmailKind says what an [Email] is for.
type EmailKind string

// The emails the server sends.
const (
	// EmailVerify carries the email verification link (Better Auth's sendVerificationEmail).
	EmailVerify EmailKind = "verify-email"
	// EmailResetPassword carries the password reset link (Better Auth's sendResetPassword).
	EmailResetPassword EmailKind = "reset-password"
)

// Email is a message the server asks a [Mailer] to send: the link and token Better Auth would pass to its
// sendVerificationEmail or sendResetPassword callbacks.
type Email struct {
	Kind EmailKind
	// To is the recipient, the user's email address.
	To string
	// User is the recipient's user row.
	User store.User
	// URL is the link to put in the message: <BaseURL><BasePath>/verify-email?token=…&callbackURL=… or
	// /reset-password/<token>?callbackURL=….
	URL string
	// Token is the token inside URL (the verification JWT, or the 24-character reset token). It is a
	// credential: do not log it.
	Token string
}

// Mailer sends the server's emails. The mail package has an SMTP mailer and a development mailer that logs
// the links. SendEmail should return quickly (queue if sending is slow); an error fails the request that
// asked for the email with 500, except where Better Auth hides it to avoid telling whether an account
// exists.
type Mailer interface {
	SendEmail(ctx context.Context, e Email) error
}

// MailerFunc adapts a function to [Mailer].
type MailerFunc func(ctx context.Context, e Email) error

// SendEmail calls f.
func (f MailerFunc) SendEmail(ctx context.Context, e Email) error { return f(ctx, e) }

// EmailVerificationConfig is Better Auth's emailVerification option. Emails are sent through
// Config.Mailer; without one, /send-verification-email answers 400 VERIFICATION_EMAIL_NOT_ENABLED.
type EmailVerificationConfig struct {
	// SendOnSignUp sends the verification email after sign-up. Nil means
	// EmailAndPassword.RequireEmailVerification.
	SendOnSignUp *bool
	// SendOnSignIn re-sends it when an unverified user signs in while verification is required.
	SendOnSignIn bool
	// AutoSignInAfterVerification creates a session when the link is followed.
	AutoSignInAfterVerification bool
	// ExpiresIn is the verification token's lifetime. Zero means 1 hour.
	ExpiresIn time.Duration
}

// Hooks run at points of the server's flows, like Better Auth's databaseHooks and plugin hooks. Each gets
// the request's context. A hook that returns a [*HookError] fails the request with that status, code and
// message; any other error fails it with 500 (and is logged). A nil hook is skipped.
type Hooks struct {
	// BeforeCreateUser runs before a user is inserted (sign-up, social sign-up). It may change u (name,
	// image, Additional fields) or refuse the sign-up.
	BeforeCreateUser func(ctx context.Context, u *store.User) error
	// AfterCreateUser runs after the user and its account are inserted.
	AfterCreateUser func(ctx context.Context, u store.User) error
	// SessionCreated runs after a session is inserted (sign-in, sign-up, password change): record the last
	// login here.
	SessionCreated func(ctx context.Context, s store.Session, u store.User) error
	// SessionDeleted runs after a session is deleted (sign-out, revocation, expiry clean-up); its error is
	// logged, never returned, since the deletion has happened.
	SessionDeleted func(ctx context.Context, s store.Session)
	// JWTPayload may add or change claims of the JWTs the server issues (/token, set-auth-jwt) before they
	// are signed; claims already holds Better Auth's (the user's fields, sub, iat, exp, iss, aud).
	JWTPayload func(ctx context.Context, s store.Session, u store.User, claims map[string]any) error
}

// HookError is an error a hook returns to fail the request with a status, a Better Auth-style code and a
// message: {"code":Code,"message":Message}.
type HookError struct {
	Status        int
	Code, Message string
}

func (e *HookError) Error() string { return "auth: hook refused: " + e.Code + ": " + e.Message }

// hookError maps a hook's error.
func hookError(err error) error {
	if err == nil {
		return nil
	}
	if he, ok := err.(*HookError); ok {
		st := he.Status
		if st < 400 || st > 599 {
			st = 400
		}
		return newAPIError(st, he.Code, he.Message)
	}
	return &hookFailure{err}
}

type hookFailure struct{ err error }

func (e *hookFailure) Error() string { return "auth: hook failed: " + e.err.Error() }
func (e *hookFailure) Unwrap() error { return e.err }
