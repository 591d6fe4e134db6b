// Passkeys (Better Auth's passkey plugin) with the browser's WebAuthn API, no library: on the dashboard,
// "Add a passkey" and the list of the user's passkeys with rename and delete; on the sign-in page, "Sign in
// with a passkey" and passkeys offered in the email field's autofill (conditional mediation). The server's
// options are JSON with base64url where WebAuthn takes bytes; this file converts both ways, as
// @simplewebauthn/browser does for Better Auth's own client, so the bodies are the ones that client sends.
// A module, loaded next to app.js; it shares nothing with it but the page's data-auth-base.

const AUTH = document.body.dataset.authBase || "/api/auth";

// api calls one endpoint: GET without a body, POST with a JSON one. It returns {ok, status, data}.
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
    // no JSON answer
  }
  return { ok: res.ok, status: res.status, data };
}

// fromB64url decodes base64url (padding optional) to an ArrayBuffer.
function fromB64url(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out.buffer;
}

// toB64url encodes an ArrayBuffer (or view) as unpadded base64url.
function toB64url(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = "";
  for (const b of bytes) {
    bin += String.fromCharCode(b);
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list) {
  return (list || []).map((c) => ({ ...c, id: fromB64url(c.id) }));
}

// creationOptions turns generate-register-options' JSON into navigator.credentials.create's publicKey.
function creationOptions(o) {
  return {
    ...o,
    challenge: fromB64url(o.challenge),
    user: { ...o.user, id: fromB64url(o.user.id) },
    excludeCredentials: descriptors(o.excludeCredentials),
  };
}

// requestOptions turns generate-authenticate-options' JSON into navigator.credentials.get's publicKey.
function requestOptions(o) {
  const opts = { ...o, challenge: fromB64url(o.challenge) };
  if (o.allowCredentials) {
    opts.allowCredentials = descriptors(o.allowCredentials);
  }
  return opts;
}

// registrationJSON is a new credential as verify-registration's response field (RegistrationResponseJSON).
function registrationJSON(cred) {
  const r = cred.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject) };
  if (r.getTransports) {
    response.transports = r.getTransports();
  }
  if (r.getPublicKeyAlgorithm) {
    response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
  }
  if (r.getAuthenticatorData) {
    response.authenticatorData = toB64url(r.getAuthenticatorData());
  }
  return { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults() };
}

// authenticationJSON is an assertion as verify-authentication's response field (AuthenticationResponseJSON).
function authenticationJSON(cred) {
  const r = cred.response;
  return { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: { clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature), userHandle: r.userHandle ? toB64url(r.userHandle) : undefined },
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults() };
}

// The plugin's error codes, and the browser's WebAuthn errors, as sentences.
const CODES = {
  PASSKEY_NOT_FOUND: "This passkey is not registered here (it may have been deleted). Sign in with your email and password instead.",
  AUTHENTICATION_FAILED: "Your passkey could not be checked. Please try again, or sign in with your email and password.",
  CHALLENGE_NOT_FOUND: "That took too long. Please try again.",
  FAILED_TO_VERIFY_REGISTRATION: "The passkey could not be added. Please try again.",
  YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY: "The passkey could not be added. Please try again.",
  SESSION_NOT_FRESH: "For your security, sign out and sign in again before adding a passkey.",
  UNAUTHORIZED: "Your session has ended. Please sign in again.",
  SESSION_EXPIRED: "Your session has ended. Please sign in again.",
  FAILED_TO_UPDATE_PASSKEY: "The passkey could not be renamed. Please try again.",
  INVALID_ORIGIN: "The server does not trust the address this page was opened from. Open the app from its usual address.",
};

function answerText(res) {
  if (res.status === 429) {
    return "Too many attempts. Wait a minute, then try again.";
  }
  const code = res.data && res.data.code;
  if (code === "VALIDATION_ERROR" && /\[body\.name\]/.test(res.data.message || "")) {
    return "Enter a name for the passkey.";
  }
  return CODES[code] || (res.status >= 500 ? "The server ran into a problem. Please try again in a moment." : "Something went wrong. Please try again.");
}

