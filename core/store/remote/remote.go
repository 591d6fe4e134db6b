package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Defaults for [Options].
const (
	// DefaultBasePath is Better Auth's default basePath.
	DefaultBasePath = "/api/auth"
	// DefaultTimeout bounds a lookup whose context has no earlier deadline.
	DefaultTimeout = 2 * time.Second
	// DefaultCacheTTL is how long a found session is remembered.
	DefaultCacheTTL = 5 * time.Second
	// DefaultCacheSize is how many sessions are remembered at most.
	DefaultCacheSize = 10_000
	// DefaultMaxResponseBytes bounds a get-session response body.
	DefaultMaxResponseBytes = 64 << 10
)

// Limits on what is forwarded. Better Auth's cookie cache may be chunked over several 4 KiB cookies.
const (
	maxCookieHeaderBytes  = 64 << 10
	maxAuthorizationBytes = 8 << 10
)

// Options configures a [Store]. A nil *Options means all defaults.
type Options struct {
	// BasePath is Better Auth's basePath, appended to a base URL that has no path of its own (as Better
	// Auth does). Empty means "/api/auth".
	BasePath string

	// HTTPClient sends the requests. Nil means a client of our own. Either way redirects are not
	// followed: a copy of the client is used with CheckRedirect replaced.
	HTTPClient *http.Client

	// Timeout bounds each lookup when its context has no earlier deadline. Zero means 2 s.
	Timeout time.Duration

	// CacheTTL is how long a found session is remembered, per credentials. Zero means 5 s; a negative
	// value turns the cache off. It is at most one minute, and an entry never outlives its session's
	// expiresAt. Not-found answers and errors are never cached.
	CacheTTL time.Duration

	// CacheSize bounds the cache. Zero means 10 000 entries.
	CacheSize int

	// MaxResponseBytes bounds a response body. Zero means 64 KiB.
	MaxResponseBytes int64

	// UseServerCookieCache lets the server answer from its cookie cache (no disableCookieCache=true):
	// faster, but a revoked session keeps working until the cache cookie expires. Off by default.
	UseServerCookieCache bool

	// AllowRefresh lets the server slide the session's expiry on lookups (no disableRefresh=true), as a
	// browser's own get-session calls do. Off by default: a verifier should not write.
	AllowRefresh bool

	// InsecureAllowHTTP allows a plain-http base URL that is not loopback. Credentials then cross the
	// network in clear text. It MUST NOT be set unless the network path is otherwise protected (a service
	// mesh with mTLS, a private link).
	InsecureAllowHTTP bool

	// Outage configures the breaker and the bound on waiting in front of the server. The zero value means
	// the defaults ([store.Outage]). A get-session answer other than 200, 401 and 403 (a 5xx), a body
	// that is not a session, and a request that fails or times out count as failures.
	Outage store.Outage
}

// Store asks a Better Auth server for sessions. It is safe for concurrent use. Close releases its idle
// connections.
type Store struct {
	base     string // the auth base URL: baseURL + basePath
	endpoint string
	client   *http.Client
	own      bool // client is ours to close
	timeout  time.Duration
	maxBody  int64

	ttl   time.Duration
	now   func() time.Time
	cache *ttlcache.Cache[[sha256.Size]byte, store.Result] // nil when off

	breaker *breaker.Breaker // in front of get-session
}

var (
	_ store.Store            = (*Store)(nil)
	_ store.CredentialLookup = (*Store)(nil)
	_ store.BreakerReporter  = (*Store)(nil)
)

// New returns a store asking the Better Auth server at baseURL (its baseURL option, e.g.
// "https://app.example.com"; a URL with a path is taken as the full auth base, as Better Auth takes it).
// It does no I/O.
func New(baseURL string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("remote: the base URL is not an absolute http(s) URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("remote: the base URL must not carry user info, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) && !opts.InsecureAllowHTTP {
			return nil, fmt.Errorf("remote: base URL %q is plain http and not loopback (use https, or InsecureAllowHTTP)", baseURL)
		}
	default:
		return nil, fmt.Errorf("remote: base URL %q is not http(s)", baseURL)
	}
	if opts.Timeout < 0 || opts.CacheSize < 0 || opts.MaxResponseBytes < 0 {
		return nil, errors.New("remote: negative Timeout, CacheSize or MaxResponseBytes")
	}
	if err := limits.CheckOutage("remote", opts.Outage); err != nil {
		return nil, err
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if path == "" {
		bp := opts.BasePath
		if bp == "" {
			bp = DefaultBasePath
		}
		path = "/" + strings.Trim(bp, "/")
		if path == "/" {
			path = ""
		}
	}
	q := url.Values{}
	if !opts.UseServerCookieCache {
		q.Set("disableCookieCache", "true")
	}
	if !opts.AllowRefresh {
		q.Set("disableRefresh", "true")
	}
	s := &Store{
		base:     u.Scheme + "://" + u.Host + path,
		endpoint: u.Scheme + "://" + u.Host + path + "/get-session",
		timeout:  or(opts.Timeout, DefaultTimeout),
		maxBody:  or(opts.MaxResponseBytes, DefaultMaxResponseBytes),
		ttl:      or(opts.CacheTTL, DefaultCacheTTL),
		now:      time.Now,
	}
	if len(q) > 0 {
		s.endpoint += "?" + q.Encode()
	}
	s.breaker = limits.Breaker("remote "+s.base, opts.Outage)
	if s.ttl > store.MaxCacheTTL {
		s.ttl = store.MaxCacheTTL
	}
	if s.ttl > 0 {
		s.cache = ttlcache.New[[sha256.Size]byte, store.Result](or(opts.CacheSize, DefaultCacheSize))
	}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		s.client = &c
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		t.ResponseHeaderTimeout = s.timeout
		s.client = &http.Client{Transport: t}
		s.own = true
	}
	s.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return s, nil
}

