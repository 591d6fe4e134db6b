package authserver

// The server side of Better Auth's HTTP API (better-auth src/api/index.ts, better-call's router): the route
// table, one request's life (protections, before hooks, handler, after hooks) and writing its answer. The
// error table is errors.go, body parsing and validation body.go, password rules and hashing password.go;
// the endpoints are in the files named for their flow (emailpassword.go, session.go, social.go, …).

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// endpoint is one route.
type endpoint struct {
	methods   []string
	handle    func(c *call) (any, error)
	mediaForm bool // also accepts application/x-www-form-urlencoded bodies
	formCSRF  bool // the sign-in/sign-up CSRF check

	op   Operation // Method is set per request; Route and ID by New
	flow string    // "sign-in" or "sign-up": the email flows the observer counts
}

// routes maps paths below the base path to endpoints.
func (a *Server) routes() map[string]*endpoint {
	post := []string{http.MethodPost}
	get := []string{http.MethodGet}
	return map[string]*endpoint{
		"/ok":                      {methods: get, handle: func(*call) (any, error) { return map[string]bool{"ok": true}, nil }},
		"/sign-up/email":           {methods: post, handle: (*call).signUpEmail, mediaForm: true, formCSRF: true, flow: "sign-up"},
		"/sign-in/email":           {methods: post, handle: (*call).signInEmail, mediaForm: true, formCSRF: true, flow: "sign-in"},
		"/sign-out":                {methods: post, handle: (*call).signOut},
		"/get-session":             {methods: []string{http.MethodGet, http.MethodPost}, handle: (*call).getSession},
		"/list-sessions":           {methods: get, handle: (*call).listSessions},
		"/revoke-session":          {methods: post, handle: (*call).revokeSession},
		"/revoke-sessions":         {methods: post, handle: (*call).revokeSessions},
		"/revoke-other-sessions":   {methods: post, handle: (*call).revokeOtherSessions},
		"/change-password":         {methods: post, handle: (*call).changePassword},
		"/update-user":             {methods: post, handle: (*call).updateUser},
		"/send-verification-email": {methods: post, handle: (*call).sendVerificationEmail},
		"/verify-email":            {methods: get, handle: (*call).verifyEmail},
		"/request-password-reset":  {methods: post, handle: (*call).requestPasswordReset},
		"/reset-password/:token":   {methods: get, handle: (*call).resetPasswordCallback},
		"/reset-password":          {methods: post, handle: (*call).resetPassword},
		"/sign-in/social":          {methods: post, handle: (*call).signInSocial},
		"/callback/:id":            {methods: []string{http.MethodGet, http.MethodPost}, handle: (*call).socialCallback, mediaForm: true},
		"/link-social":             {methods: post, handle: (*call).linkSocial},
		"/unlink-account":          {methods: post, handle: (*call).unlinkAccount},
		"/list-accounts":           {methods: get, handle: (*call).listAccounts},
		"/get-access-token":        {methods: post, handle: (*call).getAccessToken},
		"/refresh-token":           {methods: post, handle: (*call).refreshToken},
		"/account-info":            {methods: get, handle: (*call).accountInfo},
		"/change-email":            {methods: post, handle: (*call).changeEmail},
		"/delete-user":             {methods: post, handle: (*call).deleteUser},
		"/delete-user/callback":    {methods: get, handle: (*call).deleteUserCallback},
		"/update-session":          {methods: post, handle: (*call).updateSession},
	}
}

// call is one request being served.
type call struct {
	a     *Server
	srv   *serverSettings
	r     *http.Request
	ctx   context.Context
	now   time.Time
	path  string
	param string // the value of a "/:name" path parameter

	query    url.Values
	body     map[string]any // nil when the request had none
	rawJSON  []byte         // the JSON body as received, nil for none or a form
	hasBody  bool
	ipAddr   netip.Addr // the client's address (protect), written as clientIP when first asked
	ipOK     bool
	clientIP string
	ipDone   bool

	header  http.Header // response headers other than Set-Cookie; nil until hdr() is called
	noStore bool        // Cache-Control: no-store and Pragma: no-cache, not yet in header (getSession)
	cookies []setCookie
	status  int // 0 = 200

	sess     *store.Result // the session found by a session middleware
	sessDone bool

	newSession   *store.Result // the session whose cookies this request set (Better Auth's newSession)
	needsRefresh *bool         // deferSessionRefresh's flag for GET /get-session; nil: not answered
	bearerTok    string        // the session token a before hook took from elsewhere (the bearer plugin)
	outside      *store.Result // a session a before hook built without a session row (an API key's)
}

