package authtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Handler is the protected handler of a conformance case. The server under test calls it from its own
// handler with the request's context (for fiber, the context the adapter sets as the user context) and the
// session the adapter's accessor returns, and answers 200 with the string it returns as the body.
type Handler func(ctx context.Context, s *auth.Session, ok bool) string

// NewServer builds the server under test for one conformance case: the adapter's middleware, made with a
// and applying p, in front of a route that matches every path and method on the framework's real router and
// calls h. A framework that does not serve through net/http (fiber) wraps its app so that it looks like an
// [http.Handler] (fiber's app.Test does that).
type NewServer func(t *testing.T, a *auth.Auth, p auth.Policy, h Handler) http.Handler

// Run runs gobetterauth's adapter conformance suite against newServer, in the spirit of testing/slogtest:
// one table of cases that every adapter passes through its real router, with no adapter-specific
// exceptions. Each case gets a fresh fake Better Auth issuer, a fresh [auth.Auth] (with a debug logger that
// the suite reads) and a fresh server, and checks:
//
//   - the exact status, the exact JSON error body and the headers (Content-Type, Cache-Control,
//     WWW-Authenticate, Retry-After, Location) for 401, 403, 500, 503 and redirects;
//   - that the protected handler ran exactly once on every allowed request and never on a refused one;
//   - that on an allowed request the handler sees the caller (or no one, for anonymous requests) both
//     through the adapter's accessor and through [auth.FromContext] on its context;
//   - that no byte of a token reaches the response or the log.
//
// The cases cover no credentials, valid, tampered, malformed, expired and ambiguous bearer tokens, the JWKS
// endpoint being down (503 with Retry-After), Better Auth session cookies and bearer-plugin session tokens
// against a Store (valid, bad signature, unknown, expired, sent twice, the store down), optional routes, role, permission and custom checks (403),
// a panic inside a check (500), page routes that redirect to a login URL with a callback versus API routes
// that answer 401 JSON, open-redirect attempts through the callback, protected and skipped path prefixes
// (slash boundaries, dot segments, percent-encoding), and HEAD and OPTIONS (only a CORS preflight goes
// through untouched).
func Run(t *testing.T, newServer NewServer) {
	t.Helper()
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) { runCase(t, newServer, c) })
	}
}

// The tokens a case can put in a header, by placeholder.
const (
	tokValid    = "{valid}"    // u1, no role
	tokAdmin    = "{admin}"    // u2, role "admin"
	tokRoles    = "{roles}"    // u3, role "user, admin" (the admin plugin stores several roles comma-separated)
	tokUser     = "{user}"     // u4, role "user"
	tokPerms    = "{perms}"    // u5, permissions ["posts:read","posts:write"], groups ["staff","admin"]
	tokScope    = "{scope}"    // u6, scope "posts:read posts:write" (a string of words)
	tokExpired  = "{expired}"  // u1, expired half an hour ago
	tokTampered = "{tampered}" // {valid} with one signature character changed

	cookieValid    = "better-auth.session_token={cookie}"          // session of s1 (role "user", permissions ["posts:write"])
	cookieTampered = "better-auth.session_token={cookie-tampered}" // s1's cookie with a changed signature
	cookieUnknown  = "better-auth.session_token={cookie-unknown}"  // signed, but no such session
	cookieExpired  = "better-auth.session_token={cookie-expired}"  // signed, the session expired an hour ago
	sessionBearer  = "{session-bearer}"                            // s1's signed session token, for the bearer plugin

	cookieOrgMember = "better-auth.session_token={cookie-org-member}" // s2, active organization o1, role "member"
	cookieOrgAdmin  = "better-auth.session_token={cookie-org-admin}"  // s3, active organization o1, role "admin,member", impersonated

	keyFiles    = "{key-files}"    // API key of k1 with permissions {"files":["read"]}
	keyPlain    = "{key-plain}"    // API key of k1 without permissions
	keyDisabled = "{key-disabled}" // disabled
	keyExpired  = "{key-expired}"  // expired a minute ago
	keyUsedUp   = "{key-used-up}"  // remaining 0, no refill
	keyLimited  = "{key-limited}"  // one request per hour, already made
)

// sessionSecret is the Better Auth secret of the cases with sessions.
const sessionSecret = "authtest-conformance-secret-0123456789abcdef"

