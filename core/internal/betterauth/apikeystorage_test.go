package betterauth

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

func TestParseStoredAPIKey(t *testing.T) {
	sk, ok := ParseStoredAPIKey([]byte(storedAPIKeyVector))
	if !ok {
		t.Fatal("refused")
	}
	k := sk.Key
	if k.ID != "k1" || k.ReferenceID != "u1" || k.Key != "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sEbDwCgg" || !k.Enabled ||
		k.Remaining == nil || *k.Remaining != 5 || k.RateLimitMax == nil || *k.RateLimitMax != 10 ||
		k.Permissions != `{"files":["read"]}` || k.Metadata != `{"plan":"pro"}` || k.ExpiresAt != nil || k.LastRequest != nil ||
		k.CreatedAt.UnixMilli() != time.Date(2026, 5, 1, 10, 0, 0, 123e6, time.UTC).UnixMilli() {
		t.Fatalf("%+v", k)
	}
	// A write changes only the counters; every other member stays as it was.
	r := int64(4)
	now := time.Date(2026, 5, 1, 11, 0, 0, 0, time.UTC)
	k.Remaining, k.RequestCount, k.LastRequest, k.UpdatedAt = &r, 1, &now, now
	var m map[string]any
	if err := json.Unmarshal(sk.MarshalCounters(), &m); err != nil {
		t.Fatal(err)
	}
	if m["remaining"] != 4.0 || m["requestCount"] != 1.0 || m["lastRequest"] != "2026-05-01T11:00:00.000Z" ||
		m["start"] != "AbCdEf" || m["metadata"].(map[string]any)["plan"] != "pro" || m["name"] != nil || len(m) != 22 {
		t.Fatalf("%v", m)
	}
	for _, tt := range []struct{ name, raw string }{
		{name: "not an object", raw: `[1]`},
		{name: "no id", raw: `{"key":"h","referenceId":"u","createdAt":"2026-01-01T00:00:00.000Z"}`},
		{name: "fractional remaining", raw: `{"id":"k","key":"h","referenceId":"u","createdAt":"2026-01-01T00:00:00.000Z","remaining":1.5}`},
		{name: "string count", raw: `{"id":"k","key":"h","referenceId":"u","createdAt":"2026-01-01T00:00:00.000Z","requestCount":"1"}`},
		{name: "bad date", raw: `{"id":"k","key":"h","referenceId":"u","createdAt":"2026-01-01T00:00:00.000Z","expiresAt":"soon"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := ParseStoredAPIKey([]byte(tt.raw)); ok {
				t.Fatal("accepted")
			}
		})
	}
}

func TestAPIKeyStorageTTL(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		exp  *time.Time
		want time.Duration
	}{
		{name: "never expires"},
		{name: "expired", exp: new(now.Add(-time.Second))},
		{name: "under a second", exp: new(now.Add(999 * time.Millisecond))},
		{name: "floor", exp: new(now.Add(90*time.Second + 999*time.Millisecond)), want: 90 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := &store.APIKey{ExpiresAt: tt.exp}
			if got := APIKeyStorageTTL(k, now); got != tt.want {
				t.Fatalf("%v, want %v", got, tt.want)
			}
		})
	}
}
