package apikey_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver/admin"
	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
)

func keyHeader(key string) http.Header { return http.Header{"X-Api-Key": {key}} }

// TestSessionFromAPIKey: with EnableSessionForAPIKeys, a request with x-api-key and no cookie is signed in
// as the key's owner: /get-session answers the key's session (its id, the key as token, expiring after
// 604800 ms as Better Auth's getDate(…, "ms") computes it, or with the key), /list-sessions and
// /api-key/create act as the owner, and the sensitive endpoints still answer 401. Short, unknown,
// disabled and expired keys are refused on any endpoint with the plugin's codes (the expired key is
// deleted), a banned owner's key with USER_BANNED, and a key past its rate limit with 429 RATE_LIMITED and
// its tryAgainIn.
func TestSessionFromAPIKey(t *testing.T) {
	s := newServerWith(t, apikey.Config{EnableSessionForAPIKeys: true}, admin.New(admin.Config{}))
	cookie := s.signUp("ann@example.com")
	k := s.create(cookie, map[string]any{"name": "ci"})
	key := k["key"].(string)

	code, out := s.doHeader(http.MethodGet, "/get-session", "", keyHeader(key), nil)
	if code != 200 {
		t.Fatalf("get-session: %d %v", code, out)
	}
	sess, _ := out["session"].(map[string]any)
	user, _ := out["user"].(map[string]any)
	wantExp := s.clock().Add(604800 * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
	if user["email"] != "ann@example.com" || sess["id"] != k["id"] || sess["token"] != key || sess["userId"] != user["id"] ||
		sess["expiresAt"] != wantExp || sess["userAgent"] != nil {
		t.Fatalf("get-session: %v, want the key's session expiring at %s", out, wantExp)
	}

	for _, tt := range []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"list-sessions takes it", http.MethodGet, "/list-sessions", nil, 200},
		{"api-key/list takes it", http.MethodGet, "/api-key/list", nil, 200},
		{"api-key/create takes it", http.MethodPost, "/api-key/create", map[string]any{"name": "by-key"}, 200},
		{"change-password needs a cookie", http.MethodPost, "/change-password", map[string]any{"currentPassword": "correct horse battery", "newPassword": "another horse battery"}, 401},
		{"revoke-sessions needs a cookie", http.MethodPost, "/revoke-sessions", map[string]any{}, 401},
		{"admin endpoints need a cookie", http.MethodGet, "/admin/list-users", nil, 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, out := s.doHeader(tt.method, tt.path, "", keyHeader(key), tt.body); code != tt.want {
				t.Fatalf("%d %v, want %d", code, out, tt.want)
			}
		})
	}

	// The rate limit: 10 uses a day by default; create counted none, the requests above counted 7.
	var last map[string]any
	for i := 0; i < 10 && code != 429; i++ {
		code, last = s.doHeader(http.MethodGet, "/get-session", "", keyHeader(key), nil)
	}
	details, _ := last["details"].(map[string]any)
	if code != 429 || last["code"] != "RATE_LIMITED" || last["message"] != "Rate limit exceeded." || details["tryAgainIn"].(float64) <= 0 {
		t.Errorf("past the rate limit: %d %v, want 429 RATE_LIMITED with details.tryAgainIn", code, last)
	}

	expiring := s.create(cookie, map[string]any{"name": "expiring", "expiresIn": 86400})
	withExpiry := s.create(cookie, map[string]any{"name": "with-expiry", "expiresIn": 2 * 86400})
	if _, out := s.doHeader(http.MethodGet, "/get-session", "", keyHeader(withExpiry["key"].(string)), nil); out["session"].(map[string]any)["expiresAt"] != withExpiry["expiresAt"] {
		t.Errorf("a key with an expiry: session %v, want it to expire with the key at %v", out["session"], withExpiry["expiresAt"])
	}
	disabled := s.create(cookie, map[string]any{"name": "disabled"})
	if code, out := s.do(http.MethodPost, "/api-key/update", cookie, map[string]any{"keyId": disabled["id"], "enabled": false}); code != 200 {
		t.Fatalf("disable: %d %v", code, out)
	}
	s.advance(86400*time.Second + time.Second)
	for _, tt := range []struct {
		name, key, path string
		status          int
		code            string
	}{
		{"short", "abc", "/get-session", 403, "INVALID_API_KEY"},
		{"unknown", strings.Repeat("x", 64), "/ok", 401, "INVALID_API_KEY"},
		{"disabled", disabled["key"].(string), "/get-session", 401, "KEY_DISABLED"},
		{"expired", expiring["key"].(string), "/list-sessions", 401, "KEY_EXPIRED"},
		{"expired, then deleted", expiring["key"].(string), "/get-session", 401, "INVALID_API_KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := s.doHeader(http.MethodGet, tt.path, "", keyHeader(tt.key), nil)
			if code != tt.status {
				t.Errorf("status %d, want %d (%v)", code, tt.status, out)
			}
			if out["code"] != tt.code {
				t.Errorf("code %v, want %s", out["code"], tt.code)
			}
		})
	}

	fresh := s.create(cookie, map[string]any{"name": "fresh"})
	if _, err := s.db.Exec(`update "user" set "banned" = 1 where "email" = 'ann@example.com'`); err != nil {
		t.Fatal(err)
	}
	if code, out := s.doHeader(http.MethodGet, "/get-session", "", keyHeader(fresh["key"].(string)), nil); code != 401 || out["code"] != "USER_BANNED" {
		t.Errorf("a banned owner's key: %d %v, want 401 USER_BANNED", code, out)
	}
}

