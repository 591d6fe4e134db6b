package authserver

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Server-mode defaults, Better Auth's unless said otherwise. Zero values in [Config] mean these.
const (
	DefaultSessionExpiresIn  = 7 * 24 * time.Hour
	DefaultSessionUpdateAge  = 24 * time.Hour
	DefaultSessionFreshAge   = 24 * time.Hour
	DefaultCookieCacheMaxAge = 5 * time.Minute
	DefaultMinPasswordLength = 8
	DefaultMaxPasswordLength = 128
	DefaultMaxBodyBytes      = 64 << 10
	DefaultHashQueueTimeout  = 10 * time.Second
	DefaultRateLimitWindow   = 10 * time.Second
	DefaultRateLimitMax      = 100
)

// Config configures a [Server]: a Better Auth-compatible server whose [Server.ServeHTTP] answers Better
// Auth's endpoints at Auth.BasePath with the same JSON, status codes, cookies and database rows as Better
// Auth 1.7.25, so the better-auth JS client works against it unchanged and a Go and a Node server can share
// one database. The zero value of every field means its documented default. A Config is read once by [New].
//
// A server needs Auth.Secret (or Auth.Secrets), at least 32 bytes; see [DevSecret] for development.
type Config struct {
	// Auth configures the verifier the server wraps ([Server.Verifier]): BaseURL, BasePath, the secrets,
	// cookie names, the cookie cache the server writes, the clock and the logger are the server's too.
	// Required: at least BaseURL and Secret.
	Auth auth.Config

	// Database holds Better Auth's tables (see sqlstore and [Migrate]). Required. It also serves as
	// Auth.Store when that is nil.
	Database store.Database

	// SecondaryStorage is Better Auth's secondaryStorage (redisstore.NewSecondaryStorage on Redis): sessions
	// live there under Better Auth 1.7.25's keys, JSON values and TTLs (<token> → {"session","user"},
	// active-sessions-<userId>, revoked-sessions-before-<userId>), and so do verification values
	// (verification:<identifier>; not in the database, as Better Auth's verification.storeInDatabase: false)
	// and, with RateLimit.Storage "secondary-storage", rate-limit counters. A Node server with the same
	// storage and key prefix shares them all. Sessions are not written to the database unless
	// Session.StoreSessionInDatabase. Every path that touches sessions goes through it: the endpoints, the
	// [Context] helpers, plugins through [Context.Database] (which is then a wrapper; reach optional
	// interfaces of the Database with store.As) and the verifier, whose Auth.Store it is when that is nil.
	// Nil means none: sessions and verification values live in the database.
	SecondaryStorage store.SecondaryStorage

	// DevMode is Better Auth's non-production mode: rate limiting is off unless RateLimit.Enabled says
	// otherwise, and requests with no derivable client IP are keyed as 127.0.0.1. It MUST NOT be set in
	// production.
	DevMode bool

	// TrustedOrigins are origins allowed besides BaseURL's, in Better Auth's trustedOrigins syntax (exact
	// origins, "*" and "?" wildcards, custom schemes). They decide Origin/CSRF checks and which absolute
	// callbackURL/redirectTo values are accepted.
	TrustedOrigins []string

	// TrustedProxies are the networks of reverse proxies whose forwarded headers are believed for the client
	// IP. Nil means none: the client IP is the connection's remote address and X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix
	// IPAddressHeaders are the headers holding the client IP set by a trusted proxy. Nil means
	// X-Forwarded-For, Better Auth's default.
	IPAddressHeaders []string

	// RateLimit configures rate limiting (Better Auth's rules; on in production).
	RateLimit RateLimitConfig

	// EmailAndPassword configures the email/password endpoints.
	EmailAndPassword EmailPasswordConfig

	// Session configures session lifetimes. The cookie cache written is Auth.CookieCache.
	Session SessionConfig

	// Mailer sends verification and password reset emails. Nil means none: /send-verification-email and
	// /request-password-reset answer 400 as Better Auth does without sendVerificationEmail and
	// sendResetPassword.
	Mailer Mailer

	// MailQueue bounds the background sending of Mailer's emails: the queue's size, the workers, the
	// timeout of one send and how long [Server.Close] waits for the queue to drain.
	MailQueue MailQueueConfig

	// EmailVerification configures email verification.
	EmailVerification EmailVerificationConfig

	// Hooks run at points of the flows (user creation, sessions, JWT claims).
	Hooks Hooks

	// Plugins add endpoints, tables, hooks, rate-limit rules and error codes, like Better Auth's plugins
	// option: [JWT] (GET /token, GET /jwks, the set-auth-jwt header), [Bearer] (the set-auth-token header
	// and Authorization: Bearer session tokens), or your own (see [Plugin]). Nil means none.
	Plugins []Plugin

	// MaxBodyBytes caps a request body; a larger one gets 413 before any parsing. Zero means 64 KiB.
	MaxBodyBytes int64

	// MaxConcurrentHashes bounds how many password hashes (32 MiB of memory each) run at once; further
	// requests queue. Zero means GOMAXPROCS.
	MaxConcurrentHashes int
	// HashQueueTimeout is how long a request may wait for a hashing slot before it gets 503 with
	// Retry-After. Zero means 10 s.
	HashQueueTimeout time.Duration

	// SocialProviders are the social sign-in providers (Better Auth's socialProviders), served at
	// /sign-in/social, /callback/<id> and /link-social. IDs must be unique and URL-path safe. Every flow
	// carries a nonce (providers without ID tokens ignore it). A provider with an Issuer() string method
	// returning non-empty must have it: the callback's RFC 9207 iss and every identity's Issuer must equal
	// it. Exchange returning nil tokens is a failed code redemption (?error=invalid_code); tokens with an
	// error is a failed identity check (?error=unable_to_get_user_info). VerifyIDToken errors wrapping
	// [auth.ErrUnavailable] answer 503, other errors 401 INVALID_TOKEN. Nil means none.
	SocialProviders []Provider

	// AccountLinking is Better Auth's account.accountLinking: when a provider identity may join an existing
	// user. Its zero value is Better Auth's default.
	AccountLinking AccountLinkingConfig

	// EncryptOAuthTokens is Better Auth's account.encryptOAuthTokens: provider access and refresh tokens are
	// stored encrypted with the server's secret (symmetricEncrypt, as [Server.Encrypt]), so a Node server
	// with the same secret and option reads them. ID tokens stay plain, as Better Auth keeps them. False
	// stores them plain; stored tokens that do not look encrypted are still read as plain when it is true.
	EncryptOAuthTokens bool

	// User is Better Auth's user option: additional user fields, /change-email and /delete-user. Its zero
	// value is Better Auth's default (no additional fields, both endpoints off).
	User UserConfig

	// Observer receives the server's endpoints, sign-in and sign-up outcomes, rate-limit refusals and
	// password hashing queue waits, for traces and metrics (adapters/authotel implements it). When
	// Auth.Observer is nil and Observer also implements [auth.Observer] (authotel's does), the verifier
	// reports to it too. Nil means none: one nil check per request.
	Observer Observer
}

