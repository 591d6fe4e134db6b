package redisstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
)

// TestSecondaryStorage: the five operations on a real Redis, under the key prefix.
func TestSecondaryStorage(t *testing.T) {
	e := newEnv(t)
	kv, err := redisstore.NewSecondaryStorage(e.c, &redisstore.Options{KeyPrefix: e.prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok, err := kv.Get(ctx, "missing"); ok || err != nil {
		t.Fatalf("Get missing: %v %v", ok, err)
	}
	if err := kv.Set(ctx, "k", `{"a":1}`, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := kv.Get(ctx, "k"); v != `{"a":1}` || !ok || err != nil {
		t.Fatalf("Get: %q %v %v", v, ok, err)
	}
	if ttl := e.c.TTL(ctx, e.prefix+"k").Val(); ttl != 2*time.Second {
		t.Fatalf("TTL %v: want 1.5 s rounded up to 2 s", ttl)
	}
	if err := kv.Set(ctx, "forever", "x", 0); err != nil || e.c.TTL(ctx, e.prefix+"forever").Val() != -1 {
		t.Fatalf("Set without TTL: %v, TTL %v", err, e.c.TTL(ctx, e.prefix+"forever").Val())
	}
	if v, ok, err := kv.GetAndDelete(ctx, "k"); v != `{"a":1}` || !ok || err != nil {
		t.Fatalf("GetAndDelete: %q %v %v", v, ok, err)
	}
	if _, ok, err := kv.GetAndDelete(ctx, "k"); ok || err != nil {
		t.Fatalf("GetAndDelete twice: %v %v", ok, err)
	}
	if err := kv.Delete(ctx, "forever"); err != nil || e.c.Exists(ctx, e.prefix+"forever").Val() != 0 {
		t.Fatalf("Delete: %v", err)
	}
	// Increment: atomic under concurrency; the TTL is set when the key is made and not pushed back.
	var wg sync.WaitGroup
	var maxSeen atomic.Int64
	for range 100 {
		wg.Go(func() {
			n, err := kv.Increment(ctx, "203.0.113.1|/sign-in/email", 10*time.Second)
			if err != nil {
				t.Error(err)
			}
			for cur := maxSeen.Load(); n > cur && !maxSeen.CompareAndSwap(cur, n); cur = maxSeen.Load() {
			}
		})
	}
	wg.Wait()
	if got := e.c.Get(ctx, e.prefix+"203.0.113.1|/sign-in/email").Val(); got != "100" || maxSeen.Load() != 100 {
		t.Fatalf("after 100 increments: %s (max seen %d)", got, maxSeen.Load())
	}
	e.c.Expire(ctx, e.prefix+"203.0.113.1|/sign-in/email", 3*time.Second)
	if _, err := kv.Increment(ctx, "203.0.113.1|/sign-in/email", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if ttl := e.c.TTL(ctx, e.prefix+"203.0.113.1|/sign-in/email").Val(); ttl > 3*time.Second {
		t.Fatalf("Increment pushed the window back: TTL %v", ttl)
	}
}

// TestSecondaryStorageDown: a Redis that does not answer is an error, not "missing".
func TestSecondaryStorageDown(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	kv, err := redisstore.NewSecondaryStorage(c, &redisstore.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := kv.Get(ctx, "k"); err == nil {
		t.Error("Get: no error")
	}
	if _, err := kv.Increment(ctx, "k", time.Second); err == nil {
		t.Error("Increment: no error")
	}
	if _, _, err := kv.GetAndDelete(ctx, "k"); err == nil {
		t.Error("GetAndDelete: no error")
	}
	if _, err := redisstore.NewSecondaryStorage(nil, nil); err == nil {
		t.Error("nil client accepted")
	}
}
