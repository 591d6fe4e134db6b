package apikey

// Mirrors @better-auth/api-key 1.7.21 src/index.ts (the plugin and its defaults), src/schema.ts,
// src/error-codes.ts and src/routes/*.ts.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// ErrorCodes are the plugin's error codes and messages (API_KEY_ERROR_CODES).
var ErrorCodes = map[string]string{
	"INVALID_METADATA_TYPE":                  "metadata must be an object or undefined",
	"REFILL_AMOUNT_AND_INTERVAL_REQUIRED":    "refillAmount is required when refillInterval is provided",
	"REFILL_INTERVAL_AND_AMOUNT_REQUIRED":    "refillInterval is required when refillAmount is provided",
	"USER_BANNED":                            "User is banned",
	"UNAUTHORIZED_SESSION":                   "Unauthorized or invalid session",
	"KEY_NOT_FOUND":                          "API Key not found",
	"KEY_DISABLED":                           "API Key is disabled",
	"KEY_EXPIRED":                            "API Key has expired",
	"USAGE_EXCEEDED":                         "API Key has reached its usage limit",
	"KEY_NOT_RECOVERABLE":                    "API Key is not recoverable",
	"EXPIRES_IN_IS_TOO_SMALL":                "The expiresIn is smaller than the predefined minimum value.",
	"EXPIRES_IN_IS_TOO_LARGE":                "The expiresIn is larger than the predefined maximum value.",
	"INVALID_REMAINING":                      "The remaining count is either too large or too small.",
	"INVALID_PREFIX_LENGTH":                  "The prefix length is either too large or too small.",
	"INVALID_NAME_LENGTH":                    "The name length is either too large or too small.",
	"METADATA_DISABLED":                      "Metadata is disabled.",
	"RATE_LIMIT_EXCEEDED":                    "Rate limit exceeded.",
	"NO_VALUES_TO_UPDATE":                    "No values to update.",
	"KEY_DISABLED_EXPIRATION":                "Custom key expiration values are disabled.",
	"INVALID_API_KEY":                        "Invalid API key.",
	"INVALID_USER_ID_FROM_API_KEY":           "The user id from the API key is invalid.",
	"INVALID_REFERENCE_ID_FROM_API_KEY":      "The reference id from the API key is invalid.",
	"INVALID_API_KEY_GETTER_RETURN_TYPE":     "API Key getter returned an invalid key type. Expected string.",
	"SERVER_ONLY_PROPERTY":                   "The property you're trying to set can only be set from the server auth instance only.",
	"FAILED_TO_UPDATE_API_KEY":               "Failed to update API key",
	"NAME_REQUIRED":                          "API Key name is required.",
	"ORGANIZATION_ID_REQUIRED":               "Organization ID is required for organization-owned API keys.",
	"USER_NOT_MEMBER_OF_ORGANIZATION":        "You are not a member of the organization that owns this API key.",
	"INSUFFICIENT_API_KEY_PERMISSIONS":       "You do not have permission to perform this action on organization API keys.",
	"NO_DEFAULT_API_KEY_CONFIGURATION_FOUND": "No default api-key configuration found.",
	"ORGANIZATION_PLUGIN_REQUIRED":           "Organization plugin is required for organization-owned API keys. Please install and configure the organization plugin.",
}

// Config is the plugin's options (Better Auth's apiKey({...}), one configuration). The zero value is
// Better Auth's defaults.
type Config struct {
	// DefaultKeyLength is the length of a key's random part (letters a-z, A-Z). Zero means 64.
	DefaultKeyLength int
	// DefaultPrefix is put before keys created without a prefix. Empty means none.
	DefaultPrefix string
	// MinPrefixLength and MaxPrefixLength bound a prefix. Zero means 1 and 32.
	MinPrefixLength, MaxPrefixLength int
	// MinNameLength and MaxNameLength bound a name. Zero means 1 and 32.
	MinNameLength, MaxNameLength int
	// RequireName refuses keys created without a name (400 NAME_REQUIRED).
	RequireName bool
	// EnableMetadata lets keys carry metadata (enableMetadata); off, create refuses it (400
	// METADATA_DISABLED) and update ignores it, as Better Auth does.
	EnableMetadata bool
	// StartLength is how many first characters of a key are stored in start (startingCharactersConfig).
	// Zero means 6; NoStart stores none.
	StartLength int
	NoStart     bool
	// DisableRateLimit is rateLimit.enabled = false.
	DisableRateLimit bool
	// RateLimitWindow and RateLimitMax are the rate limit new keys get. Zero means one day and 10.
	RateLimitWindow time.Duration
	RateLimitMax    int64
	// DefaultExpiresIn is the lifetime of keys created without expiresIn. Zero means they never expire.
	DefaultExpiresIn time.Duration
	// DisableCustomExpiresTime refuses expiresIn (400 KEY_DISABLED_EXPIRATION).
	DisableCustomExpiresTime bool
	// MinExpiresInDays and MaxExpiresInDays bound expiresIn, in days. Zero means 1 and 365.
	MinExpiresInDays, MaxExpiresInDays float64
	// EnableSessionForAPIKeys signs a request that carries a key in one of APIKeyHeaders in as the key's
	// owner, for that request only (enableSessionForAPIKeys): GET /get-session answers the key's session,
	// and the endpoints that take any session (/list-sessions, /api-key/*, /token, …) act as the owner. The
	// key is checked and counted as Verify does; a refused key is answered with the refusal on whatever
	// endpoint it was sent to. Sensitive endpoints (/change-password, /delete-user, the admin plugin's) still
	// need a session cookie. Off by default, as in Better Auth.
	EnableSessionForAPIKeys bool
	// APIKeyHeaders are the headers a key is read from for EnableSessionForAPIKeys, the first with a value
	// winning (apiKeyHeaders). Nil means "x-api-key".
	APIKeyHeaders []string
	// Now is the clock of the server-only calls (Keys.Verify, Keys.DeleteAllExpired). Nil means time.Now.
	Now func() time.Time
}

