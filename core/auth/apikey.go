package auth

import (
	"context"
	"errors"
	"net/textproto"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// APIKey is a key of Better Auth's api-key plugin, as its apikey row holds it.
type APIKey = store.APIKey

// APIKeyConfig turns on API keys issued by Better Auth's api-key plugin (@better-auth/api-key 1.7.21):
// a request carrying one of Headers is authenticated by its key, checked and counted against the same
// rows the plugin uses, exactly as the plugin's verifyApiKey does.
//
// Where the plugin writes, the verifier writes too, with the same guarded updates (remaining > 0,
// requestCount < max, the observed lastRefillAt), so Go and Node services verifying the same key share one
// budget and one rate-limit window and never count past either. Unlike the plugin, the verifier never
// deletes a key (the plugin deletes expired and used-up keys when it meets them): it refuses them with the
// same code.
type APIKeyConfig struct {
	// Store reads and updates the keys: sqlstore.Store (the apikey table), or redisstore.APIKeys for the
	// plugin's storage: "secondary-storage" (with or without fallbackToDatabase). Required. It must be
	// able to write: a store reporting itself read-only ([store.ReadOnlyReporter]) is refused by New.
	Store store.APIKeyStore

	// Headers are the headers a key is read from, in order: the first one present is used, as the
	// plugin's apiKeyHeaders. Nil means "x-api-key". A key is never read from the query string.
	Headers []string

	// MinLength refuses shorter keys without a lookup, as the plugin's session hook does with
	// defaultKeyLength. Zero means 64, the plugin's default.
	MinLength int

	// MaxLength refuses longer keys without a lookup. Zero means 512.
	MaxLength int

	// ConfigID is the plugin configuration whose keys are accepted (its configId). Empty means the default
	// configuration, which also takes keys created before configId existed.
	ConfigID string

	// DisableKeyHashing says the plugin runs with disableKeyHashing: the key column holds keys as they are.
	// It MUST NOT be set otherwise: a database leak would then hand out working keys.
	DisableKeyHashing bool

	// DisableRateLimit is the plugin's rateLimit.enabled = false: keys are not rate limited (lastRequest is
	// still recorded, as the plugin does).
	DisableRateLimit bool

	// CacheTTL, when positive, keeps the key owners' user rows for this long (at most [store.MaxCacheTTL];
	// a longer value is lowered to it), so a verification reads the key and writes its use but skips the
	// user read. Zero, the default, turns the cache off.
	//
	// Only the user row is cached, never the key row: every verification writes the key's row (updatedAt,
	// and lastRequest, requestCount and remaining when they count), exactly as the plugin does, and the
	// checks must see the row they write, so a disabled, deleted, expired or used-up key is refused at once
	// whatever CacheTTL is. The trade-off is on the owner: a ban (or unban) or the deletion of the user is
	// seen up to CacheTTL late on the API-key path. An expiring ban still ends on time: banExpires is
	// compared with the clock on every request. Found users only are cached (at most
	// [store.DefaultCacheEntries], random eviction when full); a missing user or a store failure is asked
	// again next time.
	CacheTTL time.Duration
}

// apiKeySettings are the validated APIKeyConfig.
type apiKeySettings struct {
	store           store.APIKeyStore
	headers         []string // canonical MIME header names
	min, max        int
	configID        string
	noHash, noLimit bool
	cacheTTL        time.Duration
	users           *ttlcache.Cache[string, *store.User] // nil: no cache
}

func (c *APIKeyConfig) validate() (*apiKeySettings, error) {
	if c.Store == nil {
		return nil, configError("APIKeys.Store is required")
	}
	if ro, ok := c.Store.(store.ReadOnlyReporter); ok {
		if err := ro.ReadOnly(); err != nil {
			return nil, configError("APIKeys.Store cannot count the keys' uses: %w", err)
		}
	}
	if c.CacheTTL < 0 {
		return nil, configError("APIKeys.CacheTTL must not be negative")
	}
	if c.MinLength < 0 || c.MaxLength < 0 {
		return nil, configError("APIKeys.MinLength and MaxLength must not be negative")
	}
	s := &apiKeySettings{store: c.Store, min: orDefault(c.MinLength, betterauth.DefaultAPIKeyLength),
		max: orDefault(c.MaxLength, 512), configID: c.ConfigID, noHash: c.DisableKeyHashing, noLimit: c.DisableRateLimit}
	if c.CacheTTL > 0 {
		s.cacheTTL = min(c.CacheTTL, store.MaxCacheTTL)
		s.users = ttlcache.New[string, *store.User](store.DefaultCacheEntries)
	}
	if s.min > s.max {
		return nil, configError("APIKeys.MinLength %d is above MaxLength %d", s.min, s.max)
	}
	hs := c.Headers
	if hs == nil {
		hs = []string{betterauth.DefaultAPIKeyHeader}
	}
	if len(hs) == 0 {
		return nil, configError("APIKeys.Headers is empty; use nil for x-api-key")
	}
	for _, h := range hs {
		if !validHeaderName(h) {
			return nil, configError("APIKeys.Headers: %q is not a header name", h)
		}
		switch textproto.CanonicalMIMEHeaderKey(h) {
		case "Authorization", "Cookie":
			return nil, configError("APIKeys.Headers: %q carries other credentials", h)
		}
		s.headers = append(s.headers, textproto.CanonicalMIMEHeaderKey(h))
	}
	return s, nil
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(isUnreserved(c) && c != '~' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' ||
			c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~') {
			return false
		}
	}
	return true
}

