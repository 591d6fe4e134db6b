// Runs the real Better Auth client (createAuthClient from better-auth 1.7.25, with the jwtClient,
// twoFactorClient, magicLinkClient, emailOTPClient, adminClient and organizationClient plugins, and
// @better-auth/api-key's apiKeyClient)
// against any server, for gobetterauth's interop tests. It reads one JSON script on stdin and prints one JSON
// line per step on stdout (README.md, "client.mjs"). Node has no cookie jar, so this script keeps one: it
// stores the Set-Cookie headers of every response and sends them back on every request, as a browser on the
// site would. A step that fails (an error answer, a thrown exception) is recorded and the script goes on;
// the exit status is non-zero only when the script itself is unusable or this harness breaks.
import { createAuthClient } from "better-auth/client";
import { adminClient, emailOTPClient, jwtClient, magicLinkClient, organizationClient, twoFactorClient } from "better-auth/client/plugins";
import { apiKeyClient } from "@better-auth/api-key/client";

// stdout carries only the result lines; anything else (Better Auth's warnings included) goes to stderr.
const writeLine = process.stdout.write.bind(process.stdout);
console.log = console.info = console.debug = console.warn = console.error;

// RECORDED_HEADERS are the response headers each result reports (when present).
const RECORDED_HEADERS = ["set-auth-token", "set-auth-jwt", "location"];

