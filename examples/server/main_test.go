package main

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

func TestSettingsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    settings
		wantErr string
	}{
		{"zero configuration", nil, settings{listen: "127.0.0.1", port: "3000",
			databaseURL: devDatabaseURL, secretFile: devSecretFile}, ""},
		{"everything", map[string]string{"LISTEN": "0.0.0.0", "PORT": "8080", "BETTER_AUTH_URL": "https://auth.example.com/",
			"DATABASE_URL": "postgres://u:p@db/app", "BETTER_AUTH_SECRET": strongSecret, "GOBETTERAUTH_DEV_SECRET_FILE": "/tmp/s",
			"BETTER_AUTH_TRUSTED_ORIGINS": "https://a.example.com, https://*.b.example.com", "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"},
			settings{listen: "0.0.0.0", port: "8080", baseURL: "https://auth.example.com", databaseURL: "postgres://u:p@db/app",
				secret: strongSecret, secretFile: "/tmp/s", trustedOrigins: []string{"https://a.example.com", "https://*.b.example.com"},
				trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}}, ""},
		{"OpenID Connect provider", map[string]string{"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "app",
			"OIDC_CLIENT_SECRET": "shh"}, settings{listen: "127.0.0.1", port: "3000", databaseURL: devDatabaseURL,
			secretFile: devSecretFile, social: &socialSettings{issuer: "https://id.example.com", clientID: "app",
				clientSecret: "shh", id: "oidc", name: "OpenID Connect"}}, ""},
		{"OpenID Connect provider named", map[string]string{"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "app",
			"OIDC_PROVIDER_ID": "keycloak", "OIDC_PROVIDER_NAME": "Keycloak"}, settings{listen: "127.0.0.1", port: "3000",
			databaseURL: devDatabaseURL, secretFile: devSecretFile,
			social: &socialSettings{issuer: "https://id.example.com", clientID: "app", id: "keycloak", name: "Keycloak"}}, ""},
		{"OIDC client without issuer", map[string]string{"OIDC_CLIENT_ID": "app"}, settings{}, "need OIDC_ISSUER"},
		{"OIDC issuer without client", map[string]string{"OIDC_ISSUER": "https://id.example.com"}, settings{}, "needs OIDC_CLIENT_ID"},
		{"bad port", map[string]string{"PORT": "http"}, settings{}, `PORT "http"`},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, settings{}, "TRUSTED_PROXIES"},
		{"durations", map[string]string{"READY_TIMEOUT": "1s", "SHUTDOWN_DELAY": "5s", "SHUTDOWN_TIMEOUT": "30s", "JWKS_ROTATION_INTERVAL": "24h"},
			settings{listen: "127.0.0.1", port: "3000", databaseURL: devDatabaseURL, secretFile: devSecretFile,
				readyTimeout: time.Second, shutdownDelay: 5 * time.Second, shutdownWait: 30 * time.Second, jwksRotation: 24 * time.Hour}, ""},
		{"Redis", map[string]string{"REDIS_URL": " rediss://:pw@cache:6380/2?key_prefix=app: ", "STORE_SESSION_IN_DATABASE": "1"},
			settings{listen: "127.0.0.1", port: "3000", databaseURL: devDatabaseURL, secretFile: devSecretFile,
				redisURL: "rediss://:pw@cache:6380/2?key_prefix=app:", storeInDB: true}, ""},
		{"bad duration", map[string]string{"SHUTDOWN_DELAY": "soon"}, settings{}, `SHUTDOWN_DELAY "soon"`},
		{"negative duration", map[string]string{"READY_TIMEOUT": "-1s"}, settings{}, `READY_TIMEOUT "-1s"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := settingsFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestServer drives the server as the HTML app does, through real HTTP on 127.0.0.1 with a cookie jar and
// the browser's Origin header: pages, sign-up, the dashboard's calls, the protected API, sign-out, sign-in.
func TestServer(t *testing.T) {
	dir := t.TempDir()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	s := settings{baseURL: base, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
	tel, err := newTelemetry(context.Background(), func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err) // zero configuration: telemetry never fails to start
	}
	if tel.traces {
		t.Error("OTLP trace export on with no OTEL_* variable set")
	}
	a, db, err := newAuth(context.Background(), s, 0, slog.New(slog.DiscardHandler), tel.observer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	ts.Config.Handler = newHandler(a, s.socialButtons(), tel.metrics)
	ts.Start()
	defer ts.Close()

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	browser := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	anon := &http.Client{CheckRedirect: noRedirect}
	otherJar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Client{Jar: otherJar, CheckRedirect: noRedirect} // a second browser

	const signUp = `{"name":"Ada Lovelace","email":"ada@example.com","password":"correct-horse-battery"}`
	tests := []struct {
		name                 string
		client               *http.Client
		method, path, body   string
		origin               string // "" means the server's own
		status               int
		contains             string // in the body
		header, headerPrefix string // a response header and the start of its value
	}{
		{"home page", anon, "GET", "/", "", "", 200, `<script src="/static/app.js"`, "Content-Security-Policy", "default-src 'self'"},
		{"sign-up page", anon, "GET", "/sign-up", "", "", 200, `<form id="sign-up"`, "Content-Type", "text/html"},
		{"sign-in page", anon, "GET", "/sign-in", "", "", 200, `<form id="sign-in"`, "", ""},
		{"script", anon, "GET", "/static/app.js", "", "", 200, `"/sign-up/email"`, "Content-Type", "text/javascript"},
		{"stylesheet", anon, "GET", "/static/style.css", "", "", 200, "main {", "Content-Type", "text/css"},
		{"dashboard, not signed in", browser, "GET", "/dashboard", "", "", 303, "", "Location", "/sign-in?callbackUrl=/dashboard"},
		{"me, not signed in", browser, "GET", "/api/me", "", "", 401, `"UNAUTHORIZED"`, "", ""},
		{"auth ok", anon, "GET", "/api/auth/ok", "", "", 200, `{"ok":true}`, "", ""},
		{"sign-up from another site", browser, "POST", "/api/auth/sign-up/email", signUp, "https://evil.example", 403, `"INVALID_ORIGIN"`, "", ""},
		{"sign-up", browser, "POST", "/api/auth/sign-up/email", signUp, "", 200, `"email":"ada@example.com"`, "Set-Cookie", "better-auth.session_token="},
		{"sign-up again", anon, "POST", "/api/auth/sign-up/email", signUp, "", 422, `"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"`, "", ""},
		{"dashboard page", browser, "GET", "/dashboard", "", "", 200, `<tbody id="sessions">`, "", ""},
		{"get-session", browser, "GET", "/api/auth/get-session", "", "", 200, `"name":"Ada Lovelace"`, "", ""},
		{"list-sessions", browser, "GET", "/api/auth/list-sessions", "", "", 200, `"ipAddress":"127.0.0.1"`, "", ""},
		{"me", browser, "GET", "/api/me", "", "", 200, `"email":"ada@example.com"`, "", ""},
		{"QR code of a TOTP URI", browser, "POST", "/api/qr", `{"text":"otpauth://totp/demo:ada%40example.com?secret=ABCD"}`, "", 200,
			`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `, "Content-Type", "image/svg+xml"},
		{"QR code, not signed in", anon, "POST", "/api/qr", `{"text":"otpauth://totp/demo:x?secret=ABCD"}`, "", 401, `"UNAUTHORIZED"`, "", ""},
		{"QR code, not an otpauth URI", browser, "POST", "/api/qr", `{"text":"https://example.com"}`, "", 400, `"INVALID_QR_TEXT"`, "", ""},
		{"QR code, too long", browser, "POST", "/api/qr", `{"text":"otpauth://` + strings.Repeat("a", maxQRText) + `"}`, "", 400, `"INVALID_QR_TEXT"`, "", ""},
		{"two-factor on, wrong password", browser, "POST", "/api/auth/two-factor/enable", `{"password":"not-the-password"}`, "", 400, `"INVALID_PASSWORD"`, "", ""},
		{"magic link (development mailer)", anon, "POST", "/api/auth/sign-in/magic-link", `{"email":"new@example.com"}`, "", 200, `{"status":true}`, "", ""},
		{"change-email (development mailer)", browser, "POST", "/api/auth/change-email", `{"newEmail":"ada.lovelace@example.com"}`, "", 200, `{"status":true}`, "", ""},
		{"delete-user, wrong password", browser, "POST", "/api/auth/delete-user", `{"password":"not-the-password"}`, "", 400, `"INVALID_PASSWORD"`, "", ""},
		{"admin: the first user is one (development mode)", browser, "GET", "/api/admin", "", "", 200, `hello, admin Ada Lovelace`, "", ""},
		{"public", anon, "GET", "/api/public", "", "", 200, "hello, anyone", "", ""},
		{"sign-out from another site", browser, "POST", "/api/auth/sign-out", "{}", "https://evil.example", 403, `"INVALID_ORIGIN"`, "", ""},
		{"sign-out", browser, "POST", "/api/auth/sign-out", "{}", "", 200, `{"success":true}`, "", ""},
		{"me after sign-out", browser, "GET", "/api/me", "", "", 401, `"UNAUTHORIZED"`, "", ""},
		{"get-session after sign-out", browser, "GET", "/api/auth/get-session", "", "", 200, "null", "", ""},
		{"sign-in, wrong password", browser, "POST", "/api/auth/sign-in/email", `{"email":"ada@example.com","password":"wrong-password"}`, "", 401, `"INVALID_EMAIL_OR_PASSWORD"`, "", ""},
		{"sign-in", browser, "POST", "/api/auth/sign-in/email", `{"email":"ada@example.com","password":"correct-horse-battery"}`, "", 200, `"redirect":false`, "", ""},
		{"me after sign-in", browser, "GET", "/api/me", "", "", 200, `"name":"Ada Lovelace"`, "", ""},
		{"sign-in on another browser", other, "POST", "/api/auth/sign-in/email", `{"email":"ada@example.com","password":"correct-horse-battery"}`, "", 200, `"token":`, "", ""},
		{"two sessions", browser, "GET", "/api/auth/list-sessions", "", "", 200, `},{`, "", ""},
		{"sign out everywhere else", browser, "POST", "/api/auth/revoke-other-sessions", "{}", "", 200, `{"status":true}`, "", ""},
		{"other browser signed out", other, "GET", "/api/me", "", "", 401, `"INVALID_TOKEN"`, "", ""},
		{"this browser still signed in", browser, "GET", "/api/me", "", "", 200, `"name":"Ada Lovelace"`, "", ""},
		{"unknown page", anon, "GET", "/nope", "", "", 404, "", "", ""},
		{"healthz", anon, "GET", "/healthz", "", "", 200, "ok", "", ""},
		{"metrics: sign-ins", anon, "GET", "/metrics", "", "", 200,
			`gobetterauth_server_auth_attempt_count_total{gobetterauth_flow="sign-in",gobetterauth_method="email",gobetterauth_outcome="failure",gobetterauth_provider="",gobetterauth_reason="INVALID_EMAIL_OR_PASSWORD"`, "", ""},
		{"metrics: verifications", anon, "GET", "/metrics", "", "", 200, `gobetterauth_verify_count_total{gobetterauth_credential="cookie",gobetterauth_outcome="allow"`, "", ""},
		{"metrics: endpoints", anon, "GET", "/metrics", "", "", 200, `gobetterauth_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",http_route="/sign-up/email"`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.method == "POST" { // as a browser's fetch does
				req.Header.Set("Origin", cmpOr(tt.origin, base))
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := tt.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d (body %s)", res.StatusCode, tt.status, body)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("body %.300s, want it to contain %s", body, tt.contains)
			}
			if tt.header != "" && !strings.HasPrefix(res.Header.Get(tt.header), tt.headerPrefix) {
				t.Errorf("%s: %q, want it to start with %q", tt.header, res.Header.Get(tt.header), tt.headerPrefix)
			}
		})
	}
}

