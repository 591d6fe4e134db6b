package interop

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// ClientConformance drives a Better Auth-compatible server with Better Auth's own client ([RunClient]):
// every email/password endpoint, in the order an application uses them, checking statuses, error codes,
// the shapes of the answers (keys and JSON types) and the cookies. baseURL is the server's origin, basePath
// where its routes are ("" means "/api/auth"), origin a trusted origin the client sends as its Origin header
// (the origin of the server's baseURL option). Each call signs up a new user with a random email, so it may
// run many times against one server. The real Better Auth server passes it (client_test.go); a server that
// means to replace it must too.
//
// It covers sign-up (and a duplicate, a short password, a sign-up without Origin), sign-in (wrong password,
// unknown user, rememberMe false, callbackURL, a foreign Origin), get-session (with
// disableCookieCache), list-sessions, update-user (a name; an email is refused), change-password (a wrong
// current password; revokeOtherSessions), revoke-session, revoke-other-sessions, revoke-sessions, sign-out,
// and the Origin check on cookie-carrying POSTs. It needs neither the JWT nor the bearer plugin, no cookie
// cache, no email sender and no rate limit.
func ClientConformance(t *testing.T, baseURL, basePath, origin string) {
	t.Helper()
	c := &confClient{t: t, script: ClientScript{BaseURL: baseURL, BasePath: basePath, Origin: origin}, jar: map[string]string{}}
	email := "Conformance-" + randomHex(8) + "@Example.com"
	lower := strings.ToLower(email)
	const p1, p2 = "conformance-password-1", "conformance-password-2"

	var userID, signUpToken, forgetToken, callbackToken, changedToken, survivorToken string
	var sessionCookie string // a live session's cookie, for the Origin checks

	c.phase("sign-up, get-session, sign-in",
		confStep{"sign-up", ClientStep{Op: "signUp.email", Args: map[string]any{"name": "Conformance", "email": email, "password": p1}},
			func(t *testing.T, r ClientResult) {
				var d struct {
					Token *string         `json:"token"`
					User  json.RawMessage `json:"user"`
				}
				if !wantOK(t, r) || !decode(t, r, &d) {
					return
				}
				wantKeys(t, "data", r.Data, map[string]jsonKind{"token": kString, "user": kObject})
				u := wantUser(t, d.User, lower, "Conformance")
				userID = str(u["id"])
				if d.Token == nil || *d.Token == "" {
					t.Fatalf("token = %v, want the new session's token (auto sign-in)", d.Token)
				}
				signUpToken = *d.Token
				c := wantSessionCookie(t, r)
				if c != nil && c.MaxAge <= 0 {
					t.Errorf("session cookie %q: want a Max-Age (rememberMe defaults to true)", c.Raw)
				}
			}},
		confStep{"duplicate sign-up", ClientStep{Op: "signUp.email", Args: map[string]any{"name": "Again", "email": lower, "password": p1}},
			wantError(http.StatusUnprocessableEntity, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")},
		confStep{"sign-up with a short password", ClientStep{Op: "signUp.email", Args: map[string]any{"name": "Short", "email": "short-" + lower, "password": "short"}},
			wantError(http.StatusBadRequest, "PASSWORD_TOO_SHORT")},
		confStep{"get-session", ClientStep{Op: "getSession"}, func(t *testing.T, r ClientResult) {
			wantSession(t, r, userID, lower, "Conformance", signUpToken)
		}},
		confStep{"get-session disableCookieCache", ClientStep{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}},
			func(t *testing.T, r ClientResult) {
				wantRequest(t, r, http.MethodGet, "/get-session?disableCookieCache=true")
				wantSession(t, r, userID, lower, "Conformance", signUpToken)
			}},
		confStep{"sign-in with a wrong password", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": "wrong-" + p1}},
			func(t *testing.T, r ClientResult) {
				wantError(http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")(t, r)
				if len(r.SetCookies) != 0 {
					t.Errorf("Set-Cookie %q on a failed sign-in", r.SetCookies)
				}
			}},
		confStep{"sign-in of an unknown user", ClientStep{Op: "signIn.email", Args: map[string]any{"email": "nobody-" + lower, "password": p1}},
			wantError(http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")},
		confStep{"sign-in rememberMe false", ClientStep{Op: "signIn.email", Args: map[string]any{"email": email, "password": p1, "rememberMe": false}},
			func(t *testing.T, r ClientResult) {
				forgetToken = wantSignIn(t, r, userID, lower, "Conformance", false, "")
				if c := wantSessionCookie(t, r); c != nil && (c.MaxAge != 0 || !c.Expires.IsZero()) {
					t.Errorf("session cookie %q: want a browser-session cookie (no Max-Age, no Expires)", c.Raw)
				}
				if c := findSetCookie(r, "dont_remember"); c == nil || c.MaxAge < 0 || c.Value == "" {
					t.Errorf("Set-Cookie %q: want a dont_remember cookie", r.SetCookies)
				}
			}},
		confStep{"get-session of the rememberMe false session", ClientStep{Op: "getSession"}, func(t *testing.T, r ClientResult) {
			wantSession(t, r, userID, lower, "Conformance", forgetToken)
		}},
		confStep{"sign-in with callbackURL", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p1, "callbackURL": "/dashboard"}},
			func(t *testing.T, r ClientResult) {
				callbackToken = wantSignIn(t, r, userID, lower, "Conformance", true, "/dashboard")
				if got := r.Headers["location"]; got != "/dashboard" {
					t.Errorf("Location = %q, want /dashboard", got)
				}
				if c := wantSessionCookie(t, r); c != nil && c.MaxAge <= 0 {
					t.Errorf("session cookie %q: want a Max-Age", c.Raw)
				}
				if _, _, ok := jarCookie(r.Jar, "dont_remember"); ok {
					t.Errorf("jar %v: the dont_remember cookie outlived a remembered sign-in", r.Jar)
				}
			}},
		confStep{"list-sessions", ClientStep{Op: "listSessions"}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodGet, "/list-sessions")
			wantSessionList(t, r, userID, signUpToken, forgetToken, callbackToken)
		}},
	)

	c.phase("revoke-session, update-user, change-password",
		confStep{"revoke-session", ClientStep{Op: "revokeSession", Args: map[string]any{"token": signUpToken}}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodPost, "/revoke-session")
			wantStatusTrue(t, r)
		}},
		confStep{"list-sessions after revoke-session", ClientStep{Op: "listSessions"}, func(t *testing.T, r ClientResult) {
			wantSessionList(t, r, userID, forgetToken, callbackToken)
		}},
		confStep{"update-user name", ClientStep{Op: "updateUser", Args: map[string]any{"name": "Renamed"}}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodPost, "/update-user")
			wantStatusTrue(t, r)
		}},
		confStep{"get-session after update-user", ClientStep{Op: "getSession"}, func(t *testing.T, r ClientResult) {
			wantSession(t, r, userID, lower, "Renamed", callbackToken)
		}},
		confStep{"get-session disableCookieCache after update-user", ClientStep{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}},
			func(t *testing.T, r ClientResult) {
				wantSession(t, r, userID, lower, "Renamed", callbackToken)
			}},
		confStep{"update-user email", ClientStep{Op: "updateUser", Args: map[string]any{"email": "other-" + lower}},
			wantError(http.StatusBadRequest, "EMAIL_CAN_NOT_BE_UPDATED")},
		confStep{"change-password with a wrong current password", ClientStep{Op: "changePassword", Args: map[string]any{"currentPassword": "wrong-" + p1, "newPassword": p2}},
			wantError(http.StatusBadRequest, "INVALID_PASSWORD")},
		confStep{"change-password revokeOtherSessions", ClientStep{Op: "changePassword", Args: map[string]any{"currentPassword": p1, "newPassword": p2, "revokeOtherSessions": true}},
			func(t *testing.T, r ClientResult) {
				wantRequest(t, r, http.MethodPost, "/change-password")
				var d struct {
					Token *string         `json:"token"`
					User  json.RawMessage `json:"user"`
				}
				if !wantOK(t, r) || !decode(t, r, &d) {
					return
				}
				wantKeys(t, "data", r.Data, map[string]jsonKind{"token": kString, "user": kObject})
				wantUser(t, d.User, lower, "Renamed")
				if d.Token == nil || *d.Token == "" || slices.Contains([]string{signUpToken, forgetToken, callbackToken}, *d.Token) {
					t.Fatalf("token = %v, want a new session's token", d.Token)
				}
				changedToken = *d.Token
				wantSessionCookie(t, r)
			}},
		confStep{"list-sessions after change-password", ClientStep{Op: "listSessions"}, func(t *testing.T, r ClientResult) {
			wantSessionList(t, r, userID, changedToken)
		}},
		confStep{"get-session after change-password", ClientStep{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}},
			func(t *testing.T, r ClientResult) {
				wantSession(t, r, userID, lower, "Renamed", changedToken)
			}},
		confStep{"sign-in with the old password", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p1}},
			wantError(http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")},
		confStep{"sign-in with the new password", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p2}},
			func(t *testing.T, r ClientResult) {
				survivorToken = wantSignIn(t, r, userID, lower, "Renamed", false, "")
			}},
	)

	c.phase("revoke-other-sessions, revoke-sessions",
		confStep{"list-sessions before revoke-other-sessions", ClientStep{Op: "listSessions"}, func(t *testing.T, r ClientResult) {
			wantSessionList(t, r, userID, changedToken, survivorToken)
		}},
		confStep{"revoke-other-sessions", ClientStep{Op: "revokeOtherSessions"}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodPost, "/revoke-other-sessions")
			wantStatusTrue(t, r)
		}},
		confStep{"list-sessions after revoke-other-sessions", ClientStep{Op: "listSessions"}, func(t *testing.T, r ClientResult) {
			wantSessionList(t, r, userID, survivorToken)
		}},
		confStep{"sign-in again", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p2}},
			func(t *testing.T, r ClientResult) { wantSignIn(t, r, userID, lower, "Renamed", false, "") }},
		confStep{"revoke-sessions", ClientStep{Op: "revokeSessions"}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodPost, "/revoke-sessions")
			wantStatusTrue(t, r)
			wantCookieDeleted(t, r)
		}},
		confStep{"get-session after revoke-sessions", ClientStep{Op: "getSession"}, wantNoSession},
		confStep{"list-sessions after revoke-sessions", ClientStep{Op: "listSessions"}, wantError(http.StatusUnauthorized, "UNAUTHORIZED")},
		confStep{"sign-in for the origin checks", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p2}},
			func(t *testing.T, r ClientResult) {
				wantSignIn(t, r, userID, lower, "Renamed", false, "")
				name, value, ok := jarCookie(r.Jar, "session_token")
				if !ok {
					t.Fatalf("jar %v: no session cookie", r.Jar)
				}
				sessionCookie = name + "=" + value
			}},
	)

	// The Origin checks: a POST that carries cookies needs a trusted Origin, and so does a sign-in or
	// sign-up from a client that sends fetch metadata (Node's fetch sends Sec-Fetch-Mode: cors).
	foreign := c.with("http://attacker.example")
	foreign.phase("a foreign Origin",
		confStep{"update-user", ClientStep{Op: "updateUser", Args: map[string]any{"name": "Forged"}}, wantError(http.StatusForbidden, "INVALID_ORIGIN")},
		confStep{"sign-out", ClientStep{Op: "signOut"}, wantError(http.StatusForbidden, "INVALID_ORIGIN")},
		confStep{"forget the cookies", ClientStep{Op: "jar.clear"}, func(*testing.T, ClientResult) {}},
		confStep{"sign-in", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p2}}, wantError(http.StatusForbidden, "INVALID_ORIGIN")},
	)
	none := c.with("")
	none.phase("no Origin",
		confStep{"update-user", ClientStep{Op: "updateUser", Args: map[string]any{"name": "Forged"}}, wantError(http.StatusForbidden, "MISSING_OR_NULL_ORIGIN")},
		confStep{"sign-out", ClientStep{Op: "signOut"}, wantError(http.StatusForbidden, "MISSING_OR_NULL_ORIGIN")},
		confStep{"forget the cookies", ClientStep{Op: "jar.clear"}, func(*testing.T, ClientResult) {}},
		confStep{"sign-up", ClientStep{Op: "signUp.email", Args: map[string]any{"name": "No Origin", "email": "no-origin-" + lower, "password": p1}},
			wantError(http.StatusForbidden, "MISSING_OR_NULL_ORIGIN")},
		confStep{"sign-in", ClientStep{Op: "signIn.email", Args: map[string]any{"email": lower, "password": p2}},
			wantError(http.StatusForbidden, "MISSING_OR_NULL_ORIGIN")},
		confStep{"get-session (a GET needs no Origin)", ClientStep{Op: "getSession"}, wantNoSession},
	)

	c.phase("sign-out",
		confStep{"nothing was forged", ClientStep{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}},
			func(t *testing.T, r ClientResult) {
				if wantSession(t, r, userID, lower, "Renamed", "") == nil {
					t.Errorf("the session died: %s", r.Data)
				}
			}},
		confStep{"sign-out", ClientStep{Op: "signOut"}, func(t *testing.T, r ClientResult) {
			wantRequest(t, r, http.MethodPost, "/sign-out")
			if wantOK(t, r) {
				wantKeys(t, "data", r.Data, map[string]jsonKind{"success": kBool})
				var d struct{ Success bool }
				if decode(t, r, &d) && !d.Success {
					t.Errorf("data = %s, want success true", r.Data)
				}
			}
			wantCookieDeleted(t, r)
		}},
		confStep{"get-session after sign-out", ClientStep{Op: "getSession"}, wantNoSession},
		confStep{"the signed-out cookie", ClientStep{Op: "jar.set", Args: map[string]any{"cookie": sessionCookie}}, func(*testing.T, ClientResult) {}},
		confStep{"get-session with the signed-out cookie", ClientStep{Op: "getSession", Args: map[string]any{"query": map[string]any{"disableCookieCache": true}}}, wantNoSession},
		confStep{"update-user after sign-out", ClientStep{Op: "updateUser", Args: map[string]any{"name": "Ghost"}}, wantError(http.StatusUnauthorized, "UNAUTHORIZED")},
	)
}

