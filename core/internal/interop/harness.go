package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// StartTimeout bounds how long [Start] waits for the server's READY line.
const StartTimeout = 20 * time.Second

// DefaultSecret is the BETTER_AUTH_SECRET [Start] passes when env has none. Test-only.
const DefaultSecret = "gobetterauth-interop-go-harness-secret-0123456789"

// serverVars are the variables server.mjs reads, plus the ones Better Auth itself reads. They are removed
// from the inherited environment so only the env given to Start configures the server.
var serverVars = []string{
	"PORT", "BETTER_AUTH_SECRET", "BASE_URL", "BASE_PATH", "DB_FILE", "DATABASE", "REDIS_URL", "REDIS_KEY_PREFIX",
	"JWT_ALG", "JWT_EXPIRES", "JWT_ISSUER", "JWT_AUDIENCE", "JWKS_ROTATION_INTERVAL", "JWKS_GRACE_PERIOD",
	"COOKIE_CACHE", "COOKIE_CACHE_MAX_AGE", "COOKIE_PREFIX", "BIO_FIELD", "INSECURE_FAST_PASSWORD_HASH",
	"NO_JWT_HEADER", "NODE_ENV", "TEST", "AUTH_SECRET", "PLUGINS", "APIKEY_STORAGE", "APIKEY_FALLBACK",
}

// nodePackages are the packages interop/package.json installs; [Available] wants every one.
var nodePackages = []string{"better-auth", "better-sqlite3", "pg", "ioredis"}

// Dir returns the interop/ directory: the first one holding a package.json found walking up from the
// working directory (a test's package directory), or from this source file.
func Dir() (string, error) { return findDir() }

var findDir = sync.OnceValues(func() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, d := range starts {
		for {
			if _, err := os.Stat(filepath.Join(d, "interop", "package.json")); err == nil {
				return filepath.Join(d, "interop"), nil
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return "", errors.New("interop: no interop/package.json above the working directory")
})

// Available reports why the interop server cannot run here (no node on PATH, or interop/node_modules not
// installed), or nil when it can.
func Available() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node is not on PATH; install Node >= 20, then run `make interop-deps`")
	}
	dir, err := Dir()
	if err != nil {
		return err
	}
	for _, pkg := range nodePackages {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			return fmt.Errorf("%s is not installed in %s; run `make interop-deps`",
				pkg, filepath.Join(dir, "node_modules"))
		}
	}
	return nil
}

// Server is a running interop server. Its methods are safe for concurrent use.
type Server struct {
	// URL is where the server listens, "http://127.0.0.1:<port>", from its READY line.
	URL string
	// BaseURL is Better Auth's baseURL option: BASE_URL, or URL by default.
	BaseURL string
	// AuthBase is where Better Auth serves its routes: URL with the path Better Auth computed from baseURL
	// and basePath, e.g. "http://127.0.0.1:<port>/api/auth" (also when BASE_URL is https: the server
	// itself always speaks plain http on loopback).
	AuthBase string
	// Secret is the server's BETTER_AUTH_SECRET.
	Secret string

	cmd     *exec.Cmd
	stdin   io.Closer
	stderr  *tail
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
	client  *http.Client
	once    sync.Once
}

