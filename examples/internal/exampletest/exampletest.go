// Package exampletest checks that an example serves the routes every gobetterauth example shares, with a
// token from a fake Better Auth issuer (authtest).
package exampletest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// Run builds the example's handler with newHandler for a fresh Auth trusting a fake issuer, and checks
// every shared route: GET /api/public, /api/me, /api/admin, /dashboard, /login and /healthz.
func Run(t *testing.T, newHandler func(t *testing.T, a *auth.Auth) http.Handler) {
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	a, err := auth.New(auth.Config{BaseURL: is.URL()})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, a)
	user := is.MustMint(authtest.Claims{ID: "u1", Email: "ada@example.com", Name: "Ada"})
	admin := is.MustMint(authtest.Claims{ID: "u2", Email: "grace@example.com", Name: "Grace", Extra: map[string]any{"role": "admin"}})

	tests := []struct {
		name, target, token string
		status              int
		contains            string // in the body
		location            string
	}{
		{"health", "/healthz", "", 200, "ok", ""},
		{"public", "/api/public", "", 200, `"message"`, ""},
		{"public with a bad token", "/api/public", "garbage", 200, `"message"`, ""},
		{"me, anonymous", "/api/me", "", 401, `{"code":"UNAUTHORIZED","message":"Unauthorized"}`, ""},
		{"me, bad token", "/api/me", "garbage", 401, `"INVALID_TOKEN"`, ""},
		{"me", "/api/me", user, 200, `"email":"ada@example.com"`, ""},
		{"admin, anonymous", "/api/admin", "", 401, `"UNAUTHORIZED"`, ""},
		{"admin, not an admin", "/api/admin", user, 403, `{"code":"FORBIDDEN","message":"Forbidden"}`, ""},
		{"admin", "/api/admin", admin, 200, "Grace", ""},
		{"dashboard, anonymous", "/dashboard", "", 303, "", "/login?callbackUrl=/dashboard"},
		{"dashboard, bad token", "/dashboard", "garbage", 303, "", "/login?callbackUrl=/dashboard"},
		{"dashboard", "/dashboard", user, 200, "Ada", ""},
		{"login page", "/login", "", 200, "Sign in", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Result().Body)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tt.status, body)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("body %s does not contain %s", body, tt.contains)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
		})
	}

	t.Run("me shape", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+user)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var me struct {
			User    map[string]any `json:"user"`
			Session map[string]any `json:"session"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		if me.User["id"] != "u1" || me.User["name"] != "Ada" || me.Session["credential"] != "jwt" || me.Session["expiresAt"] == nil {
			t.Errorf("/api/me answered %s", rec.Body)
		}
	})
}
