package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// client is one visitor of the example server over HTTP: a cookie jar, the Origin header a browser's fetch
// sends, and optional extra headers (x-api-key).
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// call sends method path (a POST with body as JSON) with the headers h, and returns the status and the
// body.
func (c *client) call(method, path string, body any, h map[string]string) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", c.base)
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// signUp signs c up as name <email> and returns the user's id.
func (c *client) signUp(name, email string) string {
	c.t.Helper()
	status, body := c.call(http.MethodPost, "/api/auth/sign-up/email", map[string]any{"name": name, "email": email, "password": "correct-horse-battery"}, nil)
	if status != 200 {
		c.t.Fatalf("sign-up %s: %d %s", email, status, body)
	}
	var out struct {
		User struct{ ID string } `json:"user"`
	}
	_ = json.Unmarshal([]byte(body), &out)
	return out.User.ID
}

// newKey creates an API key for c's user and returns it.
func (c *client) newKey(name string) string {
	c.t.Helper()
	status, body := c.call(http.MethodPost, "/api/auth/api-key/create", map[string]any{"name": name}, nil)
	var out struct{ Key string }
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || out.Key == "" {
		c.t.Fatalf("api-key/create: %d %s", status, body)
	}
	return out.Key
}

// startApp starts the example server with the settings s (baseURL filled in; a new SQLite file unless
// s.databaseURL is set) and returns its URL.
func startApp(t *testing.T, s settings) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	dir := t.TempDir()
	s.baseURL = "http://" + ts.Listener.Addr().String()
	if s.databaseURL == "" {
		s.databaseURL = "sqlite:" + filepath.Join(dir, "auth.db")
	}
	s.secretFile = filepath.Join(dir, "secret")
	a, db, err := newAuth(context.Background(), s, 0, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = newHandler(a, nil, nil)
	ts.Start()
	t.Cleanup(ts.Close)
	return s.baseURL
}

// TestAdminAuthorization: who may use the admin plugin and the API keys of the example server. In
// development mode the first user is an admin and the second is not: the second gets 403 from every admin
// endpoint and the admin page, while the server answers the first; a visitor who is not signed in is sent
// to the sign-in page. A banned user cannot sign in, and their API key stops working on the protected API
// (/api/me: 403) and on Better Auth's endpoints (sessions from API keys: 401 USER_BANNED); unbanned, the key
// works again. In production mode nobody is an admin by default, and ADMIN_USER_IDS makes one.
func TestAdminAuthorization(t *testing.T) {
	base := startApp(t, settings{})
	admin, user, anon := newClient(t, base), newClient(t, base), newClient(t, base)
	admin.signUp("Ada", "ada@example.com")
	bobID := user.signUp("Bob", "bob@example.com")

	for _, tt := range []struct {
		name, method, path string
		body               any
		code               string
	}{
		{"list users", "GET", "/api/auth/admin/list-users", nil, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"},
		{"ban", "POST", "/api/auth/admin/ban-user", map[string]any{"userId": bobID}, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"},
		{"impersonate", "POST", "/api/auth/admin/impersonate-user", map[string]any{"userId": bobID}, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"},
		{"revoke sessions", "POST", "/api/auth/admin/revoke-user-sessions", map[string]any{"userId": bobID}, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"},
		{"set role", "POST", "/api/auth/admin/set-role", map[string]any{"userId": bobID, "role": "admin"}, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"},
	} {
		t.Run("non-admin: "+tt.name, func(t *testing.T) {
			if status, body := user.call(tt.method, tt.path, tt.body, nil); status != 403 || !strings.Contains(body, tt.code) {
				t.Errorf("%d %s, want 403 %s", status, body, tt.code)
			}
		})
	}
	if status, body := user.call("GET", "/admin", nil, nil); status != 403 || !strings.Contains(body, "This page is for administrators") {
		t.Errorf("admin page, non-admin: %d, want the 403 page", status)
	}
	if status, _ := anon.call("GET", "/admin", nil, nil); status != 303 {
		t.Errorf("admin page, not signed in: %d, want 303 to the sign-in page", status)
	}
	if status, body := admin.call("GET", "/admin", nil, nil); status != 200 || !strings.Contains(body, `<tbody id="users">`) {
		t.Errorf("admin page, admin: %d, want the page", status)
	}
	if status, body := admin.call("GET", "/api/auth/admin/list-users?searchValue=bob&searchField=email", nil, nil); status != 200 || !strings.Contains(body, `"total":1`) {
		t.Errorf("admin: list users: %d %s", status, body)
	}

	key := user.newKey("bob's script")
	withKey := map[string]string{"x-api-key": key}
	if status, body := anon.call("GET", "/api/me", nil, withKey); status != 200 || !strings.Contains(body, "bob@example.com") {
		t.Fatalf("/api/me with Bob's key: %d %s", status, body)
	}
	if status, body := admin.call("POST", "/api/auth/admin/ban-user", map[string]any{"userId": bobID, "banReason": "spam", "banExpiresIn": 3600}, nil); status != 200 {
		t.Fatalf("ban: %d %s", status, body)
	}
	for _, tt := range []struct {
		name, method, path string
		body               any
		h                  map[string]string
		status             int
		want               string
	}{
		{"banned: sign-in", "POST", "/api/auth/sign-in/email", map[string]any{"email": "bob@example.com", "password": "correct-horse-battery"}, nil, 403, "BANNED_USER"},
		{"banned: the session he had", "GET", "/api/me", nil, nil, 401, ""},
		{"banned: API key on the API", "GET", "/api/me", nil, withKey, 403, ""},
		{"banned: API key on Better Auth's endpoints", "GET", "/api/auth/get-session", nil, withKey, 401, "USER_BANNED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := anon
			if tt.h == nil {
				c = user
			}
			if status, body := c.call(tt.method, tt.path, tt.body, tt.h); status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %d %s", status, body, tt.status, tt.want)
			}
		})
	}
	if status, body := admin.call("POST", "/api/auth/admin/unban-user", map[string]any{"userId": bobID}, nil); status != 200 {
		t.Fatalf("unban: %d %s", status, body)
	}
	if status, body := anon.call("GET", "/api/me", nil, withKey); status != 200 {
		t.Errorf("/api/me with Bob's key after the unban: %d %s", status, body)
	}

	t.Run("production: no admin by default, ADMIN_USER_IDS makes one", func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "prod.db")
		prod := newClient(t, startApp(t, settings{secret: strongSecret, databaseURL: db}))
		id := prod.signUp("First", "first@example.com")
		if status, _ := prod.call("GET", "/api/auth/admin/list-users", nil, nil); status != 403 {
			t.Errorf("the first user in production mode: list users %d, want 403", status)
		}
		// The documented way in: the same database, served again with ADMIN_USER_IDS set to the user's id.
		again := newClient(t, startApp(t, settings{secret: strongSecret, databaseURL: db, adminUserIDs: []string{id}}))
		if status, body := again.call("POST", "/api/auth/sign-in/email", map[string]any{"email": "first@example.com", "password": "correct-horse-battery"}, nil); status != 200 {
			t.Fatalf("sign-in: %d %s", status, body)
		}
		if status, body := again.call("GET", "/api/auth/admin/list-users", nil, nil); status != 200 || !strings.Contains(body, `"role":"user"`) {
			t.Errorf("a user in ADMIN_USER_IDS (role user): list users %d %s, want 200", status, body)
		}
		if status, _ := again.call("GET", "/admin", nil, nil); status != 200 {
			t.Errorf("a user in ADMIN_USER_IDS: the admin page %d, want 200", status)
		}
	})
}