// AccountLinkingConfig is Better Auth's account.accountLinking option. Implicit linking (a social sign-in
// whose email belongs to an existing user) happens only when the provider is trusted or vouches for the
// email, and the local user's email is verified (Better Auth's requireLocalEmailVerified, always on here).
type AccountLinkingConfig struct {
	// Disabled is enabled: false: no implicit linking, and /link-social refuses.
	Disabled bool
	// DisableImplicitLinking refuses implicit linking; /link-social still links.
	DisableImplicitLinking bool
	// TrustedProviders are provider IDs whose identities may link even when they do not say the email is
	// verified. Only list providers that verify emails themselves; generic OpenID Connect tenants where
	// users choose their email MUST NOT be listed.
	TrustedProviders []string
	// AllowDifferentEmails lets /link-social link an identity whose email differs from the user's.
	AllowDifferentEmails bool
	// AllowUnlinkingAll lets /unlink-account remove a user's last account.
	AllowUnlinkingAll bool
	// UpdateUserInfoOnLink copies the provider's name and image to the user when an identity is linked.
	UpdateUserInfoOnLink bool
	// KeepUnverifiedLinksOnEmailProof keeps Better Auth's behaviour when a user whose email was not
	// verified proves the address (follows a verification link or completes a password reset): nothing
	// else changes. False (the default, a deliberate difference from Better Auth) ends every session of
	// the user and detaches its provider identities (account rows other than "credential"), since they
	// were all linked while the address was unproved: an attacker who signed up first through a provider
	// that asserts the victim's address unverified (a pre-account hijack) loses the account when its owner
	// takes it back. The owner signs in again and re-links their own identities.
	KeepUnverifiedLinksOnEmailProof bool
}

