package betterauth

// Mirrors better-call src/cookies.ts (resolveCookie, serializeCookieValue, serializeCookie), better-auth
// src/cookies/index.ts (createCookieGetter: the default attributes) and src/cookies/session-store.ts
// (chunkCookie, getCleanCookies, parseCookieChunkIndex: splitting a large cookie).

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits of better-call's serializer and Better Auth's session store.
const (
	// MaxCookieAge is the largest Max-Age better-call writes: 400 days, in seconds.
	MaxCookieAge = 400 * 24 * 60 * 60
	// MaxCookieSize is Better Auth's ceiling for one serialised cookie ("name=value; attributes"), in
	// bytes; a longer cookie cache is split into chunks.
	MaxCookieSize = 4050
	// MaxWriteChunks is how many chunks Better Auth writes at most; a value needing more is not written at
	// all (the cookie cache is skipped).
	MaxWriteChunks = 100
)

// CookieAttrs are the attributes of a Set-Cookie header.
type CookieAttrs struct {
	// MaxAge is Max-Age in seconds. nil means none (a browser-session cookie); 0 deletes the cookie; a
	// negative value is left out, as better-call does; above [MaxCookieAge] it is written as MaxCookieAge
	// (better-call throws instead).
	MaxAge *int
	// Domain and Path are written when not "".
	Domain, Path string
	// Expires is written when not zero, as an HTTP date.
	Expires time.Time
	// HttpOnly and Secure add those flags. Secure is forced on for names starting "__Secure-" or "__Host-"
	// (case-insensitively), for SameSite "none" and for Partitioned.
	HttpOnly, Secure bool
	// SameSite is "Lax", "Strict" or "None" (its first letter is upper-cased, as better-call does); "" means
	// none.
	SameSite string
	// Partitioned adds the Partitioned flag.
	Partitioned bool
}

// DefaultAttrs returns the attributes Better Auth gives its cookies: Path=/, HttpOnly, SameSite=Lax, Secure
// when secure (the "__Secure-" names), and Domain when not "" (crossSubDomainCookies). Set MaxAge as the
// cookie needs.
func DefaultAttrs(secure bool, domain string) CookieAttrs {
	return CookieAttrs{Path: "/", HttpOnly: true, Secure: secure, SameSite: "Lax", Domain: domain}
}

// SetCookie renders one Set-Cookie header value as better-call serialises it:
//
//	name=value; Max-Age=…; Domain=…; Path=…; Expires=…; HttpOnly; Secure; SameSite=Lax; Partitioned
//
// A name starting "__Host-" (any case) forces Secure and Path=/ and drops Domain; "__Secure-" forces
// Secure; SameSite "none" and Partitioned force Secure. value is written as it is when it holds only
// characters that need no escaping — which is so for [Signer.Sign]'s output (already URL-encoded), base64url
// and JWS/JWE values — and any other character but "%" is escaped as encodeURIComponent escapes it, so a
// value can never break out of the header. name is written as it is.
func SetCookie(name, value string, a CookieAttrs) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "__host-"):
		a.Secure, a.Path, a.Domain = true, "/", ""
	case strings.HasPrefix(lower, "__secure-"):
		a.Secure = true
	}
	if a.Partitioned || strings.EqualFold(a.SameSite, "none") {
		a.Secure = true
	}
	b := make([]byte, 0, len(name)+len(value)+96)
	b = append(b, name...)
	b = append(b, '=')
	b = appendCookieValue(b, value)
	if a.MaxAge != nil && *a.MaxAge >= 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(min(*a.MaxAge, MaxCookieAge)), 10)
	}
	if a.Domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, a.Domain...)
	}
	if a.Path != "" {
		b = append(b, "; Path="...)
		b = append(b, a.Path...)
	}
	if !a.Expires.IsZero() {
		b = append(b, "; Expires="...)
		b = a.Expires.UTC().AppendFormat(b, http.TimeFormat)
	}
	if a.HttpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if a.Secure {
		b = append(b, "; Secure"...)
	}
	if a.SameSite != "" {
		b = append(b, "; SameSite="...)
		b = append(b, strings.ToUpper(a.SameSite[:1])...)
		b = append(b, a.SameSite[1:]...)
	}
	if a.Partitioned {
		b = append(b, "; Partitioned"...)
	}
	return string(b)
}

// DeleteCookie renders the Set-Cookie header value that deletes name: an empty value with Max-Age=0 and
// the cookie's other attributes, as Better Auth's expireCookie writes it.
func DeleteCookie(name string, a CookieAttrs) string {
	zero := 0
	a.MaxAge = &zero
	return SetCookie(name, "", a)
}

// appendCookieValue writes v, escaping as encodeURIComponent does every byte it would escape except "%".
func appendCookieValue(b []byte, v string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		if uriUnreserved(c) || c == '%' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&0xf])
	}
	return b
}

// uriUnreserved reports whether encodeURIComponent leaves c as it is.
func uriUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_.!~*'()", c) >= 0
}

// CookiePair is a cookie name and value to set.
type CookiePair struct {
	Name, Value string
}

// Chunk splits a cookie value as Better Auth's session store does before writing it. Each chunk's
// serialised cookie, named "<name>.99" for the measure, must fit in [MaxCookieSize] bytes with the
// attributes a (those the chunks are then written with), so the chunk size is MaxCookieSize minus
// len(SetCookie(name+".99", "", a)). A value that fits is set as name itself; a longer one as name.0,
// name.1, …; one needing more than [MaxWriteChunks] chunks is not set at all (Better Auth skips the cache).
//
// existing are the names of the request's cookies: those that are name itself or a chunk of it
// ("<name>.<n>", n a canonical decimal) and are not set again are returned in clear, in order and without
// repeats, to be deleted ([DeleteCookie] with the same attributes) so no stale chunk is joined to the new
// value.
func Chunk(name, value string, a CookieAttrs, existing []string) (set []CookiePair, clear []string) {
	size := MaxCookieSize - len(SetCookie(name+".99", "", a))
	switch n := chunkCount(len(value), size); {
	case n <= 1:
		set = []CookiePair{{name, value}}
	case n <= MaxWriteChunks:
		set = make([]CookiePair, 0, n)
		for i := 0; i < len(value); i += size {
			set = append(set, CookiePair{name + "." + strconv.Itoa(len(set)), value[i:min(i+size, len(value))]})
		}
	}
	for _, e := range existing {
		if e != name && !IsChunkName(name, e) {
			continue
		}
		dup := false
		for _, p := range set {
			dup = dup || p.Name == e
		}
		for _, c := range clear {
			dup = dup || c == e
		}
		if !dup {
			clear = append(clear, e)
		}
	}
	return set, clear
}

// chunkCount is Math.ceil(length / size), or more than MaxWriteChunks when size is not positive.
func chunkCount(length, size int) int {
	if size <= 0 {
		return MaxWriteChunks + 1
	}
	return (length + size - 1) / size
}

// IsChunkName reports whether cookie is "<name>.<n>" with n a non-negative safe integer written as
// String(n) writes it (Better Auth's parseCookieChunkIndex).
func IsChunkName(name, cookie string) bool {
	s, ok := strings.CutPrefix(cookie, name+".")
	if !ok || s == "" || len(s) > 15 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