// TestSessionFromAPIKeyOff: without EnableSessionForAPIKeys (Better Auth's default) the header is ignored:
// /get-session answers null and a junk key is no error.
func TestSessionFromAPIKeyOff(t *testing.T) {
	s := newServer(t)
	cookie := s.signUp("ann@example.com")
	key := s.create(cookie, map[string]any{"name": "ci"})["key"].(string)
	for _, k := range []string{key, "junk"} {
		code, out := s.doHeader(http.MethodGet, "/get-session", "", keyHeader(k), nil)
		if code != 200 || out != nil {
			t.Errorf("get-session with x-api-key %.8s…: %d %v, want 200 null", k, code, out)
		}
	}
}

// TestEndpointsSweepExpiredKeys: the endpoints delete expired keys after their work, at most every 10
// seconds, as the plugin's deleteAllExpiredApiKeys: a list lists an expired key once (it read before
// sweeping), the next list no more; a key expiring later is swept only after the throttle.
func TestEndpointsSweepExpiredKeys(t *testing.T) {
	s := newServer(t)
	cookie := s.signUp("ann@example.com")
	s.create(cookie, map[string]any{"name": "short", "expiresIn": 86400})
	s.create(cookie, map[string]any{"name": "longer", "expiresIn": 86400 + 5})
	s.create(cookie, map[string]any{"name": "forever"})
	s.advance(86400*time.Second + time.Second)
	total := func() any {
		t.Helper()
		code, out := s.do(http.MethodGet, "/api-key/list", cookie, nil)
		if code != 200 {
			t.Fatalf("list: %d %v", code, out)
		}
		return out["total"]
	}
	if got := total(); got != float64(3) {
		t.Fatalf("first list after the expiry: total %v, want 3 (the sweep comes after the read)", got)
	}
	if got := total(); got != float64(2) {
		t.Fatalf("second list: total %v, want 2", got)
	}
	s.advance(5 * time.Second) // "longer" has expired, but the last sweep was 5 s ago
	total()
	if got := total(); got != float64(2) {
		t.Fatalf("within 10 s of the sweep: total %v, want 2", got)
	}
	s.advance(6 * time.Second)
	total()
	if got := total(); got != float64(1) {
		t.Fatalf("after 10 s: total %v, want 1", got)
	}
}
