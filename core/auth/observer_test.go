package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// fetchRecorder is an auth.Observer keeping the JWKS fetch errors.
type fetchRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (*fetchRecorder) ObserveVerify(context.Context, time.Time, auth.Credential, error) {}
func (*fetchRecorder) ObserveStoreLookup(context.Context, time.Time, error)             {}
func (f *fetchRecorder) ObserveJWKSFetch(_ context.Context, _ time.Time, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, err)
}

// TestJWKSFetchReason checks the reason a failed JWKS fetch is classified under, from real fetches.
func TestJWKSFetchReason(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: a closed server
		want    string
	}{
		{name: "ok", handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"keys":[]}`)) }, want: ""},
		{name: "status", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(502) }, want: "status"},
		{name: "malformed", handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`<html>`)) }, want: "malformed"},
		{name: "too large", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"keys":[],"x":"` + strings.Repeat("a", 2048) + `"}`))
		}, want: "too_large"},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, want: "timeout"},
		{name: "network", want: "network"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			if tt.handler == nil {
				srv.Close()
			} else {
				defer srv.Close()
			}
			rec := &fetchRecorder{}
			a, err := auth.New(auth.Config{BaseURL: srv.URL, Observer: rec,
				JWKS: auth.JWKSOptions{MaxBytes: 1024, FetchTimeout: 200 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			tok := "eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.eyJzdWIiOiJ1In0.c2ln"
			a.Authenticate(context.Background(), auth.Request{Authorization: []string{"Bearer " + tok}})
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.errs) == 0 {
				t.Fatal("no JWKS fetch observed")
			}
			if got := auth.JWKSFetchReason(rec.errs[0]); got != tt.want {
				t.Errorf("JWKSFetchReason(%v) = %q, want %q", rec.errs[0], got, tt.want)
			}
		})
	}
}
