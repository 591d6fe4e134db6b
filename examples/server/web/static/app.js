// The app's only script: it calls Better Auth's endpoints on this server with fetch, as the better-auth
// client does (JSON bodies, same-origin cookies; the browser adds the Origin header the server checks on
// POST), and turns their answers into what a person reads: sentences next to the field they are about,
// dates and browser names instead of timestamps and user-agent strings. No framework, no build step; the
// page's Content-Security-Policy allows this file and nothing inline.
"use strict";

// AUTH is where Better Auth's endpoints are: the server writes its base path into every page (the body's
// data-auth-base attribute), so BETTER_AUTH_URL with a path or BETTER_AUTH_BASE_PATH moves them.
const AUTH = document.body.dataset.authBase || "/api/auth";

// api calls one Better Auth endpoint: GET without a body, POST with a JSON one. It returns
// {ok, status, data}, data being the parsed JSON answer (null when there is none).
async function api(path, body) {
  const init = { credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(AUTH + path, init);
  let data = null;
  try {
    data = await res.json();
  } catch {
    // an empty answer (404) has no JSON
  }
  return { ok: res.ok, status: res.status, data };
}


// Better Auth's error codes, as sentences. A field names the input the sentence belongs under; null puts
// it above the form's button. Codes not listed fall back to a generic sentence, never the server's text.
const CODES = {
  INVALID_EMAIL_OR_PASSWORD: [null, "That email and password do not match. Check both and try again."],
  USER_ALREADY_EXISTS: ["email", "An account with this email already exists. Sign in instead, or use another email."],
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: ["email", "An account with this email already exists. Sign in instead, or use another email."],
  INVALID_EMAIL: ["email", "Enter an email address such as name@example.com."],
  PASSWORD_TOO_SHORT: ["password", () => "Use at least " + passwordRule("minLength", 8) + " characters."],
  PASSWORD_TOO_LONG: ["password", () => "Use at most " + passwordRule("maxLength", 128) + " characters."],
  EMAIL_NOT_VERIFIED: [null, "Confirm your email address first: open the link we sent you."],
  BANNED_USER: [null, "This account is suspended. Contact the site's team if you think this is a mistake."],
  INVALID_ORIGIN: [null, "The server does not trust the address this page was opened from. Open the app from its usual address."],
  MISSING_OR_NULL_ORIGIN: [null, "The server does not trust the address this page was opened from. Open the app from its usual address."],
  FAILED_TO_CREATE_USER: [null, "We could not create your account just now. Please try again."],
  SESSION_EXPIRED: [null, "Your session has expired. Please sign in again."],
  SESSION_NOT_FRESH: [null, "For your safety, sign out and sign in again before changing this."],
  INVALID_PASSWORD: ["password", "That password is not right. Check it and try again."],
  // The two-factor plugin's codes.
  INVALID_CODE: ["code", "That code is not right. Enter the code your authenticator app shows now."],
  INVALID_BACKUP_CODE: ["code", "That backup code is not right, or it was used already. Each backup code works once."],
  ACCOUNT_TEMPORARILY_LOCKED: [null, "Too many wrong codes. Your account is locked for 15 minutes; try again later."],
  TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: [null, "Too many wrong codes for this sign-in. Start again with your email and password."],
  INVALID_TWO_FACTOR_COOKIE: [null, "This sign-in has expired. Start again with your email and password."],
  TOTP_ALREADY_ENABLED: [null, "Two-factor authentication is already on."],
  TOTP_NOT_ENABLED: [null, "Two-factor authentication is not set up for this account. Start again."],
  TWO_FACTOR_NOT_ENABLED: [null, "Two-factor authentication is not on for this account."],
  // The admin plugin's codes.
  YOU_CANNOT_BAN_YOURSELF: [null, "You cannot ban yourself."],
  YOU_CANNOT_IMPERSONATE_ADMINS: [null, "Administrators cannot be impersonated."],
  YOU_ARE_NOT_ALLOWED_TO_LIST_USERS: [null, "Your account cannot manage users."],
  YOU_ARE_NOT_ALLOWED_TO_BAN_USERS: [null, "Your account cannot ban users."],
  YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS: [null, "Your account cannot impersonate users."],
  YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS: [null, "Your account cannot sign users out."],
  USER_NOT_FOUND: [null, "That user no longer exists. Reload the page."],
  // The api-key plugin's codes.
  INVALID_NAME_LENGTH: ["name", "Use 1 to 32 characters for the name."],
  KEY_NOT_FOUND: [null, "That key no longer exists. Reload the page."],
  USER_BANNED: [null, "This account is suspended."],
  EXPIRES_IN_IS_TOO_SMALL: [null, "A key must live at least a day."],
  EXPIRES_IN_IS_TOO_LARGE: [null, "A key may live at most a year."],
  // The organization plugin's codes.
  ORGANIZATION_ALREADY_EXISTS: ["slug", "That short name is taken. Choose another."],
  USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION: ["email", "This person is already a member."],
  USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION: ["email", "This person is already invited."],
  YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION: [null, "Only owners and admins can invite people."],
  YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE: [null, "You cannot invite someone with that role."],
  INVITATION_NOT_FOUND: [null, "This invitation does not exist any more, or has expired. Ask for a new one."],
  YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION: [null, "This invitation is for another email address. Sign in with that address to accept it."],
};

// FIELD_PROBLEMS are the sentences for VALIDATION_ERROR, whose message names the field: "[body.email] …".
const FIELD_PROBLEMS = {
  name: "Enter your name.",
  email: "Enter an email address such as name@example.com.",
  password: "Enter a password.",
  code: "Enter the code.",
};

// passwordRule reads the sign-up form's password rule (minLength or maxLength), shown next to the field.
function passwordRule(prop, fallback) {
  const input = document.querySelector('input[name="password"]');
  return input && input[prop] > 0 ? input[prop] : fallback;
}

// problems turns a failed answer into [{field, text}]: field is an input's name, or null for the form.
function problems(res) {
  const code = res.data && res.data.code;
  if (res.status === 429 && !CODES[code]) {
    return [{ field: null, text: "Too many attempts. Wait a minute, then try again." }];
  }
  if (code === "VALIDATION_ERROR") {
    const found = [];
    for (const m of String(res.data.message || "").matchAll(/\[body\.(\w+)\]/g)) {
      if (FIELD_PROBLEMS[m[1]] && !found.some((p) => p.field === m[1])) {
        found.push({ field: m[1], text: FIELD_PROBLEMS[m[1]] });
      }
    }
    if (found.length) {
      return found;
    }
  }
  if (CODES[code]) {
    const [field, text] = CODES[code];
    return [{ field, text: typeof text === "function" ? text() : text }];
  }
  if (res.status >= 500) {
    return [{ field: null, text: "The server ran into a problem. Please try again in a moment." }];
  }
  return [{ field: null, text: "Something went wrong. Please try again." }];
}

// message is problems as one sentence, for places without fields.
function message(res) {
  return problems(res).map((p) => p.text).join(" ");
}

const UNREACHABLE = "We could not reach the server. Check your connection and try again.";

function showError(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

// fieldError shows text under the form's input name (or clears it when text is ""), marking the input
// invalid for assistive technology; it returns the input.
function fieldError(form, name, text) {
  const input = form.elements.namedItem(name);
  const slot = form.querySelector('[data-error-for="' + name + '"]');
  if (!input || !slot) {
    return null;
  }
  slot.textContent = text;
  if (text) {
    input.setAttribute("aria-invalid", "true");
  } else {
    input.removeAttribute("aria-invalid");
  }
  return input;
}

// setBusy shows that a request is under way: the button is disabled and says what is happening, with a
// spinner; the form is aria-busy.
function setBusy(form, button, busy) {
  if (busy) {
    button.dataset.label = button.textContent;
    const spinner = document.createElement("span");
    spinner.className = "spinner";
    spinner.setAttribute("aria-hidden", "true");
    button.replaceChildren(spinner, document.createTextNode(button.dataset.busy || "Please wait…"));
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
  button.disabled = busy;
  form.setAttribute("aria-busy", String(busy));
}

// callbackURL is where to go after signing in: the callbackUrl parameter the dashboard's redirect added when
// it names a page on this site, else the dashboard. The rule is the server's: resolve the value the way the
// browser will (new URL strips tab, CR and LF, reads "\\" as "/", lowercases the scheme) against this page's
// origin and accept only a result on the same origin; what is returned is that result's path, query and
// fragment, never the raw value, so "/\t/evil.example", "/\\evil.example" or "javascript:" cannot reach
// location.assign. A prefix check on the raw string cannot be right: the browser parses what it is given.
function callbackURL() {
  const cb = new URLSearchParams(location.search).get("callbackUrl");
  if (cb) {
    let u;
    try {
      u = new URL(cb, location.origin);
    } catch {
      return "/dashboard";
    }
    if (u.origin === location.origin) {
      return u.pathname + u.search + u.hash;
    }
  }
  return "/dashboard";
}

// showProblems shows a failed answer in form: each sentence under its field, or in alert; the first field
// with a problem gets the focus.
function showProblems(form, alert, res) {
  let focus = null;
  for (const p of problems(res)) {
    const input = p.field && fieldError(form, p.field, p.text);
    if (input) {
      focus = focus || input;
    } else {
      showError(alert, [alert.textContent, p.text].filter(Boolean).join(" "));
    }
  }
  if (focus) {
    focus.focus();
  }
}

// authForm wires a sign-up or sign-in form to its endpoint. required maps each field that must not be empty
// to the sentence shown when it is. Errors show under their field and clear as soon as the person edits it.
// A good answer goes to callbackURL, unless onSuccess(res) handles it and returns true.
function authForm(id, path, required, fields, onSuccess) {
  const form = document.getElementById(id);
  const alert = form.querySelector(".alert");
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener("input", (event) => {
    if (event.target.name) {
      fieldError(form, event.target.name, "");
    }
    showError(alert, "");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(alert, "");
    for (const name of Object.keys(required)) {
      fieldError(form, name, "");
    }
    const data = new FormData(form);
    let first = null;
    for (const [name, text] of Object.entries(required)) {
      if (!String(data.get(name) || "").trim()) {
        const input = fieldError(form, name, text);
        first = first || input;
      }
    }
    if (first) {
      first.focus();
      return;
    }
    setBusy(form, button, true);
    try {
      const res = await api(path, fields(data));
      if (res.ok && onSuccess && onSuccess(res)) {
        setBusy(form, button, false);
        return;
      }
      if (res.ok) {
        location.assign(callbackURL()); // the button stays busy until the next page is shown
        return;
      }
      showProblems(form, alert, res);
      setBusy(form, button, false);
    } catch {
      setBusy(form, button, false);
      showError(alert, UNREACHABLE);
    }
  });
}

// twoFactorStep is the sign-in's second step, after /sign-in/email answered {"twoFactorRedirect":true}:
// there is no session yet, only the two_factor cookie of the challenge. The form takes a code from the
// authenticator app (6 digits: /two-factor/verify-totp) or a backup code (/two-factor/verify-backup-code),
// and "trust this device", which skips this step on this browser for 30 days.
function twoFactorStep() {
  const signIn = document.getElementById("sign-in");
  const form = document.getElementById("two-factor");
  for (const el of [signIn, document.getElementById("social"), document.getElementById("magic-link-sent"), document.getElementById("notice")]) {
    if (el) {
      el.hidden = true;
    }
  }
  form.hidden = false;
  form.elements.namedItem("code").focus();
  if (form.dataset.wired) {
    return;
  }
  form.dataset.wired = "1";
  const alert = form.querySelector(".alert");
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener("input", () => {
    fieldError(form, "code", "");
    showError(alert, "");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(alert, "");
    const code = String(new FormData(form).get("code") || "").replace(/\s+/g, "");
    if (!code) {
      fieldError(form, "code", "Enter the code from your authenticator app, or a backup code.").focus();
      return;
    }
    const trustDevice = form.elements.namedItem("trustDevice").checked;
    const path = /^\d{6}$/.test(code) ? "/two-factor/verify-totp" : "/two-factor/verify-backup-code";
    setBusy(form, button, true);
    try {
      const res = await api(path, { code, trustDevice });
      if (res.ok) {
        location.assign(callbackURL());
        return;
      }
      showProblems(form, alert, res);
    } catch {
      showError(alert, UNREACHABLE);
    }
    setBusy(form, button, false);
  });
}

// magicLinkButton wires "Email me a sign-in link" (the magic-link plugin): it sends a link to the address
// in the email field, which signs in (or, for a new address, signs up) when opened. The answer is the same
// whether the address has an account or not.
function magicLinkButton() {
  const button = document.getElementById("magic-link");
  if (!button) {
    return;
  }
  const form = document.getElementById("sign-in");
  const alert = form.querySelector(".alert");
  const sent = document.getElementById("magic-link-sent");
  button.addEventListener("click", async () => {
    showError(alert, "");
    fieldError(form, "password", "");
    const email = String(form.elements.namedItem("email").value || "").trim();
    if (!email) {
      fieldError(form, "email", "Enter your email address, then ask for the link.").focus();
      return;
    }
    setBusy(form, button, true);
    try {
      const res = await api("/sign-in/magic-link", { email, callbackURL: callbackURL(), errorCallbackURL: "/error" });
      if (res.ok) {
        document.getElementById("magic-link-email").textContent = email;
        sent.hidden = false;
      } else {
        showProblems(form, alert, res);
      }
    } catch {
      showError(alert, UNREACHABLE);
    }
    setBusy(form, button, false);
  });
}

// socialButtons wires the sign-in page's "Sign in with …" buttons (there are some when the server has a
// social provider). Better Auth's /sign-in/social stores the flow's state, sets its state cookie and answers
// with the provider's authorization URL, where the browser goes next. The provider sends the browser back
// to /api/auth/callback/<provider>, which signs in and redirects to callbackURL, or to errorCallbackURL
// (this page) with ?error=<code> when the sign-in failed.
function socialButtons() {
  const section = document.getElementById("social");
  if (!section) {
    return;
  }
  const error = section.querySelector(".error");
  const failed = new URLSearchParams(location.search).get("error");
  if (failed) {
    showError(error, "Signing in with the provider failed (" + failed + ").");
  }
  for (const button of section.querySelectorAll("button[data-provider]")) {
    button.addEventListener("click", async () => {
      showError(error, "");
      button.disabled = true;
      try {
        const res = await api("/sign-in/social", {
          provider: button.dataset.provider,
          callbackURL: callbackURL(),
          errorCallbackURL: "/sign-in",
        });
        if (res.ok && res.data && res.data.url) {
          location.assign(res.data.url);
          return;
        }
        showError(error, message(res));
      } catch (err) {
        showError(error, "The server could not be reached: " + err.message);
      }
      button.disabled = false;
    });
  }
}

// currentSession is the page's GET /get-session, asked once and shared by the top bar and the page's own script.
let sessionAnswer = null;
function currentSession() {
  sessionAnswer = sessionAnswer || api("/get-session");
  return sessionAnswer;
}

// topBar runs on every page: for a signed-in visitor it shows the account links (Admin only when the admin
// plugin lets them list users, which the admin page needs) and, while an admin impersonates someone, the
// banner that says so with its "Stop impersonating" button, which brings the admin back to the admin page.
async function topBar() {
  let res;
  try {
    res = await currentSession();
  } catch {
    return;
  }
  if (!res.ok || !res.data || !res.data.user) {
    return;
  }
  const { user, session: current } = res.data;
  document.getElementById("nav").hidden = false;
  orgSwitcher(current.activeOrganizationId || "");
  if (current.impersonatedBy) {
    const banner = document.getElementById("impersonation");
    document.getElementById("impersonated-user").textContent = user.name ? user.name + " (" + user.email + ")" : user.email;
    banner.hidden = false;
    const button = document.getElementById("stop-impersonating");
    button.addEventListener("click", async () => {
      setBusy(banner, button, true);
      try {
        const r = await api("/admin/stop-impersonating", {});
        if (r.ok) {
          location.assign("/admin");
          return;
        }
      } catch {
        // the button comes back; the session is unchanged
      }
      setBusy(banner, button, false);
    });
    return;
  }
  try {
    const perm = await api("/admin/has-permission", { permissions: { user: ["list"] } });
    document.getElementById("nav-admin").hidden = !(perm.ok && perm.data && perm.data.success);
  } catch {
    // no Admin link
  }
}

// orgSwitcher fills the top bar's organization menu with the user's organizations (/organization/list) and
// makes the one chosen the session's active organization (/organization/set-active; "" is none), then
// shows the page again for it.
async function orgSwitcher(activeID) {
  const select = document.getElementById("org-switcher");
  let res;
  try {
    res = await api("/organization/list");
  } catch {
    return;
  }
  if (!res.ok || !Array.isArray(res.data) || res.data.length === 0) {
    return;
  }
  const none = new Option("No organization", "");
  select.replaceChildren(none, ...res.data.map((o) => new Option(o.name, o.id)));
  select.value = activeID;
  select.hidden = false;
  select.addEventListener("change", async () => {
    select.disabled = true;
    try {
      const r = await api("/organization/set-active", { organizationId: select.value || null });
      if (r.ok) {
        location.reload();
        return;
      }
    } catch {
      // the menu comes back unchanged
    }
    select.value = activeID;
    select.disabled = false;
  });
}

// Dates as people read them, in the browser's language: "Mar 3, 2026, 4:05 PM" and "March 3, 2026".
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

function formatDateTime(s) {
  const d = s ? new Date(s) : null;
  return d && !isNaN(d) ? DATE_TIME.format(d) : "Unknown";
}

function formatDate(s) {
  const d = s ? new Date(s) : null;
  return d && !isNaN(d) ? DATE.format(d) : "Unknown";
}

// deviceName turns a User-Agent header into "Chrome on macOS". The order matters: Edge and Opera also say
// Chrome, Chrome also says Safari, and iPhones also say "like Mac OS X".
function deviceName(ua) {
  if (!ua) {
    return "Unknown device";
  }
  const browsers = [
    [/Edg(e|A|iOS)?\//, "Edge"],
    [/OPR\/|Opera/, "Opera"],
    [/SamsungBrowser\//, "Samsung Internet"],
    [/Firefox\/|FxiOS\//, "Firefox"],
    [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
    [/Safari\//, "Safari"],
    [/^curl\//, "curl"],
    [/node|undici/i, "Node.js"],
    [/Go-http-client/, "a Go program"],
  ];
  const systems = [
    [/iPhone|iPad|iPod/, "iOS"],
    [/Android/, "Android"],
    [/CrOS/, "ChromeOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux/, "Linux"],
  ];
  const browser = (browsers.find(([re]) => re.test(ua)) || [null, "Unknown browser"])[1];
  const system = (systems.find(([re]) => re.test(ua)) || [null, ""])[1];
  return system ? browser + " on " + system : browser;
}

// signOut ends the session and goes to the sign-in page, which says so.
async function signOut(error) {
  try {
    const out = await api("/sign-out", {});
    if (out.ok) {
      location.assign("/sign-in?signedOut=1");
      return;
    }
    showError(error, message(out));
  } catch {
    showError(error, UNREACHABLE);
  }
}

async function home() {
  const status = document.getElementById("status");
  const error = document.querySelector(".alert");
  let res;
  try {
    res = await currentSession();
  } catch {
    status.textContent = UNREACHABLE;
    return;
  }
  const signedIn = res.ok && res.data && res.data.user;
  status.textContent = signedIn
    ? "You are signed in as " + (res.data.user.name || res.data.user.email) + "."
    : "You are not signed in.";
  document.getElementById("signed-in").hidden = !signedIn;
  document.getElementById("signed-out").hidden = !!signedIn;
  document.getElementById("sign-out").addEventListener("click", () => signOut(error));
}

function signInNotice() {
  if (new URLSearchParams(location.search).get("signedOut")) {
    const notice = document.getElementById("notice");
    notice.textContent = "You have signed out. See you soon.";
    notice.hidden = false;
  }
}

async function dashboard() {
  const error = document.querySelector(".alert");
  const res = await currentSession();
  if (!res.ok || !res.data) {
    location.assign("/sign-in?callbackUrl=/dashboard");
    return;
  }
  const { user, session } = res.data;
  for (const el of document.querySelectorAll("#user [data-field]")) {
    const v = user[el.dataset.field];
    el.textContent = el.dataset.field === "createdAt" ? formatDate(v) : String(v ?? "");
  }
  document.getElementById("avatar").textContent = (user.name || user.email || "?").trim().charAt(0).toUpperCase();
  const badge = document.getElementById("verified");
  badge.textContent = user.emailVerified ? "Verified" : "Not verified yet";
  badge.classList.add(user.emailVerified ? "ok" : "warn");

  document.getElementById("sign-out").addEventListener("click", () => signOut(error));
  document.getElementById("revoke-others").addEventListener("click", async () => {
    const r = await api("/revoke-other-sessions", {});
    r.ok ? listSessions(session.id) : showError(error, message(r));
  });
  await listSessions(session.id);
  twoFactorSection(user);

  const me = await fetch("/api/me", { credentials: "same-origin" });
  document.getElementById("api-me").textContent =
    me.status + " " + JSON.stringify(await me.json().catch(() => null), null, 2);
}

// twoFactorSection is the dashboard's "Two-factor authentication": turning it on (password → the TOTP
// URI as a QR code and as text → a first code from the app, which turns it on → the backup codes, shown
// once) and off (password). Each change replaces the session (the two-factor plugin does, as Better Auth),
// so the sessions table is read again.
function twoFactorSection(user) {
  const section = document.getElementById("two-factor");
  const status = document.getElementById("two-factor-status");
  const alert = section.querySelector(".alert");
  const enable = document.getElementById("two-factor-enable");
  const setup = document.getElementById("two-factor-setup");
  const codes = document.getElementById("backup-codes");
  const disable = document.getElementById("two-factor-disable");
  let backupCodes = [];

  const show = (on) => {
    status.textContent = on
      ? "Two-factor authentication is on: signing in asks for a code from your authenticator app."
      : "Two-factor authentication is off: your password alone signs you in.";
    enable.hidden = on;
    disable.hidden = !on;
    setup.hidden = true;
    codes.hidden = true;
  };
  const refresh = async () => {
    const res = await api("/get-session");
    if (res.ok && res.data) {
      await listSessions(res.data.session.id);
    }
  };
  // step wires one form of the section: required fields, busy state, errors under their field.
  const step = (form, required, send) => {
    const button = form.querySelector('button[type="submit"]');
    form.addEventListener("input", (event) => {
      if (event.target.name) {
        fieldError(form, event.target.name, "");
      }
      showError(alert, "");
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(alert, "");
      const data = new FormData(form);
      for (const [name, text] of Object.entries(required)) {
        fieldError(form, name, "");
        if (!String(data.get(name) || "").trim()) {
          fieldError(form, name, text).focus();
          return;
        }
      }
      setBusy(form, button, true);
      try {
        const res = await send(data);
        if (!res.ok) {
          showProblems(form, alert, res);
        }
      } catch {
        showError(alert, UNREACHABLE);
      }
      setBusy(form, button, false);
    });
  };

  step(enable, { password: "Enter your password." }, async (data) => {
    const res = await api("/two-factor/enable", { password: data.get("password") });
    if (!res.ok) {
      return res;
    }
    enable.reset();
    backupCodes = res.data.backupCodes || [];
    const uri = res.data.totpURI;
    document.getElementById("totp-uri").textContent = uri;
    let secret = "";
    try {
      secret = new URL(uri).searchParams.get("secret") || "";
    } catch {
      // the URI is still shown in full
    }
    document.getElementById("totp-secret").textContent = secret.replace(/(.{4})(?=.)/g, "$1 ");
    await showQR(uri);
    enable.hidden = true;
    setup.hidden = false;
    setup.elements.namedItem("code").focus();
    return res;
  });
  step(setup, { code: "Enter the 6-digit code your authenticator app shows." }, async (data) => {
    const res = await api("/two-factor/verify-totp", { code: String(data.get("code")).replace(/\s+/g, "") });
    if (!res.ok) {
      return res;
    }
    setup.reset();
    setup.hidden = true;
    const list = document.getElementById("backup-code-list");
    list.replaceChildren(...backupCodes.map((c) => {
      const li = document.createElement("li");
      li.textContent = c;
      return li;
    }));
    backupCodes = [];
    status.textContent = "Two-factor authentication is on: signing in asks for a code from your authenticator app.";
    codes.hidden = false;
    document.getElementById("backup-codes-done").focus();
    await refresh();
    return res;
  });
  document.getElementById("backup-codes-done").addEventListener("click", () => {
    document.getElementById("backup-code-list").replaceChildren();
    show(true);
  });
  step(disable, { password: "Enter your password." }, async (data) => {
    const res = await api("/two-factor/disable", { password: data.get("password") });
    if (res.ok) {
      disable.reset();
      show(false);
      await refresh();
    }
    return res;
  });
  show(!!user.twoFactorEnabled);
}

// showQR puts the QR code of a TOTP URI into the setup form: the server draws it (POST /api/qr answers an
// SVG, the URI staying out of any URL) and the SVG is inserted into the page, which the
// Content-Security-Policy allows (an <img> of a data: or blob: URL it would not).
async function showQR(uri) {
  const box = document.getElementById("totp-qr");
  box.replaceChildren();
  try {
    const res = await fetch("/api/qr", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: uri }),
    });
    if (!res.ok) {
      return;
    }
    const svg = new DOMParser().parseFromString(await res.text(), "image/svg+xml").documentElement;
    if (svg.namespaceURI !== "http://www.w3.org/2000/svg" || svg.querySelector("script")) {
      return;
    }
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR code to scan with your authenticator app");
    box.append(document.importNode(svg, true));
  } catch {
    // the key is shown as text below the code's place
  }
}

// cell is a table cell with a label, which the phone layout shows in front of the value.
function cell(label, text, className) {
  const td = document.createElement("td");
  td.dataset.label = label;
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

// listSessions fills the sessions table: one row per signed-in device, this one marked, the others with a
// button that signs them out.
async function listSessions(currentID) {
  const error = document.querySelector(".alert");
  const tbody = document.getElementById("sessions");
  const res = await api("/list-sessions");
  if (!res.ok) {
    showError(error, message(res));
    return;
  }
  tbody.replaceChildren();
  const sessions = [...res.data].sort((a, b) => (a.id === currentID ? -1 : b.id === currentID ? 1 : 0));
  for (const s of sessions) {
    const tr = document.createElement("tr");
    const device = cell("Device", deviceName(s.userAgent), "device");
    if (s.id === currentID) {
      const here = document.createElement("span");
      here.className = "badge accent";
      here.textContent = "This device";
      device.append(" ", here);
    }
    tr.append(device,
      cell("Signed in", formatDateTime(s.createdAt)),
      cell("Expires", formatDateTime(s.expiresAt)),
      cell("IP address", s.ipAddress || "Unknown"));
    const action = document.createElement("td");
    if (s.id !== currentID) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "danger small";
      b.textContent = "Sign out";
      b.setAttribute("aria-label", "Sign out " + deviceName(s.userAgent) + ", signed in " + formatDateTime(s.createdAt));
      b.addEventListener("click", async () => {
        const r = await api("/revoke-session", { token: s.token });
        r.ok ? listSessions(currentID) : showError(error, message(r));
      });
      action.append(b);
    }
    tr.append(action);
    tbody.append(tr);
  }
}

// ERROR_PAGES are the sentences of the error page, by the ?error= code a redirect put there.
const ERROR_PAGES = {
  access_denied: "Signing in with the provider was cancelled.",
  INVALID_TOKEN: "This link is invalid or has expired. Ask for a new one.",
  state_mismatch: "Signing in took too long, or was started in another tab. Please start again.",
  please_restart_the_process: "Signing in took too long, or was started in another tab. Please start again.",
};

function errorPage() {
  const code = new URLSearchParams(location.search).get("error");
  if (code) {
    document.getElementById("error-text").textContent =
      ERROR_PAGES[code] || "We could not finish what you asked for. Please try again.";
  }
}

// adminPage is the admin page: the users, ten a page, searched by email or name, each with what an admin
// may do (Better Auth's admin plugin, /admin/*): ban with a reason and a length, unban, impersonate, sign
// out everywhere. The server checks the admin's permission on every call; the page only shows the answers.
function adminPage() {
  const error = document.querySelector("main .alert");
  const notice = document.getElementById("admin-notice");
  const tbody = document.getElementById("users");
  const range = document.getElementById("users-range");
  const prev = document.getElementById("users-prev");
  const next = document.getElementById("users-next");
  const dialog = document.getElementById("ban-dialog");
  const banForm = document.getElementById("ban-form");
  const banAlert = banForm.querySelector(".alert");
  const state = { offset: 0, limit: 10, total: 0, searchValue: "", searchField: "email", me: "", banning: null };
  const say = (text) => {
    notice.textContent = text;
    notice.hidden = !text;
  };
  // act sends one admin call for a row's button, and on success says done and reads the page again.
  const act = async (button, path, body, done) => {
    showError(error, "");
    say("");
    button.disabled = true;
    try {
      const r = await api(path, body);
      if (!r.ok) {
        showError(error, message(r));
        button.disabled = false;
        return null;
      }
      if (done) {
        say(done);
      }
      await load();
      return r;
    } catch {
      showError(error, UNREACHABLE);
      button.disabled = false;
      return null;
    }
  };
  const rowButton = (label, className, aria, onClick) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className + " small";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.addEventListener("click", () => onClick(b));
    return b;
  };
  async function load() {
    const q = new URLSearchParams({ limit: String(state.limit), offset: String(state.offset), sortBy: "createdAt", sortDirection: "asc" });
    if (state.searchValue) {
      q.set("searchValue", state.searchValue);
      q.set("searchField", state.searchField);
      q.set("searchOperator", "contains");
    }
    const res = await api("/admin/list-users?" + q);
    if (!res.ok) {
      showError(error, message(res));
      return;
    }
    state.total = res.data.total;
    const users = res.data.users || [];
    tbody.replaceChildren(...users.map((u) => {
      const tr = document.createElement("tr");
      tr.dataset.email = u.email;
      const who = cell("User", "", "device");
      const name = document.createElement("strong");
      name.textContent = u.name || u.email;
      const email = document.createElement("div");
      email.className = "muted";
      email.textContent = u.email;
      who.append(name, email);
      if (u.id === state.me) {
        const you = document.createElement("span");
        you.className = "badge accent";
        you.textContent = "You";
        name.after(" ", you);
      }
      const status = cell("Status", "");
      const badge = document.createElement("span");
      badge.className = "badge " + (u.banned ? "warn" : "ok");
      badge.textContent = u.banned ? "Banned" : "Active";
      status.append(badge);
      if (u.banned) {
        const why = document.createElement("div");
        why.className = "muted ban-detail";
        why.textContent = (u.banReason || "No reason") + (u.banExpires ? ", until " + formatDateTime(u.banExpires) : ", until unbanned");
        status.append(why);
      }
      const actions = document.createElement("td");
      actions.className = "row-actions";
      if (u.id !== state.me) {
        const label = u.name || u.email;
        if (u.banned) {
          actions.append(rowButton("Unban", "secondary", "Unban " + label, (b) => act(b, "/admin/unban-user", { userId: u.id }, label + " is no longer banned.")));
        } else {
          actions.append(rowButton("Ban", "danger", "Ban " + label, () => openBan(u)));
          actions.append(rowButton("Impersonate", "secondary", "Impersonate " + label, async (b) => {
            const r = await act(b, "/admin/impersonate-user", { userId: u.id });
            if (r) {
              location.assign("/dashboard");
            }
          }));
        }
        actions.append(rowButton("Sign out everywhere", "secondary", "Sign " + label + " out everywhere",
          (b) => act(b, "/admin/revoke-user-sessions", { userId: u.id }, label + " is signed out everywhere.")));
      }
      tr.append(who, cell("Role", u.role || "user"), status, cell("Joined", formatDate(u.createdAt)), actions);
      return tr;
    }));
    const first = state.total === 0 ? 0 : state.offset + 1;
    range.textContent = state.total === 0 ? "No users match." : first + "–" + (state.offset + users.length) + " of " + state.total;
    prev.disabled = state.offset === 0;
    next.disabled = state.offset + state.limit >= state.total;
  }
  function openBan(u) {
    state.banning = u;
    banForm.reset();
    showError(banAlert, "");
    document.getElementById("ban-user").textContent = u.name || u.email;
    dialog.showModal();
  }
  document.getElementById("ban-cancel").addEventListener("click", () => dialog.close());
  banForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const u = state.banning;
    const data = new FormData(banForm);
    const body = { userId: u.id };
    const reason = String(data.get("banReason") || "").trim();
    if (reason) {
      body.banReason = reason;
    }
    if (data.get("banExpiresIn")) {
      body.banExpiresIn = Number(data.get("banExpiresIn"));
    }
    const button = document.getElementById("ban-submit");
    setBusy(banForm, button, true);
    try {
      const r = await api("/admin/ban-user", body);
      if (r.ok) {
        dialog.close();
        say((u.name || u.email) + " is banned and signed out everywhere.");
        await load();
      } else {
        showError(banAlert, message(r));
      }
    } catch {
      showError(banAlert, UNREACHABLE);
    }
    setBusy(banForm, button, false);
  });
  document.getElementById("user-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    state.searchValue = String(data.get("searchValue") || "").trim();
    state.searchField = String(data.get("searchField") || "email");
    state.offset = 0;
    load();
  });
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    load();
  });
  next.addEventListener("click", () => {
    state.offset += state.limit;
    load();
  });
  currentSession().then((res) => {
    state.me = res.ok && res.data ? res.data.user.id : "";
    load();
  }).catch(() => showError(error, UNREACHABLE));
}

// apiKeysPage is the API keys page (Better Auth's api-key plugin, /api-key/*): create a key with a name
// and an expiry, shown once with a copy button (the server keeps only its hash), list the keys by their
// first characters, revoke one.
function apiKeysPage() {
  const error = document.querySelector("main .alert");
  const form = document.getElementById("api-key-create");
  const button = form.querySelector('button[type="submit"]');
  const created = document.getElementById("api-key-created");
  const value = document.getElementById("api-key-value");
  const copied = document.getElementById("api-key-copied");
  const tbody = document.getElementById("api-keys");
  async function load() {
    const res = await api("/api-key/list?sortBy=createdAt&sortDirection=desc");
    if (!res.ok) {
      showError(error, message(res));
      return;
    }
    const keys = res.data.apiKeys || [];
    document.getElementById("api-keys-empty").hidden = keys.length > 0;
    tbody.replaceChildren(...keys.map((k) => {
      const tr = document.createElement("tr");
      tr.dataset.id = k.id;
      const revoke = document.createElement("button");
      revoke.type = "button";
      revoke.className = "danger small";
      revoke.textContent = "Revoke";
      revoke.setAttribute("aria-label", "Revoke the key " + (k.name || k.start));
      revoke.addEventListener("click", async () => {
        revoke.disabled = true;
        showError(error, "");
        try {
          const r = await api("/api-key/delete", { keyId: k.id });
          if (!r.ok) {
            showError(error, message(r));
            revoke.disabled = false;
            return;
          }
          await load();
        } catch {
          showError(error, UNREACHABLE);
          revoke.disabled = false;
        }
      });
      const action = document.createElement("td");
      action.append(revoke);
      tr.append(cell("Name", k.name || "(no name)", "device"), cell("Key", (k.start || "") + "…", "mono"),
        cell("Created", formatDateTime(k.createdAt)), cell("Expires", k.expiresAt ? formatDateTime(k.expiresAt) : "Never"),
        cell("Last used", k.lastRequest ? formatDateTime(k.lastRequest) : "Never"), action);
      return tr;
    }));
  }
  form.addEventListener("input", () => {
    fieldError(form, "name", "");
    showError(error, "");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, "");
    const data = new FormData(form);
    const name = String(data.get("name") || "").trim();
    if (!name) {
      fieldError(form, "name", "Name the key, so that you know what to revoke later.").focus();
      return;
    }
    const body = { name };
    if (data.get("expiresIn")) {
      body.expiresIn = Number(data.get("expiresIn"));
    }
    setBusy(form, button, true);
    try {
      const res = await api("/api-key/create", body);
      if (res.ok) {
        form.reset();
        document.getElementById("api-key-created-name").textContent = res.data.name;
        value.textContent = res.data.key;
        document.getElementById("api-key-curl").textContent = "curl -H 'x-api-key: " + res.data.key + "' " + location.origin + "/api/me";
        copied.textContent = "";
        created.hidden = false;
        document.getElementById("api-key-copy").focus();
        await load();
      } else {
        showProblems(form, error, res);
      }
    } catch {
      showError(error, UNREACHABLE);
    }
    setBusy(form, button, false);
  });
  document.getElementById("api-key-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value.textContent);
      copied.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard access (an http origin other than localhost): select the key for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copied.textContent = "Selected: press Ctrl+C (or ⌘C) to copy it.";
    }
  });
  document.getElementById("api-key-done").addEventListener("click", () => {
    value.textContent = "";
    document.getElementById("api-key-curl").textContent = "";
    created.hidden = true;
  });
  load();
}

