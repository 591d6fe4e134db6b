package httpsec

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// Rule limits the requests to the paths it matches to at most Max per Window. A path matches when it
// starts with Prefix or, with Exact, equals it. Paths and prefixes are compared after [NormalizePath].
type Rule struct {
	Prefix string
	Window time.Duration
	Max    int
	// Exact matches Prefix as a whole path only.
	Exact bool
}

// DefaultRules are Better Auth 1.7.25's built-in special rules (getDefaultSpecialRules): 3 per 10 s on
// paths starting /sign-in, /sign-up, /change-password, /change-email; 3 per 60 s on /request-password-reset,
// /send-verification-email, /email-otp/send-verification-otp and /email-otp/request-password-reset
// (exactly) and on paths starting /forget-password.
func DefaultRules() []Rule {
	const short, long = 10 * time.Second, 60 * time.Second
	return []Rule{
		{Prefix: "/sign-in", Window: short, Max: 3},
		{Prefix: "/sign-up", Window: short, Max: 3},
		{Prefix: "/change-password", Window: short, Max: 3},
		{Prefix: "/change-email", Window: short, Max: 3},
		{Prefix: "/request-password-reset", Window: long, Max: 3, Exact: true},
		{Prefix: "/send-verification-email", Window: long, Max: 3, Exact: true},
		{Prefix: "/forget-password", Window: long, Max: 3},
		{Prefix: "/email-otp/send-verification-otp", Window: long, Max: 3, Exact: true},
		{Prefix: "/email-otp/request-password-reset", Window: long, Max: 3, Exact: true},
	}
}

