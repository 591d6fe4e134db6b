// Calls to the Go API from the server: the user's JWT in Authorization, never the cookie.
import { headers } from "next/headers";
import { getAuth } from "./auth";
import { settings } from "./settings.mjs";

/** GoAnswer is what the Go API answered, or why it could not be asked. */
export type GoAnswer = { status: number; body: any; error?: string };

/** userJWT returns the signed-in user's JWT from Better Auth's /api/auth/token, or null when signed out. */
export async function userJWT(): Promise<string | null> {
  const s = settings();
  const h = await headers();
  if (s.authServerURL) {
    // The mirror setup: the Go server issues the JWT for the browser's session cookie.
    const res = await fetch(`${s.authServerURL}/api/auth/token`, {
      headers: { cookie: h.get("cookie") ?? "" },
      cache: "no-store",
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 401) return null;
    if (!res.ok) throw new Error(`the auth server at ${s.authServerURL} answered ${res.status} to /api/auth/token`);
    return (await res.json()).token;
  }
  try {
    const { token } = await getAuth().api.getToken({ headers: h });
    return token;
  } catch (err: any) {
    if (err?.statusCode === 401 || err?.status === "UNAUTHORIZED") return null;
    throw err;
  }
}

/** forge returns token with its payload changed to claim an admin, and the signature left as it was. */
export function forge(token: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  claims.role = "admin";
  claims.email = "admin@example.com";
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

/** callGoAPI sends GET path to the Go API with the bearer token and returns its answer; it never throws. */
export async function callGoAPI(path: string, token: string): Promise<GoAnswer> {
  const { goAPIURL } = settings();
  try {
    const res = await fetch(goAPIURL + path, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  } catch (err: any) {
    return { status: 0, body: null, error: `the Go API at ${goAPIURL} did not answer (${err?.cause?.code ?? err?.name ?? err}): is it running, and is GO_API_URL right?` };
  }
}
