package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// oracleScript evaluates Better Auth's own matchesOriginPattern (dist/auth/trusted-origins.mjs) on the
// cases read from stdin, as isTrustedOrigin does: true when any pattern matches.
const oracleScript = `
const { matchesOriginPattern } = await import(process.argv[1]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map(({ patterns, url, rel }) =>
  patterns.some((p) => matchesOriginPattern(url, p, { allowRelativePaths: rel })))));
`

type oracleCase struct {
	Patterns []string `json:"patterns"`
	URL      string   `json:"url"`
	Rel      bool     `json:"rel"`
}

// betterAuthMatches runs oracleScript on cases.
func betterAuthMatches(t *testing.T, cases []oracleCase) []bool {
	t.Helper()
	dir, err := interop.Dir()
	if err != nil {
		t.Fatal(err)
	}
	module := "file://" + filepath.Join(dir, "node_modules", "better-auth", "dist", "auth", "trusted-origins.mjs")
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--input-type=module", "-e", oracleScript, module)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node oracle: %v: %s", err, stderr.String())
	}
	var got []bool
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("node oracle: %d answers for %d cases (%v): %.200s", len(got), len(cases), err, out)
	}
	return got
}

// oraclePatternSets are trustedOrigins lists Better Auth and NewOrigins both accept.
var oraclePatternSets = [][]string{
	nil,
	{"https://trusted.example.com", "http://localhost:5173"},
	{"https://*.preview.example.com", "*.wild.example.org", "https://app-?.example.com"},
	{"myapp://", "exp://192.168.*.*:*/**", "native://host/cb", "chrome-extension://abcdef"},
	{"*", "http://10.0.*.*:*"},
	{"https://*.example.com:8443", "*.example.com:*", "ws://*.example.com"},
	{`https://a\*b.example.com`, "https://[::1]:8443", "http://127.0.0.1:3000"},
}

const oracleBase = "https://app.example.com"

// oracleURLs are hand-written inputs; randomURLs adds generated ones.
var oracleURLs = []string{
	"", "null", "/", "/dashboard", "/dashboard?x=1", "//evil.com", `/\evil.com`, `\\evil.com`, "/%2F%2Fevil.com",
	"/%5Cevil.com", "/a%2fb", "/cb?next=%2F%2Fevil.com", "/a/../../b", "/über", " /dashboard", "/\t/evil.com",
	"https://app.example.com", "https://app.example.com/", "https://APP.example.com", "https://app.example.com:443",
	"https://app.example.com:0443", "https://app.example.com:8443", "http://app.example.com", "https:app.example.com",
	"https:/app.example.com", `https:\\app.example.com`, `https:\/\/app.example.com`, "https:///app.example.com",
	"HTTPS://app.example.com", " https://app.example.com", "https://app.example.com\n", "ht\ttps://app.example.com",
	"https://app.example.com.", "https://app.example.com.evil.com", "https://evilapp.example.com",
	"https://app.example.com@evil.com", "https://evil.com@app.example.com", `https://evil.com\@app.example.com`,
	"https://evil.com#@app.example.com", "https://evil.com?@app.example.com", "https://user:pw@app.example.com",
	"https://@app.example.com", "https://app.example.com:", "https://app.example.com:x", "https://app.example.com:99999",
	"https://trusted.example.com", "https://trusted.example.com/x?y#z", "http://localhost:5173", "http://LOCALHOST:5173",
	"http://localhost:5174", "http://localhost", "https://x.preview.example.com", "https://a.b.preview.example.com",
	"https://preview.example.com", "https://preview.example.com.evil.com", "http://x.preview.example.com",
	"https://x.preview.example.com:8443", "https://app-1.example.com", "https://app-12.example.com",
	"http://x.wild.example.org", "myother://x.wild.example.org/cb", "myother://X.WILD.example.org", "https://wild.example.org",
	"https://x.wild.example.org:8080", "ws://x.wild.example.org", "myapp://callback", "MYAPP://callback", "myapp:anything",
	"myapp:", "otherapp://callback", "exp://192.168.1.20:8081/--/cb", "exp://192.168.attacker.com:8081",
	"exp://192.168.1.20", "exp://192.168.001.20:1/x", "native://host/cb", "native://host/cb/done", "native://host/cbevil",
	"native://host/cb/../evil", "native://host/cb/%2e%2e/evil", "native://HOST/cb", "native://other/cb",
	"native://host/%63b", "native://host/cb?x", "native://u@host/cb", "chrome-extension://abcdef/popup.html",
	"chrome-extension://abcdefg", "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
	"data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "evil.com", "app.example.com",
	"https://0x7f.1", "https://127.1", "http://127.0.0.1:3000", "http://0177.0.0.1:3000", "http://127.0.0.1.:3000",
	"http://2130706433:3000", "http://[::1]:8443", "https://[::1]:8443", "https://[0:0::1]:8443", "https://[::1]",
	"https://[::ffff:127.0.0.1]:8443", "https://[fe80::1%25eth0]", "https://ex ample.com", "https://ex%41mple.com",
	"https://exämple.com", "http://10.0.1.2:80", "http://10.0.1.2:8080", "http://10.0.x.y:1", "https://a*b.example.com",
	"https://axb.example.com", "https://x.example.com:8443", "https://x.example.com", "http://x.example.com:1",
	"ws://x.example.com", "wss://x.example.com", "ftp://x.example.com", "file:///etc/passwd", "https://x.example.com/\u2028",
	"myapp://[::1]/x", "myapp://a b/", "myapp://:80", "myapp://u@", "exp://[::1]:1/x", "https://x.example.com:443",
}

