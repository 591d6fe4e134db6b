package jwtissue_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
)

var secrets = jwtissue.Secrets{
	Versions: []jwtissue.Versioned{{Version: 2, Value: "current-secret-0123456789abcdefghijklmnopqrs"}},
	Legacy:   "legacy-secret-0123456789abcdefghijklmnopqrstuv",
}

var algs = []string{"EdDSA", "ES256", "ES512", "RS256", "PS256"}

// TestGenerate generates a key for each algorithm and storage form, opens its row again, and checks what
// the row holds.
func TestGenerate(t *testing.T) {
	now := time.Date(2026, 11, 28, 13, 29, 11, 175_900_000, time.UTC)
	for _, alg := range append([]string{""}, algs...) {
		for _, encrypt := range []bool{true, false} {
			name := alg
			if !encrypt {
				name += "/unencrypted"
			}
			t.Run(name, func(t *testing.T) {
				k, r, err := jwtissue.Generate(alg, secrets, encrypt, now)
				if err != nil {
					t.Fatal(err)
				}
				wantAlg := alg
				if alg == "" {
					wantAlg = "EdDSA"
				}
				wantCrv := map[string]string{"EdDSA": "Ed25519", "ES256": "P-256", "ES512": "P-521"}[wantAlg]
				if r.Alg != wantAlg || r.Crv != wantCrv || len(r.ID) != 32 || r.ExpiresAt != nil ||
					!r.CreatedAt.Equal(now.Truncate(time.Millisecond)) {
					t.Errorf("row %+v", r)
				}
				if strings.HasPrefix(r.PrivateKey, `"$ba$2$`) != encrypt || strings.HasPrefix(r.PrivateKey, `{`) == encrypt {
					t.Errorf("privateKey %.40s…", r.PrivateKey)
				}
				open := func() (*jwtissue.Key, error) { return jwtissue.Open(*r, secrets) }
				if !encrypt {
					open = func() (*jwtissue.Key, error) { return jwtissue.OpenUnencrypted(*r) }
					if _, err := jwtissue.Open(*r, secrets); !errors.Is(err, jwtissue.ErrKey) {
						t.Errorf("Open of an unencrypted row: %v", err)
					}
				} else if _, err := jwtissue.OpenUnencrypted(*r); !errors.Is(err, jwtissue.ErrKey) {
					t.Errorf("OpenUnencrypted of an encrypted row: %v", err)
				}
				k2, err := open()
				if err != nil {
					t.Fatal(err)
				}
				if k2.ID != k.ID || k2.Alg != k.Alg || k2.Crv != k.Crv || !k2.CreatedAt.Equal(k.CreatedAt) {
					t.Errorf("opened %+v, generated %+v", k2, k)
				}
				a, _ := jwtissue.JWKS([]*jwtissue.Key{k})
				b, _ := jwtissue.JWKS([]*jwtissue.Key{k2})
				if string(a) != string(b) {
					t.Errorf("JWKS %s vs %s", a, b)
				}
			})
		}
	}
}

