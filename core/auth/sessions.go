package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Longest session token looked up in a store. Better Auth's are 32 characters.
const maxSessionTokenBytes = 256

// storeRetryAfter is the Retry-After for a store that could not answer.
const storeRetryAfter = 2 * time.Second

// Reasons a session is refused.
var (
	errCookieSignature  = invalid("session cookie signature invalid")
	errCookieAmbiguous  = invalid("session cookie sent more than once")
	errBearerSignature  = invalid("session token signature invalid")
	errBearerUnsigned   = invalid("unsigned session token refused (AcceptRawSessionTokens is off)")
	errSessionNotFound  = invalid("session not found")
	errSessionToken     = invalid("malformed session token")
	errSessionUser      = invalid("session and user do not match")
	errNoSessions       = invalid("not a JWT, and no session store is configured")
	errCacheNoStore     = invalid("cookie cache not usable and no session store is configured")
	errSessionExpired   = &reasonError{kind: ErrExpired, reason: "session expired"}
	errNotSessionBearer = invalid("not a JWT or a session token")
)

// sessionsOn reports whether session cookies and session tokens are accepted.
func (a *Auth) sessionsOn() bool { return a.s.store != nil || a.s.strategy != CacheNone }

// bearerSession verifies a bearer-plugin session token: "token.signature" (URL-encoded or not), or a raw
// token when AcceptRawSessionTokens says the Better Auth server takes them. A bad signature or an unsigned
// token is refused without touching the store, also a store that checks credentials itself.
func (a *Auth) bearerSession(ctx context.Context, tok string) (*Session, error) {
	if a.s.store == nil {
		return nil, errNoSessions
	}
	signed := strings.IndexByte(tok, '.') >= 0
	if !signed && !a.s.rawBearer {
		return nil, errBearerUnsigned
	}
	if a.s.forward != nil && a.signer == nil {
		return a.forwarded(ctx, "", "Bearer "+tok, CredentialSessionToken)
	}
	token := tok
	if signed {
		var ok bool
		if token, ok = a.signer.Verify(tok); !ok {
			return nil, errBearerSignature
		}
	}
	return a.lookupSession(ctx, token, CredentialSessionToken)
}

// cookieSession verifies Better Auth's session cookie, using the cookie cache when it is configured,
// allowed for this request and valid under Better Auth's rule, and the store otherwise.
func (a *Auth) cookieSession(ctx context.Context, r *Request) (*Session, error) {
	jar, err := betterauth.Read(r.Cookie, a.s.names)
	if err != nil {
		return nil, errCookieAmbiguous
	}
	if jar.SessionToken == "" {
		return nil, ErrNoCredentials
	}
	if a.s.forward != nil && a.signer == nil {
		return a.forwarded(ctx, betterAuthCookies(r.Cookie, a.s.names), "", CredentialCookie)
	}
	token, ok := a.signer.Verify(jar.SessionToken)
	if !ok {
		return nil, errCookieSignature
	}
	if a.s.strategy != CacheNone && jar.SessionData != "" && !r.SkipCookieCache {
		if s := a.cachedSession(ctx, jar.SessionData, token); s != nil {
			return s, nil
		}
	}
	if a.s.store == nil {
		return nil, errCacheNoStore
	}
	return a.lookupSession(ctx, token, CredentialCookie)
}

// lookupSession asks the store for token and checks what comes back.
func (a *Auth) lookupSession(ctx context.Context, token string, kind Credential) (*Session, error) {
	if token == "" || len(token) > maxSessionTokenBytes || strings.ContainsAny(token, "\x00 ") {
		return nil, errSessionToken
	}
	if a.s.observer == nil {
		res, err := a.s.store.Lookup(ctx, token)
		return a.checkResult(res, err, token, kind)
	}
	start := time.Now()
	res, err := a.s.store.Lookup(ctx, token)
	a.s.observer.ObserveStoreLookup(ctx, start, err)
	return a.checkResult(res, err, token, kind)
}

