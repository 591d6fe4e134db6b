// The Better Auth configuration of the interop server, built from environment variables (see README.md).
// Only server.mjs imports this file; it is separate so the option mapping can be read on its own.
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { admin, bearer, emailOTP, genericOAuth, jwt, magicLink, organization, twoFactor } from "better-auth/plugins";
import { createAccessControl } from "better-auth/plugins/access";
import { defaultStatements, ownerAc, adminAc, memberAc } from "better-auth/plugins/organization/access";
import { apiKey } from "@better-auth/api-key";
import { passkey } from "@better-auth/passkey";
import crypto from "node:crypto";
import Redis from "ioredis";
import pg from "pg";
import mysql from "mysql2/promise";

// DEFAULT_SECRET is the fixed test secret used when BETTER_AUTH_SECRET is unset. Test-only: never deploy it.
export const DEFAULT_SECRET = "gobetterauth-interop-test-secret-0123456789abcdef";

// JWT_ALGS are the JWT plugin's key algorithms (jwks.keyPairConfig.alg), with the extra key options.
const JWT_ALGS = {
  EdDSA: { alg: "EdDSA", crv: "Ed25519" },
  ES256: { alg: "ES256" },
  ES512: { alg: "ES512" },
  RS256: { alg: "RS256", modulusLength: 2048 },
  PS256: { alg: "PS256", modulusLength: 2048 },
};

// COOKIE_CACHES are the COOKIE_CACHE values: off, the three session.cookieCache strategies, and "jwt-plugin",
// strategy "jwt" signed by the JWT plugin (jwt({ sessionCookieCache: true })).
const COOKIE_CACHES = ["none", "compact", "jwt", "jwe", "jwt-plugin"];

// EXTRA_PLUGINS are the PLUGINS values: Better Auth plugins added after jwt() and bearer(), with their default
// options (twoFactor gets an issuer for its TOTP URIs, and sends its one-time codes to the outbox as
// {kind: "2fa-otp", email, token: code}); magicLink sends {kind: "magic-link", email, url, token} and emailOTP
// {kind: "<type>-otp" ("sign-in-otp", "email-verification-otp", "forget-password-otp"), email, token: code}).
const EXTRA_PLUGINS = {
  admin: () => admin(),
  twoFactor: () =>
    twoFactor({
      issuer: "gobetterauth-interop",
      otpOptions: { sendOTP: async ({ user, otp }) => void outbox.push({ kind: "2fa-otp", email: user.email, token: otp }) },
    }),
  // @better-auth/api-key with metadata on; keys are read from x-api-key (the default) and stored in the
  // database, or, with REDIS_URL and APIKEY_STORAGE=secondary-storage, in Redis.
  apiKey: () =>
    apiKey({
      enableMetadata: true,
      ...(process.env.APIKEY_SESSIONS === "1" ? { enableSessionForAPIKeys: true } : {}),
      ...(process.env.APIKEY_STORAGE ? { storage: process.env.APIKEY_STORAGE, fallbackToDatabase: process.env.APIKEY_FALLBACK === "1" } : {}),
    }),
  // The organization plugin with ORG_STATEMENTS added to Better Auth's default statements, ORG_ROLES' roles
  // (the defaults extended with the project statement, plus a custom "auditor"), and dynamic access control
  // (the organizationRole table) on; ORG_TEAMS turns teams on (teams: { enabled: true, ...ORG_TEAMS }).
  organization: (s) =>
    organization({
      ac: orgAC,
      roles: orgRoles,
      dynamicAccessControl: { enabled: true },
      ...(s.orgTeams ? { teams: { enabled: true, ...s.orgTeams } } : {}),
    }),
  magicLink: () =>
    magicLink({ sendMagicLink: async ({ email, url, token }) => void outbox.push({ kind: "magic-link", email, url, token }) }),
  emailOTP: () =>
    emailOTP({ sendVerificationOTP: async ({ email, otp, type }) => void outbox.push({ kind: `${type}-otp`, email, token: otp }) }),
  // @better-auth/passkey with its defaults: the RP ID is the base URL's host name, the origin the request's
  // Origin header, rpName the app name.
  passkey: () => passkey(),
};

// ORG_STATEMENTS and the roles below are the access control of the Go tests and of docs/plugins.md: Better
// Auth's default organization statements plus project: create, read, delete.
export const ORG_STATEMENTS = { ...defaultStatements, project: ["create", "read", "delete"] };
const orgAC = createAccessControl(ORG_STATEMENTS);
const orgRoles = {
  owner: orgAC.newRole({ ...ownerAc.statements, project: ["create", "read", "delete"] }),
  admin: orgAC.newRole({ ...adminAc.statements, project: ["create", "read"] }),
  member: orgAC.newRole({ ...memberAc.statements, project: ["read"] }),
  auditor: orgAC.newRole({ project: ["read"], ac: ["read"], member: ["update"] }),
};

