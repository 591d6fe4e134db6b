package betterauth

// The api-key plugin's secondary-storage layout (@better-auth/api-key 1.7.21: src/adapter.ts
// getStorageKeyByHashedKey, getStorageKeyById, getStorageKeyByReferenceId, serializeApiKey,
// deserializeApiKey, calculateTTL).
//
// With storage: "secondary-storage", the plugin writes each key twice, under api-key:<hashed key> (what
// verification reads) and api-key:by-id:<id>, both holding JSON.stringify of the key object with its dates
// as ISO strings (null when unset), and a TTL in whole seconds until expiresAt (none for a key that never
// expires). api-key:by-ref:<referenceId> lists a reference's key ids (a JSON array; with fallbackToDatabase
// it is a cache the plugin deletes on every write). permissions is the JSON text the table holds (a string)
// and metadata is the object itself.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// APIKeyStorageKey is the secondary-storage key of the api key whose stored (hashed) key is hashed.
func APIKeyStorageKey(hashed string) string { return "api-key:" + hashed }

// APIKeyStorageKeyByID is the secondary-storage key of the api key with this id.
func APIKeyStorageKeyByID(id string) string { return "api-key:by-id:" + id }

// APIKeyStorageKeyByRef is the secondary-storage key listing the ids of a reference's keys.
func APIKeyStorageKeyByRef(referenceID string) string { return "api-key:by-ref:" + referenceID }

// APIKeyStorageTTL is the plugin's calculateTTL: the whole seconds from now until k expires, or 0 (no TTL)
// for a key that never expires or has already expired.
func APIKeyStorageTTL(k *store.APIKey, now time.Time) time.Duration {
	if k.ExpiresAt == nil {
		return 0
	}
	ms := k.ExpiresAt.UnixMilli() - now.UnixMilli()
	if s := ms / 1000; s > 0 { // Math.floor of a positive number
		return time.Duration(s) * time.Second
	}
	return 0
}

// StoredAPIKey is an api key as secondary storage holds it: the parsed key, and every member of the JSON
// object as it was, so that a write changes only the members it means to.
type StoredAPIKey struct {
	Key     *store.APIKey
	Members map[string]json.RawMessage
}

// ParseStoredAPIKey reads a secondary-storage value as deserializeApiKey does. It reports false when the
// value is not a JSON object with a string id, key and referenceId, or when a member has a type the plugin
// never writes there (a verifier must not guess at a key's limits).
func ParseStoredAPIKey(raw []byte) (*StoredAPIKey, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, false
	}
	k := &store.APIKey{Enabled: true, RateLimitEnabled: true}
	ok := true
	str := func(name string, dst *string, required bool) {
		v, present := m[name]
		if !present || isNull(v) {
			ok = ok && !required
			return
		}
		if json.Unmarshal(v, dst) != nil || required && *dst == "" {
			ok = false
		}
	}
	integer := func(name string) *int64 {
		v, present := m[name]
		if !present || isNull(v) {
			return nil
		}
		var f float64
		if json.Unmarshal(v, &f) != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			ok = false
			return nil
		}
		n := int64(f)
		return &n
	}
	boolean := func(name string, dst *bool) {
		v, present := m[name]
		if !present || isNull(v) {
			return
		}
		var b bool
		if json.Unmarshal(v, &b) != nil {
			ok = false
			return
		}
		*dst = b
	}
	// deserializeApiKey: new Date(createdAt); a falsy expiresAt, lastRefillAt or lastRequest is null.
	date := func(name string, required bool) *time.Time {
		v, present := m[name]
		if !present || isNull(v) || string(v) == `""` {
			ok = ok && !required
			return nil
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			ok = false
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			ok = false
			return nil
		}
		t = t.UTC()
		return &t
	}
	str("id", &k.ID, true)
	str("key", &k.Key, true)
	str("referenceId", &k.ReferenceID, true)
	str("configId", &k.ConfigID, false)
	str("name", &k.Name, false)
	str("start", &k.Start, false)
	str("prefix", &k.Prefix, false)
	str("permissions", &k.Permissions, false)
	boolean("enabled", &k.Enabled)
	boolean("rateLimitEnabled", &k.RateLimitEnabled)
	k.Remaining = integer("remaining")
	k.RefillAmount = integer("refillAmount")
	k.RefillInterval = integer("refillInterval")
	k.RateLimitTimeWindow = integer("rateLimitTimeWindow")
	k.RateLimitMax = integer("rateLimitMax")
	if n := integer("requestCount"); n != nil {
		k.RequestCount = *n
	}
	k.ExpiresAt = date("expiresAt", false)
	k.LastRefillAt = date("lastRefillAt", false)
	k.LastRequest = date("lastRequest", false)
	if t := date("createdAt", true); t != nil {
		k.CreatedAt = *t
	}
	if t := date("updatedAt", false); t != nil {
		k.UpdatedAt = *t
	}
	if md, present := m["metadata"]; present && !isNull(md) {
		var s string
		if json.Unmarshal(md, &s) == nil { // legacy: double-stringified metadata
			k.Metadata = s
		} else {
			k.Metadata = string(md)
		}
	}
	if !ok {
		return nil, false
	}
	return &StoredAPIKey{Key: k, Members: m}, true
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// The members an update of the counters writes.
var storedCounters = []string{"remaining", "requestCount", "lastRefillAt", "lastRequest", "updatedAt"}