// organizationPage is the organization page: without an active organization, the form that creates one
// (it becomes the active one); with one, its members and pending invitations
// (/organization/get-full-organization), and for owners and admins the invitation form
// (/organization/invite-member; in development mode the link is in the server's log) and Cancel.
async function organizationPage() {
  const error = document.querySelector("main .alert");
  const notice = document.getElementById("org-notice");
  const create = document.getElementById("org-create");
  const active = document.getElementById("org-active");
  const invite = document.getElementById("org-invite");
  const say = (text) => {
    notice.textContent = text;
    notice.hidden = !text;
  };
  const wire = (form, required, send) => {
    const button = form.querySelector('button[type="submit"]');
    form.addEventListener("input", (event) => {
      if (event.target.name) {
        fieldError(form, event.target.name, "");
      }
      showError(error, "");
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, "");
      const data = new FormData(form);
      for (const [name, text] of Object.entries(required)) {
        fieldError(form, name, "");
        if (!String(data.get(name) || "").trim()) {
          fieldError(form, name, text).focus();
          return;
        }
      }
      setBusy(form, button, true);
      try {
        const res = await send(data);
        if (!res.ok) {
          showProblems(form, error, res);
        }
      } catch {
        showError(error, UNREACHABLE);
      }
      setBusy(form, button, false);
    });
  };
  wire(create, { name: "Name the organization.", slug: "Choose a short name." }, async (data) => {
    const res = await api("/organization/create", { name: String(data.get("name")).trim(), slug: String(data.get("slug")).trim() });
    if (res.ok) {
      location.reload(); // the new organization is the active one now
    }
    return res;
  });
  document.getElementById("org-create-another").addEventListener("click", () => {
    document.getElementById("org-create-lead").hidden = true;
    create.hidden = false;
    create.elements.namedItem("name").focus();
  });
  let res;
  try {
    res = await currentSession();
  } catch {
    showError(error, UNREACHABLE);
    return;
  }
  if (!res.ok || !res.data) {
    return;
  }
  const me = res.data.user.id;
  if (!res.data.session.activeOrganizationId) {
    create.hidden = false;
    return;
  }
  async function load() {
    const r = await api("/organization/get-full-organization");
    if (!r.ok || !r.data) {
      showError(error, r.ok ? "Choose an organization in the menu at the top." : message(r));
      create.hidden = false;
      return;
    }
    const org = r.data;
    document.getElementById("org-name").textContent = org.name;
    const mine = (org.members || []).find((m) => m.userId === me);
    const role = mine ? mine.role : "";
    const badge = document.getElementById("org-role");
    badge.textContent = role ? "You: " + role : "";
    badge.hidden = !role;
    const manager = role.split(",").some((r) => r === "owner" || r === "admin");
    invite.hidden = !manager;
    active.hidden = false;
    document.getElementById("members").replaceChildren(...(org.members || []).map((m) => {
      const tr = document.createElement("tr");
      tr.dataset.email = m.user.email;
      const who = cell("Member", "", "device");
      const name = document.createElement("strong");
      name.textContent = m.user.name || m.user.email;
      const email = document.createElement("div");
      email.className = "muted";
      email.textContent = m.user.email;
      who.append(name, email);
      tr.append(who, cell("Role", m.role), cell("Joined", formatDate(m.createdAt)));
      return tr;
    }));
    const pending = (org.invitations || []).filter((i) => i.status === "pending");
    document.getElementById("invitations-empty").hidden = pending.length > 0;
    document.getElementById("invitations").replaceChildren(...pending.map((i) => {
      const tr = document.createElement("tr");
      tr.dataset.email = i.email;
      const action = document.createElement("td");
      if (manager) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "danger small";
        b.textContent = "Cancel";
        b.setAttribute("aria-label", "Cancel the invitation of " + i.email);
        b.addEventListener("click", async () => {
          b.disabled = true;
          const c = await api("/organization/cancel-invitation", { invitationId: i.id });
          c.ok ? load() : showError(error, message(c));
        });
        action.append(b);
      }
      tr.append(cell("Email", i.email, "device"), cell("Role", i.role), cell("Expires", formatDateTime(i.expiresAt)), action);
      return tr;
    }));
  }
  wire(invite, { email: "Enter the email address to invite." }, async (data) => {
    const email = String(data.get("email")).trim();
    const r = await api("/organization/invite-member", { email, role: data.get("role") });
    if (r.ok) {
      invite.reset();
      // Without a mailer (production mode here) nothing is sent: the link is for the inviter to pass on.
      say(document.body.dataset.mailer
        ? "Invitation sent to " + email + "."
        : "Invitation created. Nothing is emailed by this server: send " + email + " this link: " +
          location.origin + "/accept-invitation?id=" + encodeURIComponent(r.data.id));
      await load();
    }
    return r;
  });
  await load();
}