function seconds(name, value) {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${JSON.stringify(value)}: want a positive number of seconds`);
  return n;
}

// settingsFromEnv reads and checks the variables. port is the port the server actually listens on.
export function settingsFromEnv(env, port) {
  const alg = env.JWT_ALG || "EdDSA";
  if (!Object.hasOwn(JWT_ALGS, alg)) {
    throw new Error(`JWT_ALG=${JSON.stringify(alg)}: want one of ${Object.keys(JWT_ALGS).join(", ")}`);
  }
  const cookieCache = env.COOKIE_CACHE || "none";
  if (!COOKIE_CACHES.includes(cookieCache)) {
    throw new Error(`COOKIE_CACHE=${JSON.stringify(cookieCache)}: want one of ${COOKIE_CACHES.join(", ")}`);
  }
  const cookiePrefix = env.COOKIE_PREFIX || undefined;
  if (cookiePrefix !== undefined && !/^[A-Za-z0-9._-]+$/.test(cookiePrefix)) {
    throw new Error(`COOKIE_PREFIX=${JSON.stringify(cookiePrefix)}: want letters, digits, ".", "_" or "-"`);
  }
  const database = databaseFromEnv(env);
  const plugins = env.PLUGINS ? env.PLUGINS.split(",") : [];
  for (const p of plugins) {
    if (!Object.hasOwn(EXTRA_PLUGINS, p)) {
      throw new Error(`PLUGINS=${JSON.stringify(env.PLUGINS)}: want a comma-separated list of ${Object.keys(EXTRA_PLUGINS).join(", ")}`);
    }
  }
  const redisURL = env.REDIS_URL || undefined;
  if (redisURL !== undefined && !/^rediss?:\/\//.test(redisURL)) {
    throw new Error(`REDIS_URL=${JSON.stringify(redisURL)}: want redis://… or rediss://…`);
  }
  if (env.REDIS_KEY_PREFIX && redisURL === undefined) throw new Error("REDIS_KEY_PREFIX needs REDIS_URL");
  if ((env.STORE_SESSION_IN_DATABASE || env.PRESERVE_SESSION_IN_DATABASE) && redisURL === undefined) {
    throw new Error("STORE_SESSION_IN_DATABASE and PRESERVE_SESSION_IN_DATABASE need REDIS_URL");
  }
  const rateLimit = env.RATE_LIMIT || undefined;
  if (rateLimit !== undefined && !["memory", "database", "secondary-storage"].includes(rateLimit)) {
    throw new Error(`RATE_LIMIT=${JSON.stringify(rateLimit)}: want memory, database or secondary-storage`);
  }
  if (rateLimit === "secondary-storage" && redisURL === undefined) throw new Error("RATE_LIMIT=secondary-storage needs REDIS_URL");
  if ((env.RATE_LIMIT_WINDOW || env.RATE_LIMIT_MAX) && rateLimit === undefined) throw new Error("RATE_LIMIT_WINDOW and RATE_LIMIT_MAX need RATE_LIMIT");
  const rateLimitMax = env.RATE_LIMIT_MAX ? Number(env.RATE_LIMIT_MAX) : undefined;
  if (rateLimitMax !== undefined && !(Number.isInteger(rateLimitMax) && rateLimitMax > 0)) {
    throw new Error(`RATE_LIMIT_MAX=${JSON.stringify(env.RATE_LIMIT_MAX)}: want a positive integer`);
  }
  for (const name of ["APIKEY_SESSIONS", "BIO_FIELD", "INSECURE_FAST_PASSWORD_HASH", "NO_JWT_HEADER", "CHANGE_EMAIL", "DELETE_USER_VERIFICATION", "EXTRA_FIELDS", "ENCRYPT_OAUTH_TOKENS", "STORE_SESSION_IN_DATABASE", "PRESERVE_SESSION_IN_DATABASE"]) {
    if (env[name] && env[name] !== "1") throw new Error(`${name}=${JSON.stringify(env[name])}: want 1 or unset`);
  }
  // GENERIC_OAUTH is a JSON array of genericOAuth provider configs (providerId, discoveryUrl, clientId,
  // clientSecret, …), passed to the plugin as they are. Unset means no genericOAuth plugin.
  let genericOAuthConfig;
  if (env.GENERIC_OAUTH) {
    genericOAuthConfig = JSON.parse(env.GENERIC_OAUTH);
    if (!Array.isArray(genericOAuthConfig) || genericOAuthConfig.some((c) => typeof c?.providerId !== "string")) {
      throw new Error("GENERIC_OAUTH: want a JSON array of genericOAuth configs, each with a providerId");
    }
  }
  // ORG_TEAMS is "1" (teams with their defaults) or a JSON object of more teams options
  // ({"maximumTeams":4,"maximumMembersPerTeam":2,"allowRemovingAllTeams":true,"defaultTeam":{"enabled":false}}).
  let orgTeams;
  if (env.ORG_TEAMS) {
    orgTeams = env.ORG_TEAMS === "1" ? {} : JSON.parse(env.ORG_TEAMS);
    if (typeof orgTeams !== "object" || orgTeams === null || Array.isArray(orgTeams)) {
      throw new Error(`ORG_TEAMS=${JSON.stringify(env.ORG_TEAMS)}: want 1 or a JSON object of teams options`);
    }
    if (!plugins.includes("organization")) throw new Error("ORG_TEAMS needs PLUGINS=organization");
  }
  let expires = env.JWT_EXPIRES || undefined;
  // A bare number would be an absolute epoch for Better Auth; here it means seconds from now.
  if (expires !== undefined && /^\d+$/.test(expires)) expires = `${expires}s`;
  const basePath = env.BASE_PATH || "/api/auth";
  if (!basePath.startsWith("/")) throw new Error(`BASE_PATH=${JSON.stringify(basePath)}: must start with /`);
  // "{port}" in BASE_URL stands for the port the server listens on (useful with PORT=0).
  const baseURL = (env.BASE_URL || "http://127.0.0.1:{port}").replaceAll("{port}", String(port)).replace(/\/+$/, "");
  new URL(baseURL); // throws on a malformed BASE_URL
  return {
    secret: env.BETTER_AUTH_SECRET || DEFAULT_SECRET,
    baseURL,
    basePath,
    alg,
    expires,
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    rotationInterval: seconds("JWKS_ROTATION_INTERVAL", env.JWKS_ROTATION_INTERVAL),
    gracePeriod: seconds("JWKS_GRACE_PERIOD", env.JWKS_GRACE_PERIOD),
    cookieCache,
    cookieCacheMaxAge: seconds("COOKIE_CACHE_MAX_AGE", env.COOKIE_CACHE_MAX_AGE) ?? 300,
    cookiePrefix,
    database,
    redisURL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || "",
    storeSessionInDatabase: env.STORE_SESSION_IN_DATABASE === "1",
    preserveSessionInDatabase: env.PRESERVE_SESSION_IN_DATABASE === "1",
    rateLimit,
    rateLimitWindow: seconds("RATE_LIMIT_WINDOW", env.RATE_LIMIT_WINDOW),
    rateLimitMax,
    bioField: env.BIO_FIELD === "1",
    fastPasswordHash: env.INSECURE_FAST_PASSWORD_HASH === "1",
    noJWTHeader: env.NO_JWT_HEADER === "1",
    changeEmail: env.CHANGE_EMAIL === "1",
    deleteUserVerification: env.DELETE_USER_VERIFICATION === "1",
    extraFields: env.EXTRA_FIELDS === "1",
    encryptOAuthTokens: env.ENCRYPT_OAUTH_TOKENS === "1",
    genericOAuth: genericOAuthConfig,
    plugins,
    orgTeams,
  };
}

