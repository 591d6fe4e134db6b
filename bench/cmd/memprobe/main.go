// Command memprobe measures the resident memory (VmRSS and VmHWM from /proc/<pid>/status) of gobetterauth's
// server and verifier, each run as its own process, in three situations:
//
//  1. bench/cmd/goserver (server mode, GOBETTERAUTH_JWT=1 unless -jwt=false) on a fresh SQLite file seeded
//     with -users users and one session each (bench/internal/seed): idle after start, after one
//     get-session, and after get-session has been served once for every session (a signed
//     better-auth.session_token cookie each, -c requests at a time). With -postgres, the same on a
//     PostgreSQL database the probe creates and drops.
//  2. the same server with -conns idle HTTP/1.1 keep-alive connections, each opened by the probe and used
//     for one get-session; afterwards each gets a second request, to show it was still open.
//  3. examples/nethttp, the verifier, with BETTER_AUTH_TOKEN_CACHE=N for each N of -cache (and 0, the cache
//     off, as the baseline), fed N distinct valid JWT-plugin tokens (EdDSA, minted by an in-probe fake
//     Better Auth issuer, authtest.Issuer, whose JWKS the verifier fetches), then N more, then N more again (the cache off: N more once).
//
// With -node, steps 1 and 2 also run the real Better Auth server (interop/server.mjs, better-auth 1.7.25)
// on the same database. The Go processes run with GODEBUG=gctrace=1; the heap the last GC found live is
// reported next to the RSS. It prints a Markdown table; any answer but 200 with the right user ends it
// with an error. Run it with `make bench-mem` (see docs/performance.md, "Memory"); never in CI.
package main

import (
	"bufio"
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
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gobetterauth/gobetterauth/bench/internal/seed"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// secret is the servers' BETTER_AUTH_SECRET (test-only).
const secret = "gobetterauth-memprobe-secret-0123456789abcdef"

var (
	flagUsers    = flag.Int("users", 100_000, "users (each with one session) seeded, and get-session requests served")
	flagConns    = flag.Int("conns", 10_000, "idle keep-alive connections held open")
	flagCache    = flag.String("cache", "10000,100000", "token cache sizes (BETTER_AUTH_TOKEN_CACHE) measured, comma-separated; the cache off (0) is measured too, fed as many tokens as the largest")
	flagPostgres = flag.String("postgres", "", "a PostgreSQL URL (a role that may create databases): also measure the server on PostgreSQL")
	flagNode     = flag.Bool("node", false, "also measure the real Better Auth server (interop/server.mjs; needs node and interop/node_modules)")
	flagNodeN    = flag.Int("node-sessions", 10_000, "with -node: get-session requests Node serves (sessions 0 … N-1 of the same database; Node answers a few hundred a second)")
	flagJWT      = flag.Bool("jwt", true, "GOBETTERAUTH_JWT=1 on the Go server: get-session signs a set-auth-jwt header, as interop/server.mjs does")
	flagC        = flag.Int("c", 8, "requests in flight at once")
	flagSettle   = flag.Duration("settle", 2*time.Second, "wait before each reading")
	flagRoot     = flag.String("root", "", "the repository's root (default: found from the working directory)")
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("memprobe: ")
	flag.Parse()
	p := &probe{}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := p.run(ctx)
	p.cleanup()
	if err != nil {
		log.Fatal(err)
	}
}

type probe struct {
	root, work string
	cleanups   []func()
	rows       []row
	client     *http.Client
}

// row is one reading.
type row struct {
	target, state string
	key           string // "idle", "one", "sessions:N", "open", "conns", "closed", "tokens:N"
	mem           memStatus
	gc            *gcStats      // nil for Node
	rt            *runtimeStats // nil but for bench/cmd/goserver
	sockets       int           // -1: not counted
	note          string
}

func (p *probe) cleanup() {
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		p.cleanups[i]()
	}
	p.cleanups = nil
}

func (p *probe) defer_(f func()) { p.cleanups = append(p.cleanups, f) }

