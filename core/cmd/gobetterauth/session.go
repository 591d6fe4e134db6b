package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

func verifySession(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlags(cmdVerifySession, stdout, stderr)
	secretEnv := fs.String("secret-env", "", "environment variable holding BETTER_AUTH_SECRET (required)")
	dsn := fs.String("database-url", "", "the session store: sqlite:PATH, postgres://…, mysql://…, redis://…, https://… (required)")
	prefix := fs.String("cookie-prefix", "", "Better Auth's advanced.cookiePrefix (default better-auth)")
	secure := fs.Bool("secure", false, "the cookies carry the __Secure- prefix (an https Better Auth server)")
	cache := fs.String("cookie-cache", "", "the server's cookie cache strategy: compact, jwt, jwe or jwt-plugin (default: none, ask the store)")
	baseURL := fs.String("base-url", "http://localhost", "the Better Auth server's base URL (for jwt-plugin caches)")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for opening the store and the lookup")
	if code, done := parseFlags(fs, cmdVerifySession, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 || *secretEnv == "" || *dsn == "" {
		errorf(stderr, "verify-session needs --secret-env, --database-url and one COOKIE-HEADER (or - for stdin) (see --help)")
		return exitUsage
	}
	secret, problem := secretFromEnv("--secret-env", *secretEnv, getenv)
	if problem != "" {
		errorf(stderr, "%s", problem)
		return exitUsage
	}
	header := fs.Arg(0)
	if header == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 256<<10))
		if err != nil {
			errorf(stderr, "reading the cookie header: %v\n", err)
			return exitUsage
		}
		header = string(b)
	}
	header = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(header), "Cookie:"))
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	st, closer, err := storeurl.Open(ctx, *dsn)
	if err != nil {
		errorf(stderr, "opening the store: %v\n", err)
		return exitUnavailable
	}
	defer closer.Close()
	cfg := auth.Config{
		BaseURL: *baseURL, Secret: auth.Secret(secret), Store: st,
		Cookies:     auth.CookieConfig{Prefix: *prefix, Secure: auth.SecureOff},
		CookieCache: auth.CookieCacheConfig{Strategy: auth.CacheStrategy(*cache)},
		DisableJWKS: *cache != string(auth.CacheJWTPlugin),
	}
	if *secure {
		cfg.Cookies.Secure = auth.SecureOn
	}
	a, err := auth.New(cfg)
	if err != nil {
		errorf(stderr, "%v\n", err)
		return exitUsage
	}
	s, err := a.Authenticate(ctx, auth.Request{Method: "GET", Path: "/", Cookie: []string{header}})
	if err != nil {
		errorf(stderr, "%v\n", err)
		if errors.Is(err, auth.ErrUnavailable) {
			return exitUnavailable
		}
		return exitInvalid
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		errorf(stderr, "%v\n", err)
		return exitInvalid
	}
	_, _ = stdout.Write(append(out, '\n'))
	return exitOK
}
