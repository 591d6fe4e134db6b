// Command server is a Better Auth-compatible server in Go that starts with no configuration at all: Better
// Auth's email/password endpoints at /api/auth (the better-auth JS client works against them unchanged), a
// small HTML app to sign up, sign in, see the session and sign out, and API routes protected by gobetterauth's
// net/http middleware (authhttp) that accept the session cookies it sets.
//
//	go run ./examples/server   # http://localhost:3000, SQLite file .gobetterauth/dev.db
//
// Unconfigured, it is a development server: its SQLite file and a generated secret (mode 0600) live in the
// folder .gobetterauth/ of the working directory, which holds a .gitignore of "*" so git never picks them
// up, and Better Auth's development rules apply (no rate limiting); its mailer writes every email's link or
// code to the log instead of sending it, which turns on "Email me a sign-in link" (Better Auth's magic-link
// plugin). Nothing is created before the configuration is valid and the port is bound. Setting
// BETTER_AUTH_SECRET turns that off. Two-factor authentication (Better Auth's two-factor plugin: TOTP, backup
// codes, trusted devices) is on in both modes, and so are Better Auth's admin plugin (the first user to sign
// up in development mode is an admin; ADMIN_USER_IDS names admins in both) and the api-key plugin (keys in
// x-api-key sign requests in, on /api/* and /api/auth/*) and the organization plugin (invitations are
// emailed by development mode's log mailer). Setting OIDC_ISSUER and OIDC_CLIENT_ID adds
// social sign-in with that OpenID Connect provider: a "Sign in with …" button on the sign-in page. Setting
// REDIS_URL makes Redis Better Auth's secondary storage: sessions and rate-limit counters live there,
// shared by every instance (and a Node Better Auth server on the same Redis). See README.md for every
// variable.
//
//	GET  /                 the home page, with links to the others
//	GET  /sign-up          sign-up form (POST /api/auth/sign-up/email)
//	GET  /sign-in          sign-in form (POST /api/auth/sign-in/email), and the social sign-in button
//	                       when OIDC_ISSUER is set (POST /api/auth/sign-in/social)
//	GET  /dashboard        the user, their sessions, two-factor authentication (turn it on with a QR code and
//	                       backup codes, or off) and a sign-out button; redirects to /sign-in when not
//	                       signed in
//	GET  /api-keys         the user's API keys (create, shown once; list; revoke)
//	GET  /organization     the active organization: create one, members, invite by email, pending invitations
//	GET  /accept-invitation the page an invitation's link opens (?id=): accept or decline
//	GET  /admin            for admins (the admin plugin's "user: list" permission; 403 page otherwise):
//	                       users with search and pages, ban, unban, impersonate, sign out everywhere
//	*    /api/auth/…       Better Auth's endpoints (authhttp.Mount), the JWT plugin's /token and /jwks among
//	                       them; BETTER_AUTH_URL's path or BETTER_AUTH_BASE_PATH moves them, and the pages
//	                       follow
//	GET  /api/public       200 for anyone
//	GET  /api/me           401 JSON when not signed in, else {"session":{…},"user":{…}}
//	GET  /api/admin        403 unless the user's role is "admin"
//	POST /api/qr           for signed-in users: the QR code (SVG) of a TOTP URI, for the dashboard
//	GET  /healthz          200 "ok"
//	GET  /metrics          Prometheus metrics (authotel's: verifications, endpoints, sign-ins, rate limits, …)
//
// OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, spans are
// exported over OTLP/HTTP, configured by the standard OTEL_* variables, and an incoming traceparent header
// is continued. Unset, nothing is exported and nothing fails.
package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/admin"
	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
	"github.com/gobetterauth/gobetterauth/core/authserver/magiclink"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/authserver/twofactor"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
	"github.com/gobetterauth/gobetterauth/providers"
	"github.com/redis/go-redis/v9"
)

