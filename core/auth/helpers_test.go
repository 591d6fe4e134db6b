package auth_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// testNow is the fixed clock of these tests.
var testNow = time.Unix(1_800_000_000, 0)

const testSecret = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz"

func fixedNow() time.Time { return testNow }

// newIssuer starts an EdDSA issuer on the test clock.
func newIssuer(t testing.TB, alg string) *authtest.Issuer {
	t.Helper()
	is, err := authtest.NewIssuer(alg)
	if err != nil {
		t.Fatal(err)
	}
	is.SetNow(fixedNow)
	t.Cleanup(is.Close)
	return is
}

// newAuth builds an Auth for is with the test clock; edit adjusts the config.
func newAuth(t testing.TB, is *authtest.Issuer, edit func(*auth.Config)) *auth.Auth {
	t.Helper()
	cfg := auth.Config{BaseURL: is.URL(), Now: fixedNow, Secret: testSecret}
	if edit != nil {
		edit(&cfg)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// forge signs header.payload (given as JSON text, used byte for byte) with the issuer's Ed25519 key.
func forge(t testing.TB, is *authtest.Issuer, header, payload string) string {
	t.Helper()
	priv, ok := is.PrivateKey().(ed25519.PrivateKey)
	if !ok {
		t.Fatal("forge needs an EdDSA issuer")
	}
	input := b64(header) + "." + b64(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(input)))
}

// payload returns a valid Better Auth-shaped payload for is, with replacements applied as raw string
// substitutions on the JSON text.
func payload(t testing.TB, is *authtest.Issuer, replace ...string) string {
	t.Helper()
	p, err := is.Payload(authtest.Claims{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(p)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("payload %s has no %q", s, replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	return s
}

func kidHeader(is *authtest.Issuer) string { return `{"alg":"EdDSA","kid":"` + is.KeyID() + `"}` }

// checkErr asserts err matches every one of wants, each checked on its own.
func checkErr(t *testing.T, err error, wants ...error) {
	t.Helper()
	if len(wants) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted; want %v", wants)
	}
	for _, w := range wants {
		if !errors.Is(err, w) {
			t.Errorf("error %q is not %v", err, w)
		}
	}
}

func verify(a *auth.Auth, tok string) (*auth.Claims, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.VerifyToken(ctx, tok)
}
