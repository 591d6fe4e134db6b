package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 13, 28, 59, 0, time.UTC)

// fakeStore answers from a map and counts calls.
type fakeStore struct {
	mu    sync.Mutex
	rows  map[string]*Result
	err   error
	calls atomic.Int64
}

func (f *fakeStore) Lookup(_ context.Context, token string) (*Result, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	r, ok := f.rows[token]
	if !ok {
		return nil, ErrNotFound
	}
	c := *r
	return &c, nil
}

func (f *fakeStore) set(token string, expires time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rows == nil {
		f.rows = map[string]*Result{}
	}
	f.rows[token] = &Result{Session: Session{ID: "s-" + token, Token: token, UserID: "u", ExpiresAt: expires}, User: User{ID: "u"}}
}

func (f *fakeStore) del(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.rows, token)
}

// credStore also checks raw credentials.
type credStore struct{ fakeStore }

func (c *credStore) LookupCredentials(ctx context.Context, cookie, authz string) (*Result, error) {
	return c.Lookup(ctx, cookie+"|"+authz)
}

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestCache(t *testing.T, s Store, ttl time.Duration, n int) (Store, *cache, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	cs := NewCache(s, ttl, n)
	var c *cache
	switch v := cs.(type) {
	case *cache:
		c = v
	case *credentialCache:
		c = v.cache
	default:
		t.Fatalf("NewCache returned %T", cs)
	}
	c.now = clk.now
	return cs, c, clk
}

func lookup(t *testing.T, s Store, token string) (*Result, error) {
	t.Helper()
	return s.Lookup(context.Background(), token)
}

func TestCache(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, f *fakeStore, c Store, clk *clock)
	}{
		{name: "hit within ttl, miss after", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			f.set("a", t0.Add(time.Hour))
			for range 3 {
				if _, err := lookup(t, c, "a"); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.calls.Load(); n != 1 {
				t.Fatalf("%d lookups, want 1", n)
			}
			clk.add(5*time.Second - time.Nanosecond)
			lookup(t, c, "a")
			if n := f.calls.Load(); n != 1 {
				t.Fatalf("%d lookups just before the ttl, want 1", n)
			}
			clk.add(time.Nanosecond)
			lookup(t, c, "a")
			if n := f.calls.Load(); n != 2 {
				t.Fatalf("%d lookups at the ttl, want 2", n)
			}
		}},
		{name: "revocation seen after ttl", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			f.set("a", t0.Add(time.Hour))
			lookup(t, c, "a")
			f.del("a")
			if _, err := lookup(t, c, "a"); err != nil {
				t.Fatalf("within the ttl: %v (the documented revocation latency)", err)
			}
			clk.add(5 * time.Second)
			if _, err := lookup(t, c, "a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("after the ttl: %v, want ErrNotFound", err)
			}
		}},
		{name: "never past the session's expiry", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			f.set("a", t0.Add(time.Second))
			lookup(t, c, "a")
			clk.add(time.Second)
			lookup(t, c, "a")
			if n := f.calls.Load(); n != 2 {
				t.Fatalf("%d lookups, want 2: the entry outlived its session", n)
			}
			f.set("b", t0) // already expired: not cached at all
			lookup(t, c, "b")
			lookup(t, c, "b")
			if n := f.calls.Load(); n != 4 {
				t.Fatalf("%d lookups, want 4", n)
			}
		}},
		{name: "not found is not cached", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			if _, err := lookup(t, c, "new"); !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
			f.set("new", t0.Add(time.Hour)) // just signed in
			if _, err := lookup(t, c, "new"); err != nil {
				t.Fatalf("got %v, want the new session", err)
			}
		}},
		{name: "errors are not cached", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			f.set("a", t0.Add(time.Hour))
			boom := errors.New("down")
			f.err = boom
			if _, err := lookup(t, c, "a"); !errors.Is(err, boom) {
				t.Fatalf("got %v", err)
			}
			f.err = nil
			if _, err := lookup(t, c, "a"); err != nil {
				t.Fatal(err)
			}
			if n := f.calls.Load(); n != 2 {
				t.Fatalf("%d lookups, want 2", n)
			}
		}},
		{name: "results are copies", run: func(t *testing.T, f *fakeStore, c Store, clk *clock) {
			f.set("a", t0.Add(time.Hour))
			r1, _ := lookup(t, c, "a")
			r1.User.ID = "mallory"
			r2, _ := lookup(t, c, "a")
			if r2.User.ID != "u" {
				t.Fatalf("a caller's change leaked into the cache: %q", r2.User.ID)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeStore{}
			c, _, clk := newTestCache(t, f, 5*time.Second, 0)
			tt.run(t, f, c, clk)
		})
	}
}

