package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
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
}

// apiKeySettings are the validated APIKeyConfig.
type apiKeySettings struct {
	store           store.APIKeyStore
	headers         []string // canonical MIME header names
	min, max        int
	configID        string
	noHash, noLimit bool
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
	if c.MinLength < 0 || c.MaxLength < 0 {
		return nil, configError("APIKeys.MinLength and MaxLength must not be negative")
	}
	s := &apiKeySettings{store: c.Store, min: orDefault(c.MinLength, betterauth.DefaultAPIKeyLength),
		max: orDefault(c.MaxLength, 512), configID: c.ConfigID, noHash: c.DisableKeyHashing, noLimit: c.DisableRateLimit}
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

// maxRateLimitRetries bounds the re-reads after a lost guarded update (the plugin retries without bound).
const maxRateLimitRetries = 8

// apiKeySession verifies key as the plugin's validateApiKey does, in its order: found, configuration,
// enabled, not expired, the required permissions, uses left (refilled when due), the rate limit; then it
// loads the key's user. A banned owner is refused, where the plugin still accepts the key.
func (a *Auth) apiKeySession(ctx context.Context, key string, perms map[string][]string) (*Session, error) {
	cfg := a.s.apiKeys
	if len(key) < cfg.min || len(key) > cfg.max {
		return nil, errKeyInvalid
	}
	stored := key
	if !cfg.noHash {
		stored = betterauth.HashAPIKey(key)
	}
	k, err := cfg.store.APIKey(ctx, stored)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errKeyInvalid
	case err != nil:
		return nil, &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	}
	// The database compared with its collation (case-insensitive in MySQL by default): compare the bytes.
	if subtle.ConstantTimeCompare([]byte(k.Key), []byte(stored)) != 1 || !betterauth.ConfigIDMatches(k.ConfigID, cfg.configID) {
		return nil, errKeyInvalid
	}
	now := a.s.now()
	if !k.Enabled {
		return nil, errKeyDisabled
	}
	if k.ExpiresAt != nil && now.UnixMilli() > k.ExpiresAt.UnixMilli() {
		return nil, errKeyExpired
	}
	if perms != nil {
		role, ok := betterauth.ParseKeyPermissions(k.Permissions)
		if !ok {
			return nil, errKeyNoPerm
		}
		if allowed, _ := role.Authorize(perms); !allowed {
			return nil, errKeyNoPerm
		}
	}
	if k.Remaining != nil && *k.Remaining == 0 && k.RefillAmount == nil {
		return nil, usageExceeded(0)
	}
	if k, err = a.claimAPIKey(ctx, k, now); err != nil {
		return nil, err
	}
	u, err := cfg.store.UserByID(ctx, k.ReferenceID)
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

// claimAPIKey is the plugin's claimUsageInDatabase: consume a use when the key counts them, then a
// rate-limit slot, each with a guarded update, then record updatedAt.
func (a *Auth) claimAPIKey(ctx context.Context, k *APIKey, now time.Time) (*APIKey, error) {
	st := a.s.apiKeys.store
	wrote := false
	unavailable := func(err error) error {
		if errors.Is(err, store.ErrNotFound) {
			return errKeyInvalid
		}
		return &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	}
	if k.Remaining != nil {
		refilled := false
		if betterauth.RefillDue(k, now) {
			rem := *k.RefillAmount - 1
			row, ok, err := st.UpdateAPIKey(ctx, k.ID, store.APIKeyCond{LastRefillAtIs: true, LastRefillAt: k.LastRefillAt},
				store.APIKeySet{Remaining: &rem, LastRefillAt: &now, UpdatedAt: now})
			if err != nil {
				return nil, unavailable(err)
			}
			if ok {
				k, refilled, wrote = row, true, true
			}
		}
		if !refilled {
			row, ok, err := st.UpdateAPIKey(ctx, k.ID, store.APIKeyCond{RemainingPositive: true},
				store.APIKeySet{DecrementRemaining: true, UpdatedAt: now})
			if err != nil {
				return nil, unavailable(err)
			}
			if !ok {
				return nil, usageExceeded(refillIn(row, now))
			}
			k, wrote = row, true
		}
	}
	for range maxRateLimitRetries {
		d := betterauth.EvaluateRateLimit(k, now, a.s.apiKeys.noLimit)
		var cond store.APIKeyCond
		var set store.APIKeySet
		switch d.Action {
		case betterauth.RateDeny:
			return nil, rateLimited(d.TryAgainIn)
		case betterauth.RateSkip:
			if !d.Touch {
				if wrote {
					return k, nil
				}
				row, _, err := st.UpdateAPIKey(ctx, k.ID, cond, store.APIKeySet{UpdatedAt: now})
				if err != nil {
					return nil, unavailable(err)
				}
				return row, nil
			}
			set = store.APIKeySet{LastRequest: &now, UpdatedAt: now}
		case betterauth.RateIncrement:
			cond = store.APIKeyCond{LastRequestAfter: &d.WindowStart, RequestCountBelow: &d.Max}
			set = store.APIKeySet{IncrementRequestCount: true, LastRequest: &now, UpdatedAt: now}
		case betterauth.RateReset, betterauth.RateStart:
			one := int64(1)
			if d.Action == betterauth.RateReset {
				cond = store.APIKeyCond{LastRequestNotAfter: &d.WindowStart}
			} else {
				cond = store.APIKeyCond{LastRequestNull: true}
			}
			set = store.APIKeySet{RequestCount: &one, LastRequest: &now, UpdatedAt: now}
		}
		row, ok, err := st.UpdateAPIKey(ctx, k.ID, cond, set)
		if err != nil {
			return nil, unavailable(err)
		}
		if ok || d.Action == betterauth.RateSkip {
			return row, nil
		}
		k = row // lost the race: decide again on the row as it is now
	}
	return nil, &UnavailableError{RetryAfter: time.Second, Err: fmt.Errorf("api key %s: rate-limit update kept losing races", k.ID)}
}

// refillIn is how long until k's next refill, or 0 when it does not refill.
func refillIn(k *APIKey, now time.Time) time.Duration {
	if k == nil || k.RefillInterval == nil || k.RefillAmount == nil || *k.RefillAmount == 0 {
		return 0
	}
	last := k.CreatedAt
	if k.LastRefillAt != nil {
		last = *k.LastRefillAt
	}
	d := last.Add(time.Duration(*k.RefillInterval)*time.Millisecond + time.Millisecond).Sub(now)
	return max(d, 0)
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
