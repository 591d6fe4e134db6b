// The Better Auth configuration of the interop server, built from environment variables (see README.md).
// Only server.mjs imports this file; it is separate so the option mapping can be read on its own.
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { bearer, jwt } from "better-auth/plugins";

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

const COOKIE_CACHES = ["none", "compact", "jwt", "jwe"];

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
  };
}

// createAuth returns a betterAuth instance for the settings, on the SQLite database db (a better-sqlite3
// Database).
export function createAuth(s, db) {
  const jwks = { keyPairConfig: JWT_ALGS[s.alg] };
  if (s.rotationInterval !== undefined) jwks.rotationInterval = s.rotationInterval;
  if (s.gracePeriod !== undefined) jwks.gracePeriod = s.gracePeriod;
  const jwtOptions = {};
  if (s.expires !== undefined) jwtOptions.expirationTime = s.expires;
  if (s.issuer !== undefined) jwtOptions.issuer = s.issuer;
  if (s.audience !== undefined) jwtOptions.audience = s.audience;
  return betterAuth({
    baseURL: s.baseURL,
    basePath: s.basePath,
    secret: s.secret,
    database: db,
    telemetry: { enabled: false },
    logger: { disableColors: true },
    emailAndPassword: { enabled: true, requireEmailVerification: false },
    session: s.cookieCache === "none" ? {} : { cookieCache: { enabled: true, strategy: s.cookieCache, maxAge: 300 } },
    plugins: [jwt({ jwks, jwt: jwtOptions }), bearer()],
  });
}

// openDatabase opens the SQLite file.
export function openDatabase(file) {
  return new Database(file);
}
