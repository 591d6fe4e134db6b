package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// skewWarn and skewFail bound the clock difference doctor accepts: beyond skewFail, tokens fall outside
// the verifier's default 30 s leeway.
const (
	skewWarn = 5 * time.Second
	skewFail = 30 * time.Second
)

// doctorNow is doctor's clock; tests move it.
var doctorNow = time.Now

// basePathGuesses are where Better Auth is commonly mounted; doctor tries them when the given base path
// does not answer.
var basePathGuesses = []string{auth.DefaultBasePath, "/auth", "/api/v1/auth", "/api/better-auth"}

func doctorCmd(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlags(cmdDoctor, stdout, stderr)
	baseURL := fs.String("base-url", "", "the Better Auth server's base URL, as in its BETTER_AUTH_URL (required)")
	basePath := fs.String("base-path", "", "Better Auth's basePath (default /api/auth, or the base URL's path when it has one)")
	cookie := fs.String("cookie", "", "the Cookie header a signed-in browser sends to the server, or - for standard input")
	token := fs.String("token", "", "a JWT the server issued (default: a fresh one from /token with --cookie)")
	secretEnv := fs.String("secret-env", "", "environment variable holding the server's secret, to check the cookie signature (never printed)")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for each request to the server")
	if code, done := parseFlags(fs, cmdDoctor, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 0 {
		errorf(stderr, "doctor takes no arguments, only flags (see --help)")
		return exitUsage
	}
	if *baseURL == "" {
		errorf(stderr, "--base-url is required: the URL of the running Better Auth server (see --help)")
		return exitUsage
	}
	u, err := url.Parse(*baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errorf(stderr, "--base-url %q is not an absolute http(s) URL such as http://localhost:3000", *baseURL)
		return exitUsage
	}
	urlPath := strings.TrimSuffix(u.Path, "/")
	bp := strings.TrimSuffix(*basePath, "/")
	switch {
	case *basePath != "" && !strings.HasPrefix(*basePath, "/"):
		errorf(stderr, "--base-path %q must start with /, e.g. /api/auth", *basePath)
		return exitUsage
	case urlPath != "" && bp != "" && bp != urlPath:
		errorf(stderr, "--base-url has the path %q, which Better Auth uses instead of a base path: drop --base-path or the path", urlPath)
		return exitUsage
	}
	in := doctorInput{origin: u.Scheme + "://" + u.Host, basePath: cmp.Or(urlPath, bp, auth.DefaultBasePath), token: strings.TrimSpace(*token), secretEnv: *secretEnv}
	if *secretEnv != "" {
		s, problem := secretFromEnv("--secret-env", *secretEnv, getenv)
		if problem != "" {
			errorf(stderr, "%s", problem)
			return exitUsage
		}
		in.secret = s
	}
	in.cookie = *cookie
	if in.cookie == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 256<<10))
		if err != nil {
			errorf(stderr, "reading the cookie header: %v", err)
			return exitUsage
		}
		in.cookie = string(b)
	}
	in.cookie = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.cookie), "Cookie:"))
	d := &doctor{w: stdout, client: &http.Client{Timeout: *timeout}, now: doctorNow}
	return d.run(context.Background(), in)
}

// doctorInput is what doctor was told.
type doctorInput struct {
	origin    string // scheme://host of --base-url
	basePath  string // where Better Auth should answer, without a trailing slash
	cookie    string // the Cookie header, or ""
	token     string // --token, or ""
	secret    string // the value of --secret-env's variable, never printed
	secretEnv string // its name
}

// doctor runs the checks and prints one line per finding, advice lines starting with "→", and the
// environment a Go API needs.
type doctor struct {
	w      io.Writer
	client *http.Client
	now    func() time.Time
	failed bool
	apiEnv []envLine // for auth.FromEnv
	sesEnv []envLine // added for session cookies (storeurl.FromEnv)
}

type envLine struct{ name, value string }

