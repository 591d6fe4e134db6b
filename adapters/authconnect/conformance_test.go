package authconnect_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gobetterauth/gobetterauth/adapters/authconnect"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

type str = wrapperspb.StringValue

// TestConformance runs the shared RPC suite through the interceptor on Connect handlers, with clients
// speaking the Connect protocol and gRPC-Web.
func TestConformance(t *testing.T) {
	for _, proto := range []struct {
		name string
		opts []connect.ClientOption
	}{
		{"connect", nil},
		{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
	} {
		t.Run(proto.name, func(t *testing.T) {
			authtest.RunRPC(t, func(t *testing.T, a *auth.Auth, p authrpc.Policy, h authtest.Handler) authtest.RPCClient {
				opts := []authconnect.Option{authconnect.WithPolicy(p.Default)}
				for name, mp := range p.Methods {
					opts = append(opts, authconnect.WithMethodPolicy(name, mp))
				}
				srv := httptest.NewServer(testService(h, connect.WithInterceptors(authconnect.NewInterceptor(a, opts...))))
				t.Cleanup(srv.Close)
				return client(srv, proto.opts...)
			})
		})
	}
}

// testService is authtest's RPC service on Connect handlers: a unary and a server-streaming procedure for
// each name in authtest.RPCMethods, which answer h's string.
func testService(h authtest.Handler, opts ...connect.HandlerOption) http.Handler {
	answer := func(ctx context.Context) *str {
		s, ok := authconnect.Session(ctx)
		return wrapperspb.String(h(ctx, s, ok))
	}
	mux := http.NewServeMux()
	for _, name := range authtest.RPCMethods {
		unary := "/" + authtest.RPCService + "/" + name
		mux.Handle(unary, connect.NewUnaryHandler(unary, func(ctx context.Context, _ *connect.Request[str]) (*connect.Response[str], error) {
			return connect.NewResponse(answer(ctx)), nil
		}, opts...))
		stream := unary + "Stream"
		mux.Handle(stream, connect.NewServerStreamHandler(stream, func(ctx context.Context, _ *connect.Request[str], ss *connect.ServerStream[str]) error {
			return ss.Send(answer(ctx))
		}, opts...))
	}
	return mux
}

// client makes the suite's calls on srv.
func client(srv *httptest.Server, opts ...connect.ClientOption) authtest.RPCClient {
	return func(ctx context.Context, call authtest.RPCCall) (authtest.RPCResult, error) {
		c := connect.NewClient[str, str](srv.Client(), srv.URL+call.Method, opts...)
		req := connect.NewRequest(wrapperspb.String("hi"))
		for k, vs := range call.Metadata {
			for _, v := range vs {
				req.Header().Add(k, v)
			}
		}
		var res authtest.RPCResult
		var err error
		if !call.Stream {
			var out *connect.Response[str]
			if out, err = c.CallUnary(ctx, req); err == nil {
				res.Body = out.Msg.GetValue()
				res.Raw = fmt.Sprint(out.Header(), out.Trailer())
			}
		} else {
			var ss *connect.ServerStreamForClient[str]
			if ss, err = c.CallServerStream(ctx, req); err == nil {
				for ss.Receive() {
					res.Body += ss.Msg().GetValue()
				}
				err = ss.Err()
				res.Raw = fmt.Sprint(ss.ResponseHeader(), ss.ResponseTrailer())
				_ = ss.Close()
			}
		}
		if err == nil {
			return res, nil
		}
		ce := new(connect.Error)
		if !errors.As(err, &ce) {
			return res, err
		}
		res.Code, res.Message = uint32(ce.Code()), ce.Message()
		res.Raw += fmt.Sprint(ce.Meta())
		for _, d := range ce.Details() {
			v, derr := d.Value()
			if derr != nil {
				return res, derr
			}
			res.Raw += fmt.Sprint(v)
			switch v := v.(type) {
			case *errdetails.ErrorInfo:
				res.Reason, res.Domain = v.Reason, v.Domain
			case *errdetails.RetryInfo:
				res.RetryDelay = v.RetryDelay.AsDuration()
			}
		}
		return res, nil
	}
}