// forwarded asks a store that checks raw credentials itself.
func (a *Auth) forwarded(ctx context.Context, cookies, authorization string, kind Credential) (*Session, error) {
	if a.s.observer == nil {
		res, err := a.s.forward.LookupCredentials(ctx, cookies, authorization)
		return a.checkResult(res, err, "", kind)
	}
	start := time.Now()
	res, err := a.s.forward.LookupCredentials(ctx, cookies, authorization)
	a.s.observer.ObserveStoreLookup(ctx, start, err)
	return a.checkResult(res, err, "", kind)
}

// checkResult maps a store answer: not found is invalid, any other error is "could not check" (503), an
// expired session is expired, a banned user's session is [ErrBanned] (catalogue B15).
func (a *Auth) checkResult(res *store.Result, err error, token string, kind Credential) (*Session, error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errSessionNotFound
	case err != nil:
		retry := storeRetryAfter
		if d, ok := breaker.RetryAfter(err); ok {
			retry = d // the store's breaker refused: retry when it lets a probe through
		}
		return nil, &UnavailableError{RetryAfter: retry, Err: err}
	case res == nil:
		return nil, errSessionNotFound
	case res.User.ID == "" || res.User.ID != res.Session.UserID:
		return nil, errSessionUser
	case token != "" && res.Session.Token != "" && res.Session.Token != token:
		return nil, errSessionNotFound
	case !a.s.now().Before(res.Session.ExpiresAt), a.tooOld(res.Session, a.s.now()):
		return nil, errSessionExpired
	case betterauth.Banned(&res.User, a.s.now()):
		return nil, ErrBanned
	}
	return &Session{User: res.User, Record: &res.Session, Credential: kind}, nil
}

// tooOld reports whether s has outlived MaxSessionAge, counted from its createdAt.
func (a *Auth) tooOld(s store.Session, now time.Time) bool {
	return a.s.maxSessionAge > 0 && !now.Before(s.CreatedAt.Add(a.s.maxSessionAge))
}

// cachedSession returns the session from a session_data cookie when Better Auth itself would use it: it
// decodes under the configured strategy (never guessed from the value), names the same session token as the
// verified cookie, has the configured version, and neither the cache nor the session has expired. A cache
// whose user is banned is not used either. Otherwise it returns nil and the store decides.
func (a *Auth) cachedSession(ctx context.Context, value, token string) *Session {
	p := a.cachedPayload(ctx, value, token)
	if p == nil {
		return nil
	}
	return &Session{User: p.User, Record: &p.Session, Credential: CredentialCookieCache}
}

// cachedPayload is cachedSession's check; it returns the decoded payload, whose Result server mode answers
// with as it is.
func (a *Auth) cachedPayload(ctx context.Context, value, token string) *betterauth.Payload {
	var p *betterauth.Payload
	var expires time.Time
	var err error
	now := a.s.now()
	switch a.s.strategy {
	case CacheCompact:
		p, expires, err = a.signer.DecodeCompact(value)
	case CacheJWE:
		p, expires, err = a.decodeJWECache(value, now)
	case CacheJWT:
		p, expires, err = a.decodeJWTCache(ctx, value, kindCacheHS256, now)
	case CacheJWTPlugin:
		p, expires, err = a.decodeJWTCache(ctx, value, kindCachePlugin, now)
	}
	if err != nil || p == nil {
		a.deny(ctx, invalid("cookie cache not used: "+errString(err)), "")
		return nil
	}
	if p.Session.Token != token || p.Version != a.s.cacheVersion || !now.Before(expires) ||
		!now.Before(p.Session.ExpiresAt) || p.User.ID != p.Session.UserID || betterauth.Banned(&p.User, now) ||
		a.tooOld(p.Session, now) {
		return nil
	}
	return p
}

func errString(err error) string {
	if err == nil {
		return "no payload"
	}
	return err.Error()
}

// cacheLeeway is the clock tolerance Better Auth gives the jwe and JWT-plugin caches (jose clockTolerance).
const cacheLeeway = 15 * time.Second

