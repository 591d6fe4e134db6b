package apikey

// Sessions from API keys (@better-auth/api-key 1.7.21 src/index.ts: hooks.before, getApiKeyFromConfig,
// enableSessionForAPIKeys) and the plugin's sweep of expired keys (deleteAllExpiredApiKeys).

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// sweepEvery is how often the endpoints delete expired keys at most (the plugin's lastChecked, 10 s).
const sweepEvery = 10 * time.Second

// sweeper runs deleteAllExpiredApiKeys at most once every sweepEvery.
type sweeper struct {
	mu   sync.Mutex
	last time.Time
}

// sweep deletes every expired key, unless the last sweep was less than sweepEvery ago, as the plugin's
// endpoints do after their work; a failure is logged, never answered, as there.
func (k *Keys) sweep(ctx context.Context, log func(msg string, args ...any)) {
	now := k.cfg.Now()
	k.sweeps.mu.Lock()
	if !k.sweeps.last.IsZero() && now.Sub(k.sweeps.last) < sweepEvery {
		k.sweeps.mu.Unlock()
		return
	}
	k.sweeps.last = now
	k.sweeps.mu.Unlock()
	if _, err := k.db.DeleteExpiredAPIKeys(ctx, now); err != nil {
		log("auth: apikey: failed to delete expired API keys", "err", err)
	}
}

// headerKey is getApiKeyFromConfig: the value of the first of the configured headers that has one
// (Headers.get joins repeated headers with ", "), "" when none does.
func (k *Keys) headerKey(h http.Header) string {
	for _, name := range k.cfg.APIKeyHeaders {
		if v := strings.Join(h.Values(name), ", "); v != "" {
			return v
		}
	}
	return ""
}

// check is validateApiKey for the server: betterauth.ValidateAPIKey, and the deletion of a key refused
// for having expired or being used up for good, as the plugin deletes them.
func (k *Keys) check(ctx context.Context, key string, permissions map[string][]string, now time.Time) (*store.APIKey, *betterauth.APIKeyRefusal, error) {
	row, refusal, err := betterauth.ValidateAPIKey(ctx, betterauth.APIKeyCheck{Store: k.db, Stored: betterauth.HashAPIKey(key),
		Permissions: permissions, NoRateLimit: k.cfg.DisableRateLimit, Now: now})
	if err != nil {
		return nil, nil, err
	}
	if refusal != nil && row != nil {
		if err := k.db.DeleteAPIKey(ctx, row.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
	}
	return row, refusal, err
}

// refusalError is the error validateApiKey throws for a refusal: 401 with the code, 429 for a used-up
// key, and 429 with {"details":{"tryAgainIn":ms}} for the key's rate limit. That last answer has a body an
// APIError cannot carry, so it travels as a Challenge, whose status and body are written as they are.
func refusalError(r *betterauth.APIKeyRefusal) error {
	switch r.Code {
	case betterauth.CodeUsageExceeded:
		return &authserver.APIError{Status: http.StatusTooManyRequests, Code: r.Code, Message: r.Message}
	case betterauth.CodeRateLimited:
		return &authserver.Challenge{Status: http.StatusTooManyRequests, Body: map[string]any{"message": r.Message,
			"code": r.Code, "details": map[string]any{"tryAgainIn": r.RetryAfter.Milliseconds()}}}
	}
	return &authserver.APIError{Status: http.StatusUnauthorized, Code: r.Code, Message: r.Message}
}

// keySession is the session Better Auth builds for a request carrying a key: the key's id, the key itself
// as the token, the request's user agent and address, created now, expiring with the key (or after
// DefaultSessionLifetime). It is in no session table.
type keySession struct {
	ID        string  `json:"id"`
	Token     string  `json:"token"`
	UserID    string  `json:"userId"`
	UserAgent *string `json:"userAgent"`
	IPAddress *string `json:"ipAddress"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
	ExpiresAt string  `json:"expiresAt"`
}

// sessionFromKey is the plugin's before hook when EnableSessionForAPIKeys is on: a request with a key in
// one of APIKeyHeaders is signed in as the key's owner for this request only. /get-session answers that
// session at once; on other endpoints it is the request's session ([authserver.Context.Session]), which
// the sensitive endpoints do not take (they read the session cookie again, as Better Auth's do). The key is
// checked and counted as /api-key/verify does; a short key is 403 INVALID_API_KEY before any lookup, a
// refused one the refusal (401 KEY_EXPIRED, 429 RATE_LIMITED, …), a key whose owner is gone 401
// INVALID_REFERENCE_ID_FROM_API_KEY.
//
// Unlike the plugin, a key whose owner is banned (the admin plugin's ban, not expired) is refused with the
// plugin's 401 USER_BANNED: this server gives a banned user no session from any path.
func (k *Keys) sessionFromKey(x *authserver.Context) error {
	key := k.headerKey(x.Request().Header)
	if key == "" {
		return nil
	}
	if len(utf16.Encode([]rune(key))) < k.cfg.DefaultKeyLength {
		return k.err(http.StatusForbidden, "INVALID_API_KEY")
	}
	now := x.Now()
	row, refusal, err := k.check(x.Context(), key, nil, now)
	if err != nil {
		return err
	}
	if refusal != nil {
		return refusalError(refusal)
	}
	k.sweep(x.Context(), x.Logger().Error)
	u, err := x.Database().UserByID(x.Context(), row.ReferenceID)
	if errors.Is(err, store.ErrNotFound) {
		return k.err(http.StatusUnauthorized, "INVALID_REFERENCE_ID_FROM_API_KEY")
	}
	if err != nil {
		return err
	}
	if betterauth.Banned(u, now) {
		return k.err(http.StatusUnauthorized, "USER_BANNED")
	}
	// The session lifetime's seconds read as milliseconds, as getDate(…, "ms"): DefaultSessionLifetime with
	// the server's default lifetime of 7 days.
	expires := now.Add(x.SessionCookieMaxAge() / time.Second * time.Millisecond)
	if row.ExpiresAt != nil {
		expires = *row.ExpiresAt
	}
	sess := store.Session{ID: row.ID, Token: key, UserID: u.ID, UserAgent: x.Request().Header.Get("User-Agent"),
		IPAddress: x.ClientIP(), CreatedAt: now, UpdatedAt: now, ExpiresAt: expires}
	if x.Path() == "/get-session" {
		js := keySession{ID: sess.ID, Token: key, UserID: sess.UserID, UserAgent: nullable(sess.UserAgent),
			IPAddress: nullable(sess.IPAddress), CreatedAt: jsDate(now), UpdatedAt: jsDate(now), ExpiresAt: jsDate(expires)}
		return &authserver.Challenge{Body: map[string]any{"user": userJSON(*u), "session": js}}
	}
	x.SetSessionOutsideStore(&store.Result{Session: sess, User: *u})
	return nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

func userJSON(u store.User) rawJSON { return betterauth.UserJSON(u) }
