package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func newGuard(t testing.TB, a *auth.Auth, p auth.Policy) *auth.Guard {
	t.Helper()
	g, err := auth.NewGuard(a, p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewGuardInvalid(t *testing.T) {
	a := newAuth(t, newIssuer(t, "EdDSA"), nil)
	tests := []struct {
		name string
		p    auth.Policy
		want string
	}{
		{name: "glob prefix", p: auth.Policy{Protect: []string{"/api/*"}}, want: `write "/api", not "/api/*"`},
		{name: "relative prefix", p: auth.Policy{Skip: []string{"public"}}, want: "must be a path starting with /"},
		{name: "empty prefix", p: auth.Policy{Skip: []string{""}}, want: "must be a path starting with /"},
		{name: "unclean prefix", p: auth.Policy{Skip: []string{"/a/../b"}}, want: "not a clean path"},
		{name: "encoded prefix", p: auth.Policy{Skip: []string{"/a%2Fb"}}, want: "must be a path"},
		{name: "empty list", p: auth.Policy{Protect: []string{}}, want: "Policy.Protect is empty"},
		{name: "pages without login", p: auth.Policy{Pages: []string{"/"}}, want: "Pages needs LoginURL"},
		{name: "login without pages", p: auth.Policy{LoginURL: "/login"}, want: "LoginURL is set without Pages"},
		{name: "callback param alone", p: auth.Policy{CallbackParam: "next"}, want: "CallbackParam is set without"},
		{name: "protocol-relative login", p: auth.Policy{Pages: []string{"/d"}, LoginURL: "//evil.example/login"}, want: "single /"},
		{name: "backslash login", p: auth.Policy{Pages: []string{"/d"}, LoginURL: `/\evil.example`}, want: "single /"},
		{name: "relative login", p: auth.Policy{Pages: []string{"/d"}, LoginURL: "login"}, want: "single /"},
		{name: "javascript login", p: auth.Policy{Pages: []string{"/d"}, LoginURL: "javascript:alert(1)"}, want: "absolute http(s) URL"},
		{name: "login with fragment", p: auth.Policy{Pages: []string{"/d"}, LoginURL: "/login#x"}, want: "not a usable URL"},
		{name: "login loop", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login"}, want: "redirect in a loop"},
		{name: "bad callback param", p: auth.Policy{Pages: []string{"/d"}, LoginURL: "/login", CallbackParam: "a=b"}, want: "CallbackParam"},
		{name: "empty role", p: auth.Policy{Roles: []string{""}}, want: "Policy.Roles"},
		{name: "two roles in one", p: auth.Policy{Roles: []string{"admin,user"}}, want: "one non-empty word"},
		{name: "empty permissions", p: auth.Policy{Permissions: []string{}}, want: "Policy.Permissions is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := auth.NewGuard(a, tt.p)
			if g != nil {
				t.Error("NewGuard returned a Guard with an error")
			}
			if !errors.Is(err, auth.ErrInvalidConfig) {
				t.Errorf("error %v is not ErrInvalidConfig", err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v does not say %q", err, tt.want)
			}
		})
	}
	if _, err := auth.NewGuard(nil, auth.Policy{}); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("nil Auth: %v", err)
	}
}

func TestNewGuardValid(t *testing.T) {
	a := newAuth(t, newIssuer(t, "EdDSA"), nil)
	for _, p := range []auth.Policy{
		{},
		{Protect: []string{"/api/"}, Skip: []string{"/api/public"}},
		{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}},
		{Pages: []string{"/"}, LoginURL: "/login", Optional: true},
		{Pages: []string{"/dashboard"}, LoginURL: "/login"},
		{Pages: []string{"/"}, LoginURL: "https://app.example.com/login"},
		{Roles: []string{"admin"}, RoleClaim: "groups", Permissions: []string{"a:b"}, PermissionsClaim: "scope"},
	} {
		if _, err := auth.NewGuard(a, p); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

// TestGuardPaths checks which paths a policy authenticates, skips and redirects, on requests without
// credentials, for each reading of the path an adapter may hand over.
func TestGuardPaths(t *testing.T) {
	a := newAuth(t, newIssuer(t, "EdDSA"), nil)
	tests := []struct {
		name    string
		p       auth.Policy
		path    string // decoded
		raw     string // RawPath
		fold    bool   // CaseInsensitive
		want    auth.Action
		wantLoc string
	}{
		{name: "default authenticates everything", path: "/anything", want: auth.Deny},
		{name: "empty path", path: "", want: auth.Deny},
		{name: "skip exact", p: auth.Policy{Skip: []string{"/public"}}, path: "/public", want: auth.Allow},
		{name: "skip below", p: auth.Policy{Skip: []string{"/public"}}, path: "/public/a/b", want: auth.Allow},
		{name: "skip trailing slash", p: auth.Policy{Skip: []string{"/public"}}, path: "/public/", want: auth.Allow},
		{name: "skip configured with a slash", p: auth.Policy{Skip: []string{"/public/"}}, path: "/public", want: auth.Allow},
		{name: "skip boundary", p: auth.Policy{Skip: []string{"/public"}}, path: "/publicity", want: auth.Deny},
		{name: "skip dot-dot out", p: auth.Policy{Skip: []string{"/public"}}, path: "/public/../admin", want: auth.Deny},
		{name: "skip dot-dot in", p: auth.Policy{Skip: []string{"/public"}}, path: "/admin/../public", want: auth.Deny},
		{name: "skip double slash", p: auth.Policy{Skip: []string{"/public"}}, path: "//public", want: auth.Deny},
		{name: "skip raw path escapes", p: auth.Policy{Skip: []string{"/public"}}, path: "/public/../admin", raw: "/public%2F..%2Fadmin", want: auth.Deny},
		{name: "skip raw path encoded letter", p: auth.Policy{Skip: []string{"/public"}}, path: "/public", raw: "/p%75blic", want: auth.Deny},
		{name: "skip is case-sensitive", p: auth.Policy{Skip: []string{"/public"}}, path: "/PUBLIC", want: auth.Deny},
		{name: "skip folds case for a folding router", p: auth.Policy{Skip: []string{"/public"}}, path: "/PUBLIC/x", fold: true, want: auth.Allow},
		{name: "skip everything", p: auth.Policy{Skip: []string{"/"}}, path: "/x", want: auth.Allow},
		{name: "outside protect", p: auth.Policy{Protect: []string{"/api"}}, path: "/about", want: auth.Allow},
		{name: "protect boundary", p: auth.Policy{Protect: []string{"/api"}}, path: "/apis", want: auth.Allow},
		{name: "protect exact", p: auth.Policy{Protect: []string{"/api"}}, path: "/api", want: auth.Deny},
		{name: "protect raw dot-dot", p: auth.Policy{Protect: []string{"/api"}}, path: "/api/../about", want: auth.Deny},
		{name: "protect via cleaned path", p: auth.Policy{Protect: []string{"/api"}}, path: "/x/../api/me", want: auth.Deny},
		{name: "protect via raw path", p: auth.Policy{Protect: []string{"/api"}}, path: "/%61pi/me", raw: "/api/me", want: auth.Deny},
		{name: "protect folds case for a folding router", p: auth.Policy{Protect: []string{"/api"}}, path: "/API/me", fold: true, want: auth.Deny},
		{name: "protect is case-sensitive", p: auth.Policy{Protect: []string{"/api"}}, path: "/API/me", want: auth.Allow},
		{name: "page", p: auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/login"}, path: "/dashboard", want: auth.Redirect, wantLoc: "/login?callbackUrl=/dashboard"},
		{name: "page via raw dot-dot", p: auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/login"}, path: "/dashboard/../x", want: auth.Redirect, wantLoc: "/login?callbackUrl=/x"},
		{name: "not a page", p: auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/login"}, path: "/api", want: auth.Deny},
		{name: "callback from two slashes", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}}, path: "//evil.example/x", want: auth.Redirect, wantLoc: "/login?callbackUrl=/evil.example/x"},
		{name: "callback from slash backslash", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}}, path: `/\evil.example`, want: auth.Redirect, wantLoc: "/login?callbackUrl=/"},
		{name: "callback from a relative path", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}}, path: "x", want: auth.Redirect, wantLoc: "/login?callbackUrl=/x"},
		{name: "callback with control bytes", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}}, path: "/a\r\nb", want: auth.Redirect, wantLoc: "/login?callbackUrl=/a%250D%250Ab"},
		{name: "login with query", p: auth.Policy{Pages: []string{"/"}, LoginURL: "/login?", Skip: []string{"/login"}}, path: "/d", want: auth.Redirect, wantLoc: "/login?callbackUrl=/d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGuard(t, a, tt.p)
			d := g.Check(t.Context(), &auth.RouteRequest{
				Request: auth.Request{Method: "GET", Path: tt.path}, RawPath: tt.raw, CaseInsensitive: tt.fold})
			if d.Action != tt.want {
				t.Errorf("action %v, want %v (err %v)", d.Action, tt.want, d.Err)
			}
			if d.Location != tt.wantLoc {
				t.Errorf("Location %q, want %q", d.Location, tt.wantLoc)
			}
			if d.Action == auth.Allow && d.Session != nil {
				t.Errorf("session %v on a request without credentials", d.Session)
			}
		})
	}
}

