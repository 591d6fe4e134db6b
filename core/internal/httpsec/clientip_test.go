package httpsec

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

var testProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48"),
	netip.MustParsePrefix("::ffff:172.16.0.0/108")}

// ipRows are ClientIP cases: RemoteAddr, forwarded headers, and the address Better Auth would key.
var ipRows = []struct {
	name    string
	ci      ClientIP
	remote  string
	headers map[string][]string
	want    string
	wantOK  bool
}{
	{"direct IPv4", ClientIP{}, "203.0.113.7:5555", nil, "203.0.113.7", true},
	{"direct IPv6 masked to /64", ClientIP{}, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:0db8:0001:0002:0000:0000:0000:0000", true},
	{"direct IPv6 kept whole with subnet 128", ClientIP{IPv6Subnet: 128}, "[2001:db8::1]:443", nil, "2001:0db8:0000:0000:0000:0000:0000:0001", true},
	{"direct IPv6 /48", ClientIP{IPv6Subnet: 48}, "[2001:db8:1:2::1]:443", nil, "2001:0db8:0001:0000:0000:0000:0000:0000", true},
	{"IPv4-mapped unmapped", ClientIP{}, "[::ffff:203.0.113.7]:1", nil, "203.0.113.7", true},
	{"zone dropped", ClientIP{}, "[fe80::1%eth0]:1", nil, "fe80:0000:0000:0000:0000:0000:0000:0000", true},
	{"bare address", ClientIP{}, "203.0.113.7", nil, "203.0.113.7", true},
	{"unix socket", ClientIP{}, "@", nil, "", false},
	{"empty RemoteAddr", ClientIP{}, "", nil, "", false},
	{"untrusted peer: X-Forwarded-For ignored", ClientIP{TrustedProxies: testProxies}, "203.0.113.7:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.7", true},
	{"no trusted proxies: X-Forwarded-For ignored", ClientIP{}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "10.0.0.1", true},
	{"trusted peer: client from X-Forwarded-For", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1", true},
	{"trusted peer: rightmost untrusted hop wins", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"6.6.6.6, 198.51.100.1, 10.1.1.1"}}, "198.51.100.1", true},
	{"trusted peer: repeated headers are one chain", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"6.6.6.6", "198.51.100.1", "10.2.2.2"}}, "198.51.100.1", true},
	{"trusted peer: IPv6 hop masked", ClientIP{TrustedProxies: testProxies}, "[2001:db8:ffff::1]:1",
		map[string][]string{"X-Forwarded-For": {"2001:db8:aaaa:bbbb:1::2"}}, "2001:0db8:aaaa:bbbb:0000:0000:0000:0000", true},
	{"trusted peer: mapped proxy prefix", ClientIP{TrustedProxies: testProxies}, "172.16.0.9:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1", true},
	{"trusted peer: mapped hop", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"::ffff:198.51.100.1"}}, "198.51.100.1", true},
	{"trusted peer: garbage hop", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1, bogus"}}, "", false},
	{"trusted peer: hop with port", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1:80"}}, "", false},
	{"trusted peer: hop with zone", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"fe80::1%eth0"}}, "", false},
	{"trusted peer: all hops trusted", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"10.9.9.9, 10.0.0.5"}}, "", false},
	{"trusted peer: no header, the proxy is the client", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1", nil, "10.0.0.1", true},
	{"trusted peer: blank header is absent", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {" , "}}, "10.0.0.1", true},
	{"trusted peer: headers in order", ClientIP{Headers: []string{"cf-connecting-ip", "x-forwarded-for"}, TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "Cf-Connecting-Ip": {"198.51.100.2"}}, "198.51.100.2", true},
	{"trusted peer: next header after a bad one", ClientIP{Headers: []string{"cf-connecting-ip", "x-forwarded-for"}, TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "Cf-Connecting-Ip": {"junk"}}, "198.51.100.1", true},
	{"trusted peer: unlisted header ignored", ClientIP{TrustedProxies: testProxies}, "10.0.0.1:1",
		map[string][]string{"X-Real-Ip": {"198.51.100.1"}}, "10.0.0.1", true},
}

func TestClientIP(t *testing.T) {
	for _, tt := range ipRows {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/auth/sign-in/email", nil)
			r.RemoteAddr = tt.remote
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			got, ok := tt.ci.Of(r)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Of() = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRateLimitKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", NoTrustedIP},
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0000"},
		{"2001:DB8:0:0:1:2:3:4", "2001:0db8:0000:0000:0000:0000:0000:0000"},
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{"no-trusted-ip", NoTrustedIP},
		{"127.0.0.1", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := RateLimitKey(tt.in); got != tt.want {
				t.Errorf("RateLimitKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
