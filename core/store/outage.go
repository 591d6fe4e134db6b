package store

import (
	"log/slog"
	"time"
)

// Outage configures what a store does while the service behind it (a database, Redis, a Better Auth
// server) is down: a circuit breaker that answers at once instead of dialing, and a bound on how many
// lookups wait on the service at once. Its zero value means the defaults written on each field. A lookup
// refused by either fails with an error that is not [ErrNotFound], so the verifier answers 503 with a
// Retry-After of the time left until the next probe, never 401.
type Outage struct {
	// Failures is how many consecutive failed lookups open the breaker. A lookup fails when it returns an
	// error other than [ErrNotFound], unless its caller canceled it; a deadline that passed is a failure.
	// While open, lookups fail at once without touching the service; after OpenFor one lookup at a time is
	// let through as a probe, and the first that succeeds closes the breaker. Zero means 5; negative turns
	// the breaker off.
	Failures int

	// OpenFor is how long the breaker stays open before it lets a probe through. Zero means 5 s.
	OpenFor time.Duration

	// MaxWaiting is how many lookups may wait on the service at once; one more fails at once. Zero means
	// 64; negative means no bound.
	MaxWaiting int

	// Now is the clock OpenFor is measured by. Nil means time.Now.
	Now func() time.Time

	// Logger receives the breaker's state changes, each logged once: opening at Warn, closing at Info.
	// Nil means slog.Default().
	Logger *slog.Logger
}

// BreakerStats are the counts of a store's breaker since the store was made, and its state now. The
// counts only grow, so they export as monotonic counters.
type BreakerStats struct {
	// State is "closed", "open" or "half-open".
	State string
	// Opened counts the times the breaker opened (from closed, or again after a failed probe).
	Opened uint64
	// Probes counts the lookups let through as probes while half-open.
	Probes uint64
	// Closed counts recoveries: a success that closed the breaker.
	Closed uint64
	// Rejected counts lookups answered at once because the breaker was open or its probe under way.
	Rejected uint64
	// Shed counts lookups answered at once because [Outage].MaxWaiting lookups were waiting.
	Shed uint64
	// Failures counts failed lookups.
	Failures uint64
	// Waiting is how many lookups are waiting on the service now.
	Waiting int64
}

// BreakerReporter is implemented by stores with a breaker (sqlstore, redisstore, remote, and [NewCache]'s
// store around one of them).
type BreakerReporter interface {
	BreakerStats() BreakerStats
}