// Bodies and headers the suite expects.
const (
	bodyUnauthorized = `{"code":"UNAUTHORIZED","message":"Unauthorized"}`
	bodyInvalid      = `{"code":"INVALID_TOKEN","message":"Invalid token"}`
	bodyExpired      = `{"code":"TOKEN_EXPIRED","message":"Token expired"}`
	bodyForbidden    = `{"code":"FORBIDDEN","message":"Forbidden"}`
	bodyUnavailable  = `{"code":"SERVICE_UNAVAILABLE","message":"Authentication is temporarily unavailable"}`
	bodyInternal     = `{"code":"INTERNAL_SERVER_ERROR","message":"Internal server error"}`
	bodyKeyInvalid   = `{"code":"INVALID_API_KEY","message":"Invalid API key."}`
	bodyKeyDisabled  = `{"code":"KEY_DISABLED","message":"API Key is disabled"}`
	bodyKeyExpired   = `{"code":"KEY_EXPIRED","message":"API Key has expired"}`
	bodyKeyUsedUp    = `{"code":"USAGE_EXCEEDED","message":"API Key has reached its usage limit"}`
	bodyKeyLimited   = `{"code":"RATE_LIMITED","message":"Rate limit exceeded."}`
	wwwNone          = "Bearer"
	wwwInvalid       = `Bearer error="invalid_token"`
	anonymous        = "anonymous"
)

type conformanceCase struct {
	name     string
	policy   auth.Policy
	down     bool // the JWKS endpoint answers 500, or with sessions the store fails
	sessions bool // the Auth has a Secret and a Store holding the sessions below

	method  string // GET when empty
	target  string // path and query, sent as is
	authz   []string
	cookie  string
	headers map[string]string

	status   int
	body     string // exact; for 200, "user:<id>" or "anonymous"; ignored for HEAD
	www      string // exact WWW-Authenticate, "" for none
	retry    bool   // Retry-After must be a positive integer (else absent)
	location string // exact Location, "" for none
}

func (c conformanceCase) allowed() bool { return c.status == http.StatusOK }

// A refusal's expected answer, filled in by the helpers below.
func unauthorized(c conformanceCase) conformanceCase {
	c.status, c.body, c.www = 401, bodyUnauthorized, wwwNone
	return c
}

func invalidToken(c conformanceCase) conformanceCase {
	c.status, c.body, c.www = 401, bodyInvalid, wwwInvalid
	return c
}

func expired(c conformanceCase) conformanceCase {
	c.status, c.body, c.www = 401, bodyExpired, wwwInvalid
	return c
}

func forbidden(c conformanceCase) conformanceCase {
	c.status, c.body = 403, bodyForbidden
	return c
}

func unavailable(c conformanceCase) conformanceCase {
	c.status, c.body, c.retry = 503, bodyUnavailable, true
	return c
}

func allowed(c conformanceCase, body string) conformanceCase {
	c.status, c.body = 200, body
	return c
}

func redirected(c conformanceCase, location string) conformanceCase {
	c.status, c.location = http.StatusSeeOther, location
	return c
}