// RateLimitConfig is Better Auth's rateLimit option.
type RateLimitConfig struct {
	// Enabled turns rate limiting on or off. Nil means on unless DevMode, as Better Auth does in production.
	Enabled *bool
	// Window and Max are the default rule: at most Max requests per client IP and path per Window. Zero
	// means 10 s and 100.
	Window time.Duration
	Max    int
	// Rules are per-path rules, matched by path prefix below the base path. Nil means Better Auth's:
	// 3 per 10 s on /sign-in, /sign-up, /change-password and /change-email; 3 per 60 s on
	// /request-password-reset, /send-verification-email and /forget-password.
	Rules []RateLimitRule
	// MaxKeys bounds the memory used by Storage "memory": at most this many (client, path) counters are
	// kept. Zero means 100 000.
	MaxKeys int
	// Storage is where the counters live, Better Auth's rateLimit.storage: "memory" (each process counts
	// alone), "database" (Better Auth's rateLimit table, id/key/count/lastRequest, one row per
	// "<ip>|<path>" key; create it with [MigrateConfig], which adds it for this setting) or
	// "secondary-storage" (a counter per "<ip>|<path>" key in Config.SecondaryStorage, INCR with the rule's
	// window as TTL). With the last two, every Go server and every Node server configured alike enforce one
	// window together: each request is one atomic step (a conditional UPDATE … SET count = count + 1, or
	// INCR), so a burst spread over N servers lets through exactly Max. Empty means "memory", or
	// "secondary-storage" when Config.SecondaryStorage is set, as Better Auth chooses.
	Storage string
	// FailOpen decides what a request gets when Storage "database" or "secondary-storage" cannot answer
	// (down, timed out): true lets it through uncounted (logged); false, the default, answers 503 with
	// Retry-After: 5, so an outage of the store never turns into unlimited password guessing. It never
	// panics and never blocks longer than the store's own timeout.
	FailOpen bool
}

// RateLimitRule limits requests to paths starting with Prefix (below the base path, e.g. "/sign-in").
type RateLimitRule struct {
	Prefix string
	Window time.Duration
	Max    int
}

// EmailPasswordConfig is Better Auth's emailAndPassword option, plus password rules.
type EmailPasswordConfig struct {
	// Disabled turns the email/password endpoints off (sign-in answers 400 EMAIL_PASSWORD_DISABLED).
	Disabled bool
	// DisableSignUp refuses new accounts (400 EMAIL_PASSWORD_SIGN_UP_DISABLED).
	DisableSignUp bool
	// MinPasswordLength and MaxPasswordLength bound a password's length in UTF-16 code units, as Better
	// Auth counts (JavaScript's length). Zero means 8 and 128.
	MinPasswordLength, MaxPasswordLength int
	// RequireUppercase, RequireLowercase, RequireNumber and RequireSpecial add rules to new passwords
	// (sign-up, change-password, reset); each failure is its own 400 code (PASSWORD_REQUIRES_UPPERCASE, …).
	// Better Auth has no such rules: with any of them on, a Node server sharing the database does not
	// enforce them.
	RequireUppercase, RequireLowercase, RequireNumber, RequireSpecial bool
	// DisableAutoSignIn is autoSignIn: false: sign-up creates no session and answers token null, and a
	// duplicate email gets the same answer as a new one.
	DisableAutoSignIn bool
	// RequireEmailVerification refuses sign-in until the email is verified (403 EMAIL_NOT_VERIFIED) and
	// implies DisableAutoSignIn's answers on sign-up.
	RequireEmailVerification bool
	// ResetPasswordTokenExpiresIn is how long a password reset link works. Zero means 1 hour.
	ResetPasswordTokenExpiresIn time.Duration
	// KeepSessionsOnPasswordReset keeps the user's sessions when the password is reset through
	// /reset-password, as Better Auth does by default (its revokeSessionsOnPasswordReset: false). By default
	// Go deletes them all, so a session of whoever knew the old password ends with it.
	KeepSessionsOnPasswordReset bool
}

