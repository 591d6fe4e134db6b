package authserver

// Changing the user (better-auth src/api/routes/update-user.ts: changePassword, updateUser).

import (
	"crypto/subtle"
	"errors"
	"maps"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// changePassword is POST /change-password {newPassword, currentPassword, revokeOtherSessions?}.
func (c *call) changePassword() (any, error) {
	if err := c.validate(field{"newPassword", kString, true}, field{"currentPassword", kString, true},
		field{"revokeOtherSessions", kBool, false}); err != nil {
		return nil, err
	}
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	newPw, curPw := c.str("newPassword"), c.str("currentPassword")
	if err := c.checkNewPassword(newPw); err != nil {
		return nil, err
	}
	if jsLength(curPw) > c.srv.ep.MaxPasswordLength {
		return nil, errPasswordTooLong
	}
	accts, err := c.srv.db.Accounts(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	var acct *store.Account
	for i := range accts {
		if accts[i].ProviderID == "credential" {
			acct = &accts[i]
			break
		}
	}
	if acct == nil || acct.Password == "" {
		return nil, errCredentialNotFound
	}
	hash, err := c.hashPassword(newPw)
	if err != nil {
		return nil, err
	}
	ok, err := c.verifyPassword(acct.Password, curPw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalidPassword
	}
	revoke, _ := c.body["revokeOtherSessions"].(bool)
	if revoke {
		if err := c.deleteUserSessions(res.User.ID); err != nil {
			return nil, err
		}
	}
	if err := c.srv.db.UpdateAccount(c.ctx, acct.ID, map[string]any{"password": hash}, c.now); err != nil {
		return nil, dbError(err)
	}
	out := map[string]any{"token": nil, "user": userOut(res.User)}
	if revoke {
		sess, err := c.createSession(res.User.ID, false, res.User)
		if err != nil {
			return nil, err
		}
		c.setSessionCookie(&store.Result{Session: *sess, User: res.User}, nil, nil)
		out["token"] = sess.Token
	}
	return out, nil
}

// updateUser is POST /update-user {name?, image?}.
func (c *call) updateUser() (any, error) {
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	if _, bad := c.body["\x00notObject"]; bad {
		return nil, errBodyNotObject
	}
	if e, ok := c.body["email"]; ok && e != nil && e != "" && e != false {
		return nil, errEmailCannotUpdate
	}
	if err := c.validate(field{"name", kString, false}, field{"image", kStringOrNull, false}); err != nil {
		return nil, err
	}
	rest := maps.Clone(c.body)
	delete(rest, "name")
	delete(rest, "image")
	fields, err := parseFields(c.srv.user.AdditionalFields, rest, false)
	if err != nil {
		return nil, err
	}
	if v, ok := c.body["name"]; ok {
		fields["name"] = v
	}
	if v, ok := c.body["image"]; ok {
		fields["image"] = v
	}
	if len(fields) == 0 {
		return nil, errNoFieldsToUpdate
	}
	u, err := c.srv.db.UpdateUser(c.ctx, res.User.ID, fields, c.now)
	if err != nil {
		return nil, dbError(err)
	}
	c.setSessionCookie(&store.Result{Session: res.Session, User: *u}, nil, nil)
	return map[string]bool{"status": true}, nil
}

// verifyEmailLink is <base>/verify-email?token=…&callbackURL=… with cb ("" means "/").
func (c *call) verifyEmailLink(tok, cb string) string {
	if cb == "" {
		cb = "/"
	}
	return c.a.s.baseURL + c.a.s.basePath + "/verify-email?token=" + tok + "&callbackURL=" + encodeURIComponent(cb)
}

// changeEmail is POST /change-email {newEmail, callbackURL?} (Better Auth's changeEmail): the address of
// an unverified user changes at once with UpdateEmailWithoutVerification; otherwise a link goes to the
// new address (or, with SendChangeEmailConfirmation and a verified user, a confirmation link to the old
// one first), and /verify-email makes the change. An address that has an account gets the same answer and
// no email, so the endpoint does not tell who has one.
func (c *call) changeEmail() (any, error) {
	if err := c.validate(field{"newEmail", kEmail, true}, field{"callbackURL", kString, false}); err != nil {
		return nil, err
	}
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	conf := c.srv.user.ChangeEmail
	if !conf.Enabled {
		return nil, errChangeEmailDisabled
	}
	u := res.User
	newEmail := strings.ToLower(c.str("newEmail"))
	if newEmail == u.Email {
		return nil, errEmailIsTheSame
	}
	withoutVerification := !u.EmailVerified && conf.UpdateEmailWithoutVerification
	canSend := c.srv.mailer != nil
	confirm := canSend && u.EmailVerified && conf.SendChangeEmailConfirmation
	if !withoutVerification && !canSend {
		return nil, errVerificationNotEnabled
	}
	ok := map[string]bool{"status": true}
	taken, err := c.srv.db.UserByEmail(c.ctx, newEmail)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	if taken != nil {
		_ = c.changeToken(u.Email, newEmail, "", u.ID) // the same work as an address without an account
		return ok, nil
	}
	cb := c.str("callbackURL")
	switch {
	case withoutVerification:
		updated, err := c.srv.db.UpdateUser(c.ctx, u.ID, map[string]any{"email": newEmail}, c.now)
		if errors.Is(err, store.ErrConflict) {
			return ok, nil // taken since the lookup: the same answer
		}
		if err != nil {
			return nil, dbError(err)
		}
		c.setSessionCookie(&store.Result{Session: res.Session, User: *updated}, nil, nil)
		if canSend {
			tok := c.changeToken(newEmail, "", "", u.ID)
			c.srv.mail.send(Email{Kind: EmailVerify, To: newEmail, User: *updated, URL: c.verifyEmailLink(tok, cb), Token: tok})
		}
	case confirm:
		tok := c.changeToken(u.Email, newEmail, "change-email-confirmation", u.ID)
		c.srv.mail.send(Email{Kind: EmailChangeEmailConfirmation, To: u.Email, User: u, NewEmail: newEmail,
			URL: c.verifyEmailLink(tok, cb), Token: tok})
	default:
		tok := c.changeToken(u.Email, newEmail, "change-email-verification", u.ID)
		to := u
		to.Email = newEmail
		c.srv.mail.send(Email{Kind: EmailVerify, To: newEmail, User: to, NewEmail: newEmail, URL: c.verifyEmailLink(tok, cb), Token: tok})
	}
	return ok, nil
}

// deleteUser is POST /delete-user {password?, token?, callbackURL?} (Better Auth's deleteUser): a
// correct password, a deletion token, or a fresh session deletes the user; with
// SendDeleteAccountVerification it only mails a link (after checking the password, when one is given).
func (c *call) deleteUser() (any, error) {
	if err := c.validate(field{"callbackURL", kString, false}, field{"password", kString, false}, field{"token", kString, false}); err != nil {
		return nil, err
	}
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	conf := c.srv.user.DeleteUser
	if !conf.Enabled {
		c.a.s.log.Error("auth: Delete user is disabled. Enable it in the options")
		return nil, errNotFoundNoBody
	}
	if pw := c.str("password"); pw != "" {
		if jsLength(pw) > c.srv.ep.MaxPasswordLength {
			return nil, errPasswordTooLong
		}
		acct, err := c.credentialAccount(res.User.ID)
		if err != nil {
			return nil, err
		}
		if acct == nil || acct.Password == "" {
			return nil, errCredentialNotFound
		}
		ok, err := c.verifyPassword(acct.Password, pw)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errInvalidPassword
		}
	}
	deleted := map[string]any{"success": true, "message": "User deleted"}
	if tok := c.str("token"); tok != "" {
		if err := c.deleteUserWithToken(res.User, tok); err != nil {
			return nil, err
		}
		return deleted, nil
	}
	if conf.SendDeleteAccountVerification {
		tok := betterauth.RandomLowerAlnum(32)
		v := &store.Verification{ID: betterauth.NewID(), Identifier: "delete-account-" + tok, Value: res.User.ID,
			ExpiresAt: c.now.Add(conf.DeleteTokenExpiresIn), CreatedAt: c.now, UpdatedAt: c.now}
		if err := c.srv.db.CreateVerification(c.ctx, v); err != nil {
			return nil, dbError(err)
		}
		cb := c.str("callbackURL")
		if cb == "" {
			cb = "/"
		}
		link := c.a.s.baseURL + c.a.s.basePath + "/delete-user/callback?token=" + tok + "&callbackURL=" + encodeURIComponent(cb)
		c.srv.mail.send(Email{Kind: EmailDeleteAccount, To: res.User.Email, User: res.User, URL: link, Token: tok})
		return map[string]any{"success": true, "message": "Verification email sent"}, nil
	}
	if c.str("password") == "" && c.srv.freshAge > 0 && c.now.Sub(res.Session.CreatedAt) >= c.srv.freshAge {
		return nil, errSessionExpired
	}
	if err := c.deleteCurrentUser(res.User); err != nil {
		return nil, err
	}
	return deleted, nil
}

// deleteUserCallback is GET /delete-user/callback?token=&callbackURL= (Better Auth's deleteUserCallback):
// the link of a deletion email, followed in the browser of the signed-in user.
func (c *call) deleteUserCallback() (any, error) {
	cb := c.query.Get("callbackURL")
	if e := c.srv.origins.CheckCallback(cb); e != nil {
		return nil, httpsecError(e)
	}
	if !c.query.Has("token") {
		return nil, newAPIError(400, "VALIDATION_ERROR", "[query.token] Invalid input: expected string, received undefined")
	}
	if !c.srv.user.DeleteUser.Enabled {
		c.a.s.log.Error("auth: Delete user is disabled. Enable it in the options")
		return nil, newAPIError(404, "NOT_FOUND", "Not found")
	}
	res, err := c.loadSession(true, false)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errFailedGetUserInfo
	}
	if err := c.deleteUserWithToken(res.User, c.query.Get("token")); err != nil {
		return nil, err
	}
	if cb != "" {
		return c.redirect(cb), nil
	}
	return map[string]any{"success": true, "message": "User deleted"}, nil
}

