package httpsec

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP derives the client address of a request, hardened beyond Better Auth's getIp: forwarded
// headers are believed only when the connection comes from a trusted proxy, and then the chain is read
// from the right, skipping trusted proxies, so a client cannot choose its own address by sending
// X-Forwarded-For.
type ClientIP struct {
	// Headers are the forwarded headers to read, lower-case, in order (e.g. "x-forwarded-for").
	Headers []string
	// TrustedProxies are the networks whose forwarded headers are believed. Nil means none.
	TrustedProxies []netip.Prefix
}

// Of returns the client IP of r, as a string: IPv4-mapped IPv6 addresses unmapped. ok is false when
// RemoteAddr holds no address (and no trusted header gives one).
func (c ClientIP) Of(r *http.Request) (ip string, ok bool) {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return "", false
	}
	if !c.trusted(peer) {
		return peer.String(), true
	}
	for _, h := range c.Headers {
		vals := r.Header.Values(h)
		if len(vals) == 0 {
			continue
		}
		parts := strings.Split(strings.Join(vals, ","), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, ok := parseAddr(strings.TrimSpace(parts[i]))
			if !ok {
				break // garbage in the chain: stop believing it
			}
			if i == 0 || !c.trusted(a) {
				return a.String(), true
			}
		}
	}
	return peer.String(), true
}

func (c ClientIP) trusted(a netip.Addr) bool {
	for _, p := range c.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseAddr reads "ip", "ip:port" or "[ipv6]:port".
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// RateLimitKey returns the counter key for a client address: an IPv6 address is keyed by its /64 (one
// subscriber usually holds a whole /64, so rotating within it gains nothing), an IPv4 address by itself.
func RateLimitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
