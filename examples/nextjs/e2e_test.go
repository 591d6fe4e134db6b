// Package nextjs holds the browser test of the Next.js example (README.md): the Next.js app of this
// folder, built with `npm ci && npm run build`, started with `npm start` beside the Go API
// (examples/nethttp) and, in the mirror setup, gobetterauth's Go server (examples/server), and driven
// by a headless Chromium.
package nextjs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// jwtLifetime is the JWTs' lifetime in both setups (JWT_EXPIRES_IN, BETTER_AUTH_JWT_EXPIRES_IN); the Go
// API runs with BETTER_AUTH_LEEWAY=0, so a signed-out user's JWT is refused this long after it was issued.
const jwtLifetime = 4 * time.Second

// skipOrFail skips tb with msg, or fails it when CI is "true": CI must never pass by skipping.
func skipOrFail(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: this is a failure, not a skip)")
	}
	tb.Skip(msg)
}

// requireApp skips (or under CI fails) unless the app is installed and built: node_modules and .next.
func requireApp(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(tb, "npm is not on PATH: install Node >= 20 with npm to run the Next.js browser test")
	}
	for _, p := range []string{"node_modules/next/package.json", "node_modules/better-sqlite3/build/Release/better_sqlite3.node", ".next/BUILD_ID"} {
		if _, err := os.Stat(p); err != nil {
			skipOrFail(tb, fmt.Sprintf("examples/nextjs/%s is missing: run `npm ci && npm run build` in examples/nextjs "+
				"(or scripts/nextjs-build.sh) to run the Next.js browser test", p))
		}
	}
	// scripts/nextjs-build.sh writes the sha256sum of the sources it built; a build by hand has none.
	built, err := os.ReadFile(".next/.gobetterauth-sources")
	if err != nil {
		return
	}
	for line := range strings.Lines(string(built)) {
		sum, name, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if !ok {
			continue
		}
		b, err := os.ReadFile(name)
		if h := sha256.Sum256(b); err != nil || hex.EncodeToString(h[:]) != sum {
			skipOrFail(tb, fmt.Sprintf("examples/nextjs/.next was built before examples/nextjs/%s changed: run "+
				"scripts/nextjs-build.sh (or npm run build in examples/nextjs) to run the Next.js browser test", name))
		}
	}
}

// requireChrome returns $CHROME_PATH or the first Chromium on PATH, as examples/server's browser tests do.
func requireChrome(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	skipOrFail(tb, "no Chromium on PATH and CHROME_PATH is unset: apt-get install -y --no-install-recommends chromium")
	return ""
}

// artifactsDir is where the screenshots go: $ARTIFACTS_DIR/nextjs, else testdata/artifacts (gitignored).
func artifactsDir() string {
	if d := os.Getenv("ARTIFACTS_DIR"); d != "" {
		return filepath.Join(d, "nextjs")
	}
	return filepath.Join("testdata", "artifacts")
}

