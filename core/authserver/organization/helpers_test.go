package organization_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const (
	baseURL    = "http://localhost:3000"
	testSecret = "org-test-secret-0123456789abcdef0123"
)

// server is a Go server with the organization plugin on SQLite and a clock the test moves.
type server struct {
	t   *testing.T
	h   *authserver.Server
	db  *sql.DB
	org *organization.Plugin
	mu  sync.Mutex
	now time.Time
}

func newServer(t *testing.T, cfg organization.Config, edit ...func(*authserver.Config)) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.db = db
	s.org = organization.New(cfg)
	p := s.org.Plugin()
	if err := authserver.Migrate(t.Context(), db, "sqlite", p); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{p},
		Auth: auth.Config{BaseURL: baseURL, Secret: testSecret, DisableJWKS: true, Now: s.clock}}
	for _, e := range edit {
		e(&c)
	}
	srv, err := authserver.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.h = srv
	return s
}

func (s *server) clock() time.Time        { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
func (s *server) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

// reply is an answer: the status, the body as sent, and the body decoded.
type reply struct {
	code int
	raw  string
	obj  map[string]any
	list []any
	hdr  http.Header
}

// errCode returns the error code of an error answer.
func (r reply) errCode() string { s, _ := r.obj["code"].(string); return s }

// str returns a string member of the answer.
func (r reply) str(k string) string { s, _ := r.obj[k].(string); return s }

// do sends a request as a browser on the site.
func (s *server) do(method, path, cookie string, body any) reply {
	s.t.Helper()
	var r *http.Request
	if body != nil {
		b, _ := json.Marshal(body)
		r = httptest.NewRequest(method, baseURL+"/api/auth"+path, strings.NewReader(string(b)))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, baseURL+"/api/auth"+path, nil)
	}
	r.Header.Set("Origin", baseURL)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	out := reply{code: w.Code, raw: w.Body.String(), hdr: w.Result().Header}
	_ = json.Unmarshal(w.Body.Bytes(), &out.obj)
	_ = json.Unmarshal(w.Body.Bytes(), &out.list)
	return out
}

func (s *server) post(path, cookie string, body any) reply {
	return s.do(http.MethodPost, path, cookie, body)
}
func (s *server) get(path, cookie string) reply { return s.do(http.MethodGet, path, cookie, nil) }

// signUp creates a user with a session, written straight to the database (no password hashing, which
// under -race takes most of a second), and returns the session cookie, signed as the server signs it,
// and the user id.
func (s *server) signUp(email string) (cookie, id string) {
	s.t.Helper()
	id, token := betterauth.NewID(), betterauth.NewID()
	now := s.clock().Format("2006-01-02T15:04:05.000Z")
	exp := s.clock().Add(7 * 24 * time.Hour).Format("2006-01-02T15:04:05.000Z")
	if _, err := s.db.Exec(`insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values (?, ?, ?, 0, ?, ?)`,
		id, strings.Split(email, "@")[0], email, now, now); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.db.Exec(`insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)`,
		betterauth.NewID(), token, id, exp, now, now); err != nil {
		s.t.Fatal(err)
	}
	return "better-auth.session_token=" + betterauth.NewSigner(testSecret).Sign(token), id
}

// must fails the test unless the answer has status 200.
func (r reply) must(t *testing.T, what string) reply {
	t.Helper()
	if r.code != 200 {
		t.Fatalf("%s: %d %s", what, r.code, r.raw)
	}
	return r
}

// want fails the test unless the answer is status with code.
func (r reply) want(t *testing.T, what string, status int, code string) {
	t.Helper()
	if r.code != status || r.errCode() != code {
		t.Errorf("%s: got %d %s, want %d %s", what, r.code, r.raw, status, code)
	}
}

// activeOrg reads the session's activeOrganizationId from the database.
func (s *server) activeOrg(cookie string) string {
	s.t.Helper()
	token := strings.SplitN(strings.SplitN(cookie, "=", 2)[1], ".", 2)[0]
	var v sql.NullString
	if err := s.db.QueryRow(`select "activeOrganizationId" from "session" where "token" = ?`, token).Scan(&v); err != nil {
		s.t.Fatal(err)
	}
	return v.String
}
