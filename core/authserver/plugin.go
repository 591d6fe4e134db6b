package authserver

// The plugin seam, shaped like Better Auth's BetterAuthPlugin (better-auth src/types/plugins.ts): an id,
// endpoints, a schema, before and after hooks matched by path, rate-limit rules and error codes.

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Plugin adds to a [Server] what one of Better Auth's plugins adds: endpoints, tables, hooks around
// endpoints, rate-limit rules and error codes. List plugins in [Config].Plugins; [JWT] and [Bearer] are
// built in. A Plugin is a value: it holds no request state, and every function in it must be safe for
// concurrent use.
type Plugin struct {
	// ID names the plugin, like Better Auth's plugin id ("jwt", "bearer", "two-factor"). Required, unique.
	ID string

	// Init runs once in [New], after the server is set up and before it serves; an error fails New.
	// Nil means nothing to do.
	Init func(s *Server) error

	// Endpoints are the plugin's routes below the base path. A path may not be one the server or
	// another plugin already has.
	Endpoints []Endpoint

	// Schema are the plugin's tables, and extra columns of core tables (a table named "user" or "session"
	// adds fields to the user or session), exactly as the plugin's schema option declares them in Better
	// Auth; [Migrate] creates them. Reading and writing the extra columns is the store's business (see
	// sqlstore.Options).
	Schema []sqlstore.Table

	// Before hooks run, in order, after the request protections (rate limit, body, origin checks) and
	// before the endpoint; After hooks run after it. Plugins' hooks run in the order of Config.Plugins.
	Before, After []Hook

	// RateLimit are rules for the plugin's paths. They take precedence over Better Auth's built-in rules
	// and yield to Config.RateLimit.Rules, as in Better Auth.
	RateLimit []RateLimitRule

	// ErrorCodes are the plugin's error codes and messages (Better Auth's $ERROR_CODES): answer one with
	// [Plugin.Error].
	ErrorCodes map[string]string

	// Gates take over findings of the session gate, which every session the server creates passes (see
	// [GateFinding]): the function decides instead of the server's fail-closed rule. It returns nil to let
	// the session be created, or the answer to give instead of it: an [*APIError], or a [*Challenge] for a
	// successful answer that creates no session (the two-factor plugin's {"twoFactorRedirect":true}).
	// Cookies it sets are sent either way. At most one plugin may take a finding. Nil means none.
	Gates map[GateFinding]func(x *Context, u store.User) error

	// UserDefaults are values every user the server creates gets for fields it has no value for, as a
	// databaseHooks.user.create.before that fills defaults does (the admin plugin's role: "user"), without
	// a defaultValue in the schema. "role" is the user's Role. Nil means none.
	UserDefaults map[string]any

	// verifier adjusts the verifier's config before New builds it (the bearer plugin turns on raw
	// session tokens, as Better Auth's plugin accepts them). Only built-in plugins set it.
	verifier func(*auth.Config)
}

// Error returns the plugin's error code as an error answer with status: {"code": code, "message":
// p.ErrorCodes[code]}.
func (p *Plugin) Error(status int, code string) error {
	return &APIError{Status: status, Code: code, Message: p.ErrorCodes[code]}
}

// GateFinding is what the session gate found about a user who is about to get a session; a plugin takes
// one over with [Plugin].Gates.
type GateFinding uint8

// The findings a plugin may take over.
const (
	// GateTwoFactor: the user row has the two-factor plugin's twoFactorEnabled, and the session is made
	// on one of its sign-in paths (/sign-in/email, /sign-in/username, /sign-in/phone-number). Without a
	// plugin the server refuses with 403 TWO_FACTOR_NOT_SUPPORTED.
	GateTwoFactor = GateFinding(gateTwoFactor)
)

// Challenge is a gate's answer that is not a session: the request succeeds with Status (200 when 0) and
// Body as JSON, and no session is created. It is an error only so that it can travel where errors do.
type Challenge struct {
	Status int
	Body   any
}

// Error returns "auth: sign-in needs another step".
func (*Challenge) Error() string { return "auth: sign-in needs another step" }

