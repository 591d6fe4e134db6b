package interop_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// TestAPIKeySessionsAgainstBetterAuth: Node's apiKey({enableSessionForAPIKeys: true}) and the Go plugin
// with EnableSessionForAPIKeys, on one database, answer the same requests carrying x-api-key and no cookie
// alike: /get-session's session (the key's id, the key as token, the user agent, 604800 ms of life, the
// same user fields), /list-sessions and /api-key/create signed in, /change-password not (401), and the
// refusals: a short key (403), an unknown, a disabled or an expired key (401, the expired row deleted), a
// rate-limited one (429 with details.tryAgainIn). Keys are created by Node's server-side createApiKey.
func TestAPIKeySessionsAgainstBetterAuth(t *testing.T) {
	p := newAPIKeyPairWith(t, map[string]string{"APIKEY_SESSIONS": "1"}, apikey.Config{EnableMetadata: true, EnableSessionForAPIKeys: true})
	ctx := t.Context()
	status, raw, err := p.node.API(ctx, "signUpEmail", map[string]any{"name": "S", "email": "s@sessions.example.com", "password": password}, nil)
	if err != nil || status != 200 {
		t.Fatalf("signUpEmail: %d %s %v", status, raw, err)
	}
	var signedUp struct {
		User struct{ ID string } `json:"user"`
	}
	_ = json.Unmarshal(raw, &signedUp)
	uid := signedUp.User.ID
	newKey := func(t *testing.T, body map[string]any) (id, key string) {
		t.Helper()
		b := map[string]any{"userId": uid}
		maps.Copy(b, body)
		status, raw, err := p.node.API(ctx, "createApiKey", b, nil)
		if err != nil || status != 200 {
			t.Fatalf("createApiKey: %d %s %v", status, raw, err)
		}
		var k map[string]any
		_ = json.Unmarshal(raw, &k)
		return fmt.Sprint(k["id"]), fmt.Sprint(k["key"])
	}
	send := func(t *testing.T, s *interop.Server, method, path, key string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
		req, _ := http.NewRequestWithContext(ctx, method, s.URL+"/api/auth"+path, rd)
		req.Header.Set("Origin", s.URL)
		req.Header.Set("User-Agent", "interop-test/1")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("X-Api-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}
	// outcome is what must agree: the status, the error code, and for a session its shape and values.
	outcome := func(status int, out map[string]any, id, key string) string {
		if out == nil {
			return fmt.Sprintf("%d null", status)
		}
		sess, ok := out["session"].(map[string]any)
		if !ok {
			_, hasDetails := out["details"].(map[string]any)
			return fmt.Sprintf("%d code=%v message=%v details=%v", status, out["code"], out["message"], hasDetails)
		}
		user, _ := out["user"].(map[string]any)
		created, _ := time.Parse(time.RFC3339, fmt.Sprint(sess["createdAt"]))
		expires, _ := time.Parse(time.RFC3339, fmt.Sprint(sess["expiresAt"]))
		return fmt.Sprintf("%d session=%s user=%s id=%v token=%v userId=%v userAgent=%v life=%v email=%v",
			status, strings.Join(slices.Sorted(maps.Keys(sess)), ","), strings.Join(slices.Sorted(maps.Keys(user)), ","),
			sess["id"] == id, sess["token"] == key, sess["userId"] == uid, sess["userAgent"], expires.Sub(created).Round(time.Second),
			user["email"])
	}
	for _, tt := range []struct {
		name, method, path string
		body               any
		key                func(t *testing.T) (id, key string)
	}{
		{name: "get-session", method: "GET", path: "/get-session", key: func(t *testing.T) (string, string) { return newKey(t, nil) }},
		{name: "list-sessions", method: "GET", path: "/list-sessions", key: func(t *testing.T) (string, string) { return newKey(t, nil) }},
		{name: "api-key/create", method: "POST", path: "/api-key/create", body: map[string]any{"name": "by-key"},
			key: func(t *testing.T) (string, string) { return newKey(t, nil) }},
		{name: "change-password", method: "POST", path: "/change-password", body: map[string]any{"currentPassword": password, "newPassword": password + "!"},
			key: func(t *testing.T) (string, string) { return newKey(t, nil) }},
		{name: "short key", method: "GET", path: "/get-session", key: func(*testing.T) (string, string) { return "", "abc" }},
		{name: "unknown key", method: "GET", path: "/ok", key: func(*testing.T) (string, string) { return "", strings.Repeat("q", 64) }},
		{name: "disabled key", method: "GET", path: "/get-session", key: func(t *testing.T) (string, string) {
			id, key := newKey(t, nil)
			if status, raw, err := p.node.API(ctx, "updateApiKey", map[string]any{"keyId": id, "userId": uid, "enabled": false}, nil); err != nil || status != 200 {
				t.Fatalf("updateApiKey: %d %s %v", status, raw, err)
			}
			return id, key
		}},
		{name: "expired key", method: "GET", path: "/get-session", key: func(t *testing.T) (string, string) {
			id, key := newKey(t, nil)
			past := time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
			if _, err := p.db.ExecContext(ctx, `update "apikey" set "expiresAt" = ? where "id" = ?`, past, id); err != nil {
				t.Fatal(err)
			}
			return id, key
		}},
		{name: "rate limited", method: "GET", path: "/get-session", key: func(t *testing.T) (string, string) {
			id, key := newKey(t, map[string]any{"rateLimitMax": 1, "rateLimitTimeWindow": 60000})
			if s, out := send(t, p.node, "GET", "/ok", key, nil); s != 200 {
				t.Fatalf("first use: %d %v", s, out)
			}
			return id, key
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got [2]string
			for i, s := range []*interop.Server{p.node, p.goSrv} {
				id, key := tt.key(t)
				status, out := send(t, s, tt.method, tt.path, key, tt.body)
				if tt.path == "/list-sessions" || tt.path == "/api-key/create" {
					out = nil // the answers are the user's sessions and a new key: signed in is what matters
				}
				got[i] = outcome(status, out, id, key)
				if tt.name == "expired key" {
					var n int
					_ = p.db.QueryRowContext(ctx, `select count(*) from "apikey" where "id" = ?`, id).Scan(&n)
					got[i] += fmt.Sprintf(" rows=%d", n)
				}
			}
			if got[0] != got[1] {
				t.Errorf("answers differ:\n  node: %s\n  go:   %s", got[0], got[1])
			}
			t.Logf("%s", got[1])
		})
	}
}
