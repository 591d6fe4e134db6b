package breaker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	errDown     = errors.New("connection refused")
	errNotFound = errors.New("not found")
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newTest(c *clock, cfg Config) *Breaker {
	cfg.Name = "test"
	cfg.Now = c.now
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Success = func(err error) bool { return errors.Is(err, errNotFound) }
	return New(cfg)
}

func TestBreaker(t *testing.T) {
	type step struct {
		advance time.Duration
		result  error // what the dependency answers, if asked
		asked   bool  // the dependency is asked
		state   State // after the call
	}
	for _, tt := range []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{name: "opens after the run of failures", cfg: Config{Failures: 3, OpenFor: time.Second}, steps: []step{
			{result: errDown, asked: true, state: Closed},
			{result: errDown, asked: true, state: Closed},
			{result: errDown, asked: true, state: Open},
			{result: nil, asked: false, state: Open},
			{advance: 999 * time.Millisecond, result: nil, asked: false, state: Open},
		}},
		{name: "a success or not-found resets the run", cfg: Config{Failures: 2, OpenFor: time.Second}, steps: []step{
			{result: errDown, asked: true, state: Closed},
			{result: errNotFound, asked: true, state: Closed},
			{result: errDown, asked: true, state: Closed},
			{result: nil, asked: true, state: Closed},
			{result: errDown, asked: true, state: Closed},
			{result: errDown, asked: true, state: Open},
		}},
		{name: "the probe's success closes it", cfg: Config{Failures: 1, OpenFor: time.Second}, steps: []step{
			{result: errDown, asked: true, state: Open},
			{advance: time.Second, result: nil, asked: true, state: Closed},
			{result: nil, asked: true, state: Closed},
		}},
		{name: "a not-found probe closes it", cfg: Config{Failures: 1, OpenFor: time.Second}, steps: []step{
			{result: errDown, asked: true, state: Open},
			{advance: time.Second, result: errNotFound, asked: true, state: Closed},
		}},
		{name: "a failed probe opens it again", cfg: Config{Failures: 1, OpenFor: time.Second}, steps: []step{
			{result: errDown, asked: true, state: Open},
			{advance: time.Second, result: errDown, asked: true, state: Open},
			{advance: 500 * time.Millisecond, result: nil, asked: false, state: Open},
			{advance: 500 * time.Millisecond, result: nil, asked: true, state: Closed},
		}},
		{name: "a deadline is a failure", cfg: Config{Failures: 1, OpenFor: time.Second}, steps: []step{
			{result: context.DeadlineExceeded, asked: true, state: Open},
		}},
		{name: "a canceled caller is no news", cfg: Config{Failures: 1, OpenFor: time.Second}, steps: []step{
			{result: context.Canceled, asked: true, state: Closed},
			{result: errDown, asked: true, state: Open},
			{advance: time.Second, result: context.Canceled, asked: true, state: HalfOpen},
			{result: nil, asked: true, state: Closed},
		}},
		{name: "off", cfg: Config{Failures: -1}, steps: []step{
			{result: errDown, asked: true, state: Closed},
			{result: errDown, asked: true, state: Closed},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Unix(1e9, 0)}
			b := newTest(c, tt.cfg)
			for i, s := range tt.steps {
				c.add(s.advance)
				asked := false
				err := b.Do(t.Context(), func(context.Context) error { asked = true; return s.result })
				if asked != s.asked {
					t.Fatalf("step %d: asked %v, want %v", i, asked, s.asked)
				}
				if !asked && !errors.Is(err, ErrOpen) {
					t.Fatalf("step %d: refused with %v, want ErrOpen", i, err)
				}
				if asked && err != s.result {
					t.Fatalf("step %d: error %v, want the dependency's %v", i, err, s.result)
				}
				if st := b.Stats().State; st != s.state {
					t.Fatalf("step %d: state %v, want %v", i, st, s.state)
				}
			}
		})
	}
}

func TestBreakerRetryAfter(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	b := newTest(c, Config{Failures: 1, OpenFor: 10 * time.Second})
	b.Do(t.Context(), func(context.Context) error { return errDown })
	c.add(3 * time.Second)
	err := b.Do(t.Context(), func(context.Context) error { return nil })
	if d, ok := RetryAfter(err); !ok || d != 7*time.Second {
		t.Errorf("RetryAfter %v, %v; want 7s", d, ok)
	}
}

// TestBreakerOneProbe: while the probe is under way every other call is refused at once.
func TestBreakerOneProbe(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	b := newTest(c, Config{Failures: 1, OpenFor: time.Second})
	b.Do(t.Context(), func(context.Context) error { return errDown })
	c.add(time.Second)
	inProbe, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- b.Do(context.Background(), func(context.Context) error { close(inProbe); <-release; return nil })
	}()
	<-inProbe
	for range 10 {
		if err := b.Do(t.Context(), func(context.Context) error { t.Error("asked during the probe"); return nil }); !errors.Is(err, ErrOpen) {
			t.Fatalf("during the probe: %v, want ErrOpen", err)
		}
	}
	if st := b.Stats(); st.State != HalfOpen || st.HalfOpened != 1 || st.Rejected != 10 {
		t.Errorf("stats during the probe %+v", st)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.State != Closed || st.Opened != 1 || st.Closed != 1 || st.Failures != 1 {
		t.Errorf("stats after the probe %+v", st)
	}
}

// TestBreakerMaxWaiting: calls beyond MaxWaiting are refused at once with ErrBusy.
func TestBreakerMaxWaiting(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	b := newTest(c, Config{MaxWaiting: 3})
	release := make(chan struct{})
	var started, finished sync.WaitGroup
	for range 3 {
		started.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			b.Do(context.Background(), func(context.Context) error { started.Done(); <-release; return nil })
		}()
	}
	started.Wait()
	err := b.Do(t.Context(), func(context.Context) error { t.Error("a fourth call was let through"); return nil })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("fourth call: %v, want ErrBusy", err)
	}
	if d, ok := RetryAfter(err); !ok || d != time.Second {
		t.Errorf("RetryAfter %v, %v", d, ok)
	}
	close(release)
	finished.Wait()
	if err := b.Do(t.Context(), func(context.Context) error { return nil }); err != nil {
		t.Errorf("after the others finished: %v", err)
	}
	if st := b.Stats(); st.Shed != 1 || st.Waiting != 0 || st.State != Closed {
		t.Errorf("stats %+v", st)
	}
}

// TestBreakerLogsOnce: a long outage logs its start and its end once, however many calls it refuses.
func TestBreakerLogsOnce(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	var buf syncBuffer
	b := New(Config{Name: "dep", Failures: 2, OpenFor: time.Second, Now: c.now, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	for range 100 {
		b.Do(t.Context(), func(context.Context) error { return errDown })
	}
	for range 3 {
		c.add(time.Second)
		b.Do(t.Context(), func(context.Context) error { return errDown })
	}
	c.add(time.Second)
	b.Do(t.Context(), func(context.Context) error { return nil })
	out := buf.String()
	if n := strings.Count(out, "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "level=INFO"); n != 1 {
		t.Errorf("%d infos, want 1:\n%s", n, out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return string(s.b) }
