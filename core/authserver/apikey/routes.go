package apikey

// The endpoints (@better-auth/api-key 1.7.21 src/routes/*.ts), each in the plugin's order of checks.

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// jsType is zod's name of a JSON value's type.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// bodyKind checks optional body fields' types as the plugin's zod schemas do: "string", "number",
// "boolean", "record" (of string arrays); a trailing "?" allows null.
func bodyKind(x *authserver.Context, fields ...[2]string) error {
	for _, f := range fields {
		v, ok := x.Body()[f[0]]
		if !ok {
			continue
		}
		want, nullable := f[1], false
		if want[len(want)-1] == '?' {
			want, nullable = want[:len(want)-1], true
		}
		if v == nil && nullable {
			continue
		}
		got := jsType(v)
		if want == "record" && got == "object" || got == want {
			continue
		}
		return &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
			Message: "[body." + f[0] + "] Invalid input: expected " + want + ", received " + got}
	}
	return nil
}

func num(x *authserver.Context, name string) (float64, bool) {
	switch v := x.Body()[name].(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// session is getSessionFromCtx with disableCookieCache: the session from an API key when the request
// had one (EnableSessionForAPIKeys), else the session read without the cookie cache, or nil.
func session(x *authserver.Context) (*store.Result, error) {
	if res := x.SessionOutsideStore(); res != nil {
		return res, nil
	}
	res, err := x.FreshSession()
	if ae, ok := errors.AsType[*authserver.APIError](err); ok && ae.Status == 401 {
		return nil, nil
	}
	return res, err
}

// create is POST /api-key/create.
func (k *Keys) create(x *authserver.Context) (any, error) {
	if err := bodyKind(x, [2]string{"configId", "string"}, [2]string{"name", "string"}, [2]string{"expiresIn", "number?"},
		[2]string{"prefix", "string"}, [2]string{"remaining", "number?"}, [2]string{"refillAmount", "number"},
		[2]string{"refillInterval", "number"}, [2]string{"rateLimitTimeWindow", "number"}, [2]string{"rateLimitMax", "number"},
		[2]string{"rateLimitEnabled", "boolean"}, [2]string{"permissions", "record"}); err != nil {
		return nil, err
	}
	b := x.Body()
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"refillAmount", "refillInterval", "rateLimitMax", "rateLimitTimeWindow", "rateLimitEnabled", "permissions"} {
		if _, ok := b[f]; ok {
			return nil, k.err(400, "SERVER_ONLY_PROPERTY")
		}
	}
	if v, ok := b["remaining"]; ok && v != nil {
		return nil, k.err(400, "SERVER_ONLY_PROPERTY")
	}
	if _, ok := b["userId"]; ok {
		return nil, k.err(401, "UNAUTHORIZED_SESSION")
	}
	if res == nil {
		return nil, k.err(401, "UNAUTHORIZED_SESSION")
	}
	metadata, hasMeta := b["metadata"]
	if betterauth.Truthy(metadata) || isObject(metadata) {
		if !k.cfg.EnableMetadata {
			return nil, k.err(400, "METADATA_DISABLED")
		}
		if !isObject(metadata) {
			return nil, k.err(400, "INVALID_METADATA_TYPE")
		}
	} else {
		hasMeta = false
	}
	if expiresIn, ok := num(x, "expiresIn"); ok && expiresIn != 0 {
		if expiresIn < 1 {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.expiresIn] Too small: expected number to be >=1"}
		}
		if err := k.checkExpiresIn(expiresIn); err != nil {
			return nil, err
		}
	}
	prefix := x.String("prefix")
	if prefix != "" {
		if !validPrefix(prefix) {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens."}
		}
		if n := len(prefix); n < k.cfg.MinPrefixLength || n > k.cfg.MaxPrefixLength {
			return nil, k.err(400, "INVALID_PREFIX_LENGTH")
		}
	}
	name := x.String("name")
	if name != "" {
		if n := len([]rune(name)); n < k.cfg.MinNameLength || n > k.cfg.MaxNameLength {
			return nil, k.err(400, "INVALID_NAME_LENGTH")
		}
	} else if k.cfg.RequireName {
		return nil, k.err(400, "NAME_REQUIRED")
	}
	k.sweep(x.Context(), x.Logger().Error)
	if prefix == "" {
		prefix = k.cfg.DefaultPrefix
	}
	key := prefix + betterauth.RandomFrom("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k.cfg.DefaultKeyLength)
	now := x.Now()
	window, max := k.cfg.RateLimitWindow.Milliseconds(), k.cfg.RateLimitMax
	row := &store.APIKey{ID: betterauth.NewID(), ConfigID: "default", Name: name, Prefix: prefix,
		Key: betterauth.HashAPIKey(key), Enabled: true, ReferenceID: res.User.ID, RateLimitEnabled: !k.cfg.DisableRateLimit,
		RateLimitTimeWindow: &window, RateLimitMax: &max, CreatedAt: now, UpdatedAt: now}
	if !k.cfg.NoStart {
		row.Start = key[:min(len(key), k.cfg.StartLength)]
	}
	if expiresIn, ok := num(x, "expiresIn"); ok && expiresIn != 0 {
		t := now.Add(time.Duration(expiresIn * float64(time.Second))).Truncate(time.Millisecond)
		row.ExpiresAt = &t
	} else if k.cfg.DefaultExpiresIn > 0 {
		t := now.Add(k.cfg.DefaultExpiresIn)
		row.ExpiresAt = &t
	}
	if hasMeta {
		m, _ := json.Marshal(metadata)
		row.Metadata = string(m)
	}
	if err := k.db.CreateAPIKey(x.Context(), row); err != nil {
		return nil, err
	}
	out := keyJSON(row)
	out["key"] = key
	return out, nil
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// validPrefix is /^[a-zA-Z0-9_-]+$/.
func validPrefix(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

func (k *Keys) checkExpiresIn(expiresIn float64) error {
	if k.cfg.DisableCustomExpiresTime {
		return k.err(400, "KEY_DISABLED_EXPIRATION")
	}
	days := expiresIn / 86400
	if days < k.cfg.MinExpiresInDays {
		return k.err(400, "EXPIRES_IN_IS_TOO_SMALL")
	}
	if days > k.cfg.MaxExpiresInDays {
		return k.err(400, "EXPIRES_IN_IS_TOO_LARGE")
	}
	return nil
}

// owned reads the key with id for the user: 404 KEY_NOT_FOUND when there is none, it belongs to another
// configuration, or to someone else.
func (k *Keys) owned(x *authserver.Context, id, configID, userID string) (*store.APIKey, error) {
	row, err := k.db.APIKeyByID(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, k.err(404, "KEY_NOT_FOUND")
	}
	if err != nil {
		return nil, err
	}
	if !betterauth.ConfigIDMatches(row.ConfigID, configID) || row.ReferenceID != userID {
		return nil, k.err(404, "KEY_NOT_FOUND")
	}
	return row, nil
}

// get is GET /api-key/get?id=.
func (k *Keys) get(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	if !x.Query().Has("id") {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query.id] Invalid input: expected string, received undefined"}
	}
	row, err := k.owned(x, x.Query().Get("id"), x.Query().Get("configId"), res.User.ID)
	if err != nil {
		return nil, err
	}
	k.sweep(x.Context(), x.Logger().Error)
	return keyJSON(row), nil
}

// delete is POST /api-key/delete {keyId}.
func (k *Keys) delete(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "keyId", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "configId", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	if res.User.Additional["banned"] == true {
		return nil, k.err(401, "USER_BANNED")
	}
	row, err := k.owned(x, x.String("keyId"), x.String("configId"), res.User.ID)
	if err != nil {
		return nil, err
	}
	if err := k.db.DeleteAPIKey(x.Context(), row.ID); err != nil {
		return nil, err
	}
	k.sweep(x.Context(), x.Logger().Error)
	return map[string]any{"success": true}, nil
}

// update is POST /api-key/update {keyId, name?, enabled?, expiresIn?, metadata?}; the server-only fields
// are refused over HTTP.
func (k *Keys) update(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "keyId", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	if err := bodyKind(x, [2]string{"configId", "string"}, [2]string{"name", "string"}, [2]string{"enabled", "boolean"},
		[2]string{"remaining", "number"}, [2]string{"refillAmount", "number"}, [2]string{"refillInterval", "number"},
		[2]string{"expiresIn", "number?"}, [2]string{"rateLimitEnabled", "boolean"}, [2]string{"rateLimitTimeWindow", "number"},
		[2]string{"rateLimitMax", "number"}, [2]string{"permissions", "record?"}); err != nil {
		return nil, err
	}
	b := x.Body()
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, k.err(401, "UNAUTHORIZED_SESSION")
	}
	if uid, ok := b["userId"]; ok && betterauth.Truthy(uid) && uid != res.User.ID {
		return nil, k.err(401, "UNAUTHORIZED_SESSION")
	}
	for _, f := range []string{"refillAmount", "refillInterval", "rateLimitMax", "rateLimitTimeWindow", "rateLimitEnabled", "remaining", "permissions"} {
		if _, ok := b[f]; ok {
			return nil, k.err(400, "SERVER_ONLY_PROPERTY")
		}
	}
	row, err := k.owned(x, x.String("keyId"), x.String("configId"), res.User.ID)
	if err != nil {
		return nil, err
	}
	set := map[string]any{}
	if v, ok := b["name"].(string); ok {
		if n := len([]rune(v)); n < k.cfg.MinNameLength || n > k.cfg.MaxNameLength {
			return nil, k.err(400, "INVALID_NAME_LENGTH")
		}
		set["name"] = v
	}
	if v, ok := b["enabled"].(bool); ok {
		set["enabled"] = v
	}
	if v, ok := b["expiresIn"]; ok {
		if k.cfg.DisableCustomExpiresTime {
			return nil, k.err(400, "KEY_DISABLED_EXPIRATION")
		}
		set["expiresAt"] = nil
		if f, ok := num(x, "expiresIn"); ok && v != nil {
			if f < 1 {
				return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.expiresIn] Too small: expected number to be >=1"}
			}
			if err := k.checkExpiresIn(f); err != nil {
				return nil, err
			}
			set["expiresAt"] = x.Now().Add(time.Duration(f * float64(time.Second))).Truncate(time.Millisecond)
		}
	}
	if v, ok := b["metadata"]; ok && k.cfg.EnableMetadata {
		if !isObject(v) {
			return nil, k.err(400, "INVALID_METADATA_TYPE")
		}
		m, _ := json.Marshal(v)
		set["metadata"] = string(m)
	}
	if len(set) == 0 {
		return nil, k.err(400, "NO_VALUES_TO_UPDATE")
	}
	nrow, err := k.db.SetAPIKeyFields(x.Context(), row.ID, set)
	if err != nil {
		return nil, &authserver.APIError{Status: 500, Code: "INTERNAL_SERVER_ERROR", Message: "Failed to update API key"}
	}
	k.sweep(x.Context(), x.Logger().Error)
	return keyJSON(nrow), nil
}

