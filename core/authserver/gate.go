package authserver

// The session gate: what a user row's plugin columns say about a new session, for a server that shares its
// database with a Better Auth server running plugins this one does not have (better-auth
// src/plugins/admin/admin.ts, databaseHooks.session.create.before; src/plugins/two-factor/index.ts,
// hooks.after on the sign-in paths). Every session this server creates passes [call.gate] first, from
// createSession; the verifier and get-session refuse a banned user's session with betterauth.Banned.

import (
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// gateFinding is what a user row's plugin columns say about a new session.
type gateFinding uint8

// The findings. A column the database does not have reads as absent: the finding stays gateAllow.
const (
	gateAllow gateFinding = iota
	// gateBanned is the admin plugin's banned, with banExpires null or not yet passed.
	gateBanned
	// gateBanExpired is banned with a banExpires that has passed: Better Auth clears the ban, then signs in.
	gateBanExpired
	// gateTwoFactor is the two-factor plugin's twoFactorEnabled, on a password sign-in path.
	gateTwoFactor
)

// gateHandler lets a server plugin take over a finding instead of the fail-closed default below (the
// twofactor plugin answers gateTwoFactor with its challenge). It returns nil to let the session be
// created, or the error to answer with (a *Challenge is a successful answer without a session). Plugins
// register theirs with Plugin.Gates; they land in serverSettings.gate.
type gateHandler func(c *call, u *store.User) error

// twoFactorSignInPaths are the paths on which Better Auth's two-factor plugin turns a sign-in into a
// challenge (signInPaths). Social sign-in, email verification and sign-up never ask for a second factor in
// Better Auth either.
var twoFactorSignInPaths = map[string]bool{"/sign-in/email": true, "/sign-in/username": true, "/sign-in/phone-number": true}

// The gate's refusals. BANNED_USER is the admin plugin's, with its default bannedUserMessage; the social
// callback redirects with it (?error=BANNED_USER&error_description=…) as Better Auth's redirectOnError does.
// TWO_FACTOR_NOT_SUPPORTED is ours: Better Auth's plugin would answer {"twoFactorRedirect":true} and this
// server cannot run the challenge, so it refuses rather than sign in with the password alone.
var (
	errBannedUser = newAPIError(403, "BANNED_USER",
		"You have been banned from this application. Please contact support if you believe this is an error.")
	errTwoFactorNotSupported = newAPIError(403, "TWO_FACTOR_NOT_SUPPORTED",
		"Two-factor authentication is enabled for this user, and this server has no two-factor plugin")
)

// gateUser reads the known plugin columns of u (from Additional, where the database reports them) for a
// session created on path at now. A ban comes first, as Better Auth checks it while creating the session and
// the two-factor plugin only after.
func gateUser(u *store.User, path string, now time.Time) gateFinding {
	if banned, expired := betterauth.BanState(u, now); banned {
		if expired {
			return gateBanExpired
		}
		return gateBanned
	}
	if twoFactorSignInPaths[path] && betterauth.Truthy(u.Additional["twoFactorEnabled"]) {
		return gateTwoFactor
	}
	return gateAllow
}

// gate decides whether a session may be created for u. A plugin's handler decides when one is registered
// for the finding; otherwise a ban is refused, an expired ban is cleared as Better Auth clears it, and
// two-factor is refused (fail closed).
func (c *call) gate(u *store.User) error {
	f := gateUser(u, c.path, c.now)
	if f == gateAllow {
		return nil
	}
	if h := c.srv.gate[f]; h != nil {
		return h(c, u)
	}
	switch f {
	case gateBanned:
		return errBannedUser
	case gateBanExpired:
		clear := map[string]any{"banned": false}
		for _, k := range []string{"banReason", "banExpires"} {
			if _, ok := u.Additional[k]; ok {
				clear[k] = nil
			}
		}
		if _, err := c.srv.db.UpdateUser(c.ctx, u.ID, clear, c.now); err != nil {
			return dbError(err)
		}
		return nil
	case gateTwoFactor:
		c.a.s.log.Warn("auth: sign-in refused: the user has two-factor enabled and this server has no two-factor plugin")
		return errTwoFactorNotSupported
	}
	return errBannedUser // an unknown finding never lets a session through
}
