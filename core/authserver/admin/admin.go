package admin

// Mirrors better-auth src/plugins/admin/admin.ts (the plugin, its hooks), routes.ts (the endpoints),
// error-codes.ts and schema.ts.

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// ErrorCodes are the plugin's error codes and messages (ADMIN_ERROR_CODES).
var ErrorCodes = map[string]string{
	"FAILED_TO_CREATE_USER":                        "Failed to create user",
	"USER_ALREADY_EXISTS":                          "User already exists.",
	"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":        "User already exists. Use another email.",
	"YOU_CANNOT_BAN_YOURSELF":                      "You cannot ban yourself",
	"YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE":     "You are not allowed to change users role",
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS":          "You are not allowed to create users",
	"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS":            "You are not allowed to list users",
	"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS":   "You are not allowed to list users sessions",
	"YOU_ARE_NOT_ALLOWED_TO_BAN_USERS":             "You are not allowed to ban users",
	"YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS":     "You are not allowed to impersonate users",
	"YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS": "You are not allowed to revoke users sessions",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS":          "You are not allowed to delete users",
	"YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD":    "You are not allowed to set users password",
	"BANNED_USER":                                   "You have been banned from this application",
	"YOU_ARE_NOT_ALLOWED_TO_GET_USER":               "You are not allowed to get user",
	"NO_DATA_TO_UPDATE":                             "No data to update",
	"YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS":           "You are not allowed to update users",
	"YOU_CANNOT_REMOVE_YOURSELF":                    "You cannot remove yourself",
	"YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE": "You are not allowed to set a non-existent role value",
	"YOU_CANNOT_IMPERSONATE_ADMINS":                 "You cannot impersonate admins",
	"INVALID_ROLE_TYPE":                             "Invalid role type",
	"YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL":        "You are not allowed to update users email",
	"YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER": "You are not allowed to update users phone number",
	"PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER":    "Password cannot be updated through update-user. Use the set-user-password endpoint instead",
	"USER_ID_CANNOT_BE_UPDATED":                     "User id cannot be updated",
}

// DefaultImpersonationSessionDuration is how long an impersonation session lasts when
// Config.ImpersonationSessionDuration is 0 (Better Auth's 3600 s).
const DefaultImpersonationSessionDuration = time.Hour

// Config is the admin plugin's options (Better Auth's admin({...})). The zero value is Better Auth's
// defaults.
type Config struct {
	// Roles are the roles by name, each as the statements ac.newRole was given. Nil means the plugin's
	// defaults (admin and user over the statements user and session), and then any role name may be set,
	// as Better Auth allows without a roles option.
	Roles map[string]map[string][]string
	// AdminRoles are the roles whose users count as admins for impersonation. Nil means ["admin"]. Each
	// must be one of Roles (New fails otherwise, as Better Auth throws).
	AdminRoles []string
	// AdminUserIDs are users allowed everything whatever their role (adminUserIds).
	AdminUserIDs []string
	// DefaultRole is the role new users get. Empty means "user".
	DefaultRole string
	// DefaultBanReason is the banReason of a ban without one. Empty means "No reason".
	DefaultBanReason string
	// DefaultBanExpiresIn is the length of a ban without banExpiresIn. Zero means forever.
	DefaultBanExpiresIn time.Duration
	// ImpersonationSessionDuration is how long an impersonation session lasts. Zero means one hour.
	ImpersonationSessionDuration time.Duration
	// AllowImpersonatingAdmins lets admins with the impersonate permission impersonate other admins
	// (allowImpersonatingAdmins).
	AllowImpersonatingAdmins bool
}

// Schema is the plugin's schema as Better Auth's migrator creates it: user.role, banned, banReason,
// banExpires and session.impersonatedBy.
var Schema = []sqlstore.Table{
	{Name: "user", Fields: []sqlstore.Field{
		{Name: "role", Type: sqlstore.FieldString},
		{Name: "banned", Type: sqlstore.FieldBoolean, Default: false},
		{Name: "banReason", Type: sqlstore.FieldString},
		{Name: "banExpires", Type: sqlstore.FieldDate},
	}},
	{Name: "session", Fields: []sqlstore.Field{{Name: "impersonatedBy", Type: sqlstore.FieldString}}},
}

// plugin is a configured admin plugin.
type plugin struct {
	cfg        Config
	roles      betterauth.Roles
	adminRoles []string
	p          *authserver.Plugin
}

