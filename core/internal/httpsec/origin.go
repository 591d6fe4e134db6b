package httpsec

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Origins are the trusted origins: the base URL's origin and the configured trustedOrigins patterns. It is
// immutable and safe for concurrent use.
type Origins struct {
	base     string // the base URL's origin
	patterns []originPattern
}

// originPattern is one trustedOrigins entry, precompiled for matchesOriginPattern.
type originPattern struct {
	raw      string
	wild     bool // contains "*" or "?"
	hostOnly bool // wild and no "://": matched against URL.host of any scheme
	whole    glob // the whole pattern, for hostOnly and http(s) wildcard patterns
	// ipv4Auth is the authority isAllowedIPv4Host reads for hostOnly / http(s) wildcard patterns.
	ipv4Auth string
	// The pattern read as a custom-scheme origin (parseCustomSchemeOrigin), for non-http(s) URLs.
	custom             bool
	cScheme, cAuth     string
	cPath              string
	cAuthGlob, cPathGl glob
}

// NewOrigins returns the trusted origins. base is the server's base URL (its origin is taken, e.g.
// "http://localhost:3000"); patterns are Better Auth's trustedOrigins entries: exact origins
// ("https://app.example.com"), wildcards "*" and "?" ("https://*.example.com", or a host pattern without a
// scheme, "*.example.com", matched against the host of a URL of any scheme), and custom schemes
// ("myapp://", "exp://192.168.*.*:*/**"). Empty entries are skipped, as Better Auth skips them.
//
// Hardening beyond Better Auth, which accepts any string and lets a bad one silently never match: an entry
// with control characters, surrounding white space or invalid UTF-8 is an error; so is an http(s) entry
// without wildcards that is not exactly an origin ("https://app.example.com/" or "HTTPS://App.example.com"
// would never match in Better Auth either); so is an entry with neither a wildcard nor a scheme
// ("app.example.com"). An invalid base is an error.
func NewOrigins(base string, patterns []string) (*Origins, error) {
	b, ok := parseURL(base)
	if !ok || (b.scheme != "http" && b.scheme != "https") || b.origin() == "" || hasControl(base) {
		return nil, fmt.Errorf("httpsec: base URL %q is not an absolute http(s) URL", base)
	}
	o := &Origins{base: b.origin()}
	o.patterns = append(o.patterns, compileOriginPattern(o.base))
	for _, p := range patterns {
		if p == "" {
			continue
		}
		if err := checkPattern(p); err != nil {
			return nil, err
		}
		o.patterns = append(o.patterns, compileOriginPattern(p))
	}
	return o, nil
}

// checkPattern refuses the trustedOrigins entries that can never match or smuggle control characters.
func checkPattern(p string) error {
	if !utf8.ValidString(p) || hasControl(p) || strings.TrimSpace(p) != p {
		return fmt.Errorf("httpsec: trusted origin %q: control characters, surrounding spaces or invalid UTF-8", p)
	}
	if strings.ContainsAny(p, "*?") {
		return nil
	}
	lower := strings.ToLower(p)
	if strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:") {
		u, ok := parseURL(p)
		if !ok || u.origin() == "" {
			return fmt.Errorf("httpsec: trusted origin %q is not a URL", p)
		}
		if u.origin() != p {
			return fmt.Errorf("httpsec: trusted origin %q never matches: an origin is exactly %q", p, u.origin())
		}
		return nil
	}
	if _, ok := parseCustomSchemeOrigin(p, false); !ok || !strings.Contains(p, ":") {
		return fmt.Errorf("httpsec: trusted origin %q needs a scheme (https://…, myapp://) or a wildcard", p)
	}
	if i := strings.IndexByte(p, ':'); i <= 0 || !validScheme(p[:i]) {
		return fmt.Errorf("httpsec: trusted origin %q: invalid scheme", p)
	}
	return nil
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isASCIIAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'))) {
			return false
		}
	}
	return s != ""
}

