package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// DefaultCallbackParam is the query parameter that carries the original path to the login page, as Better
// Auth's clients name it.
const DefaultCallbackParam = "callbackUrl"

// Policy is the route policy an adapter applies to each request: which paths need a signed-in caller, which
// paths are pages that send a visitor to a login page, and which roles or permissions a caller must hold.
// The zero Policy requires valid credentials on every path and answers refusals with JSON.
//
// Path prefixes (Protect, Skip, Pages) match on slash boundaries: "/api" matches "/api" and "/api/me" but
// not "/apis". "/" matches every path. A request path is read several ways: as sent, cleaned with
// [path.Clean], and, when the client percent-encoded it unusually, in its raw form. A rule that protects
// (Protect, Pages) applies when any reading matches; Skip applies only when every reading matches. So
// "/public/../admin" is not skipped by Skip "/public", and "/api/../x" is protected by Protect "/api",
// whichever reading the router goes by.
//
// A Policy is read once by [NewGuard]; changing it afterwards has no effect.
type Policy struct {
	// Optional lets requests without credentials through anonymously. Credentials that are present but
	// invalid are still refused (401), and 503 still means they could not be checked. A request without
	// credentials on a route with a role, permission or Authorize check is refused even when Optional: the
	// check needs a caller.
	Optional bool

	// Protect lists the path prefixes the policy applies to. Requests to other paths pass through
	// untouched: no credentials are read and the handler sees no session. Nil means every path.
	Protect []string

	// Skip lists path prefixes that pass through untouched, even inside Protect, such as "/api/public" or
	// "/healthz". Nil means none.
	Skip []string

	// Pages lists the path prefixes of page routes. A visitor who is not signed in there (no credentials,
	// invalid or expired ones) is redirected to LoginURL with the original path and query in the
	// CallbackParam query parameter, instead of getting a 401 JSON answer. 403 and 503 are answered as on any
	// other route. Nil means no page routes. Pages needs LoginURL.
	Pages []string

	// LoginURL is where page routes send visitors who are not signed in: a path such as "/login", or an
	// absolute http(s) URL such as "https://app.example.com/sign-in". It is never derived from the request.
	// The callback it carries is always a relative path on this server, never a URL another site could
	// choose. Required with Pages, and refused without them.
	LoginURL string

	// CallbackParam names the query parameter that carries the original path. Empty means "callbackUrl".
	CallbackParam string

	// Roles, when set, admits only callers holding at least one of these roles; others get 403. A caller's
	// roles are the words (separated by commas or white space, as Better Auth's admin plugin stores several)
	// of RoleClaim, or the JSON array of strings it holds.
	Roles []string

	// RoleClaim names the claim, or for a session from a cookie or the store the user field, holding the
	// roles. Empty means "role" (the admin plugin's field, [User].Role).
	RoleClaim string

	// Permissions, when set, admits only callers holding every one of these permissions; others get 403.
	// A caller's permissions are read from PermissionsClaim: a JSON array of strings, or a string of words
	// separated by commas or white space (like an OAuth scope).
	Permissions []string

	// PermissionsClaim names the claim (for a JWT, a custom claim from the JWT plugin's definePayload) or
	// user field holding the permissions. Empty means "permissions".
	PermissionsClaim string

	// Authorize, when set, is called with the caller's session after the role and permission checks; false
	// refuses the request with 403. It must be safe for concurrent use and must not keep the session.
	Authorize func(*Session) bool

	// SkipCookieCache makes session cookies go to the store even when a valid cookie cache came with them
	// (see [Request].SkipCookieCache), for routes that must see a revoked session at once.
	SkipCookieCache bool

	// APIKeyPermissions, when set, admits only API keys ([Config].APIKeys) holding these permissions, such
	// as {"files": ["read"]}, checked as the api-key plugin's verifyApiKey checks its permissions argument
	// and before a use of the key is counted. A key without them gets 403; other credentials get 403.
	APIKeyPermissions map[string][]string

	// RequireOrganization admits only sessions with an active organization (session.activeOrganizationId)
	// whose user is a member of it ([Config].Organizations); others get 403.
	RequireOrganization bool

	// OrganizationRoles, when set, admits only members holding at least one of these roles in the active
	// organization (the member row's comma-separated roles); others get 403. It implies RequireOrganization.
	OrganizationRoles []string

	// OrganizationPermissions, when set, admits only members whose role in the active organization grants
	// these permissions, as the organization plugin's hasPermission answers ([Auth.HasPermission]);
	// others get 403. It implies RequireOrganization.
	OrganizationPermissions map[string][]string

	// AdminPermissions, when set, admits only users the admin plugin's hasPermission allows these
	// permissions, such as {"user": ["ban"]} ([Auth.AdminHasPermission]); others get 403.
	AdminPermissions map[string][]string

	// RefuseImpersonated refuses sessions an admin made with /admin/impersonate-user
	// (session.impersonatedBy is set) with 403, for sensitive routes.
	RefuseImpersonated bool
}