// deleteUserWithToken spends a deletion token issued to u, then deletes u. A token that is unknown,
// expired, spent or someone else's is 404 INVALID_TOKEN.
func (c *call) deleteUserWithToken(u store.User, tok string) error {
	v, err := c.srv.db.Verification(c.ctx, "delete-account-"+tok)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return dbError(err)
	}
	if v == nil {
		return errDeleteTokenInvalid
	}
	// Spent first, whatever follows: of two requests racing with it only the one that deletes the row goes on.
	if err := c.srv.db.DeleteVerification(c.ctx, v.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errDeleteTokenInvalid
		}
		return dbError(err)
	}
	if v.ExpiresAt.Before(c.now) || subtle.ConstantTimeCompare([]byte(v.Value), []byte(u.ID)) != 1 {
		return errDeleteTokenInvalid
	}
	return c.deleteCurrentUser(u)
}

// deleteCurrentUser runs BeforeDelete, deletes the user with its sessions and accounts, expires the
// session cookies and runs AfterDelete.
func (c *call) deleteCurrentUser(u store.User) error {
	conf := c.srv.user.DeleteUser
	if conf.BeforeDelete != nil {
		if err := conf.BeforeDelete(c.ctx, u); err != nil {
			return hookError(err)
		}
	}
	var old []store.Session
	if c.srv.hooks.SessionDeleted != nil {
		old, _ = c.srv.db.Sessions(c.ctx, u.ID)
	}
	if err := c.srv.db.DeleteUser(c.ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return dbError(err)
	}
	for _, s := range old {
		c.srv.hooks.SessionDeleted(c.ctx, s)
	}
	c.deleteSessionCookie()
	if conf.AfterDelete != nil {
		if err := conf.AfterDelete(c.ctx, u); err != nil {
			return hookError(err)
		}
	}
	return nil
}
