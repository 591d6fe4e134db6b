package authotel

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/gobetterauth/gobetterauth/adapters/authotel"

// Config configures [New].
type Config struct {
	// TracerProvider makes the tracer. Nil means otel.GetTracerProvider(), read once in New.
	TracerProvider trace.TracerProvider
	// MeterProvider makes the instruments. Nil means otel.GetMeterProvider(), read once in New.
	MeterProvider metric.MeterProvider
}

// Observer is an [auth.Observer] that records spans and metrics. Create it with [New]; it is safe for
// concurrent use.
type Observer struct {
	tracer      trace.Tracer
	verifies    metric.Int64Counter
	verifyTime  metric.Float64Histogram
	lookupTime  metric.Float64Histogram
	jwksFetches metric.Int64Counter

	// server mode
	endpointTime metric.Float64Histogram
	attempts     metric.Int64Counter
	rateLimited  metric.Int64Counter
	hashWait     metric.Float64Histogram
	hashRefusals metric.Int64Counter
}

var _ auth.Observer = (*Observer)(nil)

// New returns an Observer that records to cfg's providers.
func New(cfg Config) (*Observer, error) {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	o := &Observer{tracer: tp.Tracer(ScopeName)}
	var errs [9]error
	o.verifies, errs[0] = m.Int64Counter("gobetterauth.verify.count",
		metric.WithDescription("Verifications of credentials, by credential kind, outcome and reason."))
	o.verifyTime, errs[1] = m.Float64Histogram("gobetterauth.verify.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of verifications."))
	o.lookupTime, errs[2] = m.Float64Histogram("gobetterauth.store.lookup.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of session store lookups."))
	o.jwksFetches, errs[3] = m.Int64Counter("gobetterauth.jwks.fetch.count",
		metric.WithDescription("JWKS fetches, by outcome and failure reason."))
	o.endpointTime, errs[4] = m.Float64Histogram("gobetterauth.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of server-mode endpoints, by method, route and status."))
	o.attempts, errs[5] = m.Int64Counter("gobetterauth.server.auth.attempt.count",
		metric.WithDescription("Sign-ins and sign-ups, by flow, method, provider, outcome and reason."))
	o.rateLimited, errs[6] = m.Int64Counter("gobetterauth.server.ratelimit.refusal.count",
		metric.WithDescription("Requests refused by the rate limiter (429), by method and route."))
	o.hashWait, errs[7] = m.Float64Histogram("gobetterauth.server.hash.queue.wait", metric.WithUnit("s"),
		metric.WithDescription("Time waited for a password hashing slot, by outcome."))
	o.hashRefusals, errs[8] = m.Int64Counter("gobetterauth.server.hash.queue.refusal.count",
		metric.WithDescription("Waits for a password hashing slot that ended without one, by reason (timeout, canceled)."))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, errors.Join(errors.New("auth: authotel: creating instruments"), err)
	}
	return o, nil
}

// Attribute keys.
const (
	keyCredential = attribute.Key("gobetterauth.credential")
	keyOutcome    = attribute.Key("gobetterauth.outcome")
	keyReason     = attribute.Key("gobetterauth.reason")
)

func credential(k auth.Credential) string {
	if k == 0 {
		return "none"
	}
	return k.String()
}

// ObserveVerify implements [auth.Observer].
func (o *Observer) ObserveVerify(ctx context.Context, start time.Time, kind auth.Credential, err error) {
	end := time.Now()
	outcome, reason := "allow", ""
	if err != nil {
		outcome, reason = "deny", auth.NewErrorResponse(err).Code
	}
	attrs := []attribute.KeyValue{keyCredential.String(credential(kind)), keyOutcome.String(outcome), keyReason.String(reason)}
	_, span := o.tracer.Start(ctx, "gobetterauth.verify", trace.WithTimestamp(start),
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	if s := auth.HTTPStatus(err); s >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, reason)
	}
	span.End(trace.WithTimestamp(end))
	o.verifies.Add(ctx, 1, metric.WithAttributes(attrs...))
	o.verifyTime.Record(ctx, end.Sub(start).Seconds(), metric.WithAttributes(attrs[:2]...))
}

// ObserveStoreLookup implements [auth.Observer].
func (o *Observer) ObserveStoreLookup(ctx context.Context, start time.Time, err error) {
	end := time.Now()
	outcome := "found"
	switch {
	case errors.Is(err, store.ErrNotFound):
		outcome = "not_found"
	case err != nil:
		outcome = "error"
	}
	attr := keyOutcome.String(outcome)
	_, span := o.tracer.Start(ctx, "gobetterauth.store.lookup", trace.WithTimestamp(start),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attr))
	if outcome == "error" {
		span.SetStatus(codes.Error, "store lookup failed")
	}
	span.End(trace.WithTimestamp(end))
	o.lookupTime.Record(ctx, end.Sub(start).Seconds(), metric.WithAttributes(attr))
}

// ObserveJWKSFetch implements [auth.Observer].
func (o *Observer) ObserveJWKSFetch(ctx context.Context, start time.Time, err error) {
	end := time.Now()
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	attrs := []attribute.KeyValue{keyOutcome.String(outcome), keyReason.String(auth.JWKSFetchReason(err))}
	_, span := o.tracer.Start(ctx, "gobetterauth.jwks.fetch", trace.WithTimestamp(start),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if err != nil {
		span.SetStatus(codes.Error, "JWKS fetch failed")
	}
	span.End(trace.WithTimestamp(end))
	o.jwksFetches.Add(ctx, 1, metric.WithAttributes(attrs...))
}
