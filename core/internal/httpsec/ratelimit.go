package httpsec

import (
	"math"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Rule limits requests to paths starting with Prefix: at most Max per Window.
type Rule struct {
	Prefix string
	Window time.Duration
	Max    int
}

// DefaultRules are Better Auth 1.7.25's built-in special rules: 3 per 10 s on sign-in, sign-up, password
// and email changes; 3 per 60 s on the endpoints that send email.
func DefaultRules() []Rule {
	return []Rule{
		{"/sign-in", 10 * time.Second, 3},
		{"/sign-up", 10 * time.Second, 3},
		{"/change-password", 10 * time.Second, 3},
		{"/change-email", 10 * time.Second, 3},
		{"/request-password-reset", 60 * time.Second, 3},
		{"/send-verification-email", 60 * time.Second, 3},
		{"/forget-password", 60 * time.Second, 3},
	}
}

// RateLimitConfig configures a [RateLimiter]. Zero values mean Better Auth's defaults.
type RateLimitConfig struct {
	// Window and Max are the default rule. Zero means 10 s and 100.
	Window time.Duration
	Max    int
	// Rules are the special rules. Nil means DefaultRules().
	Rules []Rule
	// MaxKeys bounds the counters kept. Zero means 100 000 (Better Auth's memory store bound).
	MaxKeys int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// RateLimiter is Better Auth's memory rate limiter: a counter per client and path that resets once Window
// has passed since the last allowed request. Memory is bounded by MaxKeys: expired counters are pruned
// first, then the oldest. It is safe for concurrent use.
type RateLimiter struct {
	cfg RateLimitConfig
	mu  sync.Mutex
	m   map[string]*entry
	// order is the insertion order of keys, for evicting the oldest when full.
	order []string
}

type entry struct {
	count int
	last  time.Time
	win   time.Duration
}

// NewRateLimiter returns a limiter.
func NewRateLimiter(c RateLimitConfig) *RateLimiter {
	if c.Window <= 0 {
		c.Window = 10 * time.Second
	}
	if c.Max <= 0 {
		c.Max = 100
	}
	if c.Rules == nil {
		c.Rules = DefaultRules()
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 100_000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &RateLimiter{cfg: c, m: map[string]*entry{}}
}

// NormalizePath folds the spellings of one path into one key: percent-decoded once, lower-cased,
// repeated slashes collapsed, no trailing slash. ("/SIGN-IN//email/" and "/sign-in%2Femail" are
// "/sign-in/email".)
func NormalizePath(p string) string {
	if d, err := url.PathUnescape(p); err == nil {
		p = d
	}
	p = strings.ToLower(p)
	var b strings.Builder
	prevSlash := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' {
			c = '/'
		}
		if c == '/' && prevSlash {
			continue
		}
		prevSlash = c == '/'
		b.WriteByte(c)
	}
	s := strings.TrimRight(b.String(), "/")
	if s == "" || s[0] != '/' {
		s = "/" + s
	}
	return s
}

// rule returns the rule for a normalised path.
func (l *RateLimiter) rule(path string) (time.Duration, int) {
	for _, r := range l.cfg.Rules {
		if path == r.Prefix || strings.HasPrefix(path, strings.TrimRight(r.Prefix, "/")) {
			return r.Window, r.Max
		}
	}
	return l.cfg.Window, l.cfg.Max
}

// Allow counts a request from client key ip (see [ClientIP]) to path (below the auth base path). When the
// request is refused, retryAfter is Better Auth's X-Retry-After: the seconds until the window since the
// last allowed request ends, rounded up.
func (l *RateLimiter) Allow(ip, path string) (ok bool, retryAfter int) {
	path = NormalizePath(path)
	win, max := l.rule(path)
	key := ip + "|" + path
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	switch {
	case e == nil:
		l.insert(key, &entry{count: 1, last: now, win: win}, now)
		return true, 0
	case now.Sub(e.last) >= win:
		e.count, e.last = 1, now
		return true, 0
	case e.count >= max:
		return false, int(math.Ceil(e.last.Add(win).Sub(now).Seconds()))
	default:
		e.count++
		e.last = now
		return true, 0
	}
}

// insert adds a counter, pruning expired ones and then the oldest when full.
func (l *RateLimiter) insert(key string, e *entry, now time.Time) {
	if len(l.m) >= l.cfg.MaxKeys {
		keep := l.order[:0]
		for _, k := range l.order {
			if v, ok := l.m[k]; ok && now.Sub(v.last) < v.win {
				keep = append(keep, k)
			} else {
				delete(l.m, k)
			}
		}
		l.order = keep
		for len(l.m) >= l.cfg.MaxKeys && len(l.order) > 0 {
			delete(l.m, l.order[0])
			l.order = l.order[1:]
		}
		if cap(l.order) > 4*l.cfg.MaxKeys {
			l.order = append([]string(nil), l.order...)
		}
	}
	l.m[key] = e
	l.order = append(l.order, key)
}

// Len is the number of counters held.
func (l *RateLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
