package admin

// The endpoints (better-auth src/plugins/admin/routes.ts), each in Better Auth's order of checks.

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// setRole is POST /admin/set-role {userId, role}.
func (pl *plugin) setRole(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	roles, ok := roleValue(x.Body()["role"])
	if !ok {
		return nil, x.Validate(authserver.BodyField{Name: "role", Kind: authserver.FieldString, Required: true})
	}
	if _, err := pl.admin(x, map[string][]string{"user": {"set-role"}}, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"); err != nil {
		return nil, err
	}
	if err := pl.checkRoles(roles); err != nil {
		return nil, err
	}
	if u, err := findUser(x, userID); err != nil {
		return nil, err
	} else if u == nil {
		return nil, errUserNotFound
	}
	u, err := x.Database().UpdateUser(x.Context(), userID, map[string]any{"role": strings.Join(roles, ",")}, x.Now())
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": userJSON(*u)}, nil
}

// getUser is GET /admin/get-user?id=.
func (pl *plugin) getUser(x *authserver.Context) (any, error) {
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	if !x.Query().Has("id") {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query.id] Invalid input: expected string, received undefined"}
	}
	if !pl.can(res.User, map[string][]string{"user": {"get"}}) {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_GET_USER")
	}
	u, err := findUser(x, x.Query().Get("id"))
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound
	}
	return userJSON(*u), nil
}

