// Package breaker is the circuit breaker and the bound on waiting that the stores and the JWKS fetcher put
// in front of a dependency (a database, Redis, a Better Auth server, a JWKS endpoint), so that an outage
// costs a caller a fast 503 instead of a dial, a retry and a wait.
//
// # States
//
// A [Breaker] starts closed: calls go through, and consecutive failures are counted. After
// [Config].Failures of them in a row it opens: for [Config].OpenFor every call is refused at once with an
// [*Error] wrapping [ErrOpen], without touching the dependency. After that one call at a time is let
// through as a probe (half-open) while the others are still refused; the first success closes the breaker,
// a failed probe opens it again for OpenFor.
//
// Independently of the state, at most [Config].MaxWaiting calls run at once; one more is refused at once
// with [ErrBusy].
//
// State changes are logged once each (opening at Warn, closing at Info, probes at Debug) and counted;
// [Breaker.Stats] returns the counts.
//
// # Failures
//
// A call's error is a failure unless [Config].Success says it is an answer (a session not found), or the
// caller canceled its context (context.Canceled: the caller went away, the dependency said nothing). A
// deadline that passed is a failure, whoever set it: a dependency that does not answer in time is down for
// that caller.
package breaker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for [Config].
const (
	// DefaultFailures is how many consecutive failures open a breaker.
	DefaultFailures = 5
	// DefaultOpenFor is how long a breaker stays open before it lets a probe through.
	DefaultOpenFor = 5 * time.Second
	// DefaultMaxWaiting is how many calls may wait on a dependency at once.
	DefaultMaxWaiting = 64
)

// ErrOpen means the breaker is open (or half-open with its probe under way): the dependency failed
// recently and is not asked.
var ErrOpen = errors.New("circuit breaker open")

// ErrBusy means MaxWaiting calls were already waiting on the dependency.
var ErrBusy = errors.New("too many calls waiting")

// Error is a refusal: [ErrOpen] or [ErrBusy], with when to retry.
type Error struct {
	// Name is the breaker's [Config].Name.
	Name string
	// Kind is ErrOpen or ErrBusy.
	Kind error
	// RetryAfter is how long until the breaker lets a probe through (ErrOpen), or a second (ErrBusy).
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string { return e.Name + ": " + e.Kind.Error() }

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

// RetryAfter returns the RetryAfter of an [*Error] in err's chain.
func RetryAfter(err error) (time.Duration, bool) {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter, true
	}
	return 0, false
}

// State is a breaker's state.
type State int32

// The states.
const (
	Closed State = iota
	Open
	HalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "closed"
}

// Config configures a [Breaker]. Zero values mean the defaults.
type Config struct {
	// Name names the dependency in logs and errors, e.g. "redisstore 127.0.0.1:6379". It must not hold a
	// password.
	Name string
	// Failures is how many consecutive failures open the breaker. Zero means [DefaultFailures]; negative
	// turns the breaker off (MaxWaiting still applies).
	Failures int
	// OpenFor is how long the breaker stays open before a probe. Zero means [DefaultOpenFor].
	OpenFor time.Duration
	// MaxWaiting is how many calls may run at once. Zero means [DefaultMaxWaiting]; negative means no bound.
	MaxWaiting int
	// Success reports errors that are answers, not failures (a session not found). Nil means only nil is
	// a success.
	Success func(error) bool
	// Now is the clock OpenFor is measured by. Nil means time.Now.
	Now func() time.Time
	// Logger receives the state changes. Nil means slog.Default().
	Logger *slog.Logger
}

// Stats are a breaker's counts since it was made, and its state now.
type Stats struct {
	// State is the state now.
	State State
	// Opened counts changes to open (from closed, or from half-open after a failed probe).
	Opened uint64
	// HalfOpened counts probes let through.
	HalfOpened uint64
	// Closed counts changes to closed (recoveries).
	Closed uint64
	// Rejected counts calls refused with ErrOpen.
	Rejected uint64
	// Shed counts calls refused with ErrBusy.
	Shed uint64
	// Failures counts failed calls.
	Failures uint64
	// Waiting is how many calls are running now.
	Waiting int64
}

