package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// browserApp is the example server (development mode, so its mailer writes links and codes to logs) and a
// fresh headless Chromium tab on it, with the helpers of a test that acts as a person: do runs actions
// with a time limit, waitFor polls a condition, text is what a person sees in an element.
type browserApp struct {
	t       *testing.T
	base    string
	logs    *syncBuffer
	browser context.Context // the Chromium the tabs run in
	tab     context.Context
}

func newBrowserApp(t *testing.T, ctx context.Context) *browserApp {
	t.Helper()
	chrome := requireChrome(t)
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	dir := t.TempDir()
	s := settings{baseURL: base, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
	logs := &syncBuffer{}
	a, db, err := newAuth(ctx, s, 0, slog.New(slog.NewTextHandler(logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = newHandler(a, nil, nil)
	ts.Start()
	t.Cleanup(ts.Close)
	browser := startChrome(t, ctx, chrome)
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	return &browserApp{t: t, base: base, logs: logs, browser: browser, tab: tab}
}

// profile returns a copy of b whose tab is in a new browser profile (no cookies), closed with the test.
func (b *browserApp) profile() *browserApp {
	b.t.Helper()
	tab, cancel := chromedp.NewContext(b.browser, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		b.t.Fatal(err)
	}
	nb := *b
	nb.tab = tab
	return &nb
}

func (b *browserApp) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		at, _ := chromedp.Run(b.tab, chromedp.Location())
		b.t.Fatalf("%s: %v (the browser is at %s, showing: %s)", step, err, at, b.shows())
	}
}

func (b *browserApp) js(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.tab, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// shows is the page's text, for failure messages.
func (b *browserApp) shows() string {
	v, err := chromedp.Run(b.tab, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return err.Error()
	}
	return v
}

func (b *browserApp) waitFor(step, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 20*time.Second)
	defer cancel()
	// A poll fails when the page navigates under it (a sign-in that lands on the dashboard): poll the new
	// page.
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond))
	for err != nil && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](cond))
	}
	if err != nil {
		b.t.Fatalf("%s: waiting for %s: %v (the browser shows: %s)", step, cond, err, b.shows())
	}
}

// visible is the JavaScript condition "sel matches an element that is shown".
func visible(sel string) string {
	return `(() => { const e = document.querySelector(` + strconv.Quote(sel) + `); return !!e && e.offsetParent !== null })()`
}

func (b *browserApp) text(sel string) string {
	b.t.Helper()
	return b.js(`(() => { const e = document.querySelector(` + strconv.Quote(sel) + `); return e && e.offsetParent !== null ? e.innerText.trim() : "" })()`)
}

func (b *browserApp) want(step, sel, want string) {
	b.t.Helper()
	if got := b.text(sel); got != want {
		b.t.Errorf("%s: %s shows %q, want %q", step, sel, got, want)
	}
}

// shot saves a screenshot of the page under .artifacts/, as the walkthrough's.
func (b *browserApp) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.tab, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fill empties the input sel and types value into it.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.WaitVisible(chromedp.CSS(sel))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).value = ""`)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.SendKeys(chromedp.CSS(sel), value)(ctx, t)
	}
}

// signIn fills the sign-in form and sends it.
func (b *browserApp) signIn(step, email, password string) {
	b.t.Helper()
	b.do(step, chromedp.Navigate(b.base+"/sign-in"),
		fill("#sign-in-email", email), fill("#sign-in-password", password),
		chromedp.Click(chromedp.CSS(`#sign-in button[type="submit"]`)))
}

func (b *browserApp) signOut(step string) {
	b.t.Helper()
	b.do(step, chromedp.Click(chromedp.CSS("#sign-out")))
	b.waitFor(step, visible("#notice"))
}