// SessionConfig is Better Auth's session option.
type SessionConfig struct {
	// ExpiresIn is a session's lifetime. Zero means 7 days.
	ExpiresIn time.Duration
	// UpdateAge is how often /get-session extends a session (sliding expiry). Zero means 1 day.
	UpdateAge time.Duration
	// FreshAge is how young a session must be for /list-sessions. Zero means 1 day; negative means no
	// freshness check (Better Auth's freshAge: 0).
	FreshAge time.Duration
	// DisableRefresh turns sliding expiry off (disableSessionRefresh).
	DisableRefresh bool
	// KeepSessionOnSignIn keeps the session a request presents (cookie or bearer token) when it signs in
	// again as the same user, as Better Auth does. By default that session is deleted when the new one is
	// made (email and social sign-in, and every other place a session is created), so a session planted
	// in the browser (session fixation) or stolen from it ends at the user's next sign-in.
	KeepSessionOnSignIn bool
	// MaxSessionAge, when positive, is an absolute lifetime counted from a session's createdAt: new
	// sessions and refreshes never expire later than createdAt + MaxSessionAge, and an older session is
	// refused and deleted, however recently it was used. It is also the verifier's MaxSessionAge (the
	// server sets Auth.MaxSessionAge from it), so Verifier().Authenticate honours it. Zero means no
	// limit: Better Auth's behaviour, where a session used at least every ExpiresIn lives forever.
	MaxSessionAge time.Duration
	// CookieCacheMaxAge is session.cookieCache.maxAge, when Auth.CookieCache.Strategy is set. Zero means
	// 5 minutes. (Better Auth's cookieCache.refreshCache has no field: Better Auth turns it off, with a
	// warning, whenever there is a database, and a server always has one.)
	CookieCacheMaxAge time.Duration
	// DeferRefresh is Better Auth's deferSessionRefresh: GET /get-session never writes (no sliding
	// refresh, no deletion of an expired session) and answers "needsRefresh" beside the session;
	// POST /get-session does the refresh. Off means POST /get-session answers 405
	// METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED.
	DeferRefresh bool
	// StoreSessionInDatabase is Better Auth's session.storeSessionInDatabase: with SecondaryStorage,
	// sessions are also written to the session table, and read from it when secondary storage does not
	// have them (unless PreserveSessionInDatabase). Without SecondaryStorage it must be false (sessions are
	// in the database anyway).
	StoreSessionInDatabase bool
	// PreserveSessionInDatabase is Better Auth's session.preserveSessionInDatabase: with
	// StoreSessionInDatabase, ending a session keeps its row (for audit) with expiresAt set to the moment
	// it ended, and the database is no longer a fallback for lookups and lists. Needs
	// StoreSessionInDatabase.
	PreserveSessionInDatabase bool
	// AdditionalFields are Better Auth's session.additionalFields: columns of the session table beyond
	// the core schema, which POST /update-session may set (unless NoInput) and the session answers return.
	// Nil means none.
	AdditionalFields map[string]AdditionalField
}

// UserConfig is Better Auth's user option.
type UserConfig struct {
	// AdditionalFields are Better Auth's user.additionalFields: columns of the user table beyond the core
	// schema, set on sign-up and /update-user as Better Auth's parseUserInput does, and returned in user
	// answers, session answers and JWT payloads. Fields of the body that are not declared are ignored, as
	// Better Auth ignores them. Create the columns with [MigrateConfig]. Nil means none.
	AdditionalFields map[string]AdditionalField
	// ChangeEmail is Better Auth's user.changeEmail: POST /change-email.
	ChangeEmail ChangeEmailConfig
	// DeleteUser is Better Auth's user.deleteUser: POST /delete-user and GET /delete-user/callback.
	DeleteUser DeleteUserConfig
}

// AdditionalField is one of Better Auth's additionalFields (a DBFieldAttribute).
type AdditionalField struct {
	// Type is the field's type: sqlstore.FieldString, FieldNumber, FieldBoolean, FieldDate or FieldJSON.
	// Empty means FieldString. A body value of another JSON type is refused with 400 VALIDATION_ERROR
	// (Better Auth hands it to the database as it is; see docs/better-auth-compat.md).
	Type sqlstore.FieldType
	// Required makes the field mandatory on sign-up (400 MISSING_FIELD "<name> is required" when absent
	// and there is no Default) and its column NOT NULL.
	Required bool
	// NoInput is Better Auth's input: false: the field cannot be set from a request body. A truthy value
	// for it is refused with 400 FIELD_NOT_ALLOWED "<name> is not allowed to be set"; on sign-up a field
	// with a Default takes the Default whatever the body says.
	NoInput bool
	// Default is the defaultValue written on create when the body has none (a string, bool, number or, for
	// dates, a time.Time). Nil means none.
	Default any
}