// Endpoint is a plugin's route.
type Endpoint struct {
	// Method is GET or POST.
	Method string
	// Path is below the base path and starts with "/" ("/two-factor/enable"). A last segment ":name" is a
	// path parameter ([Context.Param]).
	Path string
	// FormCSRF applies Better Auth's formCsrfMiddleware, as its sign-in endpoints do (/sign-in/magic-link,
	// /email-otp/send-verification-otp): a cross-site navigation or an untrusted Origin is refused even
	// without cookies.
	FormCSRF bool
	// Handler answers the request. A nil error sends the result as JSON (a json.RawMessage as it is);
	// an error is answered as Better Auth answers errors: an [*APIError] with its status, code and
	// message, anything else as 500 (logged). POST bodies are read and parsed before Handler runs.
	Handler func(c *Context) (any, error)
	// OperationID is Better Auth's operation ID of the endpoint ("getJSONWebToken"), reported to the
	// [Observer] and in the endpoint's span. Empty means Path.
	OperationID string
}

// Hook runs around the endpoints its Match selects, like one of Better Auth's hooks.before and
// hooks.after entries.
type Hook struct {
	// Match selects endpoints by their path below the base path ("/sign-up/email"); nil means every
	// endpoint. [PathIs] matches exact paths.
	Match func(path string) bool
	// Run runs the hook. A before hook that returns an error answers with it: the endpoint does not run.
	// An after hook sees the endpoint's answer with [Context.Result], may change it with
	// [Context.SetResult], and may add headers and cookies; an error it returns replaces the answer.
	Run func(c *Context) error
}

// PathIs returns a matcher for the given paths.
func PathIs(paths ...string) func(string) bool {
	return func(p string) bool { return slices.Contains(paths, p) }
}

// APIError is a Better Auth error answer: the status and the body {"code","message"}. With neither a code
// nor a message the answer has no body, as Better Auth's APIError.fromStatus(status) has none.
type APIError struct {
	Status        int
	Code, Message string
}

// Error returns "auth: CODE: message".
func (e *APIError) Error() string { return "auth: " + e.Code + ": " + e.Message }

// Context is one request, as a plugin's endpoint or hook sees it.
type Context struct {
	c      *call
	result any
	err    error
}

// Request returns the HTTP request.
func (x *Context) Request() *http.Request { return x.c.r }

// Context returns the request's context.
func (x *Context) Context() context.Context { return x.c.ctx }

// Path returns the endpoint's path below the base path ("/token").
func (x *Context) Path() string { return x.c.path }

// Param returns the value of the route's ":name" path parameter, or "".
func (x *Context) Param() string { return x.c.param }

// Query returns the URL query (never nil).
func (x *Context) Query() url.Values {
	if x.c.query == nil {
		x.c.query = url.Values{}
	}
	return x.c.query
}

// Now returns the request's time (the server's clock, whole milliseconds).
func (x *Context) Now() time.Time { return x.c.now }

// Body returns the parsed POST body (JSON, or a form where allowed), nil when there was none. It was read
// within Config.MaxBodyBytes before any hook or endpoint ran.
func (x *Context) Body() map[string]any { return x.c.body }

// RawBody returns the JSON object body as received, for what a Go map loses: the order of an object's
// members, which JavaScript keeps (nil without a JSON object body).
func (x *Context) RawBody() []byte { return x.c.rawJSON }

// String returns the body field name when it is a string, else "".
func (x *Context) String(name string) string { return x.c.str(name) }

// FieldKind is the type a body field must have for [Context.Validate].
type FieldKind int

// The field kinds, with zod's messages.
const (
	FieldString FieldKind = iota
	FieldBool
	FieldEmail        // a string that is an email address (z.email())
	FieldStringOrNull // a string or null
)

// BodyField is one field [Context.Validate] checks.
type BodyField struct {
	Name     string
	Kind     FieldKind
	Required bool
}