// databaseFromEnv reads DATABASE (and DB_FILE): { kind: "sqlite", file } (file undefined means a temporary
// one), { kind: "postgres", url } or { kind: "mysql", url }.
function databaseFromEnv(env) {
  const v = env.DATABASE || "";
  if (v === "") return { kind: "sqlite", file: env.DB_FILE || undefined };
  if (/^postgres(ql)?:\/\//.test(v)) {
    if (env.DB_FILE) throw new Error("DB_FILE and a postgres DATABASE exclude each other");
    return { kind: "postgres", url: v };
  }
  if (v.startsWith("mysql://")) {
    if (env.DB_FILE) throw new Error("DB_FILE and a mysql DATABASE exclude each other");
    return { kind: "mysql", url: v };
  }
  if (v.startsWith("sqlite:")) {
    const file = v.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "").replace(/^\/\/(?!\/)/, "");
    if (file === "") throw new Error(`DATABASE=${JSON.stringify(v)}: no file`);
    if (env.DB_FILE && env.DB_FILE !== file) throw new Error("DB_FILE and a sqlite: DATABASE disagree");
    return { kind: "sqlite", file };
  }
  throw new Error(`DATABASE=${JSON.stringify(v)}: want postgres://…, postgresql://…, mysql://… or sqlite:PATH`);
}