// ChangeEmailConfig is Better Auth's user.changeEmail option. The emails go through Config.Mailer, which
// is Better Auth's emailVerification.sendVerificationEmail here: without a Mailer, /change-email can only
// change the address of an unverified user with UpdateEmailWithoutVerification.
type ChangeEmailConfig struct {
	// Enabled serves POST /change-email (off: 400 CHANGE_EMAIL_DISABLED).
	Enabled bool
	// UpdateEmailWithoutVerification changes the address of a user whose email is not verified at once
	// (and mails a verification link to the new address).
	UpdateEmailWithoutVerification bool
	// SendChangeEmailConfirmation is sendChangeEmailConfirmation: a verified user first confirms the
	// change from the old address (an [EmailChangeEmailConfirmation] email); following that link mails the
	// verification link to the new address. Off means the verification link goes to the new address
	// directly.
	SendChangeEmailConfirmation bool
}

// DeleteUserConfig is Better Auth's user.deleteUser option.
type DeleteUserConfig struct {
	// Enabled serves POST /delete-user and GET /delete-user/callback (off: 404).
	Enabled bool
	// SendDeleteAccountVerification is sendDeleteAccountVerification: /delete-user only mails a link (an
	// [EmailDeleteAccount] email, through Config.Mailer, which it then requires), even after a correct
	// password, and the user is deleted when the link is followed.
	SendDeleteAccountVerification bool
	// DeleteTokenExpiresIn is how long a deletion link works. Zero means 1 day.
	DeleteTokenExpiresIn time.Duration
	// BeforeDelete runs before the user is deleted; an error stops the deletion (a [*HookError] is
	// answered with its status, code and message). Nil means none.
	BeforeDelete func(ctx context.Context, u store.User) error
	// AfterDelete runs after the user, its sessions and its accounts are deleted. Its error fails the
	// answer, as Better Auth's does, though the user is gone. Nil means none.
	AfterDelete func(ctx context.Context, u store.User) error
}

// serverSettings is the validated Config.
type serverSettings struct {
	db           store.Database // Config.Database, wrapped by the secondary-storage layer when there is one
	kv           store.SecondaryStorage
	dev          bool
	origins      *httpsec.Origins
	clientIP     httpsec.ClientIP
	limiter      *rateLimiter // nil when off
	ep           EmailPasswordConfig
	expiresIn    time.Duration
	updateAge    time.Duration
	freshAge     time.Duration // < 0: off
	noRefresh    bool
	keepOnLogin  bool
	cacheMaxAge  time.Duration
	maxBody      int64
	hashSlots    int
	hashTimeout  time.Duration
	mailer       Mailer
	mail         *mailQueue // sends mailer's emails; nil without a mailer
	ev           EmailVerificationConfig
	hooks        Hooks
	providers    map[string]Provider // SocialProviders by ID
	linking      AccountLinkingConfig
	encryptOAuth bool
	user         UserConfig
	sessFields   map[string]AdditionalField
	deferRefresh bool
	gate         map[gateFinding]gateHandler // server plugins' answers to the session gate's findings; nil: none
	userDefaults map[string]any              // the plugins' user field defaults (Field.Default), written on create
	observer     Observer                    // nil: none
}

