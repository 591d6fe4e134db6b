// Package passkey is Better Auth's passkey plugin (@better-auth/passkey 1.7.6, passkey()) for a Go
// [authserver.Server], on github.com/go-webauthn/webauthn: WebAuthn registration and sign-in on the same
// passkey table, verification rows and challenge cookie as Better Auth, so a passkey registered through a
// Node server signs in on Go and the reverse.
//
// # Use
//
//	srv, err := authserver.New(authserver.Config{
//		...
//		Plugins: []authserver.Plugin{passkey.New(passkey.Config{RPName: "Example"})},
//	})
//
// Run [authserver.Migrate] with the plugin to create its table ([Schema]). The RP ID defaults to the host
// name of the server's base URL and the allowed origin to its origin; set Config.RPID and Config.Origins
// for anything else. They never come from a request.
//
// # Endpoints
//
// GET /passkey/generate-register-options (a recent session), POST /passkey/verify-registration
// {response, name?, createSession?}, GET /passkey/generate-authenticate-options (allowCredentials listed
// only for a signed-in user, so conditional UI works signed out), POST /passkey/verify-authentication
// {response} (a new session through the session gate), GET /passkey/list-user-passkeys, POST
// /passkey/update-passkey {id, name} and POST /passkey/delete-passkey {id}, with Better Auth's answers and
// error codes ([ErrorCodes]). A challenge lives [ChallengeMaxAge] and is consumed by its first use.
//
// # Differences from Better Auth
//
// Origins come from the configuration, never from the Origin header; a credential id already stored is
// refused; Config.RequireUserVerification can demand the UV flag; cross-origin ceremonies are refused.
// registration.requireSession: false (resolveUser, afterVerification) and the extensions options are not
// ported.
package passkey
