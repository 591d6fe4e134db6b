package authserver_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
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

// TestServerJWTAdditionalFields: Better Auth's JWT plugin puts the session's user in the payload by
// default (getJwtToken: ctx.context.session.user), so declared user.additionalFields are claims of /token
// and of the set-auth-jwt header, whether the session was read from the database or from the cookie cache,
// and a JWTPayload hook sees them.
func TestServerJWTAdditionalFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cache auth.CacheStrategy
		hook  bool
	}{
		{name: "database"},
		{name: "cookie cache", cache: auth.CacheCompact},
		{name: "payload hook", hook: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hooked map[string]any
			s := newFieldServer(t, func(c *authserver.Config) {
				c.Auth.CookieCache.Strategy = tc.cache
				c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{}))
				c.User.AdditionalFields = map[string]authserver.AdditionalField{
					"nickname": {},
					"age":      {Type: sqlstore.FieldNumber},
					"plan":     {NoInput: true, Default: "free"},
					"note":     {},
				}
				if tc.hook {
					c.Hooks.JWTPayload = func(_ context.Context, _ store.Session, _ store.User, claims map[string]any) error {
						hooked = maps.Clone(claims)
						return nil
					}
				}
			})
			b := s.browser(t)
			b.do("POST", "/sign-up/email", `{"name":"A","email":"fields@example.com","password":"password123","nickname":"nick","age":41}`).want(t, 200, "")
			tok := b.do("GET", "/token", "")
			tok.want(t, 200, "")
			raw, _ := tok.json["token"].(string)
			hdr := b.do("GET", "/get-session", "").header.Get("Set-Auth-Jwt")
			for _, tk := range []string{raw, hdr} {
				claims := jwtPayload(t, tk)
				if claims["nickname"] != "nick" || claims["age"] != float64(41) || claims["plan"] != "free" || claims["email"] != "fields@example.com" {
					t.Fatalf("payload %v: want nickname nick, age 41, plan free beside the core fields", claims)
				}
				if v, ok := claims["note"]; !ok || v != nil {
					t.Fatalf("payload note = %v (present %v), want null as Better Auth's user object has it", v, ok)
				}
			}
			if tc.hook && hooked["nickname"] != "nick" {
				t.Fatalf("hook claims %v, want the additional fields", hooked)
			}
		})
	}
}

// jwtPayload decodes a compact JWT's payload without checking it.
func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
