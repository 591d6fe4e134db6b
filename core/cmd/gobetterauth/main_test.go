package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

const secret = "cli-test-secret-0123456789abcdefghijklmnop"

func TestVerifyToken(t *testing.T) {
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	tok := is.MustMint(authtest.Claims{ID: "u1", Email: "cli@example.com"})
	expired := is.MustMint(authtest.Claims{ExpiresAt: time.Now().Add(-time.Hour)})
	payload, _ := is.Payload(authtest.Claims{ID: "u2"})
	hs, err := authtest.SignHS256(secret, payload)
	if err != nil {
		t.Fatal(err)
	}
	env := func(name string) string {
		if name == "MY_SECRET" {
			return secret
		}
		return ""
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"valid", []string{"verify-token", "--base-url", is.URL(), tok}, "", 0, `"email": "cli@example.com"`, ""},
		{"stdin", []string{"verify-token", "--base-url", is.URL(), "-"}, tok + "\n", 0, `"sub": "u1"`, ""},
		{"jwks url only", []string{"verify-token", "--jwks-url", is.JWKSURL(), tok}, "", 0, `"sub": "u1"`, ""},
		{"expired", []string{"verify-token", "--base-url", is.URL(), expired}, "", 1, "", "auth: token expired"},
		{"tampered", []string{"verify-token", "--base-url", is.URL(), tok[:len(tok)-3] + "AAA"}, "", 1, "", "auth: invalid token"},
		{"wrong audience", []string{"verify-token", "--base-url", is.URL(), "--audience", "api://x", tok}, "", 1, "", "aud"},
		{"second issuer", []string{"verify-token", "--base-url", is.URL(), "--issuer", "https://x", "--issuer", is.URL(), tok}, "", 0, `"sub"`, ""},
		{"hs256", []string{"verify-token", "--base-url", is.URL(), "--hs256-secret-env", "MY_SECRET", hs}, "", 0, `"sub": "u2"`, ""},
		{"hs256 off", []string{"verify-token", "--base-url", is.URL(), hs}, "", 1, "", "algorithm not accepted"},
		{"hs256 empty env", []string{"verify-token", "--base-url", is.URL(), "--hs256-secret-env", "NOPE", hs}, "", 2, "", "NOPE (from --hs256-secret-env) is empty"},
		{"jwks down", []string{"verify-token", "--jwks-url", "http://127.0.0.1:1/jwks", tok}, "", 3, "", "unavailable"},
		{"no command", nil, "", 2, "", "usage"},
		{"unknown command", []string{"frobnicate"}, "", 2, "", "unknown command"},
		{"no token", []string{"verify-token", "--base-url", is.URL()}, "", 2, "", "exactly one TOKEN"},
		{"no url", []string{"verify-token", tok}, "", 2, "", "--base-url or --jwks-url"},
		{"bad flag", []string{"verify-token", "--nope", tok}, "", 2, "", "flag provided but not defined"},
		{"bad base url", []string{"verify-token", "--base-url", "example.com", tok}, "", 2, "", "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &out, &errOut, env)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			if code == 0 && !json.Valid(out.Bytes()) {
				t.Errorf("stdout is not JSON: %s", out.String())
			}
			if code != 0 && strings.Contains(errOut.String(), tok[:20]) {
				t.Error("token bytes printed on error")
			}
		})
	}
}
