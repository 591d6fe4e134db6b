package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// The environment variables [ConfigFromEnv] reads. Each is listed, with an example, in the repository README.
const (
	EnvBaseURL     = "BETTER_AUTH_URL"         // Config.BaseURL (required)
	EnvSecret      = "BETTER_AUTH_SECRET"      // Config.Secret
	EnvBasePath    = "BETTER_AUTH_BASE_PATH"   // Config.BasePath
	EnvJWKSURL     = "BETTER_AUTH_JWKS_URL"    // Config.JWKSURL
	EnvIssuers     = "BETTER_AUTH_ISSUERS"     // Config.Issuers, comma-separated
	EnvAudiences   = "BETTER_AUTH_AUDIENCES"   // Config.Audiences, comma-separated
	EnvAlgorithms  = "BETTER_AUTH_ALGORITHMS"  // Config.Algorithms, comma-separated
	EnvAcceptHS256 = "BETTER_AUTH_HS256"       // Config.AcceptHS256: "true" or "false"
	EnvLeeway      = "BETTER_AUTH_LEEWAY"      // ExpLeeway, NotBeforeLeeway and IssuedAtLeeway, e.g. "30s"
	EnvTokenCache  = "BETTER_AUTH_TOKEN_CACHE" // Config.TokenCacheSize

	EnvRawSessionTokens = "BETTER_AUTH_BEARER_RAW_TOKENS" // Config.AcceptRawSessionTokens: "true" or "false"
	EnvMaxSessionAge    = "BETTER_AUTH_MAX_SESSION_AGE"   // Config.MaxSessionAge, e.g. "720h" (default: no limit)

	EnvSecrets       = "BETTER_AUTH_SECRETS"              // Config.Secrets: "<version>:<secret>,…", current first
	EnvCookiePrefix  = "BETTER_AUTH_COOKIE_PREFIX"        // Config.Cookies.Prefix
	EnvSecureCookies = "BETTER_AUTH_SECURE_COOKIES"       // Config.Cookies.Secure: "true" or "false" (default: BaseURL is https)
	EnvCookieCache   = "BETTER_AUTH_COOKIE_CACHE"         // Config.CookieCache.Strategy: compact, jwt, jwe or jwt-plugin
	EnvCacheVersion  = "BETTER_AUTH_COOKIE_CACHE_VERSION" // Config.CookieCache.Version

	// The session store, read by storeurl.ConfigFromEnv and storeurl.FromEnv; ConfigFromEnv refuses them.
	EnvDatabaseURL   = "DATABASE_URL"                 // Config.Store: sqlite:PATH, postgres://…, mysql://…, https://… (remote)
	EnvRedisURL      = "REDIS_URL"                    // Config.Store when DATABASE_URL is unset: Better Auth's secondary storage
	EnvStoreCacheTTL = "GOBETTERAUTH_STORE_CACHE_TTL" // in-process cache of found sessions, e.g. "5s"; "0" turns it off (default: off, 5s for a remote store)

	// The session store's outage settings (store.Outage), read by storeurl.ConfigFromEnv.
	EnvStoreBreakerFailures = "GOBETTERAUTH_STORE_BREAKER_FAILURES" // Outage.Failures: consecutive failures that open the breaker (default 5; negative: off)
	EnvStoreBreakerOpenFor  = "GOBETTERAUTH_STORE_BREAKER_OPEN_FOR" // Outage.OpenFor: how long it stays open before a probe, e.g. "5s" (default 5s)
	EnvStoreMaxWaiting      = "GOBETTERAUTH_STORE_MAX_WAITING"      // Outage.MaxWaiting: lookups waiting on the store at once (default 64; negative: no bound)
)

