package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Auth verifies Better Auth credentials. Create it with [New]; it is safe for concurrent use and holds no
// request state.
type Auth struct {
	s      settings
	keys   *jwks.Set           // nil when JWKS is off
	signer *betterauth.Signer  // HMAC with the current secret; nil without a secret
	jwe    *betterauth.JWEKeys // the jwe cookie cache keys; nil unless that strategy is on
	cache  *tokenCache
	closer io.Closer // Config.Closer

	warnedAt  atomic.Int64 // when deny last logged an ErrUnavailable (UnixNano of s.now)
	warnQuiet atomic.Int64 // ErrUnavailable refusals not logged since
}

// UnavailableLogInterval is how often, at most, an [Auth] logs credentials it could not check
// ([ErrUnavailable]: the JWKS or the store unreachable, or answering errors). Each line carries the cause
// and how many such refusals went unlogged since the last one; the others are logged at debug.
const UnavailableLogInterval = 10 * time.Second

// Close releases what the Auth owns: it closes [Config.Closer] (such as the session store
// storeurl.FromEnv opened). Without one, Close does nothing. The Auth must not be used afterwards.
func (a *Auth) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// New validates cfg and returns an Auth. Every problem with cfg is reported here, wrapped in
// [ErrInvalidConfig]; New does no I/O (call [Auth.Refresh] to fetch the key set up front) and never panics.
func New(cfg Config) (*Auth, error) {
	s, o, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	a := &Auth{s: s, closer: cfg.Closer}
	if o != nil {
		a.keys = jwks.New(*o)
	}
	if s.secret != "" {
		a.signer = betterauth.NewSigner(string(s.secret))
	}
	if s.strategy == CacheJWE {
		if a.jwe, err = betterauth.NewJWEKeys(s.jweSecrets); err != nil {
			return nil, configError("deriving the jwe cache keys: %v", err)
		}
	}
	if cfg.TokenCacheSize > 0 {
		a.cache = newTokenCache(cfg.TokenCacheSize, a.keys)
	}
	return a, nil
}

// BaseURL returns the configured Better Auth base URL, without a trailing slash.
func (a *Auth) BaseURL() string { return a.s.baseURL }

// BasePath returns the path Better Auth is mounted at, e.g. "/api/auth".
func (a *Auth) BasePath() string { return a.s.basePath }

// Authenticate finds the credentials in r and verifies them. It returns a session, or an error that is never
// paired with a session: [ErrNoCredentials] when r carries none, [ErrInvalidToken] or [ErrExpired] when they
// fail, [ErrUnavailable] when they cannot be checked now. [HTTPStatus] maps each to its status code.
//
// The Authorization header comes first: "Bearer <token>" (scheme case-insensitive, one space, one token)
// holding a JWT, or, with a Store, a bearer-plugin session token. Another scheme counts as no credentials;
// more than one Authorization header is refused. Without a bearer token, and with a Store or a cookie cache
// configured, Better Auth's session cookie is read (and its cookie cache, when allowed).
//
// With [Config].APIKeys, an API key header comes before all of these, as the api-key plugin's session
// hook puts the key's session in place of any other: the key alone decides ([APIKeyError] says why one is
// refused; a used-up or rate-limited key is [ErrTooManyRequests], 429).
func (a *Auth) Authenticate(ctx context.Context, r Request) (*Session, error) {
	if a.s.observer == nil {
		return a.authenticate(ctx, &r)
	}
	start := time.Now()
	s, err := a.authenticate(ctx, &r)
	kind := a.presented(&r)
	if s != nil {
		kind = s.Credential
	}
	a.s.observer.ObserveVerify(ctx, start, kind, err)
	return s, err
}

func (a *Auth) authenticate(ctx context.Context, r *Request) (*Session, error) {
	if key, err := a.apiKeyValue(r); err != nil || key != "" {
		if err == nil {
			var s *Session
			if s, err = a.apiKeySession(ctx, key, r.APIKeyPermissions); err == nil {
				return s, nil
			}
		}
		return nil, a.deny(ctx, err, key)
	}
	switch len(r.Authorization) {
	case 0:
	case 1:
		tok, ok, err := bearer(r.Authorization[0])
		if err != nil {
			return nil, a.deny(ctx, err, "")
		}
		if ok {
			s, err := a.verifyBearer(ctx, tok)
			if err != nil {
				return nil, a.deny(ctx, err, tok)
			}
			return s, nil
		}
	default:
		return nil, a.deny(ctx, invalid("more than one Authorization header"), "")
	}
	if !a.sessionsOn() || len(r.Cookie) == 0 {
		return nil, ErrNoCredentials
	}
	s, err := a.cookieSession(ctx, r)
	if err != nil {
		if err == ErrNoCredentials {
			return nil, err
		}
		return nil, a.deny(ctx, err, "")
	}
	return s, nil
}

// verifyBearer verifies the token of a Bearer Authorization header: a JWT when it has the shape of one and
// a JWT verifier is on, else a session token when sessions are on.
func (a *Auth) verifyBearer(ctx context.Context, tok string) (*Session, error) {
	if len(tok) > a.s.maxTokenBytes {
		return nil, errTooLarge
	}
	if looksLikeJWT(tok) && (a.keys != nil || a.s.hs256) {
		return a.verifyJWT(ctx, tok)
	}
	if a.sessionsOn() {
		return a.bearerSession(ctx, tok)
	}
	return nil, errShape
}

