package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// backendHeader names, on every answer of the balancer, the backend that served it.
const backendHeader = "X-Loadtest-Backend"

// backend is one server behind the balancer.
type backend struct {
	name    string
	baseURL string // http://127.0.0.1:port
	probe   string // a path answering 200 when the backend is ready
	healthy atomic.Bool
}

// balancer is a round-robin HTTP reverse proxy, as a load balancer in front of the instances would be: it
// skips backends whose readiness probe fails, and sends a request to the next backend only when the
// connection to one was refused (so the request never reached it: safe for a POST too). Any other failure
// is a 502, as most load balancers answer. X-Forwarded-For gets the client's address appended.
type balancer struct {
	mu       sync.RWMutex
	backends []*backend
	next     atomic.Uint64
	client   *http.Client
	probeC   *http.Client
}

func newBalancer(backends []*backend) *balancer {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext, ResponseHeaderTimeout: 30 * time.Second}
	b := &balancer{backends: backends, client: &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		probeC: &http.Client{Timeout: time.Second}}
	return b
}

// probeLoop checks every backend's readiness every interval until ctx is done.
func (b *balancer) probeLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		b.mu.RLock()
		bs := append([]*backend(nil), b.backends...)
		b.mu.RUnlock()
		var wg sync.WaitGroup
		for _, be := range bs {
			wg.Go(func() {
				res, err := b.probeC.Get(be.baseURL + be.probe)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				be.healthy.Store(err == nil && res.StatusCode == 200)
			})
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "balancer: reading the body", http.StatusBadRequest)
		return
	}
	b.mu.RLock()
	bs := b.backends
	b.mu.RUnlock()
	start := int(b.next.Add(1))
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	tried := 0
	for i := range 2 * len(bs) {
		be := bs[(start+i)%len(bs)]
		if !be.healthy.Load() && i < len(bs) { // first pass: healthy backends only
			continue
		}
		tried++
		out, err := http.NewRequestWithContext(r.Context(), r.Method, be.baseURL+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, "balancer: "+err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		out.Host = r.Host
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			out.Header.Set("X-Forwarded-For", prior+", "+client)
		} else {
			out.Header.Set("X-Forwarded-For", client)
		}
		res, err := b.client.Do(out)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				be.healthy.Store(false) // passive health check: never reached it, try the next
				continue
			}
			w.Header().Set(backendHeader, be.name)
			http.Error(w, "balancer: "+be.name+": "+strings.ReplaceAll(err.Error(), be.baseURL, ""), http.StatusBadGateway)
			return
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.Header().Set(backendHeader, be.name)
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
		res.Body.Close()
		return
	}
	http.Error(w, "balancer: no backend reachable", http.StatusBadGateway)
}
