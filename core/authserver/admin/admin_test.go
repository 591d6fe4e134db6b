package admin_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/admin"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// TestBanExpiresInNumber: the server decodes JSON numbers as json.Number; ban-user's banExpiresIn (and a
// number given as userId, coerced as zod's z.coerce.string) must still read as numbers: the ban ends
// banExpiresIn seconds from now, and a string is refused with zod's message.
func TestBanExpiresInNumber(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := admin.New(admin.Config{AdminUserIDs: []string{"admin-id"}})
	if err := authserver.Migrate(t.Context(), db, "sqlite", p); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{p},
		Auth: auth.Config{BaseURL: "http://localhost:3000", Secret: "admin-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	do := func(path, cookie, body string) (int, map[string]any, string) {
		r := httptest.NewRequest(http.MethodPost, "http://localhost:3000/api/auth"+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", "http://localhost:3000")
		r.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		set := ""
		for _, c := range w.Result().Cookies() {
			if strings.HasSuffix(c.Name, "session_token") {
				set = c.Name + "=" + c.Value
			}
		}
		return w.Code, out, set
	}
	signUp := func(email string) (string, string) {
		code, out, cookie := do("/sign-up/email", "", `{"name":"U","email":"`+email+`","password":"correct horse battery"}`)
		if code != 200 {
			t.Fatalf("sign-up: %d %v", code, out)
		}
		return out["user"].(map[string]any)["id"].(string), cookie
	}
	adminID, cookie := signUp("ada@example.com")
	if _, err := db.Exec(`update "user" set "id" = 'admin-id' where "id" = ?`, adminID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`update "session" set "userId" = 'admin-id'`); err != nil {
		t.Fatal(err)
	}
	bob, _ := signUp("bob@example.com")
	code, out, _ := do("/admin/ban-user", cookie, `{"userId":"`+bob+`","banReason":"spam","banExpiresIn":3600}`)
	if code != 200 {
		t.Fatalf("ban-user with banExpiresIn 3600: %d %v", code, out)
	}
	u := out["user"].(map[string]any)
	if want := now.Add(time.Hour).Format("2006-01-02T15:04:05.000Z"); u["banExpires"] != want || u["banned"] != true || u["banReason"] != "spam" {
		t.Errorf("banned user: %v, want banExpires %s", u, want)
	}
	code, out, _ = do("/admin/ban-user", cookie, `{"userId":"`+bob+`","banExpiresIn":"3600"}`)
	if code != 400 || out["message"] != "[body.banExpiresIn] Invalid input: expected number, received string" {
		t.Errorf("banExpiresIn as a string: %d %v", code, out)
	}
}
