package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestReadyz: /readyz is 200 when every dependency answers, 503 naming each one that failed or did not
// answer within the timeout, and 503 "shutting down" once draining.
func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	broken := func(context.Context) error { return errors.New("connection refused") }
	hangs := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name     string
		deps     []dependency
		draining bool
		status   int
		want     readyAnswer
	}{
		{"all up", []dependency{{"database", ok}, {"redis", ok}}, false, 200, readyAnswer{Status: "ok"}},
		{"database down", []dependency{{"database", broken}, {"redis", ok}}, false, 503,
			readyAnswer{Status: "unavailable", Failed: []string{"database: error"}}},
		{"redis hangs", []dependency{{"database", ok}, {"redis", hangs}}, false, 503,
			readyAnswer{Status: "unavailable", Failed: []string{"redis: timeout"}}},
		{"both", []dependency{{"database", hangs}, {"redis", broken}}, false, 503,
			readyAnswer{Status: "unavailable", Failed: []string{"database: timeout", "redis: error"}}},
		{"draining", []dependency{{"database", ok}}, true, 503, readyAnswer{Status: "shutting down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &readiness{deps: tt.deps, timeout: 50 * time.Millisecond, logger: slog.New(slog.DiscardHandler)}
			r.draining.Store(tt.draining)
			rec := httptest.NewRecorder()
			start := time.Now()
			withProbes(http.NotFoundHandler(), r).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v: the timeout is not applied", d)
			}
			var got readyAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("body %+v, want %+v", got, tt.want)
			}
			if strings.Contains(rec.Body.String(), "refused") {
				t.Errorf("the error's text went out: %s", rec.Body)
			}
		})
	}
}

// TestGracefulShutdown sends the process a real SIGTERM while a sign-up is in flight (its body half sent):
// /readyz turns 503 during SHUTDOWN_DELAY, the sign-up still completes with 200 and its session cookie, run
// returns nil, and the port then refuses connections.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"PORT": "0", "SHUTDOWN_DELAY": "400ms", "SHUTDOWN_TIMEOUT": "10s"}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
		done <- err
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	addr := line[strings.Index(line, "listening on ")+len("listening on "):]
	addr = addr[:strings.IndexByte(addr, ',')]
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second}

	get := func(path string) int {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := get("/readyz"); c != 200 {
		t.Fatalf("/readyz before shutdown: %d", c)
	}
	if c := get("/healthz"); c != 200 {
		t.Fatalf("/healthz: %d", c)
	}

	body := `{"name":"Grace","email":"grace@example.com","password":"correct-horse-battery"}`
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/auth/sign-up/email", pr)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	type answer struct {
		res *http.Response
		err error
	}
	inflight := make(chan answer, 1)
	go func() {
		res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		inflight <- answer{res, err}
	}()
	if _, err := pw.Write([]byte(body[:20])); err != nil { // headers and half the body: the request is in flight
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	time.Sleep(100 * time.Millisecond)
	if c := get("/readyz"); c != 503 {
		t.Errorf("/readyz while draining: %d, want 503", c)
	}
	time.Sleep(500 * time.Millisecond) // past SHUTDOWN_DELAY: Shutdown is waiting for the sign-up
	select {
	case err := <-done:
		t.Fatalf("run returned with a request in flight: %v", err)
	default:
	}
	if _, err := pw.Write([]byte(body[20:])); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	a := <-inflight
	if a.err != nil {
		t.Fatalf("the in-flight sign-up failed: %v", a.err)
	}
	b, _ := io.ReadAll(a.res.Body)
	a.res.Body.Close()
	if a.res.StatusCode != 200 || !strings.Contains(a.res.Header.Get("Set-Cookie"), "session_token") {
		t.Fatalf("in-flight sign-up: %d %s", a.res.StatusCode, b)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the last request finished")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the port still accepts connections after shutdown")
	}
}

// TestReadyzRedis starts the server with REDIS_URL (the real Redis of GOBETTERAUTH_TEST_REDIS_URL or
// 127.0.0.1:6379, behind a TCP proxy the test can cut, under a key prefix of its own): a sign-up's session
// lands in Redis under Better Auth's keys, /api/me accepts it, /readyz is 200; once Redis is unreachable,
// /readyz is 503 naming "redis" within READY_TIMEOUT. Skipped without Redis, unless CI=true.
func TestReadyzRedis(t *testing.T) {
	opts, err := redis.ParseURL(cmp.Or(os.Getenv("GOBETTERAUTH_TEST_REDIS_URL"), "redis://127.0.0.1:6379/0"))
	if err != nil {
		t.Fatal(err)
	}
	admin := redis.NewClient(opts)
	defer admin.Close()
	if err := admin.Ping(t.Context()).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis not reachable (CI=true, so this fails instead of skipping): %v", err)
		}
		t.Skipf("Redis not reachable: %v", err)
	}
	prefix := fmt.Sprintf("examples-server-test-%d-%d:", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := admin.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			admin.Del(context.Background(), keys...)
		}
	})
	proxy := newCutProxy(t, opts.Addr)

	t.Chdir(t.TempDir())
	env := map[string]string{"PORT": "0", "READY_TIMEOUT": "300ms",
		"REDIS_URL": fmt.Sprintf("redis://%s/%d?key_prefix=%s", proxy.addr(), opts.DB, prefix)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
		done <- err
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v (run: %v)", err, <-done)
	}
	defer func() { cancel(); <-done }()
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if !strings.Contains(line, "sessions in Redis redis://") {
		t.Errorf("start line %q does not say where sessions go", line)
	}
	addr := line[strings.Index(line, "listening on ")+len("listening on "):]
	base := "http://" + addr[:strings.IndexByte(addr, ',')]

	client := &http.Client{Timeout: 5 * time.Second}
	readyz := func() (int, readyAnswer) {
		t.Helper()
		res, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var got readyAnswer
		if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, got
	}
	if code, got := readyz(); code != 200 || got.Status != "ok" {
		t.Fatalf("/readyz with Redis up: %d %+v", code, got)
	}

	req, _ := http.NewRequest("POST", base+"/api/auth/sign-up/email",
		strings.NewReader(`{"email":"redis@example.com","password":"correct-horse-battery","name":"R"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var signUp struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	err = json.NewDecoder(res.Body).Decode(&signUp)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || signUp.Token == "" {
		t.Fatalf("sign-up: %d %v %+v", res.StatusCode, err, signUp)
	}
	for _, key := range []string{prefix + signUp.Token, prefix + "active-sessions-" + signUp.User.ID} {
		if n, err := admin.Exists(t.Context(), key).Result(); err != nil || n != 1 {
			t.Errorf("Redis key %q: exists %d, %v; want the session there", key, n, err)
		}
	}
	me, _ := http.NewRequest("GET", base+"/api/me", nil)
	for _, c := range res.Cookies() {
		me.AddCookie(c)
	}
	if res, err := client.Do(me); err != nil || res.StatusCode != 200 {
		t.Fatalf("/api/me with the session cookie: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	proxy.cut()
	start := time.Now()
	code, got := readyz()
	if code != 503 || !reflect.DeepEqual(got.Failed, []string{"redis: error"}) && !reflect.DeepEqual(got.Failed, []string{"redis: timeout"}) {
		t.Errorf("/readyz with Redis unreachable: %d %+v, want 503 naming redis", code, got)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("/readyz took %v: READY_TIMEOUT (300ms) not applied", d)
	}
}

// cutProxy forwards TCP connections to a backend until cut, which closes them all and refuses new ones.
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutProxy(t *testing.T, backend string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(b, c); b.Close() }()
			go func() { _, _ = io.Copy(c, b); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
