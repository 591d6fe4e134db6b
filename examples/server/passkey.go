package main

import (
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey"
)

// passkeyPlugin is Better Auth's passkey plugin (its passkey table made by Migrate): "Add a passkey" and the
// passkey list on the dashboard, "Sign in with a passkey" on the sign-in page (web/passkey.html and
// web/static/passkey.js). The RP ID is the host name of BETTER_AUTH_URL (localhost by default) and the only
// origin WebAuthn ceremonies are accepted from is BETTER_AUTH_URL's: never a request header.
func passkeyPlugin() authserver.Plugin {
	return passkey.New(passkey.Config{RPName: "gobetterauth demo"})
}
