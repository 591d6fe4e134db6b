package authserver

// Changing the user (better-auth src/api/routes/update-user.ts: changePassword, updateUser).

import (
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
	fields := map[string]any{}
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
