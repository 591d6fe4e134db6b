package betterauth

// The default statements and roles of the organization plugin (better-auth src/plugins/organization/access/
// statement.ts) and of the admin plugin (src/plugins/admin/access/statement.ts), the organization plugin's
// hasPermission (src/plugins/organization/has-permission.ts, permission.ts) and the admin plugin's
// (src/plugins/admin/has-permission.ts).

import (
	"encoding/json"
	"errors"
	"fmt"
)

// DefaultOrgStatements are the organization plugin's defaultStatements.
func DefaultOrgStatements() map[string][]string {
	return map[string][]string{
		"organization": {"update", "delete"},
		"member":       {"create", "update", "delete"},
		"invitation":   {"create", "cancel"},
		"team":         {"create", "update", "delete"},
		"ac":           {"create", "read", "update", "delete"},
	}
}

// DefaultOrgRoles are the organization plugin's defaultRoles: owner, admin and member.
func DefaultOrgRoles() map[string]map[string][]string {
	return map[string]map[string][]string{
		"owner": {
			"organization": {"update", "delete"}, "member": {"create", "update", "delete"},
			"invitation": {"create", "cancel"}, "team": {"create", "update", "delete"},
			"ac": {"create", "read", "update", "delete"},
		},
		"admin": {
			"organization": {"update"}, "invitation": {"create", "cancel"}, "member": {"create", "update", "delete"},
			"team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"},
		},
		"member": {"organization": {}, "member": {}, "invitation": {}, "team": {}, "ac": {"read"}},
	}
}

// DefaultAdminStatements are the admin plugin's defaultStatements.
func DefaultAdminStatements() map[string][]string {
	return map[string][]string{
		"user": {"create", "list", "set-role", "ban", "impersonate", "impersonate-admins", "delete", "set-password",
			"set-email", "set-phone", "get", "update"},
		"session": {"list", "revoke", "delete"},
	}
}

// DefaultAdminRoles are the admin plugin's defaultRoles: admin and user.
func DefaultAdminRoles() map[string]map[string][]string {
	return map[string]map[string][]string{
		"admin": {
			"user": {"create", "list", "set-role", "ban", "impersonate", "delete", "set-password", "set-email",
				"set-phone", "get", "update"},
			"session": {"list", "revoke", "delete"},
		},
		"user": {"user": {}, "session": {}},
	}
}

// Roles are the roles of an access control, by name.
type Roles map[string]Role

// NewRoles builds Roles from statements by role name.
func NewRoles(m map[string]map[string][]string) Roles {
	out := make(Roles, len(m))
	for name, st := range m {
		out[name] = NewRole(st)
	}
	return out
}

// lookup finds a role as acRoles[name]?.authorize does: an own role, else a name Object.prototype holds
// (whose .authorize is undefined: calling it throws).
func (rs Roles) lookup(name string) (Role, bool, error) {
	r, ok := rs[name]
	if !ok && objectPrototype[name] {
		return Role{}, false, ErrAccessThrows
	}
	return r, ok, nil
}

// OrgHasPermission is the organization plugin's hasPermissionFn for a member's stored role (comma-separated
// roles, parsed with parseRoleList): true when any of the roles authorizes every requested permission.
// Without a request it is false.
func OrgHasPermission(roles Roles, role string, request map[string][]string) (bool, error) {
	if request == nil {
		return false, nil
	}
	for _, name := range ParseRoleList(role) {
		r, ok, err := roles.lookup(name)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if allowed, err := r.Authorize(request); err != nil {
			return false, err
		} else if allowed {
			return true, nil
		}
	}
	return false, nil
}

// AdminHasPermission is the admin plugin's hasPermission: a user listed in adminUserIds may do anything;
// otherwise any of the user's roles (role, or defaultRole, or "user"; split on commas without trimming)
// must authorize every requested permission.
func AdminHasPermission(roles Roles, adminUserIDs []string, userID, role, defaultRole string, request map[string][]string) (bool, error) {
	if userID != "" {
		for _, id := range adminUserIDs {
			if id == userID {
				return true, nil
			}
		}
	}
	if request == nil {
		return false, nil
	}
	for _, name := range AdminRoleList(role, defaultRole) {
		r, ok, err := roles.lookup(name)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if allowed, err := r.Authorize(request); err != nil {
			return false, err
		} else if allowed {
			return true, nil
		}
	}
	return false, nil
}

// ErrInvalidRolePermissions means an organizationRole row's permission column is not a JSON object of
// string arrays: the organization plugin answers such a check with 500 "Invalid permissions for role".
var ErrInvalidRolePermissions = errors.New("betterauth: invalid permissions for role")

// ParseRolePermissions reads an organizationRole row's permission column as the plugin does: JSON.parse,
// then z.record(z.string(), z.array(z.string())).
func ParseRolePermissions(raw string) (map[string][]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidRolePermissions)
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		var elems []json.RawMessage
		if len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &elems) != nil {
			return nil, fmt.Errorf("%w: %q is not an array of strings", ErrInvalidRolePermissions, k)
		}
		acts := make([]string, 0, len(elems))
		for _, e := range elems {
			var s string
			if len(e) == 0 || e[0] != '"' || json.Unmarshal(e, &s) != nil {
				return nil, fmt.Errorf("%w: %q is not an array of strings", ErrInvalidRolePermissions, k)
			}
			acts = append(acts, s)
		}
		out[k] = acts
	}
	return out, nil
}

// MergeDynamicRole is how hasPermission adds a dynamic role to the configured ones: the role's configured
// statements (none when it is not configured), each resource's actions extended with the row's (a set
// union, in first-seen order).
func MergeDynamicRole(base Role, perms map[string][]string) Role {
	merged := base.Statements()
	for res, acts := range perms {
		seen := map[string]bool{}
		var list []string
		for _, a := range append(merged[res], acts...) {
			if !seen[a] {
				seen[a] = true
				list = append(list, a)
			}
		}
		if list == nil {
			list = []string{}
		}
		merged[res] = list
	}
	return NewRole(merged)
}
