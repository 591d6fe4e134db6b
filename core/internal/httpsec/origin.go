// Package httpsec holds the request protections of Better Auth's server, for the Go server: trusted
// origins and callback URL validation (better-auth src/auth/trusted-origins.ts, src/utils/wildcard.ts), the
// origin and form CSRF checks (src/api/middlewares/origin-check.ts), rate limiting
// (src/api/rate-limiter/index.ts) and the client IP (@better-auth/core src/utils/ip.ts), hardened where
// noted.
package httpsec

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Error is a refusal with Better Auth's status, code and message.
type Error struct {
	Status        int
	Code, Message string
}

func (e *Error) Error() string { return "httpsec: " + e.Code + ": " + e.Message }

// The refusals, with Better Auth's codes and messages.
var (
	ErrMissingOrigin      = &Error{403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"}
	ErrInvalidOrigin      = &Error{403, "INVALID_ORIGIN", "Invalid origin"}
	ErrInvalidCallback    = &Error{403, "INVALID_CALLBACK_URL", "Invalid callbackURL"}
	ErrInvalidRedirect    = &Error{403, "INVALID_REDIRECT_URL", "Invalid redirectURL"}
	ErrInvalidErrCallback = &Error{403, "INVALID_ERROR_CALLBACK_URL", "Invalid errorCallbackURL"}
	ErrInvalidNewUserCb   = &Error{403, "INVALID_NEW_USER_CALLBACK_URL", "Invalid newUserCallbackURL"}
	ErrCrossSiteLogin     = &Error{403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", "Cross-site navigation login blocked. This request appears to be a CSRF attack."}
)

// Origins are the trusted origins: the base URL's origin and the configured patterns.
type Origins struct {
	patterns []string
}

// NewOrigins returns the trusted origins: base (the server's base URL origin, e.g.
// "http://localhost:3000") and patterns in Better Auth's trustedOrigins syntax: exact origins
// ("https://app.example.com"), wildcards "*" and "?" ("https://*.example.com", or a bare host pattern
// "*.example.com" matching any scheme), and custom schemes ("myapp://"). A pattern with control characters,
// spaces or no host is an error.
func NewOrigins(base string, patterns []string) (*Origins, error) {
	o := &Origins{patterns: []string{base}}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || hasControl(p) || strings.ContainsAny(p, " \\") {
			return nil, errors.New("httpsec: invalid trusted origin pattern " + quote(p))
		}
		if i := strings.Index(p, "://"); i >= 0 {
			scheme := strings.ToLower(p[:i])
			if scheme == "http" || scheme == "https" {
				host := p[i+3:]
				if host == "" || strings.ContainsAny(host, "/?#@") {
					return nil, errors.New("httpsec: trusted origin " + quote(p) + " must be scheme://host[:port]")
				}
				p = scheme + "://" + strings.ToLower(host)
			}
		} else if !strings.ContainsAny(p, "*?") {
			return nil, errors.New("httpsec: trusted origin " + quote(p) + " needs a scheme (https://…) or a wildcard")
		}
		o.patterns = append(o.patterns, p)
	}
	return o, nil
}

func quote(s string) string { return "\"" + s + "\"" }

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// Trusted reports whether origin (an Origin header value, or any absolute URL, whose origin is taken) is
// trusted.
func (o *Origins) Trusted(origin string) bool {
	for _, p := range o.patterns {
		if matchOrigin(origin, p) {
			return true
		}
	}
	return false
}

// ValidCallback reports whether a callback or redirect target is allowed: a root-relative path that every
// browser and router reads as same-origin (no "//", no backslash, no control characters, no encoded "/"
// or "\" in the path), or an absolute URL whose origin is trusted.
func (o *Origins) ValidCallback(target string) bool {
	if strings.HasPrefix(target, "/") {
		return safeRelative(target)
	}
	return o.Trusted(target)
}

// safeRelative is Better Auth's isSafeRelativeURL.
func safeRelative(v string) bool {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.Contains(v, "\\") || hasControl(v) {
		return false
	}
	path := v
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		path = v[:i]
	}
	lp := strings.ToLower(path)
	if strings.Contains(lp, "%2f") || strings.Contains(lp, "%5c") {
		return false
	}
	u, err := url.Parse("https://better-auth.invalid" + v)
	return err == nil && u.Host == "better-auth.invalid" && u.Scheme == "https"
}