// createAuth returns a betterAuth instance for the settings, on database (what openDatabase returned) and,
// when REDIS_URL is set, with secondaryStorage (what openSecondaryStorage returned).
export function createAuth(s, database, storage) {
  const jwks = { keyPairConfig: JWT_ALGS[s.alg] };
  if (s.rotationInterval !== undefined) jwks.rotationInterval = s.rotationInterval;
  if (s.gracePeriod !== undefined) jwks.gracePeriod = s.gracePeriod;
  const jwtOptions = {};
  if (s.expires !== undefined) jwtOptions.expirationTime = s.expires;
  if (s.issuer !== undefined) jwtOptions.issuer = s.issuer;
  if (s.audience !== undefined) jwtOptions.audience = s.audience;
  const session = {};
  if (s.cookieCache !== "none") {
    const strategy = s.cookieCache === "jwt-plugin" ? "jwt" : s.cookieCache;
    session.cookieCache = { enabled: true, strategy, maxAge: s.cookieCacheMaxAge };
  }
  const options = {
    baseURL: s.baseURL,
    basePath: s.basePath,
    secret: s.secret,
    database: database.db,
    telemetry: { enabled: false },
    logger: { disableColors: true },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: false,
      sendResetPassword: async ({ user, url, token }) => void outbox.push({ kind: "reset", email: user.email, url, token }),
    },
    emailVerification: {
      sendVerificationEmail: async ({ user, url, token }) => void outbox.push({ kind: "verify", email: user.email, url, token }),
    },
    // Deleting one's own account (POST /delete-user) is off in Better Auth unless enabled.
    user: { deleteUser: { enabled: true } },
    session,
    plugins: [
      jwt({ jwks, jwt: jwtOptions, sessionCookieCache: s.cookieCache === "jwt-plugin", disableSettingJwtHeader: s.noJWTHeader }),
      bearer(),
    ],
  };
  if (s.fastPasswordHash) options.emailAndPassword.password = fastPasswordHash;
  if (s.cookiePrefix !== undefined) options.advanced = { cookiePrefix: s.cookiePrefix };
  if (s.bioField) {
    // An optional user field that sign-up may set: a long value makes the session_data cookie longer than
    // Better Auth's 4050-byte limit, so it is split into session_data.0, .1, …
    options.user.additionalFields = { bio: { type: "string", required: false, input: true } };
  }
  if (s.changeEmail) options.user.changeEmail = { enabled: true, updateEmailWithoutVerification: true };
  if (s.deleteUserVerification) {
    options.user.deleteUser.sendDeleteAccountVerification = async ({ user, url, token }) =>
      void outbox.push({ kind: "delete-account", email: user.email, url, token });
  }
  if (s.extraFields) {
    // The additional fields of the Go tests (core/internal/interop/core_test.go): a required string, an
    // optional number, an input: false field with a default, and a session field with a default.
    options.user.additionalFields = {
      nickname: { type: "string", required: true },
      age: { type: "number", required: false },
      plan: { type: "string", required: false, input: false, defaultValue: "free" },
    };
    options.session.additionalFields = { theme: { type: "string", required: false, defaultValue: "light" } };
  }
  // ENCRYPT_OAUTH_TOKENS=1 stores provider access and refresh tokens encrypted (account.encryptOAuthTokens).
  if (s.encryptOAuthTokens) options.account = { encryptOAuthTokens: true };
  if (storage) options.secondaryStorage = storage.storage;
  if (s.storeSessionInDatabase) options.session.storeSessionInDatabase = true;
  if (s.preserveSessionInDatabase) options.session.preserveSessionInDatabase = true;
  if (s.rateLimit !== undefined) {
    // On although the server runs in development mode, where Better Auth turns rate limiting off.
    options.rateLimit = { enabled: true, storage: s.rateLimit };
    if (s.rateLimitWindow !== undefined) options.rateLimit.window = s.rateLimitWindow;
    if (s.rateLimitMax !== undefined) options.rateLimit.max = s.rateLimitMax;
  }
  if (s.genericOAuth) options.plugins.push(genericOAuth({ config: s.genericOAuth }));
  for (const p of s.plugins) options.plugins.push(EXTRA_PLUGINS[p](s));
  return betterAuth(options);
}

