package authserver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/authcore"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Server is a Better Auth-compatible server: an [http.Handler] for Better Auth's endpoints, wrapping the
// verifier ([Server.Verifier]) that checks the sessions it creates. Create it with [New]; it is safe for
// concurrent use.
type Server struct {
	v      *auth.Auth
	core   *authcore.State
	s      settings
	signer *betterauth.Signer  // HMAC with the current secret
	jwe    *betterauth.JWEKeys // the jwe cookie cache keys; nil unless that strategy is on

	router      map[string]*endpoint
	routeParams map[string]*endpoint // "/dir" → the route "/dir/:name"
	hasher      *betterauth.Hasher
	jwt         *jwtIssuer  // the JWT plugin's issuer, when it is on
	before      []hook      // the plugins' before hooks, in order
	after       []hook      // the plugins' after hooks, in order
	cfg         auth.Config // the verifier's Config, as given (the JWT plugin reads the secrets)
}

// settings are the verifier's validated settings the server uses, and the server's own.
type settings struct {
	baseURL, basePath, origin string
	rawBaseURL                string // BaseURL exactly as configured (the JWT plugin's cache issuer)
	names                     betterauth.Names
	secure                    bool // the cookies are __Secure- and carry the Secure attribute
	strategy                  auth.CacheStrategy
	cacheVersion              string
	maxSessionAge             time.Duration // the verifier's MaxSessionAge; 0 = none
	secret                    auth.Secret
	now                       func() time.Time
	log                       *slog.Logger

	server *serverSettings
}

// New validates cfg and returns a Server. Every problem with cfg is reported here, wrapped in
// [auth.ErrInvalidConfig]; New does no I/O and never panics. Close the Server to release what the
// verifier owns.
func New(cfg Config) (*Server, error) {
	if cfg.Database == nil {
		return nil, configError("Database is required")
	}
	var kvd *kvDatabase
	if cfg.SecondaryStorage != nil {
		kvd = &kvDatabase{Database: cfg.Database, kv: cfg.SecondaryStorage, inDB: cfg.Session.StoreSessionInDatabase,
			preserve:   cfg.Session.PreserveSessionInDatabase,
			revokedTTL: max(orDefault(cfg.Session.ExpiresIn, DefaultSessionExpiresIn), 24*time.Hour)}
		cfg.Database = kvd
	} else if cfg.Session.StoreSessionInDatabase || cfg.Session.PreserveSessionInDatabase {
		return nil, configError("Session.StoreSessionInDatabase and PreserveSessionInDatabase need a SecondaryStorage")
	}
	if cfg.Session.PreserveSessionInDatabase && !cfg.Session.StoreSessionInDatabase {
		return nil, configError("Session.PreserveSessionInDatabase needs Session.StoreSessionInDatabase")
	}
	vc := cfg.Auth
	if vc.Store == nil {
		vc.Store = cfg.Database
	}
	if vc.Observer == nil {
		if o, ok := cfg.Observer.(auth.Observer); ok {
			vc.Observer = o
		}
	}
	if m := cfg.Session.MaxSessionAge; m != 0 {
		if vc.MaxSessionAge != 0 && vc.MaxSessionAge != m {
			return nil, configError("Auth.MaxSessionAge %v and Session.MaxSessionAge %v differ; set one", vc.MaxSessionAge, m)
		}
		if m < 0 {
			return nil, configError("Session.MaxSessionAge must not be negative")
		}
		vc.MaxSessionAge = m
	}
	for _, p := range cfg.Plugins {
		if p.verifier != nil {
			p.verifier(&vc)
		}
	}
	v, err := auth.New(vc)
	if err != nil {
		return nil, err
	}
	st := authcore.Of(v)
	a := &Server{v: v, core: st, cfg: cfg.Auth, signer: st.Signer, jwe: st.JWE, s: settings{
		baseURL: st.BaseURL, basePath: st.BasePath, origin: st.Origin, rawBaseURL: st.RawBaseURL,
		names: st.Names, secure: st.Secure, strategy: auth.CacheStrategy(st.Strategy), cacheVersion: st.CacheVersion,
		maxSessionAge: st.MaxSessionAge, secret: auth.Secret(st.Secret), now: st.Now, log: st.Log,
	}}
	if kvd != nil {
		kvd.now, kvd.log = st.Now, st.Log
	}
	if a.s.server, err = cfg.validate(&a.s); err != nil {
		return nil, err
	}
	s := a.s
	a.router, a.routeParams = a.routes(), map[string]*endpoint{}
	for p, ep := range a.router {
		ep.op = Operation{Route: p, ID: operationIDs[p]}
		if i := strings.Index(p, "/:"); i > 0 {
			a.routeParams[p[:i]] = ep
			delete(a.router, p)
		}
	}
	a.hasher = betterauth.NewHasher(s.server.hashSlots)
	if obs := s.server.observer; obs != nil {
		a.hasher.OnWait = obs.ObserveHashWait
	}
	if err := a.installPlugins(cfg.Plugins); err != nil {
		return nil, err
	}
	return a, nil
}

// Verifier returns the verifier the server wraps: pass it to an adapter's middleware (for example
// authhttp.Middleware(srv.Verifier())) to protect the application's own routes with the sessions the server
// creates.
func (a *Server) Verifier() *auth.Auth { return a.v }

// BasePath returns the path the server answers at, e.g. "/api/auth".
func (a *Server) BasePath() string { return a.s.basePath }

// BaseURL returns the configured Better Auth base URL, without a trailing slash.
func (a *Server) BaseURL() string { return a.s.baseURL }

// Close releases what the server owns: the mail queue and its verifier's resources. Close stops taking
// emails and waits up to MailQueue.DrainTimeout (10 s by default) for the queued ones to be sent, then
// cancels what is left (logged). A server with a Mailer should be closed when it shuts down, after its HTTP
// server stopped taking requests, or queued emails are lost. The Server must not be used afterwards; Close
// may be called more than once.
func (a *Server) Close() error {
	if a.s.server.mail != nil {
		a.s.server.mail.close()
	}
	return a.v.Close()
}

// cachedSession is the verifier's cookie cache check: the session the session_data value holds when Better
// Auth would use it for token, else nil. The result is the decoded cache's own, not a copy.
func (a *Server) cachedSession(ctx context.Context, value, token string) *store.Result {
	return a.core.CachedSession(ctx, value, token)
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{auth.ErrInvalidConfig}, args...)...)
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// isoTime is JavaScript's Date.prototype.toISOString.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
