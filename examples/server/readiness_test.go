package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
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
