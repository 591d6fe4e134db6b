package authhttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

const secret = "authhttp-test-secret-0123456789abcdefghij"

type fixture struct {
	is      *authtest.Issuer
	a       *auth.Auth
	valid   string
	expired string
}

func newFixture(t *testing.T, edit func(*auth.Config)) *fixture {
	t.Helper()
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	cfg := auth.Config{BaseURL: is.URL()}
	if edit != nil {
		edit(&cfg)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		is: is, a: a,
		valid:   is.MustMint(authtest.Claims{ID: "u1", Email: "u1@example.com"}),
		expired: is.MustMint(authtest.Claims{IssuedAt: time.Now().Add(-time.Hour), ExpiresAt: time.Now().Add(-30 * time.Minute)}),
	}
}

// handler records whether it ran and echoes the session's user id.
type handler struct{ ran bool }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ran = true
	s, ok := authhttp.SessionFrom(r)
	if !ok {
		_, _ = w.Write([]byte("anonymous"))
		return
	}
	_, _ = w.Write([]byte("user " + s.User.ID))
}

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name      string
		optional  bool
		authz     string
		down      bool
		status    int
		body      string // exact for 200, code for errors
		www       string
		retry     bool
		handlerOK bool
	}{
		{name: "required, none", authz: "", status: 401, body: "UNAUTHORIZED", www: "Bearer"},
		{name: "required, valid", authz: "Bearer VALID", status: 200, body: "user u1", handlerOK: true},
		{name: "required, tampered", authz: "Bearer TAMPERED", status: 401, body: "INVALID_TOKEN", www: `Bearer error="invalid_token"`},
		{name: "required, expired", authz: "Bearer EXPIRED", status: 401, body: "TOKEN_EXPIRED", www: `Bearer error="invalid_token"`},
		{name: "required, other scheme", authz: "Basic dTpw", status: 401, body: "UNAUTHORIZED", www: "Bearer"},
		{name: "required, JWKS down", authz: "Bearer VALID", down: true, status: 503, body: "SERVICE_UNAVAILABLE", retry: true},
		{name: "optional, none", optional: true, authz: "", status: 200, body: "anonymous", handlerOK: true},
		{name: "optional, valid", optional: true, authz: "Bearer VALID", status: 200, body: "user u1", handlerOK: true},
		{name: "optional, tampered", optional: true, authz: "Bearer TAMPERED", status: 401, body: "INVALID_TOKEN", www: `Bearer error="invalid_token"`},
		{name: "optional, JWKS down", optional: true, authz: "Bearer VALID", down: true, status: 503, body: "SERVICE_UNAVAILABLE", retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if tt.down {
				f.is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool { w.WriteHeader(500); return true })
			}
			h := &handler{}
			mw := authhttp.Require(f.a)
			if tt.optional {
				mw = authhttp.Optional(f.a)
			}
			srv := httptest.NewServer(mw(h))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/api/me", nil)
			authz := strings.NewReplacer("VALID", f.valid, "TAMPERED", f.valid[:len(f.valid)-2]+"AA", "EXPIRED", f.expired).Replace(tt.authz)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (body %s)", resp.StatusCode, tt.status, body.String())
			}
			if h.ran != tt.handlerOK {
				t.Errorf("handler ran = %v, want %v", h.ran, tt.handlerOK)
			}
			if tt.status == 200 {
				if body.String() != tt.body {
					t.Errorf("body %q, want %q", body.String(), tt.body)
				}
				return
			}
			var e struct{ Code, Message string }
			if err := json.Unmarshal([]byte(body.String()), &e); err != nil || e.Code != tt.body || e.Message == "" {
				t.Errorf("body %s: %v", body.String(), err)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.www {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.www)
			}
			if got := resp.Header.Get("Retry-After"); (got != "") != tt.retry {
				t.Errorf("Retry-After %q", got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if strings.Contains(body.String(), f.valid[:30]) {
				t.Error("token echoed in the body")
			}
		})
	}
}

func TestWithErrorHandler(t *testing.T) {
	f := newFixture(t, nil)
	h := &handler{}
	var got error
	mw := authhttp.Require(f.a, authhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Redirect(w, r, "/login", http.StatusFound)
	}))
	rec := httptest.NewRecorder()
	mw(h).ServeHTTP(rec, httptest.NewRequest("GET", "/dashboard", nil))
	if rec.Code != http.StatusFound || !errors.Is(got, auth.ErrNoCredentials) || h.ran {
		t.Fatalf("status %d, err %v, handler ran %v", rec.Code, got, h.ran)
	}
}

// E3: a panic during verification refuses the request with a 500 and never reaches the handler.
func TestPanicIsRefused(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.AcceptHS256, c.DisableJWKS, c.Secret = true, true, secret
		c.Now = func() time.Time { panic("clock broke") }
	})
	payload, _ := f.is.Payload(authtest.Claims{})
	tok, err := authtest.SignHS256(secret, payload)
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	authhttp.Require(f.a)(h).ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || h.ran {
		t.Fatalf("status %d, handler ran %v", rec.Code, h.ran)
	}
}

func TestRequestView(t *testing.T) {
	req := httptest.NewRequest("POST", "/a/b?x=1", nil)
	req.Header.Add("Authorization", "Bearer a")
	req.Header.Add("Authorization", "Bearer b")
	req.Header.Add("Cookie", "c=1")
	v := authhttp.Request(req)
	if v.Method != "POST" || v.Path != "/a/b" || len(v.Authorization) != 2 || len(v.Cookie) != 1 {
		t.Fatalf("view %+v", v)
	}
}
