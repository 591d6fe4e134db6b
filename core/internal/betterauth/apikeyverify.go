package betterauth

// The api-key plugin's key checks (@better-auth/api-key 1.7.21 src/routes/verify-api-key.ts validateApiKey,
// claimUsageInDatabase, consumeRemaining, consumeRateLimit), shared by the verifier (package auth) and the
// server's /api-key/verify (package authserver/apikey).

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// APIKeyRefusal is a key validateApiKey refuses: the plugin's code and message, and when to try again
// (RATE_LIMITED's tryAgainIn; a used-up key's next refill), 0 when unknown.
type APIKeyRefusal struct {
	Code, Message string
	RetryAfter    time.Duration
}

// The refusals.
var (
	RefuseInvalid  = &APIKeyRefusal{Code: CodeInvalidAPIKey, Message: MessageInvalidAPIKey}
	RefuseDisabled = &APIKeyRefusal{Code: CodeKeyDisabled, Message: MessageKeyDisabled}
	RefuseExpired  = &APIKeyRefusal{Code: CodeKeyExpired, Message: MessageKeyExpired}
	RefuseNoPerm   = &APIKeyRefusal{Code: CodeKeyNotFound, Message: MessageKeyNotFound}
)

func refuseUsage(retry time.Duration) *APIKeyRefusal {
	return &APIKeyRefusal{Code: CodeUsageExceeded, Message: MessageUsageExceeded, RetryAfter: retry}
}

// ErrAPIKeyContention is a rate-limit update that kept losing races with other verifiers.
var ErrAPIKeyContention = errors.New("auth: api key: rate-limit update kept losing races")

// APIKeyCheck is how [ValidateAPIKey] checks a key.
type APIKeyCheck struct {
	// Store holds the keys.
	Store store.APIKeyStore
	// Stored is the key as the key column holds it (hashed unless disableKeyHashing).
	Stored string
	// CheckConfigID compares the key's configId with ConfigID ("" is the default configuration).
	CheckConfigID bool
	ConfigID      string
	// Permissions, when not nil, must be granted by the key's permissions.
	Permissions map[string][]string
	// NoRateLimit is the plugin's rateLimit.enabled === false.
	NoRateLimit bool
	// Now is the time of the request.
	Now time.Time
}

// maxRateLimitRetries bounds the re-reads after a lost guarded update (the plugin retries without bound).
const maxRateLimitRetries = 8

// ValidateAPIKey checks a key as the plugin's validateApiKey does, in its order: found, configuration,
// enabled, not expired, the permissions, uses left (refilled when due), the rate limit; the uses and the
// rate-limit slot are claimed with guarded updates. It returns the key as it is afterwards, or the
// refusal; err is a store failure (or [ErrAPIKeyContention]). The refused key is returned with
// KEY_EXPIRED and with a used-up key that does not refill (the plugin deletes those).
func ValidateAPIKey(ctx context.Context, c APIKeyCheck) (*store.APIKey, *APIKeyRefusal, error) {
	k, err := c.Store.APIKey(ctx, c.Stored)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, RefuseInvalid, nil
	case err != nil:
		return nil, nil, err
	}
	// The database compared with its collation (case-insensitive in MySQL by default): compare the bytes.
	if subtle.ConstantTimeCompare([]byte(k.Key), []byte(c.Stored)) != 1 || c.CheckConfigID && !ConfigIDMatches(k.ConfigID, c.ConfigID) {
		return nil, RefuseInvalid, nil
	}
	if !k.Enabled {
		return nil, RefuseDisabled, nil
	}
	if k.ExpiresAt != nil && c.Now.UnixMilli() > k.ExpiresAt.UnixMilli() {
		return k, RefuseExpired, nil
	}
	if c.Permissions != nil {
		role, ok := ParseKeyPermissions(k.Permissions)
		if !ok {
			return nil, RefuseNoPerm, nil
		}
		if allowed, _ := role.Authorize(c.Permissions); !allowed {
			return nil, RefuseNoPerm, nil
		}
	}
	if k.Remaining != nil && *k.Remaining == 0 && k.RefillAmount == nil {
		return k, refuseUsage(0), nil
	}
	return claimAPIKey(ctx, c, k)
}

// claimAPIKey is the plugin's claimUsageInDatabase: consume a use when the key counts them, then a
// rate-limit slot, each with a guarded update, then record updatedAt.
func claimAPIKey(ctx context.Context, c APIKeyCheck, k *store.APIKey) (*store.APIKey, *APIKeyRefusal, error) {
	st, now := c.Store, c.Now
	wrote := false
	failed := func(err error) (*store.APIKey, *APIKeyRefusal, error) {
		if errors.Is(err, store.ErrNotFound) {
			return nil, RefuseInvalid, nil
		}
		return nil, nil, err
	}
	if k.Remaining != nil {
		refilled := false
		if RefillDue(k, now) {
			rem := *k.RefillAmount - 1
			row, ok, err := st.UpdateAPIKey(ctx, k.ID, store.APIKeyCond{LastRefillAtIs: true, LastRefillAt: k.LastRefillAt},
				store.APIKeySet{Remaining: &rem, LastRefillAt: &now, UpdatedAt: now})
			if err != nil {
				return failed(err)
			}
			if ok {
				k, refilled, wrote = row, true, true
			}
		}
		if !refilled {
			row, ok, err := st.UpdateAPIKey(ctx, k.ID, store.APIKeyCond{RemainingPositive: true},
				store.APIKeySet{DecrementRemaining: true, UpdatedAt: now})
			if err != nil {
				return failed(err)
			}
			if !ok {
				return nil, refuseUsage(RefillIn(row, now)), nil
			}
			k, wrote = row, true
		}
	}
	for range maxRateLimitRetries {
		d := EvaluateRateLimit(k, now, c.NoRateLimit)
		var cond store.APIKeyCond
		var set store.APIKeySet
		switch d.Action {
		case RateDeny:
			return nil, &APIKeyRefusal{Code: CodeRateLimited, Message: MessageRateLimited, RetryAfter: d.TryAgainIn}, nil
		case RateSkip:
			if !d.Touch {
				if wrote {
					return k, nil, nil
				}
				row, _, err := st.UpdateAPIKey(ctx, k.ID, cond, store.APIKeySet{UpdatedAt: now})
				if err != nil {
					return failed(err)
				}
				return row, nil, nil
			}
			set = store.APIKeySet{LastRequest: &now, UpdatedAt: now}
		case RateIncrement:
			cond = store.APIKeyCond{LastRequestAfter: &d.WindowStart, RequestCountBelow: &d.Max}
			set = store.APIKeySet{IncrementRequestCount: true, LastRequest: &now, UpdatedAt: now}
		case RateReset, RateStart:
			one := int64(1)
			if d.Action == RateReset {
				cond = store.APIKeyCond{LastRequestNotAfter: &d.WindowStart}
			} else {
				cond = store.APIKeyCond{LastRequestNull: true}
			}
			set = store.APIKeySet{RequestCount: &one, LastRequest: &now, UpdatedAt: now}
		}
		row, ok, err := st.UpdateAPIKey(ctx, k.ID, cond, set)
		if err != nil {
			return failed(err)
		}
		if ok || d.Action == RateSkip {
			return row, nil, nil
		}
		k = row // lost the race: decide again on the row as it is now
	}
	return nil, nil, fmt.Errorf("%w (key %s)", ErrAPIKeyContention, k.ID)
}

// RefillIn is how long until k's next refill, or 0 when it does not refill.
func RefillIn(k *store.APIKey, now time.Time) time.Duration {
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