// TestSignInPage checks the sign-in page's social buttons: none without a provider (zero configuration),
// one per provider otherwise, with the label escaped.
func TestSignInPage(t *testing.T) {
	tests := []struct {
		name        string
		social      []socialButton
		want, avoid []string
		magicLink   bool
	}{
		{"no provider", nil, []string{`<form id="sign-in"`, `<form id="two-factor"`}, []string{`id="social"`, "data-provider", `id="magic-link"`}, false},
		{"magic link", nil, []string{`<button type="button" id="magic-link"`, `<section id="magic-link-sent"`}, nil, true},
		{"one provider", []socialButton{{ID: "oidc", Name: "Test OP"}},
			[]string{`<form id="sign-in"`, `<section id="social"`, `<button type="button" data-provider="oidc">Sign in with Test OP</button>`}, nil, false},
		{"label escaped", []socialButton{{ID: "x", Name: `<b>"A&B"</b>`}},
			[]string{`Sign in with &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;</button>`}, []string{"<b>"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			page("web/sign-in.html", http.StatusOK, pageData{Social: tt.social, MagicLink: tt.magicLink}).ServeHTTP(rec, httptest.NewRequest("GET", "/sign-in", nil))
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %s:\n%s", w, body)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(body, a) {
					t.Errorf("page has %s:\n%s", a, body)
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestRun starts the program as `go run ./examples/server` would with no configuration (in an empty working
// directory, on a free port), checks that it prints its URL, answers and wrote its development files, and
// that it shuts down when its context ends.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"PORT": "0"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
		done <- err
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	// gobetterauth server: http://localhost:PORT (listening on 127.0.0.1:PORT, database …, DEVELOPMENT mode …)
	if !strings.HasPrefix(line, "gobetterauth server: http://localhost:") || !strings.Contains(line, "DEVELOPMENT") {
		t.Fatalf("start line %q", line)
	}
	addr := line[strings.Index(line, "listening on ")+len("listening on "):]
	addr = addr[:strings.IndexByte(addr, ',')]

	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + addr + "/api/auth/ok")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != `{"ok":true}` {
		t.Fatalf("GET /api/auth/ok: %d %s", res.StatusCode, body)
	}
	// A zero-configuration browser may use 127.0.0.1 as well as localhost: both origins are trusted.
	for _, origin := range []string{"http://" + addr, strings.Fields(line)[2]} {
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/auth/sign-in/email",
			strings.NewReader(`{"email":"nobody@example.com","password":"whatever-password"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Errorf("sign-in with Origin %s: %d, want 401 (origin trusted, user unknown)", origin, res.StatusCode)
		}
	}

	for _, f := range []struct {
		name string
		mode fs.FileMode
	}{{".gobetterauth/dev.db", 0}, {".gobetterauth/dev-secret", 0o600}, {".gobetterauth", 0o700}, {".gobetterauth/.gitignore", 0}} {
		fi, err := os.Stat(filepath.Join(dir, f.name))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if f.mode != 0 && fi.Mode().Perm() != f.mode {
			t.Errorf("%s: mode %v, want %v", f.name, fi.Mode().Perm(), f.mode)
		}
	}

	// Nothing loose in the working directory: everything is under the git-ignored folder.
	if ents, _ := os.ReadDir(dir); len(ents) != 1 || ents[0].Name() != ".gobetterauth" {
		t.Errorf("working directory holds %v, want only .gobetterauth", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".gobetterauth", ".gitignore")); !strings.Contains(string(b), "\n*\n") {
		t.Errorf(".gobetterauth/.gitignore is %q, want one ignoring everything", b)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

// TestTelemetryFromEnv checks when the OTEL_* variables turn OTLP trace export on, and that spans reach
// the configured endpoint (a fake OTLP/HTTP collector) when they do.
func TestTelemetryFromEnv(t *testing.T) {
	var mu sync.Mutex
	var got []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+string(b))
		mu.Unlock()
	}))
	defer collector.Close()
	tests := []struct {
		name    string
		env     map[string]string
		traces  bool
		wantErr string
	}{
		{name: "unset", env: nil},
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}, traces: true},
		{name: "traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.URL + "/v1/traces"}, traces: true},
		{name: "exporter none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_TRACES_EXPORTER": "none"}},
		{name: "SDK disabled", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_SDK_DISABLED": "true"}},
		{name: "grpc refused", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, wantErr: "http/protobuf"},
		{name: "unknown exporter", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: "otlp or none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env { // otlptracehttp reads the process environment itself
				t.Setenv(k, v)
			}
			mu.Lock()
			got = nil
			mu.Unlock()
			tel, err := newTelemetry(context.Background(), func(k string) string { return tt.env[k] }, slog.New(slog.DiscardHandler))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tel.traces != tt.traces {
				t.Fatalf("traces %v, want %v", tel.traces, tt.traces)
			}
			done := tel.observer.StartEndpoint
			_, end := done(context.Background(), authserver.Operation{Method: "GET", Route: "/ok", ID: "ok"})
			end(200, "")
			if err := tel.shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			exported := len(got) == 1 && strings.HasPrefix(got[0], "/v1/traces ") && strings.Contains(got[0], "GET /ok")
			if exported != tt.traces {
				t.Errorf("exported %v, want %v: %q", exported, tt.traces, got)
			}
		})
	}
}

// TestPluginsByMode checks which plugins each mode has: two-factor in both; magic links only in
// development mode, whose mailer writes the links to the log (production mode has no mailer, so no
// endpoint and no "Email me a sign-in link" button).
func TestPluginsByMode(t *testing.T) {
	tests := []struct {
		name      string
		secret    string
		magicLink int // the status of POST /api/auth/sign-in/magic-link
	}{
		{"development", "", 200},
		{"production", strongSecret, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ts := httptest.NewUnstartedServer(nil)
			base := "http://" + ts.Listener.Addr().String()
			s := settings{baseURL: base, secret: tt.secret, databaseURL: "sqlite:" + filepath.Join(dir, "auth.db"), secretFile: filepath.Join(dir, "secret")}
			a, db, err := newAuth(context.Background(), s, 0, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(); db.Close() })
			ts.Config.Handler = newHandler(a, nil, nil)
			ts.Start()
			defer ts.Close()
			for _, c := range []struct {
				path, body string
				want       int
			}{
				{"/api/auth/sign-in/magic-link", `{"email":"a@example.com"}`, tt.magicLink},
				{"/api/auth/two-factor/enable", `{"password":"whatever-password"}`, 401}, // there, but not signed in
			} {
				req, _ := http.NewRequest("POST", base+c.path, strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", base)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != c.want {
					t.Errorf("POST %s: %d, want %d", c.path, res.StatusCode, c.want)
				}
			}
			res, err := http.Get(base + "/sign-in")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if got := strings.Contains(string(body), `id="magic-link"`); got != (tt.magicLink == 200) {
				t.Errorf("sign-in page offers the magic link: %v, want %v", got, tt.magicLink == 200)
			}
		})
	}
}
