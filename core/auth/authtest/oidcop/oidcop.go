// Package oidcop runs a real OpenID Provider for tests: panva's oidc-provider (an OpenID Certified
// implementation) on Node, from interop/op.mjs, on a random loopback port. It is a test helper, like
// package authtest: never use it outside tests.
//
// [Start] launches the OP for a test and stops it when the test ends. [OP.Login] "clicks" through the OP's
// development login and consent forms with plain net/http and a cookie jar (no browser) and returns the
// authorization response at the client's redirect_uri; [OP.Abort] cancels the login instead, which sends
// error=access_denied. Everything else (redirect_uri matching, client authentication per registered method,
// PKCE S256, nonce, RS256 ID tokens from a served JWKS, userinfo) is oidc-provider's own behaviour.
//
// The OP needs node on PATH and the interop/ Node packages (`make interop-deps`). When they are missing,
// [Start] skips the test, or fails it when the environment variable CI is "true".
package oidcop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// StartTimeout bounds how long [Start] waits for the OP's READY line.
const StartTimeout = 20 * time.Second

// Client is an OAuth client registered at the OP.
type Client struct {
	// ID and Secret are the client_id and client_secret. An empty Secret registers a public client
	// (token_endpoint_auth_method "none").
	ID, Secret string
	// RedirectURIs are the exact redirect URIs the OP accepts for this client.
	RedirectURIs []string
	// AuthMethod is the token_endpoint_auth_method: "client_secret_post" (Better Auth's default, used when
	// empty and Secret is set), "client_secret_basic" or "none".
	AuthMethod string
}

// Claims are the claims of an account, such as {"email": "a@example.com", "email_verified": true,
// "name": "A", "picture": "https://…"}. The OP adds "sub", the account id.
type Claims map[string]any

// Config configures [StartConfig].
type Config struct {
	// Clients are the registered clients.
	Clients []Client
	// Accounts maps a login (the account id, which becomes the subject) to its claims. Logins not listed
	// are accepted too, as bare subjects without claims.
	Accounts map[string]Claims
	// UserinfoOnlyClaims keeps the scope claims (email, email_verified, name, picture) out of ID tokens:
	// they are then only served by the userinfo endpoint, oidc-provider's strict default. By default they
	// are in the ID token too, as Google and Entra ID put them.
	UserinfoOnlyClaims bool
	// AutoConsent skips the consent screen: every requested scope is granted.
	AutoConsent bool
}

// OP is a running OpenID Provider.
type OP struct {
	// Issuer is the OP's issuer, "http://127.0.0.1:<port>"; its discovery document is at
	// Issuer+"/.well-known/openid-configuration".
	Issuer string

	cmd    *exec.Cmd
	stdin  io.Closer
	stderr *tail
	done   chan struct{}
	once   sync.Once
	// redirects are every client's redirect URIs: where Login and Abort stop.
	redirects []string
}

// Available reports why the OP cannot run here (no node on PATH, or oidc-provider not installed in
// interop/node_modules), or nil when it can.
func Available() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node is not on PATH; install Node >= 20, then run `make interop-deps`")
	}
	dir, err := interop.Dir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		return fmt.Errorf("oidc-provider is not installed in %s; run `make interop-deps`",
			filepath.Join(dir, "node_modules"))
	}
	return nil
}

// Require skips tb when the OP cannot run here (see [Available]). When the environment variable CI is
// "true" it fails tb instead: CI must never pass by skipping.
func Require(tb testing.TB) {
	tb.Helper()
	err := Available()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("oidcop: %v (CI=true: a missing OP is a failure, not a skip)", err)
	}
	tb.Skipf("oidcop: %v", err)
}

// Start calls [Require], starts an OP with clients and accounts (and the other [Config] fields at their
// defaults) for tb, and stops it when tb ends.
func Start(tb testing.TB, clients []Client, accounts map[string]Claims) *OP {
	tb.Helper()
	return StartConfig(tb, Config{Clients: clients, Accounts: accounts})
}

// StartConfig is [Start] with every option.
func StartConfig(tb testing.TB, cfg Config) *OP {
	tb.Helper()
	Require(tb)
	op, err := start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(op.Close)
	return op
}

