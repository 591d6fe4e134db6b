// Better Auth's options for this app, shared by lib/auth.ts (the running app) and scripts/migrate.mjs
// (Better Auth's migrator), so both see the same tables.
import Database from "better-sqlite3";
import { admin, jwt } from "better-auth/plugins";

/** authOptions returns betterAuth()'s options for s (lib/settings.mjs), opening the SQLite file it names. */
export function authOptions(s) {
  if (s.secret.length < 32) {
    throw new Error("BETTER_AUTH_SECRET must be set, at least 32 characters (openssl rand -base64 32); the Go API needs the same value");
  }
  const db = new Database(s.databasePath);
  // WAL: the Go API reads the same file while this app writes it.
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  return {
    baseURL: s.appURL,
    secret: s.secret,
    database: db,
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
    plugins: [
      // GET /api/auth/token and /api/auth/jwks: the JWTs the Go API verifies with only BETTER_AUTH_URL.
      jwt({ jwt: { expirationTime: s.jwtExpiresIn } }),
      // user.role ("user" by default), which the Go API reports and its /api/admin checks.
      admin(),
    ],
  };
}
