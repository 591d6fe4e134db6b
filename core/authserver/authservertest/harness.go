package authservertest

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// HarnessBaseURL is the base URL of a [Harness] server.
const HarnessBaseURL = "http://localhost:3000"

// Harness is a server with plugins, for a plugin's tests: a fresh SQLite file migrated with the plugins'
// schema, development mode, a clock the test moves ([Harness.Advance]) and a mailer that keeps what it is
// asked to send ([Harness.Email]). Requests go straight to the handler with the Origin header set.
type Harness struct {
	T      *testing.T
	Server *authserver.Server
	DB     *sql.DB
	Store  store.Database

	mu   sync.Mutex
	now  time.Time
	mail chan authserver.Email
}

// NewHarness returns a [Harness] serving plugins; the server is closed when the test ends.
func NewHarness(t *testing.T, plugins ...authserver.Plugin) *Harness {
	t.Helper()
	h := &Harness{T: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), mail: make(chan authserver.Email, 16)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h.DB = db
	if err := authserver.Migrate(t.Context(), db, "sqlite", plugins...); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Store = st
	srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: plugins,
		Mailer: authserver.MailerFunc(func(_ context.Context, e authserver.Email) error { h.mail <- e; return nil }),
		Auth: auth.Config{BaseURL: HarnessBaseURL, Secret: "harness-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: h.Now}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h.Server = srv
	return h
}

// Now is the server's clock.
func (h *Harness) Now() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now }

// Advance moves the server's clock by d.
func (h *Harness) Advance(d time.Duration) { h.mu.Lock(); h.now = h.now.Add(d); h.mu.Unlock() }

// Email waits (at most 5 s) for the next email the server sends.
func (h *Harness) Email() authserver.Email {
	h.T.Helper()
	select {
	case e := <-h.mail:
		return e
	case <-time.After(5 * time.Second):
		h.T.Fatal("no email was sent")
	}
	return authserver.Email{}
}

// EmailWithin returns the next email the server sends within d, and false when none comes.
func (h *Harness) EmailWithin(d time.Duration) (authserver.Email, bool) {
	select {
	case e := <-h.mail:
		return e, true
	case <-time.After(d):
		return authserver.Email{}, false
	}
}

// Answer is one response of a [Harness] server.
type Answer struct {
	Status   int
	Raw      string
	Body     map[string]any // the JSON body, when it is an object
	Location string
	Cookies  map[string]string // by name
}

// Code is the body's Better Auth error code, "" when none.
func (a Answer) Code() string { c, _ := a.Body["code"].(string); return c }

// Do serves r.
func (h *Harness) Do(r *http.Request) Answer {
	w := httptest.NewRecorder()
	h.Server.ServeHTTP(w, r)
	a := Answer{Status: w.Code, Raw: w.Body.String(), Location: w.Header().Get("Location"), Cookies: map[string]string{}}
	_ = json.Unmarshal(w.Body.Bytes(), &a.Body)
	for _, c := range w.Result().Cookies() {
		a.Cookies[c.Name] = c.Value
	}
	return a
}

// Post sends body as JSON to path below the base path, with the server's Origin.
func (h *Harness) Post(path string, body any) Answer {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, HarnessBaseURL+"/api/auth"+path, strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", HarnessBaseURL)
	return h.Do(r)
}

// Get requests pathAndQuery below the base path.
func (h *Harness) Get(pathAndQuery string) Answer {
	return h.Do(httptest.NewRequest(http.MethodGet, HarnessBaseURL+"/api/auth"+pathAndQuery, nil))
}