func cases() []conformanceCase {
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }
	get := func(name, target string, authz ...string) conformanceCase {
		return conformanceCase{name: name, target: target, authz: authz}
	}
	optional := auth.Policy{Optional: true}
	admins := auth.Policy{Roles: []string{"admin"}}
	writers := auth.Policy{Permissions: []string{"posts:write"}}
	pages := auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/login"}
	allPages := auth.Policy{Pages: []string{"/"}, LoginURL: "/login", Skip: []string{"/login"}}
	skip := auth.Policy{Skip: []string{"/public"}}
	protect := auth.Policy{Protect: []string{"/api"}, Skip: []string{"/api/public"}}
	with := func(c conformanceCase, p auth.Policy) conformanceCase { c.policy = p; return c }
	method := func(c conformanceCase, m string, headers ...string) conformanceCase {
		c.method = m
		c.headers = map[string]string{}
		for i := 0; i+1 < len(headers); i += 2 {
			c.headers[headers[i]] = headers[i+1]
		}
		return c
	}
	down := func(c conformanceCase) conformanceCase { c.down = true; return c }
	withSessions := func(c conformanceCase) conformanceCase { c.sessions = true; return c }
	cookie := func(name, target, cookie string) conformanceCase {
		return conformanceCase{name: name, target: target, cookie: cookie}
	}
	apiKey := func(name, target, key string, authz ...string) conformanceCase {
		return conformanceCase{name: name, target: target, authz: authz, headers: map[string]string{"X-Api-Key": key}}
	}
	keyRefused := func(c conformanceCase, status int, body string) conformanceCase {
		c.status, c.body = status, body
		if status == 401 {
			c.www = wwwInvalid
		}
		return c
	}
	withRetry := func(c conformanceCase) conformanceCase { c.retry = true; return c }
	files := auth.Policy{APIKeyPermissions: map[string][]string{"files": {"read"}}}
	orgOnly := auth.Policy{RequireOrganization: true}
	projects := auth.Policy{OrganizationPermissions: map[string][]string{"project": {"create"}}}
	noImpersonation := auth.Policy{RefuseImpersonated: true}

	list := []conformanceCase{
		// Required auth, the default policy.
		unauthorized(get("no credentials", "/api/me")),
		allowed(get("valid bearer JWT", "/api/me", bearer(tokValid)...), "user:u1"),
		allowed(get("bearer scheme in lower case", "/api/me", "bearer "+tokValid), "user:u1"),
		invalidToken(get("tampered signature", "/api/me", bearer(tokTampered)...)),
		invalidToken(get("not a JWT", "/api/me", "Bearer not-a-jwt")),
		invalidToken(get("empty bearer token", "/api/me", "Bearer ")),
		expired(get("expired token", "/api/me", bearer(tokExpired)...)),
		unauthorized(get("another scheme", "/api/me", "Basic dTE6cGFzc3dvcmQ=")),
		invalidToken(get("two Authorization headers", "/api/me", "Bearer "+tokValid, "Bearer "+tokValid)),
		unavailable(down(get("JWKS endpoint down", "/api/me", bearer(tokValid)...))),
		allowed(method(get("POST with a valid token", "/api/me", bearer(tokValid)...), http.MethodPost), "user:u1"),
		// Session cookies are not read without a Store or a cookie cache: a cookie alone is no credential.
		unauthorized(conformanceCase{name: "cookie without sessions configured", target: "/api/me", cookie: "better-auth.session_token=abc.def"}),

		// Better Auth session cookies and bearer-plugin session tokens, checked against a Store.
		allowed(withSessions(cookie("session cookie", "/api/me", cookieValid)), "user:s1"),
		allowed(withSessions(cookie("session cookie among others", "/api/me", "theme=dark; "+cookieValid+"; x=1")), "user:s1"),
		invalidToken(withSessions(cookie("session cookie with a bad signature", "/api/me", cookieTampered))),
		invalidToken(withSessions(cookie("session cookie of an unknown session", "/api/me", cookieUnknown))),
		expired(withSessions(cookie("session cookie of an expired session", "/api/me", cookieExpired))),
		invalidToken(withSessions(cookie("session cookie sent twice", "/api/me", cookieValid+"; "+cookieValid))),
		unavailable(down(withSessions(cookie("session cookie, store down", "/api/me", cookieValid)))),
		allowed(withSessions(get("bearer session token", "/api/me", bearer(sessionBearer)...)), "user:s1"),
		allowed(withSessions(get("bearer JWT with sessions on", "/api/me", bearer(tokValid)...)), "user:u1"),
		allowed(with(withSessions(cookie("session cookie, optional", "/", cookieValid)), optional), "user:s1"),
		unavailable(down(with(withSessions(cookie("session cookie, optional, store down", "/", cookieValid)), optional))),
		allowed(with(withSessions(cookie("session cookie on a page", "/dashboard", cookieValid)), pages), "user:s1"),
		redirected(with(withSessions(cookie("bad session cookie on a page", "/dashboard", cookieTampered)), pages),
			"/login?callbackUrl=/dashboard"),
		forbidden(with(withSessions(cookie("session cookie, role from the user row", "/admin", cookieValid)), admins)),

		// API keys of Better Auth's api-key plugin (x-api-key), and the plugin route checks.
		allowed(withSessions(apiKey("API key", "/api/files", keyPlain)), "user:k1"),
		allowed(with(withSessions(apiKey("API key with the required permission", "/api/files", keyFiles)), files), "user:k1"),
		forbidden(with(withSessions(apiKey("API key without the required permission", "/api/files", keyPlain)), files)),
		forbidden(with(withSessions(cookie("session cookie on an API-key route", "/api/files", cookieValid)), files)),
		keyRefused(withSessions(apiKey("unknown API key", "/api/files", "x"+strings.Repeat("k", 70))), 401, bodyKeyInvalid),
		keyRefused(withSessions(apiKey("short API key", "/api/files", "short")), 401, bodyKeyInvalid),
		keyRefused(withSessions(apiKey("disabled API key", "/api/files", keyDisabled)), 401, bodyKeyDisabled),
		keyRefused(withSessions(apiKey("expired API key", "/api/files", keyExpired)), 401, bodyKeyExpired),
		keyRefused(withSessions(apiKey("used-up API key", "/api/files", keyUsedUp)), 429, bodyKeyUsedUp),
		withRetry(keyRefused(withSessions(apiKey("rate-limited API key", "/api/files", keyLimited)), 429, bodyKeyLimited)),
		keyRefused(with(withSessions(apiKey("API key before a valid bearer token", "/api/me", keyDisabled, bearer(tokValid)...)), optional), 401, bodyKeyDisabled),
		unavailable(down(withSessions(apiKey("API key, store down", "/api/files", keyPlain)))),
		allowed(with(withSessions(cookie("active organization", "/api/org", cookieOrgMember)), orgOnly), "user:s2"),
		forbidden(with(withSessions(cookie("no active organization", "/api/org", cookieValid)), orgOnly)),
		allowed(with(withSessions(cookie("organization permission of an admin", "/api/org/projects", cookieOrgAdmin)), projects), "user:s3"),
		forbidden(with(withSessions(cookie("organization permission a member lacks", "/api/org/projects", cookieOrgMember)), projects)),
		allowed(with(withSessions(cookie("organization role among several", "/api/org", cookieOrgAdmin)),
			auth.Policy{OrganizationRoles: []string{"admin"}}), "user:s3"),
		forbidden(with(withSessions(cookie("organization role missing", "/api/org", cookieOrgMember)),
			auth.Policy{OrganizationRoles: []string{"owner"}})),
		forbidden(with(withSessions(cookie("impersonated session refused", "/api/admin", cookieOrgAdmin)), noImpersonation)),
		allowed(with(withSessions(cookie("own session on a no-impersonation route", "/api/admin", cookieOrgMember)), noImpersonation), "user:s2"),
		forbidden(with(withSessions(cookie("admin permission without the admin role", "/api/admin", cookieValid)),
			auth.Policy{AdminPermissions: map[string][]string{"user": {"ban"}}})),
		allowed(with(withSessions(cookie("session cookie, permission from a user field", "/posts", cookieValid)), writers), "user:s1"),

		// HEAD and OPTIONS: only a CORS preflight goes through untouched.
		unauthorized(method(get("HEAD without credentials", "/api/me"), http.MethodHead)),
		allowed(method(get("HEAD with a valid token", "/api/me", bearer(tokValid)...), http.MethodHead), "user:u1"),
		allowed(method(get("CORS preflight", "/api/me"), http.MethodOptions,
			"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET"), anonymous),
		allowed(method(get("CORS preflight with a tampered token", "/api/me", bearer(tokTampered)...), http.MethodOptions,
			"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET"), anonymous),
		unauthorized(method(get("OPTIONS that is not a preflight", "/api/me"), http.MethodOptions, "Origin", "https://app.example.com")),
		allowed(method(get("OPTIONS with a valid token", "/api/me", bearer(tokValid)...), http.MethodOptions), "user:u1"),
		unauthorized(method(get("GET with Access-Control-Request-Method", "/api/me"), http.MethodGet,
			"Access-Control-Request-Method", "GET")),

		// Optional auth: anonymous without credentials, refused with bad ones.
		allowed(with(get("optional, no credentials", "/"), optional), anonymous),
		allowed(with(get("optional, another scheme", "/", "Basic dTE6cGFzc3dvcmQ="), optional), anonymous),
		allowed(with(get("optional, valid token", "/", bearer(tokValid)...), optional), "user:u1"),
		invalidToken(with(get("optional, tampered token", "/", bearer(tokTampered)...), optional)),
		expired(with(get("optional, expired token", "/", bearer(tokExpired)...), optional)),
		unavailable(down(with(get("optional, JWKS endpoint down", "/", bearer(tokValid)...), optional))),

		// Role checks.
		allowed(with(get("role admin", "/admin", bearer(tokAdmin)...), admins), "user:u2"),
		allowed(with(get("comma-separated roles", "/admin", bearer(tokRoles)...), admins), "user:u3"),
		forbidden(with(get("wrong role", "/admin", bearer(tokUser)...), admins)),
		forbidden(with(get("no role", "/admin", bearer(tokValid)...), admins)),
		unauthorized(with(get("role check without credentials", "/admin"), admins)),
		invalidToken(with(get("role check with a tampered token", "/admin", bearer(tokTampered)...), admins)),
		unauthorized(with(get("role check on an optional route without credentials", "/admin"),
			auth.Policy{Optional: true, Roles: []string{"admin"}})),
		allowed(with(get("roles from a custom array claim", "/admin", bearer(tokPerms)...),
			auth.Policy{Roles: []string{"admin"}, RoleClaim: "groups"}), "user:u5"),
		forbidden(with(get("custom role claim absent", "/admin", bearer(tokAdmin)...),
			auth.Policy{Roles: []string{"admin"}, RoleClaim: "groups"})),

		// Permission checks.
		allowed(with(get("permission from an array claim", "/posts", bearer(tokPerms)...), writers), "user:u5"),
		forbidden(with(get("no permissions claim", "/posts", bearer(tokAdmin)...), writers)),
		forbidden(with(get("one permission missing", "/posts", bearer(tokPerms)...),
			auth.Policy{Permissions: []string{"posts:write", "posts:delete"}})),
		allowed(with(get("permissions from a custom string claim", "/posts", bearer(tokScope)...),
			auth.Policy{Permissions: []string{"posts:read", "posts:write"}, PermissionsClaim: "scope"}), "user:u6"),

		// Custom checks, and a panic inside one.
		allowed(with(get("Authorize true", "/", bearer(tokValid)...),
			auth.Policy{Authorize: func(s *auth.Session) bool { return s.User.ID == "u1" }}), "user:u1"),
		forbidden(with(get("Authorize false", "/", bearer(tokAdmin)...),
			auth.Policy{Authorize: func(s *auth.Session) bool { return s.User.ID == "u1" }})),
		func() conformanceCase {
			c := with(get("panic in a check", "/", bearer(tokValid)...),
				auth.Policy{Authorize: func(*auth.Session) bool { panic("authtest: a check panicked") }})
			c.status, c.body = 500, bodyInternal
			return c
		}(),

		// Page routes redirect to the login URL; API routes answer JSON.
		redirected(with(get("page without credentials", "/dashboard"), pages), "/login?callbackUrl=/dashboard"),
		redirected(with(get("page with a query", "/dashboard/settings?tab=security&x=1"), pages),
			"/login?callbackUrl=/dashboard/settings%3Ftab%3Dsecurity%26x%3D1"),
		redirected(with(get("page with an expired token", "/dashboard", bearer(tokExpired)...), pages), "/login?callbackUrl=/dashboard"),
		redirected(with(get("page with a tampered token", "/dashboard", bearer(tokTampered)...), pages), "/login?callbackUrl=/dashboard"),
		redirected(with(method(get("page, HEAD", "/dashboard"), http.MethodHead), pages), "/login?callbackUrl=/dashboard"),
		redirected(with(method(get("page, POST", "/dashboard"), http.MethodPost), pages), "/login?callbackUrl=/dashboard"),
		allowed(with(get("page with a valid token", "/dashboard", bearer(tokValid)...), pages), "user:u1"),
		unavailable(down(with(get("page, JWKS endpoint down", "/dashboard", bearer(tokValid)...), pages))),
		forbidden(with(get("page, wrong role", "/dashboard", bearer(tokUser)...),
			auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/login", Roles: []string{"admin"}})),
		unauthorized(with(get("API route beside pages", "/api/me"), pages)),
		unauthorized(with(get("page prefix on a slash boundary", "/dashboards"), pages)),
		redirected(with(get("custom login URL and callback parameter", "/dashboard"),
			auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "/auth/sign-in?from=app", CallbackParam: "next"}),
			"/auth/sign-in?from=app&next=/dashboard"),
		redirected(with(get("absolute login URL", "/dashboard"),
			auth.Policy{Pages: []string{"/dashboard"}, LoginURL: "https://app.example.com/sign-in"}),
			"https://app.example.com/sign-in?callbackUrl=/dashboard"),
		allowed(with(get("login page skipped", "/login"), allPages), anonymous),
		redirected(with(get("callback is the cleaned path", "/dashboard/../settings"), allPages),
			"/login?callbackUrl=/settings"),
		redirected(with(get("callback keeps percent-encoding", "/a%20b/c%3Fd?q=%2F"), allPages),
			"/login?callbackUrl=/a%2520b/c%253Fd%3Fq%3D%252F"),
		redirected(with(get("callback never starts with two slashes", "/x/..//evil.example/y"), allPages),
			"/login?callbackUrl=/evil.example/y"),
		redirected(with(get("callback never starts with slash backslash", `/%5Cevil.example/y`), allPages),
			"/login?callbackUrl=/"),

		// Skip lists: slash boundaries, on the cleaned path, and never by a dot segment.
		allowed(with(get("skipped path", "/public"), skip), anonymous),
		allowed(with(get("below a skipped path", "/public/docs/a.txt"), skip), anonymous),
		allowed(with(get("skipped path with a trailing slash", "/public/"), skip), anonymous),
		allowed(with(get("skipped path ignores a bad token", "/public", bearer(tokTampered)...), skip), anonymous),
		unauthorized(with(get("skip prefix on a slash boundary", "/publicity"), skip)),
		unauthorized(with(get("dot segment out of a skipped path", "/public/../admin"), skip)),
		unauthorized(with(get("encoded dot segment out of a skipped path", "/public/%2e%2e/admin"), skip)),
		unauthorized(with(get("encoded slash in a skipped path", "/public%2F..%2Fadmin"), skip)),
		unauthorized(with(get("dot segment into a skipped path", "/admin/../public"), skip)),

		// Protected prefixes: only they are authenticated.
		unauthorized(with(get("protected prefix", "/api/me"), protect)),
		allowed(with(get("protected prefix, valid token", "/api/me", bearer(tokValid)...), protect), "user:u1"),
		allowed(with(get("outside the protected prefixes", "/about"), protect), anonymous),
		allowed(with(get("outside the protected prefixes ignores a token", "/about", bearer(tokValid)...), protect), anonymous),
		allowed(with(get("protect prefix on a slash boundary", "/apis"), protect), anonymous),
		unauthorized(with(get("dot segment out of a protected prefix", "/api/../about"), protect)),
		allowed(with(get("skipped inside a protected prefix", "/api/public/x"), protect), anonymous),
		unauthorized(with(get("skip inside protect on a slash boundary", "/api/publicity"), protect)),
	}
	return list
}