// VerifyToken verifies a raw token (a JWT-plugin token, or an HS256 token when AcceptHS256 is set) and returns
// its claims. Errors are as for [Auth.Authenticate].
func (a *Auth) VerifyToken(ctx context.Context, raw string) (*Claims, error) {
	var start time.Time
	if a.s.observer != nil {
		start = time.Now()
	}
	s, err := a.verify(ctx, raw)
	if err != nil {
		err = a.deny(ctx, err, raw)
	}
	if a.s.observer != nil {
		kind := CredentialJWT
		if s != nil {
			kind = s.Credential
		}
		a.s.observer.ObserveVerify(ctx, start, kind, err)
	}
	if err != nil {
		return nil, err
	}
	return s.Claims, nil
}

// Refresh fetches the JWKS now and waits for it within ctx, for a warm start or after a known rotation.
// Lookups keep using the previous key set if it fails. It returns nil when JWKS is off.
func (a *Auth) Refresh(ctx context.Context) error {
	if a.keys == nil {
		return nil
	}
	if err := a.keys.Refresh(ctx); err != nil {
		return &UnavailableError{RetryAfter: DefaultMinFetchInterval, Err: err}
	}
	return nil
}

// JWKSBreakerStats returns the JWKS endpoint's outage counts, in a store breaker's terms: open from a
// failed fetch until the next one succeeds (tokens whose key is not cached get 503 at once meanwhile,
// without a fetch), one probe fetch at a time after JWKS.MinInterval (doubling up to JWKS.Cooldown).
// With JWKS off it returns zero stats with State "".
func (a *Auth) JWKSBreakerStats() store.BreakerStats {
	if a.keys == nil {
		return store.BreakerStats{}
	}
	s := a.keys.Stats()
	return store.BreakerStats{State: s.State.String(), Opened: s.Opened, Probes: s.HalfOpened, Closed: s.Closed,
		Rejected: s.Rejected, Failures: s.Failures}
}

func (a *Auth) verify(ctx context.Context, tok string) (*Session, error) {
	if tok == "" {
		return nil, ErrNoCredentials
	}
	if len(tok) > a.s.maxTokenBytes {
		return nil, errTooLarge
	}
	if !looksLikeJWT(tok) {
		return nil, errShape
	}
	return a.verifyJWT(ctx, tok)
}

// bearer extracts the token from an Authorization header value (RFC 6750 §2.1). ok is false for another
// scheme. It looks only at the scheme: whatever follows "Bearer " is the token, and the token parser refuses
// any whitespace in it.
func bearer(h string) (tok string, ok bool, err error) {
	const scheme = "Bearer "
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		if strings.EqualFold(h, "Bearer") {
			return "", false, invalid("empty bearer token")
		}
		return "", false, nil
	}
	if len(h) == len(scheme) {
		return "", false, invalid("empty bearer token")
	}
	return h[len(scheme):], true, nil
}

// deny logs why a credential was refused, with a fingerprint of the token instead of the token, and returns
// err unchanged.
//
// An [ErrUnavailable] is logged at warn, with its cause and a hint, at most once per
// [UnavailableLogInterval]: an outage refuses every request, and one line says as much as a thousand.
func (a *Auth) deny(ctx context.Context, err error, tok string) error {
	level := slog.LevelDebug
	var attrs []slog.Attr
	if errors.Is(err, ErrUnavailable) {
		if a.s.log.Enabled(ctx, slog.LevelWarn) {
			now := a.s.now().UnixNano()
			last := a.warnedAt.Load()
			if (last == 0 || now-last >= int64(UnavailableLogInterval)) && a.warnedAt.CompareAndSwap(last, now) {
				level = slog.LevelWarn
				attrs = append(attrs, slog.String("hint", a.unavailableHint()))
				if n := a.warnQuiet.Swap(0); n > 0 {
					attrs = append(attrs, slog.Int64("unlogged_since_last", n))
				}
			} else {
				a.warnQuiet.Add(1)
			}
		}
	}
	if !a.s.log.Enabled(ctx, level) {
		return err
	}
	attrs = append(attrs, slog.String("reason", err.Error()))
	if tok != "" {
		sum := sha256.Sum256([]byte(tok))
		attrs = append(attrs, slog.String("token_sha256", hex.EncodeToString(sum[:4])))
	}
	msg := "auth: credentials refused"
	if level == slog.LevelWarn {
		msg = "auth: credentials could not be checked (503)"
	}
	a.s.log.LogAttrs(ctx, level, msg, attrs...)
	return err
}

// unavailableHint says what to check when credentials could not be checked.
func (a *Auth) unavailableHint() string {
	if a.keys != nil {
		return "check that the Better Auth server answers at " + a.s.baseURL + a.s.basePath + " (BETTER_AUTH_URL) and has the JWT plugin, whose JWKS this verifier fetches; or that the session store is up"
	}
	return "check that the session store (DATABASE_URL, REDIS_URL) is up and reachable"
}
