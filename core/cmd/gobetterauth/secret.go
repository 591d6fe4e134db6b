package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
)

// secretCmd runs "secret generate" and "secret check".
func secretCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		fmt.Fprintln(w, "usage: gobetterauth secret generate|check [flags]")
		for _, c := range []command{cmdSecretGenerate, cmdSecretCheck} {
			fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(w, "`gobetterauth secret generate --help` and `gobetterauth secret check --help` list their flags and exit codes.")
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "generate":
		fs := newFlags(cmdSecretGenerate, stdout, stderr)
		version := fs.Int("version", -1, "print `N`:<secret>, an entry to put first in BETTER_AUTH_SECRETS")
		if code, done := parseFlags(fs, cmdSecretGenerate, args[1:], stdout, stderr); done {
			return code
		}
		if fs.NArg() != 0 {
			errorf(stderr, "%s takes no arguments (see --help)", cmdSecretGenerate.name)
			return exitUsage
		}
		b := make([]byte, 32)
		rand.Read(b)
		s := hex.EncodeToString(b)
		if *version >= 0 {
			s = strconv.Itoa(*version) + ":" + s
		}
		fmt.Fprintln(stdout, s)
		return exitOK
	case "check":
		fs := newFlags(cmdSecretCheck, stdout, stderr)
		if code, done := parseFlags(fs, cmdSecretCheck, args[1:], stdout, stderr); done {
			return code
		}
		if fs.NArg() != 0 {
			errorf(stderr, "%s takes no arguments (see --help)", cmdSecretCheck.name)
			return exitUsage
		}
		return checkSecrets(stdout, stderr, getenv)
	}
	errorf(stderr, "unknown secret command %q (gobetterauth secret --help lists them)", args[0])
	return exitUsage
}

// checkSecrets checks BETTER_AUTH_SECRET and BETTER_AUTH_SECRETS from the environment (never from the
// command line) as Better Auth reads them, and says what each is used for. It prints no secret.
func checkSecrets(stdout, stderr io.Writer, getenv func(string) string) int {
	single := getenv("BETTER_AUTH_SECRET")
	if single == "" {
		single = getenv("AUTH_SECRET")
	}
	versions, err := jwtissue.ParseSecretsEnv(getenv("BETTER_AUTH_SECRETS"))
	if err != nil {
		fmt.Fprintf(stderr, "BETTER_AUTH_SECRETS: %v\n", err)
		return exitInvalid
	}
	if single == "" && len(versions) == 0 {
		fmt.Fprintln(stderr, "neither BETTER_AUTH_SECRET nor BETTER_AUTH_SECRETS is set: Better Auth would use its built-in default secret, which it refuses in production")
		return exitInvalid
	}
	bad := false
	check := func(name, s string) {
		if w := auth.SecretWeakness(auth.Secret(s)); w != "" {
			fmt.Fprintf(stderr, "%s %s (gobetterauth secret generate makes a fit one)\n", name, w)
			bad = true
		}
	}
	seen := map[int]bool{}
	for i, v := range versions {
		if v.Version < 0 || seen[v.Version] {
			fmt.Fprintf(stderr, "BETTER_AUTH_SECRETS entry %d: version %d is negative or repeated\n", i+1, v.Version)
			bad = true
		}
		seen[v.Version] = true
		check(fmt.Sprintf("BETTER_AUTH_SECRETS version %d", v.Version), v.Value)
	}
	if single != "" {
		check("BETTER_AUTH_SECRET", single)
	}
	if bad {
		return exitInvalid
	}
	if len(versions) > 0 {
		fmt.Fprintf(stdout, "current secret: BETTER_AUTH_SECRETS version %d — signs session cookies, bearer tokens, compact and jwt cookie caches, email tokens; encrypts jwe caches and JWT keys\n", versions[0].Version)
		for _, v := range versions[1:] {
			fmt.Fprintf(stdout, "older secret: version %d — still decrypts jwe caches and JWT keys written with it\n", v.Version)
		}
		if single != "" {
			fmt.Fprintln(stdout, "legacy secret: BETTER_AUTH_SECRET — still decrypts data written before rotation (unversioned)")
		}
		fmt.Fprintln(stdout, "note: session cookies signed with an older secret are no longer accepted (Better Auth checks them with the current secret only)")
	} else {
		fmt.Fprintln(stdout, "secret: BETTER_AUTH_SECRET — signs and encrypts everything; set BETTER_AUTH_SECRETS to rotate")
	}
	return exitOK
}
