package authconnect_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gobetterauth/gobetterauth/adapters/authconnect"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// Protect Connect handlers: every procedure needs a signed-in caller, and Admin the admin role. The issuer
// stands in for a Better Auth server with the JWT plugin on.
func ExampleNewInterceptor() {
	betterAuth, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}
	ic := authconnect.NewInterceptor(a,
		authconnect.WithMethodPolicy("/authtest.v1.Test/Admin", auth.Policy{Roles: []string{"admin"}}))
	hello := func(ctx context.Context, s *auth.Session, ok bool) string { return "hello " + s.User.Email }
	srv := httptest.NewServer(testService(hello, connect.WithInterceptors(ic)))
	defer srv.Close()

	call := func(procedure, token string) {
		c := connect.NewClient[str, str](srv.Client(), srv.URL+procedure)
		req := connect.NewRequest(wrapperspb.String(""))
		if token != "" {
			req.Header().Set("Authorization", "Bearer "+token)
		}
		res, err := c.CallUnary(context.Background(), req)
		if ce := new(connect.Error); errors.As(err, &ce) {
			fmt.Println(ce.Code(), ce.Message())
			return
		}
		fmt.Println(res.Msg.GetValue())
	}
	ada := betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"})
	call("/authtest.v1.Test/Me", "")
	call("/authtest.v1.Test/Me", ada)
	call("/authtest.v1.Test/Admin", ada)
	// Output:
	// unauthenticated Unauthorized
	// hello ada@example.com
	// permission_denied Forbidden
}
