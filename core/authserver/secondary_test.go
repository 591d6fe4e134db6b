package authserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// memKV is an in-memory store.SecondaryStorage on the test clock; down makes every call fail.
type memKV struct {
	mu   sync.Mutex
	now  func() time.Time
	m    map[string]string
	exp  map[string]time.Time
	down bool
}

func newMemKV(now func() time.Time) *memKV {
	return &memKV{now: now, m: map[string]string{}, exp: map[string]time.Time{}}
}

var errKVDown = errors.New("memkv: down")

func (k *memKV) live(key string) (string, bool) {
	v, ok := k.m[key]
	if e, has := k.exp[key]; ok && has && !k.now().Before(e) {
		delete(k.m, key)
		delete(k.exp, key)
		return "", false
	}
	return v, ok
}

func (k *memKV) Get(_ context.Context, key string) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return "", false, errKVDown
	}
	v, ok := k.live(key)
	return v, ok, nil
}

func (k *memKV) Set(_ context.Context, key, value string, ttl time.Duration) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return errKVDown
	}
	k.m[key] = value
	delete(k.exp, key)
	if ttl > 0 {
		k.exp[key] = k.now().Add(ttl)
	}
	return nil
}

func (k *memKV) Delete(_ context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return errKVDown
	}
	delete(k.m, key)
	delete(k.exp, key)
	return nil
}

func (k *memKV) Increment(_ context.Context, key string, ttl time.Duration) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return 0, errKVDown
	}
	v, ok := k.live(key)
	n, _ := strconv.ParseInt(v, 10, 64)
	n++
	k.m[key] = strconv.FormatInt(n, 10)
	if !ok {
		k.exp[key] = k.now().Add(ttl)
	}
	return n, nil
}

func (k *memKV) GetAndDelete(ctx context.Context, key string) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return "", false, errKVDown
	}
	v, ok := k.live(key)
	delete(k.m, key)
	return v, ok, nil
}

func (k *memKV) ttl(key string) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.exp[key].Sub(k.now())
}

func (k *memKV) setDown(d bool) { k.mu.Lock(); k.down = d; k.mu.Unlock() }