func runCase(t *testing.T, newServer NewServer, c conformanceCase) {
	is, err := NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	sessions := newMemStore()
	toks := mintAll(is, sessions)
	logs := &logBuffer{}
	cfg := auth.Config{
		BaseURL: is.URL(),
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if c.sessions {
		cfg.Secret, cfg.Store = sessionSecret, sessions
		cfg.APIKeys = &auth.APIKeyConfig{Store: sessions}
		cfg.Organizations = &auth.OrganizationConfig{Store: sessions, Roles: projectRoles()}
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.down && c.sessions {
		sessions.down.Store(true)
	} else if c.down {
		is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		})
	}

	var ran atomic.Int32
	var seen atomic.Value // string: a problem the handler found, if any
	h := func(ctx context.Context, s *auth.Session, ok bool) string {
		ran.Add(1)
		fromCtx, ctxOK := auth.FromContext(ctx)
		switch {
		case ok != (s != nil):
			seen.Store(fmt.Sprintf("accessor returned ok=%v with session %v", ok, s))
		case ok != ctxOK || fromCtx != s:
			seen.Store(fmt.Sprintf("the accessor (ok=%v) and auth.FromContext (ok=%v) disagree", ok, ctxOK))
		}
		if !ok {
			return anonymous
		}
		return "user:" + s.User.ID
	}
	srv := newServer(t, a, c.policy, h)
	if srv == nil {
		t.Fatal("newServer returned nil")
	}

	m := c.method
	if m == "" {
		m = http.MethodGet
	}
	req := httptest.NewRequest(m, c.target, nil)
	for _, v := range c.authz {
		req.Header.Add("Authorization", toks.Replace(v))
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", toks.Replace(c.cookie))
	}
	for k, v := range c.headers {
		req.Header.Set(k, toks.Replace(v))
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)

	if resp.StatusCode != c.status {
		t.Errorf("%s %s: status %d, want %d (body %q)", m, c.target, resp.StatusCode, c.status, body)
	}
	if m != http.MethodHead && string(body) != c.body {
		t.Errorf("%s %s: body %q, want %q", m, c.target, body, c.body)
	}
	if p, _ := seen.Load().(string); p != "" {
		t.Errorf("%s %s: in the handler, %s", m, c.target, p)
	}
	switch n := ran.Load(); {
	case c.allowed() && n != 1:
		t.Errorf("%s %s: the handler ran %d times, want once", m, c.target, n)
	case !c.allowed() && n != 0:
		t.Errorf("%s %s: the handler ran on a refused request (%d times)", m, c.target, n)
	}
	checkHeaders(t, m+" "+c.target, resp.Header, c)
	secrets := toks.secrets()
	if leak := findAny(logs.String(), secrets); leak != "" {
		t.Errorf("%s %s: token bytes %q reached the log:\n%s", m, c.target, leak, logs.String())
	}
	var dump bytes.Buffer
	_ = resp.Header.Write(&dump)
	dump.Write(body)
	if leak := findAny(dump.String(), secrets); leak != "" {
		t.Errorf("%s %s: token bytes %q reached the response", m, c.target, leak)
	}
}

