// The app's only script: it calls Better Auth's endpoints on this server with fetch, as the better-auth
// client does (JSON bodies, same-origin cookies; the browser adds the Origin header the server checks on
// POST). No framework, no build step.
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

// message turns a failed answer into a sentence for the user.
function message(res) {
  if (res.status === 429) {
    return "Too many attempts. Wait a few seconds and try again.";
  }
  return (res.data && res.data.message) || "Something went wrong (HTTP " + res.status + ").";
}

function showError(el, text) {
  el.textContent = text;
  el.hidden = !text;
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

// authForm wires a sign-up or sign-in form to its endpoint.
function authForm(id, path, fields) {
  const form = document.getElementById(id);
  const error = form.querySelector(".error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, "");
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const res = await api(path, fields(new FormData(form)));
      if (res.ok) {
        location.assign(callbackURL());
        return;
      }
      showError(error, message(res));
    } catch (err) {
      showError(error, "The server could not be reached: " + err.message);
    } finally {
      button.disabled = false;
    }
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

function formatDate(s) {
  return s ? new Date(s).toLocaleString() : "";
}

async function home() {
  const status = document.getElementById("status");
  const res = await api("/get-session");
  status.textContent = res.ok && res.data
    ? "Signed in as " + res.data.user.email + "."
    : "Not signed in.";
}

async function dashboard() {
  const error = document.querySelector(".error");
  const res = await api("/get-session");
  if (!res.ok || !res.data) {
    location.assign("/sign-in?callbackUrl=/dashboard");
    return;
  }
  const { user, session } = res.data;
  for (const dd of document.querySelectorAll("#user [data-field]")) {
    const v = user[dd.dataset.field];
    dd.textContent = dd.dataset.field === "createdAt" ? formatDate(v) : String(v);
  }

  document.getElementById("sign-out").addEventListener("click", async () => {
    const out = await api("/sign-out", {});
    if (out.ok) {
      location.assign("/sign-in");
    } else {
      showError(error, message(out));
    }
  });
  document.getElementById("revoke-others").addEventListener("click", async () => {
    const r = await api("/revoke-other-sessions", {});
    r.ok ? listSessions(session.id) : showError(error, message(r));
  });
  await listSessions(session.id);

  const me = await fetch("/api/me", { credentials: "same-origin" });
  document.getElementById("api-me").textContent =
    me.status + " " + JSON.stringify(await me.json().catch(() => null), null, 2);
}

// listSessions fills the sessions table; the current one is marked, the others get a revoke button.
async function listSessions(currentID) {
  const error = document.querySelector(".error");
  const tbody = document.getElementById("sessions");
  const res = await api("/list-sessions");
  if (!res.ok) {
    showError(error, message(res));
    return;
  }
  tbody.replaceChildren();
  for (const s of res.data) {
    const tr = document.createElement("tr");
    for (const text of [formatDate(s.createdAt), formatDate(s.expiresAt), s.ipAddress || "", s.userAgent || ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement("td");
    if (s.id === currentID) {
      td.textContent = "this browser";
    } else {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "Revoke";
      b.addEventListener("click", async () => {
        const r = await api("/revoke-session", { token: s.token });
        r.ok ? listSessions(currentID) : showError(error, message(r));
      });
      td.append(b);
    }
    tr.append(td);
    tbody.append(tr);
  }
}

switch (document.body.dataset.page) {
  case "home":
    home();
    break;
  case "sign-up":
    authForm("sign-up", "/sign-up/email", (f) => ({
      name: f.get("name"),
      email: f.get("email"),
      password: f.get("password"),
    }));
    break;
  case "sign-in":
    authForm("sign-in", "/sign-in/email", (f) => ({
      email: f.get("email"),
      password: f.get("password"),
      rememberMe: f.get("rememberMe") === "on",
    }));
    socialButtons();
    break;
  case "dashboard":
    dashboard();
    break;
}