// Guard applies a [Policy] with an [Auth]. Create it with [NewGuard]; it is safe for concurrent use. Every
// adapter calls [Guard.Check] once per request and only translates the [Decision], so adapters cannot drift.
type Guard struct {
	a         *Auth
	optional  bool
	protect   []string // nil: every path
	skip      []string
	pages     []string
	login     string // LoginURL followed by "?" or "&", CallbackParam and "="
	roles     []string
	roleClaim string // "" means User.Role, then the "role" claim
	perms     []string
	permClaim string
	authorize func(*Session) bool
	skipCache bool
	keyPerms  map[string][]string
	org       bool // an active organization and membership are required
	orgRoles  []string
	orgPerms  map[string][]string
	adminPerm map[string][]string
	noImperso bool
	checks    bool // roles, permissions, authorize or a plugin check are set
	paths     bool // protect, skip or pages are set
}

// NewGuard validates p and returns a Guard that applies it with a. Every problem is reported here, wrapped
// in [ErrInvalidConfig].
func NewGuard(a *Auth, p Policy) (*Guard, error) {
	if a == nil {
		return nil, configError("NewGuard needs an *Auth")
	}
	g := &Guard{
		a:         a,
		optional:  p.Optional,
		authorize: p.Authorize,
		skipCache: p.SkipCookieCache,
	}
	var err error
	if g.protect, err = prefixes("Protect", p.Protect); err != nil {
		return nil, err
	}
	if g.skip, err = prefixes("Skip", p.Skip); err != nil {
		return nil, err
	}
	if g.pages, err = prefixes("Pages", p.Pages); err != nil {
		return nil, err
	}
	g.paths = g.protect != nil || g.skip != nil || g.pages != nil
	if err := g.setLogin(p); err != nil {
		return nil, err
	}
	if g.roles, err = words("Roles", p.Roles); err != nil {
		return nil, err
	}
	if g.perms, err = words("Permissions", p.Permissions); err != nil {
		return nil, err
	}
	if p.RoleClaim != "role" {
		g.roleClaim = p.RoleClaim
	}
	g.permClaim = orDefault(p.PermissionsClaim, "permissions")
	if err := g.setPluginChecks(a, p); err != nil {
		return nil, err
	}
	g.checks = g.roles != nil || g.perms != nil || g.authorize != nil || g.keyPerms != nil || g.org ||
		g.adminPerm != nil || g.noImperso
	return g, nil
}

// setPluginChecks validates the API key, organization, admin and impersonation checks.
func (g *Guard) setPluginChecks(a *Auth, p Policy) error {
	var err error
	if g.keyPerms, err = permissionMap("APIKeyPermissions", p.APIKeyPermissions); err != nil {
		return err
	}
	if g.keyPerms != nil && a.s.apiKeys == nil {
		return configError("Policy.APIKeyPermissions needs Config.APIKeys")
	}
	if g.orgRoles, err = words("OrganizationRoles", p.OrganizationRoles); err != nil {
		return err
	}
	if g.orgPerms, err = permissionMap("OrganizationPermissions", p.OrganizationPermissions); err != nil {
		return err
	}
	g.org = p.RequireOrganization || g.orgRoles != nil || g.orgPerms != nil
	if g.org && a.s.orgs == nil {
		return configError("Policy's organization checks need Config.Organizations")
	}
	if g.adminPerm, err = permissionMap("AdminPermissions", p.AdminPermissions); err != nil {
		return err
	}
	g.noImperso = p.RefuseImpersonated
	return nil
}

