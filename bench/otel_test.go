package bench

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/gobetterauth/gobetterauth/adapters/authotel"
	"github.com/gobetterauth/gobetterauth/core/auth"
)

// BenchmarkObserver measures what telemetry adds to a verification (Authenticate of an EdDSA JWT):
//
//	off    Config.Observer nil: the default
//	noop   authotel with OpenTelemetry's no-op TracerProvider and MeterProvider (the globals' default)
//	sdk    authotel with the SDK: a TracerProvider that samples every span (no exporter: the span is built
//	       and ended, not shipped) and a MeterProvider with a ManualReader (instruments aggregate)
//
// each on the token cache's hit path (cached/…, where the fixed cost shows most) and on the full signature
// check (verify/…).
func BenchmarkObserver(b *testing.B) {
	f := newJWKSFixture(b, "EdDSA")
	observers := []struct {
		name string
		obs  func(b *testing.B) auth.Observer
	}{
		{"off", func(*testing.B) auth.Observer { return nil }},
		{"noop", func(b *testing.B) auth.Observer {
			o, err := authotel.New(authotel.Config{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})
			if err != nil {
				b.Fatal(err)
			}
			return o
		}},
		{"sdk", func(b *testing.B) auth.Observer {
			tp := sdktrace.NewTracerProvider()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
			o, err := authotel.New(authotel.Config{TracerProvider: tp, MeterProvider: mp})
			if err != nil {
				b.Fatal(err)
			}
			return o
		}},
	}
	for _, path := range []struct {
		name  string
		cache int
	}{{"cached", 1024}, {"verify", 0}} {
		for _, o := range observers {
			b.Run(path.name+"/"+o.name, func(b *testing.B) {
				obs := o.obs(b)
				cfg := auth.Config{BaseURL: f.origin, TokenCacheSize: path.cache}
				if obs != nil {
					cfg.Observer = obs
				}
				a := newOurs(b, cfg)
				if path.cache > 0 {
					requireCacheHit(b, a, f.tok)
				}
				ctx := context.Background()
				req := auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{"Bearer " + f.tok}}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Authenticate(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
