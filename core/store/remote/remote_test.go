package remote

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
)

// fakeServer plays Better Auth's /api/auth/get-session with bodies captured from a real server: a session
// is found by its bearer token or by a session_token cookie "<token>.<anything>".
type fakeServer struct {
	*httptest.Server
	bodies map[string][]byte // by token
	hits   atomic.Int64

	mu      sync.Mutex
	last    *http.Request
	handler http.HandlerFunc // replaces the default behaviour when set
}

func newServer(t *testing.T) *fakeServer {
	t.Helper()
	names, raw := storetest.GetSessionBodies()
	f := &fakeServer{bodies: map[string][]byte{}}
	for _, n := range names {
		var v struct{ Session struct{ Token string } }
		if err := json.Unmarshal(raw[n], &v); err != nil {
			t.Fatal(err)
		}
		f.bodies[v.Session.Token] = raw[n]
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.mu.Lock()
		f.last = r.Clone(context.Background())
		h := f.handler
		f.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		if r.Method != http.MethodGet || r.URL.Path != "/api/auth/get-session" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		tok := ""
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
			tok = strings.TrimPrefix(a, "Bearer ")
		} else if c, err := r.Cookie("better-auth.session_token"); err == nil {
			tok, _, _ = strings.Cut(c.Value, ".")
		}
		if b, ok := f.bodies[tok]; ok {
			w.Write(b)
			return
		}
		w.Write([]byte("null"))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) set(h http.HandlerFunc) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

func (f *fakeServer) lastRequest() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func newStore(t *testing.T, baseURL string, opts *Options) *Store {
	t.Helper()
	s, err := New(baseURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const nocacheToken = "8ICvaykCwrycDxO05n5NASxXdUymOf3H"

func TestLookupFound(t *testing.T) {
	f := newServer(t)
	s := newStore(t, f.URL, &Options{CacheTTL: -1})
	names, raw := storetest.GetSessionBodies()
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			var want struct{ Session, User map[string]any }
			json.Unmarshal(raw[n], &want)
			tok := want.Session["token"].(string)
			res, err := s.Lookup(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			exp, _ := time.Parse(time.RFC3339Nano, want.Session["expiresAt"].(string))
			if res.Session.Token != tok || res.Session.ID != want.Session["id"] || !res.Session.ExpiresAt.Equal(exp) ||
				res.User.ID != want.User["id"] || res.User.Email != want.User["email"] || res.User.EmailVerified {
				t.Errorf("got %+v", res)
			}
			r := f.lastRequest()
			if got := r.Header.Get("Authorization"); got != "Bearer "+tok {
				t.Errorf("Authorization %q", got)
			}
			if q := r.URL.Query(); q.Get("disableCookieCache") != "true" || q.Get("disableRefresh") != "true" {
				t.Errorf("query %q", r.URL.RawQuery)
			}
			if r.Header.Get("Cookie") != "" {
				t.Errorf("cookies sent: %q", r.Header.Get("Cookie"))
			}
		})
	}
}

func TestLookupCredentials(t *testing.T) {
	f := newServer(t)
	s := newStore(t, f.URL, &Options{CacheTTL: -1})
	header := "theme=dark; better-auth.session_token=" + nocacheToken + ".sig%3D; _ga=GA1.2.3; " +
		"better-auth.session_data.0=abc; csrf=x; __Secure-better-auth.dont_remember=true.sig"
	res, err := s.LookupCredentials(context.Background(), header, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Session.Token != nocacheToken {
		t.Errorf("token %q", res.Session.Token)
	}
	want := "better-auth.session_token=" + nocacheToken + ".sig%3D; better-auth.session_data.0=abc; __Secure-better-auth.dont_remember=true.sig"
	if got := f.lastRequest().Header.Get("Cookie"); got != want {
		t.Errorf("forwarded cookies\n got %q\nwant %q", got, want)
	}
	if got := f.lastRequest().Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization %q", got)
	}

	// Authorization is forwarded as is.
	if _, err := s.LookupCredentials(context.Background(), "theme=dark", "Bearer "+nocacheToken); err != nil {
		t.Fatal(err)
	}
	if got := f.lastRequest().Header.Get("Cookie"); got != "" {
		t.Errorf("cookies %q", got)
	}

	hits := f.hits.Load()
	for _, tt := range []struct{ cookie, authz string }{
		{"", ""},
		{"theme=dark; _ga=1", ""},
		{"better-auth.session_token=x\r\nX-Injected: 1", ""},
		{"", "Bearer x\nX-Injected: 1"},
		{strings.Repeat("a", maxCookieHeaderBytes+1), ""},
	} {
		if _, err := s.LookupCredentials(context.Background(), tt.cookie, tt.authz); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%q %q: %v, want ErrNotFound", tt.cookie, tt.authz, err)
		}
	}
	if f.hits.Load() != hits {
		t.Error("credentials that cannot be a session were sent")
	}
}