// Schema is the plugin's apikey table as Better Auth's migrator creates it (apiKeySchema).
var Schema = []sqlstore.Table{{Name: "apikey", Fields: []sqlstore.Field{
	{Name: "configId", Type: sqlstore.FieldString, Required: true, Default: "default", Index: true},
	{Name: "name", Type: sqlstore.FieldString},
	{Name: "start", Type: sqlstore.FieldString},
	{Name: "referenceId", Type: sqlstore.FieldString, Required: true, Index: true},
	{Name: "prefix", Type: sqlstore.FieldString},
	{Name: "key", Type: sqlstore.FieldString, Required: true, Index: true},
	{Name: "refillInterval", Type: sqlstore.FieldNumber},
	{Name: "refillAmount", Type: sqlstore.FieldNumber},
	{Name: "lastRefillAt", Type: sqlstore.FieldDate},
	{Name: "enabled", Type: sqlstore.FieldBoolean, Default: true},
	{Name: "rateLimitEnabled", Type: sqlstore.FieldBoolean, Default: true},
	{Name: "rateLimitTimeWindow", Type: sqlstore.FieldNumber, Default: 86400000},
	{Name: "rateLimitMax", Type: sqlstore.FieldNumber, Default: 10},
	{Name: "requestCount", Type: sqlstore.FieldNumber, Default: 0},
	{Name: "remaining", Type: sqlstore.FieldNumber},
	{Name: "lastRequest", Type: sqlstore.FieldDate},
	{Name: "expiresAt", Type: sqlstore.FieldDate},
	{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
	{Name: "updatedAt", Type: sqlstore.FieldDate, Required: true},
	{Name: "permissions", Type: sqlstore.FieldString},
	{Name: "metadata", Type: sqlstore.FieldString},
}}}

// Keys is a configured api-key plugin: [Keys.Plugin] goes in authserver.Config.Plugins; Verify and
// DeleteAllExpired are its server-only calls.
type Keys struct {
	cfg    Config
	p      *authserver.Plugin
	db     store.APIKeyWriter
	sweeps sweeper
}

// New returns Better Auth's api-key plugin. The server's Database must be a store.APIKeyWriter (sqlstore
// is); the plugin's Init fails otherwise.
func New(cfg Config) *Keys {
	c := cfg
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.DefaultKeyLength, betterauth.DefaultAPIKeyLength)
	def(&c.MinPrefixLength, 1)
	def(&c.MaxPrefixLength, 32)
	def(&c.MinNameLength, 1)
	def(&c.MaxNameLength, 32)
	def(&c.StartLength, 6)
	if c.RateLimitWindow == 0 {
		c.RateLimitWindow = 24 * time.Hour
	}
	if c.RateLimitMax == 0 {
		c.RateLimitMax = 10
	}
	if c.MinExpiresInDays == 0 {
		c.MinExpiresInDays = 1
	}
	if c.MaxExpiresInDays == 0 {
		c.MaxExpiresInDays = 365
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.APIKeyHeaders == nil {
		c.APIKeyHeaders = []string{"x-api-key"}
	}
	k := &Keys{cfg: c}
	ep := func(method, path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: method, Path: path, Handler: h, OperationID: op}
	}
	k.p = &authserver.Plugin{
		ID: "api-key",
		Init: func(s *authserver.Server) error {
			db, ok := store.As[store.APIKeyWriter](s.Database())
			if !ok {
				return errors.New("auth: apikey: the Database cannot write API keys (store.APIKeyWriter; sqlstore can)")
			}
			k.db = db
			return nil
		},
		Endpoints: []authserver.Endpoint{
			ep(http.MethodPost, "/api-key/create", "createApiKey", k.create),
			ep(http.MethodGet, "/api-key/get", "getApiKey", k.get),
			ep(http.MethodPost, "/api-key/update", "updateApiKey", k.update),
			ep(http.MethodPost, "/api-key/delete", "deleteApiKey", k.delete),
			ep(http.MethodGet, "/api-key/list", "listApiKeys", k.list),
		},
		Schema:     Schema,
		ErrorCodes: ErrorCodes,
	}
	if c.EnableSessionForAPIKeys {
		k.p.Before = []authserver.Hook{{Run: k.sessionFromKey}} // every endpoint, when a key header is there
	}
	return k
}

