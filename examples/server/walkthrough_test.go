package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// artifacts is where the walkthrough keeps its screenshots for review (git-ignored; CI keeps them).
const artifacts = ".artifacts"

// TestBrowserWalkthrough walks the example app as a person does, in a real headless Chromium: the home page
// signed out, sign-up with mistakes (each message in plain words under its field, cleared as the field is
// edited), the loading state, the dashboard (human dates, "Chrome on Linux", this device marked), the same
// at phone width (the sessions table becomes cards, nothing scrolls sideways), the signed-in home (no sign-up
// or sign-in links), sign-out, a wrong password, and the 404 page. It checks the CSP header the pages are
// served with, and saves screenshots at desktop (1280×800) and phone (375×740) width under .artifacts/.
func TestBrowserWalkthrough(t *testing.T) {
	chrome := requireChrome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	dir := t.TempDir()
	s := settings{baseURL: base, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
	a, db, err := newAuth(ctx, s, 0, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	// gate holds sign-up requests while it is not nil, so the test can see the loading state.
	var gate atomic.Pointer[chan struct{}]
	app := newHandler(a, nil, nil)
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g := gate.Load(); g != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/sign-up/email") {
			<-*g
		}
		app.ServeHTTP(w, r)
	})
	ts.Start()
	defer ts.Close()

	// The server's answers before any browser: the CSP allows this origin's scripts and styles only, and
	// unknown pages are a styled 404 (JSON under /api/).
	for _, tt := range []struct {
		name, path, want string
		status           int
	}{
		{"home", "/", `<script src="/static/app.js" defer>`, 200},
		{"unknown page", "/no/such/page", "<h1>Page not found</h1>", 404},
		{"unknown api", "/api/nope", `{"code":"NOT_FOUND","message":"Not Found"}`, 404},
		{"error page", "/error?error=access_denied", "<h1>Something went wrong</h1>", 200},
	} {
		res, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: GET %s: %d, want %d with %q", tt.name, tt.path, res.StatusCode, tt.status, tt.want)
		}
		if csp := res.Header.Get("Content-Security-Policy"); tt.status == 200 &&
			(!strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe")) {
			t.Errorf("%s: CSP %q", tt.name, csp)
		}
	}

	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := startChrome(t, ctx, chrome)
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil { // opens the tab for tab's lifetime, not for one step's
		t.Fatal(err)
	}

	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// js evaluates a JavaScript expression in the page.
	js := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	// waitFor waits until the JavaScript condition holds.
	waitFor := func(step, cond string) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if _, err := chromedp.Run(stepCtx, chromedp.Poll[bool](cond)); err != nil {
			t.Fatalf("%s: waiting for %s: %v (the browser shows: %s)", step, cond, err, js("document.body.innerText"))
		}
	}
	// text is what a person sees in the first element sel matches ("" when it is hidden).
	text := func(sel string) string {
		t.Helper()
		return js(`(() => { const e = document.querySelector(` + strconv.Quote(sel) + `); return e && e.offsetParent !== null ? e.innerText.trim() : "" })()`)
	}
	want := func(step, sel, wantText string) {
		t.Helper()
		if got := text(sel); got != wantText {
			t.Errorf("%s: %s shows %q, want %q", step, sel, got, wantText)
		}
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100: PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(artifacts, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	desktop := chromedp.EmulateViewport(1280, 800)
	phone := chromedp.EmulateViewport(375, 740)

	// Home, signed out: an invitation to sign up or in.
	do("home", desktop, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#signed-out")))
	want("home", "#status", "You are not signed in.")
	want("home", `#signed-out a[href="/sign-up"]`, "Create an account")
	want("home", `#signed-out a[href="/sign-in"]`, "Sign in")
	shot("home-desktop")

	// Sign-up: every field has a label, the password rules are shown before anyone types.
	do("sign-up page", chromedp.Navigate(base+"/sign-up"), chromedp.WaitVisible(chromedp.CSS("#sign-up")))
	if js(`String([...document.querySelectorAll("#sign-up input")].every(i => i.labels.length > 0))`) != "true" {
		t.Error("sign-up: an input has no label")
	}
	want("sign-up", "#sign-up-password-hint", "At least 8 characters. A few unrelated words make a strong one.")

	// Nothing filled in: a sentence under each field, the first field focused.
	do("empty sign-up", chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	waitFor("empty sign-up", `document.querySelector('[data-error-for="password"]').textContent !== ""`)
	want("empty sign-up", `[data-error-for="name"]`, "Enter your name.")
	want("empty sign-up", `[data-error-for="email"]`, "Enter your email address.")
	want("empty sign-up", `[data-error-for="password"]`, "Choose a password.")
	if got := js(`document.activeElement.id + " " + document.activeElement.getAttribute("aria-invalid")`); got != "sign-up-name true" {
		t.Errorf("empty sign-up: focus on %q, want the name field marked invalid", got)
	}
	// Editing a field clears its message, and only its own.
	do("type a name", chromedp.SendKeys(chromedp.CSS("#sign-up-name"), "Ada Lovelace"))
	want("type a name", `[data-error-for="name"]`, "")
	want("type a name", `[data-error-for="email"]`, "Enter your email address.")
	if js(`String(document.querySelector("#sign-up-name").hasAttribute("aria-invalid"))`) != "false" {
		t.Error("type a name: the name field is still marked invalid")
	}

	// The server's answers, as sentences: Better Auth's VALIDATION_ERROR "[body.email] Invalid email address"
	// and PASSWORD_TOO_SHORT, each under its field.
	do("bad email", chromedp.SendKeys(chromedp.CSS("#sign-up-email"), "ada@"),
		chromedp.SendKeys(chromedp.CSS("#sign-up-password"), "short"),
		chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	waitFor("bad email", `document.querySelector('[data-error-for="email"]').textContent !== ""`)
	want("bad email", `[data-error-for="email"]`, "Enter an email address such as name@example.com.")
	do("fix the email", chromedp.SendKeys(chromedp.CSS("#sign-up-email"), "example.com"))
	want("fix the email", `[data-error-for="email"]`, "")
	do("short password", chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	waitFor("short password", `document.querySelector('[data-error-for="password"]').textContent !== ""`)
	want("short password", `[data-error-for="password"]`, "Use at least 8 characters.")
	if body := js("document.body.innerText"); strings.Contains(body, "[body.") || strings.Contains(body, "PASSWORD_TOO_SHORT") {
		t.Errorf("short password: a raw server text is shown:\n%s", body)
	}
	shot("sign-up-errors-desktop")
	do("sign-up errors at phone width", phone)
	shot("sign-up-errors-phone")
	do("desktop again", desktop)

	// A good password; while the server works, the button says so and cannot be pressed twice.
	release := make(chan struct{})
	gate.Store(&release)
	do("good password", chromedp.SendKeys(chromedp.CSS("#sign-up-password"), " enough for a password"),
		chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	want("good password", `[data-error-for="password"]`, "")
	waitFor("loading", `document.querySelector('#sign-up button[type="submit"]').disabled`)
	want("loading", `#sign-up button[type="submit"]`, "Creating your account…")
	if js(`String(!!document.querySelector('#sign-up button .spinner') && document.querySelector("#sign-up").getAttribute("aria-busy") === "true")`) != "true" {
		t.Error("loading: no spinner, or the form is not aria-busy")
	}
	shot("sign-up-loading-desktop")
	gate.Store(nil)
	close(release)

	// The dashboard: the person, in words; their sessions, with this device first and marked.
	do("dashboard", chromedp.WaitVisible(chromedp.CSS(`body[data-page="dashboard"] #sessions tr`)))
	want("dashboard", `#user [data-field="name"]`, "Ada Lovelace")
	want("dashboard", `#user [data-field="email"]`, "ada@example.com")
	want("dashboard", "#verified", "Not verified yet")
	year := strconv.Itoa(time.Now().Year())
	if since := text(`#user [data-field="createdAt"]`); !strings.Contains(since, year) || strings.Contains(since, "T") || strings.Contains(since, "Z") {
		t.Errorf("dashboard: member since %q, want a date in words", since)
	}
	want("dashboard", "#sessions tr td.device", "Chrome on Linux This device")
	if started := text("#sessions tr td:nth-child(2)"); !strings.Contains(started, year) || strings.Contains(started, "T") {
		t.Errorf("dashboard: signed in %q, want a date and time in words", started)
	}
	if body := js("document.body.innerText"); strings.Contains(body, "Mozilla/") || strings.Contains(body, "Email verified") {
		t.Errorf("dashboard: raw values shown:\n%s", body)
	}
	shot("dashboard-desktop")

	// At phone width nothing scrolls sideways, and each session is a card with labelled lines.
	do("phone dashboard", phone, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#sessions tr`)))
	if w := js(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("phone dashboard: the page is %s px wide, want 375 (no sideways scrolling)", w)
	}
	if got := js(`getComputedStyle(document.querySelector("#sessions tr")).display + " " + getComputedStyle(document.querySelector("thead")).position`); got != "block absolute" {
		t.Errorf("phone dashboard: session row display and table head position %q, want the card layout", got)
	}
	shot("dashboard-phone")

	// Home, signed in: a way to the account and out, no sign-up or sign-in.
	do("home signed in", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#signed-in")))
	want("home signed in", "#status", "You are signed in as Ada Lovelace.")
	if n := js(`String([...document.querySelectorAll('a[href="/sign-up"], a[href="/sign-in"]')].filter(a => a.offsetParent !== null).length)`); n != "0" {
		t.Errorf("home signed in: %s sign-up or sign-in links shown", n)
	}
	shot("home-signed-in-phone")

	// Sign out: the sign-in page says it happened.
	do("sign out", chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	want("sign out", "#notice", "You have signed out. See you soon.")

	// A wrong password: one sentence that gives nothing away, announced, and gone once the person edits.
	do("wrong password", chromedp.SendKeys(chromedp.CSS("#sign-in-email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#sign-in-password"), "not the password"),
		chromedp.Click(chromedp.CSS(`#sign-in button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#sign-in .alert")))
	want("wrong password", "#sign-in .alert", "That email and password do not match. Check both and try again.")
	if role := js(`document.querySelector("#sign-in .alert").getAttribute("role")`); role != "alert" {
		t.Errorf("wrong password: the message's role is %q, want alert", role)
	}
	want("wrong password", `#sign-in button[type="submit"]`, "Sign in")
	shot("sign-in-wrong-password-phone")
	do("edit the password", chromedp.SendKeys(chromedp.CSS("#sign-in-password"), "!"))
	want("edit the password", "#sign-in .alert", "")
	do("sign-in at desktop width", desktop)
	shot("sign-in-desktop")

	// A page that does not exist.
	do("404", chromedp.Navigate(base+"/no/such/page"), chromedp.WaitVisible(chromedp.CSS("h1")))
	want("404", "h1", "Page not found")
	want("404", "main a.button", "Go to the home page")
	shot("404-desktop")
}