// TestDecisionWrite checks that Decision.Write answers exactly as ErrorResponse.Write does.
func TestDecisionWrite(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, nil)
	g := newGuard(t, a, auth.Policy{Roles: []string{"admin"}})
	for _, authz := range []string{"", "Bearer x.y.z", "Basic x", "Bearer " + policyToken(t, is, nil)} {
		d := g.Check(t.Context(), &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/", Authorization: nonEmpty(authz)}})
		if d.Action != auth.Deny {
			t.Fatalf("%q: %v", authz, d.Action)
		}
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		d.Write(got)
		auth.NewErrorResponse(d.Err).Write(want)
		if got.Code != want.Code || got.Body.String() != want.Body.String() || fmt.Sprint(got.Header()) != fmt.Sprint(want.Header()) {
			t.Errorf("%q: Decision.Write gave %d %v %s; ErrorResponse.Write %d %v %s", authz,
				got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
		if d.Status != want.Code {
			t.Errorf("%q: Status %d, want %d", authz, d.Status, want.Code)
		}
	}
	g = newGuard(t, a, auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}})
	d := g.Check(t.Context(), &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/x"}})
	rec := httptest.NewRecorder()
	d.Write(rec)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?callbackUrl=/x" || rec.Body.Len() != 0 ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("redirect written as %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	if !errors.Is(d.Err, auth.ErrNoCredentials) {
		t.Errorf("redirect Err %v", d.Err)
	}
	rec = httptest.NewRecorder()
	(&auth.Decision{Action: auth.Allow}).Write(rec)
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Error("Allow wrote something")
	}
}