// originOf returns the scheme://host[:port] origin of an http(s) URL as JavaScript's URL.origin does
// (lower-case host, default port dropped), or "" when u is not an absolute http(s) URL.
func originOf(u string) string {
	if hasControl(u) || strings.ContainsAny(u, " \\") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Opaque != "" {
		return ""
	}
	host := strings.ToLower(p.Hostname())
	port := p.Port()
	if (p.Scheme == "http" && port == "80") || (p.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return p.Scheme + "://" + host
}

// matchOrigin is Better Auth's matchesOriginPattern for an absolute URL.
func matchOrigin(u, pattern string) bool {
	wild := strings.ContainsAny(pattern, "*?")
	if wild && !strings.Contains(pattern, "://") {
		o := originOf(u)
		if o == "" {
			return false
		}
		host := o[strings.Index(o, "://")+3:]
		return wildcard(pattern, host) && ipv4HostOK(pattern, host)
	}
	scheme := ""
	if i := strings.IndexByte(u, ':'); i > 0 {
		scheme = strings.ToLower(u[:i])
	}
	if scheme == "http" || scheme == "https" {
		o := originOf(u)
		if o == "" {
			return false
		}
		if !wild {
			return o == pattern
		}
		return wildcard(pattern, o) && ipv4HostOK(pattern[strings.Index(pattern, "://")+3:], o[strings.Index(o, "://")+3:])
	}
	// Custom schemes: scheme, then authority, then a path prefix.
	ps, pa, pp, ok1 := splitCustom(pattern)
	us, ua, up, ok2 := splitCustom(u)
	if !ok1 || !ok2 || ps != us {
		return false
	}
	if wild {
		if strings.Contains(ua, "@") {
			return false
		}
		if pa != "" && !wildcard(pa, ua) {
			return false
		}
		return pp == "" || wildcard(pp, orSlash(up))
	}
	if pa != "" && ua != pa {
		return false
	}
	return pp == "" || up == pp || strings.HasPrefix(up, pp+"/")
}

func orSlash(s string) string {
	if s == "" {
		return "/"
	}
	return s
}

// splitCustom splits "scheme://authority/path?query" without URL parsing (Better Auth's
// parseCustomSchemeOrigin): scheme and authority lower-cased, the path decoded and resolved.
func splitCustom(v string) (scheme, authority, path string, ok bool) {
	if hasControl(v) {
		return "", "", "", false
	}
	i := strings.IndexByte(v, ':')
	if i <= 0 {
		return "", "", "", false
	}
	scheme, rest := strings.ToLower(v[:i]), v[i+1:]
	if r, ok := strings.CutPrefix(rest, "//"); ok {
		rest = r
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			authority, rest = rest, ""
		} else {
			authority, rest = rest[:end], rest[end:]
		}
	}
	if end := strings.IndexAny(rest, "?#"); end >= 0 {
		rest = rest[:end]
	}
	if d, err := url.PathUnescape(rest); err == nil {
		rest = d
	}
	var segs []string
	for s := range strings.SplitSeq(rest, "/") {
		switch s {
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		case ".", "":
		default:
			segs = append(segs, s)
		}
	}
	if len(segs) > 0 {
		path = "/" + strings.Join(segs, "/")
	}
	return scheme, strings.ToLower(authority), path, true
}

// wildcard matches s against a glob where "*" is any run of characters other than "/" and "?" is one such
// character (Better Auth's wildcardMatch with the "/" separator).
func wildcard(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(pattern[1:], s[i:]) {
				return true
			}
			if i < len(s) && (s[i] == '/' || s[i] == '\\') {
				return false
			}
		}
		return false
	case '?':
		return s != "" && s[0] != '/' && s[0] != '\\' && wildcard(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && wildcard(pattern[1:], s[1:])
	}
}