// randomURLs builds URL-ish strings from parts that have tripped parsers before.
func randomURLs(n int) []string {
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	out := make([]string, 0, n)
	for range n {
		u := pick("https", "http", "HTTP", "myapp", "exp", "native", "ws", "javascript", "", "chrome-extension") +
			pick(":", "://", ":/", `:\\`, `:/\`, "", "//", ":///") +
			pick("", "user@", "a:b@", "evil.com@", "@") +
			pick("app.example.com", "trusted.example.com", "x.preview.example.com", "x.wild.example.org", "evil.com",
				"localhost", "127.0.0.1", "192.168.1.1", "10.0.3.4", "[::1]", "host", "callback", "APP.EXAMPLE.COM",
				"x.example.com", "abcdef", "0x7f.1", "app.example.com.evil.com", "") +
			pick("", ":443", ":80", ":5173", ":8443", ":0", ":", ":65536", ":3000", ":*") +
			pick("", "/", "/cb", "/cb/x", "/cb/../x", "/%2e%2e/cb", `\x`, "?q", "#f", "?@evil.com", "#@evil.com", "/--/cb")
		out = append(out, u)
	}
	return out
}

// TestHTTPSecOriginMatchingAgainstBetterAuth compares Origins.Trusted and Origins.ValidCallback with Better
// Auth's matchesOriginPattern, run by Node, on every pattern set and URL. Where this package refuses more
// (ValidCallback's hardening: control characters, surrounding space, invalid UTF-8; hosts needing IDNA or
// percent-decoding; file: URLs) it may say false where Better Auth says true, never the reverse.
func TestHTTPSecOriginMatchingAgainstBetterAuth(t *testing.T) {
	interop.Require(t)
	urls := append(append([]string{}, oracleURLs...), randomURLs(1500)...)
	var cases []oracleCase
	type goSide struct {
		got      bool
		hardened bool // we may refuse what Better Auth accepts
	}
	var ours []goSide
	for _, set := range oraclePatternSets {
		o, err := httpsec.NewOrigins(oracleBase, set)
		if err != nil {
			t.Fatalf("NewOrigins(%q): %v", set, err)
		}
		patterns := append([]string{oracleBase}, set...)
		for _, u := range urls {
			failClosed := strings.HasPrefix(strings.TrimSpace(strings.ToLower(u)), "file:") ||
				strings.Contains(u, "%") || !isASCII(u)
			cases = append(cases, oracleCase{patterns, u, false})
			ours = append(ours, goSide{o.Trusted(u), failClosed})
			hardened := failClosed || !utf8.ValidString(u) || strings.TrimSpace(u) != u || hasControl(u)
			cases = append(cases, oracleCase{patterns, u, true})
			ours = append(ours, goSide{o.ValidCallback(u), hardened})
		}
	}
	want := betterAuthMatches(t, cases)
	mismatches, hardened, trusted := 0, 0, 0
	for i, c := range cases {
		g := ours[i]
		if want[i] {
			trusted++
		}
		if g.got == want[i] {
			continue
		}
		if g.hardened && !g.got {
			hardened++
			continue
		}
		mismatches++
		if mismatches <= 40 {
			t.Errorf("patterns %q, url %q, relative %v: ours %v, Better Auth %v", c.Patterns, c.URL, c.Rel, g.got, want[i])
		}
	}
	if mismatches > 0 {
		t.Errorf("%d of %d cases differ", mismatches, len(cases))
	}
	t.Logf("%d cases compared with Better Auth (%d trusted by it); %d refused only by our hardening", len(cases), trusted, hardened)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// csrfRow is one request sent both to Better Auth and through httpsec.
type csrfRow struct {
	name     string
	endpoint string // "/sign-in/email" (origin check and form CSRF) or "/sign-out" (origin check only)
	headers  []string
	query    url.Values
	body     map[string]any
}

// TestHTTPSecChecksAgainstBetterAuth sends the CheckRequest / CheckFormCSRF rows to the real Better Auth
// server and compares its status and code with ours. Better Auth trusts only its base URL's origin here.
func TestHTTPSecChecksAgainstBetterAuth(t *testing.T) {
	s := interop.NewServer(t, map[string]string{"INSECURE_FAST_PASSWORD_HASH": "1"})
	site := strings.TrimSuffix(s.BaseURL, "/")
	o, err := httpsec.NewOrigins(s.BaseURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(extra map[string]any) map[string]any {
		b := map[string]any{"email": "nobody@example.com", "password": "wrong-password"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	cookie := "better-auth.session_token=x"
	rows := []csrfRow{
		{"no cookie, evil origin", "/sign-out", []string{"Origin", "https://evil.com"}, nil, nil},
		{"cookie, trusted origin", "/sign-out", []string{"Cookie", cookie, "Origin", site}, nil, nil},
		{"cookie, evil origin", "/sign-out", []string{"Cookie", cookie, "Origin", "https://evil.com"}, nil, nil},
		{"cookie, null origin", "/sign-out", []string{"Cookie", cookie, "Origin", "null"}, nil, nil},
		{"cookie, no origin", "/sign-out", []string{"Cookie", cookie}, nil, nil},
		{"cookie, evil referer", "/sign-out", []string{"Cookie", cookie, "Referer", "https://evil.com/page"}, nil, nil},
		{"cookie, trusted referer", "/sign-out", []string{"Cookie", cookie, "Referer", site + "/login"}, nil, nil},
		{"cookie, prefix trick", "/sign-out", []string{"Cookie", cookie, "Origin", site + ".evil.com"}, nil, nil},
		{"cookie, port mismatch", "/sign-out", []string{"Cookie", cookie, "Origin", otherPort(t, site)}, nil, nil},
		{"cookie, scheme mismatch", "/sign-out", []string{"Cookie", cookie, "Origin", strings.Replace(site, "http:", "https:", 1)}, nil, nil},
		{"cookie, userinfo trick", "/sign-out", []string{"Cookie", cookie, "Origin", site + "@evil.com"}, nil, nil},
		{"cookie, two origins", "/sign-out", []string{"Cookie", cookie, "Origin", site, "Origin", site}, nil, nil},
		{"cookie, null same-origin", "/sign-out", []string{"Cookie", cookie, "Origin", "null", "Sec-Fetch-Site", "same-origin"}, nil, nil},
		{"cookie, null cross-site", "/sign-out", []string{"Cookie", cookie, "Origin", "null", "Sec-Fetch-Site", "cross-site"}, nil, nil},
		{"body callbackURL evil", "/sign-out", nil, nil, map[string]any{"callbackURL": "https://evil.com"}},
		{"body callbackURL relative", "/sign-out", nil, nil, map[string]any{"callbackURL": "/dashboard?x=1"}},
		{"body callbackURL protocol-relative", "/sign-out", nil, nil, map[string]any{"callbackURL": "//evil.com"}},
		{"body callbackURL backslash", "/sign-out", nil, nil, map[string]any{"callbackURL": `/\evil.com`}},
		{"body callbackURL encoded", "/sign-out", nil, nil, map[string]any{"callbackURL": "/%2F%2Fevil.com"}},
		{"body callbackURL javascript", "/sign-out", nil, nil, map[string]any{"callbackURL": "javascript:alert(1)"}},
		{"body callbackURL scheme-relative", "/sign-out", nil, nil, map[string]any{"callbackURL": "https:evil.com"}},
		{"body callbackURL trusted absolute", "/sign-out", nil, nil, map[string]any{"callbackURL": site + "/x"}},
		{"query callbackURL evil", "/sign-out", nil, url.Values{"callbackURL": {"//evil.com"}}, nil},
		{"query callbackURL repeated", "/sign-out", nil, url.Values{"callbackURL": {"/a", "/b"}}, nil},
		{"body wins over query", "/sign-out", nil, url.Values{"callbackURL": {"//evil.com"}}, map[string]any{"callbackURL": "/ok"}},
		{"redirectTo evil", "/sign-out", nil, nil, map[string]any{"redirectTo": "https://evil.com"}},
		{"redirectTo in query ignored", "/sign-out", nil, url.Values{"redirectTo": {"https://evil.com"}}, nil},
		{"errorCallbackURL evil", "/sign-out", nil, nil, map[string]any{"errorCallbackURL": "//evil.com"}},
		{"newUserCallbackURL evil", "/sign-out", nil, nil, map[string]any{"newUserCallbackURL": "//evil.com"}},
		{"callbackURL before redirectTo", "/sign-out", nil, nil, map[string]any{"redirectTo": "//a", "callbackURL": "//b"}},
		{"origin before callback", "/sign-out", []string{"Cookie", cookie, "Origin", "https://evil.com"}, nil, map[string]any{"callbackURL": "//evil.com"}},
		{"sign-in: nothing (curl)", "/sign-in/email", nil, nil, nil},
		{"sign-in: cross-site navigate", "/sign-in/email", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}, nil, nil},
		{"sign-in: cross-site navigate, trusted origin", "/sign-in/email", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", site}, nil, nil},
		{"sign-in: same-origin cors, trusted origin", "/sign-in/email", []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Origin", site}, nil, nil},
		{"sign-in: cors, evil origin", "/sign-in/email", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Origin", "https://evil.com"}, nil, nil},
		{"sign-in: metadata, no origin", "/sign-in/email", []string{"Sec-Fetch-Mode", "cors"}, nil, nil},
		{"sign-in: only Sec-Fetch-Dest", "/sign-in/email", []string{"Sec-Fetch-Dest", "empty"}, nil, nil},
		{"sign-in: metadata, null origin", "/sign-in/email", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Origin", "null"}, nil, nil},
		{"sign-in: null origin same-origin", "/sign-in/email", []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Origin", "null"}, nil, nil},
		{"sign-in: same-site navigate, evil referer", "/sign-in/email", []string{"Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate", "Referer", "https://evil.com/"}, nil, nil},
		{"sign-in: Cross-Site is not cross-site", "/sign-in/email", []string{"Sec-Fetch-Site", "Cross-Site", "Sec-Fetch-Mode", "navigate", "Origin", site}, nil, nil},
		{"sign-in: no metadata, evil origin", "/sign-in/email", []string{"Origin", "https://evil.com"}, nil, nil},
		{"sign-in: no metadata, trusted origin", "/sign-in/email", []string{"Origin", site}, nil, nil},
		{"sign-in: no metadata, evil referer", "/sign-in/email", []string{"Referer", "https://evil.com/x"}, nil, nil},
		{"sign-in: no metadata, null origin", "/sign-in/email", []string{"Origin", "null"}, nil, nil},
		{"sign-in: cookie, evil origin, cross-site navigate", "/sign-in/email", []string{"Cookie", cookie, "Origin", "https://evil.com", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"}, nil, nil},
		{"sign-in: cookie, no origin", "/sign-in/email", []string{"Cookie", cookie}, nil, nil},
		{"sign-in: callbackURL evil", "/sign-in/email", nil, nil, map[string]any{"callbackURL": "https://evil.com"}},
		{"sign-in: callback checked before form CSRF", "/sign-in/email", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"}, nil, map[string]any{"callbackURL": "//evil.com"}},
	}
	refused := 0
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			h := http.Header{}
			for i := 0; i < len(row.headers); i += 2 {
				h.Add(row.headers[i], row.headers[i+1])
			}
			body := row.body
			if row.endpoint == "/sign-in/email" {
				body = signIn(row.body)
			}
			fields := map[string]string{}
			for k, v := range body {
				if s, ok := v.(string); ok {
					fields[k] = s
				}
			}
			want := o.CheckRequest(http.MethodPost, h, row.query, fields)
			if want == nil && row.endpoint == "/sign-in/email" {
				want = o.CheckFormCSRF(h)
			}

			u := s.AuthURL(row.endpoint)
			if row.query != nil {
				u += "?" + row.query.Encode()
			}
			if body == nil {
				body = map[string]any{}
			}
			b, _ := json.Marshal(body)
			req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = h.Clone()
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			var got struct{ Code, Message string }
			_ = json.Unmarshal(raw, &got)

			if want == nil {
				if resp.StatusCode == http.StatusForbidden || (resp.StatusCode == http.StatusBadRequest && strings.Contains(got.Message, "expected a string")) {
					t.Fatalf("ours: allowed; Better Auth: %d %s", resp.StatusCode, raw)
				}
				return
			}
			if resp.StatusCode != want.Status || got.Code != want.Code || got.Message != want.Message {
				t.Fatalf("ours: %d %q %q; Better Auth: %d %s", want.Status, want.Code, want.Message, resp.StatusCode, raw)
			}
			refused++
		})
	}
	if refused < 25 {
		t.Errorf("only %d rows were refused by both; the table lost its teeth", refused)
	}
}

// otherPort returns origin with its port plus one.
func otherPort(t *testing.T, origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	if _, err := fmt.Sscan(u.Port(), &port); err != nil {
		t.Fatalf("origin %q: %v", origin, err)
	}
	return fmt.Sprintf("%s://%s:%d", u.Scheme, u.Hostname(), port%65535+1)
}
