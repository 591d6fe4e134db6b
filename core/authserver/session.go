package authserver

// Sessions (better-auth src/api/routes/session.ts, sign-out.ts; src/db/internal-adapter.ts createSession).

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// createSession inserts a new session for userID: 7 days (ExpiresIn), or 1 day when not remembered. It is the
// only place sessions are created, and it asks the session gate (gate.go) about u first. The
// sessions of the same user the request presents end then, unless Session.KeepSessionOnSignIn, so a fixed
// or stolen session does not outlive the next sign-in.
func (c *call) createSession(userID string, dontRemember bool, u store.User) (*store.Session, error) {
	return c.createSessionWith(userID, dontRemember, u, time.Time{}, nil)
}

// createSessionWith is createSession with the session's extra columns and, when not zero, its expiry (Better
// Auth's createSession override, as the admin plugin's impersonation passes them).
func (c *call) createSessionWith(userID string, dontRemember bool, u store.User, expiresAt time.Time, extra map[string]any) (*store.Session, error) {
	if err := c.gate(&u); err != nil {
		return nil, err
	}
	if !c.srv.keepOnLogin {
		if err := c.endPresentedSessions(userID); err != nil {
			return nil, err
		}
	}
	life := c.srv.expiresIn
	if dontRemember {
		life = 24 * time.Hour
	}
	s := &store.Session{ID: betterauth.NewID(), Token: betterauth.NewSessionToken(), UserID: userID,
		ExpiresAt: c.a.capExpiry(c.now.Add(life), c.now), CreatedAt: c.now, UpdatedAt: c.now, IPAddress: c.ip(),
		UserAgent: c.r.Header.Get("User-Agent"), Additional: fieldDefaults(c.srv.sessFields)}
	for k, v := range extra { // the caller's columns win over the declared defaults
		if s.Additional == nil {
			s.Additional = map[string]any{}
		}
		s.Additional[k] = v
	}
	if !expiresAt.IsZero() {
		s.ExpiresAt = c.a.capExpiry(expiresAt, c.now)
	}
	if err := c.srv.db.CreateSession(c.ctx, s); err != nil {
		return nil, dbError(err)
	}
	if h := c.srv.hooks.SessionCreated; h != nil {
		if err := h(c.ctx, *s, u); err != nil {
			return nil, hookError(err)
		}
	}
	return s, nil
}