// totpCode is the code an authenticator app shows at t for the otpauth URI's secret.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestBrowserTwoFactor is issue 17's example app, in a real headless Chromium: a new user turns on
// two-factor authentication from the dashboard (a wrong password and a wrong code first, each told in plain
// words; the QR code drawn by the server; the key shown as text, from which the test computes the codes an
// authenticator app would show; the backup codes shown once), signs out, signs in and is asked for a code
// (a wrong backup code is refused; the app's code signs in), signs in again with a backup code and "trust
// this device" (the same backup code is then spent), is not asked on the trusted browser, and turns
// two-factor off with the password.
func TestBrowserTwoFactor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	b := newBrowserApp(t, ctx)
	const email, password = "ada@example.com", "correct horse battery staple"

	b.do("sign up", chromedp.Navigate(b.base+"/sign-up"),
		fill("#sign-up-name", "Ada Lovelace"), fill("#sign-up-email", email), fill("#sign-up-password", password),
		chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	b.waitFor("dashboard", visible("#two-factor-enable"))
	b.want("dashboard", "#two-factor-title", "Two-factor authentication")
	b.want("dashboard", "#two-factor-status", "Two-factor authentication is off: your password alone signs you in.")
	if b.text("#two-factor-disable") != "" || b.text("#two-factor-setup") != "" {
		t.Error("dashboard: the disable or setup form is shown while two-factor is off")
	}

	// Turning it on asks for the password: a wrong one is told under the field.
	b.do("wrong password", fill("#two-factor-enable-password", "not my password"),
		chromedp.Click(chromedp.CSS(`#two-factor-enable button[type="submit"]`)))
	b.waitFor("wrong password", `document.querySelector("#two-factor-enable-password-error").textContent !== ""`)
	b.want("wrong password", "#two-factor-enable-password-error", "That password is not right. Check it and try again.")

	// The right one: the setup shows the QR code (an SVG the server drew), the key and the otpauth URI.
	b.do("enable", fill("#two-factor-enable-password", password),
		chromedp.Click(chromedp.CSS(`#two-factor-enable button[type="submit"]`)))
	b.waitFor("setup", visible("#two-factor-setup"))
	if b.text("#two-factor-enable") != "" {
		t.Error("setup: the enable form is still shown")
	}
	if got := b.js(`(() => { const s = document.querySelector("#totp-qr svg"); return s ? s.getAttribute("viewBox") + " " + s.querySelectorAll("path").length : "none" })()`); !strings.HasPrefix(got, "0 0 ") || !strings.HasSuffix(got, " 1") {
		t.Errorf("setup: the QR code is %q, want an SVG with a viewBox and one path of modules", got)
	}
	uri := b.js(`document.querySelector("#totp-uri").textContent`)
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("setup: the URI shown is %q (%v), want otpauth://totp/…", uri, err)
	}
	secret := u.Query().Get("secret")
	if u.Query().Get("issuer") != appName || !strings.HasSuffix(u.Path, ":"+email) || len(secret) < 32 {
		t.Errorf("setup: URI %q: want issuer %q, the account %s and a secret", uri, appName, email)
	}
	if shown := strings.ReplaceAll(b.text("#totp-secret"), " ", ""); shown != secret {
		t.Errorf("setup: the key shown is %q, want the URI's secret %q", shown, secret)
	}
	b.shot("two-factor-setup-desktop")
	// At phone width the key and the URI wrap: nothing scrolls sideways.
	b.do("setup at phone width", chromedp.EmulateViewport(375, 740), chromedp.Click(chromedp.CSS("#two-factor-setup summary")))
	if w := b.js(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("setup at phone width: the page is %s px wide, want 375", w)
	}
	b.shot("two-factor-setup-phone")
	b.do("desktop again", chromedp.EmulateViewport(1280, 800))

	// A wrong code does not turn it on; the app's code does, and the backup codes are shown once.
	now := time.Now()
	wrong := "000000"
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		if totpCode(t, secret, now.Add(d)) == wrong {
			wrong = "999999"
		}
	}
	b.do("wrong code", fill("#two-factor-setup-code", wrong), chromedp.Click(chromedp.CSS(`#two-factor-setup button[type="submit"]`)))
	b.waitFor("wrong code", `document.querySelector("#two-factor-setup-code-error").textContent !== ""`)
	b.want("wrong code", "#two-factor-setup-code-error", "That code is not right. Enter the code your authenticator app shows now.")
	b.do("verify", fill("#two-factor-setup-code", totpCode(t, secret, time.Now())),
		chromedp.Click(chromedp.CSS(`#two-factor-setup button[type="submit"]`)))
	b.waitFor("backup codes", visible("#backup-codes"))
	b.want("backup codes", "#two-factor-status", "Two-factor authentication is on: signing in asks for a code from your authenticator app.")
	codes := strings.Fields(b.js(`[...document.querySelectorAll("#backup-code-list li")].map(li => li.textContent).join(" ")`))
	if len(codes) != 10 || !regexp.MustCompile(`^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$`).MatchString(codes[0]) {
		t.Fatalf("backup codes: %q, want 10 like abcde-12345", codes)
	}
	b.shot("two-factor-backup-codes-desktop")
	b.do("saved", chromedp.Click(chromedp.CSS("#backup-codes-done")))
	b.waitFor("saved", visible("#two-factor-disable"))
	if n := b.js(`String(document.querySelectorAll("#backup-code-list li").length)`); n != "0" || b.text("#backup-codes") != "" {
		t.Errorf("saved: %s backup codes still in the page", n)
	}

	// Sign out, sign in: the password alone gives no session, the code step is shown.
	b.signOut("sign out")
	b.signIn("sign in", email, password)
	b.waitFor("code step", visible("#two-factor"))
	if b.text("#sign-in") != "" {
		t.Error("code step: the email and password form is still shown")
	}
	b.want("code step", "#two-factor-title", "Two-factor authentication")
	b.shot("two-factor-sign-in-desktop")
	if got, err := chromedp.Run(b.tab, chromedp.Evaluate[string](`fetch("/api/me").then(r => String(r.status))`, chromedp.EvalAwaitPromise)); got != "401" {
		t.Errorf("code step: GET /api/me answers %s (%v), want 401 (no session before the second factor)", got, err)
	}
	b.do("wrong backup code", fill("#two-factor-code", "aaaaa-bbbbb"), chromedp.Click(chromedp.CSS(`#two-factor button[type="submit"]`)))
	b.waitFor("wrong backup code", `document.querySelector("#two-factor-code-error").textContent !== ""`)
	b.want("wrong backup code", "#two-factor-code-error", "That backup code is not right, or it was used already. Each backup code works once.")
	// The code of the next period: the enrolment's code was spent, and a code is accepted once.
	b.do("TOTP code", fill("#two-factor-code", totpCode(t, secret, time.Now().Add(30*time.Second))),
		chromedp.Click(chromedp.CSS(`#two-factor button[type="submit"]`)))
	b.waitFor("dashboard after the code", visible(`body[data-page="dashboard"] #sessions tr`))
	b.want("dashboard after the code", `#user [data-field="email"]`, email)
	b.waitFor("dashboard after the code", visible("#two-factor-disable"))

	// A backup code, with "trust this device": it signs in once.
	b.signOut("sign out again")
	b.signIn("sign in with a backup code", email, password)
	b.waitFor("backup code step", visible("#two-factor"))
	b.do("backup code", fill("#two-factor-code", codes[0]), chromedp.Click(chromedp.CSS(`#two-factor input[name="trustDevice"]`)),
		chromedp.Click(chromedp.CSS(`#two-factor button[type="submit"]`)))
	b.waitFor("dashboard after the backup code", visible(`body[data-page="dashboard"] #sessions tr`))

	// The trusted browser signs in with the password alone.
	b.signOut("sign out, trusted")
	b.signIn("sign in on the trusted device", email, password)
	b.waitFor("trusted device", visible(`body[data-page="dashboard"] #sessions tr`))

	// A spent backup code is refused (a fresh browser profile: not trusted).
	ob := b.profile()
	ob.signIn("other browser", email, password)
	ob.waitFor("other browser code step", visible("#two-factor"))
	ob.do("spent backup code", fill("#two-factor-code", codes[0]), chromedp.Click(chromedp.CSS(`#two-factor button[type="submit"]`)))
	ob.waitFor("spent backup code", `document.querySelector("#two-factor-code-error").textContent !== ""`)
	ob.want("spent backup code", "#two-factor-code-error", "That backup code is not right, or it was used already. Each backup code works once.")

	// Off, with the password; the next sign-in asks for no code.
	b.do("disable", fill("#two-factor-disable-password", password), chromedp.Click(chromedp.CSS(`#two-factor-disable button[type="submit"]`)))
	b.waitFor("disabled", visible("#two-factor-enable"))
	b.want("disabled", "#two-factor-status", "Two-factor authentication is off: your password alone signs you in.")
	b.signOut("sign out, off")
	b.signIn("sign in, off", email, password)
	b.waitFor("signed in without a code", visible(`body[data-page="dashboard"] #sessions tr`))
}