// New returns Better Auth's admin plugin for the server. The Database must be a store.UserLister for
// /admin/list-users (sqlstore is); New's Init fails otherwise.
func New(cfg Config) authserver.Plugin {
	c := cfg
	if c.DefaultRole == "" {
		c.DefaultRole = "user"
	}
	if c.DefaultBanReason == "" {
		c.DefaultBanReason = "No reason"
	}
	if c.ImpersonationSessionDuration == 0 {
		c.ImpersonationSessionDuration = DefaultImpersonationSessionDuration
	}
	roles := c.Roles
	if roles == nil {
		roles = betterauth.DefaultAdminRoles()
	}
	pl := &plugin{cfg: c, roles: betterauth.NewRoles(roles), adminRoles: []string{"admin"}}
	if c.AdminRoles != nil {
		pl.adminRoles = nil
		for _, r := range c.AdminRoles {
			pl.adminRoles = append(pl.adminRoles, strings.TrimSpace(r))
		}
	}
	post := func(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodPost, Path: path, Handler: h, OperationID: op}
	}
	get := func(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodGet, Path: path, Handler: h, OperationID: op}
	}
	p := authserver.Plugin{
		ID: "admin",
		Init: func(s *authserver.Server) error {
			if _, ok := store.As[store.UserLister](s.Database()); !ok {
				return errors.New("auth: admin: the Database cannot list users (store.UserLister; sqlstore can)")
			}
			for _, r := range c.AdminRoles {
				found := false
				for name := range roles {
					if strings.EqualFold(name, r) {
						found = true
					}
				}
				if !found {
					return errors.New("auth: admin: Invalid admin roles: " + r + ". Admin roles must be defined in the 'roles' configuration.")
				}
			}
			return nil
		},
		Endpoints: []authserver.Endpoint{
			post("/admin/set-role", "setUserRole", pl.setRole),
			get("/admin/get-user", "getUser", pl.getUser),
			post("/admin/create-user", "createUser", pl.createUser),
			post("/admin/update-user", "adminUpdateUser", pl.updateUser),
			get("/admin/list-users", "listUsers", pl.listUsers),
			post("/admin/list-user-sessions", "adminListUserSessions", pl.listUserSessions),
			post("/admin/unban-user", "unbanUser", pl.unbanUser),
			post("/admin/ban-user", "banUser", pl.banUser),
			post("/admin/impersonate-user", "impersonateUser", pl.impersonateUser),
			post("/admin/stop-impersonating", "stopImpersonating", pl.stopImpersonating),
			post("/admin/revoke-user-session", "revokeUserSession", pl.revokeUserSession),
			post("/admin/revoke-user-sessions", "revokeUserSessions", pl.revokeUserSessions),
			post("/admin/remove-user", "removeUser", pl.removeUser),
			post("/admin/set-user-password", "setUserPassword", pl.setUserPassword),
			post("/admin/has-permission", "userHasPermission", pl.hasPermission),
		},
		Schema:       Schema,
		ErrorCodes:   ErrorCodes,
		UserDefaults: map[string]any{"role": c.DefaultRole},
		Before:       []authserver.Hook{{Match: authserver.PathIs("/sign-up/email", "/update-user"), Run: refuseInputFields}},
		After:        []authserver.Hook{{Match: authserver.PathIs("/list-sessions"), Run: hideImpersonations}},
	}
	pl.p = &p
	return p
}

func (pl *plugin) err(status int, code string) error { return pl.p.Error(status, code) }

// errUserNotFound is Better Auth's BASE_ERROR_CODES.USER_NOT_FOUND, answered 404 by the plugin.
var errUserNotFound = &authserver.APIError{Status: 404, Code: "USER_NOT_FOUND", Message: "User not found"}

// can is the plugin's hasPermission for the session's user: the verifier's access control.
func (pl *plugin) can(u store.User, perms map[string][]string) bool {
	ok, err := betterauth.AdminHasPermission(pl.roles, pl.cfg.AdminUserIDs, u.ID, u.Role, pl.cfg.DefaultRole, perms)
	return ok && err == nil
}

// admin is an endpoint's guard: the caller's authoritative session ([session]), which must hold perms, or
// 403 with the plugin's error code.
func (pl *plugin) admin(x *authserver.Context, perms map[string][]string, code string) (*store.Result, error) {
	res, err := session(x)
	if err != nil {
		return nil, err
	}
	if !pl.can(res.User, perms) {
		return nil, pl.err(403, code)
	}
	return res, nil
}

