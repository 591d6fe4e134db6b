package httpsec

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// step is one request in a rate-limit scenario: after advancing the clock by wait, ip asks for path.
type step struct {
	wait      time.Duration
	ip, path  string
	ok        bool
	retryAter int
}

func TestRateLimiter(t *testing.T) {
	const ip = "203.0.113.7"
	tests := []struct {
		name  string
		cfg   RateLimitConfig
		steps []step
	}{
		{"4th sign-in within 10 s refused (tour2 b-signin-4)", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", false, 10},
		}},
		{"retry-after counts from the last allowed request, rounded up", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{4 * time.Second, ip, "/sign-in/email", true, 0},
			{4 * time.Second, ip, "/sign-in/email", true, 0},
			{2500 * time.Millisecond, ip, "/sign-in/email", false, 8},
			{7 * time.Second, ip, "/sign-in/email", false, 1},
		}},
		{"allowed again once the window has passed", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{9999 * time.Millisecond, ip, "/sign-in/email", false, 1},
			{1 * time.Millisecond, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", false, 10},
		}},
		{"refused requests are not counted", RateLimitConfig{}, []step{
			{0, ip, "/sign-up/email", true, 0},
			{0, ip, "/sign-up/email", true, 0},
			{0, ip, "/sign-up/email", true, 0},
			{5 * time.Second, ip, "/sign-up/email", false, 5},
			{5 * time.Second, ip, "/sign-up/email", true, 0},
		}},
		{"path variants share one bucket (D10)", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email/", true, 0},
			{0, ip, "/SIGN-IN/email", true, 0},
			{0, ip, "//sign-in/email", false, 10},
			{0, ip, "/sign-in%2Femail", false, 10},
			{0, ip, "/sign-in%252Femail", false, 10},
			{0, ip, `/sign-in\email`, false, 10},
			{0, ip, "/x/../sign-in/./email", false, 10},
		}},
		{"variants get the strict rule", RateLimitConfig{}, []step{
			{0, ip, "/Sign-Up/Email", true, 0},
			{0, ip, "/Sign-Up/Email", true, 0},
			{0, ip, "/Sign-Up/Email", true, 0},
			{0, ip, "/Sign-Up/Email", false, 10},
		}},
		{"clients have their own buckets", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", false, 10},
			{0, "198.51.100.1", "/sign-in/email", true, 0},
			{0, NoTrustedIP, "/sign-in/email", true, 0},
		}},
		{"paths have their own buckets", RateLimitConfig{}, []step{
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/social", true, 0},
			{0, ip, "/sign-in/email", false, 10},
		}},
		{"email endpoints: 3 per 60 s", RateLimitConfig{}, []step{
			{0, ip, "/request-password-reset", true, 0},
			{0, ip, "/request-password-reset", true, 0},
			{0, ip, "/request-password-reset", true, 0},
			{30 * time.Second, ip, "/request-password-reset", false, 30},
			{30 * time.Second, ip, "/request-password-reset", true, 0},
		}},
		{"forget-password is a prefix rule", RateLimitConfig{}, []step{
			{0, ip, "/forget-password/x", true, 0},
			{0, ip, "/forget-password/x", true, 0},
			{0, ip, "/forget-password/x", true, 0},
			{0, ip, "/forget-password/x", false, 60},
		}},
		{"request-password-reset is exact", RateLimitConfig{Max: 3}, []step{
			{0, ip, "/request-password-reset/x", true, 0},
			{0, ip, "/request-password-reset/x", true, 0},
			{0, ip, "/request-password-reset/x", true, 0},
			{0, ip, "/request-password-reset/x", false, 10},
		}},
		{"default rule 100 per 10 s", RateLimitConfig{}, append(repeat(step{0, ip, "/get-session", true, 0}, 100),
			step{0, ip, "/get-session", false, 10})},
		{"custom default and rules", RateLimitConfig{Window: time.Minute, Max: 2, Rules: []Rule{{Prefix: "/Custom", Window: time.Second, Max: 1}}}, []step{
			{0, ip, "/custom/x", true, 0},
			{0, ip, "/custom/x", false, 1},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", true, 0},
			{0, ip, "/sign-in/email", false, 60},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			cfg := tt.cfg
			cfg.Now = clk.Now
			l := NewRateLimiter(cfg)
			for i, s := range tt.steps {
				clk.Advance(s.wait)
				ok, retry := l.Allow(s.ip, s.path)
				if ok != s.ok {
					t.Fatalf("step %d %s %s: ok = %v, want %v", i, s.ip, s.path, ok, s.ok)
				}
				if retry != s.retryAter {
					t.Errorf("step %d %s %s: retryAfter = %d, want %d", i, s.ip, s.path, retry, s.retryAter)
				}
			}
		})
	}
}