// appName names the app in authenticator apps (the TOTP URI's issuer).
const appName = "gobetterauth demo"

// Development defaults, relative to the working directory: one folder that git ignores.
const (
	devDir         = ".gobetterauth"
	devDatabaseURL = "sqlite:" + devDir + "/dev.db"
	devSecretFile  = devDir + "/dev-secret"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		log.Fatal(err)
	}
}

// settings is the server's configuration, read from the environment.
type settings struct {
	listen, port   string
	baseURL        string // empty: http://localhost:<port>
	basePath       string // empty: BETTER_AUTH_URL's path, else /api/auth
	cookiePrefix   string // empty: better-auth
	logLevel       slog.Level
	databaseURL    string
	secret         string // empty: development mode with a generated secret
	secretFile     string
	trustedOrigins []string
	trustedProxies []netip.Prefix
	adminUserIDs   []string        // ADMIN_USER_IDS: the admin plugin's adminUserIds
	social         *socialSettings // nil: no social sign-in
	jwtExpiresIn   time.Duration   // zero: the JWT plugin's 15 minutes
	readyTimeout   time.Duration   // 0: 2 s
	shutdownDelay  time.Duration   // 0: none
	shutdownWait   time.Duration   // 0: 10 s
	jwksRotation   time.Duration   // 0: keys never rotate
	redisURL       string          // REDIS_URL: empty means sessions and rate limits in the database
	storeInDB      bool            // STORE_SESSION_IN_DATABASE: sessions in the database too (needs REDIS_URL)
}

// socialSettings is the optional OpenID Connect provider of social sign-in (the OIDC_* variables).
type socialSettings struct {
	issuer       string
	clientID     string
	clientSecret string // empty: a public client (PKCE only)
	id           string // the provider id: /api/auth/callback/<id>
	name         string // the button's label: "Sign in with <name>"
}

// socialButton is one "Sign in with <Name>" button of the sign-in page, for the provider ID.
type socialButton struct{ ID, Name string }

// socialButtons are the sign-in page's social buttons: none when social sign-in is not configured.
func (s settings) socialButtons() []socialButton {
	if s.social == nil {
		return nil
	}
	return []socialButton{{ID: s.social.id, Name: s.social.name}}
}