// list is GET /api-key/list?limit=&offset=: the user's keys (organization-owned keys are not served).
func (k *Keys) list(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	q := x.Query()
	page := func(name string) (*int, error) {
		if !q.Has(name) {
			return nil, nil
		}
		n, err := strconv.Atoi(q.Get(name))
		if err != nil || n < 0 {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query." + name + "] Invalid input: expected int, received NaN"}
		}
		return &n, nil
	}
	limit, err := page("limit")
	if err != nil {
		return nil, err
	}
	offset, err := page("offset")
	if err != nil {
		return nil, err
	}
	dir := q.Get("sortDirection")
	if q.Has("sortDirection") && dir != "asc" && dir != "desc" {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: `[query.sortDirection] Invalid option: expected one of "asc"|"desc"`}
	}
	rows, err := k.db.APIKeysByReference(x.Context(), res.User.ID)
	if err != nil {
		return nil, err
	}
	configID := q.Get("configId")
	keys := []any{}
	for i := range rows {
		if configID != "" && !betterauth.ConfigIDMatches(rows[i].ConfigID, configID) {
			continue
		}
		keys = append(keys, keyJSON(&rows[i]))
	}
	if by := q.Get("sortBy"); by != "" {
		sortKeys(keys, by, dir == "desc")
	}
	total := len(keys)
	if offset != nil {
		keys = keys[min(*offset, len(keys)):]
	}
	if limit != nil {
		keys = keys[:min(*limit, len(keys))]
	}
	k.sweep(x.Context(), x.Logger().Error) // after the read: an expired key is still listed this once, as there
	out := map[string]any{"apiKeys": keys, "total": total}
	if limit != nil {
		out["limit"] = *limit
	}
	if offset != nil {
		out["offset"] = *offset
	}
	return out, nil
}

// sortKeys is applySortingAndPagination's sort: by one field, nulls first in ascending order, stable.
func sortKeys(keys []any, by string, desc bool) {
	slices.SortStableFunc(keys, func(a, b any) int {
		av, bv := a.(map[string]any)[by], b.(map[string]any)[by]
		c := 0
		switch {
		case av == nil && bv == nil:
		case av == nil:
			c = -1
		case bv == nil:
			c = 1
		default:
			c = compareJS(av, bv)
		}
		if desc {
			return -c
		}
		return c
	})
}

// compareJS is JavaScript's < and > on two values of the same type (dates are ISO strings here, which
// order as the dates do); values of other types compare equal.
func compareJS(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok && x != y {
			if y {
				return -1
			}
			return 1
		}
	}
	return 0
}
