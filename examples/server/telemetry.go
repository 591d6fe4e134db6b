package main

// Telemetry: Prometheus metrics at /metrics, and OTLP trace export configured by the standard OTEL_*
// variables (off unless an endpoint is set). The server reports to both through authotel.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gobetterauth/gobetterauth/adapters/authotel"
)

// telemetry is what run wires: the observer for the auth server, the /metrics handler, and the
// propagation of incoming trace context when traces are exported.
type telemetry struct {
	observer *authotel.Observer
	metrics  http.Handler
	traces   bool // OTLP export is on: incoming traceparent headers are continued
	shutdown func(context.Context) error
}

// newTelemetry sets telemetry up from the environment. With no OTEL_* variable set it exports no traces
// and never fails: the metrics are in-process until /metrics is scraped.
func newTelemetry(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*telemetry, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.Environment()) // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
	if err != nil {
		logger.Warn("server: OTEL_RESOURCE_ATTRIBUTES", "err", err)
		res = resource.Default()
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))
	t := &telemetry{metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), shutdown: mp.Shutdown}

	var tp trace.TracerProvider = noop.NewTracerProvider()
	if on, err := otlpTracesOn(getenv); err != nil {
		return nil, err
	} else if on {
		// otlptracehttp reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE.
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("server: OTLP traces: %w", err)
		}
		sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)) // OTEL_TRACES_SAMPLER
		tp, t.traces = sdk, true
		t.shutdown = func(ctx context.Context) error { return errors.Join(sdk.Shutdown(ctx), mp.Shutdown(ctx)) }
	}
	if t.observer, err = authotel.New(authotel.Config{TracerProvider: tp, MeterProvider: mp}); err != nil {
		return nil, err
	}
	return t, nil
}

// otlpTracesOn says whether the environment asks for OTLP trace export: an OTLP endpoint is set and
// OTEL_TRACES_EXPORTER (default "otlp") and OTEL_SDK_DISABLED do not turn it off.
func otlpTracesOn(getenv func(string) string) (bool, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return false, nil
	}
	if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return false, nil
	}
	switch e := getenv("OTEL_TRACES_EXPORTER"); e {
	case "", "otlp":
	case "none":
		return false, nil
	default:
		return false, fmt.Errorf("server: OTEL_TRACES_EXPORTER=%q: this server exports otlp or none", e)
	}
	p := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if p == "" {
		p = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	if p != "" && p != "http/protobuf" {
		return false, fmt.Errorf("server: OTEL_EXPORTER_OTLP_PROTOCOL=%q: this server exports http/protobuf", p)
	}
	return true, nil
}

// traced continues the trace of an incoming request (W3C traceparent, as Better Auth's Node server and
// OpenTelemetry's HTTP clients send it), so the endpoint spans join the caller's trace.
func traced(next http.Handler) http.Handler {
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))))
	})
}