// acceptInvitationPage is the page an invitation's link opens (/accept-invitation?id=…), signed in as the
// invited address: who invites you to what, Accept (you join, and it becomes your active organization) or
// Decline.
async function acceptInvitationPage() {
  const error = document.querySelector("main .alert");
  const text = document.getElementById("invitation-text");
  const actions = document.getElementById("invitation-actions");
  const id = new URLSearchParams(location.search).get("id") || "";
  let res;
  try {
    res = await api("/organization/get-invitation?id=" + encodeURIComponent(id));
  } catch {
    text.textContent = UNREACHABLE;
    return;
  }
  if (!res.ok) {
    text.textContent = message(res);
    return;
  }
  const inv = res.data;
  text.textContent = inv.inviterEmail + " invites you to join " + inv.organizationName + " as " + inv.role + ".";
  actions.hidden = false;
  const answer = async (button, path, done) => {
    showError(error, "");
    setBusy(actions, button, true);
    try {
      const r = await api(path, { invitationId: inv.id });
      if (r.ok) {
        done();
        return;
      }
      showError(error, message(r));
    } catch {
      showError(error, UNREACHABLE);
    }
    setBusy(actions, button, false);
  };
  const accept = document.getElementById("invitation-accept");
  const reject = document.getElementById("invitation-reject");
  accept.addEventListener("click", () => answer(accept, "/organization/accept-invitation", () => location.assign("/organization")));
  reject.addEventListener("click", () => answer(reject, "/organization/reject-invitation", () => {
    actions.hidden = true;
    text.textContent = "You declined the invitation to " + inv.organizationName + ".";
  }));
}

topBar();
switch (document.body.dataset.page) {
  case "home":
    home();
    break;
  case "sign-up":
    authForm("sign-up", "/sign-up/email",
      { name: "Enter your name.", email: "Enter your email address.", password: "Choose a password." },
      (f) => ({ name: f.get("name").trim(), email: f.get("email").trim(), password: f.get("password") }));
    break;
  case "sign-in":
    signInNotice();
    authForm("sign-in", "/sign-in/email",
      { email: "Enter your email address.", password: "Enter your password." },
      (f) => ({ email: f.get("email").trim(), password: f.get("password"), rememberMe: f.get("rememberMe") === "on" }),
      (res) => {
        if (res.data && res.data.twoFactorRedirect) {
          twoFactorStep();
          return true;
        }
        return false;
      });
    magicLinkButton();
    socialButtons();
    break;
  case "dashboard":
    dashboard();
    break;
  case "error":
    errorPage();
    break;
  case "admin":
    adminPage();
    break;
  case "api-keys":
    apiKeysPage();
    break;
  case "organization":
    organizationPage();
    break;
  case "accept-invitation":
    acceptInvitationPage();
    break;
}