// RateLimitConfig configures a [RateLimiter]. Zero values mean Better Auth's defaults.
type RateLimitConfig struct {
	// Window and Max are the rule for paths no Rule matches. Zero means 10 s and 100.
	Window time.Duration
	Max    int
	// Rules are the special rules; the first that matches a path wins. Nil means [DefaultRules]; an empty
	// non-nil slice means none.
	Rules []Rule
	// MaxKeys bounds the counters kept (one per client and path). Zero means 100 000, Better Auth's bound
	// for its memory store.
	MaxKeys int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// RateLimiter is Better Auth's memory rate limiter: a counter per client and path. A request is allowed
// when Window has passed since the last allowed request (the counter restarts at 1) or when fewer than Max
// requests were counted; otherwise it is refused and not counted. It is safe for concurrent use.
//
// Hardening beyond Better Auth: paths are folded by [NormalizePath] before keying, so spellings of one
// endpoint share a counter and its rule; a key longer than 256 bytes is stored as its SHA-256, so a long
// path cannot make one counter large; when MaxKeys counters are held the least recently used one is
// dropped (Better Auth drops the oldest inserted), so a flood of new clients evicts idle counters before
// busy ones, and counters past their window are swept from that end as new ones arrive. Memory is bounded
// by MaxKeys at all times.
type RateLimiter struct {
	window   time.Duration
	max      int
	rules    []Rule
	now      func() time.Time
	seed     maphash.Seed
	shards   []rlShard
	perShard int
}

// rlShard is one lock's worth of counters, kept in a list from least to most recently used.
type rlShard struct {
	mu         sync.Mutex
	m          map[string]*counter
	head, tail *counter
}

type counter struct {
	key        string
	count      int
	last       time.Time // the last allowed request
	expires    time.Time // last + the rule's window
	prev, next *counter
}

// NewRateLimiter returns a limiter for c.
func NewRateLimiter(c RateLimitConfig) *RateLimiter {
	l := &RateLimiter{window: c.Window, max: c.Max, now: c.Now, seed: maphash.MakeSeed()}
	if l.window <= 0 {
		l.window = 10 * time.Second
	}
	if l.max <= 0 {
		l.max = 100
	}
	if l.now == nil {
		l.now = time.Now
	}
	rules := c.Rules
	if rules == nil {
		rules = DefaultRules()
	}
	for _, r := range rules {
		r.Prefix = NormalizePath(r.Prefix)
		l.rules = append(l.rules, r)
	}
	maxKeys := c.MaxKeys
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	n := 16
	if maxKeys < 16*64 {
		n = 1
	}
	l.shards = make([]rlShard, n)
	for i := range l.shards {
		l.shards[i].m = map[string]*counter{}
	}
	l.perShard = maxKeys / n
	return l
}

// NormalizePath folds the spellings of one path into one key: "\" read as "/", percent-decoded (twice, so
// "%252F" folds too), lower-cased, repeated slashes collapsed, "." and ".." resolved, no trailing slash.
// "/SIGN-IN//email/", "/sign-in%2Femail" and "/sign-in/./email" are all "/sign-in/email". This is a
// hardening: Better Auth keys the path as the URL parser left it (which resolves dot segments only).
func NormalizePath(p string) string {
	for range 2 {
		if !strings.Contains(p, "%") {
			break
		}
		d, err := url.PathUnescape(p)
		if err != nil {
			break
		}
		p = d
	}
	p = strings.ToLower(strings.ReplaceAll(p, `\`, "/"))
	return path.Clean("/" + p)
}

// rule returns the window and max for a normalised path.
func (l *RateLimiter) rule(p string) (time.Duration, int) {
	for _, r := range l.rules {
		if p == r.Prefix || (!r.Exact && strings.HasPrefix(p, r.Prefix)) {
			return r.Window, r.Max
		}
	}
	return l.window, l.max
}

// Counter returns the counter key of a request from client key ip to path (Better Auth's "<ip>|<path>",
// with path folded by [NormalizePath], and a key longer than 256 bytes replaced by "sha256:<hex>") and the
// window and max of the rule that applies to it. Shared stores key their counters with it.
func (l *RateLimiter) Counter(ip, path string) (key string, window time.Duration, max int) {
	path = NormalizePath(path)
	window, max = l.rule(path)
	key = ip + "|" + path
	if len(key) > 256 {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return key, window, max
}

// Windows returns the windows of the default rule and of every special rule.
func (l *RateLimiter) Windows() []time.Duration {
	out := []time.Duration{l.window}
	for _, r := range l.rules {
		out = append(out, r.Window)
	}
	return out
}

// Allow counts a request from client key ip (a [RateLimitKey]) to path, relative to the auth base path
// ("/sign-in/email"). When the request is refused, retryAfter is Better Auth's X-Retry-After: the seconds
// until Window has passed since the last allowed request, rounded up.
func (l *RateLimiter) Allow(ip, path string) (ok bool, retryAfter int) {
	key, win, max := l.Counter(ip, path)
	s := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	now := l.now()

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.m[key]
	switch {
	case c == nil:
		c = &counter{key: key}
		s.insert(c, l.perShard, now)
		c.count = 1
	case !now.Before(c.expires) || now.Sub(c.last) >= win:
		s.touch(c)
		c.count = 1
	case c.count >= max:
		s.touch(c)
		remaining := c.last.Add(win).Sub(now).Truncate(time.Millisecond)
		return false, max1(int((remaining + time.Second - 1) / time.Second))
	default:
		s.touch(c)
		c.count++
	}
	c.last, c.expires = now, now.Add(win)
	return true, 0
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// insert adds c at the most recently used end, first dropping up to two expired counters from the least
// recently used end and, when the shard is full, the least recently used counter.
func (s *rlShard) insert(c *counter, limit int, now time.Time) {
	for i := 0; i < 2 && s.head != nil && !now.Before(s.head.expires); i++ {
		s.remove(s.head)
	}
	for len(s.m) >= limit && s.head != nil {
		s.remove(s.head)
	}
	s.m[c.key] = c
	s.pushBack(c)
}

func (s *rlShard) remove(c *counter) {
	s.unlink(c)
	delete(s.m, c.key)
}

func (s *rlShard) touch(c *counter) {
	if s.tail == c {
		return
	}
	s.unlink(c)
	s.pushBack(c)
}

func (s *rlShard) unlink(c *counter) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		s.tail = c.prev
	}
	c.prev, c.next = nil, nil
}

func (s *rlShard) pushBack(c *counter) {
	c.prev = s.tail
	if s.tail != nil {
		s.tail.next = c
	} else {
		s.head = c
	}
	s.tail = c
}

// Len is the number of counters held.
func (l *RateLimiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