var positiveInt = regexp.MustCompile(`^[1-9][0-9]*$`)

func checkHeaders(t *testing.T, what string, h http.Header, c conformanceCase) {
	t.Helper()
	exact := func(name, want string) {
		if got := h.Values(name); want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("%s: %s %q, want %q", what, name, got, want)
		}
	}
	exact("WWW-Authenticate", c.www)
	exact("Location", c.location)
	switch {
	case c.retry:
		if got := h.Values("Retry-After"); len(got) != 1 || !positiveInt.MatchString(got[0]) {
			t.Errorf("%s: Retry-After %q, want a positive number of seconds", what, got)
		}
	default:
		exact("Retry-After", "")
	}
	if c.allowed() {
		return
	}
	exact("Cache-Control", "no-store")
	if c.location == "" {
		exact("Content-Type", "application/json")
	}
}

// tokens holds the minted tokens of one case.
type tokens struct {
	r    *strings.Replacer
	list []string
}

func (tk tokens) Replace(s string) string { return tk.r.Replace(s) }

// secrets returns every token, and each of its three parts, as the byte strings that must not leak.
func (tk tokens) secrets() []string {
	var out []string
	for _, t := range tk.list {
		out = append(out, t)
		out = append(out, strings.Split(t, ".")...)
	}
	return out
}