func (p *probe) run(ctx context.Context) error {
	if runtime.GOOS != "linux" {
		return errors.New("needs Linux (/proc)")
	}
	caches, err := cacheSizes(*flagCache)
	if err != nil {
		return err
	}
	if p.root, err = findRoot(*flagRoot); err != nil {
		return err
	}
	if err := raiseNofile(uint64(*flagConns) + 1024); err != nil {
		return err
	}
	if p.work, err = os.MkdirTemp("", "gobetterauth-memprobe-"); err != nil {
		return err
	}
	p.defer_(func() { os.RemoveAll(p.work) })
	p.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *flagC, DisableCompression: true},
	}
	start := time.Now()
	fmt.Printf("== %s; %s; %d CPUs; load %s\n", runtime.Version(), time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), loadavg())

	fmt.Println("== building bench/cmd/goserver and examples/nethttp")
	goserver, nethttp := filepath.Join(p.work, "goserver"), filepath.Join(p.work, "nethttp")
	if err := goBuild(filepath.Join(p.root, "bench"), goserver, "./cmd/goserver"); err != nil {
		return err
	}
	if err := goBuild(filepath.Join(p.root, "examples"), nethttp, "./nethttp"); err != nil {
		return err
	}

	n := *flagUsers
	fmt.Printf("== seeding %d users and sessions into SQLite\n", n)
	dbFile := filepath.Join(p.work, "auth.db")
	t0 := time.Now()
	db, err := seed.OpenSQLite(ctx, dbFile, "")
	if err != nil {
		return err
	}
	err = seed.Users(ctx, db, sqlstore.SQLite, n)
	db.Close()
	if err != nil {
		return err
	}
	fi, _ := os.Stat(dbFile)
	fmt.Printf("   %v, %.1f MiB\n", time.Since(t0).Round(time.Millisecond), mib(fi.Size()))

	if err := p.goServer(ctx, "Go server, SQLite", goserver, "sqlite:"+dbFile, true); err != nil {
		return err
	}
	if *flagNode {
		if err := p.nodeServer(ctx, "Node Better Auth, SQLite", "DB_FILE="+dbFile, true); err != nil {
			return err
		}
	}
	if *flagPostgres != "" {
		fmt.Printf("== seeding %d users and sessions into a new PostgreSQL database\n", n)
		pg, err := seed.CreatePostgres(ctx, *flagPostgres)
		if err != nil {
			return err
		}
		p.defer_(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := pg.Drop(ctx); err != nil {
				log.Printf("dropping %s: %v", pg.Name, err)
			}
		})
		if err := seed.Users(ctx, pg.DB, sqlstore.Postgres, n); err != nil {
			return err
		}
		pg.DB.Close()
		if err := p.goServer(ctx, "Go server, PostgreSQL", goserver, pg.URL, false); err != nil {
			return err
		}
		if *flagNode {
			if err := p.nodeServer(ctx, "Node Better Auth, PostgreSQL", "DATABASE="+pg.URL, false); err != nil {
				return err
			}
		}
	}
	if err := p.verifier(ctx, nethttp, caches); err != nil {
		return err
	}
	p.print()
	fmt.Printf("\ntotal %v; load %s\n", time.Since(start).Round(time.Second), loadavg())
	return nil
}

// goServer measures bench/cmd/goserver on the database dsn names; with conns, the idle connections too.
func (p *probe) goServer(ctx context.Context, target, bin, dsn string, conns bool) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	env := baseEnv("BETTER_AUTH_SECRET="+secret, "DATABASE_URL="+dsn, "ADDR=127.0.0.1", "PORT="+port, "GODEBUG=gctrace=1",
		"GOBETTERAUTH_MEMSTATS=1")
	if *flagJWT {
		env = append(env, "GOBETTERAUTH_JWT=1")
	}
	fmt.Printf("== %s\n", target)
	c, err := startChild(target, p.work, env, bin)
	if err != nil {
		return err
	}
	p.defer_(c.stop)
	base := "http://127.0.0.1:" + port
	c.memstatsURL = base + "/debug/memstats"
	if err := p.waitHTTP(ctx, c, base+"/healthz"); err != nil {
		return err
	}
	if err := p.serverPhases(ctx, target, c, base, *flagUsers, *flagJWT, conns); err != nil {
		return err
	}
	c.stop()
	return nil
}