func TestOpenErrors(t *testing.T) {
	_, ed, _ := jwtissue.Generate("EdDSA", secrets, true, time.Now())
	_, ed2, _ := jwtissue.Generate("EdDSA", secrets, true, time.Now())
	_, es, _ := jwtissue.Generate("ES256", secrets, true, time.Now())
	_, unencrypted, _ := jwtissue.Generate("ES256", secrets, false, time.Now())
	tests := []struct {
		name string
		row  jwtissue.Row
		err  error
	}{
		{name: "public key of another key", row: jwtissue.Row{ID: "x", PublicKey: ed2.PublicKey, PrivateKey: ed.PrivateKey, Alg: "EdDSA"}, err: jwtissue.ErrKey},
		{name: "alg of another key type", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: ed.PrivateKey, Alg: "ES256"}, err: jwtissue.ErrAlgorithm},
		{name: "curve of another alg", row: jwtissue.Row{ID: "x", PublicKey: es.PublicKey, PrivateKey: es.PrivateKey, Alg: "ES512"}, err: jwtissue.ErrAlgorithm},
		{name: "unknown alg", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: ed.PrivateKey, Alg: "HS256"}, err: jwtissue.ErrAlgorithm},
		{name: "row without alg is EdDSA", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: ed.PrivateKey}},
		{name: "public key not JSON", row: jwtissue.Row{ID: "x", PublicKey: "{", PrivateKey: ed.PrivateKey, Alg: "EdDSA"}, err: jwtissue.ErrKey},
		{name: "private JWK as public key", row: jwtissue.Row{ID: "x", PublicKey: unencrypted.PrivateKey, PrivateKey: ed.PrivateKey, Alg: "ES256"}, err: jwtissue.ErrKey},
		{name: "private key not a string", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: `42`, Alg: "EdDSA"}, err: jwtissue.ErrKey},
		{name: "envelope of a non-JWK", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: envelope(t, `{"kty":"OKP"}`), Alg: "EdDSA"}, err: jwtissue.ErrKey},
		{name: "envelope of a public JWK", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: envelope(t, ed.PublicKey), Alg: "EdDSA"}, err: jwtissue.ErrKey},
		{name: "envelope with a retired version", row: jwtissue.Row{ID: "x", PublicKey: ed.PublicKey, PrivateKey: `"$ba$1$00"`, Alg: "EdDSA"}, err: jwtissue.ErrSecretVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwtissue.Open(tt.row, secrets)
			if !errors.Is(err, tt.err) {
				t.Errorf("Open: %v, want %v", err, tt.err)
			}
		})
	}
	// OpenPublic needs only the public key: a row encrypted under a retired secret still publishes.
	retired := *ed
	retired.PrivateKey = `"$ba$1$00"`
	if k, err := jwtissue.OpenPublic(retired); err != nil || k.Private != nil || k.ID != ed.ID {
		t.Errorf("OpenPublic: %+v %v", k, err)
	}
	if _, err := jwtissue.Sign(&jwtissue.Key{ID: "x", Alg: "EdDSA"}, nil); !errors.Is(err, jwtissue.ErrKey) {
		t.Errorf("Sign without a private key: %v", err)
	}
}

func envelope(tb testing.TB, s string) string {
	tb.Helper()
	env, err := jwtissue.Encrypt(secrets, s)
	if err != nil {
		tb.Fatal(err)
	}
	return `"` + env + `"`
}

// TestSignVerifiedByAuth signs with a key of each algorithm and verifies the token with this module's own
// verifier (auth.VerifyToken) against an httptest server serving JWKS of the keys, as the /jwks endpoint
// would.
func TestSignVerifiedByAuth(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			now := time.Now()
			var keys []*jwtissue.Key
			for i := range 2 { // a second key of another algorithm, so the kid must pick
				a := alg
				if i == 1 {
					a = algs[(indexOf(alg)+1)%len(algs)]
				}
				k, _, err := jwtissue.Policy{Alg: a}.Generate(secrets, now)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			body, err := jwtissue.JWKS(keys)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			a, err := auth.New(auth.Config{BaseURL: srv.URL, JWKSURL: srv.URL + "/api/auth/jwks"})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := jwtissue.Claims(jwtissue.Session{User: []byte(`{"name":"Ada","id":"user-1"}`)},
				jwtissue.ClaimsOptions{BaseURL: srv.URL + "/api/auth"}, now)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwtissue.SignPayload(keys[0], payload)
			if err != nil {
				t.Fatal(err)
			}
			c, err := a.VerifyToken(context.Background(), tok)
			if err != nil {
				t.Fatalf("VerifyToken: %v\n%s", err, body)
			}
			if c.Subject != "user-1" || c.KeyID != keys[0].ID || c.Algorithm != alg || c.Issuer != srv.URL ||
				c.ExpiresAt.Unix() != now.Unix()+900 {
				t.Errorf("claims %+v", c)
			}
			// Sign (a Go map) verifies too; a token from a key not in the set does not.
			tok, err = jwtissue.Sign(keys[1], map[string]any{"sub": "u", "iss": srv.URL, "aud": srv.URL,
				"iat": now.Unix(), "exp": now.Unix() + 60})
			if err != nil {
				t.Fatal(err)
			}
			if c, err := a.VerifyToken(context.Background(), tok); err != nil || c.KeyID != keys[1].ID {
				t.Errorf("Sign: %+v %v", c, err)
			}
			other, _, _ := jwtissue.Generate(alg, secrets, true, now)
			if tok, err = jwtissue.SignPayload(other, payload); err != nil {
				t.Fatal(err)
			}
			if _, err := a.VerifyToken(context.Background(), tok); err == nil {
				t.Error("a token from a key outside the set verified")
			}
		})
	}
}

func indexOf(alg string) int {
	for i, a := range algs {
		if a == alg {
			return i
		}
	}
	return -1
}
