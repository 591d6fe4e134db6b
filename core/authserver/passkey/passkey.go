package passkey

// Mirrors @better-auth/passkey 1.7.6: src/index.ts (the plugin, its 300-s challenge), src/routes.ts (the
// seven endpoints), src/schema.ts (the passkey table), src/error-codes.ts and src/utils.ts (getRpID), with
// the option and answer shapes of @simplewebauthn/server 13 it builds on.

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// ChallengeMaxAge is how long a ceremony's challenge lives (the cookie and the verification row): Better
// Auth's MAX_AGE_IN_SECONDS.
const ChallengeMaxAge = 300 * time.Second

// DefaultChallengeCookie is the challenge cookie's name below the cookie prefix (advanced.webAuthnChallengeCookie).
const DefaultChallengeCookie = "better-auth-passkey"

// ErrorCodes are the plugin's error codes and messages (PASSKEY_ERROR_CODES).
var ErrorCodes = map[string]string{
	"CHALLENGE_NOT_FOUND":                          "Challenge not found",
	"YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY": "You are not allowed to register this passkey",
	"FAILED_TO_VERIFY_REGISTRATION":                "Failed to verify registration",
	"PASSKEY_NOT_FOUND":                            "Passkey not found",
	"AUTHENTICATION_FAILED":                        "Authentication failed",
	"UNABLE_TO_CREATE_SESSION":                     "Unable to create session",
	"USER_NOT_FOUND":                               "User not found",
	"FAILED_TO_UPDATE_PASSKEY":                     "Failed to update passkey",
	"PREVIOUSLY_REGISTERED":                        "Previously registered",
	"REGISTRATION_CANCELLED":                       "Registration cancelled",
	"AUTH_CANCELLED":                               "Auth cancelled",
	"UNKNOWN_ERROR":                                "Unknown error",
	"SESSION_REQUIRED":                             "Passkey registration requires an authenticated session",
	"RESOLVE_USER_REQUIRED":                        "Passkey registration requires either an authenticated session or a resolveUser callback when requireSession is false",
	"RESOLVED_USER_INVALID":                        "Resolved user is invalid",
}

// Config is the passkey plugin's options (Better Auth's passkey({...})). The zero value serves the
// server's base URL: RP ID its host name, the one origin its origin.
type Config struct {
	// RPID is the relying party id, a registrable domain the origins are on ("example.com"). Empty means the
	// host name of the server's base URL, as Better Auth's getRpID does ("localhost" without a base URL).
	RPID string
	// RPName is the name authenticators show. Empty means "Better Auth" (Better Auth's appName default).
	RPName string
	// Origins are the origins a ceremony may come from ("https://app.example.com"), compared exactly with
	// the origin the browser signed into the client data. Empty means the origin of the server's base URL.
	// Better Auth falls back to the request's Origin header when its origin option is unset; this plugin
	// never reads a request header for it.
	Origins []string
	// AuthenticatorSelection is merged over the registration defaults (resident key and user verification
	// "preferred"), as Better Auth's authenticatorSelection option is.
	AuthenticatorSelection AuthenticatorSelection
	// RequireUserVerification refuses a registration or sign-in whose authenticator did not verify the user
	// (the UV flag). Better Auth passes requireUserVerification: false; false here does the same.
	RequireUserVerification bool
	// ChallengeCookie is the challenge cookie's name below the cookie prefix. Empty means
	// "better-auth-passkey".
	ChallengeCookie string
}

// AuthenticatorSelection is WebAuthn's AuthenticatorSelectionCriteria. Empty fields keep the defaults.
type AuthenticatorSelection struct {
	// AuthenticatorAttachment is "platform" or "cross-platform"; empty means either.
	AuthenticatorAttachment string
	// ResidentKey is "discouraged", "preferred" (the default) or "required".
	ResidentKey string
	// UserVerification is "discouraged", "preferred" (the default) or "required".
	UserVerification string
}

// Schema is the plugin's passkey table as Better Auth's migrator creates it.
var Schema = []sqlstore.Table{{Name: "passkey", Fields: []sqlstore.Field{
	{Name: "name", Type: sqlstore.FieldString},
	{Name: "publicKey", Type: sqlstore.FieldString, Required: true},
	{Name: "userId", Type: sqlstore.FieldString, Required: true, References: "user", Index: true},
	{Name: "credentialID", Type: sqlstore.FieldString, Required: true, Index: true},
	{Name: "counter", Type: sqlstore.FieldNumber, Required: true},
	{Name: "deviceType", Type: sqlstore.FieldString, Required: true},
	{Name: "backedUp", Type: sqlstore.FieldBoolean, Required: true},
	{Name: "transports", Type: sqlstore.FieldString},
	{Name: "createdAt", Type: sqlstore.FieldDate},
	{Name: "aaguid", Type: sqlstore.FieldString},
}}}