// Validate checks the body against fields and returns Better Auth's 400 VALIDATION_ERROR with every
// issue ("[body.email] Invalid email address; …"), or nil.
func (x *Context) Validate(fields ...BodyField) error {
	fs := make([]field, len(fields))
	for i, f := range fields {
		k := map[FieldKind]fieldKind{FieldString: kString, FieldBool: kBool, FieldEmail: kEmail, FieldStringOrNull: kStringOrNull}[f.Kind]
		fs[i] = field{name: f.Name, kind: k, required: f.Required}
	}
	return x.c.validate(fs...)
}

// Session returns the request's session, as Better Auth's sessionMiddleware does, or 401 UNAUTHORIZED (an
// [*APIError]).
// Errors other than that one (a database that is down) are answered as they are.
func (x *Context) Session() (*store.Result, error) {
	res, err := x.c.session(false)
	return res, exportError(err)
}

// FreshSession is [Context.Session] without the cookie cache (sensitiveSessionMiddleware), for
// endpoints that must not act on a revoked session.
func (x *Context) FreshSession() (*store.Result, error) {
	res, err := x.c.session(true)
	return res, exportError(err)
}

// RecentSession is [Context.Session] for endpoints that need a recent sign-in, as Better Auth's
// freshSessionMiddleware does: 403 SESSION_NOT_FRESH (an [*APIError]) when the session is older than
// Config.Session.FreshAge.
func (x *Context) RecentSession() (*store.Result, error) {
	res, err := x.c.session(false)
	if err != nil {
		return nil, exportError(err)
	}
	if x.c.srv.freshAge > 0 && x.c.now.Sub(res.Session.CreatedAt) >= x.c.srv.freshAge {
		return nil, exportError(errSessionNotFresh)
	}
	return res, nil
}

// SetSessionOutsideStore makes res the request's session from here on without a session row, as a before
// hook that sets Better Auth's ctx.context.session and calls markSessionOutsideStore does (the api-key
// plugin's sessions from API keys). [Context.Session] then returns it, and so do the server's endpoints
// that take any session (/list-sessions, /update-user, …); [Context.FreshSession] and the sensitive
// endpoints (/change-password, /revoke-sessions, /delete-user, …) do not, as Better Auth's
// getAuthoritativeSessionFromCtx reads the session store again: they still need a session cookie.
func (x *Context) SetSessionOutsideStore(res *store.Result) { x.c.outside = res }

// SessionOutsideStore returns the session set with [Context.SetSessionOutsideStore], or nil: what Better
// Auth's getSessionFromCtx with disableCookieCache answers before reading the store.
func (x *Context) SessionOutsideStore() *store.Result { return x.c.outside }

// ClientIP returns the client's address as the server determined it (Config.TrustedProxies; the
// session's ipAddress), "" when unknown.
func (x *Context) ClientIP() string { return x.c.ip() }

// NewSession returns the session this request created or refreshed (and set the cookies of), or nil:
// Better Auth's ctx.context.newSession, for after hooks.
func (x *Context) NewSession() *store.Result { return x.c.newSession }

// CreateSession signs user in: it creates a session through the server's one session-creation path (the
// SessionCreated hook runs) and sets the session cookies, the cookie cache and whatever plugins add.
// dontRemember makes it a browser-session cookie with a 1-day session, as rememberMe: false does.
func (x *Context) CreateSession(user store.User, dontRemember bool) (*store.Result, error) {
	s, err := x.c.createSession(user.ID, dontRemember, user)
	if err != nil {
		return nil, err
	}
	res := &store.Result{Session: *s, User: user}
	x.c.setSessionCookie(res, &dontRemember, nil)
	return res, nil
}

// SessionOptions are what [Context.CreateSessionWith] writes beyond a plain sign-in.
type SessionOptions struct {
	// DontRemember makes it a browser-session cookie with a 1-day session, as rememberMe: false does.
	DontRemember bool
	// ExpiresAt is the session's expiry; zero means the server's session lifetime.
	ExpiresAt time.Time
	// Additional are the session's extra columns by field name (the admin plugin's impersonatedBy).
	Additional map[string]any
	// NoCookie creates the session without setting its cookies (set them with [Context.SetSessionCookie]).
	NoCookie bool
}