function fail(message) {
  process.stderr.write(`client.mjs: ${message}\n`);
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

// Jar is a cookie jar for one site: cookies are keyed by name only. Domain and Path are ignored (Better
// Auth sets every cookie on Path=/ of its own host), and so is Secure, so a server whose baseURL is https
// but which listens on plain http on loopback still gets its __Secure- cookies back.
class Jar {
  #cookies = new Map(); // name -> { value, expires (ms since the epoch) or null for a session cookie }

  // store applies one Set-Cookie header value. Max-Age wins over Expires (RFC 6265 §5.3); a Max-Age of
  // zero or less, or an Expires in the past, deletes the cookie.
  store(header) {
    const [pair, ...attrs] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return; // no name: ignored, as browsers do
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let maxAge = null;
    let expires = null;
    for (const attr of attrs) {
      const i = attr.indexOf("=");
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? "" : attr.slice(i + 1).trim();
      if (key === "max-age" && /^-?\d+$/.test(val)) maxAge = Number(val);
      else if (key === "expires") {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const now = Date.now();
    const expiry = maxAge !== null ? now + maxAge * 1000 : expires;
    if (expiry !== null && expiry <= now) {
      this.#cookies.delete(name);
      return;
    }
    this.#cookies.delete(name); // a replaced cookie moves to the end, like a fresh one
    this.#cookies.set(name, { value, expires: expiry });
  }

  #prune() {
    const now = Date.now();
    for (const [name, c] of this.#cookies) if (c.expires !== null && c.expires <= now) this.#cookies.delete(name);
  }

  // header returns the Cookie request header, or "" when the jar is empty.
  header() {
    this.#prune();
    return [...this.#cookies].map(([name, c]) => `${name}=${c.value}`).join("; ");
  }

  // snapshot returns the live cookies as {name: value}.
  snapshot() {
    this.#prune();
    return Object.fromEntries([...this.#cookies].map(([name, c]) => [name, c.value]));
  }

  set(name, value) {
    this.#cookies.delete(name);
    this.#cookies.set(name, { value, expires: null });
  }

  delete(name) {
    this.#cookies.delete(name);
  }

  clear() {
    this.#cookies.clear();
  }
}

let script;
try {
  script = JSON.parse(await readStdin());
} catch (err) {
  fail(`stdin is not a JSON script: ${err.message}`);
}
if (script === null || typeof script !== "object" || Array.isArray(script)) fail("the script must be a JSON object");
if (typeof script.baseURL !== "string" || !/^https?:\/\//.test(script.baseURL)) fail("baseURL must be an http(s) URL");
if (!Array.isArray(script.steps)) fail("steps must be an array");
const basePath = script.basePath ?? "/api/auth";
if (typeof basePath !== "string") fail("basePath must be a string");
const origin = script.origin ?? "";
if (typeof origin !== "string") fail("origin must be a string");
const redirect = script.redirect ?? "manual";
if (!["manual", "follow"].includes(redirect)) fail('redirect must be "manual" or "follow"');
const timeoutMs = script.timeoutMs ?? 15000;
if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail("timeoutMs must be a positive integer");

const jar = new Jar();
let responses = []; // what the current step's requests answered
const inFlight = new Set();

// customFetchImpl is every request the client sends: it adds the jar's Cookie header and the script's
// Origin, stores the response's Set-Cookie headers, and records the response for the step's result.
async function customFetchImpl(input, init = {}) {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set("cookie", cookie);
  else headers.delete("cookie");
  if (origin) headers.set("origin", origin);
  else headers.delete("origin");
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const method = (init.method ?? "GET").toUpperCase();
  const url = String(input);
  const p = fetch(input, { ...init, headers, redirect, signal }).then((res) => {
    const setCookies = res.headers.getSetCookie();
    for (const sc of setCookies) jar.store(sc);
    const recorded = {};
    for (const h of RECORDED_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) recorded[h] = v;
    }
    responses.push({ method, url, status: res.status, setCookies, headers: recorded });
    return res;
  });
  inFlight.add(p);
  p.catch(() => {}).finally(() => inFlight.delete(p));
  return p;
}

const client = createAuthClient({
  baseURL: script.baseURL,
  basePath,
  plugins: [jwtClient(), twoFactorClient(), magicLinkClient(), emailOTPClient(), adminClient(), organizationClient(), apiKeyClient()],
  fetchOptions: { customFetchImpl },
});

// resolve returns the function at a dotted path on the client ("signIn.email", "$fetch").
function resolve(op) {
  let target = client;
  for (const segment of op.split(".")) {
    if (segment === "" || target === undefined || target === null) return undefined;
    target = target[segment];
  }
  return typeof target === "function" ? target : undefined;
}

// errorOf reduces the client's error object to {status, code, message}.
function errorOf(e) {
  if (e === null || e === undefined) return null;
  return { status: e.status ?? 0, code: e.code ?? null, message: e.message ?? e.statusText ?? null };
}

// jarOp runs the jar.* pseudo-steps; it returns false for an op that is not one.
function jarOp(op, args) {
  switch (op) {
    case "jar.clear":
      jar.clear();
      return true;
    case "jar.set": {
      const c = args?.cookie;
      if (typeof c !== "string" || c.indexOf("=") <= 0) throw new Error('jar.set wants args {"cookie": "name=value"}');
      // "name=value" sets a session cookie; a full Set-Cookie value (with attributes) is stored as one.
      if (c.includes(";")) jar.store(c);
      else jar.set(c.slice(0, c.indexOf("=")).trim(), c.slice(c.indexOf("=") + 1).trim());
      return true;
    }
    case "jar.delete":
      if (typeof args?.name !== "string") throw new Error('jar.delete wants args {"name": "cookie name"}');
      jar.delete(args.name);
      return true;
  }
  return false;
}

for (const [i, step] of script.steps.entries()) {
  const op = step?.op;
  const result = { op: op ?? null, data: null, error: null, status: 0, setCookies: [], headers: {}, jar: {}, requests: [] };
  responses = [];
  try {
    if (typeof op !== "string" || op === "") throw new Error(`step ${i}: op must be a non-empty string`);
    if (!jarOp(op, step.args)) {
      const fn = resolve(op);
      if (!fn) throw new Error(`step ${i}: ${op} is not a function of the client`);
      const callArgs = step.options === undefined ? [step.args] : [step.args, step.options];
      const out = await fn(...callArgs);
      if (out !== null && typeof out === "object" && "data" in out && "error" in out) {
        result.data = out.data ?? null;
        result.error = errorOf(out.error);
      } else {
        result.data = out ?? null;
      }
    }
  } catch (err) {
    result.exception = String(err?.stack ?? err);
  }
  // Wait for whatever the step started (the session atom may refetch in the background).
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  const last = responses.at(-1);
  if (last) {
    result.status = last.status;
    result.headers = last.headers;
  }
  result.setCookies = responses.flatMap((r) => r.setCookies);
  result.requests = responses.map(({ method, url, status }) => ({ method, url, status }));
  result.jar = jar.snapshot();
  writeLine(JSON.stringify(result) + "\n");
}
// The client's signals fire on timers; do not wait for them, only for stdout to drain.
process.stdout.write("", () => process.exit(0));