// ConfigFromEnv builds a Config from the environment variables named by the Env constants. Unset variables
// leave their fields at the zero value (the default); a malformed value is an error. Its Logger is
// [slog.Default], so credentials refused because the JWKS or the store cannot be reached are logged (at
// warn, at most one line per [UnavailableLogInterval] with the cause).
//
// Package auth links no database or Redis driver, so ConfigFromEnv opens no session store. When DATABASE_URL
// or REDIS_URL is set it returns the Config it read (without a Store) and an error wrapping [ErrStoreInEnv]
// rather than a Config that would silently accept JWTs only: use storeurl.ConfigFromEnv or storeurl.FromEnv
// (package github.com/gobetterauth/gobetterauth/core/store/storeurl), which open that store, or unset the
// variable for JWTs only.
func ConfigFromEnv() (Config, error) {
	c := Config{
		BaseURL:  os.Getenv(EnvBaseURL),
		Secret:   Secret(os.Getenv(EnvSecret)),
		BasePath: os.Getenv(EnvBasePath),
		JWKSURL:  os.Getenv(EnvJWKSURL),
		Logger:   slog.Default(),
	}
	c.Issuers = list(EnvIssuers)
	c.Audiences = list(EnvAudiences)
	c.Algorithms = list(EnvAlgorithms)
	if v := os.Getenv(EnvAcceptHS256); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, configError("%s=%q is not a boolean", EnvAcceptHS256, v)
		}
		c.AcceptHS256 = b
	}
	if v := os.Getenv(EnvRawSessionTokens); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, configError("%s=%q is not a boolean", EnvRawSessionTokens, v)
		}
		c.AcceptRawSessionTokens = b
	}
	if v := os.Getenv(EnvMaxSessionAge); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, configError("%s=%q is not a non-negative duration", EnvMaxSessionAge, v)
		}
		c.MaxSessionAge = d
	}
	if v := os.Getenv(EnvLeeway); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, configError("%s=%q is not a duration", EnvLeeway, v)
		}
		if d == 0 {
			d = NoLeeway
		}
		c.ExpLeeway, c.NotBeforeLeeway, c.IssuedAtLeeway = d, d, d
	}
	if v := os.Getenv(EnvSecrets); v != "" {
		for i, e := range strings.Split(v, ",") {
			ver, val, ok := strings.Cut(strings.TrimSpace(e), ":")
			n, err := strconv.Atoi(ver)
			if !ok || err != nil {
				return c, configError("%s: entry %d is not <version>:<secret>", EnvSecrets, i+1)
			}
			c.Secrets = append(c.Secrets, VersionedSecret{Version: n, Value: Secret(val)})
		}
	}
	c.Cookies.Prefix = os.Getenv(EnvCookiePrefix)
	if v := os.Getenv(EnvSecureCookies); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, configError("%s=%q is not a boolean", EnvSecureCookies, v)
		}
		c.Cookies.Secure = SecureOff
		if b {
			c.Cookies.Secure = SecureOn
		}
	}
	c.CookieCache.Strategy = CacheStrategy(os.Getenv(EnvCookieCache))
	c.CookieCache.Version = os.Getenv(EnvCacheVersion)
	if v := os.Getenv(EnvTokenCache); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, configError("%s=%q is not an integer", EnvTokenCache, v)
		}
		c.TokenCacheSize = n
	}
	for _, name := range []string{EnvDatabaseURL, EnvRedisURL} {
		if os.Getenv(name) != "" {
			return c, fmt.Errorf("%w: %s is set, but package auth opens no store: use storeurl.FromEnv or storeurl.ConfigFromEnv "+
				"(github.com/gobetterauth/gobetterauth/core/store/storeurl), or unset %s to accept JWTs only", ErrStoreInEnv, name, name)
		}
	}
	return c, nil
}

// FromEnv is [New] with the Config from [ConfigFromEnv]. It opens no session store: when DATABASE_URL or
// REDIS_URL is set it fails with [ErrStoreInEnv]; storeurl.FromEnv opens that store (and links its drivers).
func FromEnv() (*Auth, error) {
	c, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	a, err := New(c)
	if err != nil {
		return nil, EnvError(err)
	}
	return a, nil
}

