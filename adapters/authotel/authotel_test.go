package authotel_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gobetterauth/gobetterauth/adapters/authotel"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// TestVerifications checks the spans and metric values of a valid, an invalid and an unavailable
// verification, and that no span attribute and no log line (the verifier's logger at debug level, where
// refusals are logged) carries token bytes.
// lockedBuffer is a bytes.Buffer safe for a writer on another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *lockedBuffer) Len() int       { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.Len() }
func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

func TestVerifications(t *testing.T) {
	tests := []struct {
		name       string
		down       bool
		tamper     bool
		outcome    string
		reason     string
		jwksResult string // the JWKS fetch's outcome and reason attributes
	}{
		{name: "valid", outcome: "allow", reason: "", jwksResult: "ok gobetterauth.reason="},
		{name: "invalid", tamper: true, outcome: "deny", reason: "INVALID_TOKEN", jwksResult: "ok gobetterauth.reason="},
		{name: "unavailable", down: true, outcome: "deny", reason: "SERVICE_UNAVAILABLE", jwksResult: "error gobetterauth.reason=status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			obs, err := authotel.New(authotel.Config{TracerProvider: tp, MeterProvider: mp})
			if err != nil {
				t.Fatal(err)
			}
			is, err := authtest.NewIssuer("EdDSA")
			if err != nil {
				t.Fatal(err)
			}
			defer is.Close()
			if tt.down {
				is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool { w.WriteHeader(500); return true })
			}
			var logs lockedBuffer // the key set logs from its own goroutine
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			a, err := auth.New(auth.Config{BaseURL: is.URL(), Observer: obs, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			tok := is.MustMint(authtest.Claims{ID: "u1", Email: "secret-user@example.com"})
			if tt.tamper {
				i := strings.LastIndexByte(tok, '.') + 5
				c := byte('A')
				if tok[i] == 'A' {
					c = 'B'
				}
				tok = tok[:i] + string(c) + tok[i+1:]
			}
			_, verr := a.Authenticate(context.Background(), auth.Request{Authorization: []string{"Bearer " + tok}})
			if got := auth.NewErrorResponse(verr).Code; tt.reason != "" && got != tt.reason || tt.reason == "" && verr != nil {
				t.Fatalf("Authenticate: %v", verr)
			}

			if tt.name != "valid" && logs.Len() == 0 {
				t.Errorf("a refusal logged nothing at debug level")
			}
			for _, part := range strings.Split(tok, ".") {
				if strings.Contains(logs.String(), part) {
					t.Errorf("a log line carries token bytes: %s", logs.String())
				}
			}

			byName := map[string]sdktrace.ReadOnlySpan{}
			for _, s := range spans.Ended() {
				byName[s.Name()] = s
				for _, kv := range s.Attributes() {
					v := kv.Value.Emit()
					for _, part := range strings.Split(tok, ".") {
						if strings.Contains(v, part) || strings.Contains(v, "secret-user") || strings.Contains(v, "u1") && kv.Key != "gobetterauth.credential" {
							t.Errorf("span %s attribute %s=%q carries token or user data", s.Name(), kv.Key, v)
						}
					}
				}
			}
			v, ok := byName["gobetterauth.verify"]
			if !ok {
				t.Fatalf("no verify span among %v", byName)
			}
			want := map[attribute.Key]string{"gobetterauth.credential": "jwt", "gobetterauth.outcome": tt.outcome, "gobetterauth.reason": tt.reason}
			for _, kv := range v.Attributes() {
				if w, ok := want[kv.Key]; ok && kv.Value.AsString() != w {
					t.Errorf("verify span %s=%q, want %q", kv.Key, kv.Value.AsString(), w)
				}
			}
			if v.EndTime().Before(v.StartTime()) || v.StartTime().IsZero() {
				t.Errorf("verify span times %v..%v", v.StartTime(), v.EndTime())
			}
			if _, ok := byName["gobetterauth.jwks.fetch"]; !ok {
				t.Errorf("no JWKS fetch span")
			}

			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int64{}
			histCount := uint64(0)
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					switch d := m.Data.(type) {
					case metricdata.Sum[int64]:
						for _, p := range d.DataPoints {
							key := m.Name
							for _, kv := range p.Attributes.ToSlice() {
								key += " " + string(kv.Key) + "=" + kv.Value.Emit()
							}
							counts[key] += p.Value
						}
					case metricdata.Histogram[float64]:
						if m.Name == "gobetterauth.verify.duration" {
							for _, p := range d.DataPoints {
								histCount += p.Count
							}
						}
					}
				}
			}
			verifyKey := "gobetterauth.verify.count gobetterauth.credential=jwt gobetterauth.outcome=" + tt.outcome + " gobetterauth.reason=" + tt.reason
			if counts[verifyKey] != 1 {
				t.Errorf("%s = %d, want 1; all: %v", verifyKey, counts[verifyKey], counts)
			}
			if k := "gobetterauth.jwks.fetch.count gobetterauth.outcome=" + tt.jwksResult; counts[k] != 1 {
				t.Errorf("%s = %d, want 1; all: %v", k, counts[k], counts)
			}
			if histCount != 1 {
				t.Errorf("verify.duration has %d points, want 1", histCount)
			}
		})
	}
}

// TestDefaultProviders checks that New works with the global (no-op) providers.
func TestDefaultProviders(t *testing.T) {
	if _, err := authotel.New(authotel.Config{}); err != nil {
		t.Fatal(err)
	}
}
