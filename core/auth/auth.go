package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
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
}

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
	if key, err := a.apiKeyValue(&r); err != nil || key != "" {
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
	s, err := a.cookieSession(ctx, &r)
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
	s, err := a.verify(ctx, raw)
	if err != nil {
		return nil, a.deny(ctx, err, raw)
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
func (a *Auth) deny(ctx context.Context, err error, tok string) error {
	level := slog.LevelDebug
	if errors.Is(err, ErrUnavailable) {
		level = slog.LevelWarn
	}
	if !a.s.log.Enabled(ctx, level) {
		return err
	}
	attrs := []slog.Attr{slog.String("reason", err.Error())}
	if tok != "" {
		sum := sha256.Sum256([]byte(tok))
		attrs = append(attrs, slog.String("token_sha256", hex.EncodeToString(sum[:4])))
	}
	a.s.log.LogAttrs(ctx, level, "auth: credentials refused", attrs...)
	return err
}