func mintAll(is *Issuer, sessions *memStore) tokens {
	now := time.Now()
	valid := is.MustMint(Claims{ID: "u1", Email: "u1@example.com"})
	byName := map[string]string{
		tokValid:   valid,
		tokAdmin:   is.MustMint(Claims{ID: "u2", Email: "u2@example.com", Extra: map[string]any{"role": "admin"}}),
		tokRoles:   is.MustMint(Claims{ID: "u3", Email: "u3@example.com", Extra: map[string]any{"role": "user, admin"}}),
		tokUser:    is.MustMint(Claims{ID: "u4", Email: "u4@example.com", Extra: map[string]any{"role": "user"}}),
		tokPerms:   is.MustMint(Claims{ID: "u5", Email: "u5@example.com", Extra: map[string]any{"permissions": []string{"posts:read", "posts:write"}, "groups": []string{"staff", "admin"}}}),
		tokScope:   is.MustMint(Claims{ID: "u6", Email: "u6@example.com", Extra: map[string]any{"scope": "posts:read posts:write"}}),
		tokExpired: is.MustMint(Claims{ID: "u1", Email: "u1@example.com", IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-30 * time.Minute)}),
	}
	byName[tokTampered] = tamper(valid)
	live, gone, old := NewSessionToken(), NewSessionToken(), NewSessionToken()
	sessions.add(live, "s1", now.Add(time.Hour))
	sessions.add(old, "s1", now.Add(-time.Hour))
	signed := SignCookie(sessionSecret, live)
	byName["{cookie}"] = signed
	byName["{cookie-tampered}"] = tamperCookie(signed)
	byName["{cookie-unknown}"] = SignCookie(sessionSecret, gone)
	byName["{cookie-expired}"] = SignCookie(sessionSecret, old)
	byName[sessionBearer] = signed
	orgMember, orgAdmin := NewSessionToken(), NewSessionToken()
	sessions.add(orgMember, "s2", now.Add(time.Hour))
	sessions.add(orgAdmin, "s3", now.Add(time.Hour))
	sessions.m[orgMember].Session.Additional = map[string]any{"activeOrganizationId": "o1"}
	sessions.m[orgAdmin].Session.Additional = map[string]any{"activeOrganizationId": "o1", "impersonatedBy": "adm"}
	sessions.members[[2]string{"o1", "s2"}] = &store.Member{ID: "m2", OrganizationID: "o1", UserID: "s2", Role: "member"}
	sessions.members[[2]string{"o1", "s3"}] = &store.Member{ID: "m3", OrganizationID: "o1", UserID: "s3", Role: "admin,member"}
	byName["{cookie-org-member}"] = SignCookie(sessionSecret, orgMember)
	byName["{cookie-org-admin}"] = SignCookie(sessionSecret, orgAdmin)
	hour, past := int64(3600000), now.Add(-time.Minute)
	zero, one := int64(0), int64(1)
	for name, k := range map[string]store.APIKey{
		keyFiles:    {Permissions: `{"files":["read"]}`},
		keyPlain:    {},
		keyDisabled: {Enabled: false},
		keyExpired:  {ExpiresAt: &past},
		keyUsedUp:   {Remaining: &zero},
		keyLimited:  {RateLimitEnabled: true, RateLimitMax: &one, RateLimitTimeWindow: &hour, RequestCount: 1, LastRequest: &now},
	} {
		key := betterauthKey()
		if name != keyDisabled {
			k.Enabled = true
		}
		k.ID, k.ReferenceID, k.Key, k.CreatedAt, k.UpdatedAt = "key-"+name, "k1", hashKey(key), now, now
		sessions.keys[k.Key] = &k
		byName[name] = key
	}
	for _, t := range []string{live, gone, old} {
		byName["{raw "+t+"}"] = t // never sent as is; listed so that it counts as a secret
	}
	var pairs, list []string
	for k, v := range byName {
		pairs = append(pairs, k, v)
		list = append(list, v)
	}
	return tokens{r: strings.NewReplacer(pairs...), list: list}
}