// settingsFromEnv reads the variables README.md lists; unset means the default.
func settingsFromEnv(getenv func(string) string) (s settings, err error) {
	s = settings{
		listen:       cmp.Or(getenv("LISTEN"), "127.0.0.1"),
		port:         cmp.Or(getenv("PORT"), "3000"),
		baseURL:      strings.TrimRight(getenv("BETTER_AUTH_URL"), "/"),
		basePath:     getenv("BETTER_AUTH_BASE_PATH"),
		cookiePrefix: getenv("BETTER_AUTH_COOKIE_PREFIX"),
		databaseURL:  cmp.Or(getenv("DATABASE_URL"), devDatabaseURL),
		secret:       getenv("BETTER_AUTH_SECRET"),
		secretFile:   cmp.Or(getenv("GOBETTERAUTH_DEV_SECRET_FILE"), devSecretFile),
	}
	if p, err := strconv.Atoi(s.port); err != nil || p < 0 || p > 65535 {
		return s, fmt.Errorf("server: PORT %q is not a port number: set PORT to one from 1 to 65535 (0: any free port), or unset it for 3000", s.port)
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := s.logLevel.UnmarshalText([]byte(v)); err != nil {
			return s, fmt.Errorf("server: LOG_LEVEL %q is not a level: set it to debug, info, warn or error", v)
		}
	}
	if s.baseURL != "" {
		u, err := url.Parse(s.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return s, fmt.Errorf("server: BETTER_AUTH_URL %q is not an absolute http(s) URL: set it to the URL browsers use "+
				"for this server, with the scheme (BETTER_AUTH_URL=http://localhost:%s), or unset it", s.baseURL, cmp.Or(strings.TrimLeft(s.port, "0"), "3000"))
		}
	}
	if s.secret != "" {
		// Production mode: refuse what `gobetterauth secret check` refuses. The value is never repeated.
		if w := auth.SecretWeakness(auth.Secret(s.secret)); w != "" {
			return s, fmt.Errorf("server: BETTER_AUTH_SECRET %s: set it to the output of `go run ./core/cmd/gobetterauth secret generate` "+
				"(the same value on every server sharing the sessions), or unset it for development mode", w)
		}
	}
	for o := range strings.SplitSeq(getenv("BETTER_AUTH_TRUSTED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			s.trustedOrigins = append(s.trustedOrigins, o)
		}
	}
	for p := range strings.SplitSeq(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return s, fmt.Errorf("server: TRUSTED_PROXIES: %q is neither a network nor an address: list networks or addresses, comma-separated (TRUSTED_PROXIES=10.0.0.0/8,192.0.2.1)", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		s.trustedProxies = append(s.trustedProxies, prefix)
	}
	for id := range strings.SplitSeq(getenv("ADMIN_USER_IDS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			s.adminUserIDs = append(s.adminUserIDs, id)
		}
	}
	if v := getenv("BETTER_AUTH_JWT_EXPIRES_IN"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("server: BETTER_AUTH_JWT_EXPIRES_IN %q is not a positive duration: set it to one such as 15m or 30s, or unset it for 15 minutes", v)
		}
		s.jwtExpiresIn = d
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"READY_TIMEOUT", &s.readyTimeout}, {"SHUTDOWN_DELAY", &s.shutdownDelay}, {"SHUTDOWN_TIMEOUT", &s.shutdownWait},
		{"JWKS_ROTATION_INTERVAL", &s.jwksRotation}} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		if *d.to, err = time.ParseDuration(v); err != nil || *d.to < 0 {
			return s, fmt.Errorf("server: %s %q is not a duration: set it to a Go duration such as 2s or 10m, or unset it for the default", d.name, v)
		}
	}
	social, err := socialFromEnv(getenv)
	if err != nil {
		return s, err
	}
	s.social = social
	s.redisURL = strings.TrimSpace(getenv("REDIS_URL"))
	if s.redisURL != "" {
		if _, _, err := parseRedisURL(s.redisURL); err != nil {
			return s, err
		}
	}
	switch v := getenv("STORE_SESSION_IN_DATABASE"); v {
	case "", "0", "false":
	case "1", "true":
		if s.redisURL == "" {
			return s, errors.New("server: STORE_SESSION_IN_DATABASE needs REDIS_URL (without Redis, sessions are only in the database): set REDIS_URL, or unset STORE_SESSION_IN_DATABASE")
		}
		s.storeInDB = true
	default:
		return s, fmt.Errorf("server: STORE_SESSION_IN_DATABASE %q is not 1 or 0: set it to 1 to keep sessions in the database as well as in Redis, or unset it", v)
	}
	// What the verifier checks (URL and base path together, the cookie prefix), before anything is created.
	check := auth.Config{BaseURL: cmp.Or(s.baseURL, "http://localhost:3000"), BasePath: s.basePath,
		Secret: auth.Secret(cmp.Or(s.secret, strings.Repeat("x", auth.MinSecretBytes))), Cookies: auth.CookieConfig{Prefix: s.cookiePrefix},
		DisableJWKS: true, AcceptHS256: true}
	if _, err := auth.New(check); err != nil {
		return s, fmt.Errorf("server: %w", auth.EnvError(err))
	}
	return s, nil
}