// session is the plugin's adminMiddleware: an authoritative session (no cookie cache), or 401.
func session(x *authserver.Context) (*store.Result, error) {
	res, err := x.FreshSession()
	var ae *authserver.APIError
	if errors.As(err, &ae) && ae.Status == 401 {
		return nil, &authserver.APIError{Status: 401}
	}
	return res, err
}

// refuseInputFields is Better Auth's parseInputData for the plugin's fields, which are input: false: a
// truthy role, banReason or banExpires (banned too, on an update) in a sign-up or update-user body is
// 400 FIELD_NOT_ALLOWED.
func refuseInputFields(x *authserver.Context) error {
	fields := []string{"role", "banned", "banReason", "banExpires"}
	for _, f := range fields {
		v, ok := x.Body()[f]
		if !ok || f == "banned" && x.Path() == "/sign-up/email" { // banned has a default: used on create
			continue
		}
		if truthyJSON(v) {
			return &authserver.APIError{Status: 400, Code: "FIELD_NOT_ALLOWED", Message: f + " is not allowed to be set"}
		}
	}
	return nil
}

// truthyJSON is JavaScript truthiness of a decoded JSON value.
func truthyJSON(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return betterauth.Truthy(v)
}

// hideImpersonations is the plugin's after hook on /list-sessions: impersonation sessions are left out.
func hideImpersonations(x *authserver.Context) error {
	res, err := x.Result()
	raw, ok := res.(json.RawMessage)
	if err != nil || !ok {
		return err
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := make([]json.RawMessage, 0, len(list))
	for _, s := range list {
		var f struct {
			ImpersonatedBy any `json:"impersonatedBy"`
		}
		if json.Unmarshal(s, &f) == nil && truthyJSON(f.ImpersonatedBy) {
			continue
		}
		out = append(out, s)
	}
	b, _ := json.Marshal(out)
	x.SetResult(json.RawMessage(b), nil)
	return nil
}

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

func userJSON(u store.User) rawJSON       { return betterauth.UserJSON(u) }
func sessionJSON(s store.Session) rawJSON { return betterauth.SessionJSON(s) }

// bodyString is z.coerce.string() of a body field: strings as they are, numbers and booleans as
// JavaScript prints them; ok is false when the field is missing.
func bodyString(x *authserver.Context, name string) (string, bool) {
	v, ok := x.Body()[name]
	if !ok || v == nil {
		return "", ok && v != nil
	}
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	if f, ok := jsNum(v); ok {
		return string(betterauth.AppendNumber(nil, f)), true
	}
	return "", false
}

// requireString validates a required coerced string field, as zod does.
func requireString(x *authserver.Context, name string) (string, error) {
	s, ok := bodyString(x, name)
	if !ok {
		return "", x.Validate(authserver.BodyField{Name: name, Kind: authserver.FieldString, Required: true})
	}
	return s, nil
}

// roleValue reads a role body value (a string or an array of strings) as parseRoles joins it; ok is
// false for another type (INVALID_ROLE_TYPE).
func roleValue(v any) (roles []string, ok bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			roles = append(roles, s)
		}
		return roles, true
	}
	return nil, false
}

// checkRoles refuses roles Config.Roles does not define (only when Roles is set, as Better Auth does).
func (pl *plugin) checkRoles(roles []string) error {
	if pl.cfg.Roles == nil {
		return nil
	}
	for _, r := range roles {
		if _, ok := pl.cfg.Roles[r]; !ok {
			return pl.err(400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")
		}
	}
	return nil
}

// findUser reads a user, nil when there is none.
func findUser(x *authserver.Context, id string) (*store.User, error) {
	u, err := x.Database().UserByID(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// isAdmin reports whether u counts as an admin for impersonation: one of its roles (or the default role)
// is an admin role, or it is in AdminUserIDs.
func (pl *plugin) isAdmin(u *store.User) bool {
	role := u.Role
	if role == "" {
		role = pl.cfg.DefaultRole
	}
	for _, r := range strings.Split(role, ",") {
		if slices.Contains(pl.adminRoles, r) {
			return true
		}
	}
	return slices.Contains(pl.cfg.AdminUserIDs, u.ID)
}
