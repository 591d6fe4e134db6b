package exampletest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
	"github.com/gobetterauth/gobetterauth/examples/internal/plugins"
)

const secret = "example-e2e-secret-0123456789abcdefghijklmn"

// RunBetterAuth starts the real Better Auth server from the repository's interop/ directory on a fresh
// SQLite file, signs a user up through it, and checks the example's protected routes with what that server
// handed out: its JWT (from /api/auth/token) and its session cookie (read from the same SQLite file). Without
// Node or interop/node_modules the test is skipped, unless CI=true, where it fails.
func RunBetterAuth(t *testing.T, newHandler func(t *testing.T, a *auth.Auth) http.Handler) {
	dir := interopDir(t)
	db := filepath.Join(t.TempDir(), "auth.db")
	base := startNode(t, dir, db)

	cookie, email := signUp(t, base)
	token := getToken(t, base, cookie)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Writable, as examples/nethttp opens DATABASE_URL: API keys count their uses in the apikey table.
	st, closer, err := storeurl.OpenWith(ctx, "sqlite:"+db, &storeurl.Options{Writable: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.Config{BaseURL: base, Secret: secret, Store: st, Closer: closer}
	plugins.Configure(&cfg)
	a, err := auth.New(cfg)
	if err != nil {
		closer.Close()
		t.Fatal(err)
	}
	defer a.Close()
	// A second handle on Node's database, for what only the database sets (the first admin's role).
	sdb, _, err := storeurl.OpenDB(ctx, "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	h := newHandler(t, a)
	defer runAdminRoutes(t, base, h, sdb)
	defer runPluginRoutes(t, base, h, cookie)
	for _, tt := range []struct {
		name, target, authz, cookie string
		status                      int
		contains                    string
	}{
		{"me with the JWT", "/api/me", "Bearer " + token, "", 200, `"credential":"jwt"`},
		{"me with the session cookie", "/api/me", "", cookie, 200, `"credential":"cookie"`},
		{"me with the signed session token", "/api/me", "Bearer " + strings.TrimPrefix(cookie, "better-auth.session_token="), "", 200, `"credential":"session-token"`},
		// Raw tokens only with AcceptRawSessionTokens (issue 12 item 4), though this server's bearer plugin takes them.
		{"me with the raw session token", "/api/me", "Bearer " + strings.SplitN(strings.TrimPrefix(cookie, "better-auth.session_token="), ".", 2)[0], "", 401, `"INVALID_TOKEN"`},
		{"me without credentials", "/api/me", "", "", 401, `"UNAUTHORIZED"`},
		{"me with a forged cookie", "/api/me", "", cookie[:len(cookie)-6] + "AAAA%3D", 401, `"INVALID_TOKEN"`},
		{"admin with the cookie", "/api/admin", "", cookie, 403, `"FORBIDDEN"`},
		{"dashboard with the cookie", "/dashboard", "", cookie, 200, "Example User"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			if tt.cookie != "" {
				req.Header.Set("Cookie", tt.cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, tt.contains) {
				t.Fatalf("status %d, body %s; want %d with %s", rec.Code, body, tt.status, tt.contains)
			}
			if tt.status == 200 && tt.target == "/api/me" && !strings.Contains(body, email) {
				t.Errorf("body %s is not about %s", body, email)
			}
		})
	}
}

// interopDir finds interop/ with its node_modules, or skips (fails under CI=true).
func interopDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "../../../interop")
	var why string
	if _, err := exec.LookPath("node"); err != nil {
		why = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "better-auth")); err != nil {
		why = "interop/node_modules is missing: run `make interop-deps`"
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real Better Auth server: %s (CI=true: a failure, not a skip)", why)
		}
		t.Skipf("real Better Auth server: %s", why)
	}
	return dir
}

// startNode runs interop/server.mjs on a free port and returns its base URL. Closing stdin stops it.
func startNode(t *testing.T, dir, db string) string {
	t.Helper()
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", "DB_FILE="+db, "BETTER_AUTH_SECRET="+secret,
		"PLUGINS=admin,organization,apiKey", "INSECURE_FAST_PASSWORD_HASH=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- u
			}
		}
		close(ready)
	}()
	select {
	case u, ok := <-ready:
		if !ok {
			t.Fatalf("Better Auth server exited: %s", stderr.String())
		}
		return u
	case <-time.After(20 * time.Second):
		t.Fatalf("Better Auth server not ready after 20 s: %s", stderr.String())
	}
	return ""
}

// signUp creates a user through Better Auth's own endpoint and returns its session cookie ("name=value").
func signUp(t *testing.T, base string) (cookie, email string) {
	t.Helper()
	email = fmt.Sprintf("example-%d@example.com", time.Now().UnixNano())
	body, _ := json.Marshal(map[string]string{"email": email, "password": "correct-horse-battery", "name": "Example User"})
	resp, err := http.Post(base+"/api/auth/sign-up/email", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, b)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "better-auth.session_token" {
			return c.Name + "=" + c.Value, email
		}
	}
	t.Fatalf("sign-up set no session cookie: %v", resp.Header["Set-Cookie"])
	return "", ""
}

// getToken asks Better Auth's JWT plugin for the signed-in user's JWT.
func getToken(t *testing.T, base, cookie string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/auth/token", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("GET /token: %d %v", resp.StatusCode, err)
	}
	return out.Token
}