// socialFromEnv reads the OIDC_* variables: nil when none is set. OIDC_ISSUER and OIDC_CLIENT_ID go
// together; the others need them.
func socialFromEnv(getenv func(string) string) (*socialSettings, error) {
	o := &socialSettings{
		issuer:       strings.TrimSpace(getenv("OIDC_ISSUER")),
		clientID:     getenv("OIDC_CLIENT_ID"),
		clientSecret: getenv("OIDC_CLIENT_SECRET"),
		id:           getenv("OIDC_PROVIDER_ID"),
		name:         strings.TrimSpace(getenv("OIDC_PROVIDER_NAME")),
	}
	switch {
	case o.issuer == "" && o.clientID == "" && o.clientSecret == "" && o.id == "" && o.name == "":
		return nil, nil
	case o.issuer == "":
		return nil, errors.New("server: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_PROVIDER_ID and OIDC_PROVIDER_NAME need OIDC_ISSUER: set it to the provider's issuer URL, or unset them all")
	case o.clientID == "":
		return nil, errors.New("server: OIDC_ISSUER needs OIDC_CLIENT_ID: set it to the client id registered at the provider, or unset OIDC_ISSUER")
	}
	o.id = cmp.Or(o.id, "oidc")
	o.name = cmp.Or(o.name, "OpenID Connect")
	return o, nil
}

// redisHelp says how REDIS_URL is written.
const redisHelp = "write it as redis://[:password@]host:6379[/db][?key_prefix=better-auth:] (rediss:// for TLS; key_prefix is your Node server's keyPrefix, if any), or unset it to keep sessions in the database"

// parseRedisURL reads REDIS_URL (go-redis's URL form, plus key_prefix, as storeurl reads it): the client's
// options and the key prefix. Errors name REDIS_URL without its password.
func parseRedisURL(raw string) (*redis.Options, string, error) {
	bad := func(why string) (*redis.Options, string, error) {
		return nil, "", fmt.Errorf("server: REDIS_URL=%s %s: %s", redactURL(raw), why, redisHelp)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return bad(fmt.Sprintf("has the scheme %q, not redis or rediss", u.Scheme))
	}
	// storeurl's parser: the key_prefix parameter and the project's outage limits (1 s dial and I/O, one
	// retry), so a Redis that hangs costs a request a second, not go-redis's default retries with backoff.
	opts, prefix, err := storeurl.RedisOptions(raw)
	if err != nil {
		return bad(strings.TrimPrefix(err.Error(), "storeurl: "))
	}
	return opts, prefix, nil
}

// openRedis connects to REDIS_URL and checks that it answers (PING, within ctx): nil, nil when REDIS_URL is
// unset.
func openRedis(ctx context.Context, s settings) (*redis.Client, error) {
	if s.redisURL == "" {
		return nil, nil
	}
	opts, _, err := parseRedisURL(s.redisURL)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opts)
	ping, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ping(ping).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("server: REDIS_URL=%s: %w: check that Redis is running and reachable at that address, or unset REDIS_URL to keep sessions in the database", redactURL(s.redisURL), err)
	}
	return c, nil
}