// endPresentedSessions deletes the sessions the request presents that belong to userID; sessions of
// other users are left alone.
func (c *call) endPresentedSessions(userID string) error {
	for _, token := range c.presentedSessionTokens() {
		res, err := c.srv.db.Lookup(c.ctx, token)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return dbError(err)
		}
		if res.Session.UserID == userID {
			if err := c.deleteSession(token); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteSession deletes one session by token and runs the SessionDeleted hook when it existed.
func (c *call) deleteSession(token string) error {
	var old *store.Result
	if c.srv.hooks.SessionDeleted != nil {
		old, _ = c.srv.db.Lookup(c.ctx, token)
	}
	if err := c.srv.db.DeleteSession(c.ctx, token); err != nil {
		return dbError(err)
	}
	if old != nil {
		c.srv.hooks.SessionDeleted(c.ctx, old.Session)
	}
	return nil
}

// deleteUserSessions deletes every session of a user, running the SessionDeleted hook for each.
func (c *call) deleteUserSessions(userID string) error {
	var old []store.Session
	if c.srv.hooks.SessionDeleted != nil {
		old, _ = c.srv.db.Sessions(c.ctx, userID)
	}
	if err := c.srv.db.DeleteSessions(c.ctx, userID); err != nil {
		return dbError(err)
	}
	for _, s := range old {
		c.srv.hooks.SessionDeleted(c.ctx, s)
	}
	return nil
}

// sessionOut is {"session","user"} as Better Auth returns it.
func sessionOut(res *store.Result) json.RawMessage {
	b := make([]byte, 0, 768+64*(len(res.Session.Additional)+len(res.User.Additional)))
	b = append(b, `{"session":`...)
	b = betterauth.AppendSessionJSON(b, &res.Session)
	b = append(b, `,"user":`...)
	b = betterauth.AppendUserJSON(b, &res.User)
	return append(b, '}')
}

// getSession is GET /get-session.
func (c *call) getSession() (any, error) {
	c.setNoStore()
	if c.r.Method == "POST" && !c.srv.deferRefresh {
		return nil, errGetSessionPost
	}
	res, err := c.loadSession(c.query.Get("disableCookieCache") == "true", c.query.Get("disableRefresh") == "true")
	if err != nil {
		return nil, err
	}
	if res == nil {
		return json.RawMessage("null"), nil
	}
	c.sess, c.sessDone = res, true // Better Auth's ctx.context.session, for after hooks (the JWT plugin's)
	out := sessionOut(res)
	if c.needsRefresh != nil {
		out = append(append(out[:len(out)-1], `,"needsRefresh":`...), strconv.FormatBool(*c.needsRefresh)+"}"...)
	}
	return out, nil
}

// deferred reports whether this request's session lookup must not write (Session.DeferRefresh, Better
// Auth's deferSessionRefresh): every lookup but POST /get-session's, since Better Auth's session
// middleware reads the session as a GET /get-session.
func (c *call) deferred() bool {
	return c.srv.deferRefresh && (c.path != "/get-session" || c.r.Method != "POST")
}

// loadSession is the body of Better Auth's getSession: the signed cookie, then the cookie cache, then the
// database, with sliding refresh. It returns nil, nil when there is no valid session (and queues the cookie
// deletions Better Auth sends).
func (c *call) loadSession(noCache, noRefresh bool) (*store.Result, error) {
	n := c.a.s.names
	cacheOn := c.a.s.strategy != auth.CacheNone
	token := c.signedCookie(n.SessionToken)
	jar, _ := betterauth.Read(c.r.Header.Values("Cookie"), n)
	if token == "" && cacheOn {
		return nil, nil
	}
	if !cacheOn && len(c.dataChunks()) > 0 {
		for _, name := range c.dataChunks() {
			c.setCookie(name, "", c.attrs(seconds(0)))
		}
	}
	if token == "" {
		return nil, nil
	}
	dontRemember := c.signedCookie(n.DontRemember) != ""
	if cacheOn && !noCache && jar.SessionData != "" {
		if res := c.a.cachedSession(c.ctx, jar.SessionData, token); res != nil {
			return res, nil
		}
		c.expireCookie(n.SessionData)
	}
	res, err := c.srv.db.Lookup(c.ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		res, err = nil, nil
	}
	if err != nil {
		return nil, dbError(err)
	}
	if res != nil && betterauth.Banned(&res.User, c.now) {
		c.deleteSessionCookie()
		return nil, nil
	}
	if res == nil || res.Session.ExpiresAt.Before(c.now) || c.a.tooOld(res.Session, c.now) {
		c.deleteSessionCookie()
		if res != nil && !c.deferred() {
			if err := c.deleteSession(token); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	if dontRemember || noRefresh {
		return res, nil
	}
	due := !res.Session.ExpiresAt.Add(-c.srv.expiresIn).Add(c.srv.updateAge).After(c.now)
	if c.deferred() {
		needs := due && !c.srv.noRefresh
		if c.path == "/get-session" {
			c.needsRefresh = &needs
		}
		c.setCookieCache(res, dontRemember)
		return res, nil
	}
	if due && !c.srv.noRefresh {
		exp := c.a.capExpiry(c.now.Add(c.srv.expiresIn), res.Session.CreatedAt)
		if err := c.srv.db.UpdateSession(c.ctx, token, exp, c.now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				c.deleteSessionCookie()
				return nil, errFailedGetSession
			}
			return nil, dbError(err)
		}
		res.Session.ExpiresAt, res.Session.UpdatedAt = exp, c.now
		f := false
		c.setSessionCookie(res, &f, seconds(c.srv.expiresIn))
		return res, nil
	}
	c.setCookieCache(res, dontRemember)
	return res, nil
}

// session is Better Auth's sessionMiddleware: the request's session, or 401. sensitive bypasses the cookie
// cache (sensitiveSessionMiddleware), so a revoked session cannot act from a stale cache.
//
// A session a before hook set with [Context.SetSessionOutsideStore] is the answer when !sensitive, as Better
// Auth's getSessionFromCtx returns ctx.context.session; sensitive reads ignore it and read the cookie, as
// getAuthoritativeSessionFromCtx clears ctx.context.session and reads again.
func (c *call) session(sensitive bool) (*store.Result, error) {
	if c.outside != nil && !sensitive {
		return c.outside, nil
	}
	if !c.sessDone {
		res, err := c.loadSession(sensitive, false)
		if err != nil {
			var e *apiError
			if errors.As(err, &e) && e.status < 500 {
				return nil, errUnauthorized
			}
			return nil, err
		}
		c.sess, c.sessDone = res, true
	}
	if c.sess == nil {
		return nil, errUnauthorized
	}
	return c.sess, nil
}

// signOut is POST /sign-out. It deletes every session the request presents (a session cookie sent twice,
// or behind a junk cookie of the same name, is still ended), and answers success only once they are gone:
// when the database cannot delete one, the answer is 503 and the cookies stay, so the client knows it is
// still signed in (Better Auth logs the failure and answers success).
func (c *call) signOut() (any, error) {
	for _, token := range c.presentedSessionTokens() {
		if err := c.deleteSession(token); err != nil {
			c.a.s.log.Error("auth: sign-out could not delete the session", "err", err)
			return nil, err
		}
	}
	c.deleteSessionCookie()
	return map[string]bool{"success": true}, nil
}

// listSessions is GET /list-sessions: the user's active sessions; needs a fresh session.
func (c *call) listSessions() (any, error) {
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	if c.srv.freshAge > 0 && c.now.Sub(res.Session.CreatedAt) >= c.srv.freshAge {
		return nil, errSessionNotFresh
	}
	all, err := c.srv.db.Sessions(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	b := []byte{'['}
	for _, s := range all {
		if !s.ExpiresAt.After(c.now) || c.a.tooOld(s, c.now) {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, betterauth.SessionJSON(s)...)
	}
	return json.RawMessage(append(b, ']')), nil
}

// revokeSession is POST /revoke-session {token}: deletes one of the user's sessions (200 also when the
// token is unknown or someone else's).
func (c *call) revokeSession() (any, error) {
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	if err := c.validate(field{"token", kString, true}); err != nil {
		return nil, err
	}
	token := c.str("token")
	other, err := c.srv.db.Lookup(c.ctx, token)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	if other != nil && other.Session.UserID == res.User.ID {
		if err := c.deleteSession(token); err != nil {
			return nil, err
		}
	}
	if token == res.Session.Token {
		c.deleteSessionCookie()
	}
	return map[string]bool{"status": true}, nil
}

// revokeSessions is POST /revoke-sessions: deletes every session of the user.
func (c *call) revokeSessions() (any, error) {
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	if err := c.deleteUserSessions(res.User.ID); err != nil {
		return nil, err
	}
	c.deleteSessionCookie()
	return map[string]bool{"status": true}, nil
}

// revokeOtherSessions is POST /revoke-other-sessions: deletes the user's other active sessions.
func (c *call) revokeOtherSessions() (any, error) {
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	all, err := c.srv.db.Sessions(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	all = slices.DeleteFunc(all, func(s store.Session) bool {
		return !s.ExpiresAt.After(c.now) || s.Token == res.Session.Token
	})
	for _, s := range all {
		if err := c.deleteSession(s.Token); err != nil {
			return nil, err
		}
	}
	return map[string]bool{"status": true}, nil
}

// tooOld reports whether s has outlived Session.MaxSessionAge, counted from its createdAt (the verifier's
// rule, which the server shares: its MaxSessionAge is the verifier's).
func (a *Server) tooOld(s store.Session, now time.Time) bool {
	return a.s.maxSessionAge > 0 && !now.Before(s.CreatedAt.Add(a.s.maxSessionAge))
}

// capExpiry is exp, but no later than createdAt + MaxSessionAge.
func (a *Server) capExpiry(exp, createdAt time.Time) time.Time {
	if a.s.maxSessionAge > 0 {
		if limit := createdAt.Add(a.s.maxSessionAge); exp.After(limit) {
			return limit
		}
	}
	return exp
}

// updateSession is POST /update-session {field: value, …} (Better Auth's updateSession): sets the
// session's additional fields (Session.AdditionalFields; other keys are ignored) and answers {"session"}.
func (c *call) updateSession() (any, error) {
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	if _, bad := c.body["\x00notObject"]; bad {
		return nil, errBodyNotObject
	}
	fields, err := parseFields(c.srv.sessFields, c.body, false)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, errNoFieldsToUpdate
	}
	up, ok := c.srv.db.(store.SessionFieldUpdater)
	if !ok {
		return nil, errors.New("auth: /update-session: the Database cannot update session fields (store.SessionFieldUpdater)")
	}
	if err := up.UpdateSessionFields(c.ctx, res.Session.Token, fields, c.now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			c.deleteSessionCookie()
			return nil, errFailedGetSession
		}
		return nil, dbError(err)
	}
	updated, err := c.srv.db.Lookup(c.ctx, res.Session.Token)
	if errors.Is(err, store.ErrNotFound) {
		c.deleteSessionCookie()
		return nil, errFailedGetSession
	}
	if err != nil {
		return nil, dbError(err)
	}
	c.setSessionCookie(&store.Result{Session: updated.Session, User: res.User}, nil, nil)
	b := append([]byte(`{"session":`), betterauth.SessionJSON(updated.Session)...)
	return json.RawMessage(append(b, '}')), nil
}
