package authgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gobetterauth/gobetterauth/adapters/authgrpc"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

// TestConformance runs the shared RPC suite through both interceptors on a real grpc.Server, over an
// in-memory connection.
func TestConformance(t *testing.T) {
	authtest.RunRPC(t, func(t *testing.T, a *auth.Auth, p authrpc.Policy, h authtest.Handler) authtest.RPCClient {
		var opts []authgrpc.Option
		opts = append(opts, authgrpc.WithPolicy(p.Default))
		for name, mp := range p.Methods {
			opts = append(opts, authgrpc.WithMethodPolicy(name, mp))
		}
		conn, stop := serve(testService(h),
			grpc.ChainUnaryInterceptor(authgrpc.UnaryServerInterceptor(a, opts...)),
			grpc.ChainStreamInterceptor(authgrpc.StreamServerInterceptor(a, opts...)))
		t.Cleanup(stop)
		return client(conn)
	})
}

// testService is authtest's RPC service: a unary and a server-streaming method for each name in
// authtest.RPCMethods, which answer h's string.
func testService(h authtest.Handler) *grpc.ServiceDesc {
	answer := func(ctx context.Context) *wrapperspb.StringValue {
		s, ok := authgrpc.Session(ctx)
		return wrapperspb.String(h(ctx, s, ok))
	}
	desc := &grpc.ServiceDesc{ServiceName: authtest.RPCService, HandlerType: (*any)(nil)}
	for _, name := range authtest.RPCMethods {
		desc.Methods = append(desc.Methods, grpc.MethodDesc{
			MethodName: name,
			Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
				in := new(wrapperspb.StringValue)
				if err := dec(in); err != nil {
					return nil, err
				}
				info := &grpc.UnaryServerInfo{FullMethod: "/" + authtest.RPCService + "/" + name}
				handler := func(ctx context.Context, _ any) (any, error) { return answer(ctx), nil }
				if ic == nil {
					return handler(ctx, in)
				}
				return ic(ctx, in, info, handler)
			},
		})
		desc.Streams = append(desc.Streams, grpc.StreamDesc{
			StreamName:    name + "Stream",
			ServerStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				in := new(wrapperspb.StringValue)
				if err := ss.RecvMsg(in); err != nil {
					return err
				}
				return ss.SendMsg(answer(ss.Context()))
			},
		})
	}
	return desc
}

// serve starts a grpc.Server with desc and opts on an in-memory listener and returns a client connection
// and a function that closes both.
func serve(desc *grpc.ServiceDesc, opts ...grpc.ServerOption) (*grpc.ClientConn, func()) {
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(opts...)
	s.RegisterService(desc, struct{}{})
	go func() { _ = s.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err) // only for a malformed target, which this is not
	}
	return conn, func() { _ = conn.Close(); s.Stop() }
}

// client makes the suite's calls on conn.
func client(conn *grpc.ClientConn) authtest.RPCClient {
	return func(ctx context.Context, call authtest.RPCCall) (authtest.RPCResult, error) {
		ctx = metadata.NewOutgoingContext(ctx, metadata.MD(call.Metadata))
		var header, trailer metadata.MD
		var res authtest.RPCResult
		var err error
		if !call.Stream {
			out := new(wrapperspb.StringValue)
			err = conn.Invoke(ctx, call.Method, wrapperspb.String("hi"), out, grpc.Header(&header), grpc.Trailer(&trailer))
			res.Body = out.GetValue()
		} else {
			var cs grpc.ClientStream
			cs, err = conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, call.Method)
			if err == nil {
				err = cs.SendMsg(wrapperspb.String("hi"))
			}
			if err == nil {
				err = cs.CloseSend()
			}
			for err == nil {
				out := new(wrapperspb.StringValue)
				if err = cs.RecvMsg(out); err == nil {
					res.Body += out.GetValue()
				}
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if cs != nil {
				header, _ = cs.Header()
				trailer = cs.Trailer()
			}
		}
		res.Raw = fmt.Sprint(header, trailer)
		if err == nil {
			return res, nil
		}
		st, ok := status.FromError(err)
		if !ok {
			return res, err
		}
		res.Code, res.Message = uint32(st.Code()), st.Message()
		for _, d := range st.Details() {
			res.Raw += fmt.Sprint(d)
			switch d := d.(type) {
			case *errdetails.ErrorInfo:
				res.Reason, res.Domain = d.Reason, d.Domain
			case *errdetails.RetryInfo:
				res.RetryDelay = d.RetryDelay.AsDuration()
			}
		}
		return res, nil
	}
}
