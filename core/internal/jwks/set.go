package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
)

// ErrUnknownKey means the token's kid is not in a key set fetched recently enough to be trusted as complete.
var ErrUnknownKey = errors.New("jwks: unknown key id")

// StatusError is a fetch answered with a status other than 200.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("jwks: GET %s: status %d", e.URL, e.Code) }

// TooLargeError is a fetch whose body was larger than Options.MaxBytes.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string { return fmt.Sprintf("jwks: body larger than %d bytes", e.Max) }

// UnavailableError means the key set could not be fetched, so a token whose key is not cached cannot be checked.
type UnavailableError struct {
	// RetryAfter is when a new fetch may be attempted.
	RetryAfter time.Duration
	// Err is the cause.
	Err error
}

func (e *UnavailableError) Error() string { return "jwks: key set unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// Options configures a Set. Every field must be set; the auth package fills in the defaults.
type Options struct {
	URL             string
	Client          *http.Client
	Allowed         map[string]bool
	RefreshInterval time.Duration // age after which a lookup triggers a background refresh
	Cooldown        time.Duration // minimum time between fetches caused by unknown kids
	MinInterval     time.Duration // minimum time between any two fetch attempts
	IssuedAtSlack   time.Duration // how far before the last fetch a token's iat may be and still hint at a new key
	FetchTimeout    time.Duration
	MaxBytes        int64
	MaxKeys         int
	Now             func() time.Time
	Logger          *slog.Logger
	OnFetch         func(ctx context.Context, start time.Time, err error) // called after each fetch; nil for none
}

// Set is a remote key set. Lookups of known kids take no lock. All methods are safe for concurrent use.
type Set struct {
	o   Options
	cur atomic.Pointer[snapshot]

	mu          sync.Mutex
	inflight    *fetch    // the fetch under way, or nil
	lastAttempt time.Time // start of the most recent fetch attempt
	lastErr     error     // error of the most recent attempt (nil after a success)
	failures    int       // consecutive failures
	fetches     atomic.Int64

	// Breaker counts: the set is "open" after a failed fetch until the backoff lets one probe through.
	opened, probes, closed, rejected, failedFetches atomic.Uint64
}

type snapshot struct {
	keys      map[string]*Key
	fetchedAt time.Time // start of the fetch that produced it
}

type fetch struct {
	done chan struct{}
	err  error
}

// New returns a Set that has fetched nothing yet.
func New(o Options) *Set { return &Set{o: o} }

// Fetches reports how many HTTP fetches the set has started.
func (s *Set) Fetches() int64 { return s.fetches.Load() }

// Stats returns the set's outage counts in the breaker's terms: open after a failed fetch, half-open while
// a fetch runs after one, closed after a success.
func (s *Set) Stats() breaker.Stats {
	s.mu.Lock()
	st := breaker.Closed
	if s.lastErr != nil {
		st = breaker.Open
		if s.inflight != nil {
			st = breaker.HalfOpen
		}
	}
	s.mu.Unlock()
	return breaker.Stats{State: st, Opened: s.opened.Load(), HalfOpened: s.probes.Load(), Closed: s.closed.Load(),
		Rejected: s.rejected.Load(), Failures: s.failedFetches.Load()}
}

// Cached returns the key for kid from the current set without any I/O, or nil. It also starts a background
// refresh when the set is older than the refresh interval.
func (s *Set) Cached(kid []byte) *Key {
	snap := s.cur.Load()
	if snap == nil {
		return nil
	}
	if s.o.Now().Sub(snap.fetchedAt) >= s.o.RefreshInterval {
		s.backgroundRefresh()
	}
	return snap.keys[string(kid)]
}

// Has reports whether the current set still holds exactly k under its kid. Like Cached, it starts a
// background refresh when the set is old, so keys removed upstream are noticed.
func (s *Set) Has(k *Key) bool {
	snap := s.cur.Load()
	if snap == nil {
		return false
	}
	if s.o.Now().Sub(snap.fetchedAt) >= s.o.RefreshInterval {
		s.backgroundRefresh()
	}
	return snap.keys[k.ID] == k
}

// Lookup returns the key for kid, fetching the set when the kid is unknown and a fetch is allowed.
// issuedAt is the (unverified) iat of the token, or zero: a token minted after, or about when, the last fetch
// may carry a key the server rotated in since, so it may trigger a fetch sooner than the cooldown would
// allow — after MinInterval, waiting for it if need be. Lookup waits no longer than ctx allows; the fetch
// itself runs on a context of its own.
func (s *Set) Lookup(ctx context.Context, kid string, issuedAt time.Time) (*Key, error) {
	if snap := s.cur.Load(); snap != nil {
		if k := snap.keys[kid]; k != nil {
			return k, nil
		}
	}
	var waited uint64 // the fetch count we waited out (fetches are counted from 1), if we did
	for {
		s.mu.Lock()
		if snap := s.cur.Load(); snap != nil && snap.keys[kid] != nil {
			s.mu.Unlock()
			return snap.keys[kid], nil
		}
		f := s.inflight
		if f == nil {
			now := s.o.Now()
			wait, ok, fresh := s.allowed(now, issuedAt)
			if !ok && waited != 0 {
				// We waited MinInterval in real time for this fetch: take it unless another caller did.
				ok = uint64(s.fetches.Load()) == waited
				fresh = false
			}
			if !ok {
				lastErr, have, last := s.lastErr, s.cur.Load() != nil, uint64(s.fetches.Load())
				s.mu.Unlock()
				switch {
				case lastErr != nil:
					s.rejected.Add(1)
					return nil, &UnavailableError{RetryAfter: wait, Err: lastErr}
				case !have:
					return nil, &UnavailableError{RetryAfter: wait, Err: errors.New("no key set fetched yet")}
				case !fresh || waited != 0:
					return nil, ErrUnknownKey
				}
				timer := time.NewTimer(wait)
				select {
				case <-timer.C:
				case <-ctx.Done():
					timer.Stop()
					return nil, &UnavailableError{RetryAfter: time.Second, Err: ctx.Err()}
				}
				waited = last
				continue
			}
			f = s.startLocked(now)
		} else if s.lastErr != nil {
			// The endpoint failed last time and this fetch is the probe: one caller waits on it, the
			// others are answered at once, as by an open breaker.
			wait := s.backoffLocked()
			s.mu.Unlock()
			s.rejected.Add(1)
			return nil, &UnavailableError{RetryAfter: wait, Err: s.lastErrOr()}
		}
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, &UnavailableError{RetryAfter: time.Second, Err: ctx.Err()}
		}
		if snap := s.cur.Load(); snap != nil {
			if k := snap.keys[kid]; k != nil {
				return k, nil
			}
		}
		if f.err != nil {
			return nil, &UnavailableError{RetryAfter: s.retryAfter(), Err: f.err}
		}
		return nil, ErrUnknownKey
	}
}

