package httpsec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// whatwgURL is what Better Auth reads from `new URL(s)`: the protocol's scheme, the host (URL.host:
// host[:port]) and, for special schemes, the origin.
type whatwgURL struct {
	scheme string // lower-case, no ':'
	host   string // URL.host: serialized host plus ":port" when the port is not the scheme's default
}

// specialPorts are the WHATWG special schemes and their default ports ("file" is special too, but
// handled apart).
var specialPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

// origin is URL.origin for special schemes, "" (JavaScript's "null" origin, which Better Auth's getOrigin
// turns into null) for the others.
func (u whatwgURL) origin() string {
	if _, ok := specialPorts[u.scheme]; !ok || u.host == "" {
		return ""
	}
	return u.scheme + "://" + u.host
}

// parseURL reads s as the WHATWG URL parser does with no base URL, far enough to give the scheme, host and
// origin. ok is false where `new URL(s)` throws, and also (failing closed) for what this reader does not
// model: invalid UTF-8 (JavaScript strings cannot hold it), "file:" URLs, and special-scheme hosts that are
// non-ASCII or percent-encoded (they would need IDNA / percent-decoding; such a host is then never
// trusted, where Better Auth might compute the same origin as a trusted punycode pattern).
func parseURL(s string) (whatwgURL, bool) {
	if !utf8.ValidString(s) {
		return whatwgURL{}, false
	}
	// Strip leading and trailing C0 controls and spaces; remove every tab and newline.
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	// Scheme: an ASCII letter, then letters, digits, "+", "-", ".", up to ":".
	colon := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIIAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
			continue
		}
		if c == ':' && i > 0 {
			colon = i
		}
		break
	}
	if colon < 0 {
		return whatwgURL{}, false
	}
	u := whatwgURL{scheme: strings.ToLower(s[:colon])}
	rest := s[colon+1:]
	if u.scheme == "file" {
		return whatwgURL{}, false
	}
	defPort, special := specialPorts[u.scheme]
	if special {
		rest = strings.TrimLeft(rest, `/\`)
		end := strings.IndexAny(rest, `/\?#`)
		if end < 0 {
			end = len(rest)
		}
		host, port, ok := splitAuthority(rest[:end])
		if !ok || host == "" {
			return whatwgURL{}, false
		}
		h, ok := specialHost(host)
		if !ok {
			return whatwgURL{}, false
		}
		u.host = h
		if port != "" && port != defPort {
			u.host += ":" + port
		}
		return u, true
	}
	authority, ok := strings.CutPrefix(rest, "//")
	if !ok {
		return u, true // an opaque path ("javascript:alert(1)", "myapp:x") never fails
	}
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	hadCredentials := strings.Contains(authority, "@")
	host, port, ok := splitAuthority(authority)
	if !ok || (host == "" && (hadCredentials || port != "")) {
		return whatwgURL{}, false
	}
	if host != "" {
		if host, ok = opaqueHost(host); !ok {
			return whatwgURL{}, false
		}
	}
	u.host = host
	if port != "" {
		u.host += ":" + port
	}
	return u, true
}

// splitAuthority drops credentials (everything up to the last "@") and splits host and port. The port is
// returned canonical (no leading zeros), "" when absent or empty; ok is false for a bad port, or for
// credentials with an empty host.
func splitAuthority(a string) (host, port string, ok bool) {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		a = a[i+1:]
		if a == "" {
			return "", "", false
		}
	}
	inBrackets := false
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case '[':
			inBrackets = true
		case ']':
			inBrackets = false
		case ':':
			if inBrackets {
				continue
			}
			if i == 0 {
				return "", "", false // port without a host
			}
			p := a[i+1:]
			if p == "" {
				return a[:i], "", true
			}
			n := 0
			for j := 0; j < len(p); j++ {
				if !isDigit(p[j]) {
					return "", "", false
				}
				n = n*10 + int(p[j]-'0')
				if n > 65535 {
					return "", "", false
				}
			}
			return a[:i], strconv.Itoa(n), true
		}
	}
	return a, "", true
}

// specialHost parses and serializes the host of a special-scheme URL: an IPv6 literal, an IPv4 address in
// any of the forms WHATWG accepts (0x7f.1 is 127.0.0.1), or an ASCII domain, lower-cased.
func specialHost(h string) (string, bool) {
	if h[0] == '[' {
		return ipv6Host(h)
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 || c == '%' {
			return "", false // needs percent-decoding or IDNA: not modelled, fail closed
		}
		if c <= 0x20 || c == 0x7f || strings.IndexByte("#/:<>?@[\\]^|", c) >= 0 {
			return "", false // forbidden domain code point
		}
	}
	h = strings.ToLower(h)
	if endsInNumber(h) {
		return parseIPv4(h)
	}
	return h, true
}

// opaqueHost is the host of a non-special URL: case kept, C0 controls and non-ASCII percent-encoded,
// forbidden host code points refused.
func opaqueHost(h string) (string, bool) {
	if h[0] == '[' {
		return ipv6Host(h)
	}
	var b strings.Builder
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' || strings.IndexByte("#/:<>?@[\\]^|", c) >= 0 {
			return "", false
		}
		if c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// ipv6Host parses "[...]" and serializes it as WHATWG does: lower-case hex, the first longest run of two or
// more zero pieces compressed, never a dotted IPv4 tail.
func ipv6Host(h string) (string, bool) {
	if len(h) < 2 || h[len(h)-1] != ']' {
		return "", false
	}
	in := h[1 : len(h)-1]
	if strings.ContainsAny(in, "%") {
		return "", false // zones are not URL syntax
	}
	a, err := netip.ParseAddr(in)
	if err != nil || !a.Is6() {
		return "", false
	}
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestStart, bestLen := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > bestLen {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == bestStart {
			if i == 0 {
				sb.WriteByte(':')
			}
			sb.WriteByte(':')
			i += bestLen - 1
			continue
		}
		sb.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
		if i < 7 {
			sb.WriteByte(':')
		}
	}
	sb.WriteByte(']')
	return sb.String(), true
}

// endsInNumber is WHATWG's "ends in a number" check on a lower-cased ASCII domain.
func endsInNumber(h string) bool {
	parts := strings.Split(h, ".")
	last := parts[len(parts)-1]
	if last == "" {
		if len(parts) == 1 {
			return false
		}
		last = parts[len(parts)-2]
	}
	if last != "" && strings.TrimLeft(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// parseIPv4 is WHATWG's IPv4 parser: up to four parts, each decimal, octal (leading 0) or hex (0x); the
// last part fills the remaining bytes.
func parseIPv4(h string) (string, bool) {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", false
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", false
	}
	v += last
	return strconv.FormatUint(v>>24, 10) + "." + strconv.FormatUint(v>>16&255, 10) + "." +
		strconv.FormatUint(v>>8&255, 10) + "." + strconv.FormatUint(v&255, 10), true
}

// ipv4Number parses one IPv4 part: "" fails, "0x…" is hex ("0x" alone is 0), "0…" octal, else decimal.
func ipv4Number(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		p, base = p[2:], 16
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		p, base = p[1:], 8
	}
	n, err := strconv.ParseUint(p, base, 64)
	if err != nil {
		// Out of range still "ends in a number" and then fails the range check.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 1 << 40, true
		}
		return 0, false
	}
	if n > 1<<40 {
		n = 1 << 40
	}
	return n, true
}

func isASCIIAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