// policyToken mints a token for user u1 with extra claims.
func policyToken(t testing.TB, is *authtest.Issuer, extra map[string]any) string {
	t.Helper()
	tok, err := is.Mint(authtest.Claims{ID: "u1", Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// TestGuardReusesSession checks that a Guard behind another one uses the session already in the context
// instead of verifying again, and still applies its own checks.
func TestGuardReusesSession(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, nil)
	tok := policyToken(t, is, map[string]any{"role": "user"})
	r := &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/admin", Authorization: []string{"Bearer " + tok}}}
	outer := newGuard(t, a, auth.Policy{Optional: true}).Check(t.Context(), r)
	if outer.Action != auth.Allow || outer.Session == nil {
		t.Fatalf("outer: %v %v", outer.Action, outer.Err)
	}
	ctx := outer.Context(t.Context())
	if s, ok := auth.FromContext(ctx); !ok || s != outer.Session {
		t.Fatal("outer Context does not carry the session")
	}
	r.Authorization = []string{"Bearer garbage"} // proves the inner guard does not look again
	inner := newGuard(t, a, auth.Policy{}).Check(ctx, r)
	if inner.Action != auth.Allow || inner.Session != outer.Session {
		t.Fatalf("inner: %v %v", inner.Action, inner.Err)
	}
	if inner.Context(ctx) != ctx {
		t.Error("inner Context wrapped a context that already carries the session")
	}
	admin := newGuard(t, a, auth.Policy{Roles: []string{"admin"}}).Check(ctx, r)
	if admin.Action != auth.Deny || admin.Status != http.StatusForbidden || !errors.Is(admin.Err, auth.ErrForbidden) {
		t.Fatalf("admin: %v %d %v", admin.Action, admin.Status, admin.Err)
	}
}

func TestGuardPanics(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, nil)
	g := newGuard(t, a, auth.Policy{Authorize: func(*auth.Session) bool { panic("boom") }})
	d := g.Check(t.Context(), &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/", Authorization: []string{"Bearer " + policyToken(t, is, nil)}}})
	if d.Action != auth.Deny || d.Status != http.StatusInternalServerError || d.Session != nil {
		t.Fatalf("%v %d %v", d.Action, d.Status, d.Session)
	}
}

// TestGuardAllocs checks that Check costs no allocation beyond Authenticate's, on the hot path of a verified
// token (from the token cache) with the default policy and with path rules.
func TestGuardAllocs(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	a := newAuth(t, is, func(c *auth.Config) { c.TokenCacheSize = 16 })
	req := auth.Request{Method: "GET", Path: "/api/me", Authorization: []string{"Bearer " + policyToken(t, is, nil)}}
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, req); err != nil {
		t.Fatal(err)
	}
	base := testing.AllocsPerRun(100, func() { _, _ = a.Authenticate(ctx, req) })
	for _, p := range []auth.Policy{
		{},
		{Protect: []string{"/api"}, Skip: []string{"/api/public", "/healthz"}, Pages: []string{"/dashboard"}, LoginURL: "/login"},
	} {
		g := newGuard(t, a, p)
		r := &auth.RouteRequest{Request: req}
		got := testing.AllocsPerRun(100, func() {
			if d := g.Check(ctx, r); d.Action != auth.Allow {
				t.Fatal(d.Err)
			}
		})
		if got > base {
			t.Errorf("%+v: Check allocates %.0f times, Authenticate %.0f", p, got, base)
		}
	}
}

// FuzzGuardPath checks, for any request path and query, that a redirect's callback is a path on this
// server, and that a skipped request's cleaned path is below the skip prefix.
func FuzzGuardPath(f *testing.F) {
	for _, s := range []string{"/", "/dashboard", "//evil.example", `/\evil.example`, "/public/../admin", "/%2F%2Fevil",
		"/public", "/public/", "/publicity", "x", "", "/a\x00b", "/\t/evil", "/./public", "/public/./x"} {
		f.Add(s, "a=b")
	}
	is := newIssuer(f, "EdDSA")
	a := newAuth(f, is, nil)
	pages := newGuard(f, a, auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}})
	skip := newGuard(f, a, auth.Policy{Skip: []string{"/public"}})
	const prefix = "/login?callbackUrl="
	f.Fuzz(func(t *testing.T, p, query string) {
		r := &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: p}, RawQuery: query}
		d := pages.Check(t.Context(), r)
		switch d.Action {
		case auth.Redirect:
			if !strings.HasPrefix(d.Location, prefix) {
				t.Fatalf("Location %q", d.Location)
			}
			cb, err := url.QueryUnescape(d.Location[len(prefix):])
			if err != nil {
				t.Fatalf("Location %q: %v", d.Location, err)
			}
			u, err := url.Parse(cb)
			if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(cb, "/") ||
				strings.HasPrefix(cb, "//") || strings.HasPrefix(cb, `/\`) || strings.ContainsAny(cb, "\r\n\x00") {
				t.Fatalf("path %q: callback %q is not a local path (%v)", p, cb, err)
			}
		case auth.Allow:
			if c := path.Clean("/" + p); c != "/login" && !strings.HasPrefix(c, "/login/") {
				t.Fatalf("path %q allowed without credentials", p)
			}
		}
		if d := skip.Check(t.Context(), r); d.Action == auth.Allow {
			if c := path.Clean("/" + p); c != "/public" && !strings.HasPrefix(c, "/public/") {
				t.Fatalf("path %q skipped", p)
			}
		}
	})
}

// Guard is what adapters call per request; most code uses an adapter instead.
func ExampleGuard_Check() {
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com"})
	if err != nil {
		panic(err)
	}
	g, err := auth.NewGuard(a, auth.Policy{
		Skip:     []string{"/api/public", "/login"},
		Pages:    []string{"/dashboard"},
		LoginURL: "/login",
	})
	if err != nil {
		panic(err)
	}
	for _, p := range []string{"/api/public/news", "/api/me", "/dashboard/settings"} {
		d := g.Check(context.Background(), &auth.RouteRequest{Request: auth.Request{Method: "GET", Path: p}})
		fmt.Println(p, d.Action, d.Status, d.Location != "")
		if d.Action == auth.Redirect {
			fmt.Println("  Location:", d.Location)
		}
	}
	// Output:
	// /api/public/news allow 0 false
	// /api/me deny 401 false
	// /dashboard/settings redirect 303 true
	//   Location: /login?callbackUrl=/dashboard/settings
}

func TestNewRouteRequest(t *testing.T) {
	for _, tt := range []struct {
		name    string
		method  string
		target  string
		headers map[string][]string
		want    auth.RouteRequest
	}{
		{name: "plain", method: "GET", target: "/a/b?x=1",
			headers: map[string][]string{"Authorization": {"Bearer a", "Bearer b"}, "Cookie": {"c=1"}},
			want:    auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/a/b", Authorization: []string{"Bearer a", "Bearer b"}, Cookie: []string{"c=1"}}, RawQuery: "x=1"}},
		{name: "encoded path", method: "GET", target: "/a%2Fb",
			want: auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/a/b"}, RawPath: "/a%2Fb"}},
		{name: "preflight", method: "OPTIONS", target: "/api", headers: map[string][]string{"Access-Control-Request-Method": {"GET"}},
			want: auth.RouteRequest{Request: auth.Request{Method: "OPTIONS", Path: "/api"}, Preflight: true}},
		{name: "OPTIONS without the CORS header", method: "OPTIONS", target: "/api",
			want: auth.RouteRequest{Request: auth.Request{Method: "OPTIONS", Path: "/api"}}},
		{name: "the CORS header on a GET", method: "GET", target: "/api", headers: map[string][]string{"Access-Control-Request-Method": {"GET"}},
			want: auth.RouteRequest{Request: auth.Request{Method: "GET", Path: "/api"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			got := auth.NewRouteRequest(r)
			if !reflect.DeepEqual(map[string][]string(got.Header), map[string][]string(r.Header)) {
				t.Errorf("Header %v, want the request's own %v", got.Header, r.Header)
			}
			got.Header = nil // the request's headers, checked above
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