// CreateSessionWith is [Context.CreateSession] with options, as Better Auth's createSession takes an
// override: the session passes the session gate and the SessionCreated hook like every other.
func (x *Context) CreateSessionWith(user store.User, o SessionOptions) (*store.Result, error) {
	s, err := x.c.createSessionWith(user.ID, o.DontRemember, user, o.ExpiresAt, o.Additional)
	if err != nil {
		return nil, exportError(err)
	}
	res := &store.Result{Session: *s, User: user}
	if !o.NoCookie {
		dr := o.DontRemember
		x.c.setSessionCookie(res, &dr, nil)
	}
	return res, nil
}

// SetSessionCookie sets the session cookies (and the cookie cache) for an existing session, as Better
// Auth's setSessionCookie(ctx, session, dontRememberMe) does.
func (x *Context) SetSessionCookie(res *store.Result, dontRemember bool) {
	x.c.setSessionCookie(res, &dontRemember, nil)
}

// CheckPasswordLength answers a new password that is too long (400 PASSWORD_TOO_LONG) or, when min, too
// short (400 PASSWORD_TOO_SHORT) for the server's limits, as Better Auth's assertPasswordNotTooLong and
// assertPasswordNotTooShort do; nil otherwise.
func (x *Context) CheckPasswordLength(password string, min bool) error {
	n := jsLength(password)
	switch {
	case min && n < x.c.srv.ep.MinPasswordLength:
		return exportError(errPasswordTooShort)
	case n > x.c.srv.ep.MaxPasswordLength:
		return exportError(errPasswordTooLong)
	}
	return nil
}

// HashPassword hashes password with the server's password hasher, within its concurrency bound (503 when
// the queue is full), as Better Auth's ctx.context.password.hash does.
func (x *Context) HashPassword(password string) (string, error) {
	h, err := x.c.hashPassword(password)
	return h, exportError(err)
}

// SessionCookieMaxAge is the session cookie's Max-Age: the server's session lifetime (Better Auth's
// authCookies.sessionToken.attributes.maxAge), for cookies a plugin sets with the same attributes.
func (x *Context) SessionCookieMaxAge() time.Duration { return x.c.srv.expiresIn }

// SetCookie sets a cookie with Better Auth's attributes (Path=/, HttpOnly, SameSite=Lax, Secure in secure
// mode). maxAge 0 means a browser-session cookie; negative expires it.
func (x *Context) SetCookie(name, value string, maxAge time.Duration) {
	var age *int
	switch {
	case maxAge < 0:
		age, value = seconds(0), ""
	case maxAge > 0:
		age = seconds(maxAge)
	}
	x.c.removeCookies(name)
	x.c.setCookie(name, value, x.c.attrs(age))
}

// Header returns the response headers (Set-Cookie excepted: use SetCookie).
func (x *Context) Header() http.Header { return x.c.hdr() }

// SetStatus sets the status of a successful answer (200 by default).
func (x *Context) SetStatus(code int) { x.c.status = code }

// Result returns the endpoint's answer, in an after hook: the value it returned, or its error (an
// [*APIError] for Better Auth error answers).
func (x *Context) Result() (any, error) { return x.result, x.err }

// SetResult replaces the answer, in an after hook.
func (x *Context) SetResult(v any, err error) { x.result, x.err = v, exportError(err) }

// Server returns the server.
func (x *Context) Server() *Server { return x.c.a }

// Database returns the server's database. With Config.SecondaryStorage it is the secondary-storage layer
// over Config.Database (sessions and verification values go to the storage, as Better Auth keeps them):
// reach an optional interface of the underlying store with store.As (store.As[store.UserLister](db)).
func (x *Context) Database() store.Database { return x.c.srv.db }

// Logger returns the server's logger.
func (x *Context) Logger() *slog.Logger { return x.c.a.s.log }

// CookieName returns the full name of one of Better Auth's cookies, as its createAuthCookie builds it:
// "<prefix>.<name>" ("better-auth.two_factor"), with "__Secure-" in front in secure mode.
func (x *Context) CookieName(name string) string {
	n := x.c.a.cfg.Cookies.Prefix
	if n == "" {
		n = betterauth.DefaultPrefix
	}
	n += "." + name
	if x.c.a.s.secure {
		n = betterauth.SecurePrefix + n
	}
	return n
}