// plugin is a configured passkey plugin.
type plugin struct {
	cfg     Config
	rpID    string
	origins []string
	p       *authserver.Plugin
}

// New returns Better Auth's passkey plugin (passkey()) for the server: its /passkey/* endpoints on the
// passkey table, with WebAuthn verified by github.com/go-webauthn/webauthn. The Database must be a
// store.PasskeyStore (sqlstore is). New never fails; a bad Config fails authserver.New.
func New(cfg Config) authserver.Plugin {
	pl := &plugin{cfg: cfg}
	if pl.cfg.RPName == "" {
		pl.cfg.RPName = "Better Auth"
	}
	if pl.cfg.ChallengeCookie == "" {
		pl.cfg.ChallengeCookie = DefaultChallengeCookie
	}
	sel := &pl.cfg.AuthenticatorSelection
	if sel.ResidentKey == "" {
		sel.ResidentKey = "preferred"
	}
	if sel.UserVerification == "" {
		sel.UserVerification = "preferred"
	}
	get := func(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodGet, Path: path, Handler: h, OperationID: op}
	}
	post := func(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodPost, Path: path, Handler: h, OperationID: op}
	}
	p := authserver.Plugin{
		ID:   "passkey",
		Init: pl.init,
		Endpoints: []authserver.Endpoint{
			get("/passkey/generate-register-options", "generatePasskeyRegistrationOptions", pl.registerOptions),
			get("/passkey/generate-authenticate-options", "passkeyGenerateAuthenticateOptions", pl.authenticateOptions),
			post("/passkey/verify-registration", "passkeyVerifyRegistration", pl.verifyRegistration),
			post("/passkey/verify-authentication", "passkeyVerifyAuthentication", pl.verifyAuthentication),
			get("/passkey/list-user-passkeys", "listPasskeys", pl.list),
			post("/passkey/delete-passkey", "deletePasskey", pl.delete),
			post("/passkey/update-passkey", "updatePasskey", pl.update),
		},
		Schema:     Schema,
		ErrorCodes: ErrorCodes,
	}
	pl.p = &p
	return p
}

// init checks the configuration against the server and settles the RP ID and origins.
func (pl *plugin) init(s *authserver.Server) error {
	if _, ok := store.As[store.PasskeyStore](s.Database()); !ok {
		return errors.New("auth: passkey: the Database has no passkey table methods (store.PasskeyStore; sqlstore has them)")
	}
	var base *url.URL
	if b := s.BaseURL(); b != "" {
		u, err := url.Parse(b)
		if err != nil || u.Host == "" {
			return errors.New("auth: passkey: the server's base URL is not an absolute URL")
		}
		base = u
	}
	pl.rpID = pl.cfg.RPID
	if pl.rpID == "" {
		pl.rpID = "localhost"
		if base != nil {
			pl.rpID = base.Hostname()
		}
	}
	if strings.ContainsAny(pl.rpID, "/:@ ") {
		return errors.New("auth: passkey: RPID must be a bare domain name (\"example.com\")")
	}
	origins := pl.cfg.Origins
	if len(origins) == 0 {
		if base == nil {
			return errors.New("auth: passkey: Origins is empty and the server has no base URL to take the origin from")
		}
		origins = []string{base.Scheme + "://" + base.Host}
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return errors.New("auth: passkey: Origins must be origins (scheme://host[:port]), got " + o)
		}
		h := u.Hostname()
		if h != pl.rpID && !strings.HasSuffix(h, "."+pl.rpID) {
			return errors.New("auth: passkey: origin " + o + " is not on the RP ID " + pl.rpID)
		}
		pl.origins = append(pl.origins, u.Scheme+"://"+u.Host)
	}
	for _, v := range []struct{ name, val string }{
		{"AuthenticatorAttachment", pl.cfg.AuthenticatorSelection.AuthenticatorAttachment},
		{"ResidentKey", pl.cfg.AuthenticatorSelection.ResidentKey},
		{"UserVerification", pl.cfg.AuthenticatorSelection.UserVerification},
	} {
		ok := map[string]bool{"discouraged": true, "preferred": true, "required": true}
		if v.name == "AuthenticatorAttachment" {
			ok = map[string]bool{"": true, "platform": true, "cross-platform": true}
		}
		if !ok[v.val] {
			return errors.New("auth: passkey: AuthenticatorSelection." + v.name + ": unknown value " + v.val)
		}
	}
	return nil
}

func (pl *plugin) err(status int, code string) error { return pl.p.Error(status, code) }

// db returns the server's database as a PasskeyStore (init checked it is one).
func db(x *authserver.Context) store.PasskeyStore {
	l, _ := store.As[store.PasskeyStore](x.Database())
	return l
}