func sessionRows(t *testing.T, s *testServer) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM "session"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSecondaryStorageSessions: with SecondaryStorage, sessions are Better Auth's keys in it (and rows in
// the database only with StoreSessionInDatabase), and every session endpoint goes through them.
func TestSecondaryStorageSessions(t *testing.T) {
	for _, tc := range []struct {
		name           string
		inDB, preserve bool
		rows, live     int // session rows (and live ones) after revoke-other-sessions
	}{
		{name: "secondary-only"},
		{name: "storeSessionInDatabase", inDB: true, rows: 1, live: 1},
		{name: "preserveSessionInDatabase", inDB: true, preserve: true, rows: 4, live: 1}, // ended rows kept
	} {
		t.Run(tc.name, func(t *testing.T) {
			var kv *memKV
			s := newServer(t, func(c *authserver.Config) {
				kv = newMemKV(c.Auth.Now)
				c.SecondaryStorage = kv
				c.Session.StoreSessionInDatabase, c.Session.PreserveSessionInDatabase = tc.inDB, tc.preserve
				c.User.DeleteUser.Enabled = true
			})
			b := s.browser(t)
			up := b.do("POST", "/sign-up/email", `{"email":"kv@example.com","password":"password123","name":"KV"}`)
			if up.status != 200 {
				t.Fatalf("sign-up: %d %s", up.status, up.body)
			}
			token := up.json["token"].(string)
			userID := up.json["user"].(map[string]any)["id"].(string)
			raw, ok, _ := kv.Get(t.Context(), token)
			if !ok || !strings.Contains(raw, `"token":"`+token+`"`) || !strings.Contains(raw, `"email":"kv@example.com"`) {
				t.Fatalf("stored value %q", raw)
			}
			if got := kv.ttl(token); got != 7*24*time.Hour {
				t.Errorf("session TTL %v, want 7 days", got)
			}
			var list []struct {
				Token     string
				ExpiresAt int64
			}
			refs, _, _ := kv.Get(t.Context(), "active-sessions-"+userID)
			if json.Unmarshal([]byte(refs), &list) != nil || len(list) != 1 || list[0].Token != token {
				t.Fatalf("active-sessions %q", refs)
			}
			if want := 0; tc.inDB {
				want = 1
				if n := sessionRows(t, s); n != want {
					t.Fatalf("%d session rows, want %d", n, want)
				}
			} else if n := sessionRows(t, s); n != want {
				t.Fatalf("%d session rows, want %d", n, want)
			}
			// The verifier reads it too.
			if a := b.do("GET", "/get-session", ""); a.status != 200 || a.json["session"] == nil {
				t.Fatalf("get-session: %d %s", a.status, a.body)
			}
			// Sliding refresh rewrites the value and its TTL.
			s.clk.add(25 * time.Hour)
			if a := b.do("GET", "/get-session", ""); a.status != 200 || a.json["session"] == nil {
				t.Fatalf("get-session after a day: %d %s", a.status, a.body)
			}
			if got := kv.ttl(token); got != 7*24*time.Hour {
				t.Errorf("TTL after the refresh %v, want 7 days", got)
			}
			// update-user rewrites the user of the stored session.
			if a := b.do("POST", "/update-user", `{"name":"Renamed"}`); a.status != 200 {
				t.Fatalf("update-user: %d %s", a.status, a.body)
			}
			if raw, _, _ := kv.Get(t.Context(), token); !strings.Contains(raw, `"name":"Renamed"`) {
				t.Fatalf("stored user not refreshed: %s", raw)
			}
			// A second browser; list-sessions sees both; revoke-other-sessions ends it.
			b2 := s.browser(t)
			if a := b2.do("POST", "/sign-in/email", `{"email":"kv@example.com","password":"password123"}`); a.status != 200 {
				t.Fatalf("sign-in: %d %s", a.status, a.body)
			}
			s.clk.add(time.Second)
			b3 := s.browser(t)
			b3.do("POST", "/sign-in/email", `{"email":"kv@example.com","password":"password123"}`)
			b.do("POST", "/sign-in/email", `{"email":"kv@example.com","password":"password123"}`) // fresh for list-sessions
			if a := b.do("GET", "/list-sessions", ""); a.status != 200 || strings.Count(a.body, `"token"`) != 3 {
				t.Fatalf("list-sessions: %d %s", a.status, a.body)
			}
			if a := b.do("POST", "/revoke-other-sessions", ""); a.status != 200 {
				t.Fatalf("revoke-other-sessions: %d %s", a.status, a.body)
			}
			for _, o := range []*browser{b2, b3} {
				if a := o.do("GET", "/get-session", ""); a.body != "null" {
					t.Fatalf("a revoked session answers %s", a.body)
				}
			}
			if n := sessionRows(t, s); n != tc.rows {
				t.Errorf("%d session rows, want %d", n, tc.rows)
			}
			var live int
			if err := s.db.QueryRow(`SELECT COUNT(*) FROM "session" WHERE "expiresAt" > ?`, s.clk.now().UTC().Format("2006-01-02T15:04:05.000Z")).Scan(&live); err != nil || live != tc.live {
				t.Errorf("%d live session rows, want %d (%v)", live, tc.live, err)
			}
			// delete-user ends the last one.
			if a := b.do("POST", "/delete-user", `{"password":"password123"}`); a.status != 200 {
				t.Fatalf("delete-user: %d %s", a.status, a.body)
			}
			if _, ok, _ := kv.Get(t.Context(), "active-sessions-"+userID); ok {
				t.Error("active-sessions list left after delete-user")
			}
			if _, ok, _ := kv.Get(t.Context(), "revoked-sessions-before-"+userID); !ok {
				t.Error("no revoked-sessions-before mark after delete-user")
			}
			if n := sessionRows(t, s); n != 0 {
				t.Errorf("%d session rows left after delete-user, want 0 (Better Auth deletes them)", n)
			}
		})
	}
}

// TestSecondaryStorageDown: a secondary storage that cannot answer is 503, not "signed out".
func TestSecondaryStorageDown(t *testing.T) {
	var kv *memKV
	s := newServer(t, func(c *authserver.Config) { kv = newMemKV(c.Auth.Now); c.SecondaryStorage = kv })
	b := s.browser(t)
	if a := b.do("POST", "/sign-up/email", `{"email":"down@example.com","password":"password123","name":"D"}`); a.status != 200 {
		t.Fatalf("sign-up: %d %s", a.status, a.body)
	}
	kv.setDown(true)
	if a := b.do("GET", "/get-session", ""); a.status != 503 {
		t.Fatalf("get-session with storage down: %d %s", a.status, a.body)
	}
	kv.setDown(false)
	if a := b.do("GET", "/get-session", ""); a.status != 200 || a.json["session"] == nil {
		t.Fatalf("get-session after recovery: %d %s", a.status, a.body)
	}
}