// ipv4HostOK: a wildcard host made only of digits, dots and wildcards ("192.168.*.*") names an address
// range and admits only an IPv4 address, so "*" cannot cross into "192.168.attacker.com".
func ipv4HostOK(patternAuthority, authority string) bool {
	ph, _, _ := strings.Cut(patternAuthority, ":")
	digit, only := false, ph != ""
	for i := 0; i < len(ph); i++ {
		c := ph[i]
		digit = digit || (c >= '0' && c <= '9')
		only = only && (c >= '0' && c <= '9' || c == '.' || c == '*' || c == '?')
	}
	if !only || !digit {
		return true
	}
	host, _, _ := strings.Cut(authority, ":")
	parts := strings.Split(host, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// CheckRequest is Better Auth's global originCheck middleware: it does nothing for GET, OPTIONS and HEAD;
// for a request with a Cookie header the Origin (else Referer) must be present and trusted; and the
// callbackURL (body or query), redirectTo, errorCallbackURL and newUserCallbackURL values (fields holds
// the ones found in the body) must be valid callbacks.
func (o *Origins) CheckRequest(method string, h http.Header, query url.Values, fields map[string]string) *Error {
	if method == http.MethodGet || method == http.MethodOptions || method == http.MethodHead {
		return nil
	}
	if len(h.Values("Cookie")) > 0 {
		if e := o.checkOrigin(h); e != nil {
			return e
		}
	}
	cb := fields["callbackURL"]
	if cb == "" {
		cb = query.Get("callbackURL")
	}
	for _, c := range []struct {
		v   string
		err *Error
	}{{cb, ErrInvalidCallback}, {fields["redirectTo"], ErrInvalidRedirect},
		{fields["errorCallbackURL"], ErrInvalidErrCallback}, {fields["newUserCallbackURL"], ErrInvalidNewUserCb}} {
		if c.v != "" && !o.ValidCallback(c.v) {
			return c.err
		}
	}
	return nil
}

// CheckCallback validates a GET endpoint's callbackURL (Better Auth's originCheck middleware on
// /verify-email, /reset-password/:token): "" is allowed.
func (o *Origins) CheckCallback(v string) *Error {
	if v != "" && !o.ValidCallback(v) {
		return ErrInvalidCallback
	}
	return nil
}

// checkOrigin is validateOrigin: Origin, else Referer, must be present, not "null", and trusted.
func (o *Origins) checkOrigin(h http.Header) *Error {
	v := h.Get("Origin")
	if v == "" {
		v = h.Get("Referer")
	}
	if v == "" || v == "null" {
		return ErrMissingOrigin
	}
	if !o.Trusted(v) {
		return ErrInvalidOrigin
	}
	return nil
}

// CheckFormCSRF is the extra check of sign-in and sign-up, which applies even without cookies: with a
// Cookie header it is the origin check; with fetch metadata (Sec-Fetch-Site/Mode/Dest), a cross-site
// navigation is refused and otherwise the Origin must be present and trusted; with neither but an Origin
// or Referer, it must be trusted; with nothing (curl, server to server) the request passes.
func (o *Origins) CheckFormCSRF(h http.Header) *Error {
	if len(h.Values("Cookie")) > 0 {
		return o.checkOrigin(h)
	}
	site, mode, dest := h.Get("Sec-Fetch-Site"), h.Get("Sec-Fetch-Mode"), h.Get("Sec-Fetch-Dest")
	if strings.TrimSpace(site) != "" || strings.TrimSpace(mode) != "" || strings.TrimSpace(dest) != "" {
		if site == "cross-site" && mode == "navigate" {
			return ErrCrossSiteLogin
		}
		return o.checkOrigin(h)
	}
	if h.Get("Origin") != "" || h.Get("Referer") != "" {
		return o.checkOrigin(h)
	}
	return nil
}