func (d *doctor) line(tag, topic, format string, args ...any) {
	fmt.Fprintf(d.w, "%-5s %s: %s\n", tag, topic, fmt.Sprintf(format, args...))
}
func (d *doctor) ok(topic, format string, args ...any)   { d.line("ok", topic, format, args...) }
func (d *doctor) warn(topic, format string, args ...any) { d.line("warn", topic, format, args...) }
func (d *doctor) info(topic, format string, args ...any) { d.line("--", topic, format, args...) }
func (d *doctor) fail(topic, format string, args ...any) {
	d.failed = true
	d.line("FAIL", topic, format, args...)
}
func (d *doctor) advise(format string, args ...any) {
	fmt.Fprintf(d.w, "      → %s\n", fmt.Sprintf(format, args...))
}

// get fetches u with the Cookie header cookie (when not ""), reading at most 1 MiB of the body.
func (d *doctor) get(ctx context.Context, u, cookie string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

// answersOK reports whether resp is Better Auth's /ok answer, {"ok":true}.
func answersOK(resp *http.Response, body []byte) bool {
	var v struct{ OK bool }
	return resp.StatusCode == http.StatusOK && json.Unmarshal(body, &v) == nil && v.OK
}

func (d *doctor) run(ctx context.Context, in doctorInput) int {
	base := in.origin + in.basePath
	start := d.now()
	resp, body, err := d.get(ctx, base+"/ok", "")
	end := d.now()
	if err != nil {
		d.fail("base URL", "GET %s/ok: %v", base, err)
		d.advise("start the Better Auth server, or pass --base-url with the URL it listens on (its BETTER_AUTH_URL)")
		return exitUnavailable
	}
	if answersOK(resp, body) {
		d.ok("base URL", "GET %s/ok answered {\"ok\":true}", base)
	} else {
		d.fail("base path", "GET %s/ok answered %d, not Better Auth's {\"ok\":true}", base, resp.StatusCode)
		found := ""
		for _, p := range basePathGuesses {
			if p == in.basePath {
				continue
			}
			if r, b, err := d.get(ctx, in.origin+p+"/ok", ""); err == nil && answersOK(r, b) {
				found = p
				break
			}
		}
		if found == "" {
			d.advise("Better Auth is not at %s: pass --base-path with the server's basePath (betterAuth({ basePath }))", base)
			d.advise("and set %s to it in the Go API", auth.EnvBasePath)
			d.checkClock(resp, start, end)
			return exitInvalid
		}
		d.advise("Better Auth answers at %s%s: set %s=%s in the Go API (and pass --base-path %s here)", in.origin, found, auth.EnvBasePath, found, found)
		in.basePath, base = found, in.origin+found
	}
	d.apiEnv = append(d.apiEnv, envLine{auth.EnvBaseURL, in.origin})
	if in.basePath != auth.DefaultBasePath {
		d.apiEnv = append(d.apiEnv, envLine{auth.EnvBasePath, in.basePath})
	}
	d.checkClock(resp, start, end)
	jwksOK := d.checkJWKS(ctx, base)
	d.checkToken(ctx, in, base, jwksOK)
	d.checkCookie(in)
	d.printEnv(in)
	if d.failed {
		return exitInvalid
	}
	return exitOK
}

// checkClock compares the server's Date header with this machine's clock at the middle of the request.
func (d *doctor) checkClock(resp *http.Response, start, end time.Time) {
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		d.warn("clock", "the server sent no Date header; clock skew not checked")
		return
	}
	// Date is truncated to the second: its middle is half a second later.
	skew := date.Add(500 * time.Millisecond).Sub(start.Add(end.Sub(start) / 2))
	abs := skew.Abs().Round(time.Second)
	ahead := "ahead of"
	if skew < 0 {
		ahead = "behind"
	}
	switch {
	case skew.Abs() <= skewWarn:
		d.ok("clock", "the server's Date header agrees with this machine's clock (within %v)", skewWarn)
	case skew.Abs() <= skewFail:
		d.warn("clock", "the server's clock is %v %s this machine's", abs, ahead)
		d.advise("synchronise both clocks (NTP): the verifier allows %v (%s)", skewFail, auth.EnvLeeway)
	default:
		d.fail("clock", "the server's clock is %v %s this machine's", abs, ahead)
		d.advise("synchronise both clocks (NTP): tokens are refused outside %v of leeway (%s)", skewFail, auth.EnvLeeway)
	}
}

