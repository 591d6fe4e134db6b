// The app's settings, read from the environment at run time (never baked into the build), for the server
// code, proxy.ts and scripts/migrate.mjs alike. README.md lists them.

/** settings reads env (process.env) and returns the app's settings; it throws on a value it cannot use. */
export function settings(env = process.env) {
  const port = env.PORT || "3000";
  const appURL = trimSlash(env.BETTER_AUTH_URL || `http://127.0.0.1:${port}`);
  const authServerURL = env.AUTH_SERVER_URL ? trimSlash(env.AUTH_SERVER_URL) : "";
  const goAPIURL = trimSlash(env.GO_API_URL || "http://127.0.0.1:8080");
  for (const [name, value] of [["BETTER_AUTH_URL", appURL], ["AUTH_SERVER_URL", authServerURL], ["GO_API_URL", goAPIURL]]) {
    if (value && !/^https?:\/\/[^/]+(\/.*)?$/.test(value)) {
      throw new Error(`${name}=${value} is not an absolute http(s) URL: set it to one such as http://127.0.0.1:8080`);
    }
  }
  return {
    appURL,
    // AUTH_SERVER_URL set: the mirror setup, where gobetterauth's Go server answers /api/auth (this app
    // proxies it there) and this app runs no Better Auth of its own.
    authServerURL,
    goAPIURL,
    secret: env.BETTER_AUTH_SECRET || "",
    databasePath: env.DATABASE_PATH || "app.db",
    jwtExpiresIn: env.JWT_EXPIRES_IN || "15m",
  };
}

function trimSlash(u) {
  return u.replace(/\/+$/, "");
}
