package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// keyStore is an in-memory store.APIKeyStore holding one key (guards as a database applies them).
type keyStore struct {
	mu       sync.Mutex
	k        store.APIKey
	storedAs string      // the key column as the lookup sees it; "" means the hash
	owner    *store.User // the key's user; nil: a plain user with id k.ReferenceID
	reads    int         // UserByID calls
}

func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *keyStore) APIKey(_ context.Context, key string) (*store.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.EqualFold(key, s.k.Key) { // a case-insensitive collation, as MySQL's default
		return nil, store.ErrNotFound
	}
	cp := s.k
	return &cp, nil
}

func (s *keyStore) UpdateAPIKey(_ context.Context, id string, c store.APIKeyCond, set store.APIKeySet) (*store.APIKey, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &s.k
	eq := func(a, b *time.Time) bool { return a == nil && b == nil || a != nil && b != nil && a.Equal(*b) }
	ok := (!c.LastRefillAtIs || eq(k.LastRefillAt, c.LastRefillAt)) &&
		(!c.RemainingPositive || k.Remaining != nil && *k.Remaining > 0) &&
		(c.LastRequestAfter == nil || k.LastRequest != nil && k.LastRequest.After(*c.LastRequestAfter)) &&
		(c.LastRequestNotAfter == nil || k.LastRequest != nil && !k.LastRequest.After(*c.LastRequestNotAfter)) &&
		(!c.LastRequestNull || k.LastRequest == nil) &&
		(c.RequestCountBelow == nil || k.RequestCount < *c.RequestCountBelow)
	if ok {
		if set.DecrementRemaining {
			n := *k.Remaining - 1
			k.Remaining = &n
		} else if set.Remaining != nil {
			n := *set.Remaining
			k.Remaining = &n
		}
		if set.IncrementRequestCount {
			k.RequestCount++
		} else if set.RequestCount != nil {
			k.RequestCount = *set.RequestCount
		}
		if set.LastRefillAt != nil {
			t := *set.LastRefillAt
			k.LastRefillAt = &t
		}
		if set.LastRequest != nil {
			t := *set.LastRequest
			k.LastRequest = &t
		}
		k.UpdatedAt = set.UpdatedAt
	}
	cp := *k
	return &cp, ok, nil
}

func (s *keyStore) UserByID(_ context.Context, id string) (*store.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.owner != nil {
		if id != s.owner.ID {
			return nil, store.ErrNotFound
		}
		cp := *s.owner
		return &cp, nil
	}
	if id != s.k.ReferenceID {
		return nil, store.ErrNotFound
	}
	return &store.User{ID: id, Email: "owner@example.com"}, nil
}

const testKey = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"

func ptr[T any](v T) *T { return &v }