// checkJWKS fetches the key set and reports its keys; it reports whether JWTs can be verified.
func (d *doctor) checkJWKS(ctx context.Context, base string) bool {
	resp, body, err := d.get(ctx, base+"/jwks", "")
	switch {
	case err != nil:
		d.fail("JWKS", "GET %s/jwks: %v", base, err)
		return false
	case resp.StatusCode == http.StatusNotFound:
		d.warn("JWKS", "GET %s/jwks answered 404: the server runs without the JWT plugin", base)
		d.advise("a Go API cannot verify JWTs from it: add jwt() to the Better Auth server (authserver.JWT in Go),")
		d.advise("or check session cookies with a shared DATABASE_URL and %s (storeurl.FromEnv)", auth.EnvSecret)
		return false
	case resp.StatusCode != http.StatusOK:
		d.fail("JWKS", "GET %s/jwks answered %d", base, resp.StatusCode)
		return false
	}
	var set struct {
		Keys []struct{ Kid, Alg, Kty, Crv string }
	}
	if err := json.Unmarshal(body, &set); err != nil {
		d.fail("JWKS", "GET %s/jwks answered 200 but not a JSON key set", base)
		return false
	}
	if len(set.Keys) == 0 {
		d.warn("JWKS", "GET %s/jwks holds no key yet: Better Auth creates one when it signs its first token", base)
		return true
	}
	var keys []string
	for _, k := range set.Keys {
		alg := k.Alg
		if alg == "" {
			alg = k.Kty + "/" + k.Crv
		}
		keys = append(keys, fmt.Sprintf("%s (kid %s)", alg, k.Kid))
	}
	d.ok("JWKS", "%d key(s) at %s/jwks: %s", len(set.Keys), base, strings.Join(keys, ", "))
	return true
}

// jwtParts decodes a compact JWS's header and claims (unverified).
func jwtParts(tok string) (hdr map[string]any, claims map[string]any, ok bool) {
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		return nil, nil, false
	}
	h, err1 := base64.RawURLEncoding.DecodeString(p[0])
	c, err2 := base64.RawURLEncoding.DecodeString(p[1])
	if err1 != nil || err2 != nil || json.Unmarshal(h, &hdr) != nil || json.Unmarshal(c, &claims) != nil {
		return nil, nil, false
	}
	return hdr, claims, true
}

