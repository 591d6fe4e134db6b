package authgrpc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gobetterauth/gobetterauth/adapters/authgrpc"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func newAuth(t testing.TB) (*authtest.Issuer, *auth.Auth) {
	t.Helper()
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	a, err := auth.New(auth.Config{BaseURL: is.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return is, a
}

func TestErrorHandler(t *testing.T) {
	_, a := newAuth(t)
	var got error
	h := authgrpc.WithErrorHandler(func(_ context.Context, err error) error {
		got = err
		return status.Error(codes.NotFound, "custom")
	})
	ran := false
	conn, stop := serve(testService(func(context.Context, *auth.Session, bool) string { ran = true; return "" }),
		grpc.ChainUnaryInterceptor(authgrpc.UnaryServerInterceptor(a, h)))
	defer stop()
	res, err := client(conn)(context.Background(), authtest.RPCCall{Method: "/authtest.v1.Test/Me"})
	if err != nil {
		t.Fatal(err)
	}
	if codes.Code(res.Code) != codes.NotFound || res.Message != "custom" || !errors.Is(got, auth.ErrNoCredentials) || ran {
		t.Fatalf("code %d message %q err %v ran %v", res.Code, res.Message, got, ran)
	}
}

func TestOptional(t *testing.T) {
	_, a := newAuth(t)
	conn, stop := serve(testService(func(_ context.Context, _ *auth.Session, ok bool) string {
		if ok {
			return "signed in"
		}
		return "anonymous"
	}), grpc.ChainUnaryInterceptor(authgrpc.UnaryServerInterceptor(a, authgrpc.Optional())))
	defer stop()
	res, err := client(conn)(context.Background(), authtest.RPCCall{Method: "/authtest.v1.Test/Me"})
	if err != nil || res.Code != 0 || res.Body != "anonymous" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   codes.Code
		reason string
		retry  time.Duration
	}{
		{"no credentials", auth.ErrNoCredentials, codes.Unauthenticated, "UNAUTHORIZED", 0},
		{"expired", auth.ErrExpired, codes.Unauthenticated, "TOKEN_EXPIRED", 0},
		{"banned", auth.ErrBanned, codes.PermissionDenied, "BANNED_USER", 0},
		{"unavailable", &auth.UnavailableError{RetryAfter: 3 * time.Second}, codes.Unavailable, "SERVICE_UNAVAILABLE", 3 * time.Second},
		{"unknown", errors.New("boom"), codes.Internal, "INTERNAL_SERVER_ERROR", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := authgrpc.Status(tt.err)
			var reason string
			var retry time.Duration
			for _, d := range st.Details() {
				switch d := d.(type) {
				case *errdetails.ErrorInfo:
					reason = d.Reason
				case *errdetails.RetryInfo:
					retry = d.RetryDelay.AsDuration()
				}
			}
			if st.Code() != tt.code || reason != tt.reason || retry != tt.retry {
				t.Errorf("code %v reason %q retry %v, want %v %q %v", st.Code(), reason, retry, tt.code, tt.reason, tt.retry)
			}
		})
	}
}

func TestInvalidPolicyPanics(t *testing.T) {
	_, a := newAuth(t)
	tests := []struct {
		name string
		opt  authgrpc.Option
	}{
		{"page routes", authgrpc.WithPolicy(auth.Policy{Pages: []string{"/"}, LoginURL: "/login"})},
		{"method name", authgrpc.WithMethodPolicy("pkg.Service/Method", auth.Policy{})},
		{"empty roles", authgrpc.WithMethodPolicy("/pkg.Service", auth.Policy{Roles: []string{}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			authgrpc.UnaryServerInterceptor(a, tt.opt)
		})
	}
}