// SignedCookie returns the value of the request's cookie name when it is signed with the server's secret,
// as Better Auth's getSignedCookie reads it ("" and false when absent, or its signature fails).
func (x *Context) SignedCookie(name string) (string, bool) {
	vals := x.c.requestCookies(name)
	if len(vals) == 0 {
		return "", false
	}
	v, ok := x.c.a.signer.Verify(vals[0])
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

// SetSignedCookie sets a cookie whose value is signed with the server's secret, as Better Auth's
// setSignedCookie does, with [Context.SetCookie]'s attributes and maxAge rule.
func (x *Context) SetSignedCookie(name, value string, maxAge time.Duration) {
	x.SetCookie(name, x.c.a.signer.Sign(value), maxAge)
}

// ExpireSessionCookies expires the session cookies (session_token, session_data and its chunks), as
// Better Auth's deleteSessionCookie does; dont_remember is kept when keepDontRemember.
func (x *Context) ExpireSessionCookies(keepDontRemember bool) {
	n := x.c.a.s.names
	x.c.expireCookie(n.SessionToken)
	x.c.expireCookie(n.SessionData)
	for _, name := range x.c.dataChunks() {
		x.c.setCookie(name, "", x.c.attrs(seconds(0)))
	}
	if !keepDontRemember {
		x.c.expireCookie(n.DontRemember)
	}
}

// DontRemember reports whether the request carries a valid dont_remember cookie (the session it signs
// in with is not to be remembered, as rememberMe: false asked).
func (x *Context) DontRemember() bool { return x.c.signedCookie(x.c.a.s.names.DontRemember) != "" }

// DeleteSession deletes the session with token (the SessionDeleted hook runs); a missing one is no error.
func (x *Context) DeleteSession(token string) error { return x.c.deleteSession(token) }

// HasPassword reports whether the user has a credential account with a password.
func (x *Context) HasPassword(userID string) (bool, error) {
	acct, err := x.c.credentialAccount(userID)
	return acct != nil && acct.Password != "", err
}

// CheckPassword checks password against the user's credential account, as Better Auth's checkPassword
// does: nil when it matches, else 400 PASSWORD_TOO_LONG or INVALID_PASSWORD (also when the user has no
// password); 503 when the database or the hashing queue fails.
func (x *Context) CheckPassword(userID, password string) error {
	if jsLength(password) > x.c.srv.ep.MaxPasswordLength {
		return exportError(errPasswordTooLong)
	}
	acct, err := x.c.credentialAccount(userID)
	if err != nil {
		return err
	}
	if acct == nil || acct.Password == "" || password == "" {
		return exportError(errInvalidPassword)
	}
	ok, err := x.c.verifyPassword(acct.Password, password)
	if err != nil {
		return err
	}
	if !ok {
		return exportError(errInvalidPassword)
	}
	return nil
}

// SendEmail queues e for the server's Mailer, as the server's own emails are sent (in the background;
// see [Mailer]). It returns false when the server has no Mailer.
func (x *Context) SendEmail(e Email) bool {
	if x.c.srv.mail == nil {
		return false
	}
	x.c.srv.mail.send(e)
	return true
}

// Redirect makes the answer a 302 to target (an absolute URL, or a path the browser resolves against
// the request's URL); the endpoint's result is then not sent.
func (x *Context) Redirect(target string) { x.c.redirect(target) }

// CheckCallback is Better Auth's originCheck middleware on a redirect target a GET endpoint reads from
// its query (/magic-link/verify): an empty value passes; others must be a relative path or a trusted
// origin, else 403 INVALID_CALLBACK_URL. POST bodies' callbackURL, errorCallbackURL, newUserCallbackURL
// and redirectTo are checked before any endpoint runs.
func (x *Context) CheckCallback(target string) error {
	if e := x.c.srv.origins.CheckCallback(target); e != nil {
		return &APIError{Status: e.Status, Code: e.Code, Message: e.Message}
	}
	return nil
}

// CreateUser inserts a new user without any account, as Better Auth's internalAdapter.createUser does
// for the sign-ups of the magic-link and email-OTP plugins and the admin plugin's create-user: u.ID (when
// empty), CreatedAt and UpdatedAt are filled in, the email is lowercased, the BeforeCreateUser hook may
// change or refuse it, the plugins' user field defaults apply, and AfterCreateUser runs. An address that
// already has a user is 422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL (an [*APIError]).
func (x *Context) CreateUser(u *store.User) error {
	c := x.c
	if u.ID == "" {
		u.ID = betterauth.NewID()
	}
	u.Email = strings.ToLower(u.Email)
	if h := c.srv.hooks.BeforeCreateUser; h != nil {
		if err := h(c.ctx, u); err != nil {
			return exportError(hookError(err))
		}
		u.Email = strings.ToLower(u.Email)
	}
	c.applyUserDefaults(u)
	if err := c.srv.db.CreateUser(c.ctx, u, c.now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return exportError(errUserExists)
		}
		return dbError(err)
	}
	setTimes(u, c.now)
	if h := c.srv.hooks.AfterCreateUser; h != nil {
		if err := h(c.ctx, *u); err != nil {
			return exportError(hookError(err))
		}
	}
	return nil
}

