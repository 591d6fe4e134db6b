package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
)

// sessionDB creates Better Auth's SQLite schema with one user and one session expiring at exp, and returns
// the database path and the session's signed cookie value.
func sessionDB(t *testing.T, exp time.Time) (string, string) {
	t.Helper()
	db, path := testdb.SQLite(t)
	now := testdb.ISO(time.Now())
	token := betterauth.NewSessionToken()
	if _, err := db.Exec(`insert into "user" ("id","name","email","emailVerified","image","createdAt","updatedAt","role") values ('u1','Ada','ada@example.com',1,null,?,?,'admin')`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`insert into "session" ("id","expiresAt","token","createdAt","updatedAt","ipAddress","userAgent","userId") values ('s1',?,?,?,?,'','cli','u1')`, testdb.ISO(exp), token, now, now); err != nil {
		t.Fatal(err)
	}
	return path, betterauth.NewSigner(secret).Sign(token)
}

func TestVerifySession(t *testing.T) {
	live, cookie := sessionDB(t, time.Now().Add(time.Hour))
	expired, oldCookie := sessionDB(t, time.Now().Add(-time.Minute))
	env := func(name string) string {
		if name == "SECRET" {
			return secret
		}
		return ""
	}
	tests := []struct {
		name           string
		args           []string
		stdin          string
		code           int
		stdout, stderr string
	}{
		{"valid", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "theme=x; better-auth.session_token=" + cookie}, "", 0, `"email": "ada@example.com"`, ""},
		{"stdin with Cookie: prefix", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "-"}, "Cookie: better-auth.session_token=" + cookie + "\n", 0, `"role": "admin"`, ""},
		{"secure name", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "--secure", "__Secure-better-auth.session_token=" + cookie}, "", 0, `"credential": "cookie"`, ""},
		{"plain name in secure mode", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "--secure", "better-auth.session_token=" + cookie}, "", 1, "", "no credentials"},
		{"prefix", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "--cookie-prefix", "myapp", "myapp.session_token=" + cookie}, "", 0, `"id": "u1"`, ""},
		{"expired", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + expired, "better-auth.session_token=" + oldCookie}, "", 1, "", "expired"},
		{"bad signature", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "better-auth.session_token=" + "A" + cookie[1:]}, "", 1, "", "signature"},
		{"missing database", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live + ".nope", "better-auth.session_token=" + cookie}, "", 3, "", "opening the store"},
		{"no secret", []string{"verify-session", "--secret-env", "NOPE", "--database-url", "sqlite:" + live, "x=y"}, "", 2, "", "NOPE (from --secret-env) is empty"},
		{"no dsn", []string{"verify-session", "--secret-env", "SECRET", "x=y"}, "", 2, "", "--database-url"},
		{"bad strategy", []string{"verify-session", "--secret-env", "SECRET", "--database-url", "sqlite:" + live, "--cookie-cache", "zip", "x=y"}, "", 2, "", "Strategy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &out, &errOut, env)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			if code == 0 && (!json.Valid(out.Bytes()) || strings.Contains(out.String(), cookie[:20])) {
				t.Errorf("stdout: %s", out.String())
			}
		})
	}
}
