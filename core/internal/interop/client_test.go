package interop_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// TestClientConformance runs the client conformance scenario against real Better Auth servers: the
// default one, one with a cookie cache and another base path, and one whose https base URL makes every
// cookie __Secure- (it still listens on plain http; the client's jar ignores Secure).
func TestClientConformance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{name: "default"},
		// The variants are about cookies, not passwords: a fast hash saves the CPU of a dozen scrypt runs.
		{name: "jwe cookie cache, base path /auth", env: map[string]string{"COOKIE_CACHE": "jwe", "BASE_PATH": "/auth",
			"INSECURE_FAST_PASSWORD_HASH": "1"}},
		{name: "https base URL, cookie prefix", env: map[string]string{"BASE_URL": "https://127.0.0.1:{port}", "COOKIE_PREFIX": "myapp",
			"INSECURE_FAST_PASSWORD_HASH": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := interop.NewServer(t, tt.env)
			interop.ClientConformance(t, s.URL, strings.TrimPrefix(s.AuthBase, s.URL), originOf(t, s.BaseURL))
		})
	}
}

// TestClientConformanceGoServer runs the same scenario against gobetterauth's own server (core/auth in
// server mode, on SQLite): Better Auth's client cannot tell the two apart. The scenario signs in three
// times in one jar and then lists and revokes the earlier sessions, which Better Auth keeps; Go ends them
// by default (issue 12 item 9), so this server keeps them as Better Auth does (Session.KeepSessionOnSignIn).
func TestClientConformanceGoServer(t *testing.T) {
	t.Parallel()
	interop.Require(t)
	g := startGoServer(t, "sqlite:"+filepath.Join(t.TempDir(), "conformance.db"), interop.DefaultSecret, func(c *authserver.Config) {
		c.Session.KeepSessionOnSignIn = true
	})
	interop.ClientConformance(t, g.URL, "/api/auth", g.URL)
}

func originOf(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Scheme + "://" + p.Host
}

