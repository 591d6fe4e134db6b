// The Better Auth server of this app (the Next.js setup). In the mirror setup (AUTH_SERVER_URL set) it is
// never created: the Go server answers /api/auth instead.
import { betterAuth } from "better-auth";
import { authOptions } from "./auth-options.mjs";
import { settings } from "./settings.mjs";

function create() {
  return betterAuth(authOptions(settings()));
}

let instance: ReturnType<typeof create> | undefined;

/** getAuth returns the app's Better Auth, created at the first request (not at build time). */
export function getAuth() {
  instance ??= create();
  return instance;
}
