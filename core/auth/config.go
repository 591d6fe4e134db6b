package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Defaults and bounds. Zero values in [Config] mean these defaults.
const (
	DefaultBasePath         = "/api/auth"
	DefaultLeeway           = 30 * time.Second
	MaxLeeway               = 5 * time.Minute
	DefaultMaxTokenBytes    = 8 << 10
	DefaultRefreshInterval  = 10 * time.Minute
	DefaultCooldown         = 30 * time.Second
	DefaultMinFetchInterval = time.Second
	DefaultFetchTimeout     = 5 * time.Second
	DefaultJWKSMaxBytes     = 1 << 20
	DefaultJWKSMaxKeys      = 100
	MinSecretBytes          = 32
)

// NoLeeway, set as a leeway in [Config], allows no clock skew at all for that claim. (Zero means
// [DefaultLeeway].)
const NoLeeway time.Duration = -1

// Config configures an [Auth]. The zero value of every optional field means its documented default. A Config
// is read once by [New]; changing it afterwards has no effect.
type Config struct {
	// BaseURL is the Better Auth server's base URL (its baseURL option, BETTER_AUTH_URL), for example
	// "https://app.example.com". Required. It sets the default issuer and audience and the JWKS URL; it is
	// never derived from request headers.
	BaseURL string

	// BasePath is where Better Auth is mounted. Empty means "/api/auth".
	BasePath string

	// Secret is Better Auth's secret (BETTER_AUTH_SECRET). It is needed only by AcceptHS256 here, and must be
	// at least 32 bytes when given.
	Secret Secret

	// JWKSURL is the JWT plugin's key set. Empty means BaseURL + BasePath + "/jwks". It must be https unless
	// its host is a loopback address or "localhost".
	JWKSURL string

	// DisableJWKS turns off verification of JWT-plugin tokens (the ones checked against JWKS).
	DisableJWKS bool

	// Algorithms is the allowlist of JWKS key algorithms. Nil means EdDSA, ES256, ES512, RS256 and PS256, the
	// JWT plugin's algorithms; ES384, RS384, RS512, PS384 and PS512 may be added. A token's algorithm is the
	// one its key names (its "alg", or the only one its curve allows); the token header must agree.
	Algorithms []string

	// AcceptHS256 turns on HS256 tokens signed with Secret. This is a separate verifier with no code path in
	// common with JWKS keys: a token whose header says HS256 is checked only against Secret, and any other
	// token only against JWKS keys. Off by default.
	AcceptHS256 bool

	// Issuers lists the accepted "iss" values, compared exactly. Nil means the origin of BaseURL, which is
	// what the JWT plugin sets unless its issuer option is given.
	Issuers []string

	// Audiences lists the accepted "aud" values; a token is accepted when its audience (a string, or an array
	// of strings) contains one of them. Nil means the origin of BaseURL, the JWT plugin's default.
	Audiences []string

	// ExpLeeway, NotBeforeLeeway and IssuedAtLeeway allow for clock skew on "exp", "nbf" and "iat". Zero means
	// DefaultLeeway (30 s); NoLeeway means none; more than MaxLeeway (5 min) or any other negative value is
	// refused. A token is expired when now > exp + leeway.
	ExpLeeway, NotBeforeLeeway, IssuedAtLeeway time.Duration

	// MaxTokenAge, when positive, also refuses tokens whose "iat" is older than this. Zero means no limit.
	MaxTokenAge time.Duration

	// MaxTokenBytes caps the length of a token; longer ones are refused before any decoding. Zero means 8 KiB.
	MaxTokenBytes int

	// JWKS tunes the key set cache. Its zero value means the defaults on each field.
	JWKS JWKSOptions

	// HTTPClient fetches the key set. Nil means a client that follows no redirect to another host and times
	// out after JWKS.FetchTimeout.
	HTTPClient *http.Client

	// TokenCacheSize, when positive, keeps up to that many verified tokens so a repeated token is checked
	// with a map lookup instead of a signature verification. An entry is never used at or past the token's
	// "exp", nor after its key leaves the key set. Zero means no cache.
	TokenCacheSize int

	// Store looks up Better Auth sessions: it turns on the session cookie (better-auth.session_token) and the
	// bearer plugin's session tokens. Nil means only JWTs are accepted. With a Store, Secret (or Secrets) is
	// required to check cookie signatures, except for a store that checks credentials itself (the remote
	// store), which is then handed the caller's Better Auth cookies as they came.
	Store store.Store

	// APIKeys turns on API keys of Better Auth's api-key plugin, read from the x-api-key header (see
	// [APIKeyConfig]). Nil means off: the header is ignored.
	APIKeys *APIKeyConfig

	// Organizations turns on the organization plugin's member roles and access control ([Auth.Member],
	// [Auth.HasPermission], and the Policy's organization checks). Nil means off.
	Organizations *OrganizationConfig

	// Admin describes the admin plugin's access control for [Auth.AdminHasPermission] and
	// Policy.AdminPermissions. Nil means the plugin's defaults.
	Admin *AdminConfig

	// Closer, when set, is closed by [Auth.Close]: what the Auth owns, such as the store storeurl.FromEnv
	// opened. Nil means Close does nothing.
	Closer io.Closer

	// Secrets are Better Auth's rotated secrets (its secrets option, BETTER_AUTH_SECRETS), current first.
	// When set, Secrets[0] signs and checks cookies, bearer tokens, the compact and jwt cookie caches and
	// HS256 tokens (Better Auth uses only the current secret for those), and every secret plus Secret (the
	// legacy one) can decrypt jwe cookie caches. Nil means Secret is the only secret.
	Secrets []VersionedSecret

	// Cookies names Better Auth's cookies. Its zero value means Better Auth's defaults.
	Cookies CookieConfig

	// CookieCache says which session_data cookie cache the Better Auth server writes, so it can be used
	// instead of a store lookup. Its zero value means none: the cookie is ignored and the store decides.
	CookieCache CookieCacheConfig

	// AcceptRawSessionTokens accepts raw (unsigned) session tokens in the Authorization header ("Bearer
	// <token>", the 32-character value /get-session and /list-sessions hand to page scripts). Set it only
	// when the Better Auth server runs the bearer plugin without its requireSignature option, the one setup
	// in which Better Auth itself takes them. Off by default: only signed tokens ("token.signature", the
	// set-auth-token header or the session cookie's value, HMAC-checked with the secret) are accepted, as
	// with requireSignature, so a leaked session table or a script that read a raw token cannot sign in
	// without the secret. In server mode, authserver.Bearer without RequireSignature turns it on for
	// the server's verifier, since that server then takes raw tokens itself. With a store that checks credentials itself (the
	// remote /get-session store), an unsigned token is refused here first unless this is set; a token
	// passed on is then judged by that server's own bearer plugin settings.
	AcceptRawSessionTokens bool

	// MaxSessionAge, when positive, refuses a session (as expired) once it is older than this, counted from
	// its createdAt, whatever its expiresAt says: an absolute lifetime on top of Better Auth's sliding one.
	// It applies to sessions read from the store and from the cookie cache; a session without a createdAt
	// is then refused. Zero means no limit (Better Auth's behaviour); in server mode zero means
	// the server's Session.MaxSessionAge (setting both to different values is an error).
	MaxSessionAge time.Duration

	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// Logger receives debug records for denied requests (with a short token fingerprint, never the token)
	// and warnings for key set fetch failures. Nil means no logging.
	Logger *slog.Logger

	// Observer receives verifications, store lookups and JWKS fetches, for traces and metrics
	// (adapters/authotel implements it with OpenTelemetry). Nil, the default, means none, at the cost of
	// a nil check.
	Observer Observer
}