// permissionMap validates a permission request such as {"project": ["create"]}.
func permissionMap(field string, m map[string][]string) (map[string][]string, error) {
	if m == nil {
		return nil, nil
	}
	if len(m) == 0 {
		return nil, configError("Policy.%s is empty; use nil for no check", field)
	}
	out := make(map[string][]string, len(m))
	for res, acts := range m {
		if res == "" || len(acts) == 0 {
			return nil, configError("Policy.%s: resource %q needs at least one action", field, res)
		}
		for _, act := range acts {
			if act == "" {
				return nil, configError("Policy.%s: resource %q has an empty action", field, res)
			}
		}
		out[res] = append([]string(nil), acts...)
	}
	return out, nil
}

// prefixes validates and normalises a list of path prefixes.
func prefixes(field string, list []string) ([]string, error) {
	if list == nil {
		return nil, nil
	}
	if len(list) == 0 {
		return nil, configError("Policy.%s is empty; use nil for none", field)
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		if p == "" || p[0] != '/' || strings.ContainsAny(p, "?#*%\\") {
			return nil, configError("Policy.%s: %q must be a path starting with / (prefixes match on slash boundaries: write \"/api\", not \"/api/*\")", field, p)
		}
		c := path.Clean(p)
		if c != p && c+"/" != p {
			return nil, configError("Policy.%s: %q is not a clean path (want %q)", field, p, c)
		}
		out = append(out, c)
	}
	return out, nil
}

// words validates a list of role or permission names.
func words(field string, list []string) ([]string, error) {
	if list == nil {
		return nil, nil
	}
	if len(list) == 0 {
		return nil, configError("Policy.%s is empty; use nil for no check", field)
	}
	for _, w := range list {
		if w == "" || strings.IndexFunc(w, isSeparator) >= 0 {
			return nil, configError("Policy.%s: %q must be one non-empty word", field, w)
		}
	}
	return append([]string(nil), list...), nil
}

// setLogin validates LoginURL and CallbackParam.
func (g *Guard) setLogin(p Policy) error {
	switch {
	case p.LoginURL == "" && g.pages == nil:
		if p.CallbackParam != "" {
			return configError("Policy.CallbackParam is set without Pages and LoginURL")
		}
		return nil
	case p.LoginURL == "":
		return configError("Policy.Pages needs LoginURL")
	case g.pages == nil:
		return configError("Policy.LoginURL is set without Pages; use Pages: []string{\"/\"} to treat every path as a page")
	}
	u, err := url.Parse(p.LoginURL)
	switch {
	case err != nil || u.Fragment != "" || u.User != nil:
		return configError("Policy.LoginURL %q is not a usable URL", p.LoginURL)
	case u.Scheme == "" && u.Host == "":
		if !isLocalPath(p.LoginURL) {
			return configError("Policy.LoginURL %q must be a path starting with a single / or an absolute http(s) URL", p.LoginURL)
		}
		if lp := cleanPath(u.Path); g.covers(lp) && under(g.pages, lp, false) && !g.optional && !under(g.skip, lp, false) {
			return configError("Policy.LoginURL %q is itself a protected page, which would redirect in a loop: add it to Skip", p.LoginURL)
		}
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return configError("Policy.LoginURL %q must be a path starting with a single / or an absolute http(s) URL", p.LoginURL)
	}
	param := orDefault(p.CallbackParam, DefaultCallbackParam)
	for i := 0; i < len(param); i++ {
		if !isUnreserved(param[i]) {
			return configError("Policy.CallbackParam %q must be letters, digits, '-', '.', '_' or '~'", param)
		}
	}
	sep := "?"
	if strings.Contains(p.LoginURL, "?") {
		sep = "&"
		if strings.HasSuffix(p.LoginURL, "?") || strings.HasSuffix(p.LoginURL, "&") {
			sep = ""
		}
	}
	g.login = p.LoginURL + sep + param + "="
	return nil
}

// covers reports whether the policy would authenticate a request for the clean path p.
func (g *Guard) covers(p string) bool { return g.protect == nil || under(g.protect, p, false) }

// isLocalPath reports whether s is a path on this server: a single leading "/" that a browser will not
// read as the start of another host ("//", "/\", or those with the slash percent-encoded).
func isLocalPath(s string) bool {
	if s == "" || s[0] != '/' {
		return false
	}
	rest := strings.ToLower(s[1:])
	for _, bad := range []string{"/", "\\", "%2f", "%5c"} {
		if strings.HasPrefix(rest, bad) {
			return false
		}
	}
	return true
}

