package authgrpc

import (
	"context"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

// interceptor is the state both interceptors share: the guard and the error answer.
type interceptor struct {
	g       *authrpc.Guard
	onError func(context.Context, error) error
}

func newInterceptor(a *auth.Auth, opts []Option) *interceptor {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Default.Optional = o.policy.Default.Optional || o.optional
	g, err := authrpc.NewGuard(a, o.policy)
	if err != nil {
		panic("authgrpc: " + err.Error())
	}
	if o.onError == nil {
		o.onError = func(_ context.Context, err error) error { return Error(err) }
	}
	return &interceptor{g: g, onError: o.onError}
}

// check applies the policy of method to the call in ctx: the context to go on with, or the refusal.
func (ic *interceptor) check(ctx context.Context, method string) (context.Context, error) {
	// ValueFromIncomingContext copies only the values asked for (FromIncomingContext copies every key).
	d := ic.g.Check(ctx, method, metadata.ValueFromIncomingContext(ctx, "authorization"),
		metadata.ValueFromIncomingContext(ctx, "cookie"))
	if d.Action != auth.Allow {
		return nil, ic.onError(ctx, d.Err)
	}
	return d.Context(ctx), nil
}

// UnaryServerInterceptor returns an interceptor that authenticates each unary call with a and applies the
// policy the options set (by default: valid credentials required on every method). On success the handler
// runs with the session in its context; otherwise the call ends with [Error]'s status and the handler
// never runs.
//
// UnaryServerInterceptor panics if a is nil or a policy is invalid (see [authrpc.NewGuard]): a programming
// error found at set-up, never at call time.
func UnaryServerInterceptor(a *auth.Auth, opts ...Option) grpc.UnaryServerInterceptor {
	ic := newInterceptor(a, opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := ic.check(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns an interceptor that authenticates each streaming call with a and
// applies the policy the options set, as [UnaryServerInterceptor] does. The handler's stream's Context
// carries the session.
func StreamServerInterceptor(a *auth.Auth, opts ...Option) grpc.StreamServerInterceptor {
	ic := newInterceptor(a, opts)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := ss.Context()
		sc, err := ic.check(ctx, info.FullMethod)
		if err != nil {
			return err
		}
		if sc != ctx {
			ss = &serverStream{ServerStream: ss, ctx: sc}
		}
		return handler(srv, ss)
	}
}

// serverStream is a grpc.ServerStream whose Context carries the session.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }

// Session returns the caller that an interceptor authenticated for this call, from its context. ok is false
// for an anonymous call (an optional or skipped method). It is [auth.FromContext].
func Session(ctx context.Context) (*auth.Session, bool) { return auth.FromContext(ctx) }

// code maps the authrpc codes, which are gRPC's numbers, to grpc's type.
func code(c authrpc.Code) codes.Code { return codes.Code(c) }

// Status returns the gRPC status for err, from [authrpc.NewStatus]: the code from [auth.HTTPStatus],
// Better Auth's message, a google.rpc.ErrorInfo with Better Auth's error code as its reason (domain
// [authrpc.Domain]), and a google.rpc.RetryInfo on Unavailable.
func Status(err error) *status.Status {
	rs := authrpc.NewStatus(err)
	st := status.New(code(rs.Code), rs.Message)
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: rs.Reason, Domain: authrpc.Domain}}
	if rs.RetryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(rs.RetryAfter)})
	}
	if withDetails, derr := st.WithDetails(details...); derr == nil {
		return withDetails
	}
	return st
}

// Error is the default error handler: [Status]'s error.
func Error(err error) error { return Status(err).Err() }
