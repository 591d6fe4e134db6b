package httpsec

import (
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidCallback checks that no target panics or smuggles control characters, and that an accepted
// root-relative target stays on the base origin for Go's URL parser too.
func FuzzValidCallback(f *testing.F) {
	for _, r := range openRedirects {
		f.Add(r)
	}
	for _, s := range []string{"/dashboard?x=1", "https://trusted.example.com/x", "myapp://cb", "exp://192.168.0.1:1/x",
		"https://[::1]:443/", "https://0x7f.1/", "myapp://[::1]/", "native://host/cb/%2e%2e/x", "https://a%2eb/"} {
		f.Add(s)
	}
	o := newTestOrigins(f)
	f.Fuzz(func(t *testing.T, target string) {
		ok := o.ValidCallback(target)
		if ok != o.ValidCallback(target) {
			t.Fatal("not deterministic")
		}
		if !ok {
			return
		}
		if !utf8.ValidString(target) || hasControl(target) || strings.TrimSpace(target) != target {
			t.Fatalf("accepted %q with control characters or surrounding space", target)
		}
		if strings.HasPrefix(target, "/") {
			if strings.HasPrefix(target, "//") || strings.Contains(target, `\`) {
				t.Fatalf("accepted protocol-relative %q", target)
			}
			u, err := url.Parse(testBase + target)
			if err == nil && u.Host != "app.example.com" {
				t.Fatalf("relative %q leaves the site: host %q", target, u.Host)
			}
			return
		}
		u, parsed := parseURL(target)
		if !parsed {
			t.Fatalf("accepted %q that the URL parser refuses", target)
		}
		if u.scheme == "javascript" || u.scheme == "data" || u.scheme == "vbscript" {
			t.Fatalf("accepted %q", target)
		}
	})
}

// FuzzClientIP checks that a client behind an untrusted peer cannot pick its address with forwarded
// headers, and that every address returned has Better Auth's written form.
func FuzzClientIP(f *testing.F) {
	for _, r := range ipRows {
		f.Add(r.remote, strings.Join(r.headers["X-Forwarded-For"], ", "))
	}
	f.Add("10.0.0.1:1", "1.1.1.1, ::ffff:1.2.3.4,2001:db8::1 ,, 10.0.0.9")
	ci := ClientIP{TrustedProxies: testProxies}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		ip, ok := ci.Of(r)
		if !ok {
			if ip != "" {
				t.Fatalf("ok=false with ip %q", ip)
			}
			return
		}
		a, err := netip.ParseAddr(ip)
		if err != nil || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("Of() = %q: not a plain address", ip)
		}
		if a.Is6() && len(ip) != 39 {
			t.Fatalf("Of() = %q: IPv6 not expanded", ip)
		}
		if RateLimitKey(ip) != ip {
			t.Fatalf("RateLimitKey(%q) = %q: not idempotent", ip, RateLimitKey(ip))
		}
		peer, _ := parsePeer(remote)
		if !inPrefixes(ci.proxies(), peer) && ip != ci.Format(peer) {
			t.Fatalf("untrusted peer %q chose its address %q via X-Forwarded-For %q", remote, ip, xff)
		}
	})
}

// FuzzNormalizePath checks that normalising is idempotent and always gives a clean absolute path.
func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/sign-in/email", "//SIGN-IN/email/", "/sign-in%2Femail", `\a\..\b`, "%", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := NormalizePath(p)
		if !strings.HasPrefix(n, "/") || strings.Contains(n, "//") || (len(n) > 1 && strings.HasSuffix(n, "/")) {
			t.Fatalf("NormalizePath(%q) = %q", p, n)
		}
	})
}
