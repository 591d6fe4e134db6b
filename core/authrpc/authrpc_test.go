package authrpc_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

func TestCodeForStatus(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   authrpc.Code
	}{
		{"ok", http.StatusOK, 0},
		{"401", http.StatusUnauthorized, authrpc.Unauthenticated},
		{"403", http.StatusForbidden, authrpc.PermissionDenied},
		{"429", http.StatusTooManyRequests, authrpc.ResourceExhausted},
		{"503", http.StatusServiceUnavailable, authrpc.Unavailable},
		{"500", http.StatusInternalServerError, authrpc.Internal},
		{"unknown", 418, authrpc.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := authrpc.CodeForStatus(tt.status); got != tt.want {
				t.Errorf("CodeForStatus(%d) = %d, want %d", tt.status, got, tt.want)
			}
		})
	}
}

func TestNewStatus(t *testing.T) {
	st := authrpc.NewStatus(&auth.UnavailableError{RetryAfter: 1500 * time.Millisecond, Err: errors.New("jwks: dial tcp: secret detail")})
	want := authrpc.Status{Code: authrpc.Unavailable, Reason: "SERVICE_UNAVAILABLE", Message: "Authentication is temporarily unavailable", RetryAfter: 2 * time.Second}
	if st != want {
		t.Fatalf("%+v, want %+v", st, want)
	}
}

func TestNewGuard(t *testing.T) {
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	a, err := auth.New(auth.Config{BaseURL: is.URL()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    authrpc.Policy
		ok   bool
	}{
		{"zero", authrpc.Policy{}, true},
		{"service and method", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B": {}, "/a.B/C": {Optional: true}}}, true},
		{"pages", authrpc.Policy{Default: auth.Policy{Pages: []string{"/"}, LoginURL: "/login"}}, false},
		{"login URL in a method", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B": {LoginURL: "/x"}}}, false},
		{"no leading slash", authrpc.Policy{Methods: map[string]auth.Policy{"a.B/C": {}}}, false},
		{"three parts", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B/C/D": {}}}, false},
		{"empty method", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B/": {}}}, false},
		{"wildcard", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B/*": {}}}, false},
		{"bad inner policy", authrpc.Policy{Methods: map[string]auth.Policy{"/a.B": {Roles: []string{""}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authrpc.NewGuard(a, tt.p)
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, auth.ErrInvalidConfig) {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
	// The method entry wins over the service's, which wins over the default.
	g, err := authrpc.NewGuard(a, authrpc.Policy{Methods: map[string]auth.Policy{"/a.B": {Optional: true}, "/a.B/Strict": {}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method string
		action auth.Action
	}{{"/a.B/Any", auth.Allow}, {"/a.B/Strict", auth.Deny}, {"/c.D/Any", auth.Deny}} {
		if d := g.Check(context.Background(), tt.method, nil, nil); d.Action != tt.action {
			t.Errorf("%s: %v, want %v", tt.method, d.Action, tt.action)
		}
	}
}