// ProveEmail is what a proof of the address by email alone (a magic link, an email OTP sign-in) does to a
// user whose email is not verified, as Better Auth's revokeUnprovenAccountAccess: it deletes every account
// of the user (the password too: whoever set it never proved the address), ends every session, and sets
// emailVerified. It returns the user as it is now; a verified user is returned unchanged.
func (x *Context) ProveEmail(u store.User) (store.User, error) {
	c := x.c
	if u.EmailVerified {
		return u, nil
	}
	accts, err := c.srv.db.Accounts(c.ctx, u.ID)
	if err != nil {
		return u, dbError(err)
	}
	for _, a := range accts {
		if err := c.srv.db.DeleteAccount(c.ctx, a.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return u, dbError(err)
		}
	}
	if len(accts) > 0 {
		c.a.s.log.Warn("auth: the email was proved; accounts linked before it was verified were removed", "user", u.ID, "accounts", len(accts))
	}
	if err := c.deleteUserSessions(u.ID); err != nil {
		return u, err
	}
	nu, err := c.srv.db.UpdateUser(c.ctx, u.ID, map[string]any{"emailVerified": true}, c.now)
	if err != nil {
		return u, dbError(err)
	}
	return *nu, nil
}

// VerifyEmail marks the user's email verified as the server's /verify-email does: for a user not verified
// until now it first ends unproven access (identities linked before the proof and every session are
// removed, unless AccountLinking.KeepUnverifiedLinksOnEmailProof; the password stays) and reports
// detached. It returns the updated user.
func (x *Context) VerifyEmail(u store.User) (nu store.User, detached bool, err error) {
	c := x.c
	if detached, err = c.endUnprovenAccess(u); err != nil {
		return u, false, exportError(err)
	}
	p, err := c.srv.db.UpdateUser(c.ctx, u.ID, map[string]any{"emailVerified": true}, c.now)
	if err != nil {
		return u, detached, dbError(err)
	}
	return *p, detached, nil
}

// CheckNewPassword applies the server's rules for a new password (EmailAndPassword's lengths and
// character rules): nil, or 400 PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG or the rule's code.
func (x *Context) CheckNewPassword(password string) error {
	return exportError(x.c.checkNewPassword(password))
}

// ResetPassword sets the user's password as the server's /reset-password does once its token is spent:
// it hashes password (check it with [Context.CheckNewPassword] first), removes identities linked before
// the address was proved, ends the user's sessions unless KeepSessionsOnPasswordReset, and sets the
// credential account's password, creating the account when there is none.
func (x *Context) ResetPassword(u store.User, password string) error {
	hash, err := x.c.hashPassword(password)
	if err != nil {
		return exportError(err)
	}
	return exportError(x.c.setResetPassword(u, hash))
}

