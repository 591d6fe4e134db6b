package authotel_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/gobetterauth/gobetterauth/adapters/authotel"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const (
	origin   = "http://localhost:3000"
	email    = "otel-user@example.com"
	password = "correct horse battery"
)

// TestServer signs up, signs in (right and wrong password) until the rate limiter refuses, and reads the
// session; it checks the endpoint spans (Better Auth's names and attributes), the context the endpoint runs
// with, the sign-in and sign-up counters, the rate-limit refusals and the hashing queue's waits, and
// that no span attribute or event carries the email, the password or the session token.
func TestServer(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := authotel.New(authotel.Config{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := authserver.Migrate(context.Background(), db, "sqlite"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	var hookSpan trace.SpanContext // the span in the context the endpoint's hooks and handler run with
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: origin, Secret: "otel-test-secret-0123456789abcdefghijklmn", DisableJWKS: true, Now: func() time.Time { return now }},
		Database: st,
		Observer: obs,
		Plugins: []authserver.Plugin{{ID: "probe", Before: []authserver.Hook{{Match: authserver.PathIs("/get-session"),
			Run: func(x *authserver.Context) error { hookSpan = trace.SpanContextFromContext(x.Context()); return nil }}}}},
		// Better Auth's default rules: 3 per 10 s on /sign-in and /sign-up; the clock stands still.
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	do := func(method, path, body, cookie string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, origin+"/api/auth"+path, strings.NewReader(body))
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header.Set("Origin", origin)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	steps := []struct {
		name, path, body string
		status           int
	}{
		{name: "sign-up", path: "/sign-up/email", body: `{"email":"` + email + `","password":"` + password + `","name":"Otel"}`, status: 200},
		{name: "sign-in", path: "/sign-in/email", body: `{"email":"` + email + `","password":"` + password + `"}`, status: 200},
		{name: "wrong password", path: "/sign-in/email", body: `{"email":"` + email + `","password":"wrong password!"}`, status: 401},
		{name: "sign-in again", path: "/sign-in/email", body: `{"email":"` + email + `","password":"` + password + `"}`, status: 200},
		{name: "rate limited", path: "/sign-in/email", body: `{"email":"` + email + `","password":"` + password + `"}`, status: 429},
	}
	var sessionCookie, token string
	for _, s := range steps {
		w := do(http.MethodPost, s.path, s.body, "")
		if w.Code != s.status {
			t.Fatalf("%s: status %d, want %d: %s", s.name, w.Code, s.status, w.Body)
		}
		for _, c := range w.Result().Cookies() {
			if c.Name == "better-auth.session_token" {
				sessionCookie, token = c.Name+"="+c.Value, c.Value
			}
		}
	}
	if w := do(http.MethodGet, "/get-session", "", sessionCookie); w.Code != 200 || !strings.Contains(w.Body.String(), email) {
		t.Fatalf("get-session: %d %s", w.Code, w.Body)
	}

	// Spans.
	ended := spans.Ended()
	var signIns []sdktrace.ReadOnlySpan
	var getSession sdktrace.ReadOnlySpan
	for _, s := range ended {
		switch s.Name() {
		case "POST /sign-in/email":
			signIns = append(signIns, s)
		case "GET /get-session":
			getSession = s
		}
		check := func(where string, kvs []attribute.KeyValue) {
			for _, kv := range kvs {
				v := kv.Value.Emit()
				for _, secret := range []string{email, password, token, strings.SplitN(token, ".", 2)[0]} {
					if secret != "" && strings.Contains(v, secret) {
						t.Errorf("span %s %s %s=%q carries user data or a token", s.Name(), where, kv.Key, v)
					}
				}
			}
		}
		check("attribute", s.Attributes())
		for _, e := range s.Events() {
			check("event "+e.Name, e.Attributes)
		}
	}
	if len(signIns) != 4 {
		t.Fatalf("%d POST /sign-in/email spans, want 4; all: %v", len(signIns), names(ended))
	}
	wantStatus := []int64{200, 401, 200, 429}
	for i, s := range signIns {
		a := attrs(s.Attributes())
		if a["http.route"] != "/sign-in/email" || a["better_auth.operation_id"] != "signInEmail" ||
			a["http.request.method"] != "POST" || a["http.response.status_code"] != wantStatus[i] {
			t.Errorf("sign-in span %d attributes %v, want route /sign-in/email, signInEmail, POST, %d", i, a, wantStatus[i])
		}
	}
	if a := attrs(signIns[1].Attributes()); a["gobetterauth.reason"] != "INVALID_EMAIL_OR_PASSWORD" {
		t.Errorf("wrong password span reason %v", a["gobetterauth.reason"])
	}
	if getSession == nil {
		t.Fatalf("no GET /get-session span; all: %v", names(ended))
	}
	if !hookSpan.Equal(getSession.SpanContext()) {
		t.Errorf("the endpoint ran in span %v, want GET /get-session's %v", hookSpan, getSession.SpanContext())
	}

	// Metrics.
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts, points := map[string]int64{}, map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					counts[key(m.Name, p.Attributes)] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					points[key(m.Name, p.Attributes)] += p.Count
				}
			}
		}
	}
	attempt := "gobetterauth.server.auth.attempt.count gobetterauth.flow=%s gobetterauth.method=email gobetterauth.outcome=%s gobetterauth.provider= gobetterauth.reason=%s"
	for k, want := range map[string]int64{
		fmt.Sprintf(attempt, "sign-up", "success", ""):                                                   1,
		fmt.Sprintf(attempt, "sign-in", "success", ""):                                                   2,
		fmt.Sprintf(attempt, "sign-in", "failure", "INVALID_EMAIL_OR_PASSWORD"):                          1,
		fmt.Sprintf(attempt, "sign-in", "failure", ""):                                                   1, // the 429
		"gobetterauth.server.ratelimit.refusal.count http.request.method=POST http.route=/sign-in/email": 1,
	} {
		if counts[k] != want {
			t.Errorf("%s = %d, want %d; all: %v", k, counts[k], want, counts)
		}
	}
	// One hash for the sign-up, one verification per sign-in that reached the handler.
	if k := "gobetterauth.server.hash.queue.wait gobetterauth.outcome=acquired"; points[k] != 4 {
		t.Errorf("%s has %d points, want 4; all: %v", k, points[k], points)
	}
	if k := "gobetterauth.server.request.duration http.request.method=POST http.response.status_code=200 http.route=/sign-in/email"; points[k] != 2 {
		t.Errorf("%s has %d points, want 2; all: %v", k, points[k], points)
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func key(name string, set attribute.Set) string {
	for _, kv := range set.ToSlice() {
		name += " " + string(kv.Key) + "=" + kv.Value.Emit()
	}
	return name
}
