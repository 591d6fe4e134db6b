package authserver

// Writing Better Auth's cookies (better-auth src/cookies/index.ts setSessionCookie, setCookieCache,
// deleteSessionCookie, expireCookie; src/cookies/session-store.ts for chunks).

import (
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// attrs are the attributes of every Better Auth cookie: Path=/, HttpOnly, SameSite=Lax, Secure in secure
// mode.
func (c *call) attrs(maxAge *int) betterauth.CookieAttrs {
	return betterauth.CookieAttrs{MaxAge: maxAge, Path: "/", HttpOnly: true, Secure: c.a.s.secure, SameSite: "Lax"}
}

func seconds(d time.Duration) *int {
	n := int(d / time.Second)
	return &n
}

// setCookie adds a Set-Cookie header.
func (c *call) setCookie(name, value string, a betterauth.CookieAttrs) {
	c.cookies = append(c.cookies, setCookie{name: name, value: betterauth.SetCookie(name, value, a)})
}

// removeCookies drops Set-Cookie entries already queued for name or its chunks (Better Auth's
// removeSetCookieEntries), so a value set and then expired in one response never reaches the wire.
func (c *call) removeCookies(name string) {
	c.cookies = slices.DeleteFunc(c.cookies, func(sc setCookie) bool {
		return sc.name == name || strings.HasPrefix(sc.name, name+".")
	})
}

// expireCookie removes name: empty value, Max-Age=0.
func (c *call) expireCookie(name string) {
	c.removeCookies(name)
	c.setCookie(name, "", c.attrs(seconds(0)))
}

// requestCookieNames yields the names of the cookies the request carries, in order.
func (c *call) requestCookieNames(yield func(string) bool) {
	for _, h := range c.r.Header.Values("Cookie") {
		for pair := range strings.SplitSeq(h, ";") {
			if name, _, ok := strings.Cut(pair, "="); ok && !yield(strings.TrimSpace(name)) {
				return
			}
		}
	}
}

// requestCookies returns every value of the request's cookie name, in order, each as better-call parses
// it (trimmed, one layer of double quotes removed).
func (c *call) requestCookies(name string) []string {
	var vals []string
	for _, h := range c.r.Header.Values("Cookie") {
		for pair := range strings.SplitSeq(h, ";") {
			k, v, ok := strings.Cut(pair, "=")
			if !ok || strings.TrimSpace(k) != name {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			vals = append(vals, v)
		}
	}
	return vals
}

// presentedSessionTokens are the session tokens a request presents: the bearer token (with the bearer
// plugin) and the verified value of every session_token cookie, also when that cookie is sent more than
// once (which makes the request unauthenticated everywhere else: cookie tossing, or a stale cookie on
// another path). Values whose signature does not verify are left out.
func (c *call) presentedSessionTokens() []string {
	var out []string
	if tok := c.bearerTok; tok != "" {
		out = append(out, tok)
	}
	for _, raw := range c.requestCookies(c.a.s.names.SessionToken) {
		if v, ok := c.a.signer.Verify(raw); ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// dataChunks are the session_data cookie and its chunks the request carries.
func (c *call) dataChunks() []string {
	n := c.a.s.names.SessionData
	var out []string
	for name := range c.requestCookieNames {
		if name == n || betterauth.IsChunkName(n, name) {
			out = append(out, name)
		}
	}
	return out
}

// bearerToken is the bearer plugin's before hook: an "Authorization: Bearer <token>" header stands for the
// session cookie. A signed token (token.signature, URL-encoded or not) must verify; a raw token is taken
// as it is unless the plugin's BearerConfig.RequireSignature. It returns "" when there is none or it fails.
func (c *call) bearerToken(requireSignature bool) string {
	h := c.r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	tok := strings.TrimSpace(h[7:])
	if tok == "" || len(tok) > 512 {
		return ""
	}
	if !strings.Contains(tok, ".") {
		if requireSignature {
			return ""
		}
		return tok
	}
	v, ok := c.a.signer.Verify(tok)
	if !ok {
		return ""
	}
	return v
}

// signedCookie returns the verified value of a signed cookie of the request, or "". With the bearer
// plugin, a valid bearer token is the session token.
func (c *call) signedCookie(name string) string {
	if name == c.a.s.names.SessionToken {
		if tok := c.bearerTok; tok != "" {
			return tok
		}
	}
	jar, err := betterauth.Read(c.r.Header.Values("Cookie"), c.a.s.names)
	if err != nil {
		return ""
	}
	var raw string
	switch name {
	case c.a.s.names.SessionToken:
		raw = jar.SessionToken
	case c.a.s.names.DontRemember:
		raw = jar.DontRemember
	}
	if raw == "" {
		return ""
	}
	v, ok := c.a.signer.Verify(raw)
	if !ok {
		return ""
	}
	return v
}

// setSessionCookie writes the session cookies as Better Auth's setSessionCookie does. dontRemember nil means
// "as the request's dont_remember cookie says". maxAge overrides the session_token Max-Age when non-nil.
func (c *call) setSessionCookie(res *store.Result, dontRemember *bool, maxAge *int) {
	n := c.a.s.names
	had := c.signedCookie(n.DontRemember) != ""
	dr := had
	if dontRemember != nil {
		dr = *dontRemember
	}
	age := seconds(c.srv.expiresIn)
	if dr {
		age = nil
	}
	if maxAge != nil {
		age = maxAge
	}
	if age != nil && c.a.s.maxSessionAge > 0 {
		// MaxSessionAge: the cookie does not outlive the session.
		if left := res.Session.ExpiresAt.Sub(c.now); left < time.Duration(*age)*time.Second {
			age = seconds(max(left, 0))
		}
	}
	c.removeCookies(n.SessionToken)
	c.setCookie(n.SessionToken, c.a.signer.Sign(res.Session.Token), c.attrs(age))
	if dr {
		c.removeCookies(n.DontRemember)
		c.setCookie(n.DontRemember, c.a.signer.Sign("true"), c.attrs(nil))
	} else if had {
		c.expireCookie(n.DontRemember)
	}
	c.setCookieCache(res, dr)
	c.newSession = res
}

// exposeHeader adds name to Access-Control-Expose-Headers.
func exposeHeader(h interface {
	Get(string) string
	Set(string, string)
}, name string) {
	cur := h.Get("Access-Control-Expose-Headers")
	for v := range strings.SplitSeq(cur, ",") {
		if strings.EqualFold(strings.TrimSpace(v), name) {
			return
		}
	}
	if cur != "" {
		cur += ", "
	}
	h.Set("Access-Control-Expose-Headers", cur+name)
}

// setCookieCache writes the session_data cookie in the configured strategy, in chunks when large.
func (c *call) setCookieCache(res *store.Result, dontRemember bool) {
	strategy := c.a.s.strategy
	if strategy == auth.CacheNone {
		return
	}
	in := betterauth.CacheInput{
		Session:   betterauth.SessionJSON(res.Session),
		User:      betterauth.UserJSON(res.User),
		UpdatedAt: c.now,
		Version:   c.a.s.cacheVersion,
		MaxAge:    c.srv.cacheMaxAge,
		Now:       c.now,
	}
	age := seconds(c.srv.cacheMaxAge)
	if dontRemember {
		// Better Auth leaves the cookie without Max-Age and falls back to 60 s (compact) or 300 s (jwt, jwe)
		// for the cache's own expiry.
		age = nil
		in.MaxAge = 300 * time.Second
		if strategy == auth.CacheCompact {
			in.MaxAge = 60 * time.Second
		}
	}
	var value string
	var err error
	switch strategy {
	case auth.CacheCompact:
		value = c.a.signer.EncodeCompact(in)
	case auth.CacheJWT:
		value, err = c.a.signer.EncodeJWTCache(in)
	case auth.CacheJWE:
		value, err = c.a.jwe.EncryptCache(in)
	}
	if err != nil {
		c.a.s.log.Error("auth: writing the cookie cache", "err", err)
		return
	}
	name := c.a.s.names.SessionData
	c.removeCookies(name)
	set, clear := betterauth.Chunk(name, value, c.attrs(age), c.dataChunks())
	for _, n := range clear {
		c.setCookie(n, "", c.attrs(seconds(0)))
	}
	for _, p := range set {
		c.setCookie(p.Name, p.Value, c.attrs(age))
	}
}

// deleteSessionCookie expires the session cookies as Better Auth's deleteSessionCookie does.
func (c *call) deleteSessionCookie() {
	n := c.a.s.names
	c.expireCookie(n.SessionToken)
	c.expireCookie(n.SessionData)
	for _, name := range c.dataChunks() {
		c.setCookie(name, "", c.attrs(seconds(0)))
	}
	c.expireCookie(n.DontRemember)
}
