package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
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
	storedAs string // the key column as the lookup sees it; "" means the hash
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
