package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gobetterauth/gobetterauth/core/auth/authtest/oidcop"
)

// chromeNames are the names a Chromium or Chrome binary has on PATH, in the order they are tried.
var chromeNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// requireChrome returns the browser to drive: $CHROME_PATH, else the first of chromeNames on PATH. When
// there is none it skips tb, or fails it when CI is "true": CI must never pass by skipping.
func requireChrome(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("CHROME_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, name := range chromeNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium: none of %v is on PATH and CHROME_PATH is unset; " +
		"install it (apt-get install -y --no-install-recommends chromium) to run the browser test"
	if os.Getenv("CI") == "true" {
		tb.Fatalf(msg+" (CI=true: a missing browser is a failure, not a skip)", chromeNames)
	}
	tb.Skipf(msg, chromeNames)
	return ""
}

// syncBuffer is a bytes.Buffer for a logger that several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startChrome starts the headless browser at path for the life of ctx (or of t, when shorter) and returns
// its context: each test case opens a tab in a new browser context of it (chromedp.WithNewBrowserContext).
func startChrome(t *testing.T, ctx context.Context, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests often run as root, where Chromium's sandbox refuses to start
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelBrowser)
	// The first Do starts Chromium and binds it to browser's lifetime, not to one tab's or step's.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return browser
}