// nodeServer measures interop/server.mjs on dbEnv (DB_FILE=… or DATABASE=…).
func (p *probe) nodeServer(ctx context.Context, target, dbEnv string, conns bool) error {
	dir := filepath.Join(p.root, "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "better-auth")); err != nil {
		return fmt.Errorf("-node: %s has no node_modules/better-auth (make interop-deps)", dir)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("-node: %w", err)
	}
	fmt.Printf("== %s\n", target)
	c, err := startChild(target, dir, baseEnv("BETTER_AUTH_SECRET="+secret, dbEnv, "PORT=0"), nodeBin, "server.mjs")
	if err != nil {
		return err
	}
	p.defer_(c.stop)
	var base string
	select {
	case base = <-c.ready:
	case <-c.done:
		return fmt.Errorf("%s exited:\n%s", target, c.output())
	case <-time.After(60 * time.Second):
		return fmt.Errorf("%s: no READY line in 60 s:\n%s", target, c.output())
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := p.serverPhases(ctx, target, c, base, min(*flagNodeN, *flagUsers), true, conns); err != nil {
		return err
	}
	c.stop()
	return nil
}

// serverPhases takes the readings of steps 1 and (with conns) 2 on a server that answers at base; it asks
// get-session for sessions 0 … n-1, with a reading after the first tenth and after all.
func (p *probe) serverPhases(ctx context.Context, target string, c *child, base string, n int, wantJWT, conns bool) error {
	if lim, err := nofileLimit(c.pid()); err != nil {
		return err
	} else if conns && lim >= 0 && lim < int64(*flagConns)+64 {
		return fmt.Errorf("%s: its open-files limit is %d, below -conns %d", target, lim, *flagConns)
	} else {
		fmt.Printf("   pid %d, open-files soft limit %d\n", c.pid(), lim)
	}
	if err := p.read(ctx, target, "idle", "started, idle", c, ""); err != nil {
		return err
	}
	if err := p.getSession(ctx, base, 0, wantJWT); err != nil {
		return err
	}
	if err := p.read(ctx, target, "one", "after 1 get-session", c, ""); err != nil {
		return err
	}
	from := 0
	for _, to := range []int{n / 10, n} {
		if to <= from {
			continue
		}
		t0 := time.Now()
		err := parallel(ctx, to-from, *flagC, func(i int) error { return p.getSession(ctx, base, from+i, wantJWT) })
		if err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		d := time.Since(t0)
		if err := p.read(ctx, target, fmt.Sprint("sessions:", to), fmt.Sprintf("after get-session for sessions 0…%d", to-1), c,
			fmt.Sprintf("%.0f req/s", float64(to-from)/d.Seconds())); err != nil {
			return err
		}
		from = to
	}
	p.client.CloseIdleConnections()
	if conns {
		return p.idleConns(ctx, target, c, base)
	}
	return nil
}

// idleConns opens -conns connections to base, makes one get-session on each and keeps them open.
func (p *probe) idleConns(ctx context.Context, target string, c *child, base string) error {
	m := *flagConns
	host := strings.TrimPrefix(base, "http://")
	type kc struct {
		c  net.Conn
		br *bufio.Reader
	}
	cs := make([]kc, m)
	p.defer_(func() {
		for _, k := range cs {
			if k.c != nil {
				k.c.Close()
			}
		}
	})
	do := func(i int) error {
		k := cs[i]
		u := i % *flagUsers
		_ = k.c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := io.WriteString(k.c, "GET /api/auth/get-session HTTP/1.1\r\nHost: "+host+
			"\r\nCookie: better-auth.session_token="+authtest.SignCookie(secret, seed.Token(u))+"\r\n\r\n"); err != nil {
			return err
		}
		res, err := http.ReadResponse(k.br, nil)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"email":"`+seed.Email(u)+`"`) {
			return fmt.Errorf("get-session on connection %d: %d %.200s", i, res.StatusCode, body)
		}
		if res.Close {
			return fmt.Errorf("get-session on connection %d: the server closes the connection", i)
		}
		return k.c.SetDeadline(time.Time{})
	}
	t0 := time.Now()
	err := parallel(ctx, m, 64, func(i int) error {
		conn, err := net.DialTimeout("tcp", host, 30*time.Second)
		if err != nil {
			return err
		}
		cs[i] = kc{conn, bufio.NewReaderSize(conn, 4096)}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: opening %d connections: %w", target, m, err)
	}
	if err := p.read(ctx, target, "open", fmt.Sprintf("%d connections open, no request yet", m), c,
		fmt.Sprintf("opened in %v", time.Since(t0).Round(100*time.Millisecond))); err != nil {
		return err
	}
	t0 = time.Now()
	if err := parallel(ctx, m, 64, do); err != nil {
		return fmt.Errorf("%s: get-session on %d connections: %w", target, m, err)
	}
	opened := time.Now()
	if err := p.read(ctx, target, "conns", fmt.Sprintf("%d idle keep-alive connections (after one get-session each)", m), c,
		fmt.Sprintf("one get-session on each, in %v", opened.Sub(t0).Round(100*time.Millisecond))); err != nil {
		return err
	}
	// A second request on each: those the server closed while idle fail.
	var alive atomic.Int64
	idle := time.Since(opened)
	_ = parallel(ctx, m, 64, func(i int) error {
		if do(i) == nil {
			alive.Add(1)
		}
		return nil
	})
	p.rows[len(p.rows)-1].note += fmt.Sprintf("; %d of %d still open after ≥%v idle", alive.Load(), m, idle.Round(100*time.Millisecond))
	fmt.Printf("   %s\n", p.rows[len(p.rows)-1].note)
	for i := range cs {
		cs[i].c.Close()
		cs[i].c = nil
	}
	return p.read(ctx, target, "closed", "connections closed", c, "")
}

// verifier measures examples/nethttp with each token cache size.
func (p *probe) verifier(ctx context.Context, bin string, caches []int) error {
	largest := caches[len(caches)-1]
	fmt.Printf("== minting %d EdDSA JWT-plugin tokens\n", 3*largest)
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		return err
	}
	p.defer_(is.Close)
	tokens := make([]string, 3*largest)
	exp := time.Now().Add(2 * time.Hour)
	t0 := time.Now()
	err = parallel(ctx, len(tokens), runtime.NumCPU(), func(i int) error {
		var err error
		tokens[i], err = is.Mint(authtest.Claims{ID: seed.UserID(i), Email: seed.Email(i), Name: "User", EmailVerified: true, ExpiresAt: exp})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("   %v, %d bytes each (the first)\n", time.Since(t0).Round(time.Millisecond), len(tokens[0]))
	for _, size := range append([]int{0}, caches...) {
		n := cmp.Or(size, largest)
		target := fmt.Sprintf("verifier, token cache %d", size)
		if size == 0 {
			target = "verifier, token cache off"
		}
		fmt.Printf("== %s\n", target)
		port, err := freePort()
		if err != nil {
			return err
		}
		c, err := startChild(target, p.work, baseEnv("BETTER_AUTH_URL="+is.URL(), "BETTER_AUTH_TOKEN_CACHE="+strconv.Itoa(size),
			"ADDR=127.0.0.1", "PORT="+port, "GODEBUG=gctrace=1"), bin)
		if err != nil {
			return err
		}
		p.defer_(c.stop)
		base := "http://127.0.0.1:" + port
		if err := p.waitHTTP(ctx, c, base+"/healthz"); err != nil {
			return err
		}
		if err := p.read(ctx, target, "idle", "started, idle", c, ""); err != nil {
			return err
		}
		feeds := [][2]int{{0, n}, {n, 2 * n}, {2 * n, 3 * n}}
		if size == 0 {
			feeds = feeds[:2] // the baseline: flat after the first feed
		}
		for _, r := range feeds {
			t0 := time.Now()
			err := parallel(ctx, r[1]-r[0], *flagC, func(i int) error { return p.me(ctx, base, tokens[r[0]+i], r[0]+i) })
			if err != nil {
				return fmt.Errorf("%s: %w", target, err)
			}
			d := time.Since(t0)
			if err := p.read(ctx, target, fmt.Sprint("tokens:", r[1]), fmt.Sprintf("after %d distinct tokens", r[1]), c,
				fmt.Sprintf("%.0f req/s", float64(r[1]-r[0])/d.Seconds())); err != nil {
				return err
			}
		}
		p.client.CloseIdleConnections()
		c.stop()
	}
	return nil
}

// getSession asks base's get-session for session i's user and checks the answer.
func (p *probe) getSession(ctx context.Context, base string, i int, wantJWT bool) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/auth/get-session", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", "better-auth.session_token="+authtest.SignCookie(secret, seed.Token(i)))
	return p.check(req, seed.Email(i), wantJWT)
}

// me asks the verifier's /api/me with token, user i's, and checks the answer.
func (p *probe) me(ctx context.Context, base, token string, i int) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/me", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return p.check(req, seed.Email(i), false)
}

func (p *probe) check(req *http.Request, email string, wantJWT bool) error {
	res, err := p.client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"email":"`+email+`"`) {
		return fmt.Errorf("%s %s: %d %.300s (want 200 with %s)", req.Method, req.URL.Path, res.StatusCode, body, email)
	}
	if wantJWT && res.Header.Get("Set-Auth-Jwt") == "" {
		return fmt.Errorf("%s %s: no set-auth-jwt header", req.Method, req.URL.Path)
	}
	return nil
}

// read waits -settle, then records c's memory as the reading key (what print looks readings up by) of
// target, described by state.
func (p *probe) read(ctx context.Context, target, key, state string, c *child, note string) error {
	select {
	case <-time.After(*flagSettle):
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.exited() {
		return fmt.Errorf("%s exited:\n%s", target, c.output())
	}
	m, err := readStatus(c.pid())
	if err != nil {
		return err
	}
	socks, err := openSockets(c.pid())
	if err != nil {
		socks = -1
	}
	r := row{target: target, key: key, state: state, mem: m, gc: c.gc(), sockets: socks, note: note}
	if c.memstatsURL != "" {
		if r.rt, err = p.runtimeStats(ctx, c.memstatsURL); err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
	}
	p.rows = append(p.rows, r)
	fmt.Printf("   %-55s RSS %7.1f MiB  HWM %7.1f MiB  %s  %s  %s\n", state, mib(m.RSS), mib(m.HWM), heapCell(r.gc), rtCell(r.rt), note)
	return nil
}

func (p *probe) waitHTTP(ctx context.Context, c *child, url string) error {
	for range 300 {
		if c.exited() {
			return fmt.Errorf("%s exited:\n%s", c.name, c.output())
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		if res, err := p.client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("%s: %s not answering after 30 s:\n%s", c.name, url, c.output())
}

// print writes the readings as a Markdown table, with the deltas per user, connection and cache entry.
func (p *probe) print() {
	fmt.Println()
	fmt.Println("| process | state | VmRSS MiB | VmHWM MiB | Go heap live at last GC, MiB | Go HeapInuse / StackInuse MiB, goroutines | sockets | note |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, r := range p.rows {
		fmt.Printf("| %s | %s | %.1f | %.1f | %s | %s | %d | %s |\n", r.target, r.state, mib(r.mem.RSS), mib(r.mem.HWM), heapCell(r.gc), rtCell(r.rt), r.sockets, r.note)
	}
	fmt.Println()
	find := func(target, key string) *row {
		for i := range p.rows {
			if p.rows[i].target == target && p.rows[i].key == key {
				return &p.rows[i]
			}
		}
		return nil
	}
	per := func(a, b *row, n int) string {
		return fmt.Sprintf("RSS %+.1f MiB (%.0f bytes each)", mib(b.mem.RSS-a.mem.RSS), float64(b.mem.RSS-a.mem.RSS)/float64(n))
	}
	var targets []string
	for _, r := range p.rows {
		if len(targets) == 0 || targets[len(targets)-1] != r.target {
			targets = append(targets, r.target)
		}
	}
	off := ""
	for _, t := range targets {
		one := find(t, "one")
		var last *row
		lastN := 0
		for _, r := range p.rows {
			if n, ok := strings.CutPrefix(r.key, "sessions:"); ok && r.target == t {
				last = &r
				lastN, _ = strconv.Atoi(n)
			}
		}
		if one != nil && last != nil {
			fmt.Printf("- %s: get-session for %d sessions: %s over the reading after one\n", t, lastN, per(one, last, lastN))
		}
		if open, conns := find(t, "open"), find(t, "conns"); open != nil && conns != nil && last != nil {
			fmt.Printf("- %s: %d connections open, no request: %s; after one get-session each: %s (both over the reading before them)\n",
				t, *flagConns, per(last, open, *flagConns), per(last, conns, *flagConns))
		}
		if strings.HasSuffix(t, "cache off") {
			off = t
		}
		size, ok := strings.CutPrefix(t, "verifier, token cache ")
		if !ok || size == "off" {
			continue
		}
		n, _ := strconv.Atoi(size)
		idle, full, twice, thrice := find(t, "idle"), find(t, fmt.Sprint("tokens:", n)), find(t, fmt.Sprint("tokens:", 2*n)), find(t, fmt.Sprint("tokens:", 3*n))
		if idle == nil || full == nil || twice == nil || thrice == nil {
			continue
		}
		fmt.Printf("- %s: full (%d tokens): %s over idle", t, n, per(idle, full, n))
		if o := find(off, fmt.Sprint("tokens:", n)); o != nil {
			fmt.Printf(", %s over the cache off after as many tokens", per(o, full, n))
		}
		for _, o := range p.rows { // the cache off after its first feed: its live heap is the same after any number
			if o.target == off && strings.HasPrefix(o.key, "tokens:") && full.gc != nil && o.gc != nil {
				fmt.Printf(", live heap %+.0f MiB over the cache off", mib(full.gc.Live-o.gc.Live))
				break
			}
		}
		fmt.Printf("; %d tokens: RSS %+.1f MiB over full; %d tokens: RSS %+.1f MiB over %d\n", 2*n, mib(twice.mem.RSS-full.mem.RSS),
			3*n, mib(thrice.mem.RSS-twice.mem.RSS), 2*n)
	}
}

func heapCell(g *gcStats) string {
	if g == nil {
		return "–"
	}
	return fmt.Sprintf("%.0f (gc %d)", mib(g.Live), g.N)
}

func rtCell(r *runtimeStats) string {
	if r == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f / %.1f, %d", mib(int64(r.HeapInuse)), mib(int64(r.StackInuse)), r.Goroutines)
}

// runtimeStats is what bench/cmd/goserver's GET /debug/memstats answers (GOBETTERAUTH_MEMSTATS=1).
type runtimeStats struct {
	HeapAlloc, HeapInuse, HeapIdle, HeapReleased, StackInuse, Sys, NumGC, Goroutines uint64
}

func (p *probe) runtimeStats(ctx context.Context, url string) (*runtimeStats, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	res, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	var r runtimeStats
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return &r, nil
}

// parallel runs f(0) … f(n-1), workers at a time, and returns the first error (after which no more start).
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for !failed.Load() && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return cmp.Or(first, ctx.Err())
}

// baseEnv is the environment of a server: PATH, HOME and TMPDIR from the probe's, plus extra. Nothing else
// leaks in (no stray BETTER_AUTH_* or DATABASE_URL).
func baseEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if v := os.Getenv("TMPDIR"); v != "" {
		env = append(env, "TMPDIR="+v)
	}
	return append(env, extra...)
}

func goBuild(dir, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w", pkg, dir, err)
	}
	return nil
}

// findRoot returns dir, or the first directory up from the working directory that holds
// bench/cmd/goserver.
func findRoot(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "bench", "cmd", "goserver", "main.go")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("cannot find the repository root (bench/cmd/goserver) from the working directory: use -root")
		}
		d = up
	}
}

// raiseNofile makes sure the probe may open need files, raising its soft limit up to the hard one. Go has
// already raised it to the hard limit at start (since Go 1.19); children get the limit the probe was
// started with back, unless this changes it.
func raiseNofile(need uint64) error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Cur >= need {
		return nil
	}
	if r.Max < need {
		return fmt.Errorf("the hard limit on open files is %d, below the %d -conns needs (ulimit -Hn)", r.Max, need)
	}
	r.Cur = r.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func cacheSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-cache %q: want positive sizes, comma-separated", s)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("-cache %q: want increasing sizes", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
