package authconnect_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"

	"github.com/gobetterauth/gobetterauth/adapters/authconnect"
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
	ic := authconnect.NewInterceptor(a, authconnect.WithErrorHandler(func(_ context.Context, err error) error {
		got = err
		return connect.NewError(connect.CodeNotFound, errors.New("custom"))
	}))
	ran := false
	srv := httptest.NewServer(testService(func(context.Context, *auth.Session, bool) string { ran = true; return "" },
		connect.WithInterceptors(ic)))
	defer srv.Close()
	for _, call := range []authtest.RPCCall{{Method: "/authtest.v1.Test/Me"}, {Method: "/authtest.v1.Test/MeStream", Stream: true}} {
		got = nil
		res, err := client(srv)(context.Background(), call)
		if err != nil {
			t.Fatal(err)
		}
		if connect.Code(res.Code) != connect.CodeNotFound || res.Message != "custom" || !errors.Is(got, auth.ErrNoCredentials) || ran {
			t.Fatalf("%s: code %d message %q err %v ran %v", call.Method, res.Code, res.Message, got, ran)
		}
	}
}

// TestClientUntouched checks that the interceptor leaves a client's calls alone: a client built with it
// sends no credentials of its own and is not refused before the server answers.
func TestClientUntouched(t *testing.T) {
	is, a := newAuth(t)
	ic := authconnect.NewInterceptor(a)
	srv := httptest.NewServer(testService(func(_ context.Context, s *auth.Session, ok bool) string { return s.User.ID },
		connect.WithInterceptors(ic)))
	defer srv.Close()
	c := connect.NewClient[str, str](srv.Client(), srv.URL+"/authtest.v1.Test/Me", connect.WithInterceptors(ic))
	req := connect.NewRequest(&str{})
	req.Header().Set("Authorization", "Bearer "+is.MustMint(authtest.Claims{ID: "u9"}))
	res, err := c.CallUnary(context.Background(), req)
	if err != nil || res.Msg.GetValue() != "u9" {
		t.Fatalf("%v %v", res, err)
	}
}

func TestInvalidPolicyPanics(t *testing.T) {
	_, a := newAuth(t)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	authconnect.NewInterceptor(a, authconnect.WithPolicy(auth.Policy{Pages: []string{"/"}, LoginURL: "/login"}))
}