// VersionedSecret is one of Better Auth's rotated secrets.
type VersionedSecret struct {
	// Version is the secret's version number (Better Auth's "version"); unique, non-negative.
	Version int
	// Value is the secret.
	Value Secret
}

// CookieConfig names Better Auth's cookies, mirroring its advanced.cookiePrefix, advanced.useSecureCookies
// and advanced.cookies.<name>.name options.
type CookieConfig struct {
	// Prefix is advanced.cookiePrefix. Empty means "better-auth".
	Prefix string
	// Secure says whether the cookie names carry the "__Secure-" prefix. The zero value, SecureAuto,
	// follows Better Auth: on when BaseURL is https. In secure mode only the "__Secure-" names are read.
	Secure CookieSecurity
	// SessionToken, SessionData and DontRemember replace the full names (before "__Secure-"), like
	// advanced.cookies.session_token.name. Empty means "<Prefix>.session_token" and so on.
	SessionToken, SessionData, DontRemember string
}

// CookieSecurity is the "__Secure-" cookie name mode.
type CookieSecurity uint8

// Cookie name modes.
const (
	SecureAuto CookieSecurity = iota // "__Secure-" when BaseURL is https
	SecureOn                         // always "__Secure-"
	SecureOff                        // never
)

// CacheStrategy is Better Auth's session.cookieCache.strategy.
type CacheStrategy string

