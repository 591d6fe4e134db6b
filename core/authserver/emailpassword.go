package authserver

// Email and password sign-up and sign-in (better-auth src/api/routes/sign-up.ts, sign-in.ts).

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// userOut is a user as Better Auth's endpoints return it.
func userOut(u store.User) json.RawMessage { return betterauth.UserJSON(u) }

// signUpEmail is POST /sign-up/email.
func (c *call) signUpEmail() (any, error) {
	if err := c.validate(field{"name", kString, true}, field{"email", kEmail, true}, field{"password", kString, true},
		field{"image", kString, false}, field{"callbackURL", kString, false}, field{"rememberMe", kBool, false}); err != nil {
		return nil, err
	}
	ep := c.srv.ep
	if ep.Disabled || ep.DisableSignUp {
		return nil, errSignUpDisabled
	}
	name, email, password := c.str("name"), c.str("email"), c.str("password")
	if password == "" {
		return nil, newAPIError(400, "VALIDATION_ERROR", "[body.password] Too small: expected string to have >=1 characters")
	}
	if err := c.checkNewPassword(password); err != nil {
		return nil, err
	}
	rest := maps.Clone(c.body)
	for _, k := range []string{"name", "email", "password", "image", "callbackURL", "rememberMe"} {
		delete(rest, k)
	}
	extra, err := parseFields(c.srv.user.AdditionalFields, rest, true)
	if err != nil {
		return nil, err
	}
	generic := ep.RequireEmailVerification || ep.DisableAutoSignIn
	email = strings.ToLower(email)
	existing, err := c.srv.db.UserByEmail(c.ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	if existing != nil {
		if !generic {
			return nil, errUserExists
		}
		// The same work and the same answer as a new account, so sign-up does not tell who has one.
		if _, err := c.hashPassword(password); err != nil {
			return nil, err
		}
		return c.syntheticSignUp(name, email, extra), nil
	}
	hash, err := c.hashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &store.User{ID: betterauth.NewID(), Email: email, Name: name, Image: c.str("image")}
	if len(extra) > 0 {
		u.Additional = maps.Clone(extra)
	}
	if h := c.srv.hooks.BeforeCreateUser; h != nil {
		if err := h(c.ctx, u); err != nil {
			return nil, hookError(err)
		}
		u.Email = strings.ToLower(u.Email)
		if u.ID == "" || !validEmail(u.Email) {
			return nil, errFailedCreateUser
		}
	}
	c.applyUserDefaults(u)
	if err := c.srv.db.CreateUser(c.ctx, u, c.now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			if generic {
				return c.syntheticSignUp(name, email, extra), nil
			}
			return nil, errUserExists
		}
		return nil, dbError(err)
	}
	setTimes(u, c.now)
	if len(c.srv.user.AdditionalFields) > 0 {
		// Read back, so the answer has the fields as the database reports them (dates, numbers, JSON).
		if u, err = c.srv.db.UserByID(c.ctx, u.ID); err != nil {
			return nil, dbError(err)
		}
	}
	acct := &store.Account{ID: betterauth.NewID(), AccountID: u.ID, ProviderID: "credential", UserID: u.ID,
		Password: hash, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.srv.db.CreateAccount(c.ctx, acct); err != nil {
		return nil, dbError(err)
	}
	if h := c.srv.hooks.AfterCreateUser; h != nil {
		if err := h(c.ctx, *u); err != nil {
			return nil, hookError(err)
		}
	}
	sendOnSignUp := ep.RequireEmailVerification
	if c.srv.ev.SendOnSignUp != nil {
		sendOnSignUp = *c.srv.ev.SendOnSignUp
	}
	if sendOnSignUp && c.srv.mailer != nil {
		if err := c.sendVerification(*u); err != nil {
			c.a.s.log.Error("auth: sending the sign-up verification email", "err", err)
		}
	}
	if generic {
		return map[string]any{"token": nil, "user": userOut(*u)}, nil
	}
	remember, _ := c.body["rememberMe"].(bool)
	dontRemember := c.body["rememberMe"] != nil && !remember
	sess, err := c.createSession(u.ID, dontRemember, *u)
	if err != nil {
		return nil, err
	}
	res := &store.Result{Session: *sess, User: *u}
	c.setSessionCookie(res, &dontRemember, nil)
	return map[string]any{"token": sess.Token, "user": userOut(*u)}, nil
}

// syntheticSignUp is the answer for an email that already has an account when answers must not tell.
func (c *call) syntheticSignUp(name, email string, extra map[string]any) any {
	u := store.User{ID: betterauth.NewID(), Email: email, Name: name, Image: c.str("image")}
	setTimes(&u, c.now)
	for k, f := range c.srv.user.AdditionalFields {
		v, ok := extra[k]
		switch {
		case ok:
			if t, isTime := v.(time.Time); isTime {
				v = isoTime(t)
			} else if f.typ() == sqlstore.FieldJSON && v != nil {
				v = json.RawMessage(v.(string))
			}
			u.Additional[k] = v
		case !f.Required:
			u.Additional[k] = nil
		}
	}
	return map[string]any{"token": nil, "user": userOut(u)}
}

// setTimes records createdAt and updatedAt as Better Auth's JSON has them.
func setTimes(u *store.User, now time.Time) {
	if u.Additional == nil {
		u.Additional = map[string]any{}
	}
	iso := isoTime(now)
	u.Additional["createdAt"], u.Additional["updatedAt"] = iso, iso
}

// signInEmail is POST /sign-in/email.
func (c *call) signInEmail() (any, error) {
	if err := c.validate(field{"email", kString, true}, field{"password", kString, true},
		field{"callbackURL", kString, false}, field{"rememberMe", kBool, false}); err != nil {
		return nil, err
	}
	if c.srv.ep.Disabled {
		return nil, errEmailPwDisabled
	}
	email, password := c.str("email"), c.str("password")
	if !validEmail(email) {
		return nil, errInvalidEmail
	}
	if jsLength(password) > c.srv.ep.MaxPasswordLength {
		return nil, errPasswordTooLong
	}
	u, err := c.srv.db.UserByEmail(c.ctx, strings.ToLower(email))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	var acct *store.Account
	if u == nil {
		// The same database work as a known email: the account lookup runs either way.
		if _, err := c.srv.db.Accounts(c.ctx, betterauth.DummyUserID); err != nil {
			return nil, dbError(err)
		}
	}
	if u != nil {
		accts, err := c.srv.db.Accounts(c.ctx, u.ID)
		if err != nil {
			return nil, dbError(err)
		}
		for i := range accts {
			if accts[i].ProviderID == "credential" && accts[i].AccountID == u.ID {
				acct = &accts[i]
				break
			}
		}
	}
	if u == nil || acct == nil || acct.Password == "" {
		// One scrypt either way: an unknown email costs what a wrong password costs.
		if _, err := c.verifyPassword(betterauth.DummyHash, password); err != nil {
			return nil, err
		}
		return nil, errInvalidEmailOrPw
	}
	ok, err := c.verifyPassword(acct.Password, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalidEmailOrPw
	}
	if c.srv.ep.RequireEmailVerification && !u.EmailVerified {
		if c.srv.mailer == nil {
			return nil, errEmailNotVerified
		}
		if c.srv.ev.SendOnSignIn {
			if err := c.sendVerification(*u); err != nil {
				return nil, err
			}
		}
		return nil, errEmailNotVerified
	}
	remember, _ := c.body["rememberMe"].(bool)
	dontRemember := c.body["rememberMe"] != nil && !remember
	sess, err := c.createSession(u.ID, dontRemember, *u)
	if err != nil {
		return nil, err
	}
	c.setSessionCookie(&store.Result{Session: *sess, User: *u}, &dontRemember, nil)
	out := map[string]any{"redirect": false, "token": sess.Token, "user": userOut(*u)}
	if cb := c.str("callbackURL"); cb != "" {
		c.hdr().Set("Location", cb)
		out["redirect"] = true
		out["url"] = cb
	}
	return out, nil
}
