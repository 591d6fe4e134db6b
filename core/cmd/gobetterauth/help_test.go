package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestEveryCommandHelp: --help and -h on the tool and on every command exit 0 and print, to standard
// output, the usage, a one-line summary, every flag in the --flag form only, and the exit codes.
func TestEveryCommandHelp(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		wants []string
	}{
		{name: "tool", args: []string{"--help"}, wants: []string{"usage: gobetterauth COMMAND", "verify-token", "verify-session", "migrate", "secret generate", "secret check", "doctor", "exit status: 0"}},
		{name: "tool -h", args: []string{"-h"}, wants: []string{"usage: gobetterauth COMMAND"}},
		{name: "verify-token", args: []string{"verify-token", "--help"}, wants: []string{"usage: gobetterauth verify-token [flags] TOKEN|-", cmdVerifyToken.summary, "--base-url STRING", "--jwks-url", "--issuer", "--audience", "--hs256-secret-env", "--timeout DURATION", "exit status: 0 valid"}},
		{name: "verify-session", args: []string{"verify-session", "--help"}, wants: []string{"usage: gobetterauth verify-session [flags] COOKIE-HEADER|-", "--secret-env", "--database-url", "--cookie-prefix", "--secure", "--cookie-cache", "exit status:"}},
		{name: "migrate", args: []string{"migrate", "--help"}, wants: []string{"usage: gobetterauth migrate [flags]", "--database-url", "--dry-run", "--timeout", "exit status: 0 done"}},
		{name: "migrate -h", args: []string{"migrate", "-h"}, wants: []string{"usage: gobetterauth migrate"}},
		{name: "secret", args: []string{"secret", "--help"}, wants: []string{"usage: gobetterauth secret generate|check", "secret generate", "secret check"}},
		{name: "secret generate", args: []string{"secret", "generate", "--help"}, wants: []string{"usage: gobetterauth secret generate [flags]", "--version N", "exit status: 0 printed"}},
		{name: "doctor", args: []string{"doctor", "--help"}, wants: []string{"usage: gobetterauth doctor [flags]", cmdDoctor.summary, "--base-url STRING", "--base-path", "--cookie", "--token", "--secret-env", "--timeout DURATION", "exit status: 0 the API can agree"}},
		{name: "secret check", args: []string{"secret", "check", "--help"}, wants: []string{"usage: gobetterauth secret check", "exit status: 0 fit; 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" }); code != exitOK {
				t.Errorf("exit %d, want 0; stderr %q", code, stderr.String())
			}
			out := stdout.String()
			for _, w := range tt.wants {
				if !strings.Contains(out, w) {
					t.Errorf("help does not contain %q:\n%s", w, out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "-") && !strings.HasPrefix(f[0], "--") {
					t.Errorf("a flag in the -flag form: %q", line)
				}
			}
		})
	}
}

// TestSecretValueNeverPrinted: a secret pasted where the name of its variable belongs is not echoed.
func TestSecretValueNeverPrinted(t *testing.T) {
	const secret = "8a1f0c5e2b9d47a6c3e1f8b0d2a4c6e8f0b2d4a6c8e0f2b4d6a8c0e2f4b6d8a0"
	for _, args := range [][]string{
		{"verify-session", "--secret-env", secret, "--database-url", "sqlite::memory:", "x=y"},
		{"verify-token", "--base-url", "http://localhost:3000", "--hs256-secret-env", secret, "a.b.c"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
		if code != exitUsage || strings.Contains(stderr.String()+stdout.String(), secret[:12]) ||
			!strings.Contains(stderr.String(), "not the secret itself") {
			t.Errorf("%s: exit %d, stderr %q: want 2, advice, and no secret", args[0], code, stderr.String())
		}
	}
}

// TestErrorsWithoutPackagePrefixes: what the tool prints reads "gobetterauth: <what>", not the Go
// package names of the errors inside it.
func TestErrorsWithoutPackagePrefixes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run([]string{"migrate", "--database-url", "mongodb://x"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	if got := stderr.String(); !strings.HasPrefix(got, "gobetterauth: ") || strings.Contains(got, "storeurl:") {
		t.Errorf("stderr %q", got)
	}
}