// lastErrOr returns the last fetch error, or a stand-in when it cleared meanwhile.
func (s *Set) lastErrOr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr != nil {
		return s.lastErr
	}
	return errors.New("key set fetch under way")
}

// allowed decides, under s.mu, whether an unknown kid may cause a fetch now. If not, it returns how long
// until one may, and whether the token is fresh (issued after, or about when, the last fetch started).
func (s *Set) allowed(now, issuedAt time.Time) (wait time.Duration, ok, fresh bool) {
	if s.lastAttempt.IsZero() {
		return 0, true, false
	}
	since := now.Sub(s.lastAttempt)
	gap := s.o.Cooldown
	// iat has whole seconds and comes from the issuer's clock, so "after the last fetch" allows for both.
	fresh = !issuedAt.IsZero() && issuedAt.After(s.lastAttempt.Add(-s.o.IssuedAtSlack))
	switch {
	case s.lastErr != nil:
		gap = s.backoffLocked()
	case fresh:
		gap = s.o.MinInterval // the token is as new as our set: its key may be new
	}
	if since >= gap {
		return 0, true, fresh
	}
	return gap - since, false, fresh
}

// backoffLocked is the wait after consecutive failures: MinInterval doubling up to Cooldown.
func (s *Set) backoffLocked() time.Duration {
	d := s.o.MinInterval
	for i := 1; i < s.failures && d < s.o.Cooldown; i++ {
		d *= 2
	}
	return min(d, s.o.Cooldown)
}