// RouteRequest is a request as a [Guard] sees it: the [Request] that [Auth.Authenticate] reads, plus what the
// route policy looks at. Adapters fill it from the framework's request; like Request, it must hold copies
// of any memory the framework reuses, at least for Authorization and Cookie.
type RouteRequest struct {
	Request

	// RawPath is the path as the client encoded it, when that differs from Request.Path (which is decoded),
	// like net/url's URL.RawPath; "" otherwise.
	RawPath string

	// RawQuery is the query without its "?", used only to build a page route's callback.
	RawQuery string

	// Preflight says the request carries an Access-Control-Request-Method header. An OPTIONS request with it
	// is a CORS preflight, which browsers send without credentials, so it passes through untouched. Any other
	// OPTIONS request is authenticated like a GET.
	Preflight bool

	// CaseInsensitive says the router matches paths regardless of case (fiber's default), so path prefixes
	// are compared the same way.
	CaseInsensitive bool
}

// NewRouteRequest returns the route policy's view of a net/http request: the one helper the adapters built on
// net/http (authhttp, authchi, authgin) share, and what code that calls [Guard.Check] or
// [Auth.Authenticate] (with its Request field) directly can use. It copies nothing: net/http does not reuse
// request memory. Paths are matched against the whole URL path, not the part left to a sub-router; the
// client IP is never read.
func NewRouteRequest(r *http.Request) RouteRequest {
	return RouteRequest{
		Request: Request{
			Method:        r.Method,
			Path:          r.URL.Path,
			Authorization: r.Header["Authorization"],
			Cookie:        r.Header["Cookie"],
			Header:        r.Header,
		},
		RawPath:   r.URL.RawPath,
		RawQuery:  r.URL.RawQuery,
		Preflight: r.Method == http.MethodOptions && len(r.Header["Access-Control-Request-Method"]) > 0,
	}
}

// Action is what an adapter does with a request.
type Action uint8

// The actions. The zero Action is not valid; an adapter treats it as [Deny].
const (
	// Allow calls the next handler, with the session in the context when there is one.
	Allow Action = iota + 1
	// Deny answers with the decision's status, headers and JSON body, and does not call the next handler.
	Deny
	// Redirect answers with the decision's status (303) and Location, and does not call the next handler.
	Redirect
)

// String returns "allow", "deny" or "redirect".
func (a Action) String() string {
	switch a {
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	case Redirect:
		return "redirect"
	}
	return "invalid"
}

// Decision is a [Guard]'s answer for one request.
type Decision struct {
	// Action says what to do.
	Action Action
	// Session is the caller on Allow, or nil when the request goes through anonymously.
	Session *Session
	// Err says why the request was refused or redirected; nil on Allow. [HTTPStatus] maps it.
	Err error
	// Status is the status to answer with on Deny and Redirect.
	Status int
	// Location is the redirect target on Redirect.
	Location string
	// Response is the error answer on Deny, from [NewErrorResponse].
	Response ErrorResponse

	reused bool // Session came from the context
}

// Context returns ctx carrying the decision's session, or ctx itself when there is none or ctx already
// carries it (an outer middleware put it there).
func (d *Decision) Context(ctx context.Context) context.Context {
	if d.Session == nil || d.reused {
		return ctx
	}
	return NewContext(ctx, d.Session)
}

// Header calls set for each response header of a Deny or Redirect answer: Content-Type, Cache-Control,
// WWW-Authenticate and Retry-After for Deny (exactly as [ErrorResponse.Write] sets them), Location and
// Cache-Control for Redirect.
func (d *Decision) Header(set func(name, value string)) {
	switch d.Action {
	case Redirect:
		set("Location", d.Location)
		set("Cache-Control", "no-store")
	case Allow:
	default:
		set("Content-Type", "application/json")
		set("Cache-Control", "no-store")
		if d.Response.WWWAuthenticate != "" {
			set("WWW-Authenticate", d.Response.WWWAuthenticate)
		}
		if d.Response.RetryAfter > 0 {
			set("Retry-After", strconv.Itoa(d.Response.RetryAfter))
		}
	}
}

// Body returns the response body of a Deny answer ([ErrorResponse.Body]), or nil.
func (d *Decision) Body() []byte {
	if d.Action == Allow || d.Action == Redirect {
		return nil
	}
	return d.Response.Body()
}

// Write writes a Deny or Redirect answer to w: headers, status and body. It writes nothing on Allow.
func (d *Decision) Write(w http.ResponseWriter) {
	if d.Action == Allow {
		return
	}
	h := w.Header()
	d.Header(h.Set)
	w.WriteHeader(d.Status)
	if b := d.Body(); b != nil {
		_, _ = w.Write(b)
	}
}