// browserText explains a rejected navigator.credentials call.
function browserText(err, creating) {
  switch (err && err.name) {
    case "NotAllowedError":
      return creating ? "No passkey was created: the request was cancelled or timed out." : "No passkey was used: the request was cancelled or timed out.";
    case "InvalidStateError":
      return "This device already holds a passkey for your account.";
    case "SecurityError":
      return "Passkeys do not work on this address. Open the app from its usual address (https, or http://localhost).";
    case "NotSupportedError":
      return "This browser or device does not support passkeys.";
    default:
      return "Your browser could not use a passkey. Please try again.";
  }
}

function show(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

// busy disables button and shows what is happening while fn runs.
async function busy(button, fn) {
  const label = button.textContent;
  button.disabled = true;
  if (button.dataset.busy) {
    button.textContent = button.dataset.busy;
  }
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

function formatDate(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
}

function button(text, className, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.dataset.action = action;
  return b;
}

// Dashboard: the list, rename, delete and add.
async function passkeysSection() {
  const section = document.getElementById("passkeys");
  const list = document.getElementById("passkey-list");
  const none = document.getElementById("passkey-none");
  const form = document.getElementById("passkey-add");
  const error = form.querySelector(".alert");
  const notice = form.querySelector(".notice");

  async function refresh() {
    const res = await api("/passkey/list-user-passkeys");
    if (!res.ok) {
      if (res.status !== 401) { // not signed in: app.js sends the browser to the sign-in page
        show(error, answerText(res));
      }
      return;
    }
    list.replaceChildren(...res.data.map(row));
    none.hidden = res.data.length > 0;
  }

  // row is one passkey: its name and when it was added, with Rename and Delete.
  function row(pk) {
    const li = document.createElement("li");
    li.dataset.id = pk.id;
    const name = pk.name || "Unnamed passkey";
    const view = () => {
      const title = document.createElement("span");
      title.className = "passkey-name";
      title.textContent = name;
      const meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = "Added " + formatDate(pk.createdAt) + (pk.backedUp ? " · synced" : "");
      const rename = button("Rename", "secondary small", "rename");
      rename.setAttribute("aria-label", "Rename " + name);
      rename.addEventListener("click", renaming);
      const del = button("Delete", "danger small", "delete");
      del.setAttribute("aria-label", "Delete " + name);
      del.addEventListener("click", confirming);
      li.replaceChildren(title, meta, rename, del);
    };
    const renaming = () => {
      const f = document.createElement("form");
      f.noValidate = true;
      const input = document.createElement("input");
      input.type = "text";
      input.name = "name";
      input.value = pk.name || "";
      input.maxLength = 100;
      input.setAttribute("aria-label", "New name for " + name);
      const save = button("Save", "small", "save");
      save.type = "submit";
      const cancel = button("Cancel", "secondary small", "cancel");
      cancel.addEventListener("click", view);
      f.append(input, save, cancel);
      f.addEventListener("submit", async (event) => {
        event.preventDefault();
        show(error, "");
        const newName = input.value.trim();
        if (!newName) {
          show(error, "Enter a name for the passkey.");
          input.focus();
          return;
        }
        const res = await busy(save, () => api("/passkey/update-passkey", { id: pk.id, name: newName }));
        if (!res.ok) {
          show(error, answerText(res));
          return;
        }
        show(notice, "Passkey renamed to “" + newName + "”.");
        await refresh();
      });
      li.replaceChildren(f);
      input.focus();
    };
    const confirming = () => {
      const q = document.createElement("span");
      q.className = "passkey-name";
      q.textContent = "Delete “" + name + "”? You will no longer be able to sign in with it.";
      const yes = button("Delete passkey", "danger small", "confirm-delete");
      const no = button("Keep it", "secondary small", "cancel");
      no.addEventListener("click", view);
      yes.addEventListener("click", async () => {
        show(error, "");
        const res = await busy(yes, () => api("/passkey/delete-passkey", { id: pk.id }));
        if (!res.ok) {
          show(error, answerText(res));
          return;
        }
        show(notice, "Passkey “" + name + "” deleted.");
        await refresh();
      });
      li.replaceChildren(q, yes, no);
      no.focus();
    };
    view();
    return li;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show(error, "");
    show(notice, "");
    const submit = form.querySelector('button[type="submit"]');
    const name = form.elements.namedItem("name").value.trim();
    await busy(submit, async () => {
      if (!window.PublicKeyCredential) {
        show(error, "This browser does not support passkeys.");
        return;
      }
      const opts = await api("/passkey/generate-register-options");
      if (!opts.ok) {
        show(error, answerText(opts));
        return;
      }
      let cred;
      try {
        cred = await navigator.credentials.create({ publicKey: creationOptions(opts.data) });
      } catch (err) {
        show(error, browserText(err, true));
        return;
      }
      const body = { response: registrationJSON(cred) };
      if (name) {
        body.name = name;
      }
      const res = await api("/passkey/verify-registration", body);
      if (!res.ok) {
        show(error, answerText(res));
        return;
      }
      form.reset();
      show(notice, "Passkey added. Next time, sign in with it instead of your password.");
      await refresh();
    });
  });
  section.hidden = false;
  await refresh();
}

// nextPage is where to go after signing in: the callbackUrl parameter when it resolves to this origin
// (app.js's rule), else the dashboard.
function nextPage() {
  const cb = new URLSearchParams(location.search).get("callbackUrl");
  if (cb) {
    try {
      const u = new URL(cb, location.origin);
      if (u.origin === location.origin) {
        return u.pathname + u.search + u.hash;
      }
    } catch {
      // not a URL: the dashboard
    }
  }
  return "/dashboard";
}

// Sign-in page: the button, and passkeys in the email field's autofill where the browser offers that.
function passkeySignIn() {
  const section = document.getElementById("passkey-sign-in");
  if (!section || !window.PublicKeyCredential) {
    return; // no WebAuthn: the section stays hidden
  }
  const btn = section.querySelector("button");
  const error = section.querySelector(".alert");
  let autofill = null; // {controller, done}: the pending conditional request

  // signIn runs one ceremony: options, the browser's passkey prompt (or autofill), verification, the next
  // page. It returns quietly when the request was aborted.
  async function signIn(mediation, signal) {
    const opts = await api("/passkey/generate-authenticate-options");
    if (!opts.ok) {
      show(error, answerText(opts));
      return;
    }
    let cred;
    try {
      cred = await navigator.credentials.get({ publicKey: requestOptions(opts.data), mediation, signal });
    } catch (err) {
      if (err && err.name === "AbortError") {
        return;
      }
      show(error, browserText(err, false));
      return;
    }
    const res = await api("/passkey/verify-authentication", { response: authenticationJSON(cred) });
    if (!res.ok) {
      show(error, answerText(res));
      return;
    }
    location.assign(nextPage());
  }

  function startAutofill() {
    const controller = new AbortController();
    autofill = { controller, done: signIn("conditional", controller.signal).catch(() => {}) };
  }

  btn.addEventListener("click", async () => {
    show(error, "");
    await busy(btn, async () => {
      if (autofill) {
        // One WebAuthn request at a time: end the autofill one first.
        autofill.controller.abort();
        await autofill.done;
        autofill = null;
      }
      try {
        await signIn(undefined, undefined);
      } catch {
        show(error, "We could not reach the server. Check your connection and try again.");
      }
    });
  });
  section.hidden = false;

  const email = document.querySelector('#sign-in input[name="email"]');
  if (email && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((yes) => {
      if (yes && !autofill) {
        email.autocomplete = "email webauthn";
        startAutofill();
      }
    }, () => {});
  }
}

switch (document.body.dataset.page) {
  case "dashboard":
    passkeysSection();
    break;
  case "sign-in":
    passkeySignIn();
    break;
}
