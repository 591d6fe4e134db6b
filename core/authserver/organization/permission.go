package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/has-permission.ts and permission.ts: the permission
// check every endpoint makes, and /organization/has-permission (organization.ts: createHasPermission).

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// can is hasPermission: whether role (comma-separated roles) grants perms in orgID. allowCreatorAll lets
// the creator role do anything (allowCreatorAllPermissions).
func (pl *Plugin) can(ctx context.Context, orgID, role string, perms map[string][]string, allowCreatorAll bool) (bool, error) {
	if perms == nil {
		return false, nil
	}
	if allowCreatorAll && slices.Contains(betterauth.ParseRoleList(role), pl.cfg.CreatorRole) {
		return true, nil
	}
	roles, err := pl.rolesOf(ctx, orgID)
	if err != nil {
		return false, err
	}
	ok, err := betterauth.OrgHasPermission(roles, role, perms)
	if errors.Is(err, betterauth.ErrAccessThrows) {
		pl.srv.Logger().LogAttrs(ctx, slog.LevelWarn, "auth: organization: permission check throws in Better Auth; refused", slog.String("role", role))
		return false, nil
	}
	return ok, err
}

// requireMember returns the member row of userID in orgID, or the error code with status when
// userID is not a member there.
func (pl *Plugin) requireMember(ctx context.Context, orgID, userID string, status int, code string) (store.Row, error) {
	m, _, err := pl.memberOf(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, pl.err(status, code)
	}
	return m, nil
}

// requirePermission is can that answers the error code with status when role does not grant perms.
func (pl *Plugin) requirePermission(ctx context.Context, orgID, role string, perms map[string][]string, allowCreatorAll bool, status int, code string) error {
	ok, err := pl.can(ctx, orgID, role, perms, allowCreatorAll)
	if err != nil {
		return err
	}
	if !ok {
		return pl.err(status, code)
	}
	return nil
}

// organizationOrActive is orgID, else the session's active organization; without either it is the error
// code with status 400.
func (pl *Plugin) organizationOrActive(orgID string, res *store.Result, code string) (string, error) {
	if orgID == "" {
		orgID, _ = sessionString(res, "activeOrganizationId") // res may be nil for team endpoints
	}
	if orgID == "" {
		return "", pl.err(400, code)
	}
	return orgID, nil
}

// HasPermission answers whether the member of userID in orgID holds perms, as the plugin's hasPermission
// does on the server (dynamic roles included). A user who is not a member has none.
func (pl *Plugin) HasPermission(ctx context.Context, orgID, userID string, perms map[string][]string) (bool, error) {
	if pl.db == nil {
		return false, errNotStarted
	}
	m, err := pl.findOne(ctx, "member", eq("userId", userID), eq("organizationId", orgID))
	if err != nil || m == nil {
		return false, err
	}
	return pl.can(ctx, orgID, m.String("role"), perms, false)
}

// errNotStarted is the error of server-only calls made before the server was built.
var errNotStarted = errors.New("auth: organization: the plugin is not installed in a server yet (authserver.New)")

// hasPermissionEndpoint is POST /organization/has-permission.
func (pl *Plugin) hasPermissionEndpoint(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	// z.xor of {permission} and {permissions}: exactly one, each a record of string arrays.
	perms, okNew := permissionRecord(b["permissions"])
	legacy, okOld := permissionRecord(b["permission"])
	switch {
	case okNew && okOld:
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body] Invalid input: more than one option matched"}
	case !okNew && !okOld:
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body] Invalid input"}
	}
	_ = legacy // Better Auth checks ctx.body.permissions only: the deprecated permission checks nothing
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID, err = pl.organizationOrActive(orgID, res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	m, _, err := pl.memberOf(x.Context(), orgID, res.User.ID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, pl.err(401, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	}
	ok, err := pl.can(x.Context(), orgID, m.String("role"), perms, false)
	if err != nil {
		return nil, err
	}
	if ok {
		return rawJSON(`{"error":null,"success":true}`), nil
	}
	return rawJSON(`{"error":null,"success":false}`), nil
}

// permissionRecord reads z.record(z.string(), z.array(z.string())).
func permissionRecord(v any) (map[string][]string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string][]string, len(m))
	for k, acts := range m {
		list, ok := acts.([]any)
		if !ok {
			return nil, false
		}
		s := make([]string, 0, len(list))
		for _, a := range list {
			as, ok := a.(string)
			if !ok {
				return nil, false
			}
			s = append(s, as)
		}
		out[k] = s
	}
	return out, true
}
