// Package twofactor is Better Auth's two-factor plugin (twoFactor() of better-auth 1.7.25) for a Go
// [authserver.Server]: TOTP (authenticator apps), one-time codes sent by email or another channel, backup
// codes, trusted devices and the account lockout, on the same twoFactor table, verification rows and
// cookies as Better Auth, so a user enrolled on a Node server finishes a two-factor sign-in on Go and the
// reverse.
//
// # Use
//
//	srv, err := authserver.New(authserver.Config{
//		...
//		Plugins: []authserver.Plugin{twofactor.New(twofactor.Config{Issuer: "Example"})},
//	})
//
// Run [authserver.Migrate] with the plugin to create its table and column ([Schema]).
//
// # Endpoints
//
// POST /two-factor/enable, /two-factor/disable, /two-factor/get-totp-uri, /two-factor/verify-totp,
// /two-factor/send-otp, /two-factor/verify-otp, /two-factor/generate-backup-codes and
// /two-factor/verify-backup-code, with Better Auth's bodies, answers, error codes ([ErrorCodes]) and its
// 3-per-10-s rate limit. A password sign-in of a user with two-factor on answers {"twoFactorRedirect":true,
// "twoFactorMethods":[…]} with the signed two_factor cookie (600 s) and creates no session; the verify
// endpoints then finish it. The plugin takes the session gate's two-factor finding
// ([authserver.GateTwoFactor]) for this.
//
// # Differences from Better Auth
//
// A TOTP code is accepted once: a replay within its window is refused (TOTPConfig.AllowReplay restores
// Better Auth's behaviour). Better Auth's server-only endpoints (generateTOTP, viewBackupCodes) have no
// HTTP route there and none here.
package twofactor