// Start runs `node server.mjs` in the interop directory with env on top of this process's environment
// (minus NODE_ENV, TEST and every variable server.mjs reads, so stray settings cannot leak in). PORT
// defaults to "0" and BETTER_AUTH_SECRET to [DefaultSecret]. Start waits for the READY line for at most
// [StartTimeout] or until ctx is done; ctx does not bound the server's life, [Server.Close] does.
func Start(ctx context.Context, env map[string]string) (*Server, error) {
	if err := Available(); err != nil {
		return nil, fmt.Errorf("interop: %w", err)
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	vars := map[string]string{"PORT": "0", "BETTER_AUTH_SECRET": DefaultSecret}
	maps.Copy(vars, env)

	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = childEnv(vars)
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("interop: %w", err)
	}
	ready := make(chan string, 1)
	s := &Server{
		Secret: vars["BETTER_AUTH_SECRET"],
		cmd:    cmd,
		stdin:  stdin,
		stderr: &tail{max: 64 << 10},
		done:   make(chan struct{}),
		client: &http.Client{Timeout: 10 * time.Second},
	}
	cmd.Stdout = &lineWriter{line: func(l string) {
		if u, ok := strings.CutPrefix(l, "READY "); ok {
			select {
			case ready <- u:
			default:
			}
		}
	}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("interop: starting node: %w", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case u := <-ready:
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "http" || pu.Host == "" {
			s.Close()
			return nil, fmt.Errorf("interop: malformed READY line %q", u)
		}
		s.URL = u
		if err := s.describe(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("interop: node server.mjs exited before READY (%v); stderr:\n%s", s.waitErr, s.Stderr())
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("interop: no READY line from node server.mjs within %v; stderr:\n%s", StartTimeout, s.Stderr())
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("interop: waiting for node server.mjs: %w", ctx.Err())
	}
}

// describe asks the server where Better Auth lives.
func (s *Server) describe(ctx context.Context) error {
	resp, body, err := s.call(ctx, http.MethodGet, s.URL+"/__test/ready", "", nil, nil)
	if err != nil {
		return err
	}
	if err := want200(resp, body); err != nil {
		return err
	}
	var v struct{ BaseURL, AuthURL string }
	if err := json.Unmarshal(body, &v); err != nil || v.BaseURL == "" || v.AuthURL == "" {
		return fmt.Errorf("interop: /__test/ready answered %q", body)
	}
	// Better Auth's routes are reached on the listener, whatever BASE_URL says (an https base URL, or a host
	// name other than 127.0.0.1): keep only the path Better Auth computed.
	au, err := url.Parse(v.AuthURL)
	if err != nil {
		return fmt.Errorf("interop: /__test/ready: authURL %q: %w", v.AuthURL, err)
	}
	s.BaseURL, s.AuthBase = v.BaseURL, s.URL+strings.TrimSuffix(au.EscapedPath(), "/")
	return nil
}

func childEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		drop := strings.HasPrefix(name, "BETTER_AUTH_")
		for _, v := range serverVars {
			drop = drop || name == v
		}
		if !drop {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// Close stops the server: it closes its stdin, which makes it exit, and kills it if it has not exited
// within five seconds. It waits for the process to end.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.stdin.Close()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// Stderr returns the last 64 KiB the server wrote to stderr.
func (s *Server) Stderr() string { return s.stderr.String() }

// AuthURL returns the URL of a Better Auth endpoint, such as "/token".
func (s *Server) AuthURL(endpoint string) string { return s.AuthBase + endpoint }

// call sends a request and returns the response with its body read (at most 1 MiB).
func (s *Server) call(ctx context.Context, method, u, cookie string, hdr http.Header, body any) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(req.Header, hdr)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("interop: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("interop: %s %s: reading body: %w", method, u, err)
	}
	return resp, b, nil
}

// want200 turns a non-200 answer into an error that quotes the body.
func want200(resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	const max = 512
	if len(body) > max {
		body = body[:max]
	}
	return fmt.Errorf("interop: %s %s: %s: %s", resp.Request.Method, resp.Request.URL, resp.Status, body)
}

// SignUp creates an email/password user with POST <AuthBase>/sign-up/email (no Origin header: Better Auth
// allows cookie-less sign-ups from non-browser clients) and returns the session cookies it set, as a
// Cookie header value.
func (s *Server) SignUp(ctx context.Context, email, password, name string) (cookie string, err error) {
	resp, body, err := s.call(ctx, http.MethodPost, s.AuthURL("/sign-up/email"), "", nil,
		map[string]string{"email": email, "password": password, "name": name})
	if err != nil {
		return "", err
	}
	if err := want200(resp, body); err != nil {
		return "", err
	}
	var pairs []string
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	if len(pairs) == 0 {
		return "", errors.New("interop: sign-up set no session cookie")
	}
	return strings.Join(pairs, "; "), nil
}

// Token returns a JWT from GET <AuthBase>/token for the session in cookie.
func (s *Server) Token(ctx context.Context, cookie string) (string, error) {
	resp, body, err := s.call(ctx, http.MethodGet, s.AuthURL("/token"), cookie, nil, nil)
	if err != nil {
		return "", err
	}
	if err := want200(resp, body); err != nil {
		return "", err
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("interop: /token answered %q", body)
	}
	return v.Token, nil
}

// User is a user as Better Auth's JSON shows it.
type User struct {
	ID            string  `json:"id"`
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	EmailVerified bool    `json:"emailVerified"`
	Image         *string `json:"image"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
}

// SessionResponse is the answer of GET <AuthBase>/get-session.
type SessionResponse struct {
	// JWT is the set-auth-jwt response header.
	JWT string
	// User is the session's user.
	User User
	// Session is the session object, as JSON.
	Session json.RawMessage
	// UserJSON is the user object, as JSON (with additional fields such as bio).
	UserJSON json.RawMessage
}

// SessionRecord is the part of the session object the tests compare.
type SessionRecord struct {
	ID        string `json:"id"`
	Token     string `json:"token"`
	UserID    string `json:"userId"`
	ExpiresAt string `json:"expiresAt"`
}

// Record decodes the session object.
func (r *SessionResponse) Record() (SessionRecord, error) {
	var v SessionRecord
	err := json.Unmarshal(r.Session, &v)
	return v, err
}

// GetSession calls GET <AuthBase>/get-session with cookie. A null answer (no session) is an error.
func (s *Server) GetSession(ctx context.Context, cookie string) (*SessionResponse, error) {
	r, err := s.LookupSession(ctx, cookie, "", false)
	if err == nil && r == nil {
		err = errors.New("interop: /get-session answered null")
	}
	return r, err
}

// LookupSession calls GET <AuthBase>/get-session with the Cookie header cookie and the Authorization
// header authorization (either may be empty); noCache adds ?disableCookieCache=true. It returns nil, nil
// when the server answers null (no session).
func (s *Server) LookupSession(ctx context.Context, cookie, authorization string, noCache bool) (*SessionResponse, error) {
	u := s.AuthURL("/get-session")
	if noCache {
		u += "?disableCookieCache=true"
	}
	var hdr http.Header
	if authorization != "" {
		hdr = http.Header{"Authorization": {authorization}}
	}
	resp, body, err := s.call(ctx, http.MethodGet, u, cookie, hdr, nil)
	if err != nil {
		return nil, err
	}
	if err := want200(resp, body); err != nil {
		return nil, err
	}
	if string(bytes.TrimSpace(body)) == "null" {
		return nil, nil
	}
	var v struct {
		User    json.RawMessage `json:"user"`
		Session json.RawMessage `json:"session"`
	}
	var user User
	if err := json.Unmarshal(body, &v); err != nil || v.User == nil || json.Unmarshal(v.User, &user) != nil || user.ID == "" {
		return nil, fmt.Errorf("interop: /get-session answered %q", body)
	}
	return &SessionResponse{JWT: resp.Header.Get("Set-Auth-Jwt"), User: user, Session: v.Session, UserJSON: v.User}, nil
}

// Login is what a sign-up or sign-in answered.
type Login struct {
	// Cookie is the cookies it set (those not being deleted), as a Cookie header value.
	Cookie string
	// Cookies are the cookies it set, in order, deletions included.
	Cookies []*http.Cookie
	// BearerToken is the bearer plugin's set-auth-token header: the signed session token, not URL-encoded.
	BearerToken string
	// Body is the JSON body.
	Body json.RawMessage
}

// Post sends a JSON POST to a Better Auth endpoint (such as "/sign-out") as a browser on the site would:
// with the Cookie header cookie (when not empty) and Origin set to the server's base URL, which Better
// Auth requires of any POST that carries cookies and of browser sign-ins (shared/spec/better-auth.md §6.5). A non-200 answer is an
// error that quotes the body.
func (s *Server) Post(ctx context.Context, endpoint, cookie string, body any) (*Login, error) {
	if body == nil {
		body = map[string]any{}
	}
	resp, b, err := s.call(ctx, http.MethodPost, s.AuthURL(endpoint), cookie, http.Header{"Origin": {s.origin()}}, body)
	if err != nil {
		return nil, err
	}
	if err := want200(resp, b); err != nil {
		return nil, err
	}
	l := &Login{Cookies: resp.Cookies(), BearerToken: resp.Header.Get("Set-Auth-Token"), Body: b}
	var pairs []string
	for _, c := range l.Cookies {
		if c.MaxAge >= 0 && c.Value != "" {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	l.Cookie = strings.Join(pairs, "; ")
	return l, nil
}

// origin is the origin of BaseURL, as a browser on the site sends it.
func (s *Server) origin() string {
	u, err := url.Parse(s.BaseURL)
	if err != nil {
		return s.BaseURL
	}
	return u.Scheme + "://" + u.Host
}

// SignIn signs in with POST <AuthBase>/sign-in/email; rememberMe false asks for a browser-session cookie
// (Better Auth then also sets the dont_remember cookie).
func (s *Server) SignIn(ctx context.Context, email, password string, rememberMe bool) (*Login, error) {
	l, err := s.Post(ctx, "/sign-in/email", "", map[string]any{"email": email, "password": password, "rememberMe": rememberMe})
	if err == nil && (l.Cookie == "" || l.BearerToken == "") {
		err = errors.New("interop: sign-in set no session cookie or no set-auth-token header")
	}
	return l, err
}

// SessionJWT returns the set-auth-jwt header of GET <AuthBase>/get-session for the session in cookie.
func (s *Server) SessionJWT(ctx context.Context, cookie string) (string, error) {
	r, err := s.GetSession(ctx, cookie)
	if err != nil {
		return "", err
	}
	if r.JWT == "" {
		return "", errors.New("interop: /get-session set no set-auth-jwt header")
	}
	return r.JWT, nil
}

// JWK is the part of a published key the tests look at.
type JWK struct {
	KeyID     string `json:"kid"`
	Algorithm string `json:"alg"`
	KeyType   string `json:"kty"`
	Curve     string `json:"crv"`
}

// JWKS returns the keys of GET <AuthBase>/jwks.
func (s *Server) JWKS(ctx context.Context) ([]JWK, error) {
	resp, body, err := s.call(ctx, http.MethodGet, s.AuthURL("/jwks"), "", nil, nil)
	if err != nil {
		return nil, err
	}
	if err := want200(resp, body); err != nil {
		return nil, err
	}
	var v struct {
		Keys []JWK `json:"keys"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("interop: /jwks answered %q", body)
	}
	return v.Keys, nil
}

// MintHS256 signs claims as an HS256 JWT with the server's secret, using Better Auth's own signer
// (signJWT from better-auth/crypto). iat is always now; a numeric "exp" is kept, else exp is now + 1 h.
func (s *Server) MintHS256(ctx context.Context, claims map[string]any) (string, error) {
	return s.MintHS256With(ctx, "", claims)
}

// MintHS256With is [Server.MintHS256] with another secret ("" means the server's).
func (s *Server) MintHS256With(ctx context.Context, secret string, claims map[string]any) (string, error) {
	hdr := http.Header{}
	if secret != "" {
		hdr.Set("X-Test-Secret", secret)
	}
	if claims == nil {
		claims = map[string]any{}
	}
	resp, body, err := s.call(ctx, http.MethodPost, s.URL+"/__test/hs256", "", hdr, claims)
	if err != nil {
		return "", err
	}
	if err := want200(resp, body); err != nil {
		return "", err
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("interop: /__test/hs256 answered %q", body)
	}
	return v.Token, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// lineWriter calls line for each complete line written to it. Writes come from one goroutine (os/exec's
// copier).
type lineWriter struct {
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(strings.TrimSuffix(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a runaway line without a newline: drop it
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// API calls auth.api[name] inside the Node server, as trusted server code would (POST /__test/api/<name>):
// server-only endpoints such as verifyApiKey, and server-only fields such as an API key's remaining. body
// is the call's body; headers, when not nil, makes it a client call with those headers (a session cookie).
// It returns the status (200, or the status of the APIError Better Auth threw) and the result or error
// body.
func (s *Server) API(ctx context.Context, name string, body any, headers map[string]string) (int, json.RawMessage, error) {
	in := map[string]any{"body": body}
	if headers != nil {
		in["headers"] = headers
	}
	resp, b, err := s.call(ctx, http.MethodPost, s.URL+"/__test/api/"+name, "", nil, in)
	if err != nil {
		return 0, nil, err
	}
	if err := want200(resp, b); err != nil {
		return 0, nil, err
	}
	var out struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return 0, nil, fmt.Errorf("interop: auth.api.%s: %w", name, err)
	}
	return out.Status, out.Body, nil
}