// RefreshCookieCache writes the session_data cookie cache for res again, as Better Auth's setCookieCache
// does after the session's user changed (its email verified); it keeps the dont_remember choice.
func (x *Context) RefreshCookieCache(res *store.Result) {
	x.c.setCookieCache(res, x.DontRemember())
}

// applyUserDefaults gives a new user the plugins' user field defaults it has no value for, as Better Auth's
// adapter writes a field's defaultValue on create (twoFactorEnabled: false).
func (c *call) applyUserDefaults(u *store.User) {
	for k, v := range c.srv.userDefaults {
		if k == "role" {
			if r, ok := v.(string); ok && u.Role == "" {
				u.Role = r
			}
			continue
		}
		if _, ok := u.Additional[k]; !ok {
			if u.Additional == nil {
				u.Additional = map[string]any{}
			}
			u.Additional[k] = v
		}
	}
}

// credentialAccount returns the user's credential account, or nil.
func (c *call) credentialAccount(userID string) (*store.Account, error) {
	accts, err := c.srv.db.Accounts(c.ctx, userID)
	if err != nil {
		return nil, dbError(err)
	}
	for i := range accts {
		if accts[i].ProviderID == "credential" {
			return &accts[i], nil
		}
	}
	return nil, nil
}

// Encrypt encrypts plaintext as Better Auth's symmetricEncrypt does with the server's secrets
// (XChaCha20-Poly1305 under SHA-256 of the secret, hex; "$ba$<version>$…" with rotated secrets), so a
// Node server with the same secrets decrypts it: what plugins store encrypted (TOTP secrets, backup codes).
func (a *Server) Encrypt(plaintext string) (string, error) {
	return jwtissue.Encrypt(a.symmetricSecrets(), plaintext)
}

// Decrypt decrypts what [Server.Encrypt] or Better Auth's symmetricEncrypt wrote with the server's secrets.
func (a *Server) Decrypt(ciphertext string) (string, error) {
	return jwtissue.Decrypt(a.symmetricSecrets(), ciphertext)
}

// symmetricSecrets are the server's secrets as Better Auth's secretConfig holds them.
func (a *Server) symmetricSecrets() jwtissue.Secrets {
	var s jwtissue.Secrets
	if len(a.cfg.Secrets) == 0 {
		s.Current = string(a.cfg.Secret)
		return s
	}
	for _, v := range a.cfg.Secrets {
		s.Versions = append(s.Versions, jwtissue.Versioned{Version: v.Version, Value: string(v.Value)})
	}
	s.Legacy = string(a.cfg.Secret)
	return s
}

// AutoSignInAfterVerification reports EmailVerification.AutoSignInAfterVerification: proving the address
// signs the user in.
func (a *Server) AutoSignInAfterVerification() bool { return a.s.server.ev.AutoSignInAfterVerification }

// HasMailer reports whether the server has a Mailer (Config.Mailer), which [Context.SendEmail] needs.
func (a *Server) HasMailer() bool { return a.s.server.mailer != nil }

// Logger returns the server's logger (Config.Logger).
func (a *Server) Logger() *slog.Logger { return a.s.log }

// Database returns the server's database: Config.Database, wrapped by the secondary-storage layer when
// Config.SecondaryStorage is set (see [Context.Database]).
func (a *Server) Database() store.Database { return a.s.server.db }

