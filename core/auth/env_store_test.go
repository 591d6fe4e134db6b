package auth_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
)

// newSQLiteSessionDB writes Better Auth's SQLite schema and the captured "nocache" session (user and
// session rows as Better Auth stores them: ISO text dates, 0/1 booleans) into a fresh file.
func newSQLiteSessionDB(t *testing.T, v sessionVectors) string {
	t.Helper()
	db, path := testdb.SQLite(t)
	m := newMemStore(t, v)
	for _, r := range m.rows {
		if _, err := db.Exec(`insert into "user" ("id","name","email","emailVerified","image","createdAt","updatedAt") values (?,?,?,0,null,?,?)`,
			r.User.ID, r.User.Name, r.User.Email, r.User.Additional["createdAt"], r.User.Additional["updatedAt"]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`insert into "session" ("id","expiresAt","token","createdAt","updatedAt","ipAddress","userAgent","userId") values (?,?,?,?,?,?,?,?)`,
			r.Session.ID, testdb.ISO(r.Session.ExpiresAt), r.Session.Token, testdb.ISO(r.Session.CreatedAt), testdb.ISO(r.Session.UpdatedAt), "", "curl/7.88.1", r.Session.UserID); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestFromEnvWithDatabaseURL(t *testing.T) {
	v := loadSessionVectors(t)
	path := newSQLiteSessionDB(t, v)
	t.Setenv(auth.EnvBaseURL, v.BaseURL)
	t.Setenv(auth.EnvSecret, v.Secret)
	t.Setenv(auth.EnvDatabaseURL, "sqlite:"+path)
	t.Setenv(auth.EnvStoreCacheTTL, "2s")
	a, err := auth.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cookie := "better-auth.session_token=" + v.get(t, "nocache", "better-auth.session_token")
	s, err := a.Authenticate(t.Context(), auth.Request{Cookie: []string{cookie}})
	// The captured session expires on 2026-12-05: after that date this test checks the expiry path instead.
	if time.Now().Before(time.Date(2026, 12, 5, 13, 29, 57, 0, time.UTC)) {
		if err != nil || s.User.Email != "nocache@example.com" || s.Credential != auth.CredentialCookie {
			t.Fatalf("session %+v, %v", s, err)
		}
	} else if !errors.Is(err, auth.ErrExpired) {
		t.Fatalf("expired session: %v", err)
	}
	tok, _ := betterauth.NewSigner(v.Secret).Verify(v.get(t, "nocache", "better-auth.session_token"))
	if _, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok + "x"}}); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("unknown raw token: %v", err)
	}

	t.Setenv(auth.EnvDatabaseURL, "sqlite:"+filepath.Join(t.TempDir(), "missing.db"))
	if _, err := auth.FromEnv(); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("missing database: %v", err)
	}
	t.Setenv(auth.EnvDatabaseURL, "sqlite:"+path)
	t.Setenv(auth.EnvStoreCacheTTL, "soon")
	if _, err := auth.FromEnv(); !errors.Is(err, auth.ErrInvalidConfig) {
		t.Errorf("bad TTL: %v", err)
	}
}
