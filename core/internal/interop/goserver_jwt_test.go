package interop_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// kidOf returns a JWS's kid header.
func jwsKid(t *testing.T, tok string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Kid string }
	json.Unmarshal(h, &v)
	return v.Kid
}

// verifierFor verifies tokens issued by iss against the key set of keys (another server's /jwks).
func verifierFor(t *testing.T, keys *interop.Server, iss string) *auth.Auth {
	t.Helper()
	a, err := auth.New(auth.Config{BaseURL: iss, JWKSURL: keys.AuthURL("/jwks")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSharedJWTKeys: a Go server and the real Better Auth server on one database share the JWT plugin's
// keys both ways — a key either creates is the one the other signs with (after a restart), each server's
// tokens verify against the other's /jwks, and after a rotation the old key keeps verifying during the
// grace period while both sign with the new one.
func TestSharedJWTKeys(t *testing.T) {
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const rotation = 4 * time.Second
	for _, first := range []string{"go", "node"} {
		t.Run(first+" creates the key", func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "shared.db")
			env := map[string]string{"DB_FILE": file, "JWKS_ROTATION_INTERVAL": "4"}
			goCfg := func(c *authserver.Config) {
				c.Plugins = append(c.Plugins, authserver.JWT(authserver.JWTConfig{RotationInterval: rotation}))
			}
			var g, n *interop.Server
			if first == "go" {
				g = startGoServer(t, "sqlite:"+file, interop.DefaultSecret, goCfg)
				if _, err := g.JWKS(ctx); err != nil { // creates the first key
					t.Fatal(err)
				}
				n = interop.NewServer(t, env)
			} else {
				n = interop.NewServer(t, env)
				if _, err := n.JWKS(ctx); err != nil {
					t.Fatal(err)
				}
				g = startGoServer(t, "sqlite:"+file, interop.DefaultSecret, goCfg)
			}
			email := "jwt-" + first + "@example.com"
			cookie, err := g.SignUp(ctx, email, password, "JWT")
			if err != nil {
				t.Fatal(err)
			}
			goTok, err := g.Token(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			nodeTok, err := n.Token(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			if jwsKid(t, goTok) != jwsKid(t, nodeTok) {
				t.Fatalf("the servers sign with different keys: go %s, node %s", jwsKid(t, goTok), jwsKid(t, nodeTok))
			}
			// Each server's token verifies against the other's key set (issuer = its own origin).
			if _, err := verifierFor(t, n, g.BaseURL).VerifyToken(ctx, goTok); err != nil {
				t.Fatalf("Go's token against Node's /jwks: %v", err)
			}
			if _, err := verifierFor(t, g, n.BaseURL).VerifyToken(ctx, nodeTok); err != nil {
				t.Fatalf("Node's token against Go's /jwks: %v", err)
			}
			// Rotation: once the key expires the next token gets a new key (made by whichever signs first);
			// the old token still verifies on both key sets during the grace period.
			time.Sleep(rotation + 500*time.Millisecond)
			goTok2, err := g.Token(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			nodeTok2, err := n.Token(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			if jwsKid(t, goTok2) == jwsKid(t, goTok) || jwsKid(t, goTok2) != jwsKid(t, nodeTok2) {
				t.Fatalf("after rotation: old %s, go %s, node %s", jwsKid(t, goTok), jwsKid(t, goTok2), jwsKid(t, nodeTok2))
			}
			for name, ks := range map[string]*interop.Server{"go": g, "node": n} {
				if _, err := verifierFor(t, ks, g.BaseURL).VerifyToken(ctx, goTok); err != nil {
					t.Fatalf("the pre-rotation token against %s's /jwks: %v", name, err)
				}
				if _, err := verifierFor(t, ks, g.BaseURL).VerifyToken(ctx, goTok2); err != nil {
					t.Fatalf("the new token against %s's /jwks: %v", name, err)
				}
			}
		})
	}
}
