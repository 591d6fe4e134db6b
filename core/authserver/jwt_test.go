package authserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// TestServerJWT: /token and set-auth-jwt tokens verify against /jwks with the verifier side, carry Better
// Auth's claims plus a hook's, and the key persists in the jwks table.
func TestServerJWT(t *testing.T) {
	for _, alg := range []string{"EdDSA", "ES256", "ES512", "RS256", "PS256"} {
		t.Run(alg, func(t *testing.T) {
			s := newServer(t, func(c *authserver.Config) {
				c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{Algorithm: alg}))
				c.Hooks.JWTPayload = func(_ context.Context, _ store.Session, u store.User, claims map[string]any) error {
					claims["role"] = "member"
					claims["permissions"] = []string{"posts:read"}
					return nil
				}
			})
			jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				s.a.ServeHTTP(rec, httptest.NewRequest("GET", srvBase+"/api/auth/jwks", nil))
				w.Header().Set("Content-Type", "application/json")
				w.Write(rec.Body.Bytes())
			}))
			defer jwksSrv.Close()
			b := s.browser(t)
			signUp(t, b, "jwt@example.com", "password123")
			tok := b.do("GET", "/token", "")
			tok.want(t, 200, "")
			raw, _ := tok.json["token"].(string)
			g := b.do("GET", "/get-session", "")
			hdr := g.header.Get("Set-Auth-Jwt")
			if hdr == "" || !strings.Contains(g.header.Get("Access-Control-Expose-Headers"), "set-auth-jwt") {
				t.Fatalf("get-session headers %v", g.header)
			}
			v, err := auth.New(auth.Config{BaseURL: srvBase, JWKSURL: jwksSrv.URL, Algorithms: []string{alg}, Now: s.clk.now})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range []string{raw, hdr} {
				cl, err := v.VerifyToken(t.Context(), tk)
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if cl.Subject != g.json["user"].(map[string]any)["id"] || cl.Issuer != srvBase {
					t.Fatalf("claims %+v", cl)
				}
				sess := &auth.Session{Claims: cl}
				role, _ := auth.Claim[string](sess, "role")
				perms, _ := auth.Claim[[]string](sess, "permissions")
				email, _ := auth.Claim[string](sess, "email")
				if role != "member" || len(perms) != 1 || email != "jwt@example.com" {
					t.Fatalf("custom claims %q %v %q", role, perms, email)
				}
				if cl.ExpiresAt.Sub(cl.IssuedAt) != 15*time.Minute {
					t.Fatalf("lifetime %v", cl.ExpiresAt.Sub(cl.IssuedAt))
				}
			}
			var n int
			s.db.QueryRow(`select count(*) from jwks`).Scan(&n)
			if n != 1 {
				t.Fatalf("%d keys", n)
			}
			var priv string
			s.db.QueryRow(`select "privateKey" from jwks`).Scan(&priv)
			var env string
			if json.Unmarshal([]byte(priv), &env) != nil || !strings.HasPrefix(env, "") || strings.Contains(priv, `"d"`) {
				t.Fatalf("private key stored in the clear: %.40s", priv)
			}
		})
	}
	// Without a session, /token is 401.
	s := newServer(t, func(c *authserver.Config) { c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{})) })
	s.browser(t).do("GET", "/token", "").want(t, 401, "UNAUTHORIZED")
}