// errPanic refuses a request whose check panicked: 500, never let through.
var errPanic = errors.New("auth: panic while checking a request")

// Check applies the policy to r. It authenticates r with [Auth.Authenticate] unless ctx already carries a
// session (put there by an outer middleware for the same request), then applies the role, permission and
// Authorize checks. A panic during the check is recovered and refused with 500.
func (g *Guard) Check(ctx context.Context, r *RouteRequest) (d Decision) {
	defer func() {
		if v := recover(); v != nil {
			g.a.s.log.LogAttrs(ctx, slog.LevelError, "auth: panic while checking a request",
				slog.String("panic", fmt.Sprint(v)))
			d = g.refuse(r, errPanic)
		}
	}()
	if r.Preflight && r.Method == http.MethodOptions {
		return Decision{Action: Allow}
	}
	page := false
	if g.paths {
		var ok bool
		if ok, page = g.route(r); !ok {
			return Decision{Action: Allow}
		}
	}
	s, reused := FromContext(ctx)
	if reused && g.skipCache && s.Credential == CredentialCookieCache {
		s, reused = nil, false
	}
	if !reused {
		req := r.Request
		req.SkipCookieCache = req.SkipCookieCache || g.skipCache
		if g.keyPerms != nil {
			req.APIKeyPermissions = g.keyPerms
		}
		var err error
		if s, err = g.a.Authenticate(ctx, req); err != nil {
			if g.optional && !g.checks && errors.Is(err, ErrNoCredentials) {
				return Decision{Action: Allow}
			}
			if page && HTTPStatus(err) == http.StatusUnauthorized {
				return g.redirect(r, err)
			}
			return g.refuse(r, err)
		}
	}
	if g.checks {
		if err := g.pluginChecks(ctx, s, reused); err != nil {
			return g.refuse(r, err)
		}
		if !g.permits(ctx, s) {
			return g.refuse(r, ErrForbidden)
		}
	}
	return Decision{Action: Allow, Session: s, reused: reused}
}

// route reports whether the policy applies to r's path, and whether it is a page route.
func (g *Guard) route(r *RouteRequest) (applies, page bool) {
	var readings [4]string
	n := 0
	for i, p := range [2]string{r.Path, r.RawPath} {
		if p == "" || i == 1 && p == r.Path {
			continue
		}
		readings[n] = p
		n++
		if c := cleanPath(p); c != p {
			readings[n] = c
			n++
		}
	}
	if n == 0 {
		readings[0], n = "/", 1
	}
	rs, fold := readings[:n], r.CaseInsensitive
	if g.protect != nil && !anyUnder(g.protect, rs, fold) {
		return false, false
	}
	if g.skip != nil && allUnder(g.skip, rs, fold) {
		return false, false
	}
	return true, g.pages != nil && anyUnder(g.pages, rs, fold)
}

// cleanPath is path.Clean for a request path, rooted at "/". It does not allocate for a clean path.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return path.Clean(p)
}

// under reports whether p is one of the prefixes or below one of them on a slash boundary.
func under(prefixes []string, p string, fold bool) bool {
	for _, pre := range prefixes {
		if pre == "/" {
			return true
		}
		if len(p) < len(pre) || (len(p) > len(pre) && p[len(pre)] != '/') {
			continue
		}
		if head := p[:len(pre)]; head == pre || fold && strings.EqualFold(head, pre) {
			return true
		}
	}
	return false
}

func anyUnder(prefixes, readings []string, fold bool) bool {
	for _, p := range readings {
		if under(prefixes, p, fold) {
			return true
		}
	}
	return false
}

func allUnder(prefixes, readings []string, fold bool) bool {
	for _, p := range readings {
		if !under(prefixes, p, fold) {
			return false
		}
	}
	return true
}

// refuse is the Deny decision for err.
func (g *Guard) refuse(_ *RouteRequest, err error) Decision {
	resp := NewErrorResponse(err)
	return Decision{Action: Deny, Err: err, Status: resp.Status, Response: resp}
}

// redirect is the Redirect decision to the login page, with r's cleaned path and query as the callback.
func (g *Guard) redirect(r *RouteRequest, err error) Decision {
	return Decision{Action: Redirect, Err: err, Status: http.StatusSeeOther, Location: g.login + escapeQuery(callback(r))}
}