// confClient runs the conformance phases: each phase is one run of client.mjs that starts with the cookies
// the previous phase left.
type confClient struct {
	t      *testing.T
	script ClientScript
	jar    map[string]string
}

// confStep is a step and the checks of its result.
type confStep struct {
	name  string
	step  ClientStep
	check func(t *testing.T, r ClientResult)
}

// with returns a client with c's cookies that sends origin; its phases do not change c's cookies.
func (c *confClient) with(origin string) *confClient {
	d := *c
	d.script.Origin = origin
	d.jar = map[string]string{}
	for k, v := range c.jar {
		d.jar[k] = v
	}
	return &d
}

// phase runs steps in one client script and checks each in a subtest named after it. A failed phase
// stops the test: later phases depend on what it should have done.
func (c *confClient) phase(name string, steps ...confStep) {
	c.t.Helper()
	s := c.script
	names := make([]string, 0, len(c.jar))
	for k := range c.jar {
		names = append(names, k)
	}
	slices.Sort(names)
	s.Steps = []ClientStep{{Op: "jar.clear"}}
	for _, k := range names {
		s.Steps = append(s.Steps, ClientStep{Op: "jar.set", Args: map[string]string{"cookie": k + "=" + c.jar[k]}})
	}
	pre := len(s.Steps)
	for _, st := range steps {
		s.Steps = append(s.Steps, st.step)
	}
	rs := RunClientScript(c.t, s)
	for _, r := range rs[:pre] {
		if r.Exception != "" {
			c.t.Fatalf("%s: restoring the cookie jar: %s", name, r.Exception)
		}
	}
	rs = rs[pre:]
	ok := true
	for i, st := range steps {
		r := rs[i]
		ok = c.t.Run(name+"/"+st.name, func(t *testing.T) {
			if r.Exception != "" {
				t.Fatalf("%s threw: %s", st.step.Op, r.Exception)
			}
			st.check(t, r)
		}) && ok
	}
	if len(rs) > 0 {
		c.jar = rs[len(rs)-1].Jar
	}
	if !ok {
		c.t.Fatalf("phase %q failed; the later phases depend on it", name)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// jsonKind is the JSON type a key must have.
type jsonKind int

const (
	kString jsonKind = iota
	kNullableString
	kBool
	kDate // an ISO-8601 string
	kObject
	kArray
)

func (k jsonKind) String() string {
	return [...]string{"string", "string or null", "boolean", "ISO-8601 date string", "object", "array"}[k]
}

func (k jsonKind) match(v any) bool {
	switch k {
	case kString:
		_, ok := v.(string)
		return ok
	case kNullableString:
		_, ok := v.(string)
		return ok || v == nil
	case kBool:
		_, ok := v.(bool)
		return ok
	case kDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case kObject:
		_, ok := v.(map[string]any)
		return ok
	case kArray:
		_, ok := v.([]any)
		return ok
	}
	return false
}

var (
	userShape = map[string]jsonKind{"id": kString, "email": kString, "name": kString, "emailVerified": kBool,
		"image": kNullableString, "createdAt": kDate, "updatedAt": kDate}
	sessionShape = map[string]jsonKind{"id": kString, "token": kString, "userId": kString, "expiresAt": kDate,
		"createdAt": kDate, "updatedAt": kDate, "ipAddress": kNullableString, "userAgent": kNullableString}
)

// wantKeys checks that raw is a JSON object with every key of shape, each of its kind, and returns it.
func wantKeys(t *testing.T, what string, raw json.RawMessage, shape map[string]jsonKind) map[string]any {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		t.Errorf("%s = %s, want a JSON object", what, raw)
		return nil
	}
	keys := make([]string, 0, len(shape))
	for k := range shape {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s has no %q: %s", what, k, raw)
		} else if !shape[k].match(v) {
			t.Errorf("%s.%s = %#v, want a %v", what, k, v, shape[k])
		}
	}
	return obj
}

