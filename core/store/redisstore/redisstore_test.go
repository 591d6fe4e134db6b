package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
)

func TestMain(m *testing.M) {
	storetest.UseNonUTCLocal()
	os.Exit(m.Run())
}

// redisOptions returns the test server's options, or skips (fails under CI=true) when it does not answer.
func redisOptions(t *testing.T) *redis.Options {
	t.Helper()
	opts, err := redis.ParseURL(storetest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	storetest.Require(t, "Redis", storetest.EnvRedis, c.Ping(ctx).Err())
	return opts
}

// env is one test's client and key prefix; every key under the prefix is deleted at cleanup.
type env struct {
	c      *redis.Client
	prefix string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	opts := redisOptions(t)
	opts.ContextTimeoutEnabled = true
	e := &env{c: redis.NewClient(opts), prefix: storetest.Name("gbatest:") + ":"}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := e.c.Keys(ctx, e.prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = e.c.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("cleanup: %v", err)
		}
		e.c.Close()
	})
	return e
}

func (e *env) set(t *testing.T, key string, value any) {
	t.Helper()
	if err := e.c.Set(context.Background(), e.prefix+key, value, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
}

func (e *env) store(t *testing.T, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	if opts == nil {
		opts = &redisstore.Options{}
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = e.prefix
	}
	s, err := redisstore.New(e.c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// captured is a get-session body from a real Better Auth server: the same {session, user} JSON Better Auth
// writes to secondary storage.
type captured struct {
	raw     []byte
	session map[string]any
	user    map[string]any
}

func bodies(t *testing.T) map[string]captured {
	names, raw := storetest.GetSessionBodies()
	out := map[string]captured{}
	for _, n := range names {
		var v struct{ Session, User map[string]any }
		if err := json.Unmarshal(raw[n], &v); err != nil {
			t.Fatal(err)
		}
		out[n] = captured{raw: raw[n], session: v.Session, user: v.User}
	}
	return out
}

func notFound(t *testing.T, s store.Store, tok string) {
	t.Helper()
	if res, err := s.Lookup(context.Background(), tok); !errors.Is(err, store.ErrNotFound) || res != nil {
		t.Errorf("Lookup(%q) = %v, %v; want ErrNotFound", tok, res, err)
	}
}

func unavailable(t *testing.T, s store.Store, tok string) {
	t.Helper()
	if res, err := s.Lookup(context.Background(), tok); err == nil || errors.Is(err, store.ErrNotFound) || res != nil {
		t.Fatalf("Lookup = %v, %v; want an error other than ErrNotFound", res, err)
	}
}

func TestFound(t *testing.T) {
	e := newEnv(t)
	s := e.store(t, nil)
	for name, b := range bodies(t) {
		t.Run(name, func(t *testing.T) {
			tok := b.session["token"].(string)
			e.set(t, tok, b.raw)
			res, err := s.Lookup(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			exp, _ := time.Parse(time.RFC3339Nano, b.session["expiresAt"].(string))
			created, _ := time.Parse(time.RFC3339Nano, b.session["createdAt"].(string))
			if res.Session.Token != tok || res.Session.ID != b.session["id"] || res.Session.UserID != b.user["id"] ||
				!res.Session.ExpiresAt.Equal(exp) || !res.Session.CreatedAt.Equal(created) ||
				res.Session.ExpiresAt.Location() != time.UTC || res.Session.UserAgent != "curl/7.88.1" {
				t.Errorf("session %+v", res.Session)
			}
			if res.User.ID != b.user["id"] || res.User.Email != b.user["email"] || res.User.Name != "Probe" ||
				res.User.EmailVerified || res.User.Image != "" || res.User.Additional["createdAt"] != b.user["createdAt"] {
				t.Errorf("user %+v", res.User)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	s := e.store(t, nil)
	b := bodies(t)["nocache"]
	tok := b.session["token"].(string)
	uid := b.user["id"].(string)
	e.set(t, tok, b.raw)
	e.set(t, "active-sessions-"+uid, `[{"token":"`+tok+`","expiresAt":1796477397664}]`)
	e.set(t, "revoked-sessions-before-nobody", "1")
	var bad []string // values that are not sessions
	for i, v := range []string{"null", "{}", `{"session":{},"user":{}}`, `{"session":null,"user":null}`, "garbage", `[1]`, `""`} {
		k := "bad" + strconv.Itoa(i) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		e.set(t, k, v)
		bad = append(bad, k)
	}
	e.set(t, "otherTokenAAAAAAAAAAAAAAAAAAAAAA", b.raw) // names another token
	if err := e.c.HSet(context.Background(), e.prefix+"hashKeyAAAAAAAAAAAAAAAAAAAAAAAAA", "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	for _, tok := range append(bad,
		"unknownAAAAAAAAAAAAAAAAAAAAAAAAA",
		"active-sessions-"+uid, "revoked-sessions-before-nobody",
		"otherTokenAAAAAAAAAAAAAAAAAAAAAA", "hashKeyAAAAAAAAAAAAAAAAAAAAAAAAA",
		"*", "?", tok[:31], "", "a b", "a\x00b", "\xff",
	) {
		notFound(t, s, tok)
	}
	// The prefix is part of the key: without it the session is not there.
	plain, _ := redisstore.New(e.c, nil)
	notFound(t, plain, tok)
}

func TestRevokedBefore(t *testing.T) {
	e := newEnv(t)
	s := e.store(t, nil)
	b := bodies(t)["compact"]
	tok := b.session["token"].(string)
	uid := b.user["id"].(string)
	created, _ := time.Parse(time.RFC3339Nano, b.session["createdAt"].(string))
	e.set(t, tok, b.raw)
	for _, tt := range []struct {
		name  string
		mark  string
		found bool
	}{
		{name: "no mark", found: true},
		{name: "mark at creation", mark: strconv.FormatInt(created.UnixMilli(), 10), found: true},
		{name: "mark after creation", mark: strconv.FormatInt(created.UnixMilli()+1, 10), found: false},
		{name: "mark long after", mark: strconv.FormatInt(created.Add(time.Hour).UnixMilli(), 10), found: false},
		{name: "unreadable mark", mark: "soon", found: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := "revoked-sessions-before-" + uid
			if tt.mark == "" {
				e.c.Del(context.Background(), e.prefix+key)
			} else {
				e.set(t, key, tt.mark)
			}
			_, err := s.Lookup(context.Background(), tok)
			if tt.found && err != nil {
				t.Fatalf("got %v, want the session", err)
			}
			if !tt.found && !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
	}
}

// TestFaults takes Redis away (a TCP proxy that is closed, then stalls) under a working store.
func TestFaults(t *testing.T) {
	e := newEnv(t)
	b := bodies(t)["jwt"]
	tok := b.session["token"].(string)
	e.set(t, tok, b.raw)

	opts := redisOptions(t)
	p := storetest.NewProxy(t, opts.Addr)
	opts.Addr = p.Addr()
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	defer c.Close()
	s, err := redisstore.New(c, &redisstore.Options{KeyPrefix: e.prefix, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	p.Down()
	unavailable(t, s, tok)
	unavailable(t, s, tok)
	p.Up()
	recovers(t, s, tok)

	p.Stall(true)
	p.Down() // drop pooled connections so the next lookup dials a stalled one
	p.Up()
	start := time.Now()
	unavailable(t, s, tok)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stalled lookup took %s, Timeout is 300 ms", d)
	}
	p.Stall(false)
	recovers(t, s, tok)
}

func recovers(t *testing.T, s store.Store, tok string) {
	t.Helper()
	var err error
	for range 3 {
		if _, err = s.Lookup(context.Background(), tok); err == nil {
			return
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Fatal("ErrNotFound while recovering")
		}
	}
	t.Fatalf("no recovery: %v", err)
}

func TestNew(t *testing.T) {
	if _, err := redisstore.New(nil, nil); err == nil {
		t.Error("nil client accepted")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := redisstore.New(c, &redisstore.Options{Timeout: -1}); err == nil {
		t.Error("negative timeout accepted")
	}
	// Malformed tokens never reach Redis (nothing listens on port 1).
	s, _ := redisstore.New(c, nil)
	notFound(t, s, "")
	notFound(t, s, "two words")
}
