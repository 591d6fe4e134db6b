// Package emailotp is Better Auth's email-OTP plugin (emailOTP() of better-auth 1.7.25) for a Go
// [authserver.Server]: one-time codes sent by email that sign in (or up), verify the address, or reset
// the password, on the same verification rows as Better Auth, so a code issued by a Node server is
// honoured by Go (once) and the reverse.
//
// # Use
//
//	srv, err := authserver.New(authserver.Config{
//		...
//		Mailer:  mailer, // sends authserver.EmailSignInOTP, EmailVerificationOTP, EmailPasswordResetOTP
//		Plugins: []authserver.Plugin{emailotp.New(emailotp.Config{})},
//	})
//
// The plugin adds no table.
//
// # Endpoints
//
// POST /email-otp/send-verification-otp {email, type: "sign-in"|"email-verification"|"forget-password"},
// /email-otp/request-password-reset and /forget-password/email-otp {email} store a code in the
// verification row "<type>-otp-<email>" as "<code>:<attempts>" (the code plain, hashed or encrypted) and
// answer {"success":true} whether or not the address has a user; the email goes only to an existing user,
// or for sign-in to anyone while sign-up is allowed. POST /sign-in/email-otp {email, otp, name?, image?},
// /email-otp/verify-email {email, otp}, /email-otp/check-verification-otp {email, type, otp} and
// /email-otp/reset-password {email, otp, password} check a code: 400 OTP_EXPIRED, 400 INVALID_OTP (a
// wrong code counts an attempt), 403 TOO_MANY_ATTEMPTS after AllowedAttempts wrong ones (the code is
// gone). Every endpoint is limited to 3 requests per minute per IP.
//
// A sign-in of a user whose email was not verified removes their accounts and sessions first, as Better
// Auth's revokeUnprovenAccountAccess ([authserver.Context.ProveEmail]). Sessions pass the server's
// session gate; as in Better Auth, an email-OTP sign-in does not ask for a second factor.
//
// # Differences from Better Auth
//
// /email-otp/verify-email and /email-otp/reset-password apply this server's rules for a proof of the
// address and a password reset ([authserver.Context.VerifyEmail], [authserver.Context.ResetPassword]):
// identities linked before the proof are removed, and a reset ends the user's sessions unless
// KeepSessionsOnPasswordReset. Not offered: the change-email endpoints (off by default in Better Auth),
// overrideDefaultEmailVerification, resendStrategy "reuse", custom generateOTP and storage callbacks, and
// the server-only createVerificationOTP/getVerificationOTP.
package emailotp