func str(v any) string { s, _ := v.(string); return s }

func decode(t *testing.T, r ClientResult, v any) bool {
	t.Helper()
	if err := r.DecodeData(v); err != nil {
		t.Error(err)
		return false
	}
	return true
}

// wantOK checks that r is a 200 success.
func wantOK(t *testing.T, r ClientResult) bool {
	t.Helper()
	if r.Error != nil || r.Status != http.StatusOK {
		t.Errorf("%s: status %d, error %+v; want 200 and data (requests %+v)", r.Op, r.Status, r.Error, r.Requests)
		return false
	}
	return true
}

// wantError returns a check that r is the error status with code.
func wantError(status int, code string) func(*testing.T, ClientResult) {
	return func(t *testing.T, r ClientResult) {
		t.Helper()
		if r.Error == nil {
			t.Fatalf("%s: status %d, data %s; want error %d %s", r.Op, r.Status, r.Data, status, code)
		}
		if r.Status != status || r.Error.Status != status {
			t.Errorf("%s: status %d (error.status %d), want %d", r.Op, r.Status, r.Error.Status, status)
		}
		if r.Error.Code != code {
			t.Errorf("%s: error.code %q (message %q), want %q", r.Op, r.Error.Code, r.Error.Message, code)
		}
		if r.Error.Message == "" {
			t.Errorf("%s: error %+v has no message", r.Op, r.Error)
		}
		if string(r.Data) != "null" {
			t.Errorf("%s: data %s next to an error", r.Op, r.Data)
		}
	}
}

