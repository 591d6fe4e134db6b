package authconnect

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

// NewInterceptor returns a Connect interceptor that authenticates each call a handler serves (unary and
// streaming) with a and applies the policy the options set (by default: valid credentials required on
// every procedure). On success the handler runs with the session in its context; otherwise the call ends
// with [Error]'s error and the handler never runs. On a client it does nothing.
//
// Use it with connect.WithInterceptors on the handlers to protect:
//
//	path, h := shopv1connect.NewShopServiceHandler(srv, connect.WithInterceptors(authconnect.NewInterceptor(a)))
//
// NewInterceptor panics if a is nil or a policy is invalid (see [authrpc.NewGuard]): a programming error
// found at set-up, never at call time.
func NewInterceptor(a *auth.Auth, opts ...Option) connect.Interceptor {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.policy.Default.Optional = o.policy.Default.Optional || o.optional
	g, err := authrpc.NewGuard(a, o.policy)
	if err != nil {
		panic("authconnect: " + err.Error())
	}
	if o.onError == nil {
		o.onError = func(_ context.Context, err error) error { return Error(err) }
	}
	return &interceptor{g: g, onError: o.onError}
}

type interceptor struct {
	g       *authrpc.Guard
	onError func(context.Context, error) error
}

// check applies the policy of procedure to a call with header h: the context to go on with, or the
// refusal.
func (ic *interceptor) check(ctx context.Context, procedure string, h map[string][]string) (context.Context, error) {
	d := ic.g.Check(ctx, procedure, h["Authorization"], h["Cookie"])
	if d.Action != auth.Allow {
		return nil, ic.onError(ctx, d.Err)
	}
	return d.Context(ctx), nil
}

// WrapUnary implements connect.Interceptor.
func (ic *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := ic.check(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor: clients are left alone.
func (ic *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (ic *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := ic.check(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// Session returns the caller that the interceptor authenticated for this call, from its context. ok is
// false for an anonymous call (an optional or skipped procedure). It is [auth.FromContext].
func Session(ctx context.Context) (*auth.Session, bool) { return auth.FromContext(ctx) }

// Error is the default error handler: a *connect.Error for err, from [authrpc.NewStatus]: the code from
// [auth.HTTPStatus] (Unauthenticated, PermissionDenied, ResourceExhausted, Unavailable or Internal),
// Better Auth's message, a google.rpc.ErrorInfo detail with Better Auth's error code as its reason (domain
// [authrpc.Domain]), and a google.rpc.RetryInfo detail on Unavailable.
func Error(err error) *connect.Error {
	rs := authrpc.NewStatus(err)
	ce := connect.NewError(connect.Code(rs.Code), plainError(rs.Message))
	if d, derr := connect.NewErrorDetail(&errdetails.ErrorInfo{Reason: rs.Reason, Domain: authrpc.Domain}); derr == nil {
		ce.AddDetail(d)
	}
	if rs.RetryAfter > 0 {
		if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(rs.RetryAfter)}); derr == nil {
			ce.AddDetail(d)
		}
	}
	return ce
}

// plainError is an error whose text is a fixed message: Better Auth's, never the cause's details.
type plainError string

func (e plainError) Error() string { return string(e) }
