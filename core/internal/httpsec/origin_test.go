package httpsec

import (
	"net/http"
	"net/url"
	"testing"
)

const testBase = "https://app.example.com"

// testPatterns are the trustedOrigins the tables run against.
var testPatterns = []string{
	"https://trusted.example.com",
	"http://localhost:5173",
	"https://*.preview.example.com",
	"*.wild.example.org",
	"myapp://",
	"exp://192.168.*.*:*/**",
	"native://host/cb",
}

func newTestOrigins(t testing.TB) *Origins {
	t.Helper()
	o, err := NewOrigins(testBase, testPatterns)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestNewOrigins(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		patterns []string
		wantErr  bool
	}{
		{"exact origins", "http://localhost:3000", []string{"https://a.example.com", "http://localhost:5173"}, false},
		{"wildcards and custom schemes", "http://localhost:3000", []string{"*.example.com", "https://*.x.dev", "myapp://", "exp://*"}, false},
		{"empty entries are skipped", "http://localhost:3000", []string{"", "https://a.example.com", ""}, false},
		{"base with a path", "https://app.example.com/api/auth", nil, false},
		{"base not a URL", "localhost:3000", nil, true},
		{"base not http", "ftp://example.com", nil, true},
		{"base empty", "", nil, true},
		{"trailing slash never matches", "http://localhost:3000", []string{"https://a.example.com/"}, true},
		{"upper case never matches", "http://localhost:3000", []string{"HTTPS://A.example.com"}, true},
		{"default port never matches", "http://localhost:3000", []string{"https://a.example.com:443"}, true},
		{"no scheme no wildcard", "http://localhost:3000", []string{"a.example.com"}, true},
		{"control character", "http://localhost:3000", []string{"https://a.example.com\n"}, true},
		{"surrounding space", "http://localhost:3000", []string{" https://a.example.com"}, true},
		{"invalid UTF-8", "http://localhost:3000", []string{"https://a\xff.example.com"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewOrigins(tt.base, tt.patterns)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewOrigins(%q, %q) error = %v, want error %v", tt.base, tt.patterns, err, tt.wantErr)
			}
		})
	}
}