func TestFilterCookies(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"a=1; b=2":                      "",
		"better-auth.session_token=t.s": "better-auth.session_token=t.s",
		" myapp.session_token=v ;x=1;myapp.session_data=d": "myapp.session_token=v; myapp.session_data=d",
		"better-auth-session_token=legacy":                 "better-auth-session_token=legacy",
		"session_token":                                    "", // no value
		"better-auth.session_token=a=b=c":                  "better-auth.session_token=a=b=c",
	} {
		if got := FilterCookies(in); got != want {
			t.Errorf("FilterCookies(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnswers(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   int
		body     string
		notFound bool // ErrNotFound; otherwise an error that is not ErrNotFound
	}{
		{name: "null", status: 200, body: "null", notFound: true},
		{name: "null with spaces", status: 200, body: " null\n", notFound: true},
		{name: "401", status: 401, body: `{"code":"UNAUTHORIZED"}`, notFound: true},
		{name: "403", status: 403, body: `{"code":"FORBIDDEN"}`, notFound: true},
		{name: "500", status: 500, body: "oops"},
		{name: "502", status: 502},
		{name: "503", status: 503},
		{name: "429 rate limited", status: 429},
		{name: "404 wrong base path", status: 404, body: "Not Found"},
		{name: "405", status: 405},
		{name: "html page", status: 200, body: "<!doctype html><html></html>"},
		{name: "empty", status: 200, body: ""},
		{name: "not a session", status: 200, body: `{"session":null,"user":null}`},
		{name: "session without token", status: 200, body: `{"session":{"id":"a","userId":"u","expiresAt":"2026-12-05T13:29:57.664Z"},"user":{"id":"u"}}`},
		{name: "too big", status: 200, body: `{"session":{"pad":"` + strings.Repeat("x", DefaultMaxResponseBytes) + `"},"user":{}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newServer(t)
			f.set(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			s := newStore(t, f.URL, nil)
			res, err := s.Lookup(context.Background(), nocacheToken)
			if tt.notFound {
				if !errors.Is(err, store.ErrNotFound) || res != nil {
					t.Fatalf("got %v, %v; want ErrNotFound", res, err)
				}
				return
			}
			if err == nil || errors.Is(err, store.ErrNotFound) || res != nil {
				t.Fatalf("got %v, %v; want an error other than ErrNotFound", res, err)
			}
		})
	}
}

func TestTokenMismatch(t *testing.T) {
	f := newServer(t)
	body := f.bodies[nocacheToken]
	f.set(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	s := newStore(t, f.URL, nil)
	if _, err := s.Lookup(context.Background(), "someOtherTokenAAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

func TestNoRedirects(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	f := newServer(t)
	f.set(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/api/auth/get-session", http.StatusFound)
	})
	for _, c := range []*http.Client{nil, {}} { // ours, and a caller's that would follow redirects
		s := newStore(t, f.URL, &Options{HTTPClient: c})
		if _, err := s.Lookup(context.Background(), nocacheToken); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v, want an error", err)
		}
	}
	if elsewhere.Load() != 0 {
		t.Fatal("credentials followed a redirect")
	}
}

func TestUnreachable(t *testing.T) {
	f := newServer(t)
	url := f.URL
	f.Close()
	s := newStore(t, url, nil)
	if _, err := s.Lookup(context.Background(), nocacheToken); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("got %v, want an error", err)
	}
}

func TestTimeout(t *testing.T) {
	f := newServer(t)
	release := make(chan struct{})
	f.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	s := newStore(t, f.URL, &Options{Timeout: 200 * time.Millisecond})
	start := time.Now()
	if _, err := s.Lookup(context.Background(), nocacheToken); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("got %v, want an error", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := newStore(t, f.URL, nil).Lookup(ctx, nocacheToken); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the caller's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("lookups took %s", d)
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		base string
		opts *Options
		want string // endpoint, or "" for an error
	}{
		{base: "https://app.example.com", want: "https://app.example.com/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "https://app.example.com/", want: "https://app.example.com/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "https://app.example.com/custom/auth/", want: "https://app.example.com/custom/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "https://app.example.com", opts: &Options{BasePath: "auth"}, want: "https://app.example.com/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "https://app.example.com", opts: &Options{BasePath: "/"}, want: "https://app.example.com/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "https://app.example.com", opts: &Options{UseServerCookieCache: true, AllowRefresh: true}, want: "https://app.example.com/api/auth/get-session"},
		{base: "http://localhost:3000", want: "http://localhost:3000/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "http://127.0.0.1:3000", want: "http://127.0.0.1:3000/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "http://[::1]:3000", want: "http://[::1]:3000/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "http://auth.internal:3000", opts: &Options{InsecureAllowHTTP: true}, want: "http://auth.internal:3000/api/auth/get-session?disableCookieCache=true&disableRefresh=true"},
		{base: "http://auth.internal:3000"},
		{base: "http://127.0.0.1.example.com"},
		{base: "ftp://app.example.com"},
		{base: "app.example.com"},
		{base: "https://user:pw@app.example.com"},
		{base: "https://app.example.com?x=1"},
		{base: ""},
		{base: "https://app.example.com", opts: &Options{Timeout: -1}},
	} {
		s, err := New(tt.base, tt.opts)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("New(%q) succeeded, want an error", tt.base)
		case tt.want != "" && err != nil:
			t.Errorf("New(%q): %v", tt.base, err)
		case tt.want != "" && s.endpoint != tt.want:
			t.Errorf("New(%q) endpoint %s, want %s", tt.base, s.endpoint, tt.want)
		}
	}
	s, _ := New("https://app.example.com", &Options{CacheTTL: time.Hour})
	if s.ttl != store.MaxCacheTTL {
		t.Errorf("ttl %s, want at most %s", s.ttl, store.MaxCacheTTL)
	}
}

// clock is a manual clock for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCache(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 13, 30, 0, 0, time.UTC) // the captured sessions expire on 2026-12-05
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, f *fakeServer, s *Store, clk *clock)
	}{
		{name: "found is cached for the ttl", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			for range 3 {
				if _, err := s.Lookup(context.Background(), nocacheToken); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.hits.Load(); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
			clk.add(DefaultCacheTTL)
			s.Lookup(context.Background(), nocacheToken)
			if n := f.hits.Load(); n != 2 {
				t.Fatalf("%d requests after the ttl, want 2", n)
			}
		}},
		{name: "keyed by credentials", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			s.Lookup(context.Background(), nocacheToken)
			s.LookupCredentials(context.Background(), "better-auth.session_token="+nocacheToken+".sig", "")
			s.LookupCredentials(context.Background(), "better-auth.session_token="+nocacheToken+".sig; theme=x", "")
			if n := f.hits.Load(); n != 2 {
				t.Fatalf("%d requests, want 2 (bearer, cookie; other cookies do not matter)", n)
			}
		}},
		{name: "null is not cached", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			for range 2 {
				s.Lookup(context.Background(), "unknownAAAAAAAAAAAAAAAAAAAAAAAAA")
			}
			if n := f.hits.Load(); n != 2 {
				t.Fatalf("%d requests, want 2", n)
			}
		}},
		{name: "errors are not cached", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			f.set(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
			if _, err := s.Lookup(context.Background(), nocacheToken); err == nil {
				t.Fatal("no error")
			}
			f.set(nil)
			if _, err := s.Lookup(context.Background(), nocacheToken); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "never past the session's expiry", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			clk.add(time.Date(2026, 12, 5, 13, 29, 57, 664e6, time.UTC).Sub(t0) - time.Second)
			s.Lookup(context.Background(), nocacheToken)
			clk.add(time.Second)
			s.Lookup(context.Background(), nocacheToken)
			if n := f.hits.Load(); n != 2 {
				t.Fatalf("%d requests, want 2", n)
			}
		}},
		{name: "bounded", run: func(t *testing.T, f *fakeServer, s *Store, clk *clock) {
			s.cache = ttlcache.New[[sha256.Size]byte, store.Result](3)
			for i := range 20 {
				if _, err := s.LookupCredentials(context.Background(), "better-auth.session_token="+nocacheToken+"."+strconv.Itoa(i), ""); err != nil {
					t.Fatal(err)
				}
				if n := s.cache.Len(); n > 3 || n == 0 {
					t.Fatalf("%d entries, bound is 3", n)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newServer(t)
			s := newStore(t, f.URL, nil)
			clk := &clock{t: t0}
			s.now = clk.now
			tt.run(t, f, s, clk)
		})
	}
	t.Run("off", func(t *testing.T) {
		f := newServer(t)
		s := newStore(t, f.URL, &Options{CacheTTL: -1})
		for range 2 {
			s.Lookup(context.Background(), nocacheToken)
		}
		if n := f.hits.Load(); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
	})
}

func FuzzParse(f *testing.F) {
	names, raw := storetest.GetSessionBodies()
	for _, n := range names {
		f.Add(raw[n])
	}
	f.Add([]byte("null"))
	f.Add([]byte(`{"session":{},"user":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parse(body)
		if (res == nil) == (err == nil) {
			t.Fatalf("parse returned %v and %v", res, err)
		}
		if res != nil && (res.Session.Token == "" || res.User.ID == "") {
			t.Fatalf("a session without token or user id: %+v", res)
		}
	})
}

func FuzzFilterCookies(f *testing.F) {
	f.Add("theme=dark; better-auth.session_token=" + nocacheToken + ".sig%3D; better-auth.session_data.0=abc")
	f.Add("a=1;;b;=;session_token=")
	f.Fuzz(func(t *testing.T, header string) {
		out := FilterCookies(header)
		for part := range strings.SplitSeq(out, "; ") {
			if part == "" {
				continue
			}
			name, _, _ := strings.Cut(part, "=")
			if !strings.Contains(name, "session_token") && !strings.Contains(name, "session_data") && !strings.Contains(name, "dont_remember") {
				t.Fatalf("forwarded %q from %q", part, header)
			}
		}
	})
}

func TestPing(t *testing.T) {
	f := newServer(t)
	f.set(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/auth/ok" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	})
	if err := newStore(t, f.URL, nil).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := newStore(t, f.URL, &Options{BasePath: "/auth"}).Ping(context.Background()); err == nil {
		t.Fatal("Ping succeeded with the wrong base path")
	}
}
