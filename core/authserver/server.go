package authserver

// The server side of Better Auth's HTTP API (better-auth src/api/index.ts, better-call's router): routing,
// body parsing, the request protections, JSON errors and cookies. The endpoints are in server_*.go.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// apiError is a Better Auth error answer: {"message","code"} with a status.
type apiError struct {
	status        int
	code, message string
	retryAfter    int // seconds, for 429 and 503; 0 = none
}

func (e *apiError) Error() string { return "auth: " + e.code + ": " + e.message }

func newAPIError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// Better Auth's error codes (BASE_ERROR_CODES), with its messages.
var (
	errUnauthorized        = newAPIError(401, "UNAUTHORIZED", "Unauthorized")
	errInvalidEmailOrPw    = newAPIError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
	errInvalidEmail        = newAPIError(400, "INVALID_EMAIL", "Invalid email")
	errInvalidPassword     = newAPIError(400, "INVALID_PASSWORD", "Invalid password")
	errPasswordTooShort    = newAPIError(400, "PASSWORD_TOO_SHORT", "Password too short")
	errPasswordTooLong     = newAPIError(400, "PASSWORD_TOO_LONG", "Password too long")
	errUserExists          = newAPIError(422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.")
	errFailedCreateUser    = newAPIError(422, "FAILED_TO_CREATE_USER", "Failed to create user")
	errEmailNotVerified    = newAPIError(403, "EMAIL_NOT_VERIFIED", "Email not verified")
	errSignUpDisabled      = newAPIError(400, "EMAIL_PASSWORD_SIGN_UP_DISABLED", "Email and password sign up is not enabled")
	errEmailPwDisabled     = newAPIError(400, "EMAIL_PASSWORD_DISABLED", "Email and password is not enabled")
	errCredentialNotFound  = newAPIError(400, "CREDENTIAL_ACCOUNT_NOT_FOUND", "Credential account not found")
	errSessionNotFresh     = newAPIError(403, "SESSION_NOT_FRESH", "Session is not fresh")
	errEmailCannotUpdate   = newAPIError(400, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
	errBodyNotObject       = newAPIError(400, "BODY_MUST_BE_AN_OBJECT", "Body must be an object")
	errNoFieldsToUpdate    = newAPIError(400, "BAD_REQUEST", "No fields to update")
	errInvalidJSON         = newAPIError(400, "BAD_REQUEST", "Invalid JSON in request body")
	errBodyTooLarge        = newAPIError(413, "PAYLOAD_TOO_LARGE", "Request body is too large")
	errGetSessionPost      = newAPIError(405, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED", "POST method requires deferSessionRefresh to be enabled in session config")
	errFailedGetSession    = newAPIError(401, "FAILED_TO_GET_SESSION", "Failed to get session")
	errPasswordNeedsUpper  = newAPIError(400, "PASSWORD_REQUIRES_UPPERCASE", "Password must contain an uppercase letter")
	errPasswordNeedsLower  = newAPIError(400, "PASSWORD_REQUIRES_LOWERCASE", "Password must contain a lowercase letter")
	errPasswordNeedsNumber = newAPIError(400, "PASSWORD_REQUIRES_NUMBER", "Password must contain a number")
	errPasswordNeedsSymbol = newAPIError(400, "PASSWORD_REQUIRES_SPECIAL", "Password must contain a special character")
)

// errServerUnavailable is a dependency failure (database down, hashing queue full): 503 with Retry-After,
// never a 401 that would sign the user out.
func errServerUnavailable(retry int) *apiError {
	return &apiError{status: 503, code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable", retryAfter: retry}
}

// endpoint is one route.
type endpoint struct {
	methods   []string
	handle    func(c *call) (any, error)
	mediaForm bool // also accepts application/x-www-form-urlencoded bodies
	formCSRF  bool // the sign-in/sign-up CSRF check
}

// routes maps paths below the base path to endpoints.
func (a *Server) routes() map[string]*endpoint {
	post := []string{http.MethodPost}
	get := []string{http.MethodGet}
	return map[string]*endpoint{
		"/ok":                      {methods: get, handle: func(*call) (any, error) { return map[string]bool{"ok": true}, nil }},
		"/sign-up/email":           {methods: post, handle: (*call).signUpEmail, mediaForm: true, formCSRF: true},
		"/sign-in/email":           {methods: post, handle: (*call).signInEmail, mediaForm: true, formCSRF: true},
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
	hasBody  bool
	clientIP string

	header  http.Header // response headers other than Set-Cookie
	cookies []setCookie
	status  int // 0 = 200

	sess     *store.Result // the session found by a session middleware
	sessDone bool

	newSession *store.Result // the session whose cookies this request set (Better Auth's newSession)
	bearerTok  string        // the session token a before hook took from elsewhere (the bearer plugin)
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
		path: path, param: param, query: r.URL.Query(), header: http.Header{}}
	var res any
	err := c.protect(w, ep)
	if err == nil {
		res, err = c.run(ep)
	}
	c.write(w, res, err)
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
	ip, ok := c.srv.clientIP.Of(c.r)
	if !ok && c.srv.dev {
		ip, ok = "127.0.0.1", true
	}
	if ok {
		c.clientIP = ip
	}
	if c.srv.limiter != nil {
		key := httpsec.RateLimitKey(ip)
		if !ok {
			key = "no-trusted-ip"
		}
		if allowed, retry := c.srv.limiter.Allow(key, c.path); !allowed {
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

// readBody reads and parses a POST body as better-call does: JSON (any application/*json type), or a form
// where allowed; other media types get 415. The size is capped before parsing.
func (c *call) readBody(w http.ResponseWriter, ep *endpoint) error {
	if c.r.Method != http.MethodPost || c.r.Body == nil || c.r.Body == http.NoBody {
		return nil
	}
	if c.r.ContentLength > c.srv.maxBody {
		return errBodyTooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, c.srv.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return newAPIError(400, "BAD_REQUEST", "Could not read the request body")
	}
	if len(raw) == 0 {
		return nil
	}
	ct := c.r.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	media = strings.ToLower(media)
	if media == "" {
		media = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	allowed := []string{"application/json"}
	if ep.mediaForm {
		allowed = []string{"application/x-www-form-urlencoded", "application/json"}
	}
	if !slices.Contains(allowed, media) {
		if ct == "" {
			return newAPIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type is required. Allowed types: "+strings.Join(allowed, ", "))
		}
		return newAPIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type \""+ct+"\" is not allowed. Allowed types: "+strings.Join(allowed, ", "))
	}
	c.hasBody = true
	if media == "application/x-www-form-urlencoded" {
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return newAPIError(400, "BAD_REQUEST", "Invalid form body")
		}
		c.body = map[string]any{}
		for k, v := range vals {
			c.body[k] = v[len(v)-1]
		}
		return nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return errInvalidJSON
	}
	if m, ok := v.(map[string]any); ok {
		c.body = m
	} else {
		c.body = map[string]any{"\x00notObject": v}
	}
	return nil
}

// write sends the answer: headers, cookies, then JSON (or an error body). No answer may be stored by a
// cache: they carry session tokens, sessions, user data or Set-Cookie (Cache-Control: no-store unless the
// endpoint chose otherwise).
func (c *call) write(w http.ResponseWriter, res any, err error) {
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	for _, sc := range c.cookies {
		h.Add("Set-Cookie", sc.value)
	}
	h.Set("Content-Type", "application/json")
	var ch *Challenge
	if errors.As(err, &ch) {
		res, err, c.status = ch.Body, nil, ch.Status
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
		body := map[string]string{"message": e.message}
		if e.code != "" {
			body["code"] = e.code
		}
		b, _ := json.Marshal(body)
		w.Write(b)
		return
	}
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusFound {
		w.WriteHeader(status)
		return
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
			return
		}
	}
	w.WriteHeader(status)
	w.Write(b)
}

// dbError maps a database failure to 503 with Retry-After; nil stays nil.
func dbError(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return err
	}
	var e *apiError
	if errors.As(err, &e) {
		return err
	}
	return &dbFailure{err}
}

// dbFailure is a database error; it is answered as 503.
type dbFailure struct{ err error }

func (e *dbFailure) Error() string { return "auth: database: " + e.err.Error() }
func (e *dbFailure) Unwrap() error { return e.err }

// --- body validation, with zod's messages as better-call reports them -----------------------------------

// fieldKind is the type a body field must have.
type fieldKind int

const (
	kString fieldKind = iota
	kBool
	kEmail // a string that is an email address (zod's z.email())
	kStringOrNull
)

type field struct {
	name     string
	kind     fieldKind
	required bool
}

// validate checks the body against fields in order and returns better-call's VALIDATION_ERROR with every
// issue, "[body.name] Invalid input: expected string, received undefined" joined by "; ".
func (c *call) validate(fields ...field) error {
	if _, bad := c.body["\x00notObject"]; bad || (c.body == nil && len(fields) > 0 && slices.ContainsFunc(fields, func(f field) bool { return f.required })) {
		got := "undefined"
		if bad {
			got = jsType(c.body["\x00notObject"])
		}
		return newAPIError(400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received "+got)
	}
	var issues []string
	for _, f := range fields {
		v, present := c.body[f.name]
		if !present {
			if f.required {
				want := "string"
				if f.kind == kBool {
					want = "boolean"
				}
				issues = append(issues, "[body."+f.name+"] Invalid input: expected "+want+", received undefined")
			}
			continue
		}
		switch f.kind {
		case kString, kEmail:
			s, ok := v.(string)
			if !ok {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected string, received "+jsType(v))
			} else if f.kind == kEmail && !validEmail(s) {
				issues = append(issues, "[body."+f.name+"] Invalid email address")
			}
		case kStringOrNull:
			if _, ok := v.(string); !ok && v != nil {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected string, received "+jsType(v))
			}
		case kBool:
			if _, ok := v.(bool); !ok {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected boolean, received "+jsType(v))
			}
		}
	}
	if len(issues) > 0 {
		return newAPIError(400, "VALIDATION_ERROR", strings.Join(issues, "; "))
	}
	return nil
}

func (c *call) str(name string) string {
	s, _ := c.body[name].(string)
	return s
}

// jsType names v's type as zod does.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// validEmail is zod 4's z.email() pattern: ^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || strings.IndexByte(s, '@') != at || s[0] == '.' || strings.Contains(s, "..") || len(s) > 320 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		ch := local[i]
		ok := isAlnum(ch) || ch == '_' || ch == '+' || ch == '-' || (i < len(local)-1 && (ch == '\'' || ch == '.'))
		if !ok {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if l == "" {
			return false
		}
		if i == len(labels)-1 {
			if len(l) < 2 {
				return false
			}
			for j := 0; j < len(l); j++ {
				if !isAlpha(l[j]) {
					return false
				}
			}
			continue
		}
		if !isAlnum(l[0]) {
			return false
		}
		for j := 0; j < len(l); j++ {
			if !isAlnum(l[j]) && l[j] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlpha(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }
func isAlnum(b byte) bool { return isAlpha(b) || (b >= '0' && b <= '9') }

// jsLength is JavaScript's string length: UTF-16 code units.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// checkNewPassword applies the length limits and the configured rules to a new password.
func (c *call) checkNewPassword(pw string) error {
	n := jsLength(pw)
	if n < c.srv.ep.MinPasswordLength {
		return errPasswordTooShort
	}
	if n > c.srv.ep.MaxPasswordLength {
		return errPasswordTooLong
	}
	ep := c.srv.ep
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z' || (r > 127 && strings.ToLower(string(r)) != string(r)):
			upper = true
		case r >= 'a' && r <= 'z' || (r > 127 && strings.ToUpper(string(r)) != string(r)):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			special = true
		}
	}
	switch {
	case ep.RequireUppercase && !upper:
		return errPasswordNeedsUpper
	case ep.RequireLowercase && !lower:
		return errPasswordNeedsLower
	case ep.RequireNumber && !digit:
		return errPasswordNeedsNumber
	case ep.RequireSpecial && !special:
		return errPasswordNeedsSymbol
	}
	return nil
}

// hashCtx bounds a wait for a hashing slot.
func (c *call) hashCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx, c.srv.hashTimeout)
}

// hashError maps a hashing failure: a full queue is 503 with Retry-After.
func hashError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errServerUnavailable(1)
	}
	if errors.Is(err, context.Canceled) {
		return newAPIError(499, "CLIENT_CLOSED_REQUEST", "Client closed request")
	}
	return err
}

// hashPassword hashes within the concurrency bound.
func (c *call) hashPassword(pw string) (string, error) {
	ctx, cancel := c.hashCtx()
	defer cancel()
	h, err := c.a.hasher.Hash(ctx, pw)
	return h, hashError(err)
}

// verifyPassword checks pw against hash within the concurrency bound. A malformed hash is a failed check
// (logged), never a pass.
func (c *call) verifyPassword(hash, pw string) (bool, error) {
	ctx, cancel := c.hashCtx()
	defer cancel()
	ok, err := c.a.hasher.Verify(ctx, hash, pw)
	if errors.Is(err, betterauth.ErrPasswordHash) {
		c.a.s.log.Error("auth: malformed password hash in the account table")
		return false, nil
	}
	return ok, hashError(err)
}

// httpsecError converts a protection refusal.
func httpsecError(e *httpsec.Error) error {
	if e == nil {
		return nil
	}
	return newAPIError(e.Status, e.Code, e.Message)
}
