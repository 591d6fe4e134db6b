package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// rowHas is the JavaScript condition "the users table's row of email shows text".
func rowHas(email, text string) string {
	return `(() => { const r = document.querySelector('#users tr[data-email=` + strconv.Quote(email) + `]'); return !!r && r.innerText.includes(` + strconv.Quote(text) + `) })()`
}

// TestBrowserAdmin is the admin and API keys pages in a real headless Chromium (one browser; a second
// profile for the banned user). The first user to sign up (development mode) sees the Admin link and the
// users, ten a page, searched by email; bans Bob with a reason and a length (his row says so, his sign-in
// is refused in words, his API key stops working); impersonates Carol (her dashboard, and the banner on every
// page with the Admin link gone) and stops, landing back on the admin page as herself; unbans Bob, who then
// signs in without an Admin link and gets the 403 page at /admin. Then she creates an API key, shown once
// with a Copy button (the key works against /api/me, is gone from the page once saved, listed by its first
// characters) and revokes it (the key is refused). Last, organizations: she creates two, switches between
// them in the top bar, invites Carol, whose link (from the development mailer's log) Carol opens in her
// own browser, signing in on the way, and accepts: she is a member of that organization, and Ada's members
// page lists her.
func TestBrowserAdmin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	b := newBrowserApp(t, ctx)
	const password = "correct-horse-battery"

	b.do("sign up", chromedp.Navigate(b.base+"/sign-up"),
		fill("#sign-up-name", "Ada Admin"), fill("#sign-up-email", "ada@example.com"), fill("#sign-up-password", password),
		chromedp.Click(chromedp.CSS(`#sign-up button[type="submit"]`)))
	b.waitFor("the first user sees the Admin link", visible("#nav-admin"))

	bob := newClient(t, b.base)
	bob.signUp("Bob Builder", "bob@example.com")
	bobKey := bob.newKey("bob's script")
	newClient(t, b.base).signUp("Carol Impersonated", "carol@example.com")
	for i := range 9 {
		newClient(t, b.base).signUp(fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.com", i))
	}
	anon := newClient(t, b.base)
	keyWorks := func(step, key string, want int) {
		t.Helper()
		if status, body := anon.call("GET", "/api/me", nil, map[string]string{"x-api-key": key}); status != want {
			t.Errorf("%s: /api/me with the key: %d %s, want %d", step, status, body, want)
		}
	}

	b.do("admin page", chromedp.Click(chromedp.CSS("#nav-admin")))
	b.waitFor("first page", `document.querySelectorAll("#users tr").length === 10`)
	b.want("first page", "#users-range", "1–10 of 12")
	b.do("next page", chromedp.Click(chromedp.CSS("#users-next")))
	b.waitFor("second page", `document.querySelectorAll("#users tr").length === 2`)
	b.want("second page", "#users-range", "11–12 of 12")
	search := func(step, value string) {
		t.Helper()
		b.do(step, fill("#user-search-value", value), chromedp.Click(chromedp.CSS(`#user-search button[type="submit"]`)))
		b.waitFor(step, `document.querySelectorAll("#users tr").length === 1 && document.querySelector("#users tr").dataset.email === "`+value+`@example.com"`)
	}
	search("search bob", "bob")
	b.want("search bob", "#users-range", "1–1 of 1")

	// Ban Bob for a day, with a reason.
	b.do("ban", chromedp.Click(chromedp.CSS(`button[aria-label="Ban Bob Builder"]`)))
	b.waitFor("ban dialog", visible("#ban-form"))
	b.want("ban dialog", "#ban-title", "Ban Bob Builder")
	b.do("ban reason", fill("#ban-reason", "Spam"))
	b.js(`document.querySelector("#ban-expires").value = "86400"; ""`)
	b.do("ban submit", chromedp.Click(chromedp.CSS("#ban-submit")))
	b.waitFor("banned", rowHas("bob@example.com", "Banned"))
	if row := b.text(`#users tr[data-email="bob@example.com"] .ban-detail`); !strings.HasPrefix(row, "Spam, until ") {
		t.Errorf("banned row: %q, want the reason and the end of the ban", row)
	}
	b.want("banned", "#admin-notice", "Bob Builder is banned and signed out everywhere.")
	b.shot("admin-banned")
	keyWorks("banned", bobKey, 403)
	bp := b.profile()
	bp.signIn("Bob signs in, banned", "bob@example.com", password)
	bp.waitFor("Bob refused", `document.querySelector("#sign-in .alert").innerText.includes("suspended")`)

	// Impersonate Carol: her dashboard, and the banner on every page.
	search("search carol", "carol")
	b.do("impersonate", chromedp.Click(chromedp.CSS(`button[aria-label="Impersonate Carol Impersonated"]`)))
	b.waitFor("impersonating", `location.pathname === "/dashboard" && document.querySelector('#user [data-field="name"]').textContent === "Carol Impersonated"`)
	b.waitFor("banner", visible("#impersonation"))
	b.want("banner", "#impersonated-user", "Carol Impersonated (carol@example.com)")
	b.shot("admin-impersonating")
	b.do("another page", chromedp.Navigate(b.base+"/api-keys"))
	b.waitFor("banner on every page", visible("#impersonation")+` && `+visible("#nav"))
	if b.text("#nav-admin") != "" {
		t.Error("impersonating: the Admin link is shown")
	}
	b.do("stop impersonating", chromedp.Click(chromedp.CSS("#stop-impersonating")))
	b.waitFor("back on the admin page", `location.pathname === "/admin" && document.querySelectorAll("#users tr").length > 0`)
	if b.text("#impersonation") != "" {
		t.Error("after stopping: the banner is still shown")
	}
	// Signed in as herself again: the Admin link is back (the top bar shows it only to an admin who is not
	// impersonating anyone).
	b.waitFor("herself again", visible("#nav-admin"))

	// Unban Bob: his key works again; signed in, he has no Admin link and /admin is the 403 page.
	search("search bob again", "bob")
	b.do("unban", chromedp.Click(chromedp.CSS(`button[aria-label="Unban Bob Builder"]`)))
	b.waitFor("unbanned", rowHas("bob@example.com", "Active"))
	keyWorks("unbanned", bobKey, 200)
	bp.signIn("Bob signs in", "bob@example.com", password)
	bp.waitFor("Bob's dashboard", `location.pathname === "/dashboard" && `+visible("#nav"))
	if bp.text("#nav-admin") != "" {
		t.Error("Bob, not an admin, sees the Admin link")
	}
	bp.do("Bob opens /admin", chromedp.Navigate(b.base+"/admin"))
	bp.want("Bob opens /admin", "h1", "This page is for administrators")

	// API keys: create, shown once with Copy, used, revoked.
	b.do("API keys page", chromedp.Click(chromedp.CSS(`#nav a[href="/api-keys"]`)))
	b.waitFor("API keys page", visible("#api-keys-empty"))
	b.do("create key", fill("#api-key-name", "ci"))
	b.js(`document.querySelector("#api-key-expires").value = "604800"; ""`)
	b.do("create key", chromedp.Click(chromedp.CSS(`#api-key-create button[type="submit"]`)))
	b.waitFor("key shown", visible("#api-key-value")+` && document.querySelectorAll("#api-keys tr").length === 1`)
	key := b.text("#api-key-value")
	if len(key) != 64 {
		t.Fatalf("the key shown is %q, want 64 letters", key)
	}
	b.do("copy", chromedp.Click(chromedp.CSS("#api-key-copy")))
	b.waitFor("copied", `document.querySelector("#api-key-copied").textContent !== ""`)
	if row := b.text("#api-keys tr"); !strings.Contains(row, "ci") || !strings.Contains(row, key[:6]+"…") || strings.Contains(row, key) {
		t.Errorf("the key's row: %q, want its name and first 6 characters, never the key", row)
	}
	b.shot("api-key-created")
	keyWorks("created", key, 200)
	b.do("saved", chromedp.Click(chromedp.CSS("#api-key-done")))
	b.do("reload", chromedp.Navigate(b.base+"/api-keys"))
	b.waitFor("listed", `document.querySelectorAll("#api-keys tr").length === 1`)
	if b.js(`String(document.documentElement.outerHTML.includes(`+strconv.Quote(key)+`))`) != "false" || b.text("#api-key-created") != "" {
		t.Error("the key is shown again after it was saved")
	}
	b.do("revoke", chromedp.Click(chromedp.CSS(`button[aria-label="Revoke the key ci"]`)))
	b.waitFor("revoked", visible("#api-keys-empty"))
	keyWorks("revoked", key, 401)

	// Organizations: Ada creates Acme, then Globex (now the active one), switches back to Acme in the top bar
	// and invites Carol, whose link the development mailer writes to the log; Carol opens it in her own
	// browser, signs in on the way, accepts, and lands in Acme as a member.
	b.do("organization page", chromedp.Click(chromedp.CSS(`#nav a[href="/organization"]`)))
	b.waitFor("no organization yet", visible("#org-create"))
	createOrg := func(name, slug string) {
		t.Helper()
		b.do("create "+name, fill("#org-create-name", name), fill("#org-create-slug", slug),
			chromedp.Click(chromedp.CSS(`#org-create button[type="submit"]`)))
		b.waitFor(name+" is active", `document.querySelector("#org-name").textContent === "`+name+`" && `+visible("#org-active"))
	}
	createOrg("Acme", "acme")
	b.want("Acme", "#org-role", "You: owner")
	b.do("another organization", chromedp.Click(chromedp.CSS("#org-active details summary")), chromedp.Click(chromedp.CSS("#org-create-another")))
	createOrg("Globex", "globex")
	switcher := func(bb *browserApp) string {
		return bb.js(`(() => { const s = document.querySelector("#org-switcher"); return s && !s.hidden ? [...s.options].map((o) => (o.selected ? "*" : "") + o.text).join("|") : "" })()`)
	}
	b.waitFor("switcher", `document.querySelector("#org-switcher").options.length === 3`)
	if got := switcher(b); got != "No organization|Acme|*Globex" && got != "No organization|*Globex|Acme" {
		t.Errorf("the switcher shows %q, want both organizations, Globex chosen", got)
	}
	b.js(`(() => { const s = document.querySelector("#org-switcher"); s.value = [...s.options].find((o) => o.text === "Acme").value; s.dispatchEvent(new Event("change")); return "" })()`)
	b.waitFor("switched to Acme", `document.querySelector("#org-name").textContent === "Acme" && document.querySelector("#org-switcher").selectedOptions[0].text === "Acme"`)
	b.do("invite Carol", fill("#org-invite-email", "carol@example.com"), chromedp.Click(chromedp.CSS(`#org-invite button[type="submit"]`)))
	b.waitFor("invited", `document.querySelector('#invitations tr[data-email="carol@example.com"]') !== null`)
	b.want("invited", "#org-notice", "Invitation sent to carol@example.com.")
	link := ""
	linkRE := regexp.MustCompile(`kind=organization-invitation to=carol@example.com link="([^"]+)"`)
	for deadline := time.Now().Add(10 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := linkRE.FindStringSubmatch(b.logs.String()); m != nil {
			link = m[1]
		}
	}
	if !strings.HasPrefix(link, b.base+"/accept-invitation?id=") {
		t.Fatalf("the invitation's link in the log is %q, want %s/accept-invitation?id=…", link, b.base)
	}
	b.shot("organization-invited")
	cp := b.profile()
	cp.do("Carol opens the link", chromedp.Navigate(link))
	cp.waitFor("asked to sign in", visible("#sign-in-email"))
	cp.do("Carol signs in", fill("#sign-in-email", "carol@example.com"), fill("#sign-in-password", password),
		chromedp.Click(chromedp.CSS(`#sign-in button[type="submit"]`)))
	cp.waitFor("the invitation", visible("#invitation-actions"))
	cp.want("the invitation", "#invitation-text", "ada@example.com invites you to join Acme as member.")
	cp.do("accept", chromedp.Click(chromedp.CSS("#invitation-accept")))
	cp.waitFor("in Acme", `location.pathname === "/organization" && document.querySelector("#org-name").textContent === "Acme"`)
	cp.waitFor("Carol's switcher", `document.querySelector("#org-switcher").options.length === 2`)
	if got := switcher(cp); got != "No organization|*Acme" {
		t.Errorf("Carol's switcher shows %q, want Acme chosen", got)
	}
	cp.want("member", "#org-role", "You: member")
	if cp.text("#org-invite") != "" {
		t.Error("a member sees the invitation form")
	}
	b.do("Ada's members", chromedp.Reload())
	b.waitFor("Carol is a member", `document.querySelector('#members tr[data-email="carol@example.com"]') !== null && `+visible("#invitations-empty"))
}
