// Command server is a Better Auth-compatible server in Go that starts with no configuration at all: Better
// Auth's email/password endpoints at /api/auth (the better-auth JS client works against them unchanged), a
// small HTML app to sign up, sign in, see the session and sign out, and API routes protected by gobetterauth's
// net/http middleware (authhttp) that accept the session cookies it sets.
//
//	go run ./examples/server   # http://localhost:3000, SQLite file ./gobetterauth-dev.db
//
// Unconfigured, it is a development server: its SQLite file and a generated secret
// (.gobetterauth-dev-secret) live in the working directory, and Better Auth's development rules apply (no
// rate limiting). Setting BETTER_AUTH_SECRET turns that off. Setting OIDC_ISSUER and OIDC_CLIENT_ID adds
// social sign-in with that OpenID Connect provider: a "Sign in with …" button on the sign-in page. See
// README.md for every variable.
//
//	GET  /                 the home page, with links to the others
//	GET  /sign-up          sign-up form (POST /api/auth/sign-up/email)
//	GET  /sign-in          sign-in form (POST /api/auth/sign-in/email), and the social sign-in button
//	                       when OIDC_ISSUER is set (POST /api/auth/sign-in/social)
//	GET  /dashboard        the user, their sessions and a sign-out button; redirects to /sign-in when not
//	                       signed in
//	*    /api/auth/…       Better Auth's endpoints (authhttp.Mount)
//	GET  /api/public       200 for anyone
//	GET  /api/me           401 JSON when not signed in, else {"session":{…},"user":{…}}
//	GET  /api/admin        403 unless the user's role is "admin"
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
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
	"github.com/gobetterauth/gobetterauth/providers"
)

// Development defaults, relative to the working directory.
const (
	devDatabaseURL = "sqlite:./gobetterauth-dev.db"
	devSecretFile  = ".gobetterauth-dev-secret"
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
	databaseURL    string
	secret         string // empty: development mode with a generated secret
	secretFile     string
	trustedOrigins []string
	trustedProxies []netip.Prefix
	social         *socialSettings // nil: no social sign-in
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
func settingsFromEnv(getenv func(string) string) (settings, error) {
	s := settings{
		listen:      cmp.Or(getenv("LISTEN"), "127.0.0.1"),
		port:        cmp.Or(getenv("PORT"), "3000"),
		baseURL:     strings.TrimRight(getenv("BETTER_AUTH_URL"), "/"),
		databaseURL: cmp.Or(getenv("DATABASE_URL"), devDatabaseURL),
		secret:      getenv("BETTER_AUTH_SECRET"),
		secretFile:  cmp.Or(getenv("GOBETTERAUTH_DEV_SECRET_FILE"), devSecretFile),
	}
	if p, err := strconv.Atoi(s.port); err != nil || p < 0 || p > 65535 {
		return s, fmt.Errorf("server: PORT %q is not a port number", s.port)
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
				return s, fmt.Errorf("server: TRUSTED_PROXIES: %q is neither a network (10.0.0.0/8) nor an address", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		s.trustedProxies = append(s.trustedProxies, prefix)
	}
	social, err := socialFromEnv(getenv)
	if err != nil {
		return s, err
	}
	s.social = social
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
		return nil, errors.New("server: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_PROVIDER_ID and OIDC_PROVIDER_NAME need OIDC_ISSUER")
	case o.clientID == "":
		return nil, errors.New("server: OIDC_ISSUER needs OIDC_CLIENT_ID")
	}
	o.id = cmp.Or(o.id, "oidc")
	o.name = cmp.Or(o.name, "OpenID Connect")
	return o, nil
}

// run serves until ctx is done, then shuts down gracefully. It prints the server's URL to stdout once it
// accepts connections; logs go to stderr.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	s, err := settingsFromEnv(getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.listen, s.port))
	if err != nil {
		return fmt.Errorf("server: %w", err)
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
	a, db, err := newAuth(ctx, s, ln.Addr().(*net.TCPAddr).Port, logger, tel.observer)
	if err != nil {
		return err
	}
	defer db.Close()
	defer a.Close()

	var handler http.Handler = newHandler(a, s.socialButtons(), tel.metrics)
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
	fmt.Fprintf(stdout, "gobetterauth server: %s (listening on %s, database %s, %s)\n",
		a.BaseURL(), ln.Addr(), redactURL(s.databaseURL), mode)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	db, dialect, err := storeurl.OpenDB(ctx, s.databaseURL)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*authserver.Server, *sql.DB, error) {
		db.Close()
		return nil, nil, err
	}
	if err := authserver.Migrate(ctx, db, string(dialect)); err != nil {
		return fail(err)
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		return fail(err)
	}
	dev := s.secret == ""
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
	a, err := authserver.New(authserver.Config{
		Auth: auth.Config{
			BaseURL:     baseURL,
			Secret:      secret,
			DisableJWKS: true, // this server issues sessions, not JWT-plugin tokens
			Logger:      logger,
		},
		Database:       st,
		DevMode:        dev,
		TrustedOrigins: origins,
		TrustedProxies: s.trustedProxies,
		// Account linking keeps Better Auth's defaults: an OpenID Connect identity joins an existing
		// user of the same email only when the provider says the email is verified.
		SocialProviders: social,
		Observer:        obs, // endpoints, sign-ins, rate limits, hashing queue; and the verifier's checks
	})
	if err != nil {
		return fail(err)
	}
	return a, db, nil
}

// redactURL hides a database URL's password for printing.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the DATABASE_URL given)"
	}
	return u.Redacted()
}
