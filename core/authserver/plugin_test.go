package authserver_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// notesPlugin is a plugin written only against the exported seam: an endpoint that needs a session and a
// validated body, a table, a before hook that refuses a sign-up and an after hook that adds a header.
func notesPlugin(seen *[]string, mu *sync.Mutex) authserver.Plugin {
	p := authserver.Plugin{
		ID:         "notes",
		ErrorCodes: map[string]string{"NOTE_TOO_LONG": "Note is too long", "BLOCKED_DOMAIN": "This domain is blocked"},
		Schema: []sqlstore.Table{{Name: "note", Fields: []sqlstore.Field{
			{Name: "text", Type: sqlstore.FieldString, Required: true},
			{Name: "userId", Type: sqlstore.FieldString, Required: true, Index: true, References: "user"},
			{Name: "createdAt", Type: sqlstore.FieldDate, Required: true, DefaultNow: true},
		}}, {Name: "user", Fields: []sqlstore.Field{{Name: "noteCount", Type: sqlstore.FieldNumber}}}},
		RateLimit: []authserver.RateLimitRule{{Prefix: "/notes", Window: time.Minute, Max: 3}},
	}
	p.Endpoints = []authserver.Endpoint{{Method: http.MethodPost, Path: "/notes/add", Handler: func(c *authserver.Context) (any, error) {
		s, err := c.Session()
		if err != nil {
			return nil, err
		}
		if err := c.Validate(authserver.BodyField{Name: "text", Kind: authserver.FieldString, Required: true}); err != nil {
			return nil, err
		}
		if len(c.String("text")) > 10 {
			return nil, p.Error(400, "NOTE_TOO_LONG")
		}
		return map[string]any{"text": c.String("text"), "user": s.User.Email}, nil
	}}}
	p.Before = []authserver.Hook{{Match: authserver.PathIs("/sign-up/email"), Run: func(c *authserver.Context) error {
		if strings.HasSuffix(c.String("email"), "@blocked.example") {
			return p.Error(400, "BLOCKED_DOMAIN")
		}
		return nil
	}}}
	p.After = []authserver.Hook{{Run: func(c *authserver.Context) error {
		_, err := c.Result()
		mu.Lock()
		*seen = append(*seen, c.Path())
		mu.Unlock()
		if err == nil {
			c.Header().Set("X-Notes", "1")
		}
		return nil
	}}}
	return p
}

// TestPluginSeam: a plugin from outside the package adds an endpoint, a table (made by Migrate) and
// before/after hooks, with nothing in the server core edited for it.
func TestPluginSeam(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	plugin := notesPlugin(&seen, &mu)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := authserver.Migrate(t.Context(), db, "sqlite", plugin); err != nil {
		t.Fatal(err)
	}
	var ddl string
	if err := db.QueryRow(`select sql from sqlite_master where name = 'note'`).Scan(&ddl); err != nil {
		t.Fatalf("Migrate made no note table: %v", err)
	}
	if want := `CREATE TABLE "note" ("id" text not null primary key, "text" text not null, "userId" text not null references "user" ("id") on delete cascade, "createdAt" date not null)`; !strings.EqualFold(ddl, want) {
		t.Errorf("note table\n got %s\nwant %s", ddl, want)
	}
	var col int
	if err := db.QueryRow(`select count(*) from pragma_table_info('user') where name = 'noteCount'`).Scan(&col); err != nil || col != 1 {
		t.Errorf("user.noteCount: %d %v", col, err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40)), DisableJWKS: true},
		Database: st,
		Plugins:  []authserver.Plugin{plugin},
	})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, srvBase+"/api/auth"+path, strings.NewReader(body))
		r.Header.Set("Origin", srvBase)
		r.RemoteAddr = "192.0.2.1:1234"
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		return rec
	}
	tests := []struct {
		name, path, body string
		signedIn         bool
		status           int
		contains         string
	}{
		{name: "before hook refuses", path: "/sign-up/email", body: `{"name":"B","email":"b@blocked.example","password":"password123"}`,
			status: 400, contains: `"code":"BLOCKED_DOMAIN"`},
		{name: "endpoint needs a session", path: "/notes/add", body: `{"text":"hi"}`, status: 401, contains: `"UNAUTHORIZED"`},
		{name: "endpoint validates", path: "/notes/add", body: `{"text":1}`, signedIn: true, status: 400,
			contains: `"message":"[body.text] Invalid input: expected string, received number"`},
		{name: "plugin error code", path: "/notes/add", body: `{"text":"far too long a note"}`, signedIn: true, status: 400,
			contains: `{"code":"NOTE_TOO_LONG","message":"Note is too long"}`},
		{name: "plugin rate-limit rule", path: "/notes/add", body: `{"text":"ok"}`, signedIn: true, status: 429,
			contains: `"message":"Too many requests. Please try again later."`}, // 3 per minute on /notes
	}
	up := do("POST", "/sign-up/email", `{"name":"A","email":"a@example.com","password":"password123"}`, "")
	if up.Code != 200 || up.Header().Get("X-Notes") != "1" {
		t.Fatalf("sign-up: %d %s (X-Notes %q)", up.Code, up.Body, up.Header().Get("X-Notes"))
	}
	var cookie string
	for _, c := range up.Result().Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ck := ""
			if tt.signedIn {
				ck = cookie
			}
			rec := do("POST", tt.path, tt.body, ck)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("%d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.contains)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "/sign-up/email,/notes/add,/notes/add,/notes/add" {
		t.Errorf("after hook saw %v", seen)
	}
}
