package betterauth

// The api-key plugin's wire details (@better-auth/api-key 1.7.21: src/index.ts defaultKeyHasher and the
// plugin defaults, src/rate-limit.ts evaluateRateLimit, src/error-codes.ts).

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// DefaultAPIKeyHeader is the header the plugin reads keys from (apiKeyHeaders' default).
const DefaultAPIKeyHeader = "x-api-key"

// DefaultAPIKeyLength is the plugin's defaultKeyLength: its session hook refuses shorter keys.
const DefaultAPIKeyLength = 64

// HashAPIKey is the plugin's defaultKeyHasher: SHA-256 of the key's UTF-8 bytes, base64url without
// padding. The apikey table's key column holds it.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// The api-key plugin's error codes and messages (API_KEY_ERROR_CODES) that a verifier answers with.
const (
	CodeInvalidAPIKey           = "INVALID_API_KEY"
	MessageInvalidAPIKey        = "Invalid API key."
	CodeKeyNotFound             = "KEY_NOT_FOUND"
	MessageKeyNotFound          = "API Key not found"
	CodeKeyDisabled             = "KEY_DISABLED"
	MessageKeyDisabled          = "API Key is disabled"
	CodeKeyExpired              = "KEY_EXPIRED"
	MessageKeyExpired           = "API Key has expired"
	CodeUsageExceeded           = "USAGE_EXCEEDED"
	MessageUsageExceeded        = "API Key has reached its usage limit"
	CodeRateLimited             = "RATE_LIMITED" // thrown with RATE_LIMIT_EXCEEDED's message
	MessageRateLimited          = "Rate limit exceeded."
	CodeInvalidReferenceID      = "INVALID_REFERENCE_ID_FROM_API_KEY"
	MessageInvalidReferenceID   = "The reference id from the API key is invalid."
	CodeUserBanned              = "USER_BANNED"
	MessageUserBanned           = "User is banned"
	CodeFailedToUpdateAPIKey    = "FAILED_TO_UPDATE_API_KEY"
	MessageFailedToUpdateAPIKey = "Failed to update API key"
)

// RateLimitAction is what evaluateRateLimit decides for one request.
type RateLimitAction uint8

// The rate-limit decisions.
const (
	// RateSkip: the key is not rate limited; Touch says whether lastRequest is still set to now.
	RateSkip RateLimitAction = iota + 1
	// RateStart: the first counted request (lastRequest is null): requestCount = 1.
	RateStart
	// RateReset: the window has passed: requestCount = 1.
	RateReset
	// RateIncrement: within the window and below the max: requestCount + 1.
	RateIncrement
	// RateDeny: within the window and at the max.
	RateDeny
)

// RateLimit is the decision of evaluateRateLimit.
type RateLimit struct {
	Action RateLimitAction
	// Touch is set with RateSkip when lastRequest is set to now all the same (rate limiting turned off).
	Touch bool
	// WindowStart is now minus the window, for RateReset and RateIncrement guards.
	WindowStart time.Time
	// Max is rateLimitMax.
	Max int64
	// TryAgainIn is how long until the window ends, for RateDeny: Math.ceil(window - sinceLastRequest) ms.
	TryAgainIn time.Duration
}

// EvaluateRateLimit decides, as the plugin's evaluateRateLimit does, how a request at now counts against
// k's rate limit. pluginDisabled is the plugin's rateLimit.enabled === false.
func EvaluateRateLimit(k *store.APIKey, now time.Time, pluginDisabled bool) RateLimit {
	if pluginDisabled || !k.RateLimitEnabled {
		return RateLimit{Action: RateSkip, Touch: true}
	}
	if k.RateLimitTimeWindow == nil || k.RateLimitMax == nil {
		return RateLimit{Action: RateSkip}
	}
	window := time.Duration(*k.RateLimitTimeWindow) * time.Millisecond
	if k.LastRequest == nil {
		return RateLimit{Action: RateStart}
	}
	since := now.UnixMilli() - k.LastRequest.UnixMilli()
	start := now.Add(-window)
	if since > *k.RateLimitTimeWindow {
		return RateLimit{Action: RateReset, WindowStart: start}
	}
	if k.RequestCount >= *k.RateLimitMax {
		return RateLimit{Action: RateDeny, TryAgainIn: time.Duration(*k.RateLimitTimeWindow-since) * time.Millisecond}
	}
	return RateLimit{Action: RateIncrement, WindowStart: start, Max: *k.RateLimitMax}
}

// RefillDue reports whether consumeRemaining refills k at now: refillInterval and refillAmount set (and
// not 0), and more than refillInterval ms since lastRefillAt (or createdAt when never refilled).
func RefillDue(k *store.APIKey, now time.Time) bool {
	if k.RefillInterval == nil || k.RefillAmount == nil || *k.RefillInterval == 0 || *k.RefillAmount == 0 {
		return false
	}
	last := k.CreatedAt
	if k.LastRefillAt != nil {
		last = *k.LastRefillAt
	}
	return now.UnixMilli()-last.UnixMilli() > *k.RefillInterval
}

// ConfigIDMatches is the plugin's configIdMatches: "" (null) and "default" are the same configuration.
func ConfigIDMatches(keyConfigID, expected string) bool {
	isDefault := func(s string) bool { return s == "" || s == "default" }
	if isDefault(keyConfigID) && isDefault(expected) {
		return true
	}
	return keyConfigID == expected
}

// MaxAPIKeyMetadata bounds the metadata column [ParseAPIKeyMetadata] reads, in bytes. The plugin sets no
// bound; a larger value is read as no metadata.
const MaxAPIKeyMetadata = 64 << 10

// ParseAPIKeyMetadata reads the apikey row's metadata column as the plugin's parseDoubleStringifiedMetadata
// does (safeJSONParse of the column's text), keeping only a JSON object: ok is false for a null (""),
// malformed, oversized or non-object value, where the plugin answers null (or the non-object value) and
// still accepts the key. It is stricter than JSON.parse: duplicate member names at any depth, invalid
// UTF-8, lone surrogates, nesting deeper than strictjson.MaxDepth and objects of more than 256 members are
// refused, so Go never reads the
// metadata differently from Node. Numbers are float64, as in JavaScript; date strings stay strings (Node
// revives ISO dates as Date objects, which serialise back to the same strings).
func ParseAPIKeyMetadata(raw string) (md map[string]any, ok bool) {
	if raw == "" || len(raw) > MaxAPIKeyMetadata {
		return nil, false
	}
	if strictjson.Walk([]byte(raw), func(strictjson.Member) error { return nil }) != nil {
		return nil, false
	}
	if err := json.Unmarshal([]byte(raw), &md); err != nil || md == nil {
		return nil, false
	}
	return md, true
}