func compileOriginPattern(p string) originPattern {
	op := originPattern{raw: p, wild: strings.ContainsAny(p, "*?")}
	if op.wild {
		op.whole = compileGlob(p)
		if i := strings.Index(p, "://"); i >= 0 {
			op.ipv4Auth = p[i+3:]
		} else {
			op.hostOnly, op.ipv4Auth = true, p
		}
	}
	if c, ok := parseCustomSchemeOrigin(p, op.wild); ok {
		op.custom, op.cScheme, op.cAuth, op.cPath = true, c.scheme, c.authority, c.path
		if op.wild {
			op.cAuthGlob, op.cPathGl = compileGlob(c.authority), compileGlob(c.path)
		}
	}
	return op
}

// Trusted reports whether origin — an Origin header value or any absolute URL — matches a trusted
// pattern, as Better Auth's matchesOriginPattern does without relative paths. "null", "" and relative
// paths are never trusted.
func (o *Origins) Trusted(origin string) bool {
	if strings.HasPrefix(origin, "/") {
		return false
	}
	return o.matchAny(origin)
}

func (o *Origins) matchAny(u string) bool {
	parsed, parsedOK := parseURL(u)
	var custom customOrigin
	customOK := false
	customDone := false
	for i := range o.patterns {
		p := &o.patterns[i]
		if p.hostOnly {
			if parsedOK && parsed.host != "" && p.whole.match(parsed.host) && ipv4HostAllowed(p.ipv4Auth, parsed.host) {
				return true
			}
			continue
		}
		if !parsedOK || parsed.scheme == "http" || parsed.scheme == "https" {
			origin := ""
			if parsedOK {
				origin = parsed.origin()
			}
			if origin == "" {
				continue
			}
			if !p.wild {
				if p.raw == origin {
					return true
				}
				continue
			}
			if p.whole.match(origin) && ipv4HostAllowed(p.ipv4Auth, origin[strings.Index(origin, "://")+3:]) {
				return true
			}
			continue
		}
		// A custom (non-http) scheme: compared as strings, not through URL parsing.
		if !customDone {
			custom, customOK = parseCustomSchemeOrigin(u, false)
			customDone = true
		}
		if !customOK || !p.custom || custom.scheme != p.cScheme {
			continue
		}
		if p.wild {
			if strings.Contains(custom.authority, "@") {
				continue
			}
			if p.cAuth != "" && !(p.cAuthGlob.match(custom.authority) && ipv4HostAllowed(p.cAuth, custom.authority)) {
				continue
			}
			path := custom.path
			if path == "" {
				path = "/"
			}
			if p.cPath == "" || p.cPathGl.match(path) {
				return true
			}
			continue
		}
		if p.cAuth != "" && custom.authority != p.cAuth {
			continue
		}
		if p.cPath == "" || custom.path == p.cPath || strings.HasPrefix(custom.path, p.cPath+"/") {
			return true
		}
	}
	return false
}

// ValidCallback reports whether a callback or redirect target is allowed, as Better Auth's
// isTrustedOrigin(url, {allowRelativePaths: true}): a root-relative path that every browser and router
// reads as same-origin (starting with one "/", no backslash, no control characters, no encoded "/" or "\"
// before the query), or an absolute URL that matches a trusted pattern (for http(s), by its origin).
//
// Hardening beyond Better Auth: a target with invalid UTF-8, any control character (U+0000–U+001F,
// U+007F–U+009F) or leading/trailing white space is refused even when it is absolute — the URL parser
// would strip or ignore those characters, so Better Auth accepts " https://trusted.example/\n", but no
// legitimate client sends them and they would reach a Location header.
func (o *Origins) ValidCallback(target string) bool {
	if !utf8.ValidString(target) || hasControl(target) || strings.TrimFunc(target, isJSSpace) != target {
		return false
	}
	if strings.HasPrefix(target, "/") {
		return safeRelative(target)
	}
	return o.matchAny(target)
}

