// Package betterauth holds Better Auth's own wire formats, and nothing else: the signed cookie value, cookie
// names and the Cookie header as Better Auth reads them, chunked cookies, the cookie cache payload and its
// compact and JWE encodings. Each file names the Better Auth (or better-call) source file it mirrors; the
// behaviour was checked against better-auth 1.7.25 (see shared/spec/better-auth.md).
package betterauth
