// Command loadtest runs a small production-like deployment on loopback and drives it with a mixed workload
// at a fixed arrival rate while faults are injected on a schedule, then checks the invariants that must hold
// whatever fails:
//
//   - no false accept: a signed-out session cookie, a forged JWT or cookie, or a wrong password is never
//     accepted;
//   - no lost write: every sign-up, password change and password reset answered 200 is there afterwards;
//   - no wrong refusal: a valid credential is never answered 401 (or a null session); during an outage the
//     answer is 503.
//
// The deployment: three examples/server instances (built from this repository) and one Node Better Auth
// server (interop/server.mjs) on the same PostgreSQL database, behind a round-robin reverse proxy; the
// verify-only API examples/nethttp; TCP proxies in front of PostgreSQL (and Redis, with -redis-env) that add
// latency, drop connections and go down. The faults: PostgreSQL latency, pg_terminate_backend of every
// connection, PostgreSQL unreachable, one Go instance killed with SIGKILL and restarted, connections dropped
// repeatedly, the JWT signing key expired (the instances rotate it), Redis restarted (with -redis-env), one
// Go instance stopped with SIGTERM and restarted.
//
//	make loadtest                 # 60 s
//	DURATION=10m make loadtest    # longer
//	cd loadtest && go run . -h    # every flag
//
// It prints a table per phase (requests by outcome, p50 and p99 latency), the invariants, and one last
// line, "loadtest: requests=N false_accepts=N lost_writes=N wrong_refusals=N"; it exits with status 1 when
// an invariant is broken, 2 when the deployment could not be set up. Files go to -out: report.txt,
// report.json, loadtest.png (throughput and latency over time, faults marked) and every process's log.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	envPostgres     = "GOBETTERAUTH_TEST_POSTGRES_URL"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

type config struct {
	duration    time.Duration
	rate        float64
	instances   int
	maxInflight int
	out, repo   string
	postgres    string
	redisEnv    string
	rotation    time.Duration
	node        bool
	sample      int
}

