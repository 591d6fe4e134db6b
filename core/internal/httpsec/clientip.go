package httpsec

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// NoTrustedIP is Better Auth's shared rate-limit bucket for requests whose client IP cannot be derived.
const NoTrustedIP = "no-trusted-ip"

// ClientIP derives the client address of a request as Better Auth's getIp does, hardened.
//
// Better Auth believes a single-valued forwarded header from anyone (and, with trustedProxies, strips the
// chain from the right). Hardening: here the forwarded headers are believed only when the immediate peer
// (RemoteAddr) is in TrustedProxies, so a client that reaches the server directly cannot choose its address
// (and its rate-limit bucket) by sending X-Forwarded-For; the chain is then walked from the right,
// skipping trusted proxies, and the first untrusted hop is the client. Without trusted proxies, or from an
// untrusted peer, the client is RemoteAddr.
//
// The address is written as Better Auth writes it: IPv4-mapped IPv6 unmapped to IPv4, IPv6 masked to its
// /64 (IPv6Subnet) and expanded ("2001:0db8:0000:0000:0000:0000:0000:0000"), so rotating addresses within a
// /64 gains nothing.
type ClientIP struct {
	// Headers are the forwarded headers to read, in order. Nil means "x-forwarded-for".
	Headers []string
	// TrustedProxies are the peers whose forwarded headers are believed. Nil means none: the forwarded
	// headers are ignored. Invalid prefixes are skipped.
	TrustedProxies []netip.Prefix
	// IPv6Subnet is the prefix length IPv6 addresses are masked to. Zero means 64; 128 keeps them whole.
	IPv6Subnet int
}

// Of returns the client IP of r. ok is false when none can be derived: RemoteAddr is not an address, or a
// trusted proxy sent forwarded headers whose chain is malformed or holds only trusted proxies (Better
// Auth's "no trustworthy client IP"; use [NoTrustedIP]). A trusted proxy that sends no forwarded header is
// itself the client.
func (c ClientIP) Of(r *http.Request) (ip string, ok bool) {
	a, ok := c.Addr(r)
	if !ok {
		return "", false
	}
	return c.Format(a), true
}

// Addr is [ClientIP.Of] before the address is written as a string (see [ClientIP.Format]): a caller that
// may not need the string saves formatting it.
func (c ClientIP) Addr(r *http.Request) (netip.Addr, bool) {
	peer, ok := parsePeer(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	proxies := c.proxies()
	if !inPrefixes(proxies, peer) {
		return peer, true
	}
	headers := c.Headers
	if headers == nil {
		headers = []string{"x-forwarded-for"}
	}
	present := false
	for _, h := range headers {
		vals := r.Header.Values(h)
		if len(vals) == 0 {
			continue
		}
		var hops []string
		for _, v := range vals {
			for t := range strings.SplitSeq(v, ",") {
				if t = strings.TrimFunc(t, isJSSpace); t != "" {
					hops = append(hops, t)
				}
			}
		}
		if len(hops) == 0 {
			continue
		}
		present = true
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(hops[i])
			if err != nil || a.Zone() != "" {
				break // a malformed chain: Better Auth gives up on this header
			}
			a = a.Unmap()
			if !inPrefixes(proxies, a) {
				return a, true
			}
		}
	}
	if present {
		return netip.Addr{}, false
	}
	return peer, true
}

// proxies returns the valid trusted prefixes, IPv4-mapped ones unmapped.
func (c ClientIP) proxies() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.TrustedProxies))
	for _, p := range c.TrustedProxies {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Format writes an address from [ClientIP.Addr] as [ClientIP.Of] returns it: IPv4 dotted, IPv6 masked to
// IPv6Subnet and expanded.
func (c ClientIP) Format(a netip.Addr) string {
	bits := c.IPv6Subnet
	if bits <= 0 {
		bits = 64
	}
	return formatIP(a, bits)
}

// formatIP writes a as Better Auth's normalizeIP does: IPv4 dotted, IPv6 masked to bits and expanded.
func formatIP(a netip.Addr, bits int) string {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	if bits < 128 {
		p, _ := a.Prefix(bits)
		a = p.Addr()
	}
	b := a.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		g := strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16)
		sb.WriteString(strings.Repeat("0", 4-len(g)) + g)
	}
	return sb.String()
}

// parsePeer reads RemoteAddr: "ip:port", "[ipv6]:port" or a bare address; zones are dropped.
func parsePeer(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// RateLimitKey returns the client part of Better Auth's rate-limit key for an address from
// [ClientIP.Of]: the address itself, or [NoTrustedIP] for "". A raw IP is first written as Better Auth
// writes it (IPv6 masked to /64 and expanded; an already expanded IPv6 address is kept as it is, so a
// ClientIP with another IPv6Subnet keeps its mask).
func RateLimitKey(ip string) string {
	if ip == "" {
		return NoTrustedIP
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a.Unmap().Is6() && len(ip) == 39 && strings.Count(ip, ":") == 7 {
		return strings.ToLower(ip)
	}
	return formatIP(a, 64)
}