// APIKeyHeaders returns the canonical names of the headers API keys are read from, or nil when API keys
// are off. Adapters for frameworks that reuse memory copy these headers into [Request].Header.
func (a *Auth) APIKeyHeaders() []string {
	if a.s.apiKeys == nil {
		return nil
	}
	return a.s.apiKeys.headers
}

// APIKeyError is an API key refused for a reason Better Auth's api-key plugin names: Code and Message are
// the plugin's. It matches [ErrInvalidToken] (401: unknown, disabled, or its owner is gone), [ErrExpired]
// (401: KEY_EXPIRED), [ErrTooManyRequests] (429: USAGE_EXCEEDED, RATE_LIMITED) or [ErrForbidden] (403: the
// key lacks a permission the route requires, which the plugin answers KEY_NOT_FOUND).
type APIKeyError struct {
	// Code is the plugin's error code, e.g. "KEY_DISABLED".
	Code string
	// Message is the plugin's message for it.
	Message string
	// RetryAfter is when to try again, for RATE_LIMITED (the plugin's tryAgainIn) and for a used-up key that
	// refills; 0 when unknown.
	RetryAfter time.Duration

	kind error
}

// Error implements error.
func (e *APIKeyError) Error() string { return "auth: api key refused: " + e.Code }

// Is makes errors.Is match the error's category.
func (e *APIKeyError) Is(target error) bool { return target == e.kind }

var (
	errKeyInvalid   = &APIKeyError{Code: betterauth.CodeInvalidAPIKey, Message: betterauth.MessageInvalidAPIKey, kind: ErrInvalidToken}
	errKeyDisabled  = &APIKeyError{Code: betterauth.CodeKeyDisabled, Message: betterauth.MessageKeyDisabled, kind: ErrInvalidToken}
	errKeyExpired   = &APIKeyError{Code: betterauth.CodeKeyExpired, Message: betterauth.MessageKeyExpired, kind: ErrExpired}
	errKeyNoPerm    = &APIKeyError{Code: betterauth.CodeKeyNotFound, Message: betterauth.MessageKeyNotFound, kind: ErrForbidden}
	errKeyReference = &APIKeyError{Code: betterauth.CodeInvalidReferenceID, Message: betterauth.MessageInvalidReferenceID, kind: ErrInvalidToken}
	errKeyAmbiguous = invalid("API key header sent more than once")
)

func usageExceeded(retry time.Duration) error {
	return &APIKeyError{Code: betterauth.CodeUsageExceeded, Message: betterauth.MessageUsageExceeded, RetryAfter: retry, kind: ErrTooManyRequests}
}

func rateLimited(retry time.Duration) error {
	return &APIKeyError{Code: betterauth.CodeRateLimited, Message: betterauth.MessageRateLimited, RetryAfter: retry, kind: ErrTooManyRequests}
}

// apiKeyValue returns the key r carries in the first configured header present, "" when none.
func (a *Auth) apiKeyValue(r *Request) (string, error) {
	if a.s.apiKeys == nil || r.Header == nil {
		return "", nil
	}
	for _, h := range a.s.apiKeys.headers {
		switch vs := r.Header[h]; len(vs) {
		case 0:
		case 1:
			if vs[0] != "" {
				return vs[0], nil
			}
		default:
			return "", errKeyAmbiguous
		}
	}
	return "", nil
}