// decodeJWECache decrypts a "jwe" cache; it decodes with Better Auth's 15 s tolerance, and the expiry it
// returns is exp.
func (a *Auth) decodeJWECache(value string, now time.Time) (*betterauth.Payload, time.Time, error) {
	if a.jwe == nil {
		return nil, time.Time{}, betterauth.ErrCache
	}
	pt, err := a.jwe.Decrypt(value)
	if err != nil {
		return nil, time.Time{}, err
	}
	return parseCacheClaims(pt, now, cacheLeeway)
}

// decodeJWTCache verifies a "jwt" cache (HS256 with the current secret, no tolerance) or the JWT plugin's
// cache (JWKS key, typ, aud better-auth:session-cache, iss = BaseURL as configured, sub = user id, sid =
// session token, decoded with a 15 s tolerance; the expiry returned is exp).
func (a *Auth) decodeJWTCache(ctx context.Context, value string, kind jwsKind, now time.Time) (*betterauth.Payload, time.Time, error) {
	if len(value) > betterauth.MaxCacheBytes {
		return nil, time.Time{}, betterauth.ErrCache
	}
	var v verified
	p64, buf, err := a.verifySigned(ctx, value, kind, &v)
	if err != nil {
		return nil, time.Time{}, err
	}
	n, err := b64.Decode(buf, []byte(p64))
	if err != nil {
		return nil, time.Time{}, betterauth.ErrCache
	}
	pt := buf[:n]
	leeway := time.Duration(0)
	if kind == kindCachePlugin {
		leeway = cacheLeeway
	}
	p, exp, err := parseCacheClaims(pt, now, leeway)
	if err != nil {
		return nil, time.Time{}, err
	}
	if kind == kindCachePlugin && !pluginCacheClaims(pt, a.pluginCacheIssuer(), p.User.ID, p.Session.Token) {
		return nil, time.Time{}, betterauth.ErrCache
	}
	return p, exp, nil
}

// pluginCacheAudience is the aud of the JWT plugin's cookie cache.
const pluginCacheAudience = "better-auth:session-cache"

// pluginCacheClaims reports whether the JWT plugin cache's claims have iss, aud pluginCacheAudience, sub
// and sid, read as encoding/json reads them into struct{ Iss, Sub, Sid *string; Aud any }, which this
// check used: names matched without regard to case (bytes.EqualFold), a later member for a field replacing
// an earlier one, null clearing it, and a value of the wrong type (or a number beyond float64 in aud)
// failing the whole decode. It walks the claims once instead of decoding them by reflection;
// FuzzPluginCacheClaims checks it against encoding/json.
func pluginCacheClaims(claims []byte, iss, sub, sid string) bool {
	type field struct {
		v   string
		set bool
	}
	var fIss, fSub, fSid field
	var audOK, bad bool
	err := strictjson.Walk(claims, func(m strictjson.Member) error {
		var f *field
		switch {
		case asciiFoldEqual(m.Key, "iss"):
			f = &fIss
		case asciiFoldEqual(m.Key, "sub"):
			f = &fSub
		case asciiFoldEqual(m.Key, "sid"):
			f = &fSid
		case asciiFoldEqual(m.Key, "aud"):
			raw := claims[m.Start:m.End]
			audOK = false
			switch m.Kind {
			case strictjson.String:
				v, err := memberText(claims, m)
				bad = bad || err != nil
				audOK = v == pluginCacheAudience
			case strictjson.Number:
				_, err := strconv.ParseFloat(string(raw), 64)
				bad = bad || err != nil
			case strictjson.Object, strictjson.Array:
				var v any
				bad = bad || json.Unmarshal(raw, &v) != nil
			}
			return nil
		default:
			return nil
		}
		switch m.Kind {
		case strictjson.String:
			v, err := memberText(claims, m)
			*f = field{v, err == nil}
			bad = bad || err != nil
		case strictjson.Null:
			*f = field{}
		default:
			bad = true
		}
		return nil
	})
	return err == nil && !bad && audOK && fIss.set && fIss.v == iss && fSub.set && fSub.v == sub && fSid.set && fSid.v == sid
}

