package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestSecretGenerate(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"secret", "generate"}, nil, &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out.String()) {
		t.Fatalf("generated %q", out.String())
	}
	out.Reset()
	run([]string{"secret", "generate", "--version", "3"}, nil, &out, &errb, func(string) string { return "" })
	if !regexp.MustCompile(`^3:[0-9a-f]{64}\n$`).MatchString(out.String()) {
		t.Fatalf("generated %q", out.String())
	}
}

func TestSecretCheck(t *testing.T) {
	good := "2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe"
	good2 := "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e01"
	for _, tt := range []struct {
		name string
		env  map[string]string
		code int
		msg  string
	}{
		{"none", nil, 1, "neither"},
		{"short", map[string]string{"BETTER_AUTH_SECRET": "short"}, 1, "at least 32"},
		{"default", map[string]string{"BETTER_AUTH_SECRET": "better-auth-secret-12345678901234567890"}, 1, "default"},
		{"low entropy", map[string]string{"BETTER_AUTH_SECRET": strings.Repeat("ab", 20)}, 1, "entropy"},
		{"repeated version", map[string]string{"BETTER_AUTH_SECRETS": "1:" + good + ",1:" + good2}, 1, "repeated"},
		{"malformed list", map[string]string{"BETTER_AUTH_SECRETS": "nocolon"}, 1, "BETTER_AUTH_SECRETS"},
		{"single ok", map[string]string{"BETTER_AUTH_SECRET": good}, 0, "signs and encrypts everything"},
		{"rotated ok", map[string]string{"BETTER_AUTH_SECRETS": "2:" + good + ",1:" + good2, "BETTER_AUTH_SECRET": good2}, 0, "legacy secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"secret", "check"}, nil, &out, &errb, func(k string) string { return tt.env[k] })
			if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.msg) {
				t.Fatalf("exit %d, out %q, err %q", code, out.String(), errb.String())
			}
			if strings.Contains(out.String()+errb.String(), good) {
				t.Fatal("printed a secret")
			}
		})
	}
}