type setCookie struct{ name, value string }

// ServeHTTP serves Better Auth's endpoints below BasePath; any other request gets
// 404. Mount it at the base path ("/api/auth/") of your router, or use an adapter's Mount helper. Answers
// match Better Auth 1.7.25: JSON bodies, {"code","message"} errors, status codes and cookies.
func (a *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	srv := a.s.server
	rest, ok := strings.CutPrefix(r.URL.Path, a.s.basePath)
	if srv == nil || !ok || (rest != "" && rest[0] != '/') {
		http.NotFound(w, r)
		return
	}
	path := strings.TrimSuffix(rest, "/")
	ep, param := a.router[path], ""
	if ep == nil {
		// "/dir/<value>" matches a route "/dir/:name" (Better Auth's path parameters).
		if i := strings.LastIndexByte(path, '/'); i > 0 && i < len(path)-1 {
			ep, param = a.routeParams[path[:i]], path[i+1:]
		}
	}
	if ep == nil || rest == "" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if !slices.Contains(ep.methods, r.Method) {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	c := &call{a: a, srv: srv, r: r, ctx: r.Context(), now: a.s.now().UTC().Truncate(time.Millisecond),
		path: path, param: param}
	if r.URL.RawQuery != "" {
		c.query = r.URL.Query() // nil otherwise: reads see no parameter, without a map per request
	}
	var end func(status int, code string)
	if srv.observer != nil {
		op := ep.op
		op.Method = r.Method
		c.ctx, end = srv.observer.StartEndpoint(c.ctx, op)
		c.r = r.WithContext(c.ctx)
	}
	var res any
	err := c.protect(w, ep)
	if err == nil {
		res, err = c.run(ep)
	}
	status, code := c.write(w, res, err)
	if end != nil {
		if ep.flow != "" {
			srv.observer.ObserveAuthAttempt(c.ctx, AuthAttempt{Flow: ep.flow, Method: "email", OK: status < 400, Code: code})
		}
		end(status, code)
	}
}

// run calls the handler, turning a panic into a 500 so one bad request cannot take the server down.
func (c *call) run(ep *endpoint) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.a.s.log.Error("auth: panic in endpoint", "path", c.path, "panic", p)
			res, err = nil, newAPIError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")
		}
	}()
	if err := c.runBefore(); err != nil {
		return nil, err
	}
	res, err = ep.handle(c)
	return c.runAfter(res, err)
}

// protect applies what Better Auth does before an endpoint runs: rate limiting, the body's media type and
// size, the origin check (with callback URL validation) and, on sign-in and sign-up, the form CSRF check.
func (c *call) protect(w http.ResponseWriter, ep *endpoint) error {
	c.ipAddr, c.ipOK = c.srv.clientIP.Addr(c.r)
	if !c.ipOK && c.srv.dev {
		c.ipAddr, c.ipOK = devClientIP, true
	}
	if c.srv.limiter != nil {
		key := httpsec.RateLimitKey(c.ip())
		if !c.ipOK {
			key = "no-trusted-ip"
		}
		allowed, retry, err := c.srv.limiter.allow(c.ctx, key, c.path)
		if err != nil {
			return errServerUnavailable(5) // RateLimit.FailOpen is false: no storage, no request
		}
		if !allowed {
			if obs := c.srv.observer; obs != nil {
				op := ep.op
				op.Method = c.r.Method
				obs.ObserveRateLimited(c.ctx, op)
			}
			return &apiError{status: 429, message: "Too many requests. Please try again later.", retryAfter: retry}
		}
	}
	if err := c.readBody(w, ep); err != nil {
		return err
	}
	fields := map[string]string{}
	for _, k := range []string{"callbackURL", "redirectTo", "errorCallbackURL", "newUserCallbackURL"} {
		switch v := c.body[k].(type) {
		case string:
			fields[k] = v
		case nil:
		case bool:
			if v {
				return httpsecError(httpsec.CallbackNotString(k))
			}
		default:
			return httpsecError(httpsec.CallbackNotString(k))
		}
	}
	if e := c.srv.origins.CheckRequest(c.r.Method, c.r.Header, c.query, fields); e != nil {
		return newAPIError(e.Status, e.Code, e.Message)
	}
	if ep.formCSRF {
		if e := c.srv.origins.CheckFormCSRF(c.r.Header); e != nil {
			return newAPIError(e.Status, e.Code, e.Message)
		}
	}
	return nil
}

