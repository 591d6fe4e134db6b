package apikey_test

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
	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const baseURL = "http://localhost:3000"

// server is a Go server with the api-key plugin on SQLite, with a clock the test moves, and the
// verifier's API keys on the same table.
type server struct {
	t    *testing.T
	h    *authserver.Server
	db   *sql.DB
	keys *apikey.Keys
	mu   sync.Mutex
	now  time.Time
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWith(t, apikey.Config{})
}

// newServerWith is newServer with cfg (its Now set to the test's clock) and more plugins.
func newServerWith(t *testing.T, cfg apikey.Config, more ...authserver.Plugin) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.db = db
	cfg.Now = s.clock
	s.keys = apikey.New(cfg)
	plugins := append([]authserver.Plugin{s.keys.Plugin()}, more...)
	if err := authserver.Migrate(t.Context(), db, "sqlite", plugins...); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: plugins,
		Auth: auth.Config{BaseURL: baseURL, Secret: "apikey-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: s.clock, APIKeys: &auth.APIKeyConfig{Store: st}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.h = srv
	return s
}

func (s *server) clock() time.Time        { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
func (s *server) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

// do sends a request as a browser on the site and returns the status and the JSON body.
func (s *server) do(method, path, cookie string, body any) (int, map[string]any) {
	s.t.Helper()
	return s.doHeader(method, path, cookie, nil, body)
}

// doHeader is do with more request headers.
func (s *server) doHeader(method, path, cookie string, h http.Header, body any) (int, map[string]any) {
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
	for k, v := range h {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	if strings.HasPrefix(path, "/sign-up") {
		for _, c := range w.Result().Cookies() {
			if strings.HasSuffix(c.Name, "session_token") {
				out["cookie"] = c.Name + "=" + c.Value
			}
		}
	}
	return w.Code, out
}

func (s *server) signUp(email string) string {
	s.t.Helper()
	code, out := s.do(http.MethodPost, "/sign-up/email", "", map[string]any{"name": "U", "email": email, "password": "correct horse battery"})
	if code != 200 {
		s.t.Fatalf("sign-up: %d %v", code, out)
	}
	return out["cookie"].(string)
}

func (s *server) create(cookie string, body map[string]any) map[string]any {
	s.t.Helper()
	code, out := s.do(http.MethodPost, "/api-key/create", cookie, body)
	if code != 200 {
		s.t.Fatalf("create: %d %v", code, out)
	}
	return out
}

// TestCreatedKeyFormat: a created key is the prefix and 64 letters, start is its first 6 characters, and
// the row holds its SHA-256 (unpadded base64url), not the key: the verifier, which hashes what it is
// given, accepts it, and the server's Verify too.
func TestCreatedKeyFormat(t *testing.T) {
	s := newServer(t)
	cookie := s.signUp("ann@example.com")
	out := s.create(cookie, map[string]any{"name": "ci", "prefix": "ci_"})
	key := out["key"].(string)
	if !strings.HasPrefix(key, "ci_") || len(key) != 3+64 || strings.TrimLeft(key[3:], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Fatalf("key %q: want ci_ and 64 letters", key)
	}
	if out["start"] != key[:6] || out["prefix"] != "ci_" || out["name"] != "ci" {
		t.Fatalf("start/prefix/name: %v", out)
	}
	var stored string
	if err := s.db.QueryRow(`select "key" from "apikey" where "id" = ?`, out["id"]).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == key || strings.Contains(stored, key[3:]) || len(stored) != 43 {
		t.Fatalf("stored key column %q is not the key's hash", stored)
	}
	sess, err := s.h.Verifier().Authenticate(t.Context(), auth.Request{Method: "GET", Path: "/x", Header: http.Header{"X-Api-Key": {key}}})
	if err != nil || sess.User.Email != "ann@example.com" {
		t.Fatalf("verifier: %v %v", sess, err)
	}
	res, err := s.keys.Verify(t.Context(), key, nil)
	if err != nil || !res.Valid || res.Key.RequestCount != 2 {
		t.Fatalf("Verify: %+v %v", res, err)
	}
}

// TestOwnership: another user's key is 404 KEY_NOT_FOUND on get, update and delete, and is not listed.
func TestOwnership(t *testing.T) {
	s := newServer(t)
	ann := s.signUp("ann@example.com")
	bob := s.signUp("bob@example.com")
	id := s.create(ann, map[string]any{"name": "ann"})["id"].(string)
	for _, tt := range []struct {
		name, method, path string
		body               any
	}{
		{name: "get", method: http.MethodGet, path: "/api-key/get?id=" + id},
		{name: "update", method: http.MethodPost, path: "/api-key/update", body: map[string]any{"keyId": id, "name": "bob"}},
		{name: "delete", method: http.MethodPost, path: "/api-key/delete", body: map[string]any{"keyId": id}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := s.do(tt.method, tt.path, bob, tt.body)
			if code != 404 || out["code"] != "KEY_NOT_FOUND" {
				t.Fatalf("%d %v, want 404 KEY_NOT_FOUND", code, out)
			}
		})
	}
	if code, out := s.do(http.MethodGet, "/api-key/list", bob, nil); code != 200 || out["total"] != float64(0) {
		t.Fatalf("bob's list: %d %v", code, out)
	}
	if code, out := s.do(http.MethodGet, "/api-key/get?id="+id, ann, nil); code != 200 || out["name"] != "ann" {
		t.Fatalf("ann's key after bob's attempts: %d %v", code, out)
	}
}

// TestExpiry: Verify refuses an expired key with KEY_EXPIRED and deletes it, as the plugin does;
// DeleteAllExpired deletes expired keys only.
func TestExpiry(t *testing.T) {
	s := newServer(t)
	cookie := s.signUp("ann@example.com")
	short := s.create(cookie, map[string]any{"name": "short", "expiresIn": 86400})
	s.create(cookie, map[string]any{"name": "short2", "expiresIn": 86400})
	s.create(cookie, map[string]any{"name": "forever"})
	s.advance(86400*time.Second + time.Millisecond)
	res, err := s.keys.Verify(t.Context(), short["key"].(string), nil)
	if err != nil || res.Valid || res.Code != "KEY_EXPIRED" {
		t.Fatalf("Verify: %+v %v", res, err)
	}
	n, err := s.keys.DeleteAllExpired(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("DeleteAllExpired: %d %v, want 1 (the other expired key; Verify deleted the first)", n, err)
	}
	if code, out := s.do(http.MethodGet, "/api-key/list", cookie, nil); code != 200 || out["total"] != float64(1) {
		t.Fatalf("list: %d %v", code, out)
	}
}

// TestVerifyRefusals: a disabled key and a missing permission are refused as the plugin refuses them,
// and a key that is not one is INVALID_API_KEY; none is an error.
func TestVerifyRefusals(t *testing.T) {
	s := newServer(t)
	cookie := s.signUp("ann@example.com")
	k := s.create(cookie, map[string]any{"name": "k"})
	if res, err := s.keys.Verify(t.Context(), k["key"].(string), map[string][]string{"files": {"read"}}); err != nil || res.Code != "KEY_NOT_FOUND" {
		t.Fatalf("permission: %+v %v", res, err)
	}
	if code, out := s.do(http.MethodPost, "/api-key/update", cookie, map[string]any{"keyId": k["id"], "enabled": false}); code != 200 || out["enabled"] != false {
		t.Fatalf("disable: %d %v", code, out)
	}
	if res, err := s.keys.Verify(t.Context(), k["key"].(string), nil); err != nil || res.Code != "KEY_DISABLED" {
		t.Fatalf("disabled: %+v %v", res, err)
	}
	if res, err := s.keys.Verify(t.Context(), "nope", nil); err != nil || res.Code != "INVALID_API_KEY" {
		t.Fatalf("unknown: %+v %v", res, err)
	}
	b, _ := json.Marshal(apikey.VerifyResult{Code: "RATE_LIMITED", Message: "Rate limit exceeded.", TryAgainIn: 1500 * time.Millisecond})
	if string(b) != `{"error":{"code":"RATE_LIMITED","details":{"tryAgainIn":1500},"message":"Rate limit exceeded."},"key":null,"valid":false}` {
		t.Fatalf("JSON: %s", b)
	}
}
