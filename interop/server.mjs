// A real Better Auth server for gobetterauth's interop tests and demo. Configure it with environment variables
// (README.md). It listens on 127.0.0.1 and prints one line, "READY http://127.0.0.1:<port>", on stdout once it
// serves requests; everything else goes to stderr. It exits on SIGTERM, SIGINT, and when its stdin (a pipe or
// socket) closes, so a test that dies never leaves it running.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

// Better Auth reads these from the environment. Unset them so the options below alone decide: NODE_ENV or
// TEST would turn on rate limiting or turn off origin checks, and a stray BETTER_AUTH_SECRETS would change
// which secret signs. Better Auth is imported only after this, since it reads NODE_ENV at load time.
for (const name of ["NODE_ENV", "TEST", "BETTER_AUTH_SECRETS", "BETTER_AUTH_TRUSTED_ORIGINS", "BETTER_AUTH_URL", "AUTH_SECRET"]) {
  delete process.env[name];
}
// stdout carries only the READY line; Better Auth's logs and ours go to stderr.
console.log = console.info = console.debug = console.error;

const { settingsFromEnv, createAuth, openDatabase, openSecondaryStorage, outbox } = await import("./auth.mjs");
const { getMigrations } = await import("better-auth/db/migration");
const { signJWT } = await import("better-auth/crypto");
const { toNodeHandler } = await import("better-auth/node");

let handler = null; // the Better Auth handler, once migrations ran
let authInstance = null; // the betterAuth() instance, for /__test/api
let authURL = null; // where Better Auth serves its routes, as it computed it from baseURL and basePath
let settings = null;
let db = null; // what openDatabase returned
let storage = null; // what openSecondaryStorage returned
let tmpDir = null;
let stopping = false;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (url.pathname === "/__test/ready" && req.method === "GET") {
    return sendJSON(res, handler ? 200 : 503, handler ? { ok: true, baseURL: settings.baseURL, authURL, alg: settings.alg } : { ok: false });
  }
  if (!handler) return sendJSON(res, 503, { message: "starting" });
  if (url.pathname === "/__test/outbox" && req.method === "GET") return sendJSON(res, 200, outbox.slice(-100));
  if (url.pathname.startsWith("/__test/api/")) {
    if (req.method !== "POST") return sendJSON(res, 405, { message: "POST only" });
    return callAPI(req, res, url.pathname.slice("/__test/api/".length)).catch((err) => sendJSON(res, 500, { message: String(err?.message ?? err) }));
  }
  if (url.pathname === "/__test/hs256") {
    if (req.method !== "POST") return sendJSON(res, 405, { message: "POST only" });
    return mintHS256(req, res).catch((err) => sendJSON(res, 500, { message: String(err?.message ?? err) }));
  }
  return handler(req, res);
});

function sendJSON(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req, limit = 64 << 10) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) throw new Error("body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

// mintHS256 signs the JSON object in the body as an HS256 JWT with Better Auth's own signer (the one behind
// the "jwt" cookie cache and email verification tokens). That signer always sets iat to now and exp to
// now + expiresIn, so a numeric exp in the body becomes expiresIn (default 3600 s). The X-Test-Secret header,
// when present, signs with that secret instead of the server's.
async function mintHS256(req, res) {
  let claims;
  try {
    claims = JSON.parse(await readBody(req));
  } catch {
    return sendJSON(res, 400, { message: "body must be JSON" });
  }
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
    return sendJSON(res, 400, { message: "body must be a JSON object of claims" });
  }
  const secret = req.headers["x-test-secret"] || settings.secret;
  const { exp, ...rest } = claims;
  if (exp !== undefined && typeof exp !== "number") return sendJSON(res, 400, { message: "exp must be a number" });
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = Math.floor(Date.now() / 1000);
    const token = await signJWT(rest, secret, exp === undefined ? 3600 : exp - now);
    // Crossing a second boundary between now and the signer's own clock would shift exp by one: re-sign.
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
    if (exp === undefined || payload.exp === exp) return sendJSON(res, 200, { token });
  }
  return sendJSON(res, 500, { message: "could not sign with the requested exp" });
}

// callAPI calls auth.api[name]({ body, headers }) server-side, as a trusted server would (server-only endpoints
// such as /api-key/verify, and server-only fields such as an API key's remaining or permissions). The request
// body is {"body": {...}, "headers": {...}}. The answer is {"status": 200, "body": result} or, when the call
// throws Better Auth's APIError, {"status": its status code, "body": its body}.
async function callAPI(req, res, name) {
  const fn = authInstance.api[name];
  if (typeof fn !== "function") return sendJSON(res, 404, { message: `no auth.api.${name}` });
  let input;
  try {
    input = JSON.parse((await readBody(req)) || "{}");
  } catch {
    return sendJSON(res, 400, { message: "body must be JSON" });
  }
  try {
    // Without "headers" the call is a server call: Better Auth then allows server-only fields.
    const call = { body: input.body, query: input.query };
    if (input.headers) call.headers = new Headers(input.headers);
    const out = await fn(call);
    return sendJSON(res, 200, { status: 200, body: out ?? null });
  } catch (err) {
    if (err && typeof err.statusCode === "number") return sendJSON(res, 200, { status: err.statusCode, body: err.body ?? null });
    throw err;
  }
}

// cleanup runs at exit, synchronously: it can only delete the temporary SQLite file. stop closes the
// database and Redis connections properly first.
function cleanup() {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = null;
}

async function closeConnections() {
  const closers = [db?.close, storage?.close].filter(Boolean).map((close) => Promise.resolve().then(close).catch(() => {}));
  db = storage = null;
  // Never hang on a server that does not answer: exit after two seconds at most.
  await Promise.race([Promise.all(closers), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections?.();
  closeConnections().finally(() => {
    cleanup();
    process.exit(code);
  });
}

process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));
process.on("exit", cleanup);

// Watch stdin only when it is a pipe or socket held by a parent process. /dev/null or a file would read as
// closed at once, and reading a terminal would stop a background job (SIGTTIN).
const stdinStat = fs.fstatSync(0, { throwIfNoEntry: false });
if (stdinStat && (stdinStat.isFIFO() || stdinStat.isSocket())) {
  process.stdin.on("end", () => stop(0));
  process.stdin.on("close", () => stop(0));
  process.stdin.on("error", () => stop(0));
  process.stdin.resume();
}

const requestedPort = Number(process.env.PORT ?? 0);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  console.error(`PORT=${JSON.stringify(process.env.PORT)}: want 0..65535`);
  process.exit(2);
}

server.on("error", (err) => {
  console.error(`interop server: ${err.message}`);
  stop(1);
});

server.listen(requestedPort, "127.0.0.1", async () => {
  const port = server.address().port;
  try {
    settings = settingsFromEnv(process.env, port);
  } catch (err) {
    console.error(`interop server: ${err.message}`);
    return stop(2);
  }
  try {
    db = openDatabase(settings, () => {
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "gobetterauth-interop-"));
      return path.join(tmpDir, "auth.db");
    });
    storage = await openSecondaryStorage(settings);
    const auth = createAuth(settings, db, storage);
    authInstance = auth;
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    authURL = (await auth.$context).baseURL;
    handler = toNodeHandler(auth);
    process.stdout.write(`READY http://127.0.0.1:${port}\n`);
  } catch (err) {
    console.error(`interop server: ${err?.stack ?? err}`);
    stop(1);
  }
});