// devClientIP is the client address DevMode assumes when none can be derived.
var devClientIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// ip returns the client's address as a string, "" when unknown. It is written when first asked: most
// requests (a get-session answered from the cookie cache) never need it.
func (c *call) ip() string {
	if !c.ipDone {
		if c.ipOK {
			c.clientIP = c.srv.clientIP.Format(c.ipAddr)
		}
		c.ipDone = true
	}
	return c.clientIP
}

// hdr returns the response headers (Set-Cookie excepted), creating them on first use; get-session's
// pending no-store headers move into them then, so a hook sees them as before.
func (c *call) hdr() http.Header {
	if c.header == nil {
		c.header = http.Header{}
		if c.noStore {
			c.noStore = false
			hv := []string{"no-store", "no-cache"}
			c.header["Cache-Control"], c.header["Pragma"] = hv[0:1:1], hv[1:2:2]
		}
	}
	return c.header
}

// setNoStore asks for Cache-Control: no-store and Pragma: no-cache (get-session's answers). Without other
// headers they are only a flag, written by write with Content-Type in one allocation.
func (c *call) setNoStore() {
	if c.header == nil {
		c.noStore = true
		return
	}
	hv := []string{"no-store", "no-cache"}
	c.header["Cache-Control"], c.header["Pragma"] = hv[0:1:1], hv[1:2:2]
}

// write sends the answer: headers, cookies, then JSON (or an error body). No answer may be stored by a
// cache: they carry session tokens, sessions, user data or Set-Cookie (Cache-Control: no-store unless the
// endpoint chose otherwise). It returns the status written and Better Auth's error code ("" when none).
func (c *call) write(w http.ResponseWriter, res any, err error) (int, string) {
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	// The fixed headers' values share one array; each header gets its own capacity-limited element, so an
	// Add elsewhere copies instead of writing over the next.
	noCC := c.noStore || h.Get("Cache-Control") == "" // get-session's no-store replaces any other
	fixed := make([]string, 0, 3)
	if noCC {
		fixed = append(fixed, "no-store")
		h["Cache-Control"] = fixed[0:1:1]
	}
	if c.noStore {
		fixed = append(fixed, "no-cache")
		h["Pragma"] = fixed[len(fixed)-1 : len(fixed) : len(fixed)]
	}
	for _, sc := range c.cookies {
		h.Add("Set-Cookie", sc.value)
	}
	fixed = append(fixed, "application/json")
	h["Content-Type"] = fixed[len(fixed)-1 : len(fixed) : len(fixed)]
	if err != nil {
		if ch, ok := errors.AsType[*Challenge](err); ok {
			res, err, c.status = ch.Body, nil, ch.Status
		}
	}
	if err != nil {
		var e *apiError
		var dbf *dbFailure
		switch {
		case errors.As(err, &e):
		case errors.As(err, &dbf):
			c.a.s.log.Error("auth: database unavailable", "path", c.path, "err", err)
			e = errServerUnavailable(5)
		default:
			c.a.s.log.Error("auth: endpoint failed", "path", c.path, "err", err)
			e = newAPIError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")
		}
		if e.retryAfter > 0 {
			if e.status == 429 {
				h.Set("X-Retry-After", strconv.Itoa(e.retryAfter))
			} else {
				h.Set("Retry-After", strconv.Itoa(e.retryAfter))
			}
		}
		w.WriteHeader(e.status)
		if e.noBody {
			return e.status, ""
		}
		body := map[string]string{"message": e.message}
		if e.code != "" {
			body["code"] = e.code
		}
		b, _ := json.Marshal(body)
		w.Write(b)
		return e.status, e.code
	}
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusFound {
		w.WriteHeader(status)
		return status, ""
	}
	var b []byte
	switch v := res.(type) {
	case json.RawMessage:
		b = v
	default:
		b, err = json.Marshal(v)
		if err != nil {
			c.a.s.log.Error("auth: encoding a response", "path", c.path, "err", err)
			w.WriteHeader(500)
			return 500, ""
		}
	}
	w.WriteHeader(status)
	w.Write(b)
	return status, ""
}