// run serves until ctx is done, then shuts down gracefully. It prints the server's URL to stdout once it
// accepts connections; logs go to stderr.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	s, err := settingsFromEnv(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: s.logLevel}))
	ln, err := net.Listen("tcp", net.JoinHostPort(s.listen, s.port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("server: PORT %s is in use on %s (%w): stop the program using it, or set PORT to another port (PORT=0: any free one)", s.port, s.listen, err)
		}
		return fmt.Errorf("server: listening on LISTEN %s, PORT %s: %w: check both variables", s.listen, s.port, err)
	}
	defer ln.Close()
	tel, err := newTelemetry(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.shutdown(flush); err != nil {
			logger.Warn("server: telemetry shutdown", "err", err)
		}
	}()
	created, err := makeDevDir(s)
	if err != nil {
		return err
	}
	rdb, err := openRedis(ctx, s)
	if err == nil && rdb != nil {
		defer rdb.Close()
	}
	var a *authserver.Server
	var db *sql.DB
	if err == nil {
		a, db, err = newAuthWith(ctx, s, ln.Addr().(*net.TCPAddr).Port, logger, tel.observer, rdb)
	}
	if err != nil {
		if created {
			os.RemoveAll(devDir) // nothing left behind by a start that failed
		}
		return err
	}
	if strings.HasPrefix(s.baseURL, "https://") {
		logger.Warn("server: BETTER_AUTH_URL is https but this server speaks plain http: serve it behind a proxy that terminates TLS "+
			"for that URL, or browsers will not send its __Secure- cookies back", "BETTER_AUTH_URL", s.baseURL)
	}
	defer db.Close()
	defer a.Close()

	ready := &readiness{timeout: cmp.Or(s.readyTimeout, 2*time.Second), logger: logger, deps: []dependency{
		{name: "database", check: func(ctx context.Context) error {
			var one int
			return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		}},
	}}
	if rdb != nil {
		ready.deps = append(ready.deps, dependency{name: "redis", check: func(ctx context.Context) error {
			return rdb.Ping(ctx).Err()
		}})
	}
	var handler http.Handler = withProbes(newHandler(a, s.socialButtons(), tel.metrics), ready)
	if tel.traces {
		handler = traced(handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10, // room for Better Auth's cookies, chunked cookie caches included
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	mode := "production mode"
	if s.secret == "" {
		mode = "DEVELOPMENT mode (set BETTER_AUTH_SECRET for production)"
	}
	sessions := ""
	if rdb != nil {
		sessions = ", sessions in Redis " + redactURL(s.redisURL)
		if s.storeInDB {
			sessions += " and the database"
		}
	}
	fmt.Fprintf(stdout, "gobetterauth server: %s (listening on %s, database %s%s, %s)\n",
		a.BaseURL(), ln.Addr(), redactURL(s.databaseURL), sessions, mode)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	// SIGTERM or SIGINT: /readyz answers 503 from now on; after SHUTDOWN_DELAY (time for a load balancer to
	// see it) the listener closes, and the requests in flight get up to SHUTDOWN_TIMEOUT to finish.
	ready.draining.Store(true)
	logger.Info("server: shutting down", "delay", s.shutdownDelay, "timeout", cmp.Or(s.shutdownWait, 10*time.Second))
	if s.shutdownDelay > 0 {
		time.Sleep(s.shutdownDelay)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), cmp.Or(s.shutdownWait, 10*time.Second))
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// newAuth opens and migrates the database and returns the server writing to it, with the database to
// close after it.
func newAuth(ctx context.Context, s settings, port int, logger *slog.Logger, obs authserver.Observer) (*authserver.Server, *sql.DB, error) {
	return newAuthWith(ctx, s, port, logger, obs, nil)
}

// newAuthWith is newAuth with Redis (REDIS_URL; nil: none) as Better Auth's secondary storage: sessions
// there (and in the database too with STORE_SESSION_IN_DATABASE), verification values, and the rate-limit
// counters every instance shares. The caller closes rdb after the server.
func newAuthWith(ctx context.Context, s settings, port int, logger *slog.Logger, obs authserver.Observer, rdb *redis.Client) (*authserver.Server, *sql.DB, error) {
	db, dialect, err := storeurl.OpenDB(ctx, s.databaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("server: %w", storeurl.EnvError("DATABASE_URL", s.databaseURL, err))
	}
	fail := func(err error) (*authserver.Server, *sql.DB, error) {
		db.Close()
		return nil, nil, err
	}
	dev := s.secret == ""
	// Development mode's mailer writes each email's link or code to the log instead of sending it. Production
	// mode has none: magic links are off there (and /send-verification-email answers as Better Auth does
	// without a sender).
	var mailer authserver.Mailer
	if dev {
		mailer = mail.Log{Logger: logger}
	}
	plugins := []authserver.Plugin{
		authserver.JWT(authserver.JWTConfig{ExpiresIn: s.jwtExpiresIn, RotationInterval: s.jwksRotation}),
		// Admin: /admin/* (list, ban, impersonate, revoke sessions) for users with the admin role or in
		// ADMIN_USER_IDS; the /admin page.
		admin.New(admin.Config{AdminUserIDs: s.adminUserIDs}),
		// API keys: /api-key/* and the /api-keys page. A request with x-api-key is signed in as the key's
		// owner (enableSessionForAPIKeys); each key may serve 60 requests a minute.
		apikey.New(apikey.Config{EnableSessionForAPIKeys: true, RateLimitWindow: time.Minute, RateLimitMax: 60}).Plugin(),
		// Organizations: /organization/* (Better Auth's default roles owner, admin, member), the top bar's
		// switcher and the /organization page; invitations are emailed when there is a mailer (development
		// mode's log), with a link to /accept-invitation.
		organization.New(organization.Config{SendInvitationEmail: dev}).Plugin(),
		// Two-factor: TOTP with an authenticator app, backup codes, "trust this device" for 30 days.
		twofactor.New(twofactor.Config{Issuer: appName}),
		// Passkeys: add one on the dashboard, sign in with it (button or autofill).
		passkeyPlugin(),
	}
	if mailer != nil {
		plugins = append(plugins, magiclink.New(magiclink.Config{})) // "Email me a sign-in link"
	}
	if err := authserver.Migrate(ctx, db, string(dialect), plugins...); err != nil {
		return fail(err)
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		return fail(err)
	}
	secret := auth.Secret(s.secret)
	if dev {
		if secret, err = authserver.DevSecret(s.secretFile, logger); err != nil {
			return fail(err)
		}
	}
	origins := s.trustedOrigins
	baseURL := s.baseURL
	if baseURL == "" {
		// Zero configuration: the browser may use either name of the loopback address.
		baseURL = "http://localhost:" + strconv.Itoa(port)
		origins = append(origins, "http://127.0.0.1:"+strconv.Itoa(port))
	}
	if mailer != nil {
		mailer = invitationLinks{next: mailer, base: baseURL}
	}
	var social []authserver.Provider
	if o := s.social; o != nil {
		// Discovery happens now: an issuer that does not answer stops the start.
		p, err := providers.OpenID(ctx, providers.OpenIDConfig{ID: o.id, Issuer: o.issuer, ClientID: o.clientID,
			ClientSecret: auth.Secret(o.clientSecret)})
		if err != nil {
			return fail(fmt.Errorf("server: OIDC_ISSUER: %w", err))
		}
		social = append(social, p)
	}
	var kv store.SecondaryStorage
	var rateLimit authserver.RateLimitConfig
	if rdb != nil {
		_, prefix, err := parseRedisURL(s.redisURL)
		if err != nil {
			return fail(err)
		}
		if kv, err = redisstore.NewSecondaryStorage(rdb, &redisstore.Options{KeyPrefix: prefix}); err != nil {
			return fail(err)
		}
		// Counters in Redis: one limit for all the instances behind a load balancer.
		rateLimit.Storage = authserver.RateLimitSecondaryStorage
	}
	var hooks authserver.Hooks
	if dev {
		hooks.BeforeCreateUser = firstUserAdmin(st, logger)
	}
	a, err := authserver.New(authserver.Config{
		Auth: auth.Config{
			BaseURL:  baseURL,
			BasePath: s.basePath,
			Secret:   secret,
			Cookies:  auth.CookieConfig{Prefix: s.cookiePrefix},
			// The server's own verifier reads its session cookies from the database; the JWTs it issues are
			// for other services (examples/gin and the others, with BETTER_AUTH_URL pointing here).
			DisableJWKS: true,
			Logger:      logger,
			// The API routes (/api/me, …) also accept the keys of the API keys page in x-api-key, and the
			// admin plugin's permissions answer for ADMIN_USER_IDS as the plugin does.
			APIKeys: &auth.APIKeyConfig{Store: st},
			Admin:   &auth.AdminConfig{AdminUserIDs: s.adminUserIDs},
		},
		Hooks: hooks,
		// Better Auth's JWT plugin (its jwks table made by Migrate above), EdDSA: GET /token, GET /jwks and the set-auth-jwt header of
		// /get-session, so a verify-only API checks this server's users by JWT.
		Plugins:  plugins,
		Mailer:   mailer,
		Database: st,
		// REDIS_URL: Better Auth's secondaryStorage. Sessions live in Redis only (Better Auth's default) unless
		// STORE_SESSION_IN_DATABASE; users, accounts and the rest stay in the database.
		SecondaryStorage: kv,
		Session:          authserver.SessionConfig{StoreSessionInDatabase: s.storeInDB},
		RateLimit:        rateLimit,
		DevMode:          dev,
		TrustedOrigins:   origins,
		TrustedProxies:   s.trustedProxies,
		// Account linking keeps Better Auth's defaults: an OpenID Connect identity joins an existing
		// user of the same email only when the provider says the email is verified.
		SocialProviders: social,
		Observer:        obs, // endpoints, sign-ins, rate limits, hashing queue; and the verifier's checks
		// Settings: change the email address (a verification link to the new address; in development mode the
		// log prints it) and delete the account (the password, or a session signed in within the last day).
		User: authserver.UserConfig{
			ChangeEmail: authserver.ChangeEmailConfig{Enabled: true},
			DeleteUser:  authserver.DeleteUserConfig{Enabled: true},
		},
	})
	if err != nil {
		return fail(err)
	}
	return a, db, nil
}

// invitationLinks gives the organization plugin's invitation emails the link of this app's accept page
// (/accept-invitation?id=<invitation id>), which Better Auth leaves to the application's
// sendInvitationEmail, and hands every email to next.
type invitationLinks struct {
	next authserver.Mailer
	base string // the app's base URL
}

// SendEmail adds the accept page's link to an invitation, then sends e with next.
func (m invitationLinks) SendEmail(ctx context.Context, e authserver.Email) error {
	if e.Kind == authserver.EmailOrganizationInvitation && e.URL == "" {
		e.URL = m.base + "/accept-invitation?id=" + url.QueryEscape(e.Token)
	}
	return m.next.SendEmail(ctx, e)
}

// firstUserAdmin is development mode's BeforeCreateUser hook: the first user to sign up on an empty
// database gets the admin role, so the demo's admin page works with no configuration. Production mode
// has no such rule: set ADMIN_USER_IDS there (or the role, with the admin page of an existing admin).
func firstUserAdmin(st store.UserLister, logger *slog.Logger) func(context.Context, *store.User) error {
	var mu sync.Mutex
	return func(ctx context.Context, u *store.User) error {
		mu.Lock()
		defer mu.Unlock()
		n, err := st.CountUsers(ctx, nil)
		if err != nil {
			return err
		}
		if n == 0 && u.Role == "" {
			u.Role = "admin"
			logger.Warn("server: the first user is an admin (development mode)", "email", u.Email)
		}
		return nil
	}
}

// makeDevDir creates the development folder when a default path uses it: mode 0700, with a .gitignore
// of "*" so that neither the secret nor the database is one `git add .` away from a commit, wherever the
// server runs.
// It reports whether it created the folder.
func makeDevDir(s settings) (bool, error) {
	if s.databaseURL != devDatabaseURL && (s.secret != "" || s.secretFile != devSecretFile) {
		return false, nil
	}
	_, err := os.Stat(devDir)
	created := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(devDir, 0o700); err != nil {
		return false, fmt.Errorf("server: creating the development folder %s: %w", devDir, err)
	}
	ignore := filepath.Join(devDir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# development files of examples/server (a secret among them): never commit them\n*\n"), 0o600); err != nil {
			return created, fmt.Errorf("server: creating %s: %w", ignore, err)
		}
	}
	return created, nil
}

// redactURL hides a database URL's password for printing.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the DATABASE_URL given)"
	}
	return u.Redacted()
}