// Plugin returns the plugin for authserver.Config.Plugins.
func (k *Keys) Plugin() authserver.Plugin { return *k.p }

func (k *Keys) err(status int, code string) error { return k.p.Error(status, code) }

// VerifyResult is the answer of [Keys.Verify], as verifyApiKey's JSON: {"valid", "error", "key"}.
type VerifyResult struct {
	// Valid reports whether the key was accepted (and one use and rate-limit slot counted).
	Valid bool
	// Code, Message and TryAgainIn are the refusal (TryAgainIn for RATE_LIMITED); empty when Valid.
	Code, Message string
	TryAgainIn    time.Duration
	// Key is the accepted key as it is after the use, nil when refused.
	Key *store.APIKey
}

// MarshalJSON writes verifyApiKey's answer.
func (r VerifyResult) MarshalJSON() ([]byte, error) {
	out := map[string]any{"valid": r.Valid, "error": nil, "key": nil}
	if r.Key != nil {
		out["key"] = keyJSON(r.Key)
	}
	if !r.Valid {
		e := map[string]any{"message": r.Message, "code": r.Code}
		if r.Code == betterauth.CodeRateLimited {
			e["details"] = map[string]any{"tryAgainIn": r.TryAgainIn.Milliseconds()}
		}
		out["error"] = e
	}
	return json.Marshal(out)
}

// Verify is the plugin's server-only verifyApiKey ({key, configId?, permissions?}): it checks key with the
// verifier's checks (betterauth.ValidateAPIKey), counts a use and a rate-limit slot, and deletes the key
// when it has expired or is used up for good, as the plugin does. err is a database failure only.
func (k *Keys) Verify(ctx context.Context, key string, permissions map[string][]string) (VerifyResult, error) {
	if k.db == nil {
		return VerifyResult{}, errors.New("auth: apikey: Verify before the server was created")
	}
	now := k.cfg.Now().Truncate(time.Millisecond)
	row, refusal, err := k.check(ctx, key, permissions, now) // an expired or used-up key is deleted
	if err != nil {
		return VerifyResult{}, err
	}
	if refusal != nil {
		return VerifyResult{Code: refusal.Code, Message: refusal.Message, TryAgainIn: refusal.RetryAfter}, nil
	}
	return VerifyResult{Valid: true, Key: row}, nil
}

// DeleteAllExpired is the plugin's server-only deleteAllExpiredApiKeys: it deletes every key whose
// expiresAt has passed and returns how many.
func (k *Keys) DeleteAllExpired(ctx context.Context) (int64, error) {
	if k.db == nil {
		return 0, errors.New("auth: apikey: DeleteAllExpired before the server was created")
	}
	return k.db.DeleteExpiredAPIKeys(ctx, k.cfg.Now())
}

// keyJSON is a key as the plugin's endpoints answer it: the row without its key, permissions and metadata
// parsed, null for unset columns.
func keyJSON(a *store.APIKey) map[string]any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	num := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	date := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return jsDate(*t)
	}
	parsed := func(s string) any {
		if s == "" {
			return nil
		}
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return nil
		}
		if t, ok := v.(string); ok { // metadata stringified twice by old versions
			if json.Unmarshal([]byte(t), &v) != nil {
				return nil
			}
		}
		return v
	}
	return map[string]any{
		"id": a.ID, "configId": str(a.ConfigID), "name": str(a.Name), "start": str(a.Start),
		"referenceId": a.ReferenceID, "prefix": str(a.Prefix), "refillInterval": num(a.RefillInterval),
		"refillAmount": num(a.RefillAmount), "lastRefillAt": date(a.LastRefillAt), "enabled": a.Enabled,
		"rateLimitEnabled": a.RateLimitEnabled, "rateLimitTimeWindow": num(a.RateLimitTimeWindow),
		"rateLimitMax": num(a.RateLimitMax), "requestCount": a.RequestCount, "remaining": num(a.Remaining),
		"lastRequest": date(a.LastRequest), "expiresAt": date(a.ExpiresAt), "createdAt": jsDate(a.CreatedAt),
		"updatedAt": jsDate(a.UpdatedAt), "permissions": parsed(a.Permissions), "metadata": parsed(a.Metadata),
	}
}

// jsDate is a date as JSON.stringify writes it.
func jsDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