func TestTrusted(t *testing.T) {
	o := newTestOrigins(t)
	tests := []struct {
		name   string
		origin string
		want   bool
	}{
		{"base origin", "https://app.example.com", true},
		{"base URL with path", "https://app.example.com/some/page?x=1", true},
		{"base with default port", "https://app.example.com:443", true},
		{"base upper-case host", "https://APP.example.com", true},
		{"exact trusted", "https://trusted.example.com", true},
		{"evil", "https://evil.com", false},
		{"null", "null", false},
		{"empty", "", false},
		{"relative path", "/dashboard", false},
		{"prefix trick", "https://app.example.com.evil.com", false},
		{"suffix trick", "https://evilapp.example.com", false},
		{"port mismatch", "https://app.example.com:8443", false},
		{"scheme mismatch", "http://app.example.com", false},
		{"userinfo trick", "https://app.example.com@evil.com", false},
		{"backslash trick", `https://evil.com\@app.example.com`, false},
		{"scheme-relative special", "https:evil.com", false},
		{"scheme-relative special trusted", "https:app.example.com", true},
		{"wildcard subdomain", "https://pr-1.preview.example.com", true},
		{"wildcard nested subdomain", "https://a.b.preview.example.com", true},
		{"wildcard apex not matched", "https://preview.example.com", false},
		{"wildcard suffix trick", "https://preview.example.com.evil.com", false},
		{"wildcard scheme mismatch", "http://pr-1.preview.example.com", false},
		{"wildcard port", "https://pr-1.preview.example.com:8443", false},
		{"host wildcard any scheme", "http://x.wild.example.org", true},
		{"host wildcard custom scheme", "myother://x.wild.example.org/cb", true},
		{"host wildcard apex", "https://wild.example.org", false},
		{"host wildcard trick", "https://wild.example.org.evil.com", false},
		{"host wildcard with port", "https://x.wild.example.org:8080", false},
		{"custom scheme", "myapp://callback", true},
		{"custom scheme upper-case", "MYAPP://callback", true},
		{"custom scheme opaque", "myapp:anything", true},
		{"other custom scheme", "otherapp://callback", false},
		{"exp ipv4 range", "exp://192.168.1.20:8081/--/cb", true},
		{"exp ipv4 range attacker host", "exp://192.168.attacker.com:8081", false},
		{"native path prefix", "native://host/cb/done", true},
		{"native path exact", "native://host/cb", true},
		{"native path traversal", "native://host/cb/../evil", false},
		{"native encoded traversal", "native://host/cb/%2e%2e/evil", false},
		{"native other host", "native://other/cb", false},
		{"native path sibling", "native://host/cbevil", false},
		{"javascript", "javascript:alert(1)", false},
		{"data", "data:text/html,<script>alert(1)</script>", false},
		{"localhost other port", "http://localhost:5174", false},
		{"localhost trusted port", "http://localhost:5173", true},
		{"ipv4 in hex is not a name", "https://0x7f.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.Trusted(tt.origin); got != tt.want {
				t.Errorf("Trusted(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

// openRedirects are callback targets that must never be accepted.
var openRedirects = []string{
	"//evil.com",
	"//evil.com/path",
	`/\evil.com`,
	`\\evil.com`,
	`\/evil.com`,
	"https:evil.com",
	"https:/evil.com",
	`https:\\evil.com`,
	"javascript:alert(1)",
	"JavaScript:alert(1)",
	"java\tscript:alert(1)",
	"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
	"vbscript:msgbox(1)",
	"%2F%2Fevil.com",
	"/%2F%2Fevil.com",
	"/%2fevil.com",
	"/%5Cevil.com",
	"/%5cevil.com",
	"https://trusted.example.com.evil.com",
	"https://trusted.example.com@evil.com",
	"https://evil.com#@trusted.example.com",
	"https://evil.com?@trusted.example.com",
	`https://evil.com\@trusted.example.com`,
	"https://evil.com/https://trusted.example.com",
	"/\t/evil.com",
	"/\n/evil.com",
	"/\r\n/evil.com",
	" /dashboard",
	" https://trusted.example.com",
	"https://trusted.example.com\n",
	"https://trusted.example.com/\x00",
	"/dashboard\x7f",
	"/dashboard\u0085",
	"/dash\xffboard",
	"evil.com",
	"",
}

func TestValidCallback(t *testing.T) {
	o := newTestOrigins(t)
	tests := []struct {
		name   string
		target string
		want   bool
	}{
		{"relative", "/dashboard", true},
		{"relative with query", "/dashboard?x=1", true},
		{"relative with fragment", "/dashboard#top", true},
		{"root", "/", true},
		{"encoded slash in query is fine", "/cb?next=%2F%2Fevil.com", true},
		{"dot segments stay on the site", "/a/../../b", true},
		{"unicode path", "/über", true},
		{"trusted absolute", "https://trusted.example.com/welcome?x=1", true},
		{"base absolute", "https://app.example.com/dashboard", true},
		{"wildcard absolute", "https://pr-7.preview.example.com/cb", true},
		{"custom scheme", "myapp://oauth/cb", true},
	}
	for _, r := range openRedirects {
		tests = append(tests, struct {
			name   string
			target string
			want   bool
		}{"open redirect " + r, r, false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.ValidCallback(tt.target); got != tt.want {
				t.Errorf("ValidCallback(%q) = %v, want %v", tt.target, got, tt.want)
			}
		})
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// checkRows are security.md E6 and the callback fields, for CheckRequest.
var checkRows = []struct {
	name   string
	method string
	h      http.Header
	query  url.Values
	fields map[string]string
	want   *Error
}{
	{"no cookie evil origin passes", "POST", hdr("Origin", "https://evil.com"), nil, nil, nil},
	{"cookie trusted origin", "POST", hdr("Cookie", "a=b", "Origin", "https://app.example.com"), nil, nil, nil},
	{"cookie evil origin", "POST", hdr("Cookie", "a=b", "Origin", "https://evil.com"), nil, nil, ErrInvalidOrigin},
	{"cookie null origin", "POST", hdr("Cookie", "a=b", "Origin", "null"), nil, nil, ErrMissingOrigin},
	{"cookie no origin", "POST", hdr("Cookie", "a=b"), nil, nil, ErrMissingOrigin},
	{"cookie empty header counts", "POST", hdr("Cookie", "", "Origin", "https://evil.com"), nil, nil, ErrInvalidOrigin},
	{"cookie evil referer without origin", "POST", hdr("Cookie", "a=b", "Referer", "https://evil.com/page"), nil, nil, ErrInvalidOrigin},
	{"cookie trusted referer without origin", "POST", hdr("Cookie", "a=b", "Referer", "https://app.example.com/login"), nil, nil, nil},
	{"cookie origin wins over referer", "POST", hdr("Cookie", "a=b", "Origin", "https://evil.com", "Referer", "https://app.example.com/"), nil, nil, ErrInvalidOrigin},
	{"cookie null referer", "POST", hdr("Cookie", "a=b", "Referer", "null"), nil, nil, ErrMissingOrigin},
	{"cookie prefix trick", "POST", hdr("Cookie", "a=b", "Origin", "https://app.example.com.evil.com"), nil, nil, ErrInvalidOrigin},
	{"cookie port mismatch", "POST", hdr("Cookie", "a=b", "Origin", "https://app.example.com:8443"), nil, nil, ErrInvalidOrigin},
	{"cookie scheme mismatch", "POST", hdr("Cookie", "a=b", "Origin", "http://app.example.com"), nil, nil, ErrInvalidOrigin},
	{"cookie wildcard match", "POST", hdr("Cookie", "a=b", "Origin", "https://x.preview.example.com"), nil, nil, nil},
	{"cookie wildcard trick", "POST", hdr("Cookie", "a=b", "Origin", "https://preview.example.com.evil.com"), nil, nil, ErrInvalidOrigin},
	{"cookie two origins", "POST", hdr("Cookie", "a=b", "Origin", "https://app.example.com", "Origin", "https://app.example.com"), nil, nil, ErrInvalidOrigin},
	{"cookie null same-origin", "POST", hdr("Cookie", "a=b", "Origin", "null", "Sec-Fetch-Site", "same-origin"), nil, nil, nil},
	{"cookie null cross-site", "POST", hdr("Cookie", "a=b", "Origin", "null", "Sec-Fetch-Site", "cross-site"), nil, nil, ErrMissingOrigin},
	{"GET skipped", "GET", hdr("Cookie", "a=b", "Origin", "https://evil.com"), url.Values{"callbackURL": {"//evil.com"}}, nil, nil},
	{"HEAD skipped", "HEAD", hdr("Cookie", "a=b", "Origin", "https://evil.com"), nil, nil, nil},
	{"OPTIONS skipped", "OPTIONS", hdr("Cookie", "a=b", "Origin", "https://evil.com"), nil, nil, nil},
	{"DELETE checked", "DELETE", hdr("Cookie", "a=b", "Origin", "https://evil.com"), nil, nil, ErrInvalidOrigin},
	{"origin error before callback error", "POST", hdr("Cookie", "a=b", "Origin", "https://evil.com"), nil, map[string]string{"callbackURL": "//evil.com"}, ErrInvalidOrigin},
	{"body callback evil", "POST", nil, nil, map[string]string{"callbackURL": "https://evil.com"}, ErrInvalidCallback},
	{"body callback relative", "POST", nil, nil, map[string]string{"callbackURL": "/dashboard"}, nil},
	{"query callback evil", "POST", nil, url.Values{"callbackURL": {"//evil.com"}}, nil, ErrInvalidCallback},
	{"body callback wins over query", "POST", nil, url.Values{"callbackURL": {"//evil.com"}}, map[string]string{"callbackURL": "/ok"}, nil},
	{"empty body callback falls back to query", "POST", nil, url.Values{"callbackURL": {"//evil.com"}}, map[string]string{"callbackURL": ""}, ErrInvalidCallback},
	{"repeated query callback", "POST", nil, url.Values{"callbackURL": {"/a", "/b"}}, nil, CallbackNotString("callbackURL")},
	{"redirectTo evil", "POST", nil, nil, map[string]string{"redirectTo": "javascript:alert(1)"}, ErrInvalidRedirect},
	{"redirectTo only read from body", "POST", nil, url.Values{"redirectTo": {"//evil.com"}}, nil, nil},
	{"errorCallbackURL evil", "POST", nil, nil, map[string]string{"errorCallbackURL": `/\evil.com`}, ErrInvalidErrCallback},
	{"newUserCallbackURL evil", "POST", nil, nil, map[string]string{"newUserCallbackURL": "https://trusted.example.com.evil.com"}, ErrInvalidNewUserCb},
	{"callback checked before redirectTo", "POST", nil, nil, map[string]string{"redirectTo": "//a", "callbackURL": "//b"}, ErrInvalidCallback},
	{"all fields fine", "POST", nil, nil, map[string]string{"callbackURL": "/a", "redirectTo": "https://trusted.example.com/r",
		"errorCallbackURL": "/e", "newUserCallbackURL": "myapp://new"}, nil},
}

func TestCheckRequest(t *testing.T) {
	o := newTestOrigins(t)
	for _, tt := range checkRows {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if h == nil {
				h = http.Header{}
			}
			got := o.CheckRequest(tt.method, h, tt.query, tt.fields)
			assertError(t, got, tt.want)
		})
	}
}

func assertError(t *testing.T, got, want *Error) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Fatalf("got %v, want nil", got)
	case want != nil && got == nil:
		t.Fatalf("got nil, want %v", want)
	case want != nil:
		if got.Status != want.Status {
			t.Errorf("status = %d, want %d", got.Status, want.Status)
		}
		if got.Code != want.Code {
			t.Errorf("code = %q, want %q", got.Code, want.Code)
		}
		if got.Message != want.Message {
			t.Errorf("message = %q, want %q", got.Message, want.Message)
		}
	}
}

// formRows are the sign-in/sign-up fetch-metadata cases.
var formRows = []struct {
	name string
	h    http.Header
	want *Error
}{
	{"nothing passes (curl)", hdr(), nil},
	{"cross-site navigate", hdr("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"), ErrCrossSiteLogin},
	{"cross-site navigate with trusted origin", hdr("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", "https://app.example.com"), ErrCrossSiteLogin},
	{"same-origin cors trusted origin", hdr("Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Origin", "https://app.example.com"), nil},
	{"cross-site cors trusted origin", hdr("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Origin", "https://trusted.example.com"), nil},
	{"cross-site cors evil origin", hdr("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Origin", "https://evil.com"), ErrInvalidOrigin},
	{"fetch metadata without origin", hdr("Sec-Fetch-Mode", "cors"), ErrMissingOrigin},
	{"only Sec-Fetch-Dest", hdr("Sec-Fetch-Dest", "empty"), ErrMissingOrigin},
	{"blank metadata is none", hdr("Sec-Fetch-Site", " "), nil},
	{"metadata with null origin", hdr("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Origin", "null"), ErrMissingOrigin},
	{"metadata null origin same-origin", hdr("Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Origin", "null"), nil},
	{"same-site navigate evil referer", hdr("Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate", "Referer", "https://evil.com/"), ErrInvalidOrigin},
	{"case matters for navigate", hdr("Sec-Fetch-Site", "Cross-Site", "Sec-Fetch-Mode", "navigate", "Origin", "https://app.example.com"), nil},
	{"no metadata evil origin", hdr("Origin", "https://evil.com"), ErrInvalidOrigin},
	{"no metadata trusted origin", hdr("Origin", "https://app.example.com"), nil},
	{"no metadata evil referer", hdr("Referer", "https://evil.com/x"), ErrInvalidOrigin},
	{"no metadata null origin", hdr("Origin", "null"), ErrMissingOrigin},
	{"cookie evil origin", hdr("Cookie", "a=b", "Origin", "https://evil.com", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"), ErrInvalidOrigin},
	{"cookie without origin", hdr("Cookie", "a=b"), ErrMissingOrigin},
}

func TestCheckFormCSRF(t *testing.T) {
	o := newTestOrigins(t)
	for _, tt := range formRows {
		t.Run(tt.name, func(t *testing.T) {
			assertError(t, o.CheckFormCSRF(tt.h), tt.want)
		})
	}
}

func TestCheckCallback(t *testing.T) {
	o := newTestOrigins(t)
	assertError(t, o.CheckCallback(""), nil)
	assertError(t, o.CheckCallback("/ok"), nil)
	assertError(t, o.CheckCallback("https://evil.com"), ErrInvalidCallback)
}

func TestCallbackNotString(t *testing.T) {
	tests := []struct{ field, msg string }{
		{"callbackURL", "Invalid callbackURL: expected a string"},
		{"redirectTo", "Invalid redirectURL: expected a string"},
		{"errorCallbackURL", "Invalid errorCallbackURL: expected a string"},
		{"newUserCallbackURL", "Invalid newUserCallbackURL: expected a string"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			assertError(t, CallbackNotString(tt.field), &Error{Status: 400, Message: tt.msg})
		})
	}
}
