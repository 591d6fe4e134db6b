package authhttp_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
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
	s, ok := authhttp.Session(r)
	if !ok {
		_, _ = w.Write([]byte("anonymous"))
		return
	}
	_, _ = w.Write([]byte("user " + s.User.ID))
}

// The status, header and body matrix of Require and Optional is the shared suite, in conformance_test.go.

func TestWithErrorHandler(t *testing.T) {
	f := newFixture(t, nil)
	h := &handler{}
	var got error
	mw := authhttp.Middleware(f.a, authhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
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
	authhttp.Middleware(f.a)(h).ServeHTTP(rec, req)
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

// TestOptionalAndRequire: Optional is an option of Middleware, as in every adapter; the deprecated Require
// still requires whatever it is given.
func TestOptionalAndRequire(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct {
		name   string
		mw     func(http.Handler) http.Handler
		status int
	}{
		{name: "Middleware", mw: authhttp.Middleware(f.a), status: 401},
		{name: "Middleware with Optional()", mw: authhttp.Middleware(f.a, authhttp.Optional()), status: 200},
		{name: "Middleware with an optional policy", mw: authhttp.Middleware(f.a, authhttp.WithPolicy(auth.Policy{Optional: true})), status: 200},
		{name: "Require ignores Optional()", mw: authhttp.Require(f.a, authhttp.Optional()), status: 401},
		{name: "Require ignores an optional policy", mw: authhttp.Require(f.a, authhttp.WithPolicy(auth.Policy{Optional: true})), status: 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.mw(&handler{}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
		})
	}
}
