package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRecipeGoAuthServerAndAPIs is the recipe of examples/README.md ("A Go auth server and Go APIs"), run
// as its commands say: examples/server as the auth server, and two APIs built and started as separate
// programs. examples/gin gets only BETTER_AUTH_URL and checks the server's JWTs against its JWKS;
// examples/nethttp gets the same DATABASE_URL and BETTER_AUTH_SECRET and checks its session cookies. Each
// API answers 200 on /api/me for the signed-in user and 401 without credentials. The second row moves the
// endpoints under a path of BETTER_AUTH_URL and renames the cookies with a prefix.
func TestRecipeGoAuthServerAndAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two example programs")
	}
	bin := t.TempDir()
	for _, name := range []string{"gin", "nethttp"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), "../"+name).CombinedOutput()
		if err != nil {
			t.Fatalf("go build ../%s: %v\n%s", name, err, out)
		}
	}
	tests := []struct {
		name     string
		path     string // BETTER_AUTH_URL's path
		prefix   string // BETTER_AUTH_COOKIE_PREFIX
		authBase string // where the endpoints are
		cookie   string // the session cookie's name
	}{
		{name: "defaults", authBase: "/api/auth", cookie: "better-auth.session_token"},
		{name: "base path and cookie prefix", path: "/idp", prefix: "myapp", authBase: "/idp", cookie: "myapp.session_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			port := freePort(t)
			authURL := "http://localhost:" + port + tt.path
			secret := randomSecret(t)
			shared := map[string]string{
				"DATABASE_URL":       "sqlite:" + filepath.Join(dir, "auth.db"),
				"BETTER_AUTH_SECRET": secret,
			}
			// The auth server: PORT=… DATABASE_URL=… BETTER_AUTH_SECRET=… BETTER_AUTH_URL=… go run ./examples/server
			serverEnv := map[string]string{"PORT": port, "BETTER_AUTH_URL": authURL, "BETTER_AUTH_COOKIE_PREFIX": tt.prefix}
			for k, v := range shared {
				serverEnv[k] = v
			}
			startServer(t, serverEnv)

			// The pages call the endpoints where they are.
			page := get(t, "http://localhost:"+port+"/sign-in", nil)
			if page.status != 200 || !strings.Contains(page.body, `data-auth-base="`+tt.authBase+`"`) {
				t.Fatalf("GET /sign-in: %d, want 200 with data-auth-base=%q", page.status, tt.authBase)
			}

			cookie := signUpAt(t, "http://localhost:"+port, tt.authBase, tt.cookie)
			tok := get(t, "http://localhost:"+port+tt.authBase+"/token", map[string]string{"Cookie": cookie})
			var token struct{ Token string }
			if tok.status != 200 || json.Unmarshal([]byte(tok.body), &token) != nil || token.Token == "" {
				t.Fatalf("GET %s/token: %d %s", tt.authBase, tok.status, tok.body)
			}

			// By JWT: BETTER_AUTH_URL=… go run ./examples/gin (the prefix too when the server has one).
			ginURL := startAPI(t, filepath.Join(bin, "gin"), map[string]string{"BETTER_AUTH_URL": authURL})
			// By cookie: BETTER_AUTH_URL=… DATABASE_URL=… BETTER_AUTH_SECRET=… go run ./examples/nethttp
			cookieEnv := map[string]string{"BETTER_AUTH_URL": authURL, "BETTER_AUTH_COOKIE_PREFIX": tt.prefix}
			for k, v := range shared {
				cookieEnv[k] = v
			}
			httpURL := startAPI(t, filepath.Join(bin, "nethttp"), cookieEnv)

			for _, c := range []struct {
				name   string
				url    string
				header map[string]string
				want   int
			}{
				{"gin with the JWT", ginURL, map[string]string{"Authorization": "Bearer " + token.Token}, 200},
				{"gin without credentials", ginURL, nil, 401},
				{"nethttp with the session cookie", httpURL, map[string]string{"Cookie": cookie}, 200},
				{"nethttp without credentials", httpURL, nil, 401},
			} {
				res := get(t, c.url+"/api/me", c.header)
				if res.status != c.want {
					t.Errorf("%s: GET /api/me: %d %s, want %d", c.name, res.status, res.body, c.want)
				}
				if c.want == 200 && !strings.Contains(res.body, `"email":"recipe@example.com"`) {
					t.Errorf("%s: GET /api/me: %s, want the signed-in user", c.name, res.body)
				}
			}
		})
	}
}

// startServer runs examples/server's run with env until the test ends, and waits for its start line.
func startServer(t *testing.T, env map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	if _, err := bufio.NewReader(outR).ReadString('\n'); err != nil {
		cancel()
		t.Fatalf("the server did not start: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
}

// startAPI runs an example API binary with env (and nothing else of the test's environment that configures
// it) on a free port until the test ends, and returns its URL once /healthz answers.
func startAPI(t *testing.T, bin string, env map[string]string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "BETTER_AUTH_") && k != "DATABASE_URL" && k != "REDIS_URL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PORT="+port, "ADDR=127.0.0.1", "GIN_MODE=release")
	for k, v := range env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	base := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := client.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return base
		}
	}
	t.Fatalf("%s did not answer on %s:\n%s", filepath.Base(bin), base, logs.String())
	return ""
}

// signUpAt creates recipe@example.com through the server's endpoint at authBase and returns its session
// cookie ("name=value").
func signUpAt(t *testing.T, origin, authBase, cookieName string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", origin+authBase+"/sign-up/email",
		strings.NewReader(`{"name":"Recipe","email":"recipe@example.com","password":"correct-horse-battery"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == cookieName {
			return c.Name + "=" + c.Value
		}
	}
	body, _ := io.ReadAll(res.Body)
	t.Fatalf("sign-up: %d %s, no %s cookie", res.StatusCode, body, cookieName)
	return ""
}

type answer struct {
	status int
	body   string
}

func get(t *testing.T, url string, header map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b)}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
