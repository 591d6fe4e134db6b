package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gobetterauth/gobetterauth/adapters/authconnect"
	"github.com/gobetterauth/gobetterauth/adapters/authgrpc"
	"github.com/gobetterauth/gobetterauth/core/auth"
)

// rpcMethod is the benchmarked procedure.
const rpcMethod = "/bench.v1.Bench/Me"

// BenchmarkRPCAdapters is BenchmarkAdapters for the RPC adapters, each row against its own bare twin:
//
//	authenticate                 Authenticate alone, with the request the interceptors build
//	grpc-interceptor/bare        a unary handler called directly with incoming metadata, as grpc.Server does
//	grpc-interceptor/authgrpc    the same through authgrpc.UnaryServerInterceptor: the adapter's own cost
//	grpc-bufconn/bare|authgrpc   a whole unary call, client to server, over an in-memory connection
//	connect/bare|authconnect     a Connect unary call (binary proto) served by its http.Handler
//
// The adapter's cost is <row>/<adapter> - <row>/bare - authenticate. The bufconn rows include gRPC's
// transport (tens of µs and ~200 allocations), which buries a sub-µs difference in noise; the
// interceptor rows isolate it.
func BenchmarkRPCAdapters(b *testing.B) {
	f := newJWKSFixture(b, "EdDSA")
	a := newOurs(b, auth.Config{BaseURL: f.origin, TokenCacheSize: 1024})
	requireCacheHit(b, a, f.tok)
	authz := "Bearer " + f.tok

	b.Run("authenticate", func(b *testing.B) {
		ctx := context.Background()
		req := auth.Request{Method: "POST", Path: rpcMethod, Authorization: []string{authz}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Authenticate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, r := range rpcRows(a) {
		b.Run(r.name+"/bare", func(b *testing.B) { benchCall(b, r.bare(b, authz)) })
		b.Run(r.name+"/"+r.adapter, func(b *testing.B) { benchCall(b, r.auth(b, authz)) })
	}
}

// TestRPCAdapterAllocs logs the allocations each RPC adapter adds per verified call on top of
// Authenticate (target: at most 2), and fails only if a valid token is refused.
func TestRPCAdapterAllocs(t *testing.T) {
	f := newJWKSFixture(t, "EdDSA")
	a := newOurs(t, auth.Config{BaseURL: f.origin, TokenCacheSize: 1024})
	requireCacheHit(t, a, f.tok)
	authz := "Bearer " + f.tok
	ctx := context.Background()
	req := auth.Request{Method: "POST", Path: rpcMethod, Authorization: []string{authz}}
	base := testing.AllocsPerRun(200, func() {
		if _, err := a.Authenticate(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
	for _, r := range rpcRows(a) {
		bare, with := testing.AllocsPerRun(200, r.bare(t, authz)), testing.AllocsPerRun(200, r.auth(t, authz))
		added := with - bare - base
		verdict := "within"
		if added > 2 {
			verdict = "MISSES"
		}
		t.Logf("%-16s %-11s adds %.0f allocs per call (bare %.0f, with auth %.0f, Authenticate %.0f): %s the target of 2",
			r.name, r.adapter, added, bare, with, base, verdict)
	}
}

func benchCall(b *testing.B, call func()) {
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}

// rpcRow builds one call without and with an adapter; each returned func makes one call and fails tb if
// the handler did not run.
type rpcRow struct {
	name, adapter string
	bare, auth    func(tb testing.TB, authz string) func()
}

func rpcRows(a *auth.Auth) []rpcRow {
	unary := authgrpc.UnaryServerInterceptor(a)
	interceptor := func(ic grpc.UnaryServerInterceptor) func(testing.TB, string) func() {
		return func(tb testing.TB, authz string) func() {
			ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", authz))
			info := &grpc.UnaryServerInfo{FullMethod: rpcMethod}
			in := wrapperspb.String("hi")
			handler := func(context.Context, any) (any, error) { served++; return in, nil }
			call := func() {
				before := served
				var err error
				if ic == nil {
					_, err = handler(ctx, in)
				} else {
					_, err = ic(ctx, in, info, handler)
				}
				if err != nil || served != before+1 {
					tb.Fatalf("refused: %v", err)
				}
			}
			call()
			return call
		}
	}
	bufconnCall := func(opts ...grpc.ServerOption) func(testing.TB, string) func() {
		return func(tb testing.TB, authz string) func() {
			conn := grpcServe(tb, opts...)
			ctx := metadata.NewOutgoingContext(context.Background(), metadata.Pairs("authorization", authz))
			in, out := wrapperspb.String("hi"), new(wrapperspb.StringValue)
			call := func() {
				before := served
				if err := conn.Invoke(ctx, rpcMethod, in, out); err != nil || served != before+1 {
					tb.Fatalf("refused: %v", err)
				}
			}
			call()
			return call
		}
	}
	connectCall := func(opts ...connect.HandlerOption) func(testing.TB, string) func() {
		return func(tb testing.TB, authz string) func() {
			h := connect.NewUnaryHandler(rpcMethod, func(_ context.Context, r *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
				served++
				return connect.NewResponse(r.Msg), nil
			}, opts...)
			body, err := proto.Marshal(wrapperspb.String("hi"))
			if err != nil {
				tb.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, rpcMethod, nil)
			r.Header.Set("Content-Type", "application/proto")
			r.Header["Authorization"] = []string{authz}
			rd := bytes.NewReader(body)
			w := &statusWriter{h: http.Header{}}
			call := func() {
				clear(w.h)
				w.code = 0
				rd.Reset(body)
				r.Body = io.NopCloser(rd)
				before := served
				h.ServeHTTP(w, r)
				if w.code != 0 && w.code != http.StatusOK || served != before+1 {
					tb.Fatalf("refused: status %d", w.code)
				}
			}
			call()
			return call
		}
	}
	return []rpcRow{
		{name: "grpc-interceptor", adapter: "authgrpc", bare: interceptor(nil), auth: interceptor(unary)},
		{name: "grpc-bufconn", adapter: "authgrpc", bare: bufconnCall(), auth: bufconnCall(grpc.ChainUnaryInterceptor(unary))},
		{name: "connect", adapter: "authconnect", bare: connectCall(),
			auth: connectCall(connect.WithInterceptors(authconnect.NewInterceptor(a)))},
	}
}

// grpcServe starts a grpc.Server with one unary method on an in-memory listener and returns a client
// connection; both stop when tb ends.
func grpcServe(tb testing.TB, opts ...grpc.ServerOption) *grpc.ClientConn {
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(opts...)
	s.RegisterService(&grpc.ServiceDesc{ServiceName: "bench.v1.Bench", HandlerType: (*any)(nil), Methods: []grpc.MethodDesc{{
		MethodName: "Me",
		Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			handler := func(context.Context, any) (any, error) { served++; return in, nil }
			if ic == nil {
				return handler(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: rpcMethod}, handler)
		},
	}}}, struct{}{})
	go func() { _ = s.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close(); s.Stop() })
	return conn
}