// callback is the relative URL of r to come back to after signing in: its cleaned path, escaped, and its
// query. It is never anything but a path on this server: a path that a browser could read as another host
// becomes "/".
func callback(r *RouteRequest) string {
	p := cleanPath(r.Path)
	if !isLocalPath(p) {
		return "/"
	}
	p = (&url.URL{Path: p}).EscapedPath()
	if !isLocalPath(p) {
		return "/"
	}
	if r.RawQuery != "" {
		p += "?" + escapeBytes(r.RawQuery, func(c byte) bool { return c > ' ' && c < 0x7f && c != '#' })
	}
	return p
}

// escapeQuery escapes s for a query parameter value, leaving unreserved characters and "/" as they are, so
// "/dashboard" stays readable.
func escapeQuery(s string) string {
	return escapeBytes(s, func(c byte) bool { return isUnreserved(c) || c == '/' })
}

// escapeBytes percent-encodes every byte of s that keep refuses.
func escapeBytes(s string, keep func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isUnreserved reports whether c is an RFC 3986 unreserved character.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isSeparator(r rune) bool {
	return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
}

// pluginChecks applies the API key, impersonation, admin and organization checks to s. reused says s came
// from the context, so its API key's permissions were not checked by this guard's Authenticate.
func (g *Guard) pluginChecks(ctx context.Context, s *Session, reused bool) error {
	if g.keyPerms != nil {
		if s.APIKey == nil {
			g.forbidden(ctx, s, "api key")
			return ErrForbidden
		}
		if reused {
			role, ok := betterauth.ParseKeyPermissions(s.APIKey.Permissions)
			if allowed, _ := role.Authorize(g.keyPerms); !ok || !allowed {
				return errKeyNoPerm
			}
		}
	}
	if g.noImperso {
		if _, ok := s.ImpersonatedBy(); ok {
			g.forbidden(ctx, s, "impersonation")
			return ErrForbidden
		}
	}
	if g.adminPerm != nil && !g.a.AdminHasPermission(s, g.adminPerm) {
		g.forbidden(ctx, s, "admin permission")
		return ErrForbidden
	}
	if !g.org {
		return nil
	}
	m, err := g.a.Member(ctx, s)
	if err != nil {
		return err
	}
	if g.orgRoles != nil && !anyOf(betterauth.ParseRoleList(m.Role), g.orgRoles) {
		g.forbidden(ctx, s, "organization role")
		return ErrForbidden
	}
	if g.orgPerms != nil {
		ok, err := g.a.RoleHasPermission(ctx, m.OrganizationID, m.Role, g.orgPerms)
		if err != nil {
			return err
		}
		if !ok {
			g.forbidden(ctx, s, "organization permission")
			return ErrForbidden
		}
	}
	return nil
}

// permits applies the role, permission and Authorize checks to s.
func (g *Guard) permits(ctx context.Context, s *Session) bool {
	if g.roles != nil {
		var roles []string
		if g.roleClaim == "" && s.User.Role != "" {
			roles = strings.FieldsFunc(s.User.Role, isSeparator)
		} else {
			roles = claimWords(s, orDefault(g.roleClaim, "role"))
		}
		if !anyOf(roles, g.roles) {
			g.forbidden(ctx, s, "role")
			return false
		}
	}
	if g.perms != nil {
		held := claimWords(s, g.permClaim)
		for _, p := range g.perms {
			if !slices.Contains(held, p) {
				g.forbidden(ctx, s, "permission")
				return false
			}
		}
	}
	if g.authorize != nil && !g.authorize(s) {
		g.forbidden(ctx, s, "Authorize")
		return false
	}
	return true
}

func (g *Guard) forbidden(ctx context.Context, s *Session, check string) {
	if g.a.s.log.Enabled(ctx, slog.LevelDebug) {
		g.a.s.log.LogAttrs(ctx, slog.LevelDebug, "auth: request forbidden",
			slog.String("check", check), slog.String("user", s.User.ID))
	}
}

// claimWords reads claim name of s as a JSON array of strings or a string of separated words.
func claimWords(s *Session, name string) []string {
	raw, ok := Claim[json.RawMessage](s, name)
	if !ok || len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		var v string
		if json.Unmarshal(raw, &v) == nil {
			return strings.FieldsFunc(v, isSeparator)
		}
	case '[':
		var v []string
		if json.Unmarshal(raw, &v) == nil {
			return v
		}
	}
	return nil
}

func anyOf(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}