// wantRequest checks that r sent one request, with method, to a URL ending with path (and query).
func wantRequest(t *testing.T, r ClientResult, method, path string) {
	t.Helper()
	if len(r.Requests) != 1 || r.Requests[0].Method != method || !strings.HasSuffix(r.Requests[0].URL, path) {
		t.Errorf("%s sent %+v, want one %s …%s", r.Op, r.Requests, method, path)
	}
}

// wantUser checks a user object and returns it.
func wantUser(t *testing.T, raw json.RawMessage, email, name string) map[string]any {
	t.Helper()
	u := wantKeys(t, "user", raw, userShape)
	if u == nil {
		t.FailNow()
	}
	if u["email"] != email || u["name"] != name || u["emailVerified"] != false || u["image"] != nil || str(u["id"]) == "" {
		t.Errorf("user = %s, want email %q, name %q, emailVerified false, image null and an id", raw, email, name)
	}
	return u
}

// wantSignIn checks a sign-in answer and returns its session token.
func wantSignIn(t *testing.T, r ClientResult, userID, email, name string, redirect bool, url string) string {
	t.Helper()
	wantRequest(t, r, http.MethodPost, "/sign-in/email")
	if !wantOK(t, r) {
		t.FailNow()
	}
	shape := map[string]jsonKind{"redirect": kBool, "token": kString, "user": kObject}
	if url != "" {
		shape["url"] = kString
	}
	d := wantKeys(t, "data", r.Data, shape)
	if d["redirect"] != redirect || str(d["url"]) != url {
		t.Errorf("redirect, url = %v, %v; want %v, %q", d["redirect"], d["url"], redirect, url)
	}
	if url == "" {
		if v, ok := d["url"]; ok && v != nil {
			t.Errorf("url = %v without a callbackURL", v)
		}
	}
	raw, _ := json.Marshal(d["user"])
	if u := wantUser(t, raw, email, name); u["id"] != userID {
		t.Errorf("user.id = %v, want %s", u["id"], userID)
	}
	wantSessionCookie(t, r)
	tok := str(d["token"])
	if tok == "" {
		t.Fatal("no session token")
	}
	return tok
}

