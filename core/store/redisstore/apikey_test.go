package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
)

// keyJSON is a key as the api-key plugin's serializeApiKey writes it with storage: "secondary-storage".
const keyJSON = `{"configId":"default","createdAt":"2026-05-01T10:00:00.123Z","updatedAt":"2026-05-01T10:00:00.123Z","name":null,"prefix":null,"start":"AbCdEf","key":"hashedkey","enabled":true,"expiresAt":null,"referenceId":"u1","lastRefillAt":null,"lastRequest":null,"metadata":{"plan":"pro"},"rateLimitMax":10,"rateLimitTimeWindow":86400000,"remaining":10,"refillAmount":null,"refillInterval":null,"rateLimitEnabled":true,"requestCount":0,"id":"k1"}`

type noUsers struct{}

func (noUsers) UserByID(context.Context, string) (*store.User, error) { return nil, store.ErrNotFound }

// TestAPIKeysCountAtomically: 40 concurrent guarded decrements of a key with 10 uses left apply exactly 10
// times, in both of the key's entries; a lookup reads the key under its hashed key.
func TestAPIKeysCountAtomically(t *testing.T) {
	e := newEnv(t)
	e.set(t, "api-key:hashedkey", keyJSON)
	e.set(t, "api-key:by-id:k1", keyJSON)
	keys, err := e.store(t, nil).APIKeys(redisOptsUsers())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	k, err := keys.APIKey(ctx, "hashedkey")
	if err != nil || k.ID != "k1" || *k.Remaining != 10 || k.Metadata != `{"plan":"pro"}` {
		t.Fatalf("APIKey = %+v, %v", k, err)
	}
	if _, err := keys.APIKey(ctx, "otherkey"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	var applied atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			_, ok, err := keys.UpdateAPIKey(ctx, "k1", store.APIKeyCond{RemainingPositive: true},
				store.APIKeySet{DecrementRemaining: true, UpdatedAt: time.Now()})
			if err != nil {
				t.Error(err)
			}
			if ok {
				applied.Add(1)
			}
		})
	}
	wg.Wait()
	if applied.Load() != 10 {
		t.Fatalf("applied %d, want 10", applied.Load())
	}
	for _, name := range []string{"hashedkey"} {
		k, err := keys.APIKey(ctx, name)
		if err != nil || *k.Remaining != 0 || k.Metadata != `{"plan":"pro"}` || k.Start != "AbCdEf" {
			t.Fatalf("after: %+v %v", k, err)
		}
	}
	if _, _, err := keys.UpdateAPIKey(ctx, "gone", store.APIKeyCond{}, store.APIKeySet{UpdatedAt: time.Now()}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
}

func redisOptsUsers() redisstore.APIKeyOptions { return redisstore.APIKeyOptions{Users: noUsers{}} }