func (c *Config) validate(s *settings) (*serverSettings, error) {
	if c.Database == nil {
		return nil, configError("Database is required")
	}
	if s.secret == "" {
		return nil, configError("server mode needs Secret (or Secrets), at least %d bytes; see DevSecret for development", auth.MinSecretBytes)
	}
	if s.strategy == auth.CacheJWTPlugin {
		return nil, configError("server mode cannot write the jwt-plugin cookie cache yet; use compact, jwt or jwe")
	}
	ss := &serverSettings{db: c.Database, kv: c.SecondaryStorage, dev: c.DevMode, ep: c.EmailAndPassword, noRefresh: c.Session.DisableRefresh,
		keepOnLogin: c.Session.KeepSessionOnSignIn, observer: c.Observer}
	var err error
	if ss.origins, err = httpsec.NewOrigins(s.origin, c.TrustedOrigins); err != nil {
		return nil, configError("TrustedOrigins: %v", err)
	}
	headers := c.IPAddressHeaders
	if headers == nil {
		headers = []string{"x-forwarded-for"}
	}
	for i, h := range headers {
		headers[i] = strings.ToLower(strings.TrimSpace(h))
		if headers[i] == "" {
			return nil, configError("empty IPAddressHeaders entry")
		}
	}
	for _, p := range c.TrustedProxies {
		if !p.IsValid() {
			return nil, configError("invalid TrustedProxies entry")
		}
	}
	ss.clientIP = httpsec.ClientIP{Headers: headers, TrustedProxies: c.TrustedProxies}

	ep := &ss.ep
	ep.ResetPasswordTokenExpiresIn = orDefault(ep.ResetPasswordTokenExpiresIn, time.Hour)
	ss.mailer, ss.ev, ss.hooks = c.Mailer, c.EmailVerification, c.Hooks
	ss.ev.ExpiresIn = orDefault(ss.ev.ExpiresIn, time.Hour)
	if ep.ResetPasswordTokenExpiresIn < time.Second || ss.ev.ExpiresIn < time.Second {
		return nil, configError("ResetPasswordTokenExpiresIn and EmailVerification.ExpiresIn must be at least 1s")
	}
	mq := MailQueueConfig{Size: orDefault(c.MailQueue.Size, DefaultMailQueueSize),
		Workers:      orDefault(c.MailQueue.Workers, DefaultMailQueueWorkers),
		SendTimeout:  orDefault(c.MailQueue.SendTimeout, DefaultMailSendTimeout),
		DrainTimeout: orDefault(c.MailQueue.DrainTimeout, DefaultMailQueueDrainTimeout)}
	if mq.Size < 1 || mq.Workers < 1 || mq.SendTimeout <= 0 || mq.DrainTimeout <= 0 {
		return nil, configError("MailQueue: Size, Workers, SendTimeout and DrainTimeout must be positive")
	}
	if c.Mailer != nil {
		ss.mail = newMailQueue(c.Mailer, mq, s.log)
	}
	ep.MinPasswordLength = orDefault(ep.MinPasswordLength, DefaultMinPasswordLength)
	ep.MaxPasswordLength = orDefault(ep.MaxPasswordLength, DefaultMaxPasswordLength)
	if ep.MinPasswordLength < 1 || ep.MaxPasswordLength < ep.MinPasswordLength {
		return nil, configError("password lengths: want 1 <= MinPasswordLength (%d) <= MaxPasswordLength (%d)",
			ep.MinPasswordLength, ep.MaxPasswordLength)
	}
	if ep.MaxPasswordLength > 4096 {
		return nil, configError("MaxPasswordLength %d: at most 4096", ep.MaxPasswordLength)
	}

	ss.expiresIn = orDefault(c.Session.ExpiresIn, DefaultSessionExpiresIn)
	ss.updateAge = orDefault(c.Session.UpdateAge, DefaultSessionUpdateAge)
	ss.freshAge = orDefault(c.Session.FreshAge, DefaultSessionFreshAge)
	ss.cacheMaxAge = orDefault(c.Session.CookieCacheMaxAge, DefaultCookieCacheMaxAge)
	for name, d := range map[string]time.Duration{"Session.ExpiresIn": ss.expiresIn, "Session.UpdateAge": ss.updateAge,
		"Session.CookieCacheMaxAge": ss.cacheMaxAge} {
		if d < time.Second {
			return nil, configError("%s %v: want at least 1s", name, d)
		}
		if d > 400*24*time.Hour {
			return nil, configError("%s %v: cookies cannot live longer than 400 days", name, d)
		}
	}
	ss.maxBody = orDefault(c.MaxBodyBytes, DefaultMaxBodyBytes)
	ss.hashSlots = orDefault(c.MaxConcurrentHashes, runtime.GOMAXPROCS(0))
	ss.hashTimeout = orDefault(c.HashQueueTimeout, DefaultHashQueueTimeout)
	if ss.maxBody < 1024 || ss.hashSlots < 1 || ss.hashTimeout < 0 {
		return nil, configError("MaxBodyBytes (>= 1024), MaxConcurrentHashes and HashQueueTimeout must be positive")
	}

	on := !c.DevMode
	if c.RateLimit.Enabled != nil {
		on = *c.RateLimit.Enabled
	}
	if on {
		rl := httpsec.RateLimitConfig{Window: orDefault(c.RateLimit.Window, DefaultRateLimitWindow),
			Max: orDefault(c.RateLimit.Max, DefaultRateLimitMax), MaxKeys: c.RateLimit.MaxKeys, Now: s.now}
		if rl.Window <= 0 || rl.Max <= 0 || rl.MaxKeys < 0 {
			return nil, configError("RateLimit: Window, Max and MaxKeys must be positive")
		}
		if c.RateLimit.Rules != nil {
			rl.Rules = []httpsec.Rule{}
		}
		for _, r := range slices.Concat(c.RateLimit.Rules, c.pluginRules()) {
			if !strings.HasPrefix(r.Prefix, "/") || r.Window <= 0 || r.Max <= 0 {
				return nil, configError("RateLimit rule %+v: want a /prefix, a positive Window and Max", r)
			}
			rl.Rules = append(rl.Rules, httpsec.Rule{Prefix: r.Prefix, Window: r.Window, Max: r.Max})
		}
		if c.RateLimit.Rules == nil && rl.Rules != nil {
			rl.Rules = append(rl.Rules, httpsec.DefaultRules()...) // plugin rules first: they take precedence
		}
		ss.limiter = &rateLimiter{rules: httpsec.NewRateLimiter(rl), failOpen: c.RateLimit.FailOpen, now: s.now, log: s.log}
		ss.limiter.longest = slices.Max(ss.limiter.rules.Windows())
		storage := c.RateLimit.Storage
		if storage == "" && c.SecondaryStorage != nil {
			storage = RateLimitSecondaryStorage
		}
		switch storage {
		case "", RateLimitMemory:
		case RateLimitDatabase:
			db, ok := store.As[store.RateLimitStore](c.Database)
			if !ok {
				return nil, configError("RateLimit.Storage %q needs a Database with Better Auth's rateLimit table (store.RateLimitStore; sqlstore has it)", storage)
			}
			ss.limiter.db = db
		case RateLimitSecondaryStorage:
			if c.SecondaryStorage == nil {
				return nil, configError("RateLimit.Storage %q needs Config.SecondaryStorage", storage)
			}
			ss.limiter.kv = c.SecondaryStorage
		default:
			return nil, configError("RateLimit.Storage %q: want %q, %q or %q", storage, RateLimitMemory, RateLimitDatabase, RateLimitSecondaryStorage)
		}
	}
	ss.linking, ss.encryptOAuth = c.AccountLinking, c.EncryptOAuthTokens
	ss.user, ss.sessFields, ss.deferRefresh = c.User, c.Session.AdditionalFields, c.Session.DeferRefresh
	ss.user.DeleteUser.DeleteTokenExpiresIn = orDefault(ss.user.DeleteUser.DeleteTokenExpiresIn, 24*time.Hour)
	if ss.user.DeleteUser.DeleteTokenExpiresIn < time.Second {
		return nil, configError("User.DeleteUser.DeleteTokenExpiresIn must be at least 1s")
	}
	if ss.user.DeleteUser.SendDeleteAccountVerification && c.Mailer == nil {
		return nil, configError("User.DeleteUser.SendDeleteAccountVerification needs a Mailer")
	}
	for table, fields := range map[string]map[string]AdditionalField{"user": c.User.AdditionalFields, "session": c.Session.AdditionalFields} {
		for name, f := range fields {
			if err := f.check(table, name); err != nil {
				return nil, err
			}
		}
	}
	ss.providers = map[string]Provider{}
	for i, p := range c.SocialProviders {
		if p == nil {
			return nil, configError("SocialProviders[%d] is nil", i)
		}
		id := p.ID()
		if id == "" || id == "credential" || strings.ContainsAny(id, "/?#%\\ \t\r\n") {
			return nil, configError("SocialProviders[%d]: provider id %q is empty, reserved or not URL-path safe", i, id)
		}
		if ss.providers[id] != nil {
			return nil, configError("SocialProviders: provider id %q appears twice", id)
		}
		ss.providers[id] = p
	}
	for _, id := range c.AccountLinking.TrustedProviders {
		if id == "" {
			return nil, configError("AccountLinking.TrustedProviders: empty provider id")
		}
	}
	return ss, nil
}

// pluginRules are the plugins' rate-limit rules, in plugin order.
func (c *Config) pluginRules() []RateLimitRule {
	var rules []RateLimitRule
	for _, p := range c.Plugins {
		rules = append(rules, p.RateLimit...)
	}
	return rules
}

// String describes a rate limit rule, for errors and logs.
func (r RateLimitRule) String() string {
	return fmt.Sprintf("%s: %d per %v", r.Prefix, r.Max, r.Window)
}
