// Package apikey is Better Auth's api-key plugin (@better-auth/api-key 1.7.21) for an [authserver.Server]:
// its endpoints /api-key/create, /api-key/get, /api-key/update, /api-key/delete and /api-key/list, its
// apikey table ([Schema]), and its server-only calls verifyApiKey ([Keys.Verify]) and
// deleteAllExpiredApiKeys ([Keys.DeleteAllExpired]), which Better Auth does not serve over HTTP either.
//
// Keys are stored as the plugin stores them (SHA-256, unpadded base64url) and checked with the verifier's
// own checks, so a key created by a Node server verifies on the Go server and the other way round, and
// package auth's verifier accepts keys created here.
//
// # Left out
//
// Organization-owned keys (references: "organization"), several configurations (configId), secondary
// storage, custom key generators and validators, and sessions from API keys (enableSessionForAPIKeys).
package apikey