func (s *Set) retryAfter() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(s.backoffLocked()-s.o.Now().Sub(s.lastAttempt), time.Second)
}

// backgroundRefresh starts a fetch without waiting, unless one is running or failures call for a pause.
func (s *Set) backgroundRefresh() {
	if !s.mu.TryLock() {
		return
	}
	defer s.mu.Unlock()
	if s.inflight != nil {
		return
	}
	now := s.o.Now()
	gap := s.o.MinInterval
	if s.lastErr != nil {
		gap = s.backoffLocked()
	}
	if now.Sub(s.lastAttempt) < gap {
		return
	}
	s.startLocked(now)
}

// Refresh fetches the key set now (or joins the fetch under way) and waits for it within ctx.
func (s *Set) Refresh(ctx context.Context) error {
	s.mu.Lock()
	f := s.inflight
	if f == nil {
		f = s.startLocked(s.o.Now())
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startLocked launches a fetch. s.mu must be held.
func (s *Set) startLocked(now time.Time) *fetch {
	f := &fetch{done: make(chan struct{})}
	s.inflight = f
	s.lastAttempt = now
	s.fetches.Add(1)
	if s.lastErr != nil {
		s.probes.Add(1)
	}
	go s.run(f, now)
	return f
}

func (s *Set) run(f *fetch, started time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), s.o.FetchTimeout)
	defer cancel()
	t0 := time.Now()
	parsed, err := s.get(ctx)
	if s.o.OnFetch != nil {
		s.o.OnFetch(ctx, t0, err)
	}
	s.mu.Lock()
	failures := s.failures
	if err == nil {
		s.cur.Store(&snapshot{keys: parsed.Keys, fetchedAt: started})
		s.failures = 0
	} else {
		s.failures++
	}
	s.lastErr = err
	s.inflight = nil
	f.err = err
	switch { // counted before anyone sees the outcome
	case err != nil:
		s.opened.Add(1)
		s.failedFetches.Add(1)
	case failures > 0:
		s.closed.Add(1)
	}
	s.mu.Unlock()
	close(f.done)
	// State changes are logged once each: the first failure, the recovery. Failed probes in between are
	// Debug, counted in Stats.
	switch {
	case err != nil && failures == 0:
		s.o.Logger.Warn("auth: JWKS fetch failed; keeping the last good key set, unknown keys answer 503 until a fetch succeeds", "url", s.o.URL, "err", err)
	case err != nil:
		s.o.Logger.Debug("auth: JWKS fetch failed again", "url", s.o.URL, "failures", failures+1, "err", err)
	case failures > 0:
		s.o.Logger.Info("auth: JWKS endpoint answers again", "url", s.o.URL, "after_failures", failures)
	}
	if err == nil && parsed.Skipped > 0 {
		s.o.Logger.Debug("auth: JWKS keys skipped", "url", s.o.URL, "skipped", parsed.Skipped, "kept", len(parsed.Keys))
	}
}

func (s *Set) get(ctx context.Context) (*Parsed, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.o.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{URL: s.o.URL, Code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.o.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jwks: reading body: %w", err)
	}
	if int64(len(body)) > s.o.MaxBytes {
		return nil, &TooLargeError{Max: s.o.MaxBytes}
	}
	return Parse(body, s.o.Allowed, s.o.MaxKeys)
}