// The cookie cache strategies.
const (
	// CacheNone ignores the session_data cookie (the default).
	CacheNone CacheStrategy = ""
	// CacheCompact is strategy "compact": base64url JSON with an HMAC.
	CacheCompact CacheStrategy = "compact"
	// CacheJWT is strategy "jwt": an HS256 JWT signed with the secret.
	CacheJWT CacheStrategy = "jwt"
	// CacheJWE is strategy "jwe": an encrypted JWT (dir, A256CBC-HS512) with a key derived from the secret.
	CacheJWE CacheStrategy = "jwe"
	// CacheJWTPlugin is strategy "jwt" with jwt({ sessionCookieCache: true }): signed with the JWT plugin's
	// key and checked against the JWKS.
	CacheJWTPlugin CacheStrategy = "jwt-plugin"
)

// CookieCacheConfig describes the Better Auth server's cookie cache. A cached session is used only under
// Better Auth's own rule: the signed session_token cookie is valid, names the same token, the version
// matches, and both the cache's and the session's expiry are in the future. Otherwise the store decides.
// A session revoked on the server stays accepted from the cache until the cache expires (its maxAge,
// 5 minutes by default): use Request.SkipCookieCache on sensitive routes.
type CookieCacheConfig struct {
	// Strategy is the server's session.cookieCache.strategy. Empty means the cache is not used.
	Strategy CacheStrategy
	// Version is session.cookieCache.version. Empty means "1".
	Version string
}

// JWKSOptions tunes the JWKS cache.
type JWKSOptions struct {
	// RefreshInterval is how old the key set may get before a request triggers a background refresh; keys
	// removed upstream stop verifying after that. Zero means 10 minutes.
	RefreshInterval time.Duration
	// Cooldown is the least time between two fetches caused by tokens with unknown key ids, so a flood of
	// random kids costs at most one fetch per Cooldown. A token issued after the last fetch (by its iat)
	// may trigger one sooner, since its key may be newly rotated in. Zero means 30 s.
	Cooldown time.Duration
	// MinInterval is the least time between any two fetches, and the first retry delay after a failure
	// (doubling up to Cooldown). Zero means 1 s.
	MinInterval time.Duration
	// FetchTimeout bounds one fetch. Zero means 5 s.
	FetchTimeout time.Duration
	// MaxBytes caps the key set body. Zero means 1 MiB.
	MaxBytes int64
	// MaxKeys caps the number of keys; a larger set is refused whole. Zero means 100.
	MaxKeys int
}