func start(cfg Config) (*OP, error) {
	dir, err := interop.Dir()
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	type clientJSON struct {
		ClientID      string   `json:"client_id"`
		ClientSecret  string   `json:"client_secret,omitempty"`
		RedirectURIs  []string `json:"redirect_uris"`
		GrantTypes    []string `json:"grant_types"`
		ResponseTypes []string `json:"response_types"`
		AuthMethod    string   `json:"token_endpoint_auth_method"`
	}
	op := &OP{stderr: &tail{max: 64 << 10}, done: make(chan struct{})}
	clients := make([]clientJSON, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		m := c.AuthMethod
		switch {
		case m != "":
		case c.Secret == "":
			m = "none"
		default:
			m = "client_secret_post"
		}
		clients = append(clients, clientJSON{ClientID: c.ID, ClientSecret: c.Secret, RedirectURIs: c.RedirectURIs,
			GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, AuthMethod: m})
		op.redirects = append(op.redirects, c.RedirectURIs...)
	}
	accounts := cfg.Accounts
	if accounts == nil {
		accounts = map[string]Claims{}
	}
	cj, err := json.Marshal(clients)
	if err != nil {
		return nil, fmt.Errorf("oidcop: clients: %w", err)
	}
	aj, err := json.Marshal(accounts)
	if err != nil {
		return nil, fmt.Errorf("oidcop: accounts: %w", err)
	}
	vars := map[string]string{"PORT": "0", "OP_CLIENTS": string(cj), "OP_ACCOUNTS": string(aj),
		"OP_ID_TOKEN_ALL_CLAIMS": "1", "OP_AUTO_CONSENT": "0"}
	if cfg.UserinfoOnlyClaims {
		vars["OP_ID_TOKEN_ALL_CLAIMS"] = "0"
	}
	if cfg.AutoConsent {
		vars["OP_AUTO_CONSENT"] = "1"
	}

	cmd := exec.Command("node", "op.mjs")
	cmd.Dir = dir
	cmd.Env = childEnv(vars)
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	ready := make(chan string, 1)
	cmd.Stdout = &lineWriter{line: func(l string) {
		if u, ok := strings.CutPrefix(l, "READY "); ok {
			select {
			case ready <- u:
			default:
			}
		}
	}}
	cmd.Stderr = op.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("oidcop: starting node: %w", err)
	}
	op.cmd, op.stdin = cmd, stdin
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(op.done)
	}()
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case u := <-ready:
		if pu, err := url.Parse(u); err != nil || pu.Scheme != "http" || pu.Host == "" {
			op.Close()
			return nil, fmt.Errorf("oidcop: malformed READY line %q", u)
		}
		op.Issuer = u
		return op, nil
	case <-op.done:
		return nil, fmt.Errorf("oidcop: node op.mjs exited before READY (%v); stderr:\n%s", waitErr, op.Stderr())
	case <-timer.C:
		op.Close()
		return nil, fmt.Errorf("oidcop: no READY line from node op.mjs within %v; stderr:\n%s", StartTimeout, op.Stderr())
	}
}

// childEnv is this process's environment without the variables op.mjs reads, plus vars.
func childEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, ours := vars[name]; ours || name == "NODE_ENV" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// Close stops the OP: it closes its stdin, which makes it exit, and kills it if it has not exited within
// five seconds. It waits for the process to end. [Start] registers it with tb.Cleanup.
func (op *OP) Close() {
	op.once.Do(func() {
		_ = op.stdin.Close()
		select {
		case <-op.done:
		case <-time.After(5 * time.Second):
			_ = op.cmd.Process.Kill()
			<-op.done
		}
	})
}

// Stderr returns the last 64 KiB the OP wrote to stderr.
func (op *OP) Stderr() string { return op.stderr.String() }

// Login plays the user at the OP: it opens authURL (an authorization request built by the client under
// test), submits the login form with login as the account id (any password), then approves the consent
// screen when consent is true or cancels it when false (which yields error=access_denied). It follows
// redirects until one points at a registered redirect_uri and returns that URL, the authorization response
// (code, state, iss; or error), without requesting it. Each call uses a fresh cookie jar: a new browser.
func (op *OP) Login(ctx context.Context, authURL, login string, consent bool) (callbackURL *url.URL, err error) {
	return op.drive(ctx, authURL, login, consent, false)
}