// magicLinkLog finds a magic-link email to a recipient in the development mailer's log lines.
var magicLinkLog = regexp.MustCompile(`kind=magic-link to=(\S+) link="([^"]+)"`)

// TestBrowserMagicLink is the sign-in page's "Email me a sign-in link" in a real headless Chromium: an
// empty email is told under the field; a new address gets the confirmation, the development mailer writes
// the link to the server's log, and opening it signs the person up and in (their email verified) and
// lands on the dashboard; the same link opened again is spent, and the error page says so in words.
func TestBrowserMagicLink(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowserApp(t, ctx)
	const email = "grace@example.com"

	b.do("sign-in page", chromedp.Navigate(b.base+"/sign-in"), chromedp.Click(chromedp.CSS("#magic-link")))
	b.waitFor("no email", `document.querySelector("#sign-in-email-error").textContent !== ""`)
	b.want("no email", "#sign-in-email-error", "Enter your email address, then ask for the link.")

	b.do("ask for a link", fill("#sign-in-email", email), chromedp.Click(chromedp.CSS("#magic-link")))
	b.waitFor("link sent", visible("#magic-link-sent"))
	b.want("link sent", "#magic-link-email", email)
	b.shot("magic-link-sent-desktop")

	var link string
	deadline := time.Now().Add(10 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		for _, m := range magicLinkLog.FindAllStringSubmatch(b.logs.String(), -1) {
			if m[1] == email {
				link = m[2]
			}
		}
		if link == "" {
			time.Sleep(50 * time.Millisecond) // the mail queue sends in the background
		}
	}
	if !strings.HasPrefix(link, b.base+"/api/auth/magic-link/verify?token=") {
		t.Fatalf("the development mailer logged no magic link to %s (found %q)", email, link)
	}

	b.do("open the link", chromedp.Navigate(link))
	b.waitFor("dashboard", visible(`body[data-page="dashboard"] #sessions tr`))
	b.want("dashboard", `#user [data-field="email"]`, email)
	b.want("dashboard", "#verified", "Verified")

	b.do("open the link again", chromedp.Navigate(link))
	b.waitFor("spent link", `document.body.dataset.page === "error"`)
	b.want("spent link", "#error-text", "This link is invalid or has expired. Ask for a new one.")
}