// envFields maps the Config fields [New]'s errors name to the variables [ConfigFromEnv] reads them from,
// with what to do about a bad value.
var envFields = map[string]struct{ env, fix string }{
	"BaseURL": {EnvBaseURL, "set it to the URL browsers use for your Better Auth server, as its own " +
		"BETTER_AUTH_URL (e.g. " + EnvBaseURL + "=http://localhost:3000)"},
	"BasePath": {EnvBasePath, "set it to the server's basePath (Better Auth's default: /api/auth), or unset it"},
	"Secret":   {EnvSecret, "set it to the Better Auth server's secret; for a new one, run `gobetterauth secret generate`"},
	"Secrets": {EnvSecrets, "write <version>:<secret> entries, current first, as the Better Auth server's " +
		"BETTER_AUTH_SECRETS; for a new secret, run `gobetterauth secret generate --version N`"},
	"Issuers":     {EnvIssuers, "list the iss values the server's JWT plugin writes, comma-separated, or unset it"},
	"Audiences":   {EnvAudiences, "list the aud values the server's JWT plugin writes, comma-separated, or unset it"},
	"Cookies":     {EnvCookiePrefix, "set it to the server's advanced.cookiePrefix, or unset it (better-auth)"},
	"CookieCache": {EnvCookieCache, "set it to the server's session.cookieCache strategy (compact, jwt, jwe or jwt-plugin), with " + EnvSecret + " for the first three"},
	"Store": {EnvSecret, "a session store (" + EnvDatabaseURL + " or " + EnvRedisURL + ") checks session cookies, " +
		"which are signed with the server's secret: set " + EnvSecret + " to it, or unset the store's variable to accept JWTs only"},
	"AcceptHS256": {EnvSecret, EnvAcceptHS256 + " checks HS256 tokens with the server's secret: set " + EnvSecret + " to it"},
	"JWKSURL":     {EnvJWKSURL, "set it to the server's JWKS (https, or http on localhost), or unset it for <BETTER_AUTH_URL>/jwks"},
}

// EnvError rewrites an error of [New] for a Config built by [ConfigFromEnv]: when it is about one field,
// the message names the environment variable the user set instead of the Go field, and ends with what to
// do. It never adds a secret's value. Other errors get " (configured from the environment)". It returns
// nil for nil. storeurl.FromEnv uses it too.
func EnvError(err error) error {
	if err == nil {
		return nil
	}
	var fe *fieldError
	if !errors.As(err, &fe) {
		return fmt.Errorf("%w (configured from the environment)", err)
	}
	m, ok := envFields[fe.field]
	if !ok {
		return fmt.Errorf("%w (configured from the environment)", err)
	}
	env, msg := m.env, fe.msg
	switch fe.field {
	case "Store":
		msg = "a session store is set but " + EnvSecret + " is not"
	case "AcceptHS256":
		msg = EnvAcceptHS256 + " is true but " + EnvSecret + " is not set"
	case "JWKSURL":
		if os.Getenv(EnvJWKSURL) == "" { // derived from BaseURL
			env = EnvBaseURL
			msg = strings.Replace(msg, "JWKSURL", EnvBaseURL+"'s JWKS", 1)
			m.fix = "use https in " + EnvBaseURL + " (plain http is for localhost only)"
			break
		}
		msg = strings.Replace(msg, "JWKSURL", env, 1)
	case "Secrets":
		msg = strings.Replace(msg, "Secrets[", env+" entry [", 1)
	case "Cookies":
		msg = env + ": " + msg
	case "CookieCache":
		msg = strings.Replace(strings.Replace(msg, "CookieCache.Strategy", env, 1), "CookieCache strategy", env, 1)
	default:
		msg = strings.Replace(msg, fe.field, env, 1)
	}
	if fe.field == "BaseURL" && strings.HasSuffix(msg, "is required") {
		msg = env + " is not set"
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, msg, m.fix)
}

func list(name string) []string {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