// wantSession checks a get-session answer for the user (and the session token, when not empty) and
// returns the session object.
func wantSession(t *testing.T, r ClientResult, userID, email, name, token string) map[string]any {
	t.Helper()
	if !wantOK(t, r) {
		return nil
	}
	if string(r.Data) == "null" {
		t.Errorf("%s: data null, want the session", r.Op)
		return nil
	}
	var d struct {
		Session json.RawMessage `json:"session"`
		User    json.RawMessage `json:"user"`
	}
	if !decode(t, r, &d) {
		return nil
	}
	u := wantUser(t, d.User, email, name)
	s := wantKeys(t, "session", d.Session, sessionShape)
	if u["id"] != userID || s["userId"] != userID {
		t.Errorf("user.id, session.userId = %v, %v; want %s", u["id"], s["userId"], userID)
	}
	if token != "" && s["token"] != token {
		t.Errorf("session.token = %v, want %s", s["token"], token)
	}
	return s
}

// wantNoSession checks a get-session answer of no session: 200 and null.
func wantNoSession(t *testing.T, r ClientResult) {
	t.Helper()
	if wantOK(t, r) && string(r.Data) != "null" {
		t.Errorf("%s: data %s, want null", r.Op, r.Data)
	}
}

// wantSessionList checks a list-sessions answer: exactly the sessions of tokens, all the user's.
func wantSessionList(t *testing.T, r ClientResult, userID string, tokens ...string) {
	t.Helper()
	if !wantOK(t, r) {
		return
	}
	var list []json.RawMessage
	if !decode(t, r, &list) {
		return
	}
	var got []string
	for i, raw := range list {
		s := wantKeys(t, fmt.Sprintf("sessions[%d]", i), raw, sessionShape)
		if s["userId"] != userID {
			t.Errorf("sessions[%d].userId = %v, want %s", i, s["userId"], userID)
		}
		got = append(got, str(s["token"]))
	}
	want := slices.Clone(tokens)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("session tokens = %q, want %q", got, want)
	}
}