func main() {
	var c config
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the load runs (the faults are spread over it)")
	flag.Float64Var(&c.rate, "rate", 20, "operations started per second (open model: fixed arrival rate)")
	flag.IntVar(&c.instances, "instances", 3, "Go server instances (examples/server)")
	flag.IntVar(&c.maxInflight, "max-inflight", 200, "operations in flight at most; arrivals beyond it are counted as shed")
	flag.StringVar(&c.out, "out", "out", "directory for the report, the plot and the logs")
	flag.StringVar(&c.repo, "repo", "..", "the repository's root (examples/ and interop/ are built and run from it)")
	flag.StringVar(&c.postgres, "postgres", cmp.Or(os.Getenv(envPostgres), defaultPostgres), "PostgreSQL URL of a role that may create databases (env "+envPostgres+")")
	flag.StringVar(&c.redisEnv, "redis-env", "", "when set, a redis-server of the run's own (behind a fault proxy) is given to the Go servers in this environment variable, and restarted as a fault")
	flag.DurationVar(&c.rotation, "jwks-rotation", 0, "the JWT plugin's rotation interval on every server (0: none; the jwt-rotate fault expires the key anyway)")
	flag.BoolVar(&c.node, "node", true, "put a Node Better Auth server (interop/server.mjs) behind the balancer too")
	flag.IntVar(&c.sample, "verify-sample", 150, "users whose password never changed that are signed in again at the end (every changed one is)")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("loadtest: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, c)
	if err != nil {
		log.Print(err)
		fmt.Println("loadtest: setup failed:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// cluster is everything the run started.
type cluster struct {
	db       *database
	pgProxy  *faultProxy
	redis    *redisServer
	rdProxy  *faultProxy
	goProcs  []*proc
	node     *proc
	api      *proc
	lb       *balancer
	lbURL    string
	cleanups []func()
}

func (cl *cluster) close() {
	for i := len(cl.cleanups) - 1; i >= 0; i-- {
		cl.cleanups[i]()
	}
}

func run(ctx context.Context, c config) (int, error) {
	repo, err := filepath.Abs(c.repo)
	if err != nil {
		return 0, err
	}
	out, err := filepath.Abs(c.out)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
		return 0, err
	}
	cl := &cluster{}
	defer cl.close()
	if err := setup(ctx, c, repo, out, cl); err != nil {
		return 0, err
	}

	// The schedule: warm-up, one phase per fault, recovery.
	type fault struct {
		name string
		act  func(ctx context.Context, p phase, ev func(string))
	}
	faults := []fault{
		{"pg-latency", func(ctx context.Context, p phase, ev func(string)) {
			cl.pgProxy.setLatency(40 * time.Millisecond)
			ev("PG +40ms")
			sleep(ctx, p.End-p.Start)
			cl.pgProxy.setLatency(0)
		}},
		{"pg-terminate", func(ctx context.Context, p phase, ev func(string)) {
			for range 2 {
				n, err := cl.db.terminateBackends(ctx)
				ev(fmt.Sprintf("terminated %d", n))
				if err != nil {
					log.Printf("pg_terminate_backend: %v", err)
				}
				sleep(ctx, (p.End-p.Start)/2)
			}
		}},
		{"pg-down", func(ctx context.Context, p phase, ev func(string)) {
			cl.pgProxy.down()
			ev("PG down")
			sleep(ctx, min(5*time.Second, (p.End-p.Start)/2))
			if err := cl.pgProxy.up(); err != nil {
				log.Printf("PG proxy up: %v", err)
			}
			ev("PG up")
		}},
		{"go-sigkill", func(ctx context.Context, p phase, ev func(string)) {
			g := cl.goProcs[len(cl.goProcs)-1]
			_ = g.signal(syscall.SIGKILL, 5*time.Second)
			ev("SIGKILL " + g.name)
			sleep(ctx, 3*time.Second)
			if err := g.start(60 * time.Second); err != nil {
				log.Printf("restart %s: %v", g.name, err)
			}
			ev(g.name + " ready")
		}},
		{"pg-drops", func(ctx context.Context, p phase, ev func(string)) {
			ev("PG drops")
			for t := time.Duration(0); t < p.End-p.Start && ctx.Err() == nil; t += 1500 * time.Millisecond {
				cl.pgProxy.drop()
				sleep(ctx, 1500*time.Millisecond)
			}
		}},
		{"jwt-rotate", func(ctx context.Context, p phase, ev func(string)) {
			n, err := cl.db.expireSigningKeys(ctx)
			if err != nil {
				log.Printf("expiring the JWT keys: %v", err)
			}
			ev(fmt.Sprintf("%d key(s) expired", n))
		}},
	}
	if cl.redis != nil {
		faults = append(faults, fault{"redis-restart", func(ctx context.Context, p phase, ev func(string)) {
			_ = cl.redis.p.signal(syscall.SIGKILL, 5*time.Second)
			cl.rdProxy.drop()
			ev("Redis killed")
			sleep(ctx, min(3*time.Second, (p.End-p.Start)/2))
			if err := cl.redis.start(); err != nil {
				log.Printf("restart Redis: %v", err)
			}
			ev("Redis up (its append-only file replayed)")
		}})
	}
	faults = append(faults, fault{"go-sigterm", func(ctx context.Context, p phase, ev func(string)) {
		g := cl.goProcs[0]
		ev("SIGTERM " + g.name)
		if err := g.signal(syscall.SIGTERM, 20*time.Second); err != nil {
			log.Printf("%s: %v", g.name, err)
		}
		sleep(ctx, time.Second)
		if err := g.start(60 * time.Second); err != nil {
			log.Printf("restart %s: %v", g.name, err)
		}
		ev(g.name + " ready")
	}})
	warm, recovery := c.duration/10, c.duration*15/100
	each := (c.duration - warm - recovery) / time.Duration(len(faults))
	phases := []phase{{Name: "warm-up", Start: 0, End: warm}}
	for i, f := range faults {
		s := warm + time.Duration(i)*each
		phases = append(phases, phase{Name: f.name, Start: s, End: s + each})
	}
	phases = append(phases, phase{Name: "recovery", Start: warm + time.Duration(len(faults))*each, End: c.duration})

	w := newWorkload(cl.lbURL, cl.api.url(), "")
	if cl.node != nil {
		w.node = cl.node.url()
	} else {
		ops = removeOp(ops, "password-reset")
	}
	var evMu sync.Mutex
	var events []event
	addEvent := func(s string) {
		evMu.Lock()
		events = append(events, event{At: time.Since(w.start), Label: s})
		evMu.Unlock()
		log.Printf("fault: %s", s)
	}
	log.Printf("load: %.0f operations/s for %v, %d phases of %v each", c.rate, c.duration, len(faults), each.Round(time.Second))
	loadCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	w.start = time.Now()
	var fwg sync.WaitGroup
	fwg.Go(func() {
		for i, f := range faults {
			p := phases[i+1]
			if !sleep(loadCtx, p.Start-time.Since(w.start)) {
				return
			}
			log.Printf("phase %s", f.name)
			f.act(loadCtx, p, addEvent)
		}
	})
	fwg.Go(func() { watchKeys(loadCtx, cl.db, w.start, addEvent) })
	supervised := []*proc{cl.api}
	if cl.node != nil {
		supervised = append(supervised, cl.node)
	}
	fwg.Go(func() { supervise(loadCtx, supervised, addEvent) })
	shed := w.run(loadCtx, c.rate, c.maxInflight)
	fwg.Wait()
	loadTime := time.Since(w.start)

	// Heal everything, then check the writes and the JWTs.
	log.Print("load done: healing and verifying")
	cl.pgProxy.setLatency(0)
	_ = cl.pgProxy.up()
	if cl.rdProxy != nil {
		_ = cl.rdProxy.up()
	}
	for _, g := range cl.goProcs {
		select {
		case <-g.done:
			_ = g.start(60 * time.Second)
		default:
		}
	}
	time.Sleep(2 * time.Second)
	vctx, vcancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer vcancel()
	checked, lost, lostDetails := w.verifyWrites(vctx, cl.db, c.sample)
	jwtOK, jwtBad, jwtDetails := w.crossVerify(vctx)
	var keys, liveKeys int
	_ = cl.db.db.QueryRowContext(vctx, `SELECT count(*), count(*) FILTER (WHERE "expiresAt" IS NULL OR "expiresAt" > now()) FROM jwks`).Scan(&keys, &liveKeys)

	// The report.
	w.mu.Lock()
	samples := append([]sample(nil), w.samples...)
	violations := append([]invariantViolation(nil), w.violations...)
	w.mu.Unlock()
	stats := summarize(samples, phases)
	falseAcc, falseAccNode, wrongRef, wrongRefNode, rate429 := 0, 0, 0, 0, 0
	for _, v := range violations {
		switch {
		case v.Kind == "false-accept":
			falseAcc++
		case v.Kind == "false-accept-node":
			falseAccNode++
		case v.Kind == "wrong-refusal" && strings.Contains(v.Detail, " from node)"):
			wrongRefNode++
		case v.Kind == "wrong-refusal":
			wrongRef++
		}
	}
	for _, s := range samples {
		if s.outcome == outRateLimit {
			rate429++
		}
	}
	wrongRef += jwtBad
	var rep strings.Builder
	fmt.Fprintf(&rep, "loadtest: %d Go instances + %s, %.0f operations/s for %v (load ran %v), %d shed\n\n",
		len(cl.goProcs), map[bool]string{true: "1 Node Better Auth server", false: "no Node server"}[cl.node != nil],
		c.rate, c.duration, loadTime.Round(time.Millisecond), shed)
	writeTable(&rep, stats)
	fmt.Fprintf(&rep, "\nby operation:\n")
	for _, l := range byKey(samples, func(s sample) string { return s.op }) {
		fmt.Fprintf(&rep, "  %s\n", l)
	}
	fmt.Fprintf(&rep, "\nby backend (the balancer's X-Loadtest-Backend; api is examples/nethttp):\n")
	for _, l := range byKey(samples, func(s sample) string { return s.backend }) {
		fmt.Fprintf(&rep, "  %s\n", l)
	}
	fmt.Fprintf(&rep, "\nfaults:\n")
	for _, e := range events {
		fmt.Fprintf(&rep, "  %7.1fs  %s\n", e.At.Seconds(), e.Label)
	}
	fmt.Fprintf(&rep, "\ninvariants:\n")
	fmt.Fprintf(&rep, "  false accepts:      %d (cookies signed out by a Go server, forged credentials, wrong passwords; cookies whose sign-out the Node Better Auth server answered 200 without deleting the session: %d, reported, not counted)\n", falseAcc, falseAccNode)
	fmt.Fprintf(&rep, "  lost writes:        %d (%d users checked in the database, every changed password and up to %d others signed in again)\n", lost, checked, c.sample)
	fmt.Fprintf(&rep, "  wrong refusals:     %d (Go servers and the verify-only API; Node Better Auth server: %d, reported, not counted)\n", wrongRef, wrongRefNode)
	fmt.Fprintf(&rep, "  JWT cross-check:    %d of %d backends' JWTs verify at the API at the end\n", jwtOK, jwtOK+jwtBad)
	fmt.Fprintf(&rep, "  rate limited (429): %d\n", rate429)
	fmt.Fprintf(&rep, "  jwks rows at end:   %d (%d live)\n", keys, liveKeys)
	for _, d := range append(append(lostDetails, jwtDetails...), violationLines(violations, 20)...) {
		fmt.Fprintf(&rep, "  ! %s\n", d)
	}
	w.mu.Lock()
	notes := append([]string(nil), w.notes...)
	w.mu.Unlock()
	if len(notes) > 0 {
		fmt.Fprintf(&rep, "\nunexpected answers (4xx-other), the first %d:\n", len(notes))
		for _, n := range notes {
			fmt.Fprintf(&rep, "  %s\n", n)
		}
	}
	fmt.Print(rep.String())
	_ = os.WriteFile(filepath.Join(out, "report.txt"), []byte(rep.String()), 0o644)
	js, _ := json.MarshalIndent(map[string]any{"phases": stats, "violations": violations, "lost_writes": lost,
		"lost_details": lostDetails, "false_accepts": falseAcc, "false_accepts_node": falseAccNode, "notes": notes, "wrong_refusals": wrongRef, "wrong_refusals_node": wrongRefNode,
		"rate_limited": rate429, "jwks_rows": keys, "jwks_live": liveKeys, "shed": shed, "requests": len(samples)}, "", "  ")
	_ = os.WriteFile(filepath.Join(out, "report.json"), js, 0o644)
	if err := plot(filepath.Join(out, "loadtest.png"), samples, phases, events, max(loadTime, c.duration)); err != nil {
		log.Printf("plot: %v", err)
	}
	fmt.Printf("loadtest: requests=%d false_accepts=%d lost_writes=%d wrong_refusals=%d\n", len(samples), falseAcc, lost, wrongRef)
	if falseAcc+lost+wrongRef > 0 {
		return 1, nil
	}
	return 0, nil
}

func violationLines(vs []invariantViolation, n int) []string {
	var out []string
	for i, v := range vs {
		if i == n {
			out = append(out, fmt.Sprintf("… and %d more (report.json)", len(vs)-n))
			break
		}
		out = append(out, fmt.Sprintf("%.1fs %s %s: %s", v.At.Seconds(), v.Kind, v.Op, v.Detail))
	}
	return out
}

func removeOp(list []op, name string) []op {
	var out []op
	for _, o := range list {
		if o.name != name {
			out = append(out, o)
		}
	}
	return out
}

// sleep waits d or until ctx is done; it reports whether the full time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// supervise restarts a process of procs that exited on its own, as a process manager would, and marks it.
func supervise(ctx context.Context, procs []*proc, ev func(string)) {
	for sleep(ctx, 500*time.Millisecond) {
		for _, p := range procs {
			p.mu.Lock()
			done := p.done
			p.mu.Unlock()
			select {
			case <-done:
				ev(p.name + " exited: restarted")
				if err := p.start(90 * time.Second); err != nil {
					log.Printf("restarting %s: %v", p.name, err)
				}
			default:
			}
		}
	}
}

// watchKeys marks every new row of the jwks table as an event.
func watchKeys(ctx context.Context, db *database, start time.Time, ev func(string)) {
	seen := map[string]bool{}
	for sleep(ctx, time.Second) {
		rows, err := db.db.QueryContext(ctx, `SELECT id FROM jwks`)
		if err != nil {
			continue
		}
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil && !seen[id] {
				seen[id] = true
				ev("new JWT key " + id[:min(6, len(id))])
			}
		}
		rows.Close()
	}
}

// expireSigningKeys sets the expiry of every live key to now, as a rotation interval running out would.
func (d *database) expireSigningKeys(ctx context.Context) (int64, error) {
	res, err := d.db.ExecContext(ctx, `UPDATE jwks SET "expiresAt" = now() WHERE "expiresAt" IS NULL OR "expiresAt" > now()`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func setup(ctx context.Context, c config, repo, out string, cl *cluster) error {
	bin := filepath.Join(out, "bin")
	log.Print("building examples/server and examples/nethttp")
	for _, b := range [][2]string{{"./server", "server"}, {"./nethttp", "nethttp"}} {
		if err := goBuild(filepath.Join(repo, "examples"), b[0], filepath.Join(bin, b[1])); err != nil {
			return err
		}
	}
	db, err := newDatabase(ctx, c.postgres)
	if err != nil {
		return err
	}
	cl.db = db
	cl.cleanups = append(cl.cleanups, db.drop)
	pgURL, _ := url.Parse(c.postgres)
	pgHost := pgURL.Host
	if pgURL.Port() == "" {
		pgHost = net.JoinHostPort(pgURL.Hostname(), "5432")
	}
	if cl.pgProxy, err = newFaultProxy("postgres", pgHost); err != nil {
		return err
	}
	cl.cleanups = append(cl.cleanups, cl.pgProxy.close)
	viaProxy := db.via(cl.pgProxy.addr)
	var redisURL string
	if c.redisEnv != "" {
		if cl.redis, err = startRedis(filepath.Join(out, "logs")); err != nil {
			return err
		}
		cl.cleanups = append(cl.cleanups, cl.redis.p.stop)
		if cl.rdProxy, err = newFaultProxy("redis", cl.redis.addr()); err != nil {
			return err
		}
		cl.cleanups = append(cl.cleanups, cl.rdProxy.close)
		redisURL = "redis://" + cl.rdProxy.addr + "/0"
	}

	// The balancer's address first: every server's BETTER_AUTH_URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cl.lbURL = "http://" + ln.Addr().String()
	secret := "loadtest-" + randomHex(24)
	logFile := func(name string) (*os.File, error) { return os.Create(filepath.Join(out, "logs", name+".log")) }
	goEnv := []string{"BETTER_AUTH_URL=" + cl.lbURL, "BETTER_AUTH_SECRET=" + secret, "DATABASE_URL=" + viaProxy,
		"TRUSTED_PROXIES=127.0.0.1", "LOG_LEVEL=warn", "SHUTDOWN_DELAY=1s", "READY_TIMEOUT=1s"}
	if c.rotation > 0 {
		goEnv = append(goEnv, "JWKS_ROTATION_INTERVAL="+c.rotation.String())
	}
	if redisURL != "" {
		goEnv = append(goEnv, c.redisEnv+"="+redisURL)
	}
	for i := range c.instances {
		port, err := freePort()
		if err != nil {
			return err
		}
		lf, err := logFile(fmt.Sprintf("go%d", i+1))
		if err != nil {
			return err
		}
		p := &proc{name: fmt.Sprintf("go%d", i+1), port: port, bin: filepath.Join(bin, "server"), dir: out, log: lf,
			env: append([]string{"PORT=" + strconv.Itoa(port)}, goEnv...), ready: "/readyz"}
		cl.goProcs = append(cl.goProcs, p)
		cl.cleanups = append(cl.cleanups, p.stop)
	}
	// The first instance migrates the empty database (authserver.Migrate); the others and Node start at once.
	log.Printf("starting %s (migrates the database)", cl.goProcs[0].name)
	if err := cl.goProcs[0].start(90 * time.Second); err != nil {
		return err
	}
	var nodeErr error
	var wg sync.WaitGroup
	if c.node {
		port, err := freePort()
		if err != nil {
			return err
		}
		lf, err := logFile("node")
		if err != nil {
			return err
		}
		cl.node = &proc{name: "node", port: port, bin: "node", args: []string{filepath.Join(repo, "interop", "server.mjs")}, dir: out, log: lf,
			env:   []string{"PORT=" + strconv.Itoa(port), "BASE_URL=" + cl.lbURL, "DATABASE=" + viaProxy, "BETTER_AUTH_SECRET=" + secret},
			ready: "/__test/ready"}
		if c.rotation > 0 {
			cl.node.env = append(cl.node.env, "JWKS_ROTATION_INTERVAL="+strconv.Itoa(int(c.rotation.Seconds())))
		}
		if redisURL != "" {
			// The same Redis, no key prefix on either side: Go and Node share the sessions there.
			cl.node.env = append(cl.node.env, "REDIS_URL="+redisURL)
		}
		cl.cleanups = append(cl.cleanups, cl.node.stop)
		wg.Go(func() { nodeErr = cl.node.start(90 * time.Second) })
	}
	errs := make([]error, len(cl.goProcs))
	for i, p := range cl.goProcs[1:] {
		wg.Go(func() { errs[i+1] = p.start(90 * time.Second) })
	}
	wg.Wait()
	if err := errors.Join(append(errs, nodeErr)...); err != nil {
		return err
	}
	var backends []*backend
	for _, p := range cl.goProcs {
		backends = append(backends, &backend{name: p.name, baseURL: p.url(), probe: "/readyz"})
	}
	if cl.node != nil {
		backends = append(backends, &backend{name: "node", baseURL: cl.node.url(), probe: "/api/auth/ok"})
	}
	cl.lb = newBalancer(backends)
	for _, b := range backends {
		b.healthy.Store(true)
	}
	srv := &http.Server{Handler: cl.lb, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	probeCtx, cancelProbe := context.WithCancel(context.Background())
	go cl.lb.probeLoop(probeCtx, 500*time.Millisecond)
	cl.cleanups = append(cl.cleanups, func() { cancelProbe(); _ = srv.Close() })

	// The verify-only API, through the balancer for the JWKS and the store of the sessions (the database, or
	// Redis with -redis-env, where they live then) for session cookies.
	port, err := freePort()
	if err != nil {
		return err
	}
	lf, err := logFile("api")
	if err != nil {
		return err
	}
	cl.api = &proc{name: "api", port: port, bin: filepath.Join(bin, "nethttp"), dir: out, log: lf, ready: "/healthz",
		env: []string{"PORT=" + strconv.Itoa(port), "BETTER_AUTH_URL=" + cl.lbURL, "BETTER_AUTH_SECRET=" + secret,
			"LOG_LEVEL=warn"}}
	if redisURL != "" {
		cl.api.env = append(cl.api.env, "REDIS_URL="+redisURL)
	} else {
		cl.api.env = append(cl.api.env, "DATABASE_URL="+viaProxy)
	}
	cl.cleanups = append(cl.cleanups, cl.api.stop)
	if err := cl.api.start(30 * time.Second); err != nil {
		return err
	}
	log.Printf("deployment up: balancer %s, %d Go instances, node=%v, api %s, PostgreSQL %s via %s",
		cl.lbURL, len(cl.goProcs), cl.node != nil, cl.api.url(), db.name, cl.pgProxy.addr)
	return nil
}
