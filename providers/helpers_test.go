package providers_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// recorder is an http.RoundTripper that records the token requests it forwards.
type recorder struct {
	mu     sync.Mutex
	tokens []*http.Request
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.Contains(req.URL.Path, "token") {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		r.mu.Lock()
		r.tokens = append(r.tokens, req)
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// tokenRequest returns the form and headers of the one token request recorded.
func (r *recorder) tokenRequest(t *testing.T) (url.Values, http.Header) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.tokens) != 1 {
		t.Fatalf("%d token requests, want 1", len(r.tokens))
	}
	form, err := url.ParseQuery(string(r.bodies[0]))
	if err != nil {
		t.Fatal(err)
	}
	return form, r.tokens[0].Header
}

// fakeIdP is a fake identity provider: an httptest server with a JWKS at /keys (go-oidc's oidctest key
// set), a token endpoint at tokenPath answered by token, and any other handlers a test adds.
type fakeIdP struct {
	srv *httptest.Server
	mux *http.ServeMux
	key *rsa.PrivateKey

	mu        sync.Mutex
	token     func(form url.Values) (status int, contentType, body string)
	tokenReqs []url.Values
	tokenHdrs []http.Header
}

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

const testKID = "test-key"

func newFakeIdP(t *testing.T, keysPath, tokenPath string) *fakeIdP {
	t.Helper()
	f := &fakeIdP{mux: http.NewServeMux(), key: testKey()}
	ks := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: f.key.Public(), KeyID: testKID, Algorithm: oidc.RS256}}}
	f.mux.HandleFunc("GET "+keysPath, func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/keys"
		ks.ServeHTTP(w, r2)
	})
	f.mux.HandleFunc("POST "+tokenPath, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.tokenReqs = append(f.tokenReqs, r.PostForm)
		f.tokenHdrs = append(f.tokenHdrs, r.Header.Clone())
		tok := f.token
		f.mu.Unlock()
		if tok == nil {
			http.Error(w, "no token handler", http.StatusInternalServerError)
			return
		}
		status, ct, body := tok(r.PostForm)
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(f.srv.Close)
	return f
}

// setToken makes the token endpoint answer with status and the JSON of body.
func (f *fakeIdP) setToken(status int, body any) {
	b, _ := json.Marshal(body)
	f.mu.Lock()
	f.token = func(url.Values) (int, string, string) { return status, "application/json", string(b) }
	f.mu.Unlock()
}

func (f *fakeIdP) lastTokenRequest(t *testing.T) (url.Values, http.Header) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tokenReqs) == 0 {
		t.Fatal("no token request")
	}
	return f.tokenReqs[len(f.tokenReqs)-1], f.tokenHdrs[len(f.tokenHdrs)-1]
}

// sign returns an RS256 ID token with claims, signed by the fake's key.
func (f *fakeIdP) sign(claims map[string]any) string { return signWith(f.key, testKID, claims) }

func signWith(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	b, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return oidctest.SignIDToken(key, kid, oidc.RS256, string(b))
}

// claims returns a copy of base with changes applied; a nil value deletes the claim.
func claims(base map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-0123456789abcdefghij"

// checkAuthURL parses raw and checks that it starts with wantBase and carries want (a value "" means the
// parameter must be absent).
func checkAuthURL(t *testing.T, raw, wantBase string, want map[string]string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if base := u.Scheme + "://" + u.Host + u.Path; base != wantBase {
		t.Errorf("authorization endpoint %s, want %s", base, wantBase)
	}
	q := u.Query()
	for k, v := range want {
		if v == "" && q.Has(k) {
			t.Errorf("%s = %q, want none", k, q.Get(k))
		} else if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Get("code_challenge") != s256(testVerifier) || q.Get("code_challenge_method") != "S256" {
		t.Errorf("PKCE: code_challenge=%q method=%q", q.Get("code_challenge"), q.Get("code_challenge_method"))
	}
	if q.Has("client_secret") {
		t.Errorf("client_secret in the authorization URL")
	}
	return q
}

// errorIs checks err against each wanted error separately.
func errorIs(t *testing.T, err error, wants ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", wants)
	}
	for _, w := range wants {
		if !errors.Is(err, w) {
			t.Errorf("err = %v; errors.Is(err, %v) = false", err, w)
		}
	}
}

// hs256 returns an HS256 JWT keyed with secret: what an attacker who knows a client secret could mint.
func hs256(secret string, claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"` + testKID + `","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	input := head + "." + base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// algNone returns an unsigned JWT.
func algNone(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

func (f *fakeIdP) tokenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokenReqs)
}
