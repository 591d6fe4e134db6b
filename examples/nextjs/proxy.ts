// proxy.ts (Next.js 16's name for middleware.ts) runs before every matched request, reading its settings
// at run time:
//   /dashboard      signed-out visitors (no session cookie) go to /login?callbackUrl=/dashboard; the page
//                   itself then checks the session for real
//   /api/go/*       proxied to the Go API's /api/* (GO_API_URL), with the browser's cookies: the session
//                   cookie is first-party here and reaches the Go API, which reads the same database
//   /api/auth/*     in the mirror setup (AUTH_SERVER_URL set) proxied to gobetterauth's Go server
// A rewrite in next.config would do the proxying too, but Next.js fixes those at build time; these follow
// the environment of `npm start`.
import { NextResponse, type NextRequest } from "next/server";
import { getSessionCookie } from "better-auth/cookies";
import { settings } from "./lib/settings.mjs";

export function proxy(request: NextRequest) {
  const s = settings();
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/go/")) {
    const target = new URL(`${s.goAPIURL}/api/${pathname.slice("/api/go/".length)}${search}`);
    // Only the Go API's /api/*: a path that climbs out (/api/go/%2e%2e/…) is not proxied.
    if (!target.pathname.startsWith(new URL(`${s.goAPIURL}/api/`).pathname)) {
      return NextResponse.json({ message: "not found" }, { status: 404 });
    }
    return NextResponse.rewrite(target);
  }
  if (pathname.startsWith("/api/auth/")) {
    if (s.authServerURL) return NextResponse.rewrite(new URL(`${s.authServerURL}${pathname}${search}`));
    return NextResponse.next();
  }
  if (!getSessionCookie(request)) {
    // /login?callbackUrl=/dashboard, as gobetterauth's page routes write it (slashes left as they are).
    const callback = encodeURIComponent(pathname + search).replace(/%2F/g, "/");
    return NextResponse.redirect(new URL(`/login?callbackUrl=${callback}`, request.url));
  }
  return NextResponse.next();
}

export const config = { matcher: ["/dashboard/:path*", "/api/go/:path*", "/api/auth/:path*"] };
