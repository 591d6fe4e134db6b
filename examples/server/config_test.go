package main

import (
	"context"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// strongSecret passes `gobetterauth secret check`.
const strongSecret = "5f0c2a8e4b7d19c3a6e0f2b8d4c7a1e9b3f6d0c2a8e4b7d19c3a6e0f2b8d4c7a"

// TestMisconfiguration starts the server as `go run ./examples/server` would, in an empty working
// directory, with one bad variable per row: the start fails with a message that names the variable, says
// what is wrong without repeating a secret, and says what to do; and the working directory is still empty.
func TestMisconfiguration(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).AddrPort().Port()
	tests := []struct {
		name  string
		env   map[string]string
		wants []string // each must be in the error
		never string   // must not be in the error (a secret)
	}{
		{name: "PORT malformed", env: map[string]string{"PORT": "http"},
			wants: []string{`PORT "http" is not a port number`, "set PORT to one from 1 to 65535"}},
		{name: "PORT in use", env: map[string]string{"PORT": strconv.Itoa(int(busyPort))},
			wants: []string{"PORT " + strconv.Itoa(int(busyPort)) + " is in use", "address already in use", "set PORT to another port"}},
		{name: "BETTER_AUTH_URL without a scheme", env: map[string]string{"BETTER_AUTH_URL": "localhost:38800"},
			wants: []string{`BETTER_AUTH_URL "localhost:38800" is not an absolute http(s) URL`, "BETTER_AUTH_URL=http://localhost:3000"}},
		{name: "BETTER_AUTH_URL with another scheme", env: map[string]string{"BETTER_AUTH_URL": "ftp://auth.example.com"},
			wants: []string{`BETTER_AUTH_URL "ftp://auth.example.com" is not an absolute http(s) URL`}},
		{name: "BETTER_AUTH_URL path and base path disagree", env: map[string]string{"BETTER_AUTH_URL": "http://localhost:3000/idp", "BETTER_AUTH_BASE_PATH": "/auth"},
			wants: []string{`BETTER_AUTH_URL has the path "/idp"`, "BETTER_AUTH_URL=http://localhost:3000"}},
		{name: "BETTER_AUTH_BASE_PATH malformed", env: map[string]string{"BETTER_AUTH_BASE_PATH": "api/auth"},
			wants: []string{`BETTER_AUTH_BASE_PATH "api/auth" must start with /`}},
		{name: "BETTER_AUTH_COOKIE_PREFIX malformed", env: map[string]string{"BETTER_AUTH_COOKIE_PREFIX": "my app"},
			wants: []string{"BETTER_AUTH_COOKIE_PREFIX: ", "advanced.cookiePrefix"}},
		{name: "BETTER_AUTH_SECRET too short", env: map[string]string{"BETTER_AUTH_SECRET": "hunter2"},
			wants: []string{"BETTER_AUTH_SECRET is 7 bytes; at least 32 are required", "gobetterauth secret generate", "unset it for development mode"}, never: "hunter2"},
		{name: "BETTER_AUTH_SECRET too weak", env: map[string]string{"BETTER_AUTH_SECRET": strings.Repeat("a", 44)},
			wants: []string{"BETTER_AUTH_SECRET has about 0 bits of entropy; at least 120 are needed", "gobetterauth secret generate"}, never: strings.Repeat("a", 44)},
		{name: "BETTER_AUTH_SECRET Better Auth's default", env: map[string]string{"BETTER_AUTH_SECRET": "better-auth-secret-12345678901234567890"},
			wants: []string{"BETTER_AUTH_SECRET is Better Auth's built-in default secret"}, never: "better-auth-secret-1234"},
		{name: "DATABASE_URL malformed", env: map[string]string{"DATABASE_URL": "mongodb://db/app"},
			wants: []string{"DATABASE_URL=mongodb://db/app", `unknown scheme "mongodb"`, "write it as sqlite:PATH, postgres://"}},
		{name: "DATABASE_URL unreachable", env: map[string]string{"DATABASE_URL": "postgres://app:s3cret-pw@127.0.0.1:1/app"},
			wants: []string{"DATABASE_URL=postgres://app:xxxxx@127.0.0.1:1/app", "check that the database is running"}, never: "s3cret-pw"},
		{name: "DATABASE_URL in a missing folder", env: map[string]string{"DATABASE_URL": "sqlite:no/such/folder/app.db"},
			wants: []string{"DATABASE_URL=sqlite:no/such/folder/app.db", "check that the file exists"}},
		{name: "REDIS_URL malformed", env: map[string]string{"REDIS_URL": "http://:s3cret-pw@cache:6379"},
			wants: []string{"REDIS_URL=http://:xxxxx@cache:6379", `scheme "http"`, "write it as redis://", "unset it to keep sessions in the database"}, never: "s3cret-pw"},
		{name: "REDIS_URL unreachable", env: map[string]string{"REDIS_URL": "redis://:s3cret-pw@127.0.0.1:1/0"},
			wants: []string{"REDIS_URL=redis://:xxxxx@127.0.0.1:1/0", "check that Redis is running"}, never: "s3cret-pw"},
		{name: "STORE_SESSION_IN_DATABASE without REDIS_URL", env: map[string]string{"STORE_SESSION_IN_DATABASE": "1"},
			wants: []string{"STORE_SESSION_IN_DATABASE needs REDIS_URL", "set REDIS_URL"}},
		{name: "STORE_SESSION_IN_DATABASE malformed", env: map[string]string{"REDIS_URL": "redis://127.0.0.1:1", "STORE_SESSION_IN_DATABASE": "yes"},
			wants: []string{`STORE_SESSION_IN_DATABASE "yes" is not 1 or 0`}},
		{name: "LOG_LEVEL malformed", env: map[string]string{"LOG_LEVEL": "loud"},
			wants: []string{`LOG_LEVEL "loud" is not a level`, "debug, info, warn or error"}},
		{name: "TRUSTED_PROXIES malformed", env: map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"},
			wants: []string{`TRUSTED_PROXIES: "10.0.0.0/33"`, "TRUSTED_PROXIES=10.0.0.0/8"}},
		{name: "BETTER_AUTH_JWT_EXPIRES_IN malformed", env: map[string]string{"BETTER_AUTH_JWT_EXPIRES_IN": "15"},
			wants: []string{`BETTER_AUTH_JWT_EXPIRES_IN "15" is not a positive duration`, "such as 15m or 30s"}},
		{name: "OIDC_ISSUER missing", env: map[string]string{"OIDC_CLIENT_ID": "app"},
			wants: []string{"need OIDC_ISSUER", "set it to the provider's issuer URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			env := map[string]string{"PORT": "0"}
			for k, v := range tt.env {
				env[k] = v
			}
			err := run(context.Background(), func(k string) string { return env[k] }, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("the server started")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			if tt.never != "" && strings.Contains(err.Error(), tt.never) {
				t.Errorf("error %q repeats the secret", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("the failed start left %v in the working directory", ents)
			}
		})
	}
}