// TestRunClient: the results RunClient reports for Better Auth's client against the real server.
func TestRunClient(t *testing.T) {
	t.Parallel()
	s := interop.NewServer(t, nil)
	email := "run-client-" + time.Now().Format("150405.000000000") + "@example.com"
	const pw, pw2 = "run-client-password", "run-client-password-2"
	type step = interop.ClientStep
	rs := interop.RunClient(t, s.URL, "/api/auth", s.URL,
		step{Op: "signUp.email", Args: map[string]any{"name": "Run Client", "email": email, "password": pw}}, // 0
		step{Op: "signIn.email", Args: map[string]any{"email": email, "password": "wrong-" + pw}},            // 1
		step{Op: "signIn.email", Args: map[string]any{"email": email, "password": pw}},                       // 2
		step{Op: "getSession"},   // 3
		step{Op: "token"},        // 4
		step{Op: "listSessions"}, // 5
		step{Op: "updateUser", Args: map[string]any{"name": "Renamed"}},                                                          // 6
		step{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}},                        // 7
		step{Op: "changePassword", Args: map[string]any{"currentPassword": pw, "newPassword": pw2, "revokeOtherSessions": true}}, // 8
		step{Op: "listSessions"}, // 9
		step{Op: "signUp.email", Args: map[string]any{"name": "Again", "email": email, "password": pw}}, // 10
		step{Op: "signOut"},    // 11
		step{Op: "getSession"}, // 12
	)
	ok := func(i int) interop.ClientResult {
		t.Helper()
		r := rs[i]
		if r.Error != nil || r.Status != http.StatusOK || r.Exception != "" {
			t.Fatalf("step %d %s: status %d, error %+v, exception %q", i, r.Op, r.Status, r.Error, r.Exception)
		}
		return r
	}
	fail := func(i, status int, code string) {
		t.Helper()
		r := rs[i]
		if r.Error == nil || r.Status != status || r.Error.Status != status || r.Error.Code != code || r.Error.Message == "" {
			t.Errorf("step %d %s: status %d, error %+v; want %d %s", i, r.Op, r.Status, r.Error, status, code)
		}
	}
	type session struct {
		Session struct{ Token, UserID string }
		User    struct{ ID, Email, Name string }
	}

	var signUp struct {
		Token string
		User  struct{ ID, Email string }
	}
	if err := ok(0).DecodeData(&signUp); err != nil || signUp.Token == "" || signUp.User.Email != email {
		t.Fatalf("sign-up data %s (%v)", rs[0].Data, err)
	}
	if got := rs[0].Jar["better-auth.session_token"]; !strings.HasPrefix(got, signUp.Token+".") {
		t.Errorf("jar after sign-up = %v, want the signed session token", rs[0].Jar)
	}
	if len(rs[0].SetCookies) != 1 || rs[0].Headers["set-auth-token"] == "" {
		t.Errorf("sign-up: Set-Cookie %q, headers %v; want one cookie and the bearer plugin's set-auth-token", rs[0].SetCookies, rs[0].Headers)
	}
	fail(1, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
	if rs[1].Jar["better-auth.session_token"] != rs[0].Jar["better-auth.session_token"] {
		t.Errorf("a failed sign-in changed the jar: %v", rs[1].Jar)
	}
	var signIn struct{ Token string }
	if err := ok(2).DecodeData(&signIn); err != nil || signIn.Token == "" || signIn.Token == signUp.Token {
		t.Fatalf("sign-in data %s (%v)", rs[2].Data, err)
	}

	var gs session
	if err := ok(3).DecodeData(&gs); err != nil || gs.User.ID != signUp.User.ID || gs.Session.Token != signIn.Token {
		t.Errorf("get-session data %s (%v), want user %s with session %s", rs[3].Data, err, signUp.User.ID, signIn.Token)
	}
	if jwt := rs[3].Headers["set-auth-jwt"]; strings.Count(jwt, ".") != 2 {
		t.Errorf("get-session set-auth-jwt = %q, want a JWT", jwt)
	}
	var tok struct{ Token string }
	if err := ok(4).DecodeData(&tok); err != nil || strings.Count(tok.Token, ".") != 2 {
		t.Errorf("token data %s (%v), want a JWT", rs[4].Data, err)
	}
	if r := rs[4].Requests; len(r) != 1 || r[0].Method != http.MethodGet || r[0].URL != s.AuthURL("/token") {
		t.Errorf("token sent %+v, want GET %s", r, s.AuthURL("/token"))
	}

	var list []struct{ Token string }
	if err := ok(5).DecodeData(&list); err != nil || len(list) != 2 {
		t.Errorf("list-sessions data %s (%v), want two sessions", rs[5].Data, err)
	}
	ok(6)
	if err := ok(7).DecodeData(&gs); err != nil || gs.User.Name != "Renamed" {
		t.Errorf("get-session after update-user: %s (%v), want name Renamed", rs[7].Data, err)
	}
	if r := rs[7].Requests; len(r) != 1 || !strings.HasSuffix(r[0].URL, "/get-session?disableCookieCache=true") {
		t.Errorf("get-session with a query sent %+v", r)
	}
	var changed struct{ Token string }
	if err := ok(8).DecodeData(&changed); err != nil || changed.Token == "" {
		t.Fatalf("change-password data %s (%v)", rs[8].Data, err)
	}
	if err := ok(9).DecodeData(&list); err != nil || len(list) != 1 || list[0].Token != changed.Token {
		t.Errorf("list-sessions after change-password with revokeOtherSessions: %s (%v), want only %s", rs[9].Data, err, changed.Token)
	}
	fail(10, http.StatusUnprocessableEntity, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")

	ok(11)
	if len(rs[11].Jar) != 0 {
		t.Errorf("jar after sign-out = %v, want empty (Max-Age=0 deletes)", rs[11].Jar)
	}
	if r := rs[11].Requests; len(r) != 1 || r[0].Method != http.MethodPost {
		t.Errorf("sign-out sent %+v, want one POST", r)
	}
	if string(ok(12).Data) != "null" {
		t.Errorf("get-session after sign-out = %s, want null", rs[12].Data)
	}

	// Without an Origin header: Node's fetch sends Sec-Fetch-Mode, so Better Auth wants an Origin even for
	// a cookie-less sign-up.
	none := interop.RunClient(t, s.URL, "/api/auth", "",
		step{Op: "signUp.email", Args: map[string]any{"name": "No Origin", "email": "no-origin-" + email, "password": pw}})
	if r := none[0]; r.Error == nil || r.Status != http.StatusForbidden || r.Error.Code != "MISSING_OR_NULL_ORIGIN" {
		t.Errorf("sign-up without Origin: status %d, error %+v; want 403 MISSING_OR_NULL_ORIGIN", r.Status, r.Error)
	}
}

// echo is what the jar test server saw of a request.
type echo struct {
	Method, Path, Query, Cookie, Origin, SecFetchMode string
}

// jarServer sets and deletes cookies on request and echoes the request's headers.
func jarServer(t *testing.T) *httptest.Server {
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	cookies := map[string][]string{
		"/x/set": {
			"a=1; Max-Age=60; Path=/; HttpOnly",
			"b=2; Expires=" + future + "; Path=/",
			"c=3; Path=/",
			"d=4; Max-Age=60; Expires=" + past + "; Path=/", // Max-Age wins
			"e=5; Secure; Path=/",                           // kept on plain http (the jar ignores Secure)
		},
		"/x/del": {
			"a=; Max-Age=0; Path=/",
			"b=gone; Expires=" + past + "; Path=/",
			"c=; Max-Age=-1; Path=/",
			"e=6; Path=/", // replaced, and moved to the end
		},
		"/x/redirect": {"r=1; Path=/"},
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range cookies[r.URL.Path] {
			w.Header().Add("Set-Cookie", c)
		}
		switch r.URL.Path {
		case "/x/redirect":
			w.Header().Set("Location", "/x/echo")
			w.WriteHeader(http.StatusFound)
			return
		case "/x/fail":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte(`{"code":"TEAPOT","message":"short and stout"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Auth-Token", "bearer-token")
		_ = json.NewEncoder(w).Encode(echo{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Cookie: r.Header.Get("Cookie"),
			Origin: r.Header.Get("Origin"), SecFetchMode: r.Header.Get("Sec-Fetch-Mode")})
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestClientJar: the script's cookie jar, Origin header, recorded headers, errors and exceptions, against
// a Go server that sets and deletes cookies on request.
func TestClientJar(t *testing.T) {
	t.Parallel()
	ts := jarServer(t)
	type step = interop.ClientStep
	fetch := func(path string) step { return step{Op: "$fetch", Args: path} }
	tests := []struct {
		name    string
		steps   []step
		origin  string
		wantJar map[string]string
		// wantCookie is the Cookie header the last step's request carried.
		wantCookie string
	}{
		{name: "set", steps: []step{fetch("/set"), fetch("/echo")},
			wantJar: map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}, wantCookie: "a=1; b=2; c=3; d=4; e=5"},
		{name: "Max-Age=0, a past Expires and a negative Max-Age delete", steps: []step{fetch("/set"), fetch("/del"), fetch("/echo")},
			wantJar: map[string]string{"d": "4", "e": "6"}, wantCookie: "d=4; e=6"},
		{name: "jar.set, jar.delete", steps: []step{fetch("/set"), {Op: "jar.set", Args: map[string]string{"cookie": "f=x=y"}},
			{Op: "jar.delete", Args: map[string]string{"name": "a"}}, fetch("/echo")},
			wantJar: map[string]string{"b": "2", "c": "3", "d": "4", "e": "5", "f": "x=y"}, wantCookie: "b=2; c=3; d=4; e=5; f=x=y"},
		{name: "jar.set with attributes", steps: []step{{Op: "jar.set", Args: map[string]string{"cookie": "g=1; Max-Age=0"}},
			{Op: "jar.set", Args: map[string]string{"cookie": "h=2; Max-Age=60"}}, fetch("/echo")},
			wantJar: map[string]string{"h": "2"}, wantCookie: "h=2"},
		{name: "jar.clear", steps: []step{fetch("/set"), {Op: "jar.clear"}, fetch("/echo")},
			wantJar: map[string]string{}, wantCookie: ""},
		{name: "no origin", origin: "-", steps: []step{fetch("/echo")}, wantJar: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			origin := "http://app.example"
			if tt.origin == "-" {
				origin = ""
			}
			rs := interop.RunClient(t, ts.URL, "/x", origin, tt.steps...)
			last := rs[len(rs)-1]
			if last.Error != nil || last.Status != http.StatusOK || last.Exception != "" {
				t.Fatalf("last step: %+v", last)
			}
			if !maps.Equal(last.Jar, tt.wantJar) {
				t.Errorf("Jar = %v, want %v", last.Jar, tt.wantJar)
			}
			var e echo
			if err := last.DecodeData(&e); err != nil {
				t.Fatal(err)
			}
			if e.Cookie != tt.wantCookie || e.Origin != origin || e.Method != http.MethodGet || e.Path != "/x/echo" {
				t.Errorf("server saw %+v, want Cookie %q and Origin %q", e, tt.wantCookie, origin)
			}
			if e.SecFetchMode != "cors" {
				t.Errorf("Sec-Fetch-Mode = %q, want Node fetch's cors", e.SecFetchMode)
			}
			if last.Headers["set-auth-token"] != "bearer-token" {
				t.Errorf("Headers = %v, want set-auth-token", last.Headers)
			}
		})
	}

	t.Run("errors, redirects, exceptions", func(t *testing.T) {
		t.Parallel()
		rs := interop.RunClient(t, ts.URL, "/x", "http://app.example",
			fetch("/fail"),
			fetch("/redirect"),
			step{Op: "jar.set", Args: map[string]string{"cookie": "no equals sign"}},
			step{Op: "$fetch", Args: "/echo", Options: map[string]any{"method": "POST", "body": map[string]any{"k": "v"}, "query": map[string]any{"q": "1"}}},
		)
		if r := rs[0]; r.Status != http.StatusTeapot || r.Error == nil || *r.Error != (interop.ClientError{Status: 418, Code: "TEAPOT", Message: "short and stout"}) || string(r.Data) != "null" {
			t.Errorf("error answer: %+v (error %+v)", r, r.Error)
		}
		if r := rs[1]; r.Status != http.StatusFound || r.Headers["location"] != "/x/echo" || r.Jar["r"] != "1" || len(r.Requests) != 1 {
			t.Errorf("redirect (manual): %+v", r)
		}
		if r := rs[2]; r.Exception == "" || r.Status != 0 || len(r.Requests) != 0 {
			t.Errorf("a bad jar.set: %+v, want an exception", r)
		}
		var e echo
		if r := rs[3]; r.Exception != "" || r.DecodeData(&e) != nil || e.Method != http.MethodPost || e.Query != "q=1" || e.Cookie != "r=1" {
			t.Errorf("after the exception: %+v, server saw %+v", r, e)
		}
	})

	t.Run("redirect follow", func(t *testing.T) {
		t.Parallel()
		rs := interop.RunClientScript(t, interop.ClientScript{BaseURL: ts.URL, BasePath: "/x", Redirect: "follow",
			Steps: []step{fetch("/redirect")}})
		var e echo
		if r := rs[0]; r.Status != http.StatusOK || r.DecodeData(&e) != nil || e.Path != "/x/echo" {
			t.Errorf("redirect (follow): %+v, server saw %+v", r, e)
		}
		// fetch follows the redirect itself: the jar never sees the Set-Cookie of the 302 (README.md).
		if r := rs[0]; len(r.Jar) != 0 || e.Cookie != "" || len(r.Requests) != 1 {
			t.Errorf("redirect (follow): jar %v, requests %+v, server saw cookie %q", r.Jar, r.Requests, e.Cookie)
		}
	})

	t.Run("unreachable server", func(t *testing.T) {
		t.Parallel()
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		rs := interop.RunClient(t, dead.URL, "", "", step{Op: "getSession"}, step{Op: "jar.clear"})
		if r := rs[0]; r.Exception == "" && r.Error == nil {
			t.Errorf("get-session of a closed server: %+v, want an error or exception", r)
		}
		if rs[1].Exception != "" {
			t.Errorf("the step after a network failure: %+v", rs[1])
		}
	})

	t.Run("harness errors", func(t *testing.T) {
		t.Parallel()
		interop.Require(t)
		for _, s := range []interop.ClientScript{
			{BaseURL: "ftp://example.com"},
			{BaseURL: ts.URL, Redirect: "error"},
		} {
			if rs, err := interop.ExecClient(t.Context(), s); err == nil || !strings.Contains(err.Error(), "client.mjs:") {
				t.Errorf("ExecClient(%+v) = %v, %v; want an error quoting client.mjs's stderr", s, rs, err)
			}
		}
	})
}
