package authgrpc_test

import (
	"context"
	"fmt"
	"log"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gobetterauth/gobetterauth/adapters/authgrpc"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// call makes a unary call to method with token as its bearer credentials and prints the answer: the reply,
// or the status code, message and Better Auth's error code.
func call(conn *grpc.ClientConn, method, token string) {
	ctx := context.Background()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, method, wrapperspb.String(""), out); err != nil {
		st := status.Convert(err)
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				fmt.Println(st.Code(), st.Message(), info.Reason)
			}
		}
		return
	}
	fmt.Println(out.GetValue())
}

// Protect a gRPC service: every method needs a signed-in caller, and the Admin methods the admin role. The
// issuer stands in for a Better Auth server with the JWT plugin on.
func ExampleUnaryServerInterceptor() {
	betterAuth, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}
	opts := []authgrpc.Option{
		authgrpc.WithMethodPolicy("/authtest.v1.Test/Admin", auth.Policy{Roles: []string{"admin"}}),
	}
	hello := func(ctx context.Context, s *auth.Session, ok bool) string { return "hello " + s.User.Email }

	conn, stop := serve(testService(hello),
		grpc.ChainUnaryInterceptor(authgrpc.UnaryServerInterceptor(a, opts...)),
		grpc.ChainStreamInterceptor(authgrpc.StreamServerInterceptor(a, opts...)))
	defer stop()

	ada := betterAuth.MustMint(authtest.Claims{Email: "ada@example.com"})
	call(conn, "/authtest.v1.Test/Me", "")
	call(conn, "/authtest.v1.Test/Me", ada)
	call(conn, "/authtest.v1.Test/Admin", ada)
	// Output:
	// Unauthenticated Unauthorized UNAUTHORIZED
	// hello ada@example.com
	// PermissionDenied Forbidden FORBIDDEN
}
