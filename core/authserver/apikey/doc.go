// Package apikey is Better Auth's api-key plugin (@better-auth/api-key 1.7.21) for an [authserver.Server]:
// its endpoints /api-key/create, /api-key/get, /api-key/update, /api-key/delete and /api-key/list, its
// apikey table ([Schema]), and its server-only calls verifyApiKey ([Keys.Verify]) and
// deleteAllExpiredApiKeys ([Keys.DeleteAllExpired]), which Better Auth does not serve over HTTP either;
// and, when turned on, sessions from API keys.
//
// Keys are stored as the plugin stores them (SHA-256, unpadded base64url) and checked with the verifier's
// own checks, so a key created by a Node server verifies on the Go server and the other way round, and
// package auth's verifier accepts keys created here.
//
// Like the plugin, the endpoints delete every expired key after their work, at most once every 10
// seconds (deleteAllExpiredApiKeys' throttle), on top of [Keys.DeleteAllExpired] for a periodic job.
//
// # Sessions from API keys
//
// With Config.EnableSessionForAPIKeys (Better Auth's enableSessionForAPIKeys), a request carrying a key in
// the x-api-key header (Config.APIKeyHeaders) is signed in as the key's owner for that request: GET
// /get-session answers {"user","session"} with the key's id as the session id and the key as its token,
// and the endpoints that take any session act as the owner. The sensitive endpoints
// (/change-password, /revoke-sessions, /delete-user, the admin plugin's) need a session cookie still, as in
// Better Auth. One difference: a banned owner's key is refused (401 USER_BANNED), where the plugin accepts
// it; the server gives a banned user no session from any path.
//
// # Left out
//
// Organization-owned keys (references: "organization"), several configurations (configId), secondary
// storage, custom key generators and validators (customAPIKeyGetter, customAPIKeyValidator).
package apikey