// TestRateLimitStorageDown: RateLimit.FailOpen decides what a request gets when the counters cannot be
// reached (Redis down, the database closed): 503 with Retry-After (closed, the default) or through (open);
// never a crash.
func TestRateLimitStorageDown(t *testing.T) {
	for _, storage := range []string{authserver.RateLimitSecondaryStorage, authserver.RateLimitDatabase} {
		for _, tc := range []struct {
			name     string
			failOpen bool
			want     int
		}{{"closed", false, 503}, {"open", true, 200}} {
			t.Run(storage+"/"+tc.name, func(t *testing.T) {
				var kv *memKV
				s := newServer(t, func(c *authserver.Config) {
					kv = newMemKV(c.Auth.Now)
					on := true
					c.SecondaryStorage = kv
					c.RateLimit = authserver.RateLimitConfig{Enabled: &on, Max: 2, FailOpen: tc.failOpen, Storage: storage}
				})
				if _, err := sqlstore.Migrate(t.Context(), s.db, sqlstore.SQLite, &sqlstore.MigrateOptions{Tables: []sqlstore.Table{sqlstore.RateLimitTable}}); err != nil {
					t.Fatal(err)
				}
				b := s.browser(t)
				for i, want := range []int{200, 200, 429} {
					if a := b.do("GET", "/ok", ""); a.status != want {
						t.Fatalf("request %d: %d %s, want %d", i+1, a.status, a.body, want)
					}
				}
				if storage == authserver.RateLimitSecondaryStorage {
					if n, _, _ := kv.Get(t.Context(), "192.0.2.1|/ok"); n != "3" {
						t.Fatalf("counter 192.0.2.1|/ok = %q, want 3 (Better Auth counts refusals too)", n)
					}
					kv.setDown(true)
				} else {
					var count int
					if err := s.db.QueryRow(`SELECT "count" FROM "rateLimit" WHERE "key" = '192.0.2.1|/ok'`).Scan(&count); err != nil || count != 2 {
						t.Fatalf("rateLimit row count %d, %v; want 2 (refusals are not counted)", count, err)
					}
					s.db.Close()
				}
				a := b.do("GET", "/ok", "")
				if a.status != tc.want {
					t.Fatalf("storage down: %d %s, want %d", a.status, a.body, tc.want)
				}
				if tc.want == 503 && a.header.Get("Retry-After") != "5" {
					t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
				}
			})
		}
	}
}

// TestRateLimitStorageConfig: the Storage values and what each needs.
func TestRateLimitStorageConfig(t *testing.T) {
	on := true
	db, _ := testdb.SQLite(t)
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		storage string
		kv      bool
		ok      bool
	}{
		{"memory", "memory", false, true},
		{"database", "database", false, true},
		{"secondary without storage", "secondary-storage", false, false},
		{"secondary", "secondary-storage", true, true},
		{"unknown", "redis", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := authserver.Config{Auth: auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40)), DisableJWKS: true},
				Database: st, RateLimit: authserver.RateLimitConfig{Enabled: &on, Storage: tc.storage}}
			if tc.kv {
				cfg.SecondaryStorage = newMemKV(time.Now)
			}
			a, err := authserver.New(cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("New: %v, want ok %v", err, tc.ok)
			}
			if err == nil {
				a.Close()
			} else if !errors.Is(err, auth.ErrInvalidConfig) || !strings.Contains(err.Error(), "RateLimit.Storage") {
				t.Errorf("error %q does not name RateLimit.Storage", err)
			}
		})
	}
	if _, err := authserver.New(authserver.Config{Auth: auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40))},
		Database: st, Session: authserver.SessionConfig{StoreSessionInDatabase: true}}); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("StoreSessionInDatabase without SecondaryStorage: %v", err)
	}
}

// TestSecondaryStorageSessionAfterRevocation: a request that ends every session of its user and then signs
// them in (following a verification link with AutoSignInAfterVerification) keeps the new session, although
// the clock moved on between the request's start and the revoked-sessions-before mark.
func TestSecondaryStorageSessionAfterRevocation(t *testing.T) {
	box := &mail.Outbox{}
	var mu sync.Mutex
	var tick time.Time
	s := newServer(t, func(c *authserver.Config) {
		tick = c.Auth.Now()
		c.Auth.Now = func() time.Time { // a clock that moves 1 ms at every reading
			mu.Lock()
			defer mu.Unlock()
			tick = tick.Add(time.Millisecond)
			return tick
		}
		c.SecondaryStorage = newMemKV(c.Auth.Now)
		c.Mailer = box
		c.EmailVerification.AutoSignInAfterVerification = true
	})
	b := s.browser(t)
	b.do("POST", "/sign-up/email", `{"name":"R","email":"r@example.com","password":"password123"}`).want(t, 200, "")
	b.do("POST", "/send-verification-email", `{"email":"r@example.com"}`).want(t, 200, "")
	link := pathOf(t, nextMail(t, box, "r@example.com", authserver.EmailVerify).URL)
	if r := b.do("GET", link, ""); r.status != 302 || r.cookieValue("better-auth.session_token") == "" {
		t.Fatalf("verify-email: %d %s", r.status, r.body)
	}
	if g := b.do("GET", "/get-session", ""); g.json["session"] == nil {
		t.Fatalf("the session made after the revocation is gone: %s", g.body)
	}
}
