package main

import (
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// echoServer answers every line with itself.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) (time.Duration, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	start := time.Now()
	if _, err := c.Write([]byte("ping")); err != nil {
		return 0, err
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// TestFaultProxy: forwards, adds latency both ways, refuses when down, drops open connections, and comes
// back up on the same address.
func TestFaultProxy(t *testing.T) {
	p, err := newFaultProxy("echo", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if _, err := roundTrip(p.addr); err != nil {
		t.Fatalf("forwarding: %v", err)
	}
	p.setLatency(50 * time.Millisecond)
	if d, err := roundTrip(p.addr); err != nil || d < 100*time.Millisecond {
		t.Fatalf("with 50 ms each way: %v, %v; want at least 100 ms", d, err)
	}
	p.setLatency(0)

	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	p.drop()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(buf); err == nil {
		t.Error("a dropped connection still reads")
	}
	if _, err := roundTrip(p.addr); err != nil {
		t.Errorf("after drop, a new connection: %v", err)
	}
	p.down()
	if _, err := roundTrip(p.addr); err == nil {
		t.Error("down, yet a connection went through")
	}
	if err := p.up(); err != nil {
		t.Fatal(err)
	}
	if _, err := roundTrip(p.addr); err != nil {
		t.Errorf("up again: %v", err)
	}
}

// TestBalancer: round robin over healthy backends, the next backend when a connection is refused, the
// client's address appended to X-Forwarded-For, and the backend named in the answer.
func TestBalancer(t *testing.T) {
	var mu sync.Mutex
	var got []string
	mk := func(name string) *backend {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, name+" "+r.Header.Get("X-Forwarded-For"))
			mu.Unlock()
			_, _ = w.Write([]byte(name))
		}))
		t.Cleanup(s.Close)
		b := &backend{name: name, baseURL: s.URL}
		b.healthy.Store(true)
		return b
	}
	a, b := mk("a"), mk("b")
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dead := &backend{name: "dead", baseURL: "http://127.0.0.1:" + strconv.Itoa(port)}
	dead.healthy.Store(true)
	lb := httptest.NewServer(newBalancer([]*backend{a, dead, b}))
	defer lb.Close()
	names := map[string]int{}
	for range 6 {
		req, _ := http.NewRequest("POST", lb.URL+"/x", nil)
		req.Header.Set("X-Forwarded-For", "10.0.0.1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get(backendHeader) != string(body) {
			t.Fatalf("%d %q from %q", res.StatusCode, body, res.Header.Get(backendHeader))
		}
		names[string(body)]++
	}
	if names["a"] == 0 || names["b"] == 0 || names["dead"] != 0 {
		t.Errorf("served by %v", names)
	}
	if dead.healthy.Load() {
		t.Error("a refused backend is still marked healthy")
	}
	if got[0] != "a 10.0.0.1, 127.0.0.1" && got[0] != "b 10.0.0.1, 127.0.0.1" {
		t.Errorf("X-Forwarded-For seen by the backend: %q", got[0])
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", []time.Duration{7}, 99, 7},
		{"p50 of 1..100 ms", d, 50, 50 * time.Millisecond},
		{"p99 of 1..100 ms", d, 99, 99 * time.Millisecond},
		{"p100", d, 100, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.in, tt.p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSummarizeAndPlot: samples land in the phase they started in, and the plot is a PNG of the set size.
func TestSummarizeAndPlot(t *testing.T) {
	phases := []phase{{Name: "warm-up", End: 2 * time.Second}, {Name: "fault", Start: 2 * time.Second, End: 4 * time.Second}}
	samples := []sample{
		{at: time.Second, latency: 10 * time.Millisecond, outcome: outOK},
		{at: 3 * time.Second, latency: 30 * time.Millisecond, outcome: outUnavail},
		{at: 3 * time.Second, latency: 20 * time.Millisecond, outcome: outOK},
	}
	st := summarize(samples, phases)
	if st[0].Requests != 1 || st[1].Requests != 2 || st[1].Outcomes[outUnavail] != 1 || st[1].P99 != 30*time.Millisecond {
		t.Fatalf("%+v", st)
	}
	path := filepath.Join(t.TempDir(), "p.png")
	if err := plot(path, samples, phases, []event{{At: 2 * time.Second, Label: "x"}}, 4*time.Second); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 640 {
		t.Errorf("size %v", b)
	}
}