// HMAC returns HMAC-SHA256 of data under the server's current secret, base64url without padding: Better
// Auth's createHMAC("SHA-256", "base64urlnopad").sign(ctx.context.secret, data).
func (a *Server) HMAC(data string) string {
	m := hmac.New(sha256.New, []byte(a.s.secret))
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// exportError turns the server's error answers into *APIError for plugins.
func exportError(err error) error {
	var e *apiError
	if errors.As(err, &e) && e.retryAfter == 0 {
		return &APIError{Status: e.status, Code: e.code, Message: e.message}
	}
	return err
}

// importError turns a plugin's *APIError into the server's error answer.
func importError(err error) error {
	var e *APIError
	if errors.As(err, &e) {
		ae := newAPIError(e.Status, e.Code, e.Message)
		ae.noBody = e.Code == "" && e.Message == "" // APIError.fromStatus without a message: no body
		return ae
	}
	return err
}

// hook is a hook of a plugin, with the plugin it belongs to.
type hook struct {
	Hook
	plugin string
}

// installPlugins adds the plugins' endpoints and hooks to the server and runs their Init.
func (a *Server) installPlugins(plugins []Plugin) error {
	seen := map[string]bool{}
	for _, p := range plugins {
		if p.ID == "" || seen[p.ID] {
			return configError("Plugins: plugin id %q is empty or appears twice", p.ID)
		}
		seen[p.ID] = true
		for _, e := range p.Endpoints {
			if e.Handler == nil || !strings.HasPrefix(e.Path, "/") || (e.Method != http.MethodGet && e.Method != http.MethodPost) {
				return configError("plugin %s: endpoint %s %q: want GET or POST, a /path and a handler", p.ID, e.Method, e.Path)
			}
			h := e.Handler
			ep := &endpoint{methods: []string{e.Method}, formCSRF: e.FormCSRF, handle: func(c *call) (any, error) {
				v, err := h(&Context{c: c})
				return v, importError(err)
			}, op: Operation{Route: e.Path, ID: cmp.Or(e.OperationID, e.Path)}}
			path, table := e.Path, a.router
			if i := strings.Index(path, "/:"); i > 0 {
				path, table = path[:i], a.routeParams
			}
			if a.router[path] != nil || a.routeParams[path] != nil {
				return configError("plugin %s: endpoint %q is already served", p.ID, e.Path)
			}
			table[path] = ep
		}
		for _, h := range p.Before {
			a.before = append(a.before, hook{h, p.ID})
		}
		for _, h := range p.After {
			a.after = append(a.after, hook{h, p.ID})
		}
	}
	for _, p := range plugins {
		for k, v := range p.UserDefaults {
			if a.s.server.userDefaults == nil {
				a.s.server.userDefaults = map[string]any{}
			}
			a.s.server.userDefaults[k] = v
		}
		for _, t := range p.Schema {
			for _, f := range t.Fields {
				if t.Name == "user" && f.Default != nil {
					if a.s.server.userDefaults == nil {
						a.s.server.userDefaults = map[string]any{}
					}
					a.s.server.userDefaults[f.Name] = f.Default
				}
			}
		}
		for f, h := range p.Gates {
			if f != GateTwoFactor || h == nil {
				return configError("plugin %s: Gates: finding %d cannot be taken over, or its function is nil", p.ID, f)
			}
			if a.s.server.gate[gateFinding(f)] != nil {
				return configError("plugin %s: Gates: another plugin already takes finding %d", p.ID, f)
			}
			if a.s.server.gate == nil {
				a.s.server.gate = map[gateFinding]gateHandler{}
			}
			a.s.server.gate[gateFinding(f)] = func(c *call, u *store.User) error { return h(&Context{c: c}, *u) }
		}
	}
	for _, p := range plugins {
		if p.Init != nil {
			if err := p.Init(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// runBefore runs the before hooks that match the request; the first error stops them.
func (c *call) runBefore() error {
	for _, h := range c.a.before {
		if h.Run != nil && (h.Match == nil || h.Match(c.path)) {
			if err := h.Run(&Context{c: c}); err != nil {
				return importError(err)
			}
		}
	}
	return nil
}

// runAfter runs the after hooks that match the request over the endpoint's answer.
func (c *call) runAfter(res any, err error) (any, error) {
	if len(c.a.after) == 0 {
		return res, err
	}
	x := &Context{c: c, result: res, err: exportError(err)}
	ran := false
	for _, h := range c.a.after {
		if h.Run != nil && (h.Match == nil || h.Match(c.path)) {
			ran = true
			if herr := h.Run(x); herr != nil {
				x.result, x.err = nil, herr
			}
		}
	}
	if !ran {
		return res, err
	}
	return x.result, importError(x.err)
}
