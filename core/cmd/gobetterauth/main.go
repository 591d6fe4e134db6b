// Command gobetterauth is gobetterauth's command-line tool.
//
// Usage:
//
//	gobetterauth verify-token [--base-url URL | --jwks-url URL] [--issuer ISS]... [--audience AUD]...
//	    [--hs256-secret-env NAME] [--timeout D] TOKEN|-
//	gobetterauth verify-session --secret-env NAME --database-url DSN [--cookie-prefix P] [--secure]
//	    [--cookie-cache STRATEGY] [--base-url URL] [--timeout D] COOKIE-HEADER|-
//	gobetterauth migrate --database-url DSN [--dry-run] [--timeout D]
//	gobetterauth secret generate [--version N]
//	gobetterauth secret check
//	gobetterauth doctor --base-url URL [--base-path P] [--cookie HEADER|-] [--token JWT] [--secret-env NAME]
//
// `gobetterauth --help` lists the commands with one line each; `gobetterauth COMMAND --help` prints a
// command's flags (always written --flag) and exit codes, and exits 0. The flag package is kept: a CLI
// library (cobra, urfave/cli) would bring a dependency into the core module to replace one help printer
// (help.go).
//
// secret generate prints a new secret (32 random bytes, hex), or "N:<secret>" to put first in
// BETTER_AUTH_SECRETS. secret check reads BETTER_AUTH_SECRET and BETTER_AUTH_SECRETS from the environment,
// never the command line, checks them as Better Auth reads them (length, entropy, unique versions, not the
// built-in default) and says what each secret is used for; exit status 1 when one is unfit.
//
// verify-token checks a Better Auth JWT the way the auth package does (JWT-plugin tokens against the server's
// JWKS, HS256 tokens against a secret read from the environment variable NAME, never from the command line)
// and prints its verified claims as JSON. A TOKEN of "-" is read from standard input, which keeps it out of
// the process list.
//
// verify-session checks a Cookie header the way a Better Auth server would: the signed session_token cookie
// with the secret from the environment variable NAME, then the session in the store named by DSN
// (sqlite:PATH, postgres://…, mysql://…, redis://…, https://… for a remote Better Auth server), or the
// session_data cookie cache when --cookie-cache names the server's strategy. It prints {session,user} as JSON.
//
// migrate creates Better Auth's tables in the SQL database DSN names (sqlite:PATH, created if missing;
// postgres://…; mysql://…) as Better Auth's own migrator would: missing tables and columns only, never a drop.
// It prints the SQL to standard output; --dry-run prints it without running it. Its exit status is 0 when
// done or up to date, 1 when the migration failed or was refused, 2 on bad usage and 3 when the database
// cannot be reached.
//
// Exit status: 0 valid; 1 invalid or expired (the reason goes to standard error); 2 bad usage; 3 the token
// could not be checked (the JWKS endpoint is unreachable).
//
// doctor checks a running Better Auth server (Node or Go) against what a Go API needs to agree with it:
// that the base URL and base path answer /ok, the JWKS (algorithms, key ids), the issuer and audience of a
// token (--token, or a fresh one from /token with --cookie), the cookie prefix and __Secure- names seen in
// --cookie, the cookie cache's strategy and version, whether the secret in the variable --secret-env names
// verifies the session cookie (never printing it), and the clock skew against the server's Date header.
// Each finding is a line ("ok", "warn", "FAIL", "--" for not checked) followed by advice lines starting
// with "→"; then come the environment variables for auth.FromEnv and storeurl.FromEnv. Its exit status is
// 0 when the API can agree with the server, 1 when a check failed, 2 on bad usage and 3 when the server
// cannot be reached.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Exit codes.
const (
	exitOK          = 0
	exitInvalid     = 1
	exitUsage       = 2
	exitUnavailable = 3
)

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		printCommands(stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printCommands(stdout)
		return exitOK
	}
	switch args[0] {
	case "verify-token":
		return verifyToken(args[1:], stdin, stdout, stderr, getenv)
	case "verify-session":
		return verifySession(args[1:], stdin, stdout, stderr, getenv)
	case "migrate":
		return migrate(args[1:], stdout, stderr)
	case "secret":
		return secretCmd(args[1:], stdout, stderr, getenv)
	case "doctor":
		return doctorCmd(args[1:], stdin, stdout, stderr, getenv)
	}
	errorf(stderr, "unknown command %q (gobetterauth --help lists them)", args[0])
	return exitUsage
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func verifyToken(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlags(cmdVerifyToken, stdout, stderr)
	baseURL := fs.String("base-url", "", "the Better Auth server's base URL (default issuer, audience and JWKS URL)")
	jwksURL := fs.String("jwks-url", "", "the JWKS URL (default <base-url>/api/auth/jwks)")
	secretEnv := fs.String("hs256-secret-env", "", "accept HS256 tokens signed with the secret in this environment variable")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for fetching the JWKS")
	var issuers, audiences list
	fs.Var(&issuers, "issuer", "an accepted iss (repeatable; default the base URL origin)")
	fs.Var(&audiences, "audience", "an accepted aud (repeatable; default the base URL origin)")
	if code, done := parseFlags(fs, cmdVerifyToken, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 {
		errorf(stderr, "verify-token takes exactly one TOKEN (or - for stdin) (see --help)")
		return exitUsage
	}
	if *baseURL == "" && *jwksURL == "" {
		errorf(stderr, "--base-url or --jwks-url is required (see --help)")
		return exitUsage
	}
	cfg := auth.Config{BaseURL: *baseURL, JWKSURL: *jwksURL}
	if cfg.BaseURL == "" {
		u, err := url.Parse(*jwksURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			errorf(stderr, "--jwks-url %q is not an absolute URL\n", *jwksURL)
			return exitUsage
		}
		cfg.BaseURL = u.Scheme + "://" + u.Host
	}
	if len(issuers) > 0 {
		cfg.Issuers = issuers
	}
	if len(audiences) > 0 {
		cfg.Audiences = audiences
	}
	if *secretEnv != "" {
		secret, problem := secretFromEnv("--hs256-secret-env", *secretEnv, getenv)
		if problem != "" {
			errorf(stderr, "%s", problem)
			return exitUsage
		}
		cfg.Secret, cfg.AcceptHS256 = auth.Secret(secret), true
	}
	a, err := auth.New(cfg)
	if err != nil {
		errorf(stderr, "%v\n", err)
		return exitUsage
	}
	tok := fs.Arg(0)
	if tok == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, auth.DefaultMaxTokenBytes+2))
		if err != nil {
			errorf(stderr, "reading the token: %v\n", err)
			return exitUsage
		}
		tok = strings.TrimSpace(string(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	claims, err := a.VerifyToken(ctx, tok)
	if err != nil {
		errorf(stderr, "%v\n", err)
		if errors.Is(err, auth.ErrUnavailable) {
			return exitUnavailable
		}
		return exitInvalid
	}
	var out bytes.Buffer
	if err := json.Indent(&out, claims.Raw(), "", "  "); err != nil {
		errorf(stderr, "%v\n", err)
		return exitInvalid
	}
	out.WriteByte('\n')
	_, _ = stdout.Write(out.Bytes())
	return exitOK
}
