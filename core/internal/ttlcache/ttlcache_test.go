package ttlcache

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestCache(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, c *Cache[string, int])
	}{
		{name: "hit before expiry", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("a", 1, t0.Add(time.Second), t0)
			if v, ok := c.Get("a", t0.Add(time.Second-1)); !ok || v != 1 {
				t.Fatalf("got %d, %v", v, ok)
			}
		}},
		{name: "miss at expiry, and dropped", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("a", 1, t0.Add(time.Second), t0)
			if _, ok := c.Get("a", t0.Add(time.Second)); ok {
				t.Fatal("hit at expiry")
			}
			if n := c.Len(); n != 0 {
				t.Fatalf("%d entries after an expired read", n)
			}
		}},
		{name: "expired put not stored", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("a", 1, t0, t0)
			if n := c.Len(); n != 0 {
				t.Fatalf("%d entries", n)
			}
		}},
		{name: "put replaces", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("a", 1, t0.Add(time.Second), t0)
			c.Put("a", 2, t0.Add(time.Hour), t0)
			if v, ok := c.Get("a", t0.Add(time.Minute)); !ok || v != 2 {
				t.Fatalf("got %d, %v", v, ok)
			}
		}},
		{name: "delete", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("a", 1, t0.Add(time.Hour), t0)
			c.Delete("a")
			if _, ok := c.Get("a", t0); ok {
				t.Fatal("hit after delete")
			}
		}},
		{name: "bounded, expired evicted first", run: func(t *testing.T, c *Cache[string, int]) {
			c.Put("old", 0, t0.Add(time.Second), t0)
			for i := range 100 {
				c.Put(fmt.Sprint(i), i, t0.Add(time.Hour), t0.Add(2*time.Second))
				if n := c.Len(); n > 10 {
					t.Fatalf("%d entries, bound is 10", n)
				}
				if i == 9 { // the cache was full at the 10th put: "old", expired by then, went first
					if _, ok := c.Get("old", t0); ok {
						t.Fatal("the expired entry survived eviction")
					}
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, New[string, int](10))
		})
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := New[int, int](64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				now := t0.Add(time.Duration(i) * time.Millisecond)
				c.Put((g*1000+i)%100, i, now.Add(10*time.Millisecond), now)
				c.Get(i%100, now)
				if i%50 == 0 {
					c.Delete(i % 100)
				}
			}
		})
	}
	wg.Wait()
	if n := c.Len(); n > 64 {
		t.Fatalf("%d entries, bound is 64", n)
	}
}