// TestBrowserSocialSignIn signs in the way a person does, in a real headless Chromium driven by chromedp:
// the example server's sign-in page, its "Sign in with …" button, the login and consent pages of a real
// OpenID Provider (panva's oidc-provider, package oidcop), back through /api/auth/callback/oidc to the
// dashboard, which must show the provider's user; the user and its account row must then be in the
// database. A user who cancels at the consent screen comes back to the sign-in page, which shows the
// error, and no account is created.
func TestBrowserSocialSignIn(t *testing.T) {
	chrome := requireChrome(t)
	start := time.Now()

	// The server's address comes first: the OP registers its callback as the client's redirect_uri.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	const clientID, clientSecret = "example-server", "example-server-secret"
	op := oidcop.Start(t, []oidcop.Client{{ID: clientID, Secret: clientSecret,
		RedirectURIs: []string{base + "/api/auth/callback/oidc"}}},
		map[string]oidcop.Claims{"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice Liddell"}})

	env := map[string]string{"OIDC_ISSUER": op.Issuer, "OIDC_CLIENT_ID": clientID,
		"OIDC_CLIENT_SECRET": clientSecret, "OIDC_PROVIDER_NAME": "Test OP"}
	s, err := settingsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s.baseURL, s.databaseURL, s.secretFile = base, "sqlite:"+filepath.Join(dir, "auth.db"), filepath.Join(dir, "secret")
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	a, db, err := newAuth(ctx, s, 0, slog.New(slog.NewTextHandler(logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = newHandler(a, s.socialButtons(), nil)
	ts.Start()
	defer ts.Close()
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s\nOP stderr (last part):\n%.4000s", logs, op.Stderr())
		}
	}()

	browser := startChrome(t, ctx, chrome)

	// Each case is a new browser profile (no cookies at the server or the OP) that signs in as alice and
	// answers the OP's consent screen: Cancel brings it back to the sign-in page with the OAuth error,
	// Continue to the dashboard.
	// The login page has a Cancel link too: wait for the consent form before clicking either.
	consentButton := chromedp.CSS(`input[name="prompt"][value="consent"] ~ button[type="submit"]`)
	consentCancel := chromedp.Click(chromedp.CSS(`.login-help a[href$="/abort"]`))
	consentContinue := chromedp.Click(consentButton)
	tests := []struct {
		name     string
		consent  chromedp.Action[chromedp.Void]
		landing  string // a selector of the page the flow ends on, once app.js has filled it in
		wantPath string // where the browser is then, query included
		want     map[string]string
		accounts int // the account rows of alice afterwards
	}{
		{"cancel at consent", consentCancel, `body[data-page="sign-in"] #social .error:not([hidden])`,
			"/sign-in?error=access_denied", map[string]string{
				"#social .error": "Signing in with the provider failed (access_denied).",
			}, 0},
		{"sign in", consentContinue, `body[data-page="dashboard"] #sessions tr`,
			"/dashboard", map[string]string{
				`#user [data-field="email"]`:         "alice@example.com",
				`#user [data-field="emailVerified"]`: "true",
				`#user [data-field="name"]`:          "Alice Liddell",
			}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancelTab()
			if err := chromedp.Do(tab); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name    string
				actions []chromedp.Action[chromedp.Void]
			}{
				{"sign-in page", []chromedp.Action[chromedp.Void]{
					chromedp.Navigate(base + "/sign-in"),
					chromedp.Click(chromedp.CSS(`#social button[data-provider="oidc"]`)),
				}},
				{"OP login form", []chromedp.Action[chromedp.Void]{
					chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "alice"),
					chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "any password"),
					chromedp.Click(chromedp.CSS(`input[name="password"] ~ button[type="submit"]`)),
				}},
				{"OP consent", []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(consentButton), tt.consent}},
				{"back at the server", []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(tt.landing))}},
			}
			// Each step waits for its page before acting, for at most 30 s.
			for _, st := range steps {
				stepCtx, cancelStep := context.WithTimeout(tab, 30*time.Second)
				err := chromedp.Do(stepCtx, st.actions...)
				cancelStep()
				if err != nil {
					at, _ := chromedp.Run(tab, chromedp.Location())
					t.Fatalf("%s: %v (the browser is at %s)", st.name, err, at)
				}
			}
			location, err := chromedp.Run(tab, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(location, base+tt.wantPath) {
				t.Errorf("the browser is at %s, want %s%s", location, base, tt.wantPath)
			}
			for sel, want := range tt.want {
				got, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
				if err != nil || got != want {
					t.Errorf("%s shows %q (%v), want %q", sel, got, err, want)
				}
			}

			// The provider's identity is an account row of a new user with the provider's verified email.
			var n int
			err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "account" WHERE "providerId" = ? AND "accountId" = ?`,
				"oidc", "alice").Scan(&n)
			if err != nil || n != tt.accounts {
				t.Fatalf(`%d account rows (providerId "oidc", accountId "alice") (%v), want %d`, n, err, tt.accounts)
			}
			if n == 0 {
				return
			}
			var userEmail string
			var emailVerified bool
			err = db.QueryRowContext(ctx, `SELECT u."email", u."emailVerified" FROM "user" u JOIN "account" a ON a."userId" = u."id"
				WHERE a."providerId" = ? AND a."accountId" = ?`, "oidc", "alice").Scan(&userEmail, &emailVerified)
			if err != nil || userEmail != "alice@example.com" || !emailVerified {
				t.Errorf("alice's user: email %q, verified %v (%v); want alice@example.com, true", userEmail, emailVerified, err)
			}
		})
	}
	t.Logf("Chromium start and both flows through the OP: %v", time.Since(start).Round(time.Millisecond))
}

// navigations records the top-level navigations a browser makes to the servers it wraps (requests with
// Sec-Fetch-Mode: navigate), as absolute URLs, so a test learns where a page script sent the browser
// without polling the page.
type navigations chan string

// wrap records h's navigations, naming them with base (scheme and host of the server h runs at).
func (n navigations) wrap(base *string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
			select {
			case n <- *base + r.URL.RequestURI():
			default: // nobody waits for more than the buffer holds
			}
		}
		h.ServeHTTP(w, r)
	})
}

// TestBrowserSignInCallbackURL is issue 12 item 3: the sign-in page's callbackUrl parameter must not send
// the browser to another origin after signing in. Each case opens /sign-in?callbackUrl=<value> in a fresh
// headless Chromium profile, signs in with the form and checks the first page the browser then loads: it
// must be on the app's origin (the dashboard, or the same-origin page the value names) and the other origin
// (an "evil" server at evil.localhost, which Chromium resolves to loopback) must see no request. The values
// are the ones a prefix check on the raw string lets through (a tab, LF or CR the URL parser strips, a
// backslash it reads as a slash) and the classic ones it already refused.
func TestBrowserSignInCallbackURL(t *testing.T) {
	chrome := requireChrome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	navs := make(navigations, 64)
	evilHits := make(chan string, 64)
	var evilBase string
	evil := httptest.NewServer(navs.wrap(&evilBase, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case evilHits <- r.URL.RequestURI():
		default:
		}
		_, _ = io.WriteString(w, `<!doctype html><body data-page="evil">phished</body>`)
	})))
	defer evil.Close()
	evilHost := "evil.localhost:" + strconv.Itoa(evil.Listener.Addr().(*net.TCPAddr).Port)
	evilBase = "http://" + evilHost

	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	dir := t.TempDir()
	s := settings{baseURL: base, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
	a, db, err := newAuth(ctx, s, 0, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = navs.wrap(&base, newHandler(a, nil, nil))
	ts.Start()
	defer ts.Close()

	const email, password = "carol@example.com", "correct horse battery"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/auth/sign-up/email",
		strings.NewReader(`{"email":"`+email+`","password":"`+password+`","name":"Carol"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-up: %s", res.Status)
	}

	browser := startChrome(t, ctx, chrome)
	const evilPath = "/x"
	E := evilHost + evilPath
	tests := []struct {
		name     string
		value    string // the callbackUrl parameter as it appears in the page's URL (percent-encoded)
		wantPath string // the path and query the browser must land on, on the app's origin
	}{
		{"tab after the slash", "/%09/" + E, "/dashboard"},
		{"LF after the slash", "/%0a/" + E, "/dashboard"},
		{"CR after the slash", "/%0d/" + E, "/dashboard"},
		{"tabs around the slashes", "/%09%09/%09" + E, "/dashboard"},
		{"tab then backslash", "/%09%5C" + E, "/dashboard"},
		{"LF then backslash", "/%0A%5C" + E, "/dashboard"},
		{"protocol-relative", "//" + E, "/dashboard"},
		{"slash backslash", "/%5C" + E, "/dashboard"},
		{"backslashes", "%5C%5C" + E, "/dashboard"},
		{"backslash slash twice", "%5C/%5C/" + E, "/dashboard"},
		{"javascript", "javascript:alert(document.domain)", "/dashboard"},
		{"javascript mixed case", "JaVaScRiPt:alert(document.domain)", "/dashboard"},
		{"javascript after a tab", "%09javascript:alert(document.domain)", "/dashboard"},
		{"absolute", "http://" + E, "/dashboard"},
		{"absolute https", "https://" + E, "/dashboard"},
		{"absolute mixed case", "HtTp://" + E, "/dashboard"},
		{"leading spaces", "%20%20//" + E, "/dashboard"},
		{"leading space and tab", "%20/%09/" + E, "/dashboard"},
		{"userinfo", "http://" + strings.TrimPrefix(base, "http://") + "@" + E, "/dashboard"},
		{"encoded slashes stay a path", "/%252f%252f" + E, "/%2f%2f" + E},
		{"same-origin page", "/dashboard%3Ftab%3Dsessions", "/dashboard?tab=sessions"},
		{"same-origin absolute URL", url.QueryEscape(base + "/dashboard?from=abs"), "/dashboard?from=abs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancelTab()
			page := base + "/sign-in?callbackUrl=" + tt.value
			stepCtx, cancelStep := context.WithTimeout(tab, 30*time.Second)
			defer cancelStep()
			err := chromedp.Do(stepCtx,
				chromedp.Navigate(page),
				chromedp.SendKeys(chromedp.CSS(`#sign-in input[name="email"]`), email),
				chromedp.SendKeys(chromedp.CSS(`#sign-in input[name="password"]`), password),
				chromedp.Click(chromedp.CSS(`#sign-in button[type="submit"]`)),
			)
			if err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			// The first navigation that is not the sign-in page itself is where app.js sent the browser.
			var landed string
			for landed == "" {
				select {
				case u := <-navs:
					if !strings.HasPrefix(u, base+"/sign-in?") {
						landed = u
					}
				case <-stepCtx.Done():
					at, _ := chromedp.Run(tab, chromedp.Location())
					t.Fatalf("%s: no navigation after signing in (the browser is at %s)", page, at)
				}
			}
			if landed != base+tt.wantPath {
				t.Errorf("%s: after signing in the browser went to %s, want %s%s", page, landed, base, tt.wantPath)
			}
			select {
			case hit := <-evilHits:
				t.Errorf("%s: the other origin was asked for %s", page, hit)
			default:
			}
		})
	}
}