// keyAuth returns an Auth with API keys from ks and a clock the test moves.
func keyAuth(t testing.TB, ks *keyStore, now *time.Time) *auth.Auth {
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true, APIKeys: &auth.APIKeyConfig{Store: ks},
		Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func keyCode(a *auth.Auth, key string) (string, time.Duration) {
	_, err := a.Authenticate(context.Background(), auth.Request{Header: map[string][]string{"X-Api-Key": {key}}})
	if err == nil {
		return "valid", 0
	}
	if ke, ok := errors.AsType[*auth.APIKeyError](err); ok {
		return ke.Code, ke.RetryAfter
	}
	return err.Error(), 0
}

// TestAPIKeyClock: refills and rate-limit windows follow the injected clock, as the plugin's
// consumeRemaining and evaluateRateLimit decide (strictly more than the interval must have passed).
func TestAPIKeyClock(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		key   store.APIKey
		steps []time.Duration // offsets from t0
		want  []string
		retry []time.Duration
	}{
		{name: "refill", key: store.APIKey{Remaining: ptr(int64(1)), RefillAmount: ptr(int64(1)), RefillInterval: ptr(int64(1000))},
			steps: []time.Duration{0, 1000 * time.Millisecond, 1001 * time.Millisecond, 1500 * time.Millisecond},
			want:  []string{"valid", "USAGE_EXCEEDED", "valid", "USAGE_EXCEEDED"}, retry: []time.Duration{0, time.Millisecond, 0, 502 * time.Millisecond}},
		{name: "rate window", key: store.APIKey{RateLimitEnabled: true, RateLimitMax: ptr(int64(2)), RateLimitTimeWindow: ptr(int64(1000))},
			// The window is counted from the last counted request (lastRequest moves with each one).
			steps: []time.Duration{0, 100 * time.Millisecond, 400 * time.Millisecond, 1100 * time.Millisecond, 1101 * time.Millisecond},
			want:  []string{"valid", "valid", "RATE_LIMITED", "RATE_LIMITED", "valid"}, retry: []time.Duration{0, 0, 700 * time.Millisecond, 0, 0}},
		{name: "used up without refill", key: store.APIKey{Remaining: ptr(int64(0))},
			steps: []time.Duration{0}, want: []string{"USAGE_EXCEEDED"}, retry: []time.Duration{0}},
		{name: "expiry is strict", key: store.APIKey{ExpiresAt: ptr(t0.Add(time.Second))},
			steps: []time.Duration{time.Second, time.Second + time.Millisecond}, want: []string{"valid", "KEY_EXPIRED"}, retry: []time.Duration{0, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.key
			k.ID, k.ReferenceID, k.Key, k.Enabled, k.CreatedAt = "k1", "u1", hashOf(testKey), true, t0
			ks := &keyStore{k: k}
			now := t0
			a := keyAuth(t, ks, &now)
			for i, d := range tt.steps {
				now = t0.Add(d)
				got, retry := keyCode(a, testKey)
				if got != tt.want[i] || (tt.retry[i] > 0 && retry != tt.retry[i]) {
					t.Fatalf("step %d (+%v): %s (retry %v), want %s (retry %v)", i, d, got, retry, tt.want[i], tt.retry[i])
				}
			}
		})
	}
}

// TestAPIKeyComparedExactly: a database whose collation ignores case (MySQL's default) finds a row for a
// key that differs from the stored one in case; the verifier compares the bytes and refuses it.
func TestAPIKeyComparedExactly(t *testing.T) {
	now := time.Now()
	ks := &keyStore{k: store.APIKey{ID: "k1", ReferenceID: "u1", Key: testKey, Enabled: true, CreatedAt: now}}
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true,
		APIKeys: &auth.APIKeyConfig{Store: ks, DisableKeyHashing: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := keyCode(a, testKey); got != "valid" {
		t.Fatalf("the key itself: %s", got)
	}
	if got, _ := keyCode(a, strings.ToUpper(testKey)); got != "INVALID_API_KEY" {
		t.Fatalf("the key in upper case: %s", got)
	}
}

func FuzzAPIKeyHeader(f *testing.F) {
	for _, s := range []string{testKey, "", "short", strings.Repeat("a", 600), testKey + "\x00", strings.ToUpper(testKey)} {
		f.Add(s)
	}
	now := time.Now()
	ks := &keyStore{k: store.APIKey{ID: "k1", ReferenceID: "u1", Key: hashOf(testKey), Enabled: true, CreatedAt: now}}
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true, APIKeys: &auth.APIKeyConfig{Store: ks}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		s, err := a.Authenticate(context.Background(), auth.Request{Header: map[string][]string{"X-Api-Key": {key}}})
		switch {
		case err == nil && (key != testKey || s.APIKey == nil || s.User.ID != "u1"):
			t.Fatalf("accepted %q", key)
		case err != nil && key == testKey:
			t.Fatalf("refused the key: %v", err)
		case err != nil && key != "" && auth.HTTPStatus(err) != 401:
			t.Fatalf("%q: status %d", key, auth.HTTPStatus(err))
		}
	})
}

