// Package magiclink is Better Auth's magic-link plugin (magicLink() of better-auth 1.7.25) for a Go
// [authserver.Server]: sign-in by a link sent by email, and sign-up when the address has no user yet, on
// the same verification rows as Better Auth, so a link issued by a Node server is honoured by Go (once)
// and the reverse.
//
// # Use
//
//	srv, err := authserver.New(authserver.Config{
//		...
//		Mailer:  mailer, // sends authserver.EmailMagicLink emails
//		Plugins: []authserver.Plugin{magiclink.New(magiclink.Config{})},
//	})
//
// The plugin adds no table.
//
// # Endpoints
//
// POST /sign-in/magic-link {email, name?, callbackURL?, newUserCallbackURL?, errorCallbackURL?,
// metadata?} stores a 32-letter token in the verification row "magic-link:<token>" (or its SHA-256 with
// StoreToken "hashed") holding {"type":"magic-link","email":…,"name":…}, queues the email and answers
// {"status":true}, for every address: the answer and its timing do not tell whether the address has a
// user. GET /magic-link/verify?token=… spends the row, creates the user when there is none (unless
// DisableSignUp), and signs in: JSON {token, user, session} without callbackURL, else a redirect.
// Failures redirect to errorCallbackURL with ?error=INVALID_TOKEN, new_user_signup_disabled or a
// refusing hook's code. Both paths are limited to 5 requests per minute per IP.
//
// A user whose email was not verified is promoted as Better Auth does (revokeUnprovenAccountAccess, see
// [authserver.Context.ProveEmail]): their accounts and sessions are removed first. Sessions pass the
// server's session gate (a banned user is refused with 403 BANNED_USER). As in Better Auth, a magic-link
// sign-in does not ask for a second factor: the two-factor plugin only intercepts password sign-ins.
//
// Better Auth's allowedAttempts option is ignored there (tokens are single use) and absent here; its
// generateToken and custom hasher callbacks are not offered.
package magiclink