// outbox keeps the emails Better Auth asks to send (password reset and verification links), newest last;
// server.mjs serves it at GET /__test/outbox.
export const outbox = [];

// fastPasswordHash replaces Better Auth's scrypt (about 0.1 s of CPU per sign-up or sign-in) with one
// salted SHA-256, for tests that sign in many times and are about sessions, not passwords. Test-only: a
// password hash this fast MUST NOT protect real passwords.
const fastPasswordHash = {
  hash: async (password) => {
    const salt = crypto.randomBytes(16).toString("hex");
    return `insecure-sha256:${salt}:${crypto.createHash("sha256").update(salt + password).digest("hex")}`;
  },
  verify: async ({ hash, password }) => {
    const [kind, salt, digest] = hash.split(":");
    if (kind !== "insecure-sha256" || !salt || !digest) return false;
    const want = Buffer.from(digest, "hex");
    const got = crypto.createHash("sha256").update(salt + password).digest();
    return want.length === got.length && crypto.timingSafeEqual(want, got);
  },
};

// openDatabase opens the database of the settings: { db, close }. db is what Better Auth's database option
// takes (a better-sqlite3 Database, a pg Pool, which Better Auth wraps in Kysely's PostgresDialect, or a
// mysql2/promise Pool, which it wraps in Kysely's MysqlDialect: it tells them apart by "connect" and
// "getConnection").
// tmpFile() names the SQLite file when DB_FILE is unset.
export function openDatabase(s, tmpFile) {
  if (s.database.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: s.database.url, max: 5, connectionTimeoutMillis: 5000 });
    pool.on("error", (err) => console.error(`interop server: postgres: ${err.message}`));
    // A client that is checked out (between two statements of a transaction) when its connection dies emits
    // "error" on itself, not on the pool: without a listener Node exits. loadtest's pg_terminate_backend
    // showed it; the query in flight fails and the pool replaces the client.
    pool.on("connect", (client) => client.on("error", (err) => console.error(`interop server: postgres client: ${err.message}`)));
    return { db: pool, close: () => pool.end() };
  }
  if (s.database.kind === "mysql") {
    // Dates go over the wire in UTC ("Z") and every connection's session is in UTC, so that timestamp
    // columns hold the instant whatever the server's or the Node process's time zone is. Better Auth
    // passes the promise pool as Kysely's MysqlDialect config, whose pool field is then the promise pool's
    // pool: the callback pool Kysely wants. The SET is queued before any other query of the connection.
    const pool = mysql.createPool({ uri: s.database.url, connectionLimit: 5, connectTimeout: 5000, timezone: "Z" });
    pool.pool.on("connection", (conn) => {
      conn.query("SET time_zone = '+00:00'", (err) => {
        if (err) console.error(`interop server: mysql time_zone: ${err.message}`);
      });
      conn.on("error", (err) => console.error(`interop server: mysql connection: ${err.message}`));
    });
    return { db: pool, close: () => pool.end() };
  }
  const db = new Database(s.database.file ?? tmpFile());
  return { db, close: async () => db.close() };
}

// openSecondaryStorage returns { storage, close } for REDIS_URL, or null without one: Better Auth's
// secondaryStorage interface (get, getAndDelete, increment, set with a TTL in seconds, delete) over
// ioredis, every key under REDIS_KEY_PREFIX (ioredis keyPrefix).
export async function openSecondaryStorage(s) {
  if (s.redisURL === undefined) return null;
  const client = new Redis(s.redisURL, { keyPrefix: s.redisKeyPrefix, lazyConnect: true, maxRetriesPerRequest: 2 });
  client.on("error", (err) => console.error(`interop server: redis: ${err.message}`));
  await client.connect();
  const storage = {
    get: (key) => client.get(key),
    getAndDelete: (key) => client.getdel(key),
    increment: async (key, ttl) => {
      // The TTL is set only when INCR creates the key (EXPIRE … NX, Redis 7).
      const [[err, n], [err2]] = await client.multi().incr(key).expire(key, Math.max(1, Math.ceil(ttl)), "NX").exec();
      if (err || err2) throw err ?? err2;
      return n;
    },
    // As in Better Auth's documented Redis example: a TTL (seconds) when one is given, else none.
    set: async (key, value, ttl) => {
      if (ttl) await client.set(key, value, "EX", Math.max(1, Math.ceil(ttl)));
      else await client.set(key, value);
    },
    delete: async (key) => {
      await client.del(key);
    },
  };
  return { storage, close: () => client.quit() };
}