func TestCacheConstruction(t *testing.T) {
	f := &fakeStore{}
	if NewCache(f, 0, 10) != Store(f) || NewCache(f, -time.Second, 10) != Store(f) {
		t.Error("ttl ≤ 0 must return the store itself")
	}
	if _, c, _ := newTestCache(t, f, time.Hour, 0); c.ttl != MaxCacheTTL || c.max != DefaultCacheEntries {
		t.Errorf("ttl %s, max %d; want %s, %d", c.ttl, c.max, MaxCacheTTL, DefaultCacheEntries)
	}
	if _, ok := NewCache(f, time.Second, 0).(CredentialLookup); ok {
		t.Error("a cache over a plain store must not claim to check credentials")
	}
	if _, ok := NewCache(&credStore{}, time.Second, 0).(CredentialLookup); !ok {
		t.Error("a cache over a credential store must keep checking credentials")
	}
}

func TestCacheBounded(t *testing.T) {
	f := &fakeStore{}
	_, c, clk := newTestCache(t, f, time.Minute, 10)
	for i := range 100 {
		tok := fmt.Sprint("t", i)
		f.set(tok, t0.Add(time.Hour))
		if _, err := c.Lookup(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			clk.add(10 * time.Second)
		}
		if n := c.entries.Len(); n > 10 {
			t.Fatalf("%d entries, bound is 10", n)
		}
	}
}

func TestCacheCredentials(t *testing.T) {
	cs := &credStore{}
	cs.set("better-auth.session_token=x|", t0.Add(time.Hour))
	cs.set("|Bearer x", t0.Add(time.Hour))
	c, _, _ := newTestCache(t, cs, 5*time.Second, 0)
	cl := c.(CredentialLookup)
	for range 2 {
		if _, err := cl.LookupCredentials(context.Background(), "better-auth.session_token=x", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.LookupCredentials(context.Background(), "", "Bearer x"); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.calls.Load(); n != 2 {
		t.Fatalf("%d lookups, want 2", n)
	}
	// Split points matter: ("a", "b|c") and ("a|b", "c") are different credentials.
	if _, err := cl.LookupCredentials(context.Background(), "better-auth.session_token", "=x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	f := &fakeStore{}
	for i := range 50 {
		f.set(fmt.Sprint("t", i), time.Now().Add(time.Hour))
	}
	c := NewCache(f, time.Second, 20)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				tok := fmt.Sprint("t", (g*7+i)%60)
				if _, err := c.Lookup(context.Background(), tok); err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// staticStore finds one session.
type staticStore struct{ calls int }

func (s *staticStore) Lookup(_ context.Context, token string) (*Result, error) {
	s.calls++
	if token != "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq" {
		return nil, ErrNotFound
	}
	return &Result{
		Session: Session{ID: "pa2HfNEH46c23R0oPavCVSOz3KCHJz2W", Token: token, UserID: "u1", ExpiresAt: time.Now().Add(time.Hour)},
		User:    User{ID: "u1", Email: "alice@example.com"},
	}, nil
}

func ExampleNewCache() {
	db := &staticStore{} // a sqlstore, redisstore or remote store
	sessions := NewCache(db, 5*time.Second, 10_000)

	for range 3 {
		res, _ := sessions.Lookup(context.Background(), "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq")
		fmt.Println(res.User.Email)
	}
	fmt.Println("lookups:", db.calls)
	// Output:
	// alice@example.com
	// alice@example.com
	// alice@example.com
	// lookups: 1
}

// keyStore is a fakeStore with one more method, standing for an optional interface such as APIKeyStore.
type keyStore struct{ fakeStore }

func (*keyStore) KeyCount() int { return 7 }

type keyCounter interface{ KeyCount() int }

// TestStoreAsThroughCache: the session cache hides its store's other interfaces from a type assertion;
// StoreAs reaches them, and finds none where the store has none.
func TestStoreAsThroughCache(t *testing.T) {
	ks := &keyStore{}
	c := NewCache(ks, time.Second, 0)
	if _, ok := c.(keyCounter); ok {
		t.Fatal("the cache itself is a keyCounter: the test shows nothing")
	}
	got, ok := StoreAs[keyCounter](c)
	if !ok || got.KeyCount() != 7 || got != keyCounter(ks) {
		t.Fatalf("StoreAs through the cache = %v, %v; want the wrapped store", got, ok)
	}
	if got, ok := StoreAs[keyCounter](ks); !ok || got != keyCounter(ks) {
		t.Fatalf("StoreAs of the store itself = %v, %v", got, ok)
	}
	if _, ok := StoreAs[keyCounter](NewCache(&fakeStore{}, time.Second, 0)); ok {
		t.Fatal("StoreAs found a keyCounter behind a store that is none")
	}
	if _, ok := StoreAs[keyCounter](nil); ok {
		t.Fatal("StoreAs(nil) found something")
	}
}