// wantStatusTrue checks an answer of {"status": true}.
func wantStatusTrue(t *testing.T, r ClientResult) {
	t.Helper()
	if !wantOK(t, r) {
		return
	}
	wantKeys(t, "data", r.Data, map[string]jsonKind{"status": kBool})
	var d struct{ Status bool }
	if decode(t, r, &d) && !d.Status {
		t.Errorf("data = %s, want status true", r.Data)
	}
}

// cookieIs reports whether a cookie name is Better Auth's cookie kind ("session_token"), whatever its
// prefix ("better-auth.", "__Secure-myapp.").
func cookieIs(name, kind string) bool { return name == kind || strings.HasSuffix(name, "."+kind) }

// jarCookie returns the jar's cookie of a kind.
func jarCookie(jar map[string]string, kind string) (name, value string, ok bool) {
	for k, v := range jar {
		if cookieIs(k, kind) {
			return k, v, true
		}
	}
	return "", "", false
}

// findSetCookie returns the last cookie of a kind that r's responses set, or nil.
func findSetCookie(r ClientResult, kind string) *http.Cookie {
	var found *http.Cookie
	for _, raw := range r.SetCookies {
		if c, err := http.ParseSetCookie(raw); err == nil && cookieIs(c.Name, kind) {
			found = c
		}
	}
	return found
}

// wantSessionCookie checks that r set a session cookie, HttpOnly on Path=/, that the jar kept, and
// returns it.
func wantSessionCookie(t *testing.T, r ClientResult) *http.Cookie {
	t.Helper()
	c := findSetCookie(r, "session_token")
	if c == nil || c.Value == "" || c.MaxAge < 0 {
		t.Errorf("Set-Cookie %q: want a session_token cookie", r.SetCookies)
		return nil
	}
	if !c.HttpOnly || c.Path != "/" {
		t.Errorf("session cookie %q: want HttpOnly and Path=/", c.Raw)
	}
	if _, v, ok := jarCookie(r.Jar, "session_token"); !ok || v != c.Value {
		t.Errorf("jar %v: want the session cookie %s", r.Jar, c.Value)
	}
	return c
}

// wantCookieDeleted checks that r deleted the session cookie (Max-Age=0) and the jar dropped it.
func wantCookieDeleted(t *testing.T, r ClientResult) {
	t.Helper()
	if c := findSetCookie(r, "session_token"); c == nil || c.MaxAge >= 0 {
		t.Errorf("Set-Cookie %q: want the session cookie deleted (Max-Age=0)", r.SetCookies)
	}
	if _, _, ok := jarCookie(r.Jar, "session_token"); ok {
		t.Errorf("jar %v still has a session cookie", r.Jar)
	}
}