// Abort opens authURL and cancels at the login screen, as a user who closes the sign-in; it returns the
// redirect_uri URL carrying error=access_denied.
func (op *OP) Abort(ctx context.Context, authURL string) (callbackURL *url.URL, err error) {
	return op.drive(ctx, authURL, "", false, true)
}

var (
	formRe   = regexp.MustCompile(`(?is)<form([^>]*)>(.*?)</form>`)
	actionRe = regexp.MustCompile(`(?is)action="([^"]*)"`)
	inputRe  = regexp.MustCompile(`(?is)<input([^>]*)>`)
	attrRe   = regexp.MustCompile(`(?is)([\w-]+)="([^"]*)"`)
)

type form struct {
	action string
	fields url.Values
}

func parseForms(body string) []form {
	var out []form
	for _, m := range formRe.FindAllStringSubmatch(body, -1) {
		f := form{fields: url.Values{}}
		if a := actionRe.FindStringSubmatch(m[1]); a != nil {
			f.action = html.UnescapeString(a[1])
		}
		for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
			attrs := map[string]string{}
			for _, a := range attrRe.FindAllStringSubmatch(in[1], -1) {
				attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2])
			}
			if attrs["name"] != "" {
				f.fields.Set(attrs["name"], attrs["value"])
			}
		}
		out = append(out, f)
	}
	return out
}

// isCallback reports whether u is at one of the registered redirect URIs.
func (op *OP) isCallback(u *url.URL) bool {
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	for _, r := range op.redirects {
		if ru, err := url.Parse(r); err == nil && s == ru.Scheme+"://"+ru.Host+ru.EscapedPath() {
			return true
		}
	}
	return false
}

func (op *OP) drive(ctx context.Context, authURL, login string, consent, abort bool) (*url.URL, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if op.isCallback(req.URL) || len(via) > 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	do := func(method, u string, body url.Values) (*http.Response, []byte, error) {
		var rd io.Reader
		if body != nil {
			rd = strings.NewReader(body.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, b, err
	}
	resp, body, err := do(http.MethodGet, authURL, nil)
	for step := 0; step < 8; step++ {
		if err != nil {
			return nil, fmt.Errorf("oidcop: %w", err)
		}
		if resp.StatusCode/100 == 3 {
			loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, fmt.Errorf("oidcop: bad Location %q: %w", resp.Header.Get("Location"), err)
			}
			if op.isCallback(loc) {
				return loc, nil
			}
			return nil, fmt.Errorf("oidcop: redirected to %s, not a registered redirect_uri", loc)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("oidcop: %s at %s: %.500s", resp.Status, resp.Request.URL, body)
		}
		forms := parseForms(string(body))
		if len(forms) == 0 {
			return nil, fmt.Errorf("oidcop: no form at %s: %.500s", resp.Request.URL, body)
		}
		f := forms[0]
		action := resp.Request.URL
		if f.action != "" {
			if action, err = resp.Request.URL.Parse(f.action); err != nil {
				return nil, fmt.Errorf("oidcop: bad form action %q: %w", f.action, err)
			}
		}
		prompt := f.fields.Get("prompt")
		if abort || (prompt == "consent" && !consent) {
			// devInteractions' "[ Cancel ]" link: GET /interaction/:uid/abort.
			abortURL := *action
			abortURL.Path = strings.TrimSuffix(abortURL.Path, "/") + "/abort"
			resp, body, err = do(http.MethodGet, abortURL.String(), nil)
			continue
		}
		if prompt == "login" {
			f.fields.Set("login", login)
			f.fields.Set("password", "x")
		}
		resp, body, err = do(http.MethodPost, action.String(), f.fields)
	}
	return nil, errors.New("oidcop: too many steps before the redirect_uri")
}

// lineWriter calls line for each complete line written to it.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		w.line(strings.TrimRight(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 {
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