// TestAPIKeyMetadata: the key's metadata column reaches the session as the object the plugin's verify
// returns; a malformed one is no metadata and the key is still accepted, as the plugin does; printing
// the key never shows the metadata.
func TestAPIKeyMetadata(t *testing.T) {
	for _, tt := range []struct {
		name     string
		metadata string
		want     map[string]any
	}{
		{name: "object", metadata: `{"plan":"pro","seats":3}`, want: map[string]any{"plan": "pro", "seats": 3.0}},
		{name: "null", metadata: ``},
		{name: "malformed", metadata: `{"plan":`},
		{name: "duplicate member", metadata: `{"plan":"free","plan":"pro"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			ks := &keyStore{k: store.APIKey{ID: "k1", ReferenceID: "u1", Key: hashOf(testKey), Enabled: true, CreatedAt: now, Metadata: tt.metadata}}
			s, err := keyAuth(t, ks, &now).Authenticate(context.Background(), auth.Request{Header: map[string][]string{"X-Api-Key": {testKey}}})
			if err != nil {
				t.Fatal(err)
			}
			md, ok := s.APIKeyMetadata()
			if ok != (tt.want != nil) || !reflect.DeepEqual(md, tt.want) {
				t.Fatalf("APIKeyMetadata() = %v, %v; want %v", md, ok, tt.want)
			}
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "key", s.APIKey)
			for _, out := range []string{fmt.Sprintf("%v", s.APIKey), fmt.Sprintf("%+v", *s.APIKey), buf.String()} {
				if tt.metadata != "" && strings.Contains(out, tt.metadata) || strings.Contains(out, hashOf(testKey)) {
					t.Fatalf("printed: %s", out)
				}
			}
		})
	}
	if md, ok := (&auth.Session{}).APIKeyMetadata(); ok || md != nil {
		t.Fatalf("no key: %v, %v", md, ok)
	}
}

// TestAPIKeyUserCache: with CacheTTL the owner's row is read once per TTL; a ban is seen when the entry
// expires, never later; the key row is still read and written on every request, so disabling the key
// refuses it at once.
func TestAPIKeyUserCache(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	ks := &keyStore{k: store.APIKey{ID: "k1", ReferenceID: "u1", Key: hashOf(testKey), Enabled: true, CreatedAt: t0},
		owner: &store.User{ID: "u1"}}
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true, Now: func() time.Time { return now },
		APIKeys: &auth.APIKeyConfig{Store: ks, CacheTTL: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	step := func(d time.Duration, want string, reads int) {
		t.Helper()
		now = t0.Add(d)
		got, _ := keyCode(a, testKey)
		if got != want || ks.reads != reads {
			t.Fatalf("+%v: %s with %d user reads, want %s with %d", d, got, ks.reads, want, reads)
		}
	}
	step(0, "valid", 1)
	step(time.Second, "valid", 1) // from the cache
	ks.mu.Lock()
	ks.owner.Additional = map[string]any{"banned": true}
	ks.mu.Unlock()
	step(4999*time.Millisecond, "valid", 1) // the ban is not seen yet: within CacheTTL
	step(5*time.Second, auth.ErrBanned.Error(), 2)
	ks.mu.Lock()
	ks.owner.Additional = nil
	ks.k.Enabled = false
	ks.mu.Unlock()
	step(5*time.Second, "KEY_DISABLED", 2) // the key row is never cached
	if ks.k.UpdatedAt != t0.Add(5*time.Second) {
		t.Fatalf("updatedAt %v: a cached verification must still write the key's use", ks.k.UpdatedAt)
	}

	for _, ttl := range []time.Duration{-time.Second} {
		if _, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true,
			APIKeys: &auth.APIKeyConfig{Store: ks, CacheTTL: ttl}}); err == nil {
			t.Fatalf("CacheTTL %v accepted", ttl)
		}
	}
}
