package authotel

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

var _ authserver.Observer = (*Observer)(nil)

// Attribute keys of server mode. http.route and better_auth.operation_id are the ones Better Auth's
// own spans carry (@better-auth/core src/instrumentation/attributes.ts).
const (
	keyRoute       = attribute.Key("http.route")
	keyOperationID = attribute.Key("better_auth.operation_id")
	keyMethod      = attribute.Key("http.request.method")
	keyStatus      = attribute.Key("http.response.status_code")
	keyFlow        = attribute.Key("gobetterauth.flow")
	keyAuthMethod  = attribute.Key("gobetterauth.method")
	keyProvider    = attribute.Key("gobetterauth.provider")
)

// StartEndpoint implements [authserver.Observer]: a server span named as Better Auth names its endpoint
// spans ("POST /sign-in/email"), so a trace through a Node and a Go server reads the same.
func (o *Observer) StartEndpoint(ctx context.Context, op authserver.Operation) (context.Context, func(int, string)) {
	start := time.Now()
	ctx, span := o.tracer.Start(ctx, op.Method+" "+op.Route, trace.WithTimestamp(start),
		trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			keyRoute.String(op.Route), keyOperationID.String(op.ID), keyMethod.String(op.Method)))
	return ctx, func(status int, code string) {
		end := time.Now()
		span.SetAttributes(keyStatus.Int(status), keyReason.String(code))
		if status >= 500 {
			span.SetStatus(codes.Error, code)
		}
		span.End(trace.WithTimestamp(end))
		o.endpointTime.Record(ctx, end.Sub(start).Seconds(), metric.WithAttributes(
			keyMethod.String(op.Method), keyRoute.String(op.Route), keyStatus.Int(status)))
	}
}

// ObserveAuthAttempt implements [authserver.Observer].
func (o *Observer) ObserveAuthAttempt(ctx context.Context, a authserver.AuthAttempt) {
	outcome := "success"
	if !a.OK {
		outcome = "failure"
	}
	attrs := []attribute.KeyValue{keyFlow.String(a.Flow), keyAuthMethod.String(a.Method),
		keyProvider.String(a.Provider), keyOutcome.String(outcome), keyReason.String(a.Code)}
	o.attempts.Add(ctx, 1, metric.WithAttributes(attrs...))
	trace.SpanFromContext(ctx).AddEvent("gobetterauth."+a.Flow, trace.WithAttributes(attrs...))
}

// ObserveRateLimited implements [authserver.Observer].
func (o *Observer) ObserveRateLimited(ctx context.Context, op authserver.Operation) {
	o.rateLimited.Add(ctx, 1, metric.WithAttributes(keyMethod.String(op.Method), keyRoute.String(op.Route)))
}

// ObserveHashWait implements [authserver.Observer].
func (o *Observer) ObserveHashWait(ctx context.Context, wait time.Duration, err error) {
	outcome := "acquired"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		outcome = "timeout"
	case errors.Is(err, context.Canceled):
		outcome = "canceled"
	case err != nil:
		outcome = "error"
	}
	attr := metric.WithAttributes(keyOutcome.String(outcome))
	o.hashWait.Record(ctx, wait.Seconds(), attr)
	if err != nil {
		o.hashRefusals.Add(ctx, 1, attr)
	}
}