func or[T time.Duration | int | int64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Close releases idle connections of the store's own HTTP client. The store keeps working: new
// connections are opened as needed.
func (s *Store) Close() error {
	if s.own {
		s.client.CloseIdleConnections()
	}
	return nil
}

// BreakerStats returns the counts of the breaker in front of the server.
func (s *Store) BreakerStats() store.BreakerStats { return limits.Stats(s.breaker) }

// Ping asks the server's health endpoint (<auth base>/ok, {"ok":true}) and reports an error unless it
// answers 200: a wrong base URL or base path shows here rather than as failed lookups.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/ok", nil)
	if err != nil {
		return fmt.Errorf("remote: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("remote: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("remote: %s/ok answered %s (is the base URL right?)", s.base, resp.Status)
	}
	return nil
}

// Lookup asks the server for the session with this token, sent as a bearer token (the bearer plugin must
// be on).
func (s *Store) Lookup(ctx context.Context, token string) (*store.Result, error) {
	if !limits.ValidToken(token) {
		return nil, store.ErrNotFound
	}
	res, err := s.lookup(ctx, "", "Bearer "+token)
	if err != nil {
		return nil, err
	}
	if res.Session.Token != token {
		return nil, store.ErrNotFound
	}
	return res, nil
}

// LookupCredentials asks the server for the session behind a caller's credentials: its Cookie header
// (only Better Auth's cookies are forwarded) and its Authorization header (as is). Both empty is
// [store.ErrNotFound] without a request.
func (s *Store) LookupCredentials(ctx context.Context, cookieHeader, authorization string) (*store.Result, error) {
	if len(cookieHeader) > maxCookieHeaderBytes || len(authorization) > maxAuthorizationBytes ||
		!headerValue(cookieHeader) || !headerValue(authorization) {
		return nil, store.ErrNotFound
	}
	cookies := FilterCookies(cookieHeader)
	if cookies == "" && authorization == "" {
		return nil, store.ErrNotFound
	}
	return s.lookup(ctx, cookies, authorization)
}

// FilterCookies returns the Better Auth cookies of a Cookie header ("a=1; b=2"): those whose names
// contain "session_token", "session_data" (with chunks) or "dont_remember", in their order, values
// untouched.
func FilterCookies(header string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(header, ";") {
		part = strings.TrimSpace(part)
		name, _, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if !strings.Contains(name, "session_token") && !strings.Contains(name, "session_data") &&
			!strings.Contains(name, "dont_remember") {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(part)
	}
	return b.String()
}

// lookup is a cached request.
func (s *Store) lookup(ctx context.Context, cookies, authorization string) (*store.Result, error) {
	if s.cache == nil {
		return s.fetch(ctx, cookies, authorization)
	}
	k := sha256.Sum256([]byte(cookies + "\x00" + authorization))
	now := s.now()
	if r, ok := s.cache.Get(k, now); ok {
		return &r, nil
	}
	res, err := s.fetch(ctx, cookies, authorization)
	if err != nil {
		return nil, err
	}
	until := now.Add(s.ttl)
	if res.Session.ExpiresAt.Before(until) {
		until = res.Session.ExpiresAt
	}
	s.cache.Put(k, *res, until, now)
	r := *res
	return &r, nil
}

// fetch asks the server once, unless the breaker refuses.
func (s *Store) fetch(ctx context.Context, cookies, authorization string) (*store.Result, error) {
	var res *store.Result
	err := s.breaker.Do(ctx, func(ctx context.Context) (err error) {
		res, err = s.fetchOnce(ctx, cookies, authorization)
		return err
	})
	return res, err // a refusal reads "remote BASE: circuit breaker open"
}

// fetchOnce sends one get-session request.
func (s *Store) fetchOnce(ctx context.Context, cookies, authorization string) (*store.Result, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("remote: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gobetterauth")
	if cookies != "" {
		req.Header.Set("Cookie", cookies)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("remote: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, store.ErrNotFound
	default:
		return nil, fmt.Errorf("remote: get-session answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("remote: get-session: reading the body: %w", err)
	}
	if int64(len(body)) > s.maxBody {
		return nil, fmt.Errorf("remote: get-session body over %d bytes", s.maxBody)
	}
	return parse(body)
}

// parse reads a get-session body: null, or {"session":{…},"user":{…}} (other members, such as
// needsRefresh, are ignored).
func parse(body []byte) (*store.Result, error) {
	body = bytes.TrimSpace(body)
	if string(body) == "null" {
		return nil, store.ErrNotFound
	}
	var v struct {
		Session map[string]any `json:"session"`
		User    map[string]any `json:"user"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, errors.New("remote: get-session body is not JSON")
	}
	sess, ok1 := betterauth.SessionFromMap(v.Session)
	user, ok2 := betterauth.UserFromMap(v.User)
	if v.Session == nil || v.User == nil || !ok1 || !ok2 {
		return nil, errors.New("remote: get-session body is not a session")
	}
	return &store.Result{Session: sess, User: user}, nil
}

// headerValue reports whether v can be sent as a header value: no control characters but tab.
func headerValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