// Breaker is a circuit breaker with a bound on waiting. It is safe for concurrent use.
type Breaker struct {
	c Config

	mu      sync.Mutex
	state   State
	fails   int       // consecutive failures while closed
	until   time.Time // end of the open interval
	probing bool      // a half-open probe is under way

	waiting                                    atomic.Int64
	opened, halfOpened, closed, rejected, shed atomic.Uint64
	failures                                   atomic.Uint64
}

// New returns a closed breaker.
func New(c Config) *Breaker {
	if c.Failures == 0 {
		c.Failures = DefaultFailures
	}
	if c.OpenFor <= 0 {
		c.OpenFor = DefaultOpenFor
	}
	if c.MaxWaiting == 0 {
		c.MaxWaiting = DefaultMaxWaiting
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return &Breaker{c: c}
}

// Do runs fn with ctx unless the breaker refuses, and records how it went. A refusal is an [*Error]; fn's
// own error is returned as is.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	if b.c.MaxWaiting > 0 {
		if n := b.waiting.Add(1); n > int64(b.c.MaxWaiting) {
			b.waiting.Add(-1)
			b.shed.Add(1)
			return &Error{Name: b.c.Name, Kind: ErrBusy, RetryAfter: time.Second}
		}
	} else {
		b.waiting.Add(1)
	}
	defer b.waiting.Add(-1)
	probe, err := b.enter()
	if err != nil {
		return err
	}
	err = fn(ctx)
	b.record(probe, err)
	return err
}

// Stats returns the counts and the state.
func (b *Breaker) Stats() Stats {
	b.mu.Lock()
	st := b.state
	b.mu.Unlock()
	return Stats{State: st, Opened: b.opened.Load(), HalfOpened: b.halfOpened.Load(), Closed: b.closed.Load(),
		Rejected: b.rejected.Load(), Shed: b.shed.Load(), Failures: b.failures.Load(), Waiting: b.waiting.Load()}
}

// enter decides whether a call may go through, and whether it is the probe.
func (b *Breaker) enter() (probe bool, err error) {
	if b.c.Failures < 0 {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Closed:
		return false, nil
	case Open:
		now := b.c.Now()
		if now.Before(b.until) {
			b.rejected.Add(1)
			return false, &Error{Name: b.c.Name, Kind: ErrOpen, RetryAfter: b.until.Sub(now)}
		}
		b.state = HalfOpen
		b.c.Logger.Debug("auth: dependency probed", "dependency", b.c.Name)
	}
	if b.probing {
		b.rejected.Add(1)
		return false, &Error{Name: b.c.Name, Kind: ErrOpen, RetryAfter: time.Second}
	}
	b.probing = true
	b.halfOpened.Add(1)
	return true, nil
}

// record takes a call's outcome.
func (b *Breaker) record(probe bool, err error) {
	if b.c.Failures < 0 {
		return
	}
	failed := err != nil && (b.c.Success == nil || !b.c.Success(err))
	if failed {
		if errors.Is(err, context.Canceled) {
			if probe {
				b.mu.Lock()
				b.probing = false
				b.mu.Unlock()
			}
			return // the caller went away: no news about the dependency
		}
		b.failures.Add(1)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	if !failed {
		b.fails = 0
		if b.state != Closed {
			b.state = Closed
			b.closed.Add(1)
			b.c.Logger.Info("auth: dependency answers again; breaker closed", "dependency", b.c.Name)
		}
		return
	}
	switch {
	case b.state == HalfOpen && probe:
		b.open("auth: dependency still down; breaker open again", slog.LevelDebug, err)
	case b.state == Closed:
		b.fails++
		if b.fails >= b.c.Failures {
			b.open("auth: dependency down; breaker open, answering 503 without asking it", slog.LevelWarn, err)
		}
	}
}

// open opens the breaker. b.mu must be held.
func (b *Breaker) open(msg string, level slog.Level, err error) {
	b.state = Open
	b.fails = 0
	b.until = b.c.Now().Add(b.c.OpenFor)
	b.opened.Add(1)
	b.c.Logger.Log(context.Background(), level, msg, "dependency", b.c.Name, "open_for", b.c.OpenFor, "err", err)
}
