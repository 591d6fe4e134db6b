package providers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recorder is an http.RoundTripper that records the token requests it forwards.
type recorder struct {
	mu     sync.Mutex
	tokens []*http.Request
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.Contains(req.URL.Path, "token") {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		r.mu.Lock()
		r.tokens = append(r.tokens, req)
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// tokenRequest returns the form and headers of the one token request recorded.
func (r *recorder) tokenRequest(t *testing.T) (url.Values, http.Header) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.tokens) != 1 {
		t.Fatalf("%d token requests, want 1", len(r.tokens))
	}
	form, err := url.ParseQuery(string(r.bodies[0]))
	if err != nil {
		t.Fatal(err)
	}
	return form, r.tokens[0].Header
}