// apiKeySession verifies key as the plugin's validateApiKey does (betterauth.ValidateAPIKey, in its
// order: found, configuration, enabled, not expired, the required permissions, uses left, refilled when
// due, the rate limit); then it loads the key's user. A banned owner is refused, where the plugin still
// accepts the key. Unlike the plugin, it never deletes an expired or used-up key.
func (a *Auth) apiKeySession(ctx context.Context, key string, perms map[string][]string) (*Session, error) {
	cfg := a.s.apiKeys
	if len(key) < cfg.min || len(key) > cfg.max {
		return nil, errKeyInvalid
	}
	stored := key
	if !cfg.noHash {
		stored = betterauth.HashAPIKey(key)
	}
	now := a.s.now()
	k, refusal, err := betterauth.ValidateAPIKey(ctx, betterauth.APIKeyCheck{Store: cfg.store, Stored: stored,
		CheckConfigID: true, ConfigID: cfg.configID, Permissions: perms, NoRateLimit: cfg.noLimit, Now: now})
	switch {
	case errors.Is(err, betterauth.ErrAPIKeyContention):
		return nil, &UnavailableError{RetryAfter: time.Second, Err: err}
	case err != nil:
		return nil, &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	case refusal != nil:
		return nil, keyRefusal(refusal)
	}
	u, err := cfg.user(ctx, k.ReferenceID, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errKeyReference
	case err != nil:
		return nil, &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	case betterauth.Banned(u, now):
		return nil, ErrBanned
	}
	return &Session{User: *u, APIKey: k, Credential: CredentialAPIKey}, nil
}

// user loads the key's owner, from the cache when CacheTTL turned it on. The cached row is shared:
// the session takes a copy of it, whose Additional map callers treat as read-only.
func (cfg *apiKeySettings) user(ctx context.Context, id string, now time.Time) (*store.User, error) {
	if cfg.users == nil {
		return cfg.store.UserByID(ctx, id)
	}
	if u, ok := cfg.users.Get(id, now); ok {
		return u, nil
	}
	u, err := cfg.store.UserByID(ctx, id)
	if err == nil {
		cfg.users.Put(id, u, now.Add(cfg.cacheTTL), now)
	}
	return u, err
}

// keyRefusal is the verifier's error for a refusal of betterauth.ValidateAPIKey.
func keyRefusal(r *betterauth.APIKeyRefusal) error {
	switch r.Code {
	case betterauth.CodeKeyDisabled:
		return errKeyDisabled
	case betterauth.CodeKeyExpired:
		return errKeyExpired
	case betterauth.CodeKeyNotFound:
		return errKeyNoPerm
	case betterauth.CodeUsageExceeded:
		return usageExceeded(r.RetryAfter)
	case betterauth.CodeRateLimited:
		return rateLimited(r.RetryAfter)
	}
	return errKeyInvalid
}

// APIKeyPermissions returns the permissions of the API key that authenticated s, as the plugin reads
// its permissions column (lists of actions by resource). ok is false for other credentials and for a key
// without permissions.
func (s *Session) APIKeyPermissions() (perms map[string][]string, ok bool) {
	if s == nil || s.APIKey == nil {
		return nil, false
	}
	r, ok := betterauth.ParseKeyPermissions(s.APIKey.Permissions)
	if !ok {
		return nil, false
	}
	return r.Statements(), true
}

// APIKeyMetadata returns the metadata of the API key that authenticated s, parsed from its metadata column
// as the plugin's verify does (betterauth.ParseAPIKeyMetadata: a JSON object, read strictly and at most
// 64 KiB). ok is false for other credentials and for a key whose metadata is null, not an object, or
// malformed; the plugin answers null there and accepts the key all the same, and so does the verifier.
// Each call parses afresh and returns a map the caller owns. The metadata is never logged: [APIKey]'s
// LogValue leaves it out and it is not marshalled.
func (s *Session) APIKeyMetadata() (md map[string]any, ok bool) {
	if s == nil || s.APIKey == nil {
		return nil, false
	}
	return betterauth.ParseAPIKeyMetadata(s.APIKey.Metadata)
}