// settings is the validated, defaulted configuration.
type settings struct {
	baseURL, basePath, origin string
	issuers, audiences        []string
	expLeeway, nbfLeeway      time.Duration
	iatLeeway, maxAge         time.Duration
	maxTokenBytes             int
	hs256                     bool
	secret                    Secret   // the current secret ("" when none)
	jweSecrets                []string // every secret that may decrypt a jwe cookie cache, current first
	rawBaseURL                string   // BaseURL exactly as configured (the JWT plugin's cache issuer)
	now                       func() time.Time
	log                       *slog.Logger
	observer                  Observer

	store         store.Store
	apiKeys       *apiKeySettings // nil: API keys off
	orgs          *orgSettings    // nil: organizations off
	admin         *adminSettings
	forward       store.CredentialLookup // set when the store checks raw credentials itself
	names         betterauth.Names
	strategy      CacheStrategy
	cacheVersion  string
	rawBearer     bool          // raw session tokens are accepted in Authorization (AcceptRawSessionTokens)
	maxSessionAge time.Duration // absolute session lifetime; 0 = none
	secure        bool          // the cookies are __Secure- and carry the Secure attribute
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// fieldError is a configError about one Config field, whose message begins with the field's name, so that
// [FromEnv] can name the environment variable the value came from instead, and say what to do.
type fieldError struct {
	field string // the Config field the message begins with: "BaseURL", "Secret", …
	msg   string // the message after "auth: invalid config: "
}

func (e *fieldError) Error() string        { return ErrInvalidConfig.Error() + ": " + e.msg }
func (e *fieldError) Is(target error) bool { return target == ErrInvalidConfig }

func fieldErr(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

func leeway(name string, d time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return DefaultLeeway, nil
	case d == NoLeeway:
		return 0, nil
	case d < 0 || d > MaxLeeway:
		return 0, configError("%s %v is outside 0..%v", name, d, MaxLeeway)
	}
	return d, nil
}

func (c *Config) validate() (settings, *jwks.Options, error) {
	var s settings
	if c.BaseURL == "" {
		return s, nil, fieldErr("BaseURL", "BaseURL is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return s, nil, fieldErr("BaseURL", "BaseURL %q must be an absolute http(s) URL without credentials", c.BaseURL)
	}
	s.baseURL = strings.TrimSuffix(c.BaseURL, "/")
	s.origin = origin(u)
	s.basePath = c.BasePath
	if p := strings.TrimSuffix(u.Path, "/"); p != "" {
		// Better Auth treats a base URL with a path as the whole route base and ignores basePath.
		if c.BasePath != "" && strings.TrimSuffix(c.BasePath, "/") != p {
			return s, nil, fieldErr("BaseURL", "BaseURL has the path %q, which Better Auth uses instead of BasePath %q; drop one", p, c.BasePath)
		}
		s.basePath = p
	}
	if s.basePath == "" {
		s.basePath = DefaultBasePath
	}
	if !strings.HasPrefix(s.basePath, "/") {
		return s, nil, fieldErr("BasePath", "BasePath %q must start with /", c.BasePath)
	}
	s.basePath = strings.TrimSuffix(s.basePath, "/")
	if s.issuers, err = nonEmpty("Issuers", c.Issuers, s.origin); err != nil {
		return s, nil, err
	}
	if s.audiences, err = nonEmpty("Audiences", c.Audiences, s.origin); err != nil {
		return s, nil, err
	}
	if s.expLeeway, err = leeway("ExpLeeway", c.ExpLeeway); err != nil {
		return s, nil, err
	}
	if s.nbfLeeway, err = leeway("NotBeforeLeeway", c.NotBeforeLeeway); err != nil {
		return s, nil, err
	}
	if s.iatLeeway, err = leeway("IssuedAtLeeway", c.IssuedAtLeeway); err != nil {
		return s, nil, err
	}
	if c.MaxTokenAge < 0 {
		return s, nil, configError("MaxTokenAge must not be negative")
	}
	s.maxAge = c.MaxTokenAge
	s.maxTokenBytes = c.MaxTokenBytes
	switch {
	case s.maxTokenBytes == 0:
		s.maxTokenBytes = DefaultMaxTokenBytes
	case s.maxTokenBytes < 64 || s.maxTokenBytes > 1<<20:
		return s, nil, configError("MaxTokenBytes %d is outside 64..1048576", c.MaxTokenBytes)
	}
	if err := c.validateSessions(&s); err != nil {
		return s, nil, err
	}
	if c.AcceptHS256 && s.secret == "" {
		return s, nil, fieldErr("AcceptHS256", "AcceptHS256 needs Secret")
	}
	if c.TokenCacheSize < 0 {
		return s, nil, configError("TokenCacheSize must not be negative")
	}
	s.hs256 = c.AcceptHS256
	s.now = c.Now
	if s.now == nil {
		s.now = time.Now
	}
	s.log = c.Logger
	s.observer = c.Observer
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if c.APIKeys != nil {
		var err error
		if s.apiKeys, err = c.APIKeys.validate(); err != nil {
			return s, nil, err
		}
	}
	if c.Organizations != nil {
		var err error
		if s.orgs, err = c.Organizations.validate(); err != nil {
			return s, nil, err
		}
	}
	admin := c.Admin
	if admin == nil {
		admin = &AdminConfig{}
	}
	s.admin = admin.settings()
	if c.DisableJWKS {
		if !c.AcceptHS256 && s.store == nil && s.apiKeys == nil {
			return s, nil, configError("DisableJWKS leaves no way to verify credentials; set AcceptHS256 or Store, or keep JWKS")
		}
		if s.strategy == CacheJWTPlugin {
			return s, nil, configError("CookieCache strategy %q needs JWKS", CacheJWTPlugin)
		}
		return s, nil, nil
	}
	o, err := c.jwksOptions(s)
	return s, o, err
}

// validateSessions checks the secrets, cookie names, cookie cache and store settings.
func (c *Config) validateSessions(s *settings) error {
	s.rawBaseURL = c.BaseURL
	s.secret = c.Secret
	versions := map[int]bool{}
	for i, v := range c.Secrets {
		if v.Version < 0 || versions[v.Version] {
			return fieldErr("Secrets", "Secrets[%d]: version %d is negative or repeated", i, v.Version)
		}
		versions[v.Version] = true
		if len(v.Value) < MinSecretBytes {
			return fieldErr("Secrets", "Secrets[%d] is %d bytes; at least %d are required", i, len(v.Value), MinSecretBytes)
		}
		if i == 0 {
			s.secret = v.Value
		}
		s.jweSecrets = append(s.jweSecrets, string(v.Value))
	}
	if c.Secret != "" {
		if len(c.Secret) < MinSecretBytes {
			return fieldErr("Secret", "Secret is %d bytes; at least %d are required", len(c.Secret), MinSecretBytes)
		}
		if !slices.Contains(s.jweSecrets, string(c.Secret)) {
			s.jweSecrets = append(s.jweSecrets, string(c.Secret))
		}
	}
	secure := c.Cookies.Secure == SecureOn || (c.Cookies.Secure == SecureAuto && strings.HasPrefix(c.BaseURL, "https://"))
	if c.Cookies.Secure > SecureOff {
		return configError("Cookies.Secure %d is not a CookieSecurity value", c.Cookies.Secure)
	}
	for _, n := range []string{c.Cookies.Prefix, c.Cookies.SessionToken, c.Cookies.SessionData, c.Cookies.DontRemember} {
		if strings.ContainsAny(n, "=; \t\r\n,\"") {
			return fieldErr("Cookies", "cookie name or prefix %q has a character cookies cannot carry", n)
		}
	}
	s.secure = secure
	s.names = betterauth.NewNames(c.Cookies.Prefix, secure, betterauth.Names{
		SessionToken: c.Cookies.SessionToken, SessionData: c.Cookies.SessionData, DontRemember: c.Cookies.DontRemember})
	s.strategy = c.CookieCache.Strategy
	s.cacheVersion = orDefault(c.CookieCache.Version, "1")
	switch s.strategy {
	case CacheNone, CacheJWTPlugin:
	case CacheCompact, CacheJWT, CacheJWE:
		if s.secret == "" {
			return fieldErr("CookieCache", "CookieCache strategy %q needs Secret", s.strategy)
		}
	default:
		return fieldErr("CookieCache", "CookieCache.Strategy %q is not compact, jwt, jwe or jwt-plugin", s.strategy)
	}
	s.store = c.Store
	s.rawBearer = c.AcceptRawSessionTokens
	if c.MaxSessionAge < 0 {
		return configError("MaxSessionAge must not be negative")
	}
	s.maxSessionAge = c.MaxSessionAge
	if s.store != nil {
		s.forward, _ = s.store.(store.CredentialLookup)
		if s.secret == "" && s.forward == nil {
			return fieldErr("Store", "Store needs Secret (or Secrets) to check session cookie signatures")
		}
	}
	if s.strategy != CacheNone && s.secret == "" {
		return configError("CookieCache needs Secret to check the session cookie it belongs to")
	}
	return nil
}

func nonEmpty(name string, vals []string, def string) ([]string, error) {
	if vals == nil {
		return []string{def}, nil
	}
	if len(vals) == 0 || slices.Contains(vals, "") {
		return nil, fieldErr(name, "%s must not be empty or contain an empty string", name)
	}
	return slices.Clone(vals), nil
}

func (c *Config) jwksOptions(s settings) (*jwks.Options, error) {
	o := &jwks.Options{
		URL:             c.JWKSURL,
		Client:          c.HTTPClient,
		Allowed:         map[string]bool{},
		RefreshInterval: orDefault(c.JWKS.RefreshInterval, DefaultRefreshInterval),
		Cooldown:        orDefault(c.JWKS.Cooldown, DefaultCooldown),
		MinInterval:     orDefault(c.JWKS.MinInterval, DefaultMinFetchInterval),
		FetchTimeout:    orDefault(c.JWKS.FetchTimeout, DefaultFetchTimeout),
		MaxBytes:        orDefault(c.JWKS.MaxBytes, DefaultJWKSMaxBytes),
		MaxKeys:         orDefault(c.JWKS.MaxKeys, DefaultJWKSMaxKeys),
		IssuedAtSlack:   time.Second + s.iatLeeway,
		Now:             s.now,
		Logger:          s.log,
	}
	if obs := s.observer; obs != nil {
		o.OnFetch = func(ctx context.Context, start time.Time, err error) { obs.ObserveJWKSFetch(ctx, start, err) }
	}
	if o.URL == "" {
		o.URL = s.origin + s.basePath + "/jwks"
	}
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, fieldErr("JWKSURL", "JWKSURL %q is not an absolute URL", o.URL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fieldErr("JWKSURL", "JWKSURL %q must use https (plain http is allowed only for loopback hosts)", o.URL)
	}
	for _, d := range []time.Duration{o.RefreshInterval, o.Cooldown, o.MinInterval, o.FetchTimeout} {
		if d < 0 {
			return nil, configError("JWKS durations must not be negative")
		}
	}
	if o.MinInterval > o.Cooldown {
		return nil, configError("JWKS.MinInterval %v is longer than JWKS.Cooldown %v", o.MinInterval, o.Cooldown)
	}
	if o.MaxBytes < 0 || o.MaxKeys < 0 {
		return nil, configError("JWKS limits must not be negative")
	}
	algs := c.Algorithms
	if algs == nil {
		algs = jwks.DefaultAlgorithms
	}
	if len(algs) == 0 {
		return nil, configError("Algorithms must not be empty")
	}
	for _, a := range algs {
		if !jwks.Supported[a] {
			return nil, configError("algorithm %q is not supported for JWKS keys (HS256 has its own switch, AcceptHS256)", a)
		}
		o.Allowed[a] = true
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.FetchTimeout, CheckRedirect: sameHostRedirects}
	}
	return o, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// origin is a URL's origin as JavaScript's new URL(…).origin computes it: scheme and host lower-cased,
// the scheme's default port dropped. The JWT plugin's default issuer and audience are this string.
func origin(u *url.URL) string {
	host := strings.ToLower(u.Host)
	switch {
	case u.Scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case u.Scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

func isLoopback(host string) bool {
	host = strings.ToLower(host)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var errCrossHostRedirect = errors.New("auth: JWKS redirect to another host refused")

func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 {
		return errors.New("auth: too many JWKS redirects")
	}
	if req.URL.Host != via[0].URL.Host || (via[0].URL.Scheme == "https" && req.URL.Scheme != "https") {
		return errCrossHostRedirect
	}
	return nil
}
