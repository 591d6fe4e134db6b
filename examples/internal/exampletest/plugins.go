package exampletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// callAPI calls auth.api.<name> on the interop server (POST /__test/api/<name>); with a cookie the call is
// made as that user, else as a server call.
func callAPI(t *testing.T, base, name, cookie string, body any) json.RawMessage {
	t.Helper()
	in := map[string]any{"body": body}
	if cookie != "" {
		in["headers"] = map[string]string{"cookie": cookie}
	}
	b, _ := json.Marshal(in)
	resp, err := http.Post(base+"/__test/api/"+name, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Status != 200 {
		t.Fatalf("auth.api.%s: %d %s %v", name, out.Status, out.Body, err)
	}
	return out.Body
}

func userID(t *testing.T, base, cookie string) string {
	t.Helper()
	var s struct{ User struct{ ID string } }
	if err := json.Unmarshal(callAPI(t, base, "getSession", cookie, nil), &s); err != nil || s.User.ID == "" {
		t.Fatalf("getSession: %v", err)
	}
	return s.User.ID
}

// runPluginRoutes checks the plugin routes (issue 14 item 4) with what the real server made: API keys
// created through the api-key plugin, an organization whose owner and member act in it.
func runPluginRoutes(t *testing.T, base string, h http.Handler, ownerCookie string) {
	t.Run("plugin routes", func(t *testing.T) {
		owner := userID(t, base, ownerCookie)
		key := func(body map[string]any) (string, string) {
			body["userId"] = owner
			var k struct{ Key, ID string }
			if err := json.Unmarshal(callAPI(t, base, "createApiKey", "", body), &k); err != nil {
				t.Fatal(err)
			}
			return k.Key, k.ID
		}
		files := map[string][]string{"files": {"read"}}
		good, goodID := key(map[string]any{"permissions": files, "rateLimitEnabled": false})
		noPerm, _ := key(map[string]any{"permissions": map[string][]string{"files": {"write"}}, "rateLimitEnabled": false})
		usedUp, _ := key(map[string]any{"permissions": files, "remaining": 1, "rateLimitEnabled": false})
		limited, _ := key(map[string]any{"permissions": files, "rateLimitMax": 1, "rateLimitTimeWindow": 60000})
		disabled, disabledID := key(map[string]any{"permissions": files})
		callAPI(t, base, "updateApiKey", "", map[string]any{"keyId": disabledID, "userId": owner, "enabled": false})

		slug := fmt.Sprintf("acme-%d", time.Now().UnixNano())
		var org struct{ ID string }
		if err := json.Unmarshal(callAPI(t, base, "createOrganization", "", map[string]any{"name": "Acme", "slug": slug, "userId": owner}), &org); err != nil {
			t.Fatal(err)
		}
		memberCookie, _ := signUp(t, base)
		callAPI(t, base, "addMember", "", map[string]any{"userId": userID(t, base, memberCookie), "role": "member", "organizationId": org.ID})
		outsiderCookie, _ := signUp(t, base)
		for _, c := range []string{ownerCookie, memberCookie} {
			callAPI(t, base, "setActiveOrganization", c, map[string]any{"organizationId": org.ID})
		}

		for _, tt := range []struct {
			name, method, target, key, cookie string
			status                            int
			contains                          string
		}{
			{"files", "GET", "/api/files", good, "", 200, `"keyId":"` + goodID + `"`},
			{"files, key lacks the permission", "GET", "/api/files", noPerm, "", 403, `"FORBIDDEN"`},
			{"files, disabled key", "GET", "/api/files", disabled, "", 401, `"KEY_DISABLED"`},
			{"files, unknown key", "GET", "/api/files", strings.Repeat("x", 64), "", 401, `"INVALID_API_KEY"`},
			{"files, no key", "GET", "/api/files", "", ownerCookie, 403, `"FORBIDDEN"`},
			{"files, first use", "GET", "/api/files", usedUp, "", 200, `"userId":"` + owner + `"`},
			{"files, used up", "GET", "/api/files", usedUp, "", 429, `"USAGE_EXCEEDED"`},
			{"files, within the rate limit", "GET", "/api/files", limited, "", 200, `"keyId"`},
			{"files, rate limited", "GET", "/api/files", limited, "", 429, `"RATE_LIMITED"`},
			{"org, owner", "GET", "/api/org", "", ownerCookie, 200, `"role":"owner"`},
			{"org, member", "GET", "/api/org", "", memberCookie, 200, `"organizationId":"` + org.ID + `"`},
			{"org, no active organization", "GET", "/api/org", "", outsiderCookie, 403, `"FORBIDDEN"`},
			{"org, anonymous", "GET", "/api/org", "", "", 401, `"UNAUTHORIZED"`},
			{"projects, owner", "POST", "/api/org/projects", "", ownerCookie, 201, org.ID},
			{"projects, member", "POST", "/api/org/projects", "", memberCookie, 403, `"FORBIDDEN"`},
			{"projects, no active organization", "POST", "/api/org/projects", "", outsiderCookie, 403, `"FORBIDDEN"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequest(tt.method, tt.target, nil)
				if tt.key != "" {
					req.Header.Set("X-Api-Key", tt.key)
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
				if rec.Code == 429 && rec.Header().Get("Retry-After") == "" && strings.Contains(body, "RATE_LIMITED") {
					t.Errorf("429 without Retry-After")
				}
			})
		}
	})
}