// MarshalCounters returns s's JSON with the counters (remaining, requestCount, lastRefillAt, lastRequest,
// updatedAt) taken from s.Key and every other member as it was read: what the plugin's merge write
// ({...fresh, ...mutations}) produces for the same mutations.
func (s *StoredAPIKey) MarshalCounters() []byte {
	m := make(map[string]json.RawMessage, len(s.Members)+len(storedCounters))
	for k, v := range s.Members {
		m[k] = v
	}
	k := s.Key
	m["remaining"] = intJSON(k.Remaining)
	m["requestCount"] = json.RawMessage(strconv.FormatInt(k.RequestCount, 10))
	m["lastRefillAt"] = dateJSON(k.LastRefillAt)
	m["lastRequest"] = dateJSON(k.LastRequest)
	m["updatedAt"] = dateJSON(&k.UpdatedAt)
	b, _ := json.Marshal(m) // RawMessages that came from json.Unmarshal, and ones written here
	return b
}

// MarshalStoredAPIKey is serializeApiKey of a key read from the apikey table (the plugin's cache write with
// fallbackToDatabase): every column, dates as ISO strings or null, permissions as its JSON text, metadata
// parsed (null when it is not JSON), and null for empty optional strings.
func MarshalStoredAPIKey(k *store.APIKey) []byte {
	optional := func(s string) json.RawMessage {
		if s == "" {
			return json.RawMessage("null")
		}
		b, _ := json.Marshal(s)
		return b
	}
	required := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	metadata := json.RawMessage("null")
	if k.Metadata != "" && json.Valid([]byte(k.Metadata)) {
		metadata = json.RawMessage(k.Metadata)
	}
	m := map[string]json.RawMessage{
		"id": required(k.ID), "configId": optional(k.ConfigID), "name": optional(k.Name),
		"start": optional(k.Start), "prefix": optional(k.Prefix), "key": required(k.Key),
		"referenceId": required(k.ReferenceID), "enabled": boolJSON(k.Enabled),
		"rateLimitEnabled": boolJSON(k.RateLimitEnabled), "rateLimitTimeWindow": intJSON(k.RateLimitTimeWindow),
		"rateLimitMax": intJSON(k.RateLimitMax), "refillAmount": intJSON(k.RefillAmount),
		"refillInterval": intJSON(k.RefillInterval), "expiresAt": dateJSON(k.ExpiresAt),
		"createdAt": dateJSON(&k.CreatedAt), "permissions": optional(k.Permissions), "metadata": metadata,
	}
	s := &StoredAPIKey{Key: k, Members: m}
	return s.MarshalCounters()
}

func intJSON(p *int64) json.RawMessage {
	if p == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(strconv.FormatInt(*p, 10))
}

func boolJSON(b bool) json.RawMessage {
	if b {
		return json.RawMessage("true")
	}
	return json.RawMessage("false")
}

func dateJSON(t *time.Time) json.RawMessage {
	if t == nil {
		return json.RawMessage("null")
	}
	return appendDate(nil, *t)
}