// tamper changes one character in the middle of a token's signature.
func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 10
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// tamperCookie changes one character of a signed cookie value's signature (after the URL-encoded ".").
func tamperCookie(v string) string {
	i := len(v) - 8
	c := byte('A')
	if v[i] == 'A' {
		c = 'B'
	}
	return v[:i] + string(c) + v[i+1:]
}

// memStore is an in-memory store.Store of Better Auth sessions, which can be made to fail.
type memStore struct {
	mu      sync.Mutex
	m       map[string]*store.Result
	keys    map[string]*store.APIKey    // by hashed key
	members map[[2]string]*store.Member // by organization and user
	down    atomic.Bool
}

func newMemStore() *memStore {
	return &memStore{m: map[string]*store.Result{}, keys: map[string]*store.APIKey{}, members: map[[2]string]*store.Member{}}
}

func (ms *memStore) add(token, userID string, expires time.Time) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	created := expires.Add(-7 * 24 * time.Hour)
	ms.m[token] = &store.Result{
		Session: store.Session{ID: "sess-" + token[:8], Token: token, UserID: userID, ExpiresAt: expires, CreatedAt: created, UpdatedAt: created},
		User: store.User{ID: userID, Email: userID + "@example.com", Name: "Session User", Role: "user",
			Additional: map[string]any{"permissions": []any{"posts:write"}}},
	}
}

// Lookup implements store.Store.
func (ms *memStore) Lookup(_ context.Context, token string) (*store.Result, error) {
	if ms.down.Load() {
		return nil, errors.New("authtest: the session store is down")
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	r, ok := ms.m[token]
	if !ok {
		return nil, store.ErrNotFound
	}
	cp := *r
	return &cp, nil
}

// findAny returns the first of needles (at least 8 bytes long) found in s.
func findAny(s string, needles []string) string {
	for _, n := range needles {
		if len(n) >= 8 && strings.Contains(s, n) {
			return n
		}
	}
	return ""
}

// logBuffer collects log output from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
