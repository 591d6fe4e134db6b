// Package httpsec holds the request protections of Better Auth 1.7.25's server for the Go server, with
// Better Auth's statuses, codes and messages.
//
// # Origins
//
// [Origins] is the trusted-origin list (better-auth src/auth/trusted-origins.ts and src/utils/wildcard.ts):
// [Origins.Trusted] and [Origins.ValidCallback] answer what Better Auth's matchesOriginPattern and
// isTrustedOrigin answer. [Origins.CheckRequest] is the global originCheck middleware and
// [Origins.CheckFormCSRF] the sign-in/sign-up fetch-metadata check (src/api/middlewares/origin-check.ts).
// Absolute URLs are read as the WHATWG URL parser (JavaScript's URL) reads them, so "https:evil.com",
// "https://trusted@evil.com" and "https://evil.com\@trusted" all name evil.com.
//
// # Rate limiting
//
// [RateLimiter] is Better Auth's memory rate limiter (src/api/rate-limiter/index.ts): one counter per
// client and path, the built-in rules of [DefaultRules], X-Retry-After rounded as Better Auth rounds it.
//
// # Client IP
//
// [ClientIP] derives the client address (@better-auth/core src/utils/ip.ts) and [RateLimitKey] the
// counter key.
//
// # Hardening
//
// Where this package refuses more than Better Auth, the godoc of the name says so. In short: forwarded
// headers are believed only from trusted proxies; rate-limit paths are folded (case, slashes, encoding);
// memory is bounded per key and in total; callback targets with control characters, surrounding spaces or
// invalid UTF-8 are refused; hosts that would need IDNA mapping or percent-decoding are never trusted; a
// trusted-origin pattern that could never match is a configuration error.
package httpsec