// createUser is POST /admin/create-user {email, password?, name, role?, data?}. Over HTTP it needs a
// session with the create permission.
func (pl *plugin) createUser(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "email", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "password", Kind: authserver.FieldString},
		authserver.BodyField{Name: "name", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	res, err := pl.admin(x, map[string][]string{"user": {"create"}}, "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS")
	if err != nil {
		return nil, err
	}
	data, _ := x.Body()["data"].(map[string]any)
	extra := map[string]any{}
	for k, v := range data {
		if k != "role" {
			extra[k] = v
		}
	}
	requested, hasRole := x.Body()["role"]
	if !hasRole || requested == nil {
		requested, hasRole = data["role"]
	}
	var roles []string
	if hasRole && requested != nil {
		if !pl.can(res.User, map[string][]string{"user": {"set-role"}}) {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE")
		}
		var ok bool
		if roles, ok = roleValue(requested); !ok {
			return nil, pl.err(400, "INVALID_ROLE_TYPE")
		}
		if err := pl.checkRoles(roles); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"banned", "banReason", "banExpires"} {
		if _, ok := extra[k]; ok && !pl.can(res.User, map[string][]string{"user": {"ban"}}) {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS")
		}
	}
	email := strings.ToLower(x.String("email"))
	if !authserver.ValidEmail(email) {
		return nil, &authserver.APIError{Status: 400, Code: "INVALID_EMAIL", Message: "Invalid email"}
	}
	password := x.String("password")
	if password != "" {
		if err := x.CheckPasswordLength(password, false); err != nil {
			return nil, err
		}
	}
	if _, err := x.Database().UserByEmail(x.Context(), email); err == nil {
		return nil, pl.err(400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var hash string
	if password != "" {
		if hash, err = x.HashPassword(password); err != nil {
			return nil, err
		}
	}
	u := &store.User{ID: betterauth.NewID(), Email: email, Name: x.String("name"), Role: pl.cfg.DefaultRole}
	if roles != nil {
		u.Role = strings.Join(roles, ",")
	}
	for k, v := range extra {
		switch k {
		case "image":
			u.Image, _ = v.(string)
		case "emailVerified":
			u.EmailVerified, _ = v.(bool)
		case "id", "email", "name", "createdAt", "updatedAt":
		default:
			if u.Additional == nil {
				u.Additional = map[string]any{}
			}
			u.Additional[k] = v
		}
	}
	if err := x.CreateUser(u); err != nil {
		if ae, ok := errors.AsType[*authserver.APIError](err); ok && ae.Code == "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" {
			return nil, pl.err(400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL") // a race with another sign-up: the admin plugin's 400
		}
		return nil, err
	}
	if hash != "" {
		now := x.Now()
		acct := &store.Account{ID: betterauth.NewID(), AccountID: u.ID, ProviderID: "credential", UserID: u.ID,
			Password: hash, CreatedAt: now, UpdatedAt: now}
		if err := x.Database().CreateAccount(x.Context(), acct); err != nil {
			return nil, err
		}
	}
	return map[string]any{"user": userJSON(*u)}, nil
}

// updateUser is POST /admin/update-user {userId, data}.
func (pl *plugin) updateUser(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	data, ok := x.Body()["data"].(map[string]any)
	if !ok {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.data] Invalid input: expected record, received " + jsType(x.Body()["data"])}
	}
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	can := func(p string) bool { return pl.can(res.User, map[string][]string{"user": {p}}) }
	has := func(k string) bool { _, ok := data[k]; return ok }
	if !can("update") {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS")
	}
	if len(data) == 0 {
		return nil, pl.err(400, "NO_DATA_TO_UPDATE")
	}
	if has("password") {
		return nil, pl.err(400, "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER")
	}
	if has("id") {
		return nil, pl.err(400, "USER_ID_CANNOT_BE_UPDATED")
	}
	set := map[string]any{}
	for k, v := range data {
		set[k] = v
	}
	if has("role") {
		if !can("set-role") {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE")
		}
		roles, ok := roleValue(data["role"])
		if !ok {
			return nil, pl.err(400, "INVALID_ROLE_TYPE")
		}
		if err := pl.checkRoles(roles); err != nil {
			return nil, err
		}
		set["role"] = strings.Join(roles, ",")
	}
	banning := data["banned"] == true
	if has("banned") || has("banReason") || has("banExpires") {
		if !can("ban") {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS")
		}
		if banning && userID == res.User.ID {
			return nil, pl.err(400, "YOU_CANNOT_BAN_YOURSELF")
		}
	}
	if has("email") || has("emailVerified") {
		if !can("set-email") {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL")
		}
		if has("email") {
			email := strings.ToLower(jsString(data["email"]))
			if !authserver.ValidEmail(email) {
				return nil, &authserver.APIError{Status: 400, Code: "INVALID_EMAIL", Message: "Invalid email"}
			}
			if other, err := x.Database().UserByEmail(x.Context(), email); err == nil && other.ID != userID {
				return nil, pl.err(400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			set["email"] = email
		}
	}
	if (has("phoneNumber") || has("phoneNumberVerified")) && !can("set-phone") {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER")
	}
	if u, err := findUser(x, userID); err != nil {
		return nil, err
	} else if u == nil {
		return nil, errUserNotFound
	}
	if v, ok := set["banExpires"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			set["banExpires"] = t
		}
	}
	delete(set, "updatedAt")
	delete(set, "createdAt")
	u, err := x.Database().UpdateUser(x.Context(), userID, set, x.Now())
	if err != nil {
		return nil, err
	}
	if banning {
		if err := x.Database().DeleteSessions(x.Context(), userID); err != nil {
			return nil, err
		}
	}
	return userJSON(*u), nil
}

// listUsers is GET /admin/list-users with Better Auth's search, filter, sort and pagination.
func (pl *plugin) listUsers(x *authserver.Context) (any, error) {
	for _, e := range []struct {
		name    string
		options []string
	}{
		{"searchField", []string{"email", "name"}},
		{"searchOperator", []string{"contains", "starts_with", "ends_with"}},
		{"sortDirection", []string{"asc", "desc"}},
		{"filterOperator", []string{"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with"}},
	} {
		if x.Query().Has(e.name) && !slices.Contains(e.options, x.Query().Get(e.name)) {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
				Message: "[query." + e.name + "] Invalid option: expected one of \"" + strings.Join(e.options, "\"|\"") + "\""}
		}
	}
	if _, err := pl.admin(x, map[string][]string{"user": {"list"}}, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"); err != nil {
		return nil, err
	}
	q := x.Query()
	var where []store.Where
	if v := q.Get("searchValue"); v != "" {
		where = append(where, store.Where{Field: or(q.Get("searchField"), "email"), Operator: or(q.Get("searchOperator"), "contains"), Value: v})
	}
	if q.Has("filterValue") {
		var v any = q.Get("filterValue")
		if vs := q["filterValue"]; len(vs) > 1 {
			v = vs
		}
		where = append(where, store.Where{Field: or(q.Get("filterField"), "email"), Operator: or(q.Get("filterOperator"), "eq"), Value: v})
	}
	limit, offset := jsNumber(q.Get("limit")), jsNumber(q.Get("offset"))
	uq := store.UserQuery{Where: where, SortBy: q.Get("sortBy"), Desc: q.Get("sortDirection") == "desc", Limit: limit, Offset: offset}
	db, _ := store.As[store.UserLister](x.Database())
	users, err := db.ListUsers(x.Context(), uq)
	var total int
	if err == nil {
		total, err = db.CountUsers(x.Context(), where)
	}
	if errors.Is(err, store.ErrInvalidQuery) {
		return map[string]any{"users": []any{}, "total": 0}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]rawJSON, len(users))
	for i, u := range users {
		out[i] = userJSON(u)
	}
	body := map[string]any{"users": out, "total": total}
	if limit > 0 {
		body["limit"] = limit
	}
	if offset > 0 {
		body["offset"] = offset
	}
	return body, nil
}

// listUserSessions is POST /admin/list-user-sessions {userId}.
func (pl *plugin) listUserSessions(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	if _, err := pl.admin(x, map[string][]string{"session": {"list"}}, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"); err != nil {
		return nil, err
	}
	all, err := x.Database().Sessions(x.Context(), userID)
	if err != nil {
		return nil, err
	}
	out := []rawJSON{}
	for _, s := range all {
		if s.ExpiresAt.After(x.Now()) { // listSessions returns active sessions only
			out = append(out, sessionJSON(s))
		}
	}
	return map[string]any{"sessions": out}, nil
}

// unbanUser is POST /admin/unban-user {userId}.
func (pl *plugin) unbanUser(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	if _, err := pl.admin(x, map[string][]string{"user": {"ban"}}, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"); err != nil {
		return nil, err
	}
	if u, err := findUser(x, userID); err != nil {
		return nil, err
	} else if u == nil {
		return nil, errUserNotFound
	}
	u, err := x.Database().UpdateUser(x.Context(), userID, map[string]any{"banned": false, "banExpires": nil, "banReason": nil}, x.Now())
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": userJSON(*u)}, nil
}

// banUser is POST /admin/ban-user {userId, banReason?, banExpiresIn? (seconds)}: the user's sessions are
// deleted.
func (pl *plugin) banUser(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	if err := x.Validate(authserver.BodyField{Name: "banReason", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	var expiresIn float64
	if v, ok := x.Body()["banExpiresIn"]; ok {
		f, isNum := jsNum(v)
		if !isNum {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.banExpiresIn] Invalid input: expected number, received " + jsType(v)}
		}
		expiresIn = f
	}
	res, err := pl.admin(x, map[string][]string{"user": {"ban"}}, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS")
	if err != nil {
		return nil, err
	}
	if u, err := findUser(x, userID); err != nil {
		return nil, err
	} else if u == nil {
		return nil, errUserNotFound
	}
	if userID == res.User.ID {
		return nil, pl.err(400, "YOU_CANNOT_BAN_YOURSELF")
	}
	reason := or(x.String("banReason"), pl.cfg.DefaultBanReason)
	var expires any
	switch {
	case expiresIn != 0:
		expires = x.Now().Add(time.Duration(expiresIn * float64(time.Second))).Truncate(time.Millisecond)
	case pl.cfg.DefaultBanExpiresIn != 0:
		expires = x.Now().Add(pl.cfg.DefaultBanExpiresIn)
	}
	u, err := x.Database().UpdateUser(x.Context(), userID, map[string]any{"banned": true, "banReason": reason, "banExpires": expires}, x.Now())
	if err != nil {
		return nil, err
	}
	if err := x.Database().DeleteSessions(x.Context(), userID); err != nil {
		return nil, err
	}
	return map[string]any{"user": userJSON(*u)}, nil
}

// impersonateUser is POST /admin/impersonate-user {userId}: a session for the user, marked impersonatedBy
// the admin, whose own session is kept in the signed admin_session cookie.
func (pl *plugin) impersonateUser(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	res, err := pl.admin(x, map[string][]string{"user": {"impersonate"}}, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS")
	if err != nil {
		return nil, err
	}
	target, err := findUser(x, userID)
	if err != nil {
		return nil, err
	}
	if target == nil {
		return nil, errUserNotFound
	}
	if pl.isAdmin(target) && !pl.cfg.AllowImpersonatingAdmins && !pl.can(res.User, map[string][]string{"user": {"impersonate-admins"}}) {
		return nil, pl.err(403, "YOU_CANNOT_IMPERSONATE_ADMINS")
	}
	dontRemember := x.DontRemember()
	sess, err := x.CreateSessionWith(*target, authserver.SessionOptions{DontRemember: true, NoCookie: true,
		ExpiresAt: x.Now().Add(pl.cfg.ImpersonationSessionDuration), Additional: map[string]any{"impersonatedBy": res.User.ID}})
	if err != nil {
		return nil, err
	}
	x.ExpireSessionCookies(false)
	dr := ""
	if dontRemember {
		dr = "true"
	}
	x.SetSignedCookie(x.CookieName("admin_session"), res.Session.Token+":"+dr, x.SessionCookieMaxAge())
	x.SetSessionCookie(sess, true)
	return map[string]any{"session": sessionJSON(sess.Session), "user": userJSON(*target)}, nil
}

// stopImpersonating is POST /admin/stop-impersonating: the impersonation session is deleted and the
// admin's, from the admin_session cookie, restored.
func (pl *plugin) stopImpersonating(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		var ae *authserver.APIError
		if errors.As(err, &ae) && ae.Status == 401 {
			return nil, &authserver.APIError{Status: 401}
		}
		return nil, err
	}
	by, _ := res.Session.Additional["impersonatedBy"].(string)
	if by == "" {
		return nil, &authserver.APIError{Status: 400, Message: "You are not impersonating anyone"}
	}
	admin, err := findUser(x, by)
	if err != nil {
		return nil, err
	}
	if admin == nil {
		return nil, &authserver.APIError{Status: 500, Message: "Failed to find user"}
	}
	name := x.CookieName("admin_session")
	v, ok := x.SignedCookie(name)
	if !ok {
		return nil, &authserver.APIError{Status: 500, Message: "Failed to find admin session"}
	}
	token, dr, _ := strings.Cut(v, ":")
	adminSess, err := x.Database().Lookup(x.Context(), token)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if adminSess == nil || adminSess.Session.UserID != admin.ID || !adminSess.Session.ExpiresAt.After(x.Now()) {
		return nil, &authserver.APIError{Status: 500, Message: "Failed to find admin session"}
	}
	if err := x.DeleteSession(res.Session.Token); err != nil {
		return nil, err
	}
	x.SetSessionCookie(adminSess, dr != "")
	x.SetCookie(name, "", -1)
	return map[string]any{"session": sessionJSON(adminSess.Session), "user": userJSON(adminSess.User)}, nil
}

// revokeUserSession is POST /admin/revoke-user-session {sessionToken}.
func (pl *plugin) revokeUserSession(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "sessionToken", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	if _, err := pl.admin(x, map[string][]string{"session": {"revoke"}}, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"); err != nil {
		return nil, err
	}
	if err := x.DeleteSession(x.String("sessionToken")); err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// revokeUserSessions is POST /admin/revoke-user-sessions {userId}.
func (pl *plugin) revokeUserSessions(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	if _, err := pl.admin(x, map[string][]string{"session": {"revoke"}}, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"); err != nil {
		return nil, err
	}
	if err := x.Database().DeleteSessions(x.Context(), userID); err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// removeUser is POST /admin/remove-user {userId}.
func (pl *plugin) removeUser(x *authserver.Context) (any, error) {
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	res, err := pl.admin(x, map[string][]string{"user": {"delete"}}, "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS")
	if err != nil {
		return nil, err
	}
	if userID == res.User.ID {
		return nil, pl.err(400, "YOU_CANNOT_REMOVE_YOURSELF")
	}
	if u, err := findUser(x, userID); err != nil {
		return nil, err
	} else if u == nil {
		return nil, errUserNotFound
	}
	if err := x.Database().DeleteUser(x.Context(), userID); err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// setUserPassword is POST /admin/set-user-password {newPassword, userId}.
func (pl *plugin) setUserPassword(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "newPassword", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	userID, err := requireString(x, "userId")
	if err != nil {
		return nil, err
	}
	switch {
	case x.String("newPassword") == "":
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.newPassword] newPassword cannot be empty"}
	case userID == "":
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body.userId] userId cannot be empty"}
	}
	if _, err := pl.admin(x, map[string][]string{"user": {"set-password"}}, "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD"); err != nil {
		return nil, err
	}
	pw := x.String("newPassword")
	if err := x.CheckPasswordLength(pw, true); err != nil {
		return nil, err
	}
	u, err := findUser(x, userID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound
	}
	hash, err := x.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	accts, err := x.Database().Accounts(x.Context(), userID)
	if err != nil {
		return nil, err
	}
	for _, a := range accts {
		if a.ProviderID == "credential" {
			if err := x.Database().UpdateAccount(x.Context(), a.ID, map[string]any{"password": hash}, x.Now()); err != nil {
				return nil, err
			}
			return map[string]bool{"status": true}, nil
		}
	}
	now := x.Now()
	if err := x.Database().CreateAccount(x.Context(), &store.Account{ID: betterauth.NewID(), AccountID: u.ID,
		ProviderID: "credential", UserID: userID, Password: hash, CreatedAt: now, UpdatedAt: now}); err != nil {
		return nil, err
	}
	return map[string]bool{"status": true}, nil
}

// hasPermission is POST /admin/has-permission {permissions | permission, userId?, role?}.
func (pl *plugin) hasPermission(x *authserver.Context) (any, error) {
	perms, ok := permissionsOf(x.Body()["permissions"])
	if !ok {
		return nil, &authserver.APIError{Status: 400, Message: "invalid permission check. no permission(s) were passed."}
	}
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	allowed, err := betterauth.AdminHasPermission(pl.roles, pl.cfg.AdminUserIDs, res.User.ID, res.User.Role, pl.cfg.DefaultRole, perms)
	return map[string]any{"error": nil, "success": allowed && err == nil}, nil
}

// permissionsOf reads a record of string arrays.
func permissionsOf(v any) (map[string][]string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string][]string, len(m))
	for k, e := range m {
		list, ok := e.([]any)
		if !ok {
			return nil, false
		}
		acts := []string{}
		for _, a := range list {
			s, ok := a.(string)
			if !ok {
				return nil, false
			}
			acts = append(acts, s)
		}
		out[k] = acts
	}
	return out, true
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// jsNumber is Number(s) || undefined for a limit or offset, as a whole non-negative count (0 when none).
func jsNumber(s string) int {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0
	}
	return int(f)
}

// jsNum is a JSON number of a body (the server decodes them as json.Number) as a float64; ok is false for
// other values.
func jsNum(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	}
	return 0, false
}

// jsString is String(v) for the values a JSON body holds.
func jsString(v any) string {
	if f, ok := jsNum(v); ok {
		return string(betterauth.AppendNumber(nil, f))
	}
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	return "[object Object]"
}

// jsType names a JSON value's type as zod's messages do.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "undefined"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}
