package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// command is one command's help: the usage line, a one-line summary and its exit codes.
type command struct {
	name    string // "verify-token", "secret generate"
	args    string // after the flags: "TOKEN|-"
	summary string
	exits   string // one line per code
}

var (
	cmdVerifyToken = command{"verify-token", "TOKEN|-", "check a Better Auth JWT (JWT plugin or HS256) and print its claims",
		"0 valid; 1 invalid or expired; 2 bad usage; 3 the JWKS could not be fetched"}
	cmdVerifySession = command{"verify-session", "COOKIE-HEADER|-", "check a Better Auth session cookie against the store and print {session,user}",
		"0 valid; 1 invalid or expired; 2 bad usage; 3 the store could not be reached"}
	cmdMigrate = command{"migrate", "", "create Better Auth's tables and columns that are missing (never a drop), printing the SQL",
		"0 done or up to date; 1 failed or refused; 2 bad usage; 3 the database could not be reached"}
	cmdSecretGenerate = command{"secret generate", "", "print a new secret (32 random bytes, hex) for BETTER_AUTH_SECRET",
		"0 printed; 2 bad usage"}
	cmdSecretCheck = command{"secret check", "", "check BETTER_AUTH_SECRET and BETTER_AUTH_SECRETS from the environment (never the command line)",
		"0 fit; 1 a secret is unfit; 2 bad usage"}
	cmdDoctor = command{"doctor", "", "check a running Better Auth server against what a Go API needs, and print the environment to set",
		"0 the API can agree with the server; 1 a check failed (the advice follows it); 2 bad usage; 3 the server could not be reached"}
	commands = []command{cmdVerifyToken, cmdVerifySession, cmdMigrate, cmdSecretGenerate, cmdSecretCheck, cmdDoctor}
)

// newFlags is a flag set for c; parse it with parseFlags.
func newFlags(c command, _, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parseFlags says what to do
	return fs
}

// parseFlags parses args into fs. On -h or --help it prints c's help to stdout and returns exitOK, true; on
// a bad flag (flag has printed why to stderr) it points at --help and returns exitUsage, true.
func parseFlags(fs *flag.FlagSet, c command, args []string, stdout, stderr io.Writer) (int, bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout, c, fs)
		return exitOK, true
	}
	fmt.Fprintf(stderr, "gobetterauth %s --help lists the flags\n", c.name)
	return exitUsage, true
}

// printHelp prints c's usage, summary, flags (as --name VALUE, one line each) and exit codes.
func printHelp(w io.Writer, c command, fs *flag.FlagSet) {
	var flags []string
	fs.VisitAll(func(f *flag.Flag) {
		name, desc := flag.UnquoteUsage(f)
		s := "--" + f.Name
		if name != "" {
			s += " " + strings.ToUpper(name)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "-1" {
			desc += " (default " + f.DefValue + ")"
		}
		flags = append(flags, fmt.Sprintf("  %-28s %s", s, desc))
	})
	usage := "usage: gobetterauth " + c.name
	if len(flags) > 0 {
		usage += " [flags]"
	}
	if c.args != "" {
		usage += " " + c.args
	}
	fmt.Fprintf(w, "%s\n\n%s.\n", usage, c.summary)
	if len(flags) > 0 {
		fmt.Fprintf(w, "\nflags:\n%s\n", strings.Join(flags, "\n"))
	}
	fmt.Fprintf(w, "\nexit status: %s\n", c.exits)
}

// printCommands prints the tool's help: every command with its summary.
func printCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: gobetterauth COMMAND [flags] [args]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`gobetterauth COMMAND --help` lists a command's flags and exit codes.")
	fmt.Fprintln(w, "exit status: 0 success; 1 invalid (the reason on standard error); 2 bad usage; 3 a server or database could not be reached")
}

// packagePrefix matches the package names our errors start with ("auth: ", "storeurl: ", …).
var packagePrefix = regexp.MustCompile(`\b(auth|storeurl|sqlstore|jwks|remote|redisstore|jwtissue): `)

// errorf prints a message to stderr as "gobetterauth: <message>", one line, without the package prefixes
// of the errors inside it ("auth: invalid config: …" reads "invalid config: …").
func errorf(stderr io.Writer, format string, args ...any) {
	msg := packagePrefix.ReplaceAllString(fmt.Sprintf(format, args...), "")
	fmt.Fprintf(stderr, "gobetterauth: %s\n", strings.TrimRight(msg, "\n"))
}

// noticef is errorf for what is not an error.
func noticef(stderr io.Writer, format string, args ...any) { errorf(stderr, format, args...) }

// envName is how a --secret-env value that names a variable looks: a value that does not (a pasted
// secret) is never printed.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

// secretFromEnv reads the secret from the variable flag names; "" and a message (never containing the
// flag's value unless it looks like a variable's name) when it is empty.
func secretFromEnv(flagName, name string, getenv func(string) string) (string, string) {
	if v := getenv(name); v != "" {
		return v, ""
	}
	if !envName.MatchString(name) {
		return "", flagName + " takes the NAME of an environment variable holding the secret (e.g. " + flagName +
			" BETTER_AUTH_SECRET), not the secret itself; the value given is not printed"
	}
	return "", "environment variable " + name + " (from " + flagName + ") is empty: export it with the Better Auth server's secret"
}