// safeRelative is Better Auth's isSafeRelativeURL. The final check there — that `new URL(v, base)` keeps
// the base origin — cannot fail once the others hold, because such a v is parsed as a path.
func safeRelative(v string) bool {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.Contains(v, `\`) || hasControl(v) {
		return false
	}
	path := v
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		path = v[:i]
	}
	lp := strings.ToLower(path)
	return !strings.Contains(lp, "%2f") && !strings.Contains(lp, "%5c")
}

// customOrigin is Better Auth's parseCustomSchemeOrigin result.
type customOrigin struct{ scheme, authority, path string }

// parseCustomSchemeOrigin splits "scheme://authority/path?query#fragment" with string operations (Better
// Auth avoids URL parsing for custom schemes): scheme and authority lower-cased, the path percent-decoded
// (as decodeURIComponent, kept raw when that throws) and resolved (no ".", "..", empty segments). In a
// wildcard pattern "?" is a wildcard, so only "#" ends the authority and path.
func parseCustomSchemeOrigin(v string, wildcardPattern bool) (customOrigin, bool) {
	if !utf8.ValidString(v) || hasControl(v) {
		return customOrigin{}, false
	}
	i := strings.IndexByte(v, ':')
	if i <= 0 {
		return customOrigin{}, false
	}
	c := customOrigin{scheme: strings.ToLower(v[:i])}
	rest := v[i+1:]
	if r, ok := strings.CutPrefix(rest, "//"); ok {
		ends := "/?#"
		if wildcardPattern {
			ends = "/#"
		}
		end := strings.IndexAny(r, ends)
		if end < 0 {
			end = len(r)
		}
		c.authority, rest = strings.ToLower(r[:end]), r[end:]
	}
	ends := "?#"
	if wildcardPattern {
		ends = "#"
	}
	if end := strings.IndexAny(rest, ends); end >= 0 {
		rest = rest[:end]
	}
	c.path = resolvePath(rest)
	return c, true
}

// resolvePath is trusted-origins.ts normalizePath.
func resolvePath(p string) string {
	if d, ok := decodeURIComponent(p); ok {
		p = d
	}
	var segs []string
	for s := range strings.SplitSeq(p, "/") {
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
	if len(segs) == 0 {
		return ""
	}
	return "/" + strings.Join(segs, "/")
}

// decodeURIComponent decodes every %XX as JavaScript does; it fails on a malformed escape or when a run of
// escapes is not valid UTF-8.
func decodeURIComponent(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var out, run []byte
	flush := func() bool {
		if len(run) > 0 && !utf8.Valid(run) {
			return false
		}
		out, run = append(out, run...), run[:0]
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			if !flush() {
				return "", false
			}
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		run = append(run, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	if !flush() {
		return "", false
	}
	return string(out), true
}

func isHex(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// ipv4HostAllowed is isAllowedIPv4Host: a wildcard host made only of digits, dots and wildcards
// ("192.168.*.*") names an address range and admits only a dotted-decimal IPv4 address, so "*" cannot
// cross into "192.168.attacker.com".
func ipv4HostAllowed(patternAuthority, authority string) bool {
	ph, _, _ := strings.Cut(patternAuthority, ":")
	digit := false
	for i := 0; i < len(ph); i++ {
		c := ph[i]
		if !(isDigit(c) || c == '.' || c == '*' || c == '?') {
			return true
		}
		digit = digit || isDigit(c)
	}
	if !digit {
		return true
	}
	host, _, _ := strings.Cut(authority, ":")
	return isDottedIPv4(host)
}

// isDottedIPv4 is zod's ipv4 check: four decimal parts 0-255, no leading zeros.
func isDottedIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if !isDigit(p[i]) {
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

// hasControl reports C0 and C1 control characters and DEL (trusted-origins.ts CONTROL_CHARACTER_PATTERN).
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// isJSSpace is the white space JavaScript's String.prototype.trim removes.
func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF }

// headerGet is the Fetch API's Headers.get: every value of the header joined with ", ", "" when absent.
func headerGet(h http.Header, name string) string {
	return strings.Join(h.Values(name), ", ")
}

// CheckRequest is Better Auth's global originCheck middleware for a request. It does nothing for GET,
// OPTIONS and HEAD. When the request carries a Cookie header, the Origin (else Referer) must be present,
// not "null", and trusted (403 MISSING_OR_NULL_ORIGIN, INVALID_ORIGIN). Then the callback targets must
// pass [Origins.ValidCallback]: callbackURL from the body fields, else from the query (a repeated query
// value is Better Auth's 400 "expected a string"); redirectTo, errorCallbackURL and newUserCallbackURL from
// the body fields only, as Better Auth reads them (403 INVALID_CALLBACK_URL, INVALID_REDIRECT_URL,
// INVALID_ERROR_CALLBACK_URL, INVALID_NEW_USER_CALLBACK_URL). fields holds the string body values the
// caller found; empty values count as absent. For non-string body values see [CallbackNotString].
//
// "Origin: null" with "Sec-Fetch-Site: same-origin" is, in Better Auth, checked as the origin of the
// request URL (built from the Host header). Here it is checked as the base URL's origin, and so passes:
// the browser vouches that the request is same-origin, and the Host header is never believed (security
// E16). Better Auth refuses it only when reached under a Host that is not trusted.
func (o *Origins) CheckRequest(method string, h http.Header, query url.Values, fields map[string]string) *Error {
	if method == http.MethodGet || method == http.MethodOptions || method == http.MethodHead {
		return nil
	}
	if e := o.checkOrigin(h, false); e != nil {
		return e
	}
	for i, f := range callbackFields {
		v := fields[f.field]
		if i == 0 && v == "" {
			switch q := query[f.field]; {
			case len(q) > 1:
				return CallbackNotString(f.field)
			case len(q) == 1:
				v = q[0]
			}
		}
		if v != "" && !o.ValidCallback(v) {
			return f.err
		}
	}
	return nil
}

// CheckCallback is Better Auth's originCheck middleware on GET endpoints with a redirect target
// (/verify-email, /reset-password/:token, /delete-user/callback): an empty value passes, others must pass
// [Origins.ValidCallback] (403 INVALID_CALLBACK_URL).
func (o *Origins) CheckCallback(v string) *Error {
	if v != "" && !o.ValidCallback(v) {
		return ErrInvalidCallback
	}
	return nil
}

// checkOrigin is Better Auth's validateOrigin; it applies only with a Cookie header unless force is set.
func (o *Origins) checkOrigin(h http.Header, force bool) *Error {
	if !force && len(h.Values("Cookie")) == 0 {
		return nil
	}
	origin := headerGet(h, "Origin")
	v := origin
	if v == "" {
		v = h.Get("Referer") // Node keeps the first of repeated Referer headers
	}
	if origin == "null" && headerGet(h, "Sec-Fetch-Site") == "same-origin" {
		v = o.base
	}
	if v == "" || v == "null" {
		return ErrMissingOrigin
	}
	if !o.Trusted(v) {
		return ErrInvalidOrigin
	}
	return nil
}

// CheckFormCSRF is Better Auth's formCsrfMiddleware, the extra check of sign-in and sign-up (and the
// email-OTP and magic-link sign-ins) that applies even without cookies. With a Cookie header it is the
// origin check of [Origins.CheckRequest]. With fetch metadata (a non-blank Sec-Fetch-Site, -Mode or
// -Dest): "Sec-Fetch-Site: cross-site" with "Sec-Fetch-Mode: navigate" is 403
// CROSS_SITE_NAVIGATION_LOGIN_BLOCKED, anything else needs a present, trusted Origin (or Referer). With
// neither but an Origin or Referer, it must be trusted. With nothing (curl, server to server) it passes.
func (o *Origins) CheckFormCSRF(h http.Header) *Error {
	if len(h.Values("Cookie")) > 0 {
		return o.checkOrigin(h, false)
	}
	site, mode, dest := headerGet(h, "Sec-Fetch-Site"), headerGet(h, "Sec-Fetch-Mode"), headerGet(h, "Sec-Fetch-Dest")
	blank := func(s string) bool { return strings.TrimFunc(s, isJSSpace) == "" }
	if !blank(site) || !blank(mode) || !blank(dest) {
		if site == "cross-site" && mode == "navigate" {
			return ErrCrossSiteLogin
		}
		return o.checkOrigin(h, true)
	}
	if headerGet(h, "Origin") != "" || headerGet(h, "Referer") != "" {
		return o.checkOrigin(h, true)
	}
	return nil
}
