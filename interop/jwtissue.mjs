// Better Auth's own JWT-plugin key handling, for gobetterauth's core/internal/jwtissue tests
// (core/internal/interop/jwtissue_test.go). Reads one JSON request on stdin and writes one JSON answer
// on stdout:
//
//   request: {"secret": "<BETTER_AUTH_SECRET>", "secrets": [{"version": 2, "value": "…"}, …] (optional),
//             "ops": [op, …]}
//   answer:  {"results": [{"ok": true, "value": …} | {"ok": false, "error": "…"}, …]}
//
// Every op runs on a fresh betterAuth instance built from secret/secrets, so the secret configuration is
// Better Auth's own (ctx.secretConfig), never rebuilt here. Ops:
//
//   {"op": "encrypt", "data": "…"}   symmetricEncrypt from better-auth/crypto → the envelope string
//   {"op": "decrypt", "data": "…"}   symmetricDecrypt → the plaintext
//   {"op": "createJwk", "alg": "ES256", "disablePrivateKeyEncryption": false, "rotationInterval": 60}
//        GET /jwks on an empty in-memory SQLite table (the plugin creates a key) → {"row": <jwks row>,
//        "jwks": <the /jwks body>}
//   {"op": "sign", "alg": "EdDSA", "rows": [<jwks row>, …], "payload": {…}, "rotationInterval": n}
//        inserts the rows (dates as ISO strings) into an in-memory table, then the plugin's signJWT →
//        {"token": "…", "rows": <the table afterwards>, "jwks": <the /jwks body>}
//   {"op": "verify", "token": "…", "jwks": {…}, "issuer": "…", "audience": "…"}
//        jose's jwtVerify against createLocalJWKSet(jwks) → {"header": …, "payload": …}
//
// An op's own "secret" and "secrets" (null: none) replace the request's. baseURL is http://localhost:3000
// unless the request has "baseURL".
import Database from "better-sqlite3";

// stdout carries only the answer.
console.log = console.info = console.debug = console.warn = console.error;
for (const name of ["NODE_ENV", "TEST", "BETTER_AUTH_SECRETS", "BETTER_AUTH_SECRET", "AUTH_SECRET", "BETTER_AUTH_URL"]) {
  delete process.env[name];
}

const { betterAuth } = await import("better-auth");
const { jwt } = await import("better-auth/plugins");
const { symmetricEncrypt, symmetricDecrypt } = await import("better-auth/crypto");
const { getMigrations } = await import("better-auth/db/migration");
const { createLocalJWKSet, jwtVerify, decodeProtectedHeader } = await import("jose");

const KEY_PAIR_CONFIGS = {
  EdDSA: { alg: "EdDSA", crv: "Ed25519" },
  ES256: { alg: "ES256" },
  ES512: { alg: "ES512" },
  RS256: { alg: "RS256", modulusLength: 2048 },
  PS256: { alg: "PS256", modulusLength: 2048 },
};

async function instance(req, op) {
  const db = new Database(":memory:");
  const jwks = { keyPairConfig: KEY_PAIR_CONFIGS[op.alg ?? "EdDSA"] };
  if (!jwks.keyPairConfig) throw new Error(`unknown alg ${op.alg}`);
  if (op.disablePrivateKeyEncryption) jwks.disablePrivateKeyEncryption = true;
  if (op.rotationInterval) jwks.rotationInterval = op.rotationInterval;
  const options = {
    baseURL: req.baseURL ?? "http://localhost:3000",
    secret: op.secret ?? req.secret,
    database: db,
    telemetry: { enabled: false },
    logger: { disableColors: true },
    plugins: [jwt({ jwks })],
  };
  const secrets = "secrets" in op ? op.secrets : req.secrets;
  if (secrets) options.secrets = secrets;
  const auth = betterAuth(options);
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  return { auth, db, ctx: await auth.$context };
}

function rows(db) {
  return db.prepare('select * from "jwks" order by rowid').all();
}

async function run(req, op) {
  switch (op.op) {
    case "encrypt":
    case "decrypt": {
      const { ctx, db } = await instance(req, op);
      try {
        const f = op.op === "encrypt" ? symmetricEncrypt : symmetricDecrypt;
        return await f({ key: ctx.secretConfig, data: op.data });
      } finally {
        db.close();
      }
    }
    case "createJwk": {
      const { auth, db } = await instance(req, op);
      try {
        const body = await auth.api.getJwks();
        const all = rows(db);
        if (all.length !== 1) throw new Error(`want one jwks row, got ${all.length}`);
        return { row: all[0], jwks: body };
      } finally {
        db.close();
      }
    }
    case "sign": {
      const { auth, db } = await instance(req, op);
      try {
        const insert = db.prepare(
          'insert into "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv") values (?, ?, ?, ?, ?, ?, ?)',
        );
        for (const r of op.rows ?? []) {
          insert.run(r.id, r.publicKey, r.privateKey, r.createdAt, r.expiresAt ?? null, r.alg ?? null, r.crv ?? null);
        }
        const { token } = await auth.api.signJWT({ body: { payload: op.payload ?? {} } });
        return { token, rows: rows(db), jwks: await auth.api.getJwks() };
      } finally {
        db.close();
      }
    }
    case "verify": {
      const opts = {};
      if (op.issuer) opts.issuer = op.issuer;
      if (op.audience) opts.audience = op.audience;
      const { payload } = await jwtVerify(op.token, createLocalJWKSet(op.jwks), opts);
      return { header: decodeProtectedHeader(op.token), payload };
    }
    default:
      throw new Error(`unknown op ${JSON.stringify(op.op)}`);
  }
}

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const op of req.ops ?? []) {
  try {
    results.push({ ok: true, value: await run(req, op) });
  } catch (err) {
    results.push({ ok: false, error: String(err?.message ?? err) });
  }
}
process.stdout.write(JSON.stringify({ results }) + "\n");
