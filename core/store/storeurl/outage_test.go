package storeurl

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
)

// The outage tests' settings. The breaker's open interval is measured by an injected clock, so recovery
// is checked by moving the clock one interval, not by sleeping it.
const (
	outageFailures = 3
	outageOpenFor  = 5 * time.Second
	outageDeadline = 300 * time.Millisecond // each request's own deadline, so a hanging service costs that
	p99Requests    = 200                    // timed one by one for the p99
	floodRequests  = 2048                   // the bounded flood: this many requests ...
	floodWorkers   = 32                     // ... from this many goroutines at once
	p99Bound       = 5 * time.Millisecond   // the bound on a 503 once the breaker is open
	goroutineSlack = 8                      // goroutines the runtime and the drivers may start or end meanwhile
	heapSlack      = 4 << 20                // live heap growth allowed over the flood
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// outageDep is a service behind a proxy, and a verifier asking it.
type outageDep struct {
	proxy    *storetest.Proxy
	a        *auth.Auth
	request  func() auth.Request // a credential the service vouches for
	stats    func() store.BreakerStats
	interval time.Duration // the probe interval
	warm     bool          // a 200 before the outage (the JWKS case starts cold: a cached key needs no fetch)
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// outageOverride replaces outageOptions' Outage when set.
var outageOverride *store.Outage

func outageOptions(c *fakeClock) *Options {
	if outageOverride != nil {
		return &Options{RemoteCacheTTL: -1, Outage: *outageOverride}
	}
	return &Options{RemoteCacheTTL: -1, Outage: store.Outage{Failures: outageFailures, OpenFor: outageOpenFor, Now: c.now, Logger: quietLog}}
}

// sessionJSON is a Better Auth secondary-storage value (and get-session body) for token.
func sessionJSON(token string, now time.Time) string {
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	return fmt.Sprintf(`{"session":{"id":"sess1","token":%q,"userId":"user1","expiresAt":%q,"createdAt":%q,"updatedAt":%q,"ipAddress":"","userAgent":""},`+
		`"user":{"id":"user1","email":"alice@example.com","name":"Alice","emailVerified":true,"image":null,"createdAt":%q,"updatedAt":%q}}`,
		token, iso(now.Add(time.Hour)), iso(now.Add(-time.Minute)), iso(now.Add(-time.Minute)), iso(now), iso(now))
}

const outageSecret = "outage-test-secret-0123456789abcdef0123"

func cookieRequest(token string) func() auth.Request {
	c := "better-auth.session_token=" + authtest.SignCookie(outageSecret, token)
	return func() auth.Request { return auth.Request{Cookie: []string{c}} }
}

func newStoreAuth(t *testing.T, c *fakeClock, st store.Store, closer io.Closer, secret bool) *auth.Auth {
	t.Helper()
	cfg := auth.Config{BaseURL: "http://127.0.0.1", Store: st, Closer: closer, Now: c.now, Logger: quietLog}
	if secret {
		cfg.Secret = outageSecret
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func redisDep(t *testing.T, c *fakeClock) *outageDep {
	opts, err := redis.ParseURL(storetest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	admin := redis.NewClient(opts)
	t.Cleanup(func() { admin.Close() })
	prefix := storetest.Name("gbaoutage:") + ":"
	token := authtest.NewSessionToken()
	storetest.Require(t, "Redis", storetest.EnvRedis, admin.Set(t.Context(), prefix+token, sessionJSON(token, c.now()), time.Minute).Err())
	t.Cleanup(func() { admin.Del(context.Background(), prefix+token) })
	p := storetest.NewProxy(t, opts.Addr)
	u, _ := url.Parse(storetest.RedisURL())
	u.Host = p.Addr()
	u.RawQuery = url.Values{"key_prefix": {prefix}}.Encode()
	st, closer, err := OpenWith(t.Context(), u.String(), outageOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	return &outageDep{proxy: p, a: newStoreAuth(t, c, st, closer, true), request: cookieRequest(token),
		stats: st.(store.BreakerReporter).BreakerStats, interval: outageOpenFor, warm: true}
}

func postgresDep(t *testing.T, c *fakeClock) *outageDep {
	root, err := sql.Open("pgx", storetest.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	storetest.Require(t, "PostgreSQL", storetest.EnvPostgres, root.PingContext(ctx))
	schema := storetest.Name("gba_outage_")
	if _, err := root.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Exec("DROP SCHEMA " + schema + " CASCADE") })
	ddl, err := os.ReadFile("../sqlstore/testdata/schema.postgres.sql")
	if err != nil {
		t.Fatal(err)
	}
	token := authtest.NewSessionToken()
	now := c.now()
	tx, err := root.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{sql: "SET LOCAL search_path TO " + schema},
		{sql: string(ddl)},
		{sql: `INSERT INTO "user" ("id","name","email","emailVerified","createdAt","updatedAt") VALUES ('user1','Alice','alice@example.com',true,$1,$1)`, args: []any{now}},
		{sql: `INSERT INTO "session" ("id","expiresAt","token","createdAt","updatedAt","userId") VALUES ('sess1',$1,$2,$3,$3,'user1')`, args: []any{now.Add(time.Hour), token, now.Add(-time.Minute)}},
	} {
		if _, err := tx.Exec(q.sql, q.args...); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(storetest.PostgresURL())
	p := storetest.NewProxy(t, u.Host)
	u.Host = p.Addr()
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, closer, err := OpenWith(t.Context(), u.String(), outageOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	return &outageDep{proxy: p, a: newStoreAuth(t, c, st, closer, true), request: cookieRequest(token),
		stats: st.(store.BreakerReporter).BreakerStats, interval: outageOpenFor, warm: true}
}

func remoteDep(t *testing.T, c *fakeClock) *outageDep {
	token := authtest.NewSessionToken()
	signed := authtest.SignCookie(outageSecret, token)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/ok":
			w.Write([]byte(`{"ok":true}`))
		case "/api/auth/get-session":
			if ck, err := r.Cookie("better-auth.session_token"); err == nil && ck.Value == signed {
				w.Write([]byte(sessionJSON(token, c.now())))
				return
			}
			w.Write([]byte("null"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	p := storetest.NewProxy(t, srv.Listener.Addr().String())
	st, closer, err := OpenWith(t.Context(), "http://"+p.Addr(), outageOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	// No secret: the cookie goes to the server as it came.
	return &outageDep{proxy: p, a: newStoreAuth(t, c, st, closer, false), request: cookieRequest(token),
		stats: st.(store.BreakerReporter).BreakerStats, interval: outageOpenFor, warm: true}
}

func jwksDep(t *testing.T, c *fakeClock) *outageDep {
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	is.SetNow(c.now)
	p := storetest.NewProxy(t, is.Server.Listener.Addr().String())
	a, err := auth.New(auth.Config{
		BaseURL: is.URL(), JWKSURL: "http://" + p.Addr() + "/api/auth/jwks", Now: c.now, Logger: quietLog,
		// MinInterval = Cooldown: the probe interval after a failed fetch is one fixed interval.
		JWKS: auth.JWKSOptions{MinInterval: outageOpenFor, Cooldown: outageOpenFor, FetchTimeout: outageDeadline},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	// One token for the whole test: its key is unknown until a fetch succeeds.
	tok := is.MustMint(authtest.Claims{ID: "user1", Email: "alice@example.com", ExpiresAt: c.now().Add(time.Hour)})
	return &outageDep{proxy: p, a: a, stats: a.JWKSBreakerStats, interval: outageOpenFor,
		request: func() auth.Request { return auth.Request{Authorization: []string{"Bearer " + tok}} }}
}

// ask sends one request within outageDeadline and returns its status, Retry-After and duration.
func (d *outageDep) ask() (status, retryAfter int, took time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), outageDeadline)
	defer cancel()
	r := d.request()
	start := time.Now()
	_, err := d.a.Authenticate(ctx, r)
	took = time.Since(start)
	resp := auth.NewErrorResponse(err)
	return resp.Status, resp.RetryAfter, took
}

// unavailable asks once and fails unless the answer is 503 with a Retry-After: never a 200 for a
// credential that could not be checked, never a 401 because the service is down.
func (d *outageDep) unavailable(t *testing.T, when string) time.Duration {
	t.Helper()
	status, retry, took := d.ask()
	if status != http.StatusServiceUnavailable || retry < 1 {
		t.Fatalf("%s: status %d, Retry-After %d; want 503 with Retry-After", when, status, retry)
	}
	return took
}

func TestOutage(t *testing.T) {
	deps := []struct {
		name string
		new  func(*testing.T, *fakeClock) *outageDep
	}{
		{name: "redis", new: redisDep},
		{name: "postgres", new: postgresDep},
		{name: "remote", new: remoteDep},
		{name: "jwks", new: jwksDep},
	}
	modes := []struct {
		name          string
		down, recover func(p *storetest.Proxy)
	}{
		{name: "refuse", down: func(p *storetest.Proxy) { p.Down() }, recover: func(p *storetest.Proxy) { p.Up() }},
		// Down and Up drop pooled connections, so the next lookup dials into the stall or the reset.
		{name: "hang", down: func(p *storetest.Proxy) { p.Stall(true); p.Down(); p.Up() }, recover: func(p *storetest.Proxy) { p.Stall(false); p.Down(); p.Up() }},
		{name: "reset", down: func(p *storetest.Proxy) { p.Reset(true); p.Down(); p.Up() }, recover: func(p *storetest.Proxy) { p.Reset(false) }},
	}
	for _, dep := range deps {
		for _, mode := range modes {
			t.Run(dep.name+"/"+mode.name, func(t *testing.T) {
				c := &fakeClock{t: time.Now()}
				d := dep.new(t, c)
				if d.warm {
					if status, _, _ := d.ask(); status != http.StatusOK {
						t.Fatalf("before the outage: status %d", status)
					}
				}
				mode.down(d.proxy)

				// Closed: failures are answered 503 (not 401) until the run opens the breaker.
				for i := 0; d.stats().State != "open"; i++ { // bounded: fails after a few
					if i == outageFailures+2 {
						t.Fatalf("breaker not open after %d failures: %+v", i, d.stats())
					}
					d.unavailable(t, "closed")
				}
				waitSettled(d)

				// Open: p99 of the 503s, no dial, and a bounded flood leaves goroutines and memory flat.
				dials := d.proxy.Accepted()
				goroutines, heap := settledGoroutines(), liveHeap()
				durs := make([]time.Duration, p99Requests)
				for i := range durs {
					durs[i] = d.unavailable(t, "open")
				}
				slices.Sort(durs)
				p99 := durs[len(durs)*99/100-1]
				flood(t, d)
				g2, h2 := settledGoroutines(), liveHeap()
				st := d.stats()
				t.Logf("open: p99 %v (max %v) over %d; dials %d → %d; goroutines %d → %d; live heap %d → %d KiB; stats %+v",
					p99, durs[len(durs)-1], p99Requests, dials, d.proxy.Accepted(), goroutines, g2, heap>>10, h2>>10, st)
				bound := p99Bound
				if raceEnabled {
					bound *= 4 // the 5 ms bound is checked without -race (race_off_test.go)
				}
				if p99 > bound {
					t.Errorf("p99 of a 503 with the breaker open is %v, want ≤ %v", p99, bound)
				}
				if n := d.proxy.Accepted(); n != dials {
					t.Errorf("%d dials reached the service while the breaker was open", n-dials)
				}
				if g2 > goroutines+goroutineSlack {
					t.Errorf("goroutines %d → %d over the flood", goroutines, g2)
				}
				if h2 > heap+heapSlack {
					t.Errorf("live heap %d → %d bytes over the flood", heap, h2)
				}
				if st.Rejected < p99Requests+floodRequests {
					t.Errorf("rejected %d, want every one of the %d requests", st.Rejected, p99Requests+floodRequests)
				}

				// Half-open, still down: the probe fails (503), others are answered at once meanwhile, and
				// the breaker opens again.
				c.add(d.interval)
				probed := make(chan struct{})
				go func() {
					defer close(probed)
					d.ask()
				}()
				if mode.name == "hang" {
					for wait := time.Now().Add(time.Second); d.stats().State != "half-open"; {
						if time.Now().After(wait) {
							t.Fatalf("no probe: %+v", d.stats())
						}
						select {
						case <-probed:
							t.Fatal("the probe ended before it was seen half-open")
						default:
							runtime.Gosched()
						}
					}
					// The probe's own dial reaches the proxy a moment after the state changes.
					for wait := time.Now().Add(time.Second); d.proxy.Accepted() == dials && time.Now().Before(wait); {
						time.Sleep(time.Millisecond)
					}
					before := d.proxy.Accepted()
					for range 10 {
						if took := d.unavailable(t, "half-open"); took > 50*time.Millisecond {
							t.Errorf("a request during the probe waited %v", took)
						}
					}
					if n := d.proxy.Accepted() - before; n != 0 {
						t.Errorf("%d dials during the probe", n)
					}
				}
				<-probed
				waitSettled(d)
				if st := d.stats(); st.State != "open" || st.Opened < 2 {
					t.Errorf("after a failed probe: %+v, want open again", st)
				}

				// Recovered: still open until the interval passes (503 without a dial), then the probe closes it.
				mode.recover(d.proxy)
				d.unavailable(t, "recovered, still open")
				c.add(d.interval)
				if status, _, _ := d.ask(); status != http.StatusOK {
					t.Fatalf("one probe interval after recovery: status %d, stats %+v", status, d.stats())
				}
				if st := d.stats(); st.State != "closed" || st.Closed != 1 {
					t.Errorf("after recovery: %+v", st)
				}
				if status, _, _ := d.ask(); status != http.StatusOK {
					t.Fatalf("closed again: status %d", status)
				}
			})
		}
	}
}

// flood sends floodRequests from floodWorkers goroutines; every answer must be 503.
func flood(t *testing.T, d *outageDep) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := map[int]int{}
	per := floodRequests / floodWorkers
	for range floodWorkers {
		wg.Go(func() {
			for range per {
				if status, _, _ := d.ask(); status != http.StatusServiceUnavailable {
					mu.Lock()
					bad[status]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("flood answers other than 503: %v", bad)
	}
}

// waitSettled waits (briefly, in real time) until no probe or lookup is under way and no dial started
// before has yet to reach the proxy: a JWKS fetch runs on its own goroutine, a stalled lookup ends at its
// deadline, and database/sql and pgx may still dial for a lookup that has ended (a cancel request).
func waitSettled(d *outageDep) {
	deadline := time.Now().Add(2 * time.Second)
	last, stable := d.proxy.Accepted(), 0
	for time.Now().Before(deadline) && stable < 10 {
		time.Sleep(10 * time.Millisecond)
		st, n := d.stats(), d.proxy.Accepted()
		if st.State == "half-open" || st.Waiting != 0 || n != last {
			last, stable = n, 0
			continue
		}
		stable++
	}
}

func settledGoroutines() int {
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	return runtime.NumGoroutine()
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestOutageMaxWaiting: with the breaker off, a hanging service holds at most MaxWaiting lookups; the
// others are answered 503 at once, without a dial.
func TestOutageMaxWaiting(t *testing.T) {
	const maxWaiting = 4
	c := &fakeClock{t: time.Now()}
	for _, dep := range []struct {
		name string
		new  func(*testing.T, *fakeClock) *outageDep
	}{
		{name: "redis", new: redisDep},
		{name: "postgres", new: postgresDep},
		{name: "remote", new: remoteDep},
	} {
		t.Run(dep.name, func(t *testing.T) {
			outageOverride = &store.Outage{Failures: -1, MaxWaiting: maxWaiting, Logger: quietLog}
			defer func() { outageOverride = nil }()
			d := dep.new(t, c)
			if status, _, _ := d.ask(); status != http.StatusOK {
				t.Fatalf("before the outage: status %d", status)
			}
			d.proxy.Stall(true)
			d.proxy.Down()
			d.proxy.Up()
			d.unavailable(t, "the pooled connection is gone") // database/sql fails fast on the dead one
			var wg sync.WaitGroup
			for range maxWaiting {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					if _, err := d.a.Authenticate(ctx, d.request()); auth.HTTPStatus(err) != http.StatusServiceUnavailable {
						t.Errorf("a waiting lookup ended with %v", err)
					}
				})
			}
			for wait := time.Now().Add(time.Second); d.stats().Waiting < maxWaiting; {
				if time.Now().After(wait) {
					t.Fatalf("the lookups do not wait: %+v", d.stats())
				}
				runtime.Gosched()
			}
			for wait := time.Now().Add(time.Second); d.proxy.Accepted() < maxWaiting && time.Now().Before(wait); {
				time.Sleep(time.Millisecond)
			}
			dials := d.proxy.Accepted()
			var worst time.Duration
			for range 50 {
				worst = max(worst, d.unavailable(t, "over MaxWaiting"))
			}
			st := d.stats()
			t.Logf("over MaxWaiting: slowest 503 %v; dials %d → %d; stats %+v", worst, dials, d.proxy.Accepted(), st)
			if st.Shed != 50 || st.Waiting != maxWaiting {
				t.Errorf("stats %+v, want 50 shed and %d waiting", st, maxWaiting)
			}
			// The 50 shed lookups never reach the driver (Shed counts them), so they dial nothing; the only dials
			// allowed meanwhile are the waiting lookups' own retries (at most one each: max_retries 1), which a
			// loaded machine can delay into this window. A shed lookup that dialled would show 50 or more.
			if n := d.proxy.Accepted(); n-dials > maxWaiting {
				t.Errorf("%d dials over MaxWaiting (at most %d retries of the waiting lookups allowed)", n-dials, maxWaiting)
			}
			if worst > 50*time.Millisecond {
				t.Errorf("a lookup over MaxWaiting waited %v", worst)
			}
			wg.Wait()
		})
	}
}