// audiences reads a JWT's aud: a string or an array of strings.
func audiences(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// checkToken reads the issuer and audience of --token, or of a fresh token from /token, and verifies it
// with the settings a Go API would need.
func (d *doctor) checkToken(ctx context.Context, in doctorInput, base string, jwksOK bool) {
	tok, from := in.token, "--token"
	if tok == "" {
		if in.cookie == "" || !jwksOK {
			d.info("token", "not checked: pass --cookie from a signed-in browser (doctor asks /token) or --token")
			return
		}
		resp, body, err := d.get(ctx, base+"/token", in.cookie)
		var v struct{ Token string }
		switch {
		case err != nil:
			d.fail("token", "GET %s/token: %v", base, err)
			return
		case resp.StatusCode == http.StatusUnauthorized:
			d.fail("token", "GET %s/token with --cookie answered 401: the cookie holds no valid session", base)
			d.advise("sign in again and copy the whole Cookie header of a request the browser sends to the server")
			return
		case resp.StatusCode != http.StatusOK || json.Unmarshal(body, &v) != nil || v.Token == "":
			d.fail("token", "GET %s/token with --cookie answered %d, not {\"token\":…}", base, resp.StatusCode)
			return
		}
		tok, from = v.Token, "/token"
	}
	hdr, claims, ok := jwtParts(tok)
	if !ok {
		d.fail("token", "the token from %s is not a JWT (three base64url parts)", from)
		return
	}
	alg, _ := hdr["alg"].(string)
	if alg == "HS256" {
		d.warn("token", "the token from %s is HS256, signed with the server's secret, not a JWT-plugin token", from)
		d.advise("to accept it, set %s=true and %s in the Go API", auth.EnvAcceptHS256, auth.EnvSecret)
		return
	}
	iss, _ := claims["iss"].(string)
	aud := audiences(claims["aud"])
	cfg := auth.Config{BaseURL: in.origin, BasePath: in.basePath, Now: d.now}
	if iss != in.origin {
		cfg.Issuers = []string{iss}
		d.apiEnv = append(d.apiEnv, envLine{auth.EnvIssuers, iss})
		d.warn("token issuer", "iss is %q, not the base URL's origin %q (the verifier's default)", iss, in.origin)
		d.advise("set %s=%s in the Go API (or make the server's baseURL %s)", auth.EnvIssuers, iss, in.origin)
	} else {
		d.ok("token issuer", "iss %q is the base URL's origin (the default)", iss)
	}
	if !slices.Contains(aud, in.origin) {
		cfg.Audiences = aud
		d.apiEnv = append(d.apiEnv, envLine{auth.EnvAudiences, strings.Join(aud, ",")})
		d.warn("token audience", "aud is %q, which does not hold the base URL's origin %q (the verifier's default)", strings.Join(aud, ","), in.origin)
		d.advise("set %s=%s in the Go API", auth.EnvAudiences, strings.Join(aud, ","))
	} else {
		d.ok("token audience", "aud %q holds the base URL's origin (the default)", strings.Join(aud, ","))
	}
	a, err := auth.New(cfg)
	if err != nil {
		d.fail("token", "%v", err)
		return
	}
	c, err := a.VerifyToken(ctx, tok)
	if err != nil {
		d.fail("token", "the %s token from %s does not verify: %v", alg, from, err)
		if errors.Is(err, auth.ErrExpired) {
			d.advise("pass a fresh token, or --cookie instead of --token so doctor asks /token for one")
		}
		return
	}
	d.ok("token", "the %s token from %s (kid %v) verifies against the JWKS with the settings below; it expires in %v",
		alg, from, hdr["kid"], c.ExpiresAt.Sub(d.now()).Round(time.Second))
}

// checkCookie reads the cookie names (prefix, __Secure-), the cookie cache (strategy, version) and, with
// a secret, the signatures.
func (d *doctor) checkCookie(in doctorInput) {
	if in.cookie == "" {
		d.info("cookie", "not checked: pass --cookie with a signed-in browser's Cookie header to check the cookie names, the cookie cache and the secret")
		if in.secret != "" {
			d.warn("secret", "not checked: the secret in %s can only be checked against a signed cookie (--cookie)", in.secretEnv)
		}
		return
	}
	var names []string
	prefixes := map[string]bool{}
	var prefix, tokenName string
	secure := false
	for _, pair := range strings.Split(in.cookie, ";") {
		name, _, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if name == "" {
			continue
		}
		names = append(names, name)
		bare, sec := strings.CutPrefix(name, betterauth.SecurePrefix)
		if p, ok := strings.CutSuffix(bare, ".session_token"); ok && p != "" {
			prefixes[name] = true
			prefix, secure, tokenName = p, sec, name
		}
	}
	switch {
	case tokenName == "":
		d.fail("cookie", "no <prefix>.session_token cookie among the %d cookie(s) given (%s)", len(names), strings.Join(names, ", "))
		d.advise("copy the Cookie header of a request a signed-in browser sends to the server (developer tools → Network → the request → Cookie)")
		return
	case len(prefixes) > 1:
		d.warn("cookie", "%d session cookies (%s): a Go API reads one name only", len(prefixes), strings.Join(slices.Sorted(maps.Keys(prefixes)), ", "))
		d.advise("clear the stale ones in the browser; the one used below is %s", tokenName)
	}
	if prefix != betterauth.DefaultPrefix {
		d.sesEnv = append(d.sesEnv, envLine{auth.EnvCookiePrefix, prefix})
		d.warn("cookie prefix", "the session cookie is %s: cookie prefix %q, not the default %q", tokenName, prefix, betterauth.DefaultPrefix)
		d.advise("set %s=%s in the Go API (Better Auth's advanced.cookiePrefix)", auth.EnvCookiePrefix, prefix)
	} else {
		d.ok("cookie prefix", "the session cookie is %s: the default prefix %q", tokenName, prefix)
	}
	defaultSecure := strings.HasPrefix(in.origin, "https:")
	switch {
	case secure == defaultSecure && secure:
		d.ok("secure cookies", "the names carry %s, as expected of an https base URL", betterauth.SecurePrefix)
	case secure == defaultSecure:
		d.ok("secure cookies", "the names carry no %s, as expected of an http base URL", betterauth.SecurePrefix)
	default:
		d.sesEnv = append(d.sesEnv, envLine{auth.EnvSecureCookies, strconv.FormatBool(secure)})
		if secure {
			d.warn("secure cookies", "the names carry %s although the base URL is http", betterauth.SecurePrefix)
		} else {
			d.warn("secure cookies", "the names carry no %s although the base URL is https", betterauth.SecurePrefix)
		}
		d.advise("set %s=%t in the Go API", auth.EnvSecureCookies, secure)
	}
	jar, err := betterauth.Read([]string{in.cookie}, betterauth.NewNames(prefix, secure, betterauth.Names{}))
	if err != nil {
		d.fail("cookie", "%s appears more than once: a Go API refuses such a request", tokenName)
		return
	}
	cacheSigned := d.checkCache(jar.SessionData, in)
	d.checkSecret(jar.SessionToken, tokenName, cacheSigned, in)
}

// cacheSig is what a secret says of the cookie cache.
type cacheSig int

const (
	cacheUnchecked cacheSig = iota
	cacheVerified
	cacheRefused
)

// checkCache recognises the cookie cache's strategy from its format and reads its version; with a secret
// it checks the cache's signature or decrypts it.
func (d *doctor) checkCache(v string, in doctorInput) cacheSig {
	if v == "" {
		d.ok("cookie cache", "no session_data cookie: the cookie cache is off (or expired), so a Go API asks the store")
		return cacheUnchecked
	}
	var strategy string
	var payload []byte // the cache payload's JSON, holding "version"
	sig := cacheUnchecked
	parts := strings.Split(v, ".")
	switch len(parts) {
	case 5:
		strategy = "jwe"
		if in.secret != "" {
			keys, err := betterauth.NewJWEKeys([]string{in.secret})
			if err == nil {
				if payload, err = keys.Decrypt(v); err == nil {
					sig = cacheVerified
				} else {
					sig = cacheRefused
				}
			}
		}
	case 3:
		hdr, _, ok := jwtParts(v)
		if !ok {
			d.warn("cookie cache", "session_data is three dot-separated parts but not a JWT")
			return cacheUnchecked
		}
		strategy = string(auth.CacheJWTPlugin)
		if hdr["alg"] == "HS256" {
			strategy = "jwt"
			if in.secret != "" {
				sig = cacheRefused
				if mac, err := base64.RawURLEncoding.DecodeString(parts[2]); err == nil &&
					betterauth.NewSigner(in.secret).Equal([]byte(parts[0]+"."+parts[1]), mac) {
					sig = cacheVerified
				}
			}
		}
		payload, _ = base64.RawURLEncoding.DecodeString(parts[1])
	case 1:
		strategy = "compact"
		if outer, err := base64.RawURLEncoding.DecodeString(v); err == nil {
			var o struct{ Session json.RawMessage }
			if json.Unmarshal(outer, &o) == nil {
				payload = o.Session
			}
		}
		if in.secret != "" {
			sig = cacheRefused
			if _, _, err := betterauth.NewSigner(in.secret).DecodeCompact(v); err == nil {
				sig = cacheVerified
			}
		}
	default:
		d.warn("cookie cache", "session_data has %d dot-separated parts: not a Better Auth cookie cache", len(parts))
		return cacheUnchecked
	}
	d.sesEnv = append(d.sesEnv, envLine{auth.EnvCookieCache, strategy})
	var p struct{ Version *string }
	version := ""
	if payload != nil && json.Unmarshal(payload, &p) == nil {
		version = "1"
		if p.Version != nil {
			version = *p.Version
		}
	}
	switch version {
	case "":
		d.ok("cookie cache", "session_data is a %q cookie cache; its version is encrypted (pass --secret-env to read it)", strategy)
	case "1":
		d.ok("cookie cache", "session_data is a %q cookie cache, version \"1\" (the default)", strategy)
	default:
		d.sesEnv = append(d.sesEnv, envLine{auth.EnvCacheVersion, version})
		d.ok("cookie cache", "session_data is a %q cookie cache, version %q", strategy, version)
	}
	if version != "" && version != "1" {
		d.advise("set %s=%s and %s=%s in the Go API", auth.EnvCookieCache, strategy, auth.EnvCacheVersion, version)
	} else {
		d.advise("set %s=%s in the Go API", auth.EnvCookieCache, strategy)
	}
	return sig
}

// checkSecret checks the session cookie's signature with the secret, never printing it.
func (d *doctor) checkSecret(signed, name string, cache cacheSig, in doctorInput) {
	if in.secret == "" {
		d.info("secret", "not checked: pass --secret-env NAME, NAME holding the server's secret, to check the cookie signature")
		return
	}
	if w := auth.SecretWeakness(auth.Secret(in.secret)); w != "" {
		d.warn("secret", "the secret in %s %s: a production server refuses it", in.secretEnv, w)
		d.advise("generate one with `gobetterauth secret generate` and give it to both servers")
	}
	_, ok := betterauth.NewSigner(in.secret).Verify(signed)
	switch {
	case ok && cache != cacheRefused:
		d.ok("secret", "the secret in %s verifies the signature of %s", in.secretEnv, name)
	case ok:
		d.fail("secret", "the secret in %s verifies %s but not the session_data cookie cache", in.secretEnv, name)
		d.advise("the cookie cache was written with another secret: set the server's current secret in %s", auth.EnvSecret)
	default:
		d.fail("secret", "the secret in %s does not verify the signature of %s", in.secretEnv, name)
		d.advise("the Go API's %s must be the Better Auth server's secret (its %s, or the current one of %s)", auth.EnvSecret, auth.EnvSecret, auth.EnvSecrets)
	}
}

// printEnv prints the variables a Go API sets to agree with the server, as lines to paste into a shell
// or a .env file. The secret appears only as a reference to the variable that holds it.
func (d *doctor) printEnv(in doctorInput) {
	fmt.Fprintln(d.w, "\n# environment for a Go API verifying this server's JWTs (auth.FromEnv):")
	for _, e := range d.apiEnv {
		fmt.Fprintf(d.w, "%s=%s\n", e.name, e.value)
	}
	if in.cookie == "" {
		return
	}
	fmt.Fprintln(d.w, "# for its session cookies too (storeurl.FromEnv), add:")
	fmt.Fprintf(d.w, "%s=<the database the Better Auth server uses>\n", auth.EnvDatabaseURL)
	secret := "<the Better Auth server's secret>"
	if in.secret != "" && !d.failed {
		secret = `"$` + in.secretEnv + `"`
	}
	fmt.Fprintf(d.w, "%s=%s\n", auth.EnvSecret, secret)
	for _, e := range d.sesEnv {
		fmt.Fprintf(d.w, "%s=%s\n", e.name, e.value)
	}
}
