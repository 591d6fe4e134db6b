// Package limits holds the checks every store applies before it does I/O: a token shape check, a
// per-call deadline, and the breaker in front of the store's service.
package limits

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// MaxTokenBytes is the longest token a store looks up. Better Auth's session tokens are 32 characters.
const MaxTokenBytes = 256

// Bound gives ctx a deadline at most d away.
func Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// ValidToken reports whether token could be a Better Auth session token: 1 to MaxTokenBytes bytes of valid
// UTF-8 without control characters or spaces.
func ValidToken(token string) bool {
	if token == "" || len(token) > MaxTokenBytes || !utf8.ValidString(token) {
		return false
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// Breaker returns the breaker a store named name puts in front of its service, configured by o.
func Breaker(name string, o store.Outage) *breaker.Breaker {
	return breaker.New(breaker.Config{
		Name:       name,
		Failures:   o.Failures,
		OpenFor:    o.OpenFor,
		MaxWaiting: o.MaxWaiting,
		Success:    func(err error) bool { return errors.Is(err, store.ErrNotFound) },
		Now:        o.Now,
		Logger:     o.Logger,
	})
}

// Stats returns b's counts as a store reports them.
func Stats(b *breaker.Breaker) store.BreakerStats {
	s := b.Stats()
	return store.BreakerStats{State: s.State.String(), Opened: s.Opened, Probes: s.HalfOpened, Closed: s.Closed,
		Rejected: s.Rejected, Shed: s.Shed, Failures: s.Failures, Waiting: s.Waiting}
}

// CheckOutage reports a negative OpenFor.
func CheckOutage(pkg string, o store.Outage) error {
	if o.OpenFor < 0 {
		return errors.New(pkg + ": negative Outage.OpenFor")
	}
	return nil
}