func repeat(s step, n int) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestNormalizePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/sign-in/email", "/sign-in/email"},
		{"/sign-in/email/", "/sign-in/email"},
		{"/SIGN-IN/email", "/sign-in/email"},
		{"//sign-in///email", "/sign-in/email"},
		{"/sign-in%2Femail", "/sign-in/email"},
		{"/sign-in%2femail", "/sign-in/email"},
		{"/sign-in%252Femail", "/sign-in/email"},
		{`/sign-in\email`, "/sign-in/email"},
		{"/a/./b/../sign-in/email", "/a/sign-in/email"},
		{"sign-in/email", "/sign-in/email"},
		{"", "/"},
		{"/", "/"},
		{"/%zz", "/%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizePath(tt.in); got != tt.want {
				t.Errorf("NormalizePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRateLimitSpoofedForwardedFor is D9: an untrusted client rotating X-Forwarded-For stays in one bucket.
func TestRateLimitSpoofedForwardedFor(t *testing.T) {
	tests := []struct {
		name    string
		ci      ClientIP
		remote  func(i int) string
		xff     func(i int) string
		allowed int
	}{
		{"untrusted peer rotating X-Forwarded-For", ClientIP{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			func(int) string { return "203.0.113.9:5555" }, func(i int) string { return fmt.Sprintf("198.51.100.%d", i%250) }, 3},
		{"no trusted proxies rotating X-Forwarded-For", ClientIP{},
			func(int) string { return "203.0.113.9:5555" }, func(i int) string { return fmt.Sprintf("198.51.100.%d", i%250) }, 3},
		{"trusted proxy, client prepends spoofed hops", ClientIP{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			func(int) string { return "10.0.0.2:443" }, func(i int) string { return fmt.Sprintf("1.2.3.%d, 203.0.113.9", i%250) }, 3},
		{"IPv6 rotation within a /64", ClientIP{},
			func(i int) string { return fmt.Sprintf("[2001:db8:1:2:%x::%x]:443", i, i+1) }, func(int) string { return "" }, 3},
		{"IPv4-mapped and plain IPv4 share", ClientIP{},
			func(i int) string {
				if i%2 == 0 {
					return "[::ffff:203.0.113.9]:1"
				}
				return "203.0.113.9:2"
			}, func(int) string { return "" }, 3},
		{"distinct /64s are distinct clients", ClientIP{},
			func(i int) string { return fmt.Sprintf("[2001:db8:%x::1]:443", i) }, func(int) string { return "" }, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			l := NewRateLimiter(RateLimitConfig{Now: clk.Now})
			allowed := 0
			for i := range 20 {
				r := httptest.NewRequest("POST", "/api/auth/sign-in/email", nil)
				r.RemoteAddr = tt.remote(i)
				if x := tt.xff(i); x != "" {
					r.Header.Set("X-Forwarded-For", x)
				}
				ip, _ := tt.ci.Of(r)
				if ok, _ := l.Allow(RateLimitKey(ip), "/sign-in/email"); ok {
					allowed++
				}
			}
			if allowed != tt.allowed {
				t.Errorf("allowed %d of 20, want %d", allowed, tt.allowed)
			}
		})
	}
}

func TestRateLimiterMaxKeys(t *testing.T) {
	tests := []struct {
		name    string
		maxKeys int
		want    int
	}{
		{"small bound", 1000, 1000},
		{"one shard", 10, 10},
		{"default bound", 0, 100_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			l := NewRateLimiter(RateLimitConfig{MaxKeys: tt.maxKeys, Now: clk.Now})
			rng := rand.New(rand.NewPCG(1, 2))
			for range 100_000 {
				ip := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
				l.Allow(ip.String(), "/sign-in/email")
				if tt.maxKeys > 0 && tt.maxKeys <= 1000 && l.Len() > tt.want {
					t.Fatalf("Len() = %d, want <= %d", l.Len(), tt.want)
				}
			}
			if n := l.Len(); n > tt.want {
				t.Fatalf("Len() = %d, want <= %d", n, tt.want)
			}
			// The busiest client keeps its counter through a flood of new ones.
			clk.Advance(time.Second)
			hot := "192.0.2.200"
			for range 3 {
				l.Allow(hot, "/sign-in/email")
			}
			for i := range tt.want / 2 {
				l.Allow(fmt.Sprintf("flood-%d", i), "/sign-in/email")
				if i%100 == 0 {
					l.Allow(hot, "/sign-in/email") // refused, but keeps the counter warm
				}
			}
			if ok, _ := l.Allow(hot, "/sign-in/email"); ok {
				t.Errorf("a busy counter was evicted by a flood of %d new clients", tt.want/2)
			}
		})
	}
}

// TestRateLimiterLongPaths: long paths cannot make keys large.
func TestRateLimiterLongPaths(t *testing.T) {
	l := NewRateLimiter(RateLimitConfig{MaxKeys: 100})
	long := "/" + strings.Repeat("a", 100_000)
	for i := range 3 {
		if ok, _ := l.Allow("203.0.113.1", long); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	for i := range l.shards {
		for k := range l.shards[i].m {
			if len(k) > 256 {
				t.Fatalf("key of %d bytes stored", len(k))
			}
		}
	}
}

func TestRateLimiterConcurrent(t *testing.T) {
	l := NewRateLimiter(RateLimitConfig{}) // room for every key: eviction would restart the shared counter
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				l.Allow(fmt.Sprintf("10.0.%d.%d", g, i%300), "/sign-in/email")
			}
		}()
	}
	// Everyone hammers one shared bucket too: exactly 3 get through.
	shared := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Allow("198.51.100.1", "/sign-up/email"); ok {
				mu.Lock()
				shared++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if shared != 3 {
		t.Errorf("shared bucket allowed %d, want 3", shared)
	}
	if n := l.Len(); n != 16*300+1 {
		t.Errorf("Len() = %d, want %d", n, 16*300+1)
	}
}
