package interop_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// The shared rate-limit tests: several servers with RateLimit.Storage "secondary-storage" (one Redis) or
// "database" (one rateLimit table) enforce one window together, Go and Node alike.

// rateLimited edits a Go server's config: rate limiting on, the default rule max per window, counters in
// storage, and the client IP taken from X-Forwarded-For (set by the test, as a proxy on loopback would).
func rateLimited(storage string, window time.Duration, max int) func(*authserver.Config) {
	return func(c *authserver.Config) {
		on := true
		c.RateLimit = authserver.RateLimitConfig{Enabled: &on, Window: window, Max: max, Storage: storage}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
}

// burst sends n concurrent GET /ok requests from client ip, spread over servers, and counts the answers
// by status.
func burst(t *testing.T, servers []*interop.Server, ip string, n int) map[int]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		s := servers[i%len(servers)]
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.AuthURL("/ok"), nil)
			req.Header.Set("X-Forwarded-For", ip)
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			got[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return got
}

// TestRateLimitAcrossGoServers: 200 concurrent requests spread over three Go servers sharing one store get
// exactly Max 200s and the rest 429s.
func TestRateLimitAcrossGoServers(t *testing.T) {
	t.Parallel()
	const n, max = 200, 50
	for _, kind := range []string{"secondary-storage", "database-postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var dbURL string
			edit := rateLimited(authserver.RateLimitDatabase, time.Minute, max)
			switch kind {
			case "secondary-storage":
				redisURL, prefix, clean, err := newRedisPrefix(ctx)
				requireFixture(t, err)
				t.Cleanup(clean)
				opts, err := redis.ParseURL(redisURL)
				if err != nil {
					t.Fatal(err)
				}
				rdb := redis.NewClient(opts)
				t.Cleanup(func() { rdb.Close() })
				kv, err := redisstore.NewSecondaryStorage(rdb, &redisstore.Options{KeyPrefix: prefix})
				if err != nil {
					t.Fatal(err)
				}
				dbURL = "sqlite:" + filepath.Join(t.TempDir(), "auth.db")
				limit := rateLimited(authserver.RateLimitSecondaryStorage, time.Minute, max)
				edit = func(c *authserver.Config) { limit(c); c.SecondaryStorage = kv }
			case "database-postgres":
				u, drop, err := newPostgresDatabase(ctx)
				requireFixture(t, err)
				t.Cleanup(drop)
				dbURL = u
			}
			var servers []*interop.Server
			for range 3 {
				servers = append(servers, startGoServer(t, dbURL, interop.DefaultSecret, edit))
			}
			start := time.Now()
			got := burst(t, servers, "203.0.113.10", n)
			t.Logf("%s: %d concurrent requests over 3 Go servers in %v: %v", kind, n, time.Since(start).Round(time.Millisecond), got)
			if got[200] != max || got[429] != n-max {
				t.Fatalf("answers %v; want %d × 200 and %d × 429", got, max, n-max)
			}
		})
	}
}

// TestRateLimitGoAndNode: a Go and a Node server count one window together, through Redis
// (rateLimit.storage "secondary-storage") or the rateLimit table of a shared SQLite file ("database").
func TestRateLimitGoAndNode(t *testing.T) {
	t.Parallel()
	const max = 10
	for _, storage := range []string{authserver.RateLimitSecondaryStorage, authserver.RateLimitDatabase} {
		t.Run(storage, func(t *testing.T) {
			env := map[string]string{"RATE_LIMIT": storage, "RATE_LIMIT_WINDOW": "60", "RATE_LIMIT_MAX": fmt.Sprint(max)}
			p := newRedisPair(t, env, rateLimited(storage, time.Minute, max))
			servers := []*interop.Server{p.goSrv, p.node}
			// One at a time, alternating (26 requests): the 11th and every later one is refused, whichever
			// server it reaches.
			var got [2]map[int]int
			for i := range 2 * (max + 3) {
				if got[i%2] == nil {
					got[i%2] = map[int]int{}
				}
				for status, k := range burst(t, servers[i%2:i%2+1], "203.0.113.11", 1) {
					got[i%2][status] += k
				}
			}
			t.Logf("%s: go %v, node %v", storage, got[0], got[1])
			if got[0][200]+got[1][200] != max || got[0][429]+got[1][429] != max+6 || got[0][429] == 0 || got[1][429] == 0 {
				t.Fatalf("go %v, node %v: want %d × 200 in all, and 429s from both", got[0], got[1], max)
			}
			if storage != authserver.RateLimitSecondaryStorage {
				return
			}
			// Concurrently, from another client: still exactly max through.
			all := burst(t, servers, "203.0.113.12", 40)
			t.Logf("%s: 40 concurrent requests over Go and Node: %v", storage, all)
			if all[200] != max || all[429] != 40-max {
				t.Fatalf("answers %v; want %d × 200 and %d × 429", all, max, 40-max)
			}
		})
	}
}

// TestMigrateRateLimitTable: sqlstore.RateLimitTable plans exactly what Better Auth's migrator makes for
// rateLimit.storage "database", and afterwards Better Auth finds nothing to do.
func TestMigrateRateLimitTable(t *testing.T) {
	interop.Require(t)
	tables := []sqlstore.Table{sqlstore.RateLimitTable}
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			env = maps.Clone(env)
			env["RATE_LIMIT"] = "database"
			if p, plan := nodeMigrate(t, "plan", env), goMigrateWith(t, u, true, tables); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, tables)
			if p := nodeMigrate(t, "plan", env); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}
