package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestBrowserPasskeyWalkthrough is issue 19's browser proof in the example app itself: in headless Chromium
// with a CDP virtual authenticator (a platform one on "internal" and a roaming one on "usb", CTAP2.1 with
// resident keys and user verification), a person signs up through the page, adds a passkey on the
// dashboard (web/static/passkey.js: navigator.credentials.create with the server's options), renames it,
// signs out, signs in with "Sign in with a passkey" (a discoverable credential, no email typed) and sees
// their dashboard; with the platform authenticator, signing out again lands on the sign-in page whose email
// field offers the passkey in autofill (a conditional request), which signs in by itself; then they delete
// the passkey, sign out, and are refused with a visible sentence when they try it again. User presence is
// simulated only around the button's clicks, so the autofill request cannot be what answers them. The authenticator must hold exactly one resident credential, and the passkey row must carry the
// authenticator's credential id and key; a signed-in session exists only where the page says so.
func TestBrowserPasskeyWalkthrough(t *testing.T) {
	chrome := requireChrome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()

	// WebAuthn needs a secure context and a domain for the RP ID: http://localhost is both.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://localhost:" + strconv.Itoa(ts.Listener.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	s := settings{baseURL: base, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
	a, db, err := newAuth(ctx, s, 0, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = newHandler(a, nil, nil)
	ts.Start()
	defer ts.Close()

	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := startChrome(t, ctx, chrome)
	tests := []struct {
		name      string
		transport webauthn.AuthenticatorTransport
		autofill  bool // Chromium offers autofill (conditional mediation) with a platform authenticator only
	}{
		{"platform", webauthn.AuthenticatorTransportInternal, true},
		{"roaming usb", webauthn.AuthenticatorTransportUsb, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancelTab()
			var authID webauthn.AuthenticatorID
			err := chromedp.Do(tab, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
					return chromedp.Void{}, err
				}
				r, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
					Options: &webauthn.VirtualAuthenticatorOptions{
						Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
						Transport: tt.transport, HasResidentKey: true, HasUserVerification: true, IsUserVerified: true,
						AutomaticPresenceSimulation: true,
					}})
				authID = r.AuthenticatorID
				return chromedp.Void{}, err
			}, chromedp.EmulateViewport(1280, 900))
			if err != nil {
				t.Fatal(err)
			}
			js := func(expr string) string {
				t.Helper()
				v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
				if err != nil {
					t.Fatalf("%s: %v", expr, err)
				}
				return v
			}
			do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				stepCtx, cancel := context.WithTimeout(tab, 20*time.Second)
				defer cancel()
				if err := chromedp.Do(stepCtx, actions...); err != nil {
					t.Fatalf("%s: %v (the browser shows: %s)", step, err, js(`document.body ? document.body.innerText : location.href`))
				}
			}
			waitFor := func(step, cond string) {
				t.Helper()
				stepCtx, cancel := context.WithTimeout(tab, 20*time.Second)
				defer cancel()
				if _, err := chromedp.Run(stepCtx, chromedp.Poll[bool](cond)); err != nil {
					t.Fatalf("%s: waiting for %s: %v (the browser shows: %s)", step, cond, err, js(`document.body ? document.body.innerText : location.href`))
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
			// signedInAs is the email of the tab's session, as the server sees it ("" when signed out).
			signedInAs := func() string {
				t.Helper()
				v, err := chromedp.Run(tab, chromedp.Evaluate[string](
					`fetch(document.body.dataset.authBase + "/get-session").then(r => r.json()).then(d => d && d.user ? d.user.email : "")`,
					chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			shot := func(name string) {
				t.Helper()
				b, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot %s: %v", name, err)
				}
				if err := os.WriteFile(filepath.Join(artifacts, name+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			credentials := func() []*webauthn.Credential {
				t.Helper()
				creds, err := chromedp.Run(tab, func(ctx context.Context, tg *chromedp.Target) ([]*webauthn.Credential, error) {
					r, err := cdp.Call(ctx, tg, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
					return r.Credentials, err
				})
				if err != nil {
					t.Fatal(err)
				}
				return creds
			}
			setPresence := func(on bool) {
				t.Helper()
				err := chromedp.Do(tab, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					_, err := cdp.Call(ctx, tg, webauthn.SetAutomaticPresenceSimulation,
						webauthn.SetAutomaticPresenceSimulationParams{AuthenticatorID: authID, Enabled: on})
					return chromedp.Void{}, err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			slug := strings.ReplaceAll(tt.name, " ", "-")

			// Sign up through the page: the dashboard has a Passkeys section, empty.
			email := fmt.Sprintf("grace%d@example.com", i)
			do("sign up", chromedp.Navigate(base+"/sign-up"), chromedp.WaitVisible(chromedp.CSS("#sign-up")),
				chromedp.SendKeys(chromedp.CSS("#sign-up-name"), "Grace Hopper"),
				chromedp.SendKeys(chromedp.CSS("#sign-up-email"), email),
				chromedp.SendKeys(chromedp.CSS("#sign-up-password"), "correct horse battery staple"),
				chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`body[data-page="dashboard"] #passkey-none`)))
			want("dashboard", "#passkeys-title", "Passkeys")
			want("dashboard", "#passkey-none", "You have no passkeys yet.")

			// Add a passkey: the browser asks the authenticator, the list shows it by the name given.
			do("add a passkey", chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Work laptop"),
				chromedp.Click(chromedp.CSS(`#passkey-add button[type="submit"]`)))
			waitFor("add a passkey", `document.querySelectorAll("#passkey-list li").length === 1`)
			want("add a passkey", "#passkey-list li .passkey-name", "Work laptop")
			want("add a passkey", "#passkey-add .notice", "Passkey added. Next time, sign in with it instead of your password.")
			want("add a passkey", "#passkey-none", "")
			if year := strconv.Itoa(time.Now().Year()); !strings.Contains(text("#passkey-list li .muted"), year) {
				t.Errorf("add a passkey: the row says %q, want when it was added", text("#passkey-list li .muted"))
			}
			creds := credentials()
			if len(creds) != 1 || !creds[0].IsResidentCredential {
				t.Fatalf("the authenticator holds %d credentials, want 1 resident one", len(creds))
			}
			id := js(`document.querySelector("#passkey-list li").dataset.id`)
			row := readPasskeyRow(t, ctx, db, id)
			if want := toB64URL(creds[0].CredentialID); row.credentialID != want || row.name != "Work laptop" || row.transports != string(tt.transport) {
				t.Errorf("stored row %+v: want credential %s, name Work laptop, transports %s", row, want, tt.transport)
			}
			checkStoredKey(t, row.publicKey, creds[0].PrivateKey)
			shot("passkey-added-" + slug)

			// Rename it in place.
			do("rename", chromedp.Click(chromedp.CSS(`#passkey-list li button[data-action="rename"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#passkey-list li input[name="name"]`)))
			js(`(() => { const i = document.querySelector('#passkey-list li input[name="name"]'); i.value = ""; return "" })()`)
			do("rename", chromedp.SendKeys(chromedp.CSS(`#passkey-list li input[name="name"]`), "Grace's key"),
				chromedp.Click(chromedp.CSS(`#passkey-list li button[data-action="save"]`)))
			waitFor("rename", `document.querySelector("#passkey-list li .passkey-name")?.textContent === "Grace's key"`)
			want("rename", "#passkey-add .notice", "Passkey renamed to “Grace's key”.")
			if r := readPasskeyRow(t, ctx, db, id); r.name != "Grace's key" {
				t.Errorf("rename: the row's name is %q", r.name)
			}

			// Sign out, then sign in with "Sign in with a passkey" alone. The sign-in page also offers the
			// passkey in the email field's autofill (a conditional request), which the virtual authenticator
			// would answer at once: user presence is off until the click, so the button is what signs in.
			setPresence(false)
			do("sign out", chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#notice")),
				chromedp.WaitVisible(chromedp.CSS("#passkey-sign-in button")))
			if got := signedInAs(); got != "" {
				t.Fatalf("signed in as %s after signing out", got)
			}
			want("passkey sign-in", "#passkey-sign-in button", "Sign in with a passkey")
			if tt.autofill {
				// The page marks the email field for passkey autofill once the browser says it can.
				waitFor("autofill offered", `document.querySelector("#sign-in-email").autocomplete === "email webauthn"`)
			}
			setPresence(true)
			do("passkey sign-in", chromedp.Click(chromedp.CSS("#passkey-sign-in button")),
				chromedp.WaitVisible(chromedp.CSS(`body[data-page="dashboard"] #sessions tr`)))
			waitFor("passkey sign-in", `document.querySelector('#user [data-field="email"]')?.textContent === `+strconv.Quote(email))
			want("passkey sign-in", `#user [data-field="name"]`, "Grace Hopper")
			if got := signedInAs(); got != email {
				t.Fatalf("after the passkey sign-in the server sees %q, want %s", got, email)
			}
			after := readPasskeyRow(t, ctx, db, id)
			if after.counter <= row.counter {
				t.Errorf("the counter is %d after a sign-in, was %d", after.counter, row.counter)
			}

			if tt.autofill {
				// Signed out with the authenticator answering at once: the autofill request signs in by itself.
				// The counter moving is the sign-in's mark (the dashboard is on screen before and after).
				do("autofill sign-in", chromedp.Click(chromedp.CSS("#sign-out")))
				for deadline := time.Now().Add(20 * time.Second); readPasskeyRow(t, ctx, db, id).counter <= after.counter; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("autofill sign-in: the counter is still %d (the browser shows: %s)", after.counter,
							js(`document.body ? document.body.innerText : location.href`))
					}
				}
				do("autofill sign-in", chromedp.WaitVisible(chromedp.CSS(`body[data-page="dashboard"] #sessions tr`)))
				waitFor("autofill sign-in", `document.querySelector('#user [data-field="email"]')?.textContent === `+strconv.Quote(email))
				if got := signedInAs(); got != email {
					t.Fatalf("after the autofill sign-in the server sees %q, want %s", got, email)
				}
			}

			// Delete it, after a confirmation in the row.
			waitFor("delete", `document.querySelectorAll("#passkey-list li").length === 1`)
			do("delete", chromedp.Click(chromedp.CSS(`#passkey-list li button[data-action="delete"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#passkey-list li button[data-action="confirm-delete"]`)))
			want("delete", "#passkey-list li .passkey-name", "Delete “Grace's key”? You will no longer be able to sign in with it.")
			do("delete", chromedp.Click(chromedp.CSS(`#passkey-list li button[data-action="confirm-delete"]`)),
				chromedp.WaitVisible(chromedp.CSS("#passkey-none")))
			want("delete", "#passkey-add .notice", "Passkey “Grace's key” deleted.")
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "passkey" WHERE "id" = ?`, id).Scan(&n); err != nil || n != 0 {
				t.Errorf("passkey rows of id %s after the delete: %d (%v), want 0", id, n, err)
			}

			// The authenticator still holds the credential, but the server no longer knows it: refused, in words.
			setPresence(false)
			do("sign out again", chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#passkey-sign-in button")))
			setPresence(true)
			do("refused", chromedp.Click(chromedp.CSS("#passkey-sign-in button")),
				chromedp.WaitVisible(chromedp.CSS("#passkey-sign-in .alert")))
			want("refused", "#passkey-sign-in .alert",
				"This passkey is not registered here (it may have been deleted). Sign in with your email and password instead.")
			if got := js(`document.body.dataset.page`); got != "sign-in" {
				t.Errorf("refused: the browser is on %q, want the sign-in page", got)
			}
			if got := signedInAs(); got != "" {
				t.Errorf("signed in as %s with a deleted passkey", got)
			}
			if len(credentials()) != 1 {
				t.Errorf("the authenticator lost its credential: the refusal must come from the server")
			}
			shot("passkey-refused-" + slug)
		})
	}
}

// toB64URL is unpadded base64url, as Better Auth stores credential ids.
func toB64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