// logBuffer collects a process's output for the failure message.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs name with args in dir and env (on top of PATH and HOME only) in its own process group until
// the test ends, and waits until url answers. Its output is logged when the test fails.
func start(t *testing.T, label, dir string, env map[string]string, url string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NEXT_TELEMETRY_DISABLED=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // npm start's children are stopped with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", label, out)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode < 500 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer on %s within 30 s (%v); its output:\n%s", label, url, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// getMe asks url (a Go API's /api/me, directly or through the app's /api/go/me) with one header.
func getMe(t *testing.T, url, header, value string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set(header, value)
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestBrowserNextJS runs README.md's two setups in a headless Chromium, as a person would use them:
//
//   - "nextjs": Better Auth in the Next.js app (SQLite, the jwt and admin plugins), the Go API
//     (examples/nethttp) given the app's URL, the same SQLite file and secret;
//   - "mirror": the same pages with /api/auth proxied to gobetterauth's Go server (examples/server), the Go
//     API reading the Go server's database.
//
// In each: sign up and land on /dashboard, which shows the Go API's answer to the page's server (the JWT)
// and to the browser (the session cookie through /api/go/*); a reload shows it again; a forged JWT gets a
// 401 the page explains; signing out makes the Go API refuse the old cookie at once and the old JWT once
// it expires; /dashboard signed out goes to /login?callbackUrl=/dashboard, and signing in there comes back.
// Screenshots of each dashboard go to artifactsDir().
func TestBrowserNextJS(t *testing.T) {
	requireApp(t)
	chrome := requireChrome(t)
	bin := t.TempDir()
	for _, name := range []string{"nethttp", "server"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), "../"+name).CombinedOutput()
		if err != nil {
			t.Fatalf("go build ../%s: %v\n%s", name, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // tests often run as root, where Chromium's sandbox refuses to start
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", chrome, err)
	}

	tests := []struct {
		name   string
		mirror bool
		role   string // what the dashboard shows as the user's role
	}{
		{name: "nextjs", role: "user"},
		{name: "mirror", mirror: true, role: "user"}, // examples/server runs the admin plugin: production mode gives "user",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			appPort, apiPort := freePort(t), freePort(t)
			app := "http://127.0.0.1:" + appPort
			api := "http://127.0.0.1:" + apiPort
			secret := make([]byte, 32)
			_, _ = rand.Read(secret)
			secretHex := hex.EncodeToString(secret)
			lifetime := strconv.Itoa(int(jwtLifetime.Seconds())) + "s"
			// The app: npm start (scripts/migrate.mjs, then next start).
			appEnv := map[string]string{"PORT": appPort, "GO_API_URL": api}
			dbPath := filepath.Join(dir, "app.db")
			if tt.mirror {
				authPort := freePort(t)
				dbPath = filepath.Join(dir, "go-server.db")
				appEnv["AUTH_SERVER_URL"] = "http://127.0.0.1:" + authPort
				// The Go server's public URL is the app's: the browser reaches /api/auth there.
				start(t, "examples/server", ".", map[string]string{"PORT": authPort, "BETTER_AUTH_URL": app,
					"BETTER_AUTH_SECRET": secretHex, "DATABASE_URL": "sqlite:" + dbPath,
					"BETTER_AUTH_JWT_EXPIRES_IN": lifetime, "TRUSTED_PROXIES": "127.0.0.1"}, appEnv["AUTH_SERVER_URL"]+"/api/auth/ok", filepath.Join(bin, "server"))
			} else {
				appEnv["BETTER_AUTH_SECRET"] = secretHex
				appEnv["DATABASE_PATH"] = dbPath
				appEnv["JWT_EXPIRES_IN"] = lifetime
			}
			start(t, "npm start", ".", appEnv, app+"/login", "npm", "start")
			// The Go API: the app's URL (its JWKS), the same database and secret (its cookies), no leeway.
			start(t, "examples/nethttp", ".", map[string]string{"PORT": apiPort, "BETTER_AUTH_URL": app,
				"BETTER_AUTH_SECRET": secretHex, "DATABASE_URL": "sqlite:" + dbPath, "BETTER_AUTH_LEEWAY": "0"},
				api+"/healthz", filepath.Join(bin, "nethttp"))

			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancelTab()
			if err := chromedp.Do(tab); err != nil { // the tab lives as long as tab, not as one step
				t.Fatal(err)
			}
			email := tt.name + "@example.com"
			const password = "correct horse battery"
			do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				stepCtx, cancelStep := context.WithTimeout(tab, 30*time.Second)
				defer cancelStep()
				if err := chromedp.Do(stepCtx, actions...); err != nil {
					at, _ := chromedp.Run(tab, chromedp.Location())
					t.Fatalf("%s: %v (the browser is at %s)", step, err, at)
				}
			}
			text := func(sel string) string {
				t.Helper()
				s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
				if err != nil {
					t.Fatalf("%s: %v", sel, err)
				}
				return s
			}
			at := func(step, want string) {
				t.Helper()
				got, err := chromedp.Run(tab, chromedp.Location())
				if err != nil || got != app+want {
					t.Fatalf("%s: the browser is at %s (%v), want %s%s", step, got, err, app, want)
				}
			}
			// dashboard waits for both answers of the Go API and checks they name the user.
			dashboard := func(step string) {
				t.Helper()
				do(step, chromedp.WaitVisible(chromedp.CSS(`[data-test="jwt-email"]`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-test="cookie-status"]`)))
				at(step, "/dashboard")
				for sel, want := range map[string]string{`[data-test="jwt-email"]`: email, `[data-test="jwt-role"]`: tt.role,
					`[data-test="cookie-status"]`: "200", `[data-test="cookie-email"]`: email} {
					if got := text(sel); got != want {
						t.Errorf("%s: %s shows %q, want %q", step, sel, got, want)
					}
				}
			}
			shot := func(name string) {
				t.Helper()
				png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot %s: %v", name, err)
				}
				if err := os.MkdirAll(artifactsDir(), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(artifactsDir(), name+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}

			do("sign up", chromedp.EmulateViewport(1100, 900), chromedp.Navigate(app+"/signup"),
				chromedp.WaitVisible(chromedp.CSS(`form#sign-up[data-ready]`)),
				chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="name"]`), "Ada "+tt.name),
				chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="email"]`), email),
				chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="password"]`), password),
				chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
			dashboard("after sign-up")
			shot(tt.name + "-dashboard")
			do("reload", chromedp.Reload())
			dashboard("after a reload")

			// A forged JWT: the page shows the Go API's 401, and the cookie call still works.
			do("forged token", chromedp.Navigate(app+"/dashboard?token=forged"),
				chromedp.WaitVisible(chromedp.CSS(`[data-test="jwt-error"]`)))
			if got := text(`[data-test="jwt-status"]`); got != "401" {
				t.Errorf("forged token: the page shows status %q, want 401", got)
			}
			if got := text(`[data-test="jwt-error"]`); !strings.Contains(got, "The Go API refused the token") {
				t.Errorf("forged token: the page shows %q, want the refusal explained", got)
			}
			shot(tt.name + "-forged-token")

			// The credentials the browser holds now: its session cookie and a fresh JWT.
			jwt, err := chromedp.Run(tab, chromedp.Evaluate[string](
				`fetch("/api/auth/token").then(r => r.json()).then(j => j.token)`, chromedp.EvalAwaitPromise))
			if err != nil || strings.Count(jwt, ".") != 2 {
				t.Fatalf("GET /api/auth/token in the page: %q %v", jwt, err)
			}
			issued := time.Now()
			cookies, err := chromedp.Run(tab, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
				r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
				return r.Cookies, err
			})
			if err != nil {
				t.Fatal(err)
			}
			var cookie string
			for _, c := range cookies {
				if c.Name == "better-auth.session_token" {
					cookie = c.Name + "=" + c.Value
				}
			}
			if cookie == "" {
				t.Fatalf("no better-auth.session_token among the browser's cookies %v", cookies)
			}
			if status, body := getMe(t, app+"/api/go/me", "Cookie", cookie); status != 200 {
				t.Fatalf("the session cookie before sign-out: /api/go/me %d %s, want 200", status, body)
			}

			do("sign out", chromedp.Navigate(app+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#sign-out[data-ready]`)),
				chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`form#sign-in`)))
			at("sign out", "/login")
			// The Go API reads the session row: the old cookie is refused at once, also directly.
			for _, u := range []string{app + "/api/go/me", api + "/api/me"} {
				if status, body := getMe(t, u, "Cookie", cookie); status != 401 {
					t.Errorf("the session cookie after sign-out: %s %d %s, want 401", u, status, body)
				}
			}
			// A JWT is checked by its signature alone: still good until it expires, then refused.
			if status, body := getMe(t, api+"/api/me", "Authorization", "Bearer "+jwt); status != 200 && time.Since(issued) < jwtLifetime-time.Second {
				t.Errorf("the JWT after sign-out, before it expires: %d %s, want 200", status, body)
			}

			// Signed out, /dashboard sends the browser to sign in, and signing in brings it back.
			do("dashboard signed out", chromedp.Navigate(app+"/dashboard"),
				chromedp.WaitVisible(chromedp.CSS(`form#sign-in[data-ready]`)))
			at("dashboard signed out", "/login?callbackUrl=/dashboard")
			do("sign in", chromedp.SendKeys(chromedp.CSS(`#sign-in input[name="email"]`), email),
				chromedp.SendKeys(chromedp.CSS(`#sign-in input[name="password"]`), password),
				chromedp.Click(chromedp.CSS(`#sign-in button[type="submit"]`)))
			dashboard("after sign-in")

			time.Sleep(time.Until(issued.Add(jwtLifetime + 500*time.Millisecond)))
			if status, body := getMe(t, api+"/api/me", "Authorization", "Bearer "+jwt); status != 401 || !strings.Contains(body, "TOKEN_EXPIRED") {
				t.Errorf("the JWT once expired: %d %s, want 401 TOKEN_EXPIRED", status, body)
			}
		})
	}
}
