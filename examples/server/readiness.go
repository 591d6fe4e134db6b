package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// dependency is one thing /readyz checks: the database, and Redis when one is configured. check must
// return once ctx is done.
type dependency struct {
	name  string
	check func(ctx context.Context) error
}

// readiness answers /readyz: 200 when every dependency answered within timeout, else 503 naming those that
// failed; 503 too once shutdown began (draining), so that a load balancer stops sending new requests while
// the ones in flight finish.
type readiness struct {
	deps     []dependency
	timeout  time.Duration
	logger   *slog.Logger
	draining atomic.Bool
}

// readyAnswer is /readyz's JSON body.
type readyAnswer struct {
	Status string   `json:"status"`           // "ok", "unavailable" or "shutting down"
	Failed []string `json:"failed,omitempty"` // the dependencies that failed or timed out, in check order
}

// ServeHTTP checks every dependency at once, each bounded by r.timeout. Only the dependency's name and
// "timeout" or "error" go out; the error itself goes to the log (it may name hosts).
func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, readyAnswer{Status: "shutting down"})
		return
	}
	failed := make([]string, len(r.deps))
	var wg sync.WaitGroup
	for i, d := range r.deps {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(req.Context(), r.timeout)
			defer cancel()
			err := d.check(ctx)
			if err == nil {
				return
			}
			kind := "error"
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				kind = "timeout"
			}
			failed[i] = d.name + ": " + kind
			r.logger.Warn("server: /readyz: dependency not ready", "dependency", d.name, "err", err)
		})
	}
	wg.Wait()
	var out readyAnswer
	for _, f := range failed {
		if f != "" {
			out.Failed = append(out.Failed, f)
		}
	}
	if len(out.Failed) > 0 {
		out.Status = "unavailable"
		writeJSON(w, http.StatusServiceUnavailable, out)
		return
	}
	out.Status = "ok"
	writeJSON(w, http.StatusOK, out)
}

// withProbes serves /healthz (liveness: the process answers) and /readyz (readiness) in front of h.
func withProbes(h http.Handler, ready *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", ready)
	mux.Handle("/", h) // /healthz is newHandler's
	return mux
}