// asciiFoldEqual reports whether key equals name (lower-case ASCII letters) as bytes.EqualFold does,
// which also folds 'ſ' (U+017F) to 's' and the Kelvin sign (U+212A) to 'k'.
func asciiFoldEqual(key []byte, name string) bool {
	if len(key) == len(name) {
		for i := 0; i < len(key); i++ {
			if key[i]|0x20 != name[i] {
				return false
			}
		}
		return true
	}
	return bytes.EqualFold(key, []byte(name))
}

// memberText returns a string member's text.
func memberText(data []byte, m strictjson.Member) (string, error) {
	if !m.Escaped {
		return string(data[m.Start:m.End]), nil
	}
	u, err := strictjson.AppendUnescaped(nil, data[m.Start:m.End])
	return string(u), err
}

// pluginCacheIssuer is the iss the JWT plugin puts in its cookie cache: the baseURL option as given.
func (a *Auth) pluginCacheIssuer() string { return a.s.rawBaseURL }

// cacheTimes collects a cache's "exp" and "nbf" from the members of its claims, read in the payload's own
// walk (betterauth.ParseClaims).
type cacheTimes struct {
	exp, nbf       float64
	hasExp, hasNbf bool
}

// member reads one top-level member of claims; exp or nbf that is not a number refuses the claims.
func (ct *cacheTimes) member(claims []byte, m strictjson.Member) error {
	switch string(m.Key) {
	case "exp", "nbf":
		if m.Kind != strictjson.Number {
			return betterauth.ErrCache
		}
		f, ok := number(claims[m.Start:m.End])
		if !ok {
			return betterauth.ErrCache
		}
		if m.Key[0] == 'e' {
			ct.exp, ct.hasExp = f, true
		} else {
			ct.nbf, ct.hasNbf = f, true
		}
	}
	return nil
}

// expiry checks the times read against now with leeway and returns exp.
func (ct *cacheTimes) expiry(now time.Time, leeway time.Duration) (time.Time, error) {
	if !ct.hasExp {
		return time.Time{}, betterauth.ErrCache
	}
	t := floatTime(ct.exp)
	if !now.Before(t.Add(leeway)) || (ct.hasNbf && floatTime(ct.nbf).After(now.Add(leeway))) {
		return time.Time{}, betterauth.ErrCache
	}
	// The leeway only lets the token decode, as jose's clockTolerance does. The expiry is exp itself:
	// Better Auth's /get-session then compares exp*1000 with now, without tolerance, and reads the
	// database once it has passed (api/routes/session.ts).
	return t, nil
}

// parseCacheClaims reads a jwt or jwe cache's claims in one walk: the payload, and exp and nbf checked
// against now with leeway, as jose does (the caller uses the cache only before exp). The expiry returned is
// exp. FuzzParseCacheClaims checks it against the two walks it replaced.
func parseCacheClaims(claims []byte, now time.Time, leeway time.Duration) (*betterauth.Payload, time.Time, error) {
	var ct cacheTimes
	p, err := betterauth.ParseClaims(claims, func(m strictjson.Member) error { return ct.member(claims, m) })
	if err != nil {
		return nil, time.Time{}, betterauth.ErrCache
	}
	exp, err := ct.expiry(now, leeway)
	if err != nil {
		return nil, time.Time{}, err
	}
	return p, exp, nil
}

// betterAuthCookies keeps only Better Auth's own cookies from the Cookie headers, for a store that forwards
// them: other cookies of the site are none of its business.
func betterAuthCookies(headers []string, n betterauth.Names) string {
	var b strings.Builder
	for _, h := range headers {
		for pair := range strings.SplitSeq(h, ";") {
			pair = strings.TrimSpace(pair)
			name, _, _ := strings.Cut(pair, "=")
			if name == n.SessionToken || name == n.SessionData || name == n.DontRemember ||
				strings.HasPrefix(name, n.SessionData+".") {
				if b.Len() > 0 {
					b.WriteString("; ")
				}
				b.WriteString(pair)
			}
		}
	}
	return b.String()
}
