package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-access-control.ts (the role endpoints,
// each in its order of checks), the organizationRole table of organization.ts, and the dynamic part of
// has-permission.ts (organizationRole rows merged into the configured roles).

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// DynamicACConfig is the plugin's dynamicAccessControl option: roles defined at run time per
// organization, stored in the organizationRole table. The zero value is off.
type DynamicACConfig struct {
	// Enabled turns dynamic access control on (dynamicAccessControl.enabled): the organizationRole table,
	// the /organization/*-role endpoints, and every permission check of the plugin counting the
	// organization's stored roles (a stored role with the name of a configured one extends it).
	Enabled bool
	// MaximumRolesPerOrganization is how many roles an organization may store
	// (dynamicAccessControl.maximumRolesPerOrganization): one more is 400 TOO_MANY_ROLES. 0 means no limit.
	MaximumRolesPerOrganization int
	// MaximumRolesFor, when set, decides the limit per organization instead (Better Auth's function form);
	// 0 means no limit, and an error refuses the request with it.
	MaximumRolesFor func(ctx context.Context, organizationID string) (int, error)
	// Statements are the access control's statements (Better Auth's createAccessControl(statements), the
	// ac option): the resources a stored role may name, else 400 INVALID_RESOURCE. Nil means Better Auth's
	// default statements (organization, member, invitation, team, ac) plus every resource Config.Roles
	// names.
	Statements map[string][]string
}

// roleSchema is the organizationRole table as Better Auth's migrator creates it.
var roleSchema = []sqlstore.Table{{Name: "organizationRole", Fields: []sqlstore.Field{
	{Name: "organizationId", Type: sqlstore.FieldString, Required: true, References: "organization", Index: true},
	{Name: "role", Type: sqlstore.FieldString, Required: true, Index: true},
	{Name: "permission", Type: sqlstore.FieldString, Required: true},
	{Name: "createdAt", Type: sqlstore.FieldDate, Required: true, DefaultNow: true},
	{Name: "updatedAt", Type: sqlstore.FieldDate},
}}}

// roleJSONFields are an organizationRole row's fields as the adapter returns them.
var roleJSONFields = []string{"organizationId", "role", "permission", "createdAt", "updatedAt", "id"}

func init() {
	extensions = append(extensions, func(pl *Plugin) {
		if !pl.cfg.DynamicAccessControl.Enabled {
			return
		}
		pl.roleTables = append(pl.roleTables, roleSchema...)
		pl.extraEndpoints = append(pl.extraEndpoints,
			post("/organization/create-role", "createOrgRole", pl.createRole),
			post("/organization/delete-role", "deleteOrgRole", pl.deleteRole),
			get("/organization/list-roles", "listOrgRoles", pl.listRoles),
			get("/organization/get-role", "getOrgRole", pl.getRole),
			post("/organization/update-role", "updateOrgRole", pl.updateRole),
		)
	})
}

// rolesOf returns the roles permission checks in orgID use (hasPermission's acRoles): the configured
// ones, with dynamic access control on the organization's organizationRole rows merged in (a row's
// statements extend those of a configured role of the same name). A row whose permission is not a JSON
// object of string arrays is 500 "Invalid permissions for role <name>", as in Better Auth.
func (pl *Plugin) rolesOf(ctx context.Context, orgID string) (betterauth.Roles, error) {
	if !pl.cfg.DynamicAccessControl.Enabled || orgID == "" {
		return pl.roles, nil
	}
	rows, err := pl.db.FindRows(ctx, "organizationRole", store.RowQuery{Where: []store.Where{eq("organizationId", orgID)}})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return pl.roles, nil
	}
	roles := maps.Clone(pl.roles)
	for _, r := range rows {
		name := r.String("role")
		perms, err := betterauth.ParseRolePermissions(r.String("permission"))
		if err != nil {
			return nil, &authserver.APIError{Status: 500, Message: "Invalid permissions for role " + name}
		}
		roles[name] = betterauth.MergeDynamicRole(roles[name], perms)
	}
	return roles, nil
}

// statements are the access control's resources (DynamicACConfig.Statements or its default).
func (pl *Plugin) statements() map[string][]string {
	if s := pl.cfg.DynamicAccessControl.Statements; s != nil {
		return s
	}
	s := betterauth.DefaultOrgStatements()
	for _, st := range pl.cfg.Roles {
		for res, acts := range st {
			s[res] = append(s[res], acts...)
		}
	}
	return s
}

// predefinedRoles are the role names a stored role may not take: Config.Roles' names, or owner, admin
// and member.
func (pl *Plugin) predefinedRoles() []string {
	if pl.cfg.Roles == nil {
		return []string{"owner", "admin", "member"}
	}
	return slices.Collect(maps.Keys(pl.cfg.Roles))
}

// roleOrg reads the organizationId of a role request (body or query): Better Auth's
// organizationId ?? activeOrganizationId, so a given empty string stays empty.
func roleOrg(given map[string]any, res *store.Result) string {
	if v, ok := given["organizationId"]; ok {
		s, _ := v.(string)
		return s
	}
	active, _ := sessionString(res, "activeOrganizationId")
	return active
}

// roleMember is the check every role endpoint starts with: the caller a member of orgID (else 403
// YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION) whose roles grant ac:action (else 403 with denied).
func (pl *Plugin) roleMember(ctx context.Context, userID, orgID, action, denied string) (store.Row, error) {
	m, err := pl.requireMember(ctx, orgID, userID, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	if err := pl.requirePermission(ctx, orgID, m.String("role"), map[string][]string{"ac": {action}}, false, 403, denied); err != nil {
		return nil, err
	}
	return m, nil
}

// createRole is POST /organization/create-role {organizationId?, role, permission, additionalFields?}.
func (pl *Plugin) createRole(x *authserver.Context) (any, error) {
	b, err := validateCreateRole(x)
	if err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID := roleOrg(b, res)
	if orgID == "" {
		return nil, pl.err(400, "YOU_MUST_BE_IN_AN_ORGANIZATION_TO_CREATE_A_ROLE")
	}
	name := strings.ToLower(x.String("role"))
	if slices.Contains(pl.predefinedRoles(), name) {
		return nil, pl.err(400, "ROLE_NAME_IS_ALREADY_TAKEN")
	}
	ctx := x.Context()
	m, err := pl.roleMember(ctx, res.User.ID, orgID, "create", "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE")
	if err != nil {
		return nil, err
	}
	max := pl.cfg.DynamicAccessControl.MaximumRolesPerOrganization
	if f := pl.cfg.DynamicAccessControl.MaximumRolesFor; f != nil {
		if max, err = f(ctx, orgID); err != nil {
			return nil, hook(err)
		}
	}
	if max > 0 {
		n, err := pl.db.CountRows(ctx, "organizationRole", []store.Where{eq("organizationId", orgID)})
		if err != nil {
			return nil, err
		}
		if n >= max {
			return nil, pl.err(400, "TOO_MANY_ROLES")
		}
	}
	perm, _ := permissionRecord(b["permission"])
	if err := pl.checkResources(perm); err != nil {
		return nil, err
	}
	permJSON, order := permissionJSON(x, perm, "permission")
	if denied, err := pl.missingPermissions(x, m, orgID, perm, order, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE"); err != nil || denied != nil {
		return denied, err
	}
	if err := pl.roleNameFree(ctx, orgID, name); err != nil {
		return nil, err
	}
	row := store.Row{"id": betterauth.NewID(), "organizationId": orgID, "role": name, "permission": string(permJSON),
		"createdAt": x.Now(), "updatedAt": nil}
	if err := pl.db.CreateRow(ctx, "organizationRole", row); err != nil {
		return nil, err
	}
	out := []byte(`{"success":true,"roleData":`)
	out = append(out, roleJSON(row, permJSON)...)
	out = append(out, `,"statements":`...)
	out = append(out, permJSON...)
	return json.RawMessage(append(out, '}')), nil
}

// deleteRole is POST /organization/delete-role {organizationId?, roleName | roleId}: a stored role that no
// member holds.
func (pl *Plugin) deleteRole(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	cond, err := roleSelector(b, "body", nil)
	if err != nil {
		return nil, err
	}
	orgID, _, err := pl.roleRequest(x, b, "delete", "YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if cond.Field == "role" && slices.Contains(pl.predefinedRoles(), cond.Value.(string)) {
		return nil, pl.err(400, "CANNOT_DELETE_A_PRE_DEFINED_ROLE")
	}
	where := []store.Where{eq("organizationId", orgID), cond}
	row, err := pl.requireRole(ctx, where)
	if err != nil {
		return nil, err
	}
	name := row.String("role")
	holders, err := pl.db.FindRows(ctx, "member", store.RowQuery{Where: []store.Where{eq("organizationId", orgID),
		{Field: "role", Operator: "contains", Value: name}}})
	if err != nil {
		return nil, err
	}
	for _, h := range holders {
		if slices.Contains(betterauth.ParseRoleList(h.String("role")), name) {
			return nil, pl.err(400, "ROLE_IS_ASSIGNED_TO_MEMBERS")
		}
	}
	if _, err := pl.db.DeleteRows(ctx, "organizationRole", where); err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// listRoles is GET /organization/list-roles?organizationId=: the organization's stored roles.
func (pl *Plugin) listRoles(x *authserver.Context) (any, error) {
	orgID, _, err := pl.roleRequest(x, queryMap(x), "read", "YOU_ARE_NOT_ALLOWED_TO_LIST_A_ROLE")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	rows, err := pl.db.FindRows(ctx, "organizationRole", store.RowQuery{Where: []store.Where{eq("organizationId", orgID)}})
	if err != nil {
		return nil, err
	}
	out := []byte{'['}
	for i, r := range rows {
		if i > 0 {
			out = append(out, ',')
		}
		perm, err := storedPermission(r)
		if err != nil {
			return nil, err
		}
		out = append(out, roleJSON(r, perm)...)
	}
	return json.RawMessage(append(out, ']')), nil
}

// getRole is GET /organization/get-role?roleName=|roleId=&organizationId=.
func (pl *Plugin) getRole(x *authserver.Context) (any, error) {
	q := queryMap(x)
	cond, err := roleSelector(q, "query", nil)
	if err != nil {
		return nil, err
	}
	orgID, _, err := pl.roleRequest(x, q, "read", "YOU_ARE_NOT_ALLOWED_TO_READ_A_ROLE")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	row, err := pl.requireRole(ctx, []store.Where{eq("organizationId", orgID), cond})
	if err != nil {
		return nil, err
	}
	perm, err := storedPermission(row)
	if err != nil {
		return nil, err
	}
	return roleJSON(row, perm), nil
}

// updateRole is POST /organization/update-role {organizationId?, roleName | roleId, data: {permission?,
// roleName?}}.
func (pl *Plugin) updateRole(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	cond, err := roleSelector(b, "body", updateRoleData)
	if err != nil {
		return nil, err
	}
	orgID, m, err := pl.roleRequest(x, b, "update", "YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	where := []store.Where{eq("organizationId", orgID), cond}
	row, err := pl.requireRole(ctx, where)
	if err != nil {
		return nil, err
	}
	var oldPerm json.RawMessage
	if row.String("permission") != "" {
		if oldPerm, err = storedPermission(row); err != nil {
			return nil, err
		}
	}
	data := b["data"].(map[string]any)
	set := store.Row{}
	var newPerm json.RawMessage
	if v, ok := data["permission"].(map[string]any); ok {
		perm, _ := permissionRecord(v)
		if err := pl.checkResources(perm); err != nil {
			return nil, err
		}
		var order []string
		newPerm, order = permissionJSON(x, perm, "data", "permission")
		if denied, err := pl.missingPermissions(x, m, orgID, perm, order, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE"); err != nil || denied != nil {
			return denied, err
		}
		set["permission"] = string(newPerm)
	}
	if name, _ := data["roleName"].(string); name != "" {
		name = strings.ToLower(name)
		if slices.Contains(pl.predefinedRoles(), name) {
			return nil, pl.err(400, "ROLE_NAME_IS_ALREADY_TAKEN")
		}
		if err := pl.roleNameFree(ctx, orgID, name); err != nil {
			return nil, err
		}
		set["role"] = name
	}
	write := maps.Clone(set)
	write["updatedAt"] = x.Now()
	if _, err := pl.db.UpdateRows(ctx, "organizationRole", where, write); err != nil {
		return nil, err
	}
	// roleData is the row read before, with the update over it (not updatedAt, which the adapter sets
	// itself), and the permission as an object.
	data2 := maps.Clone(row)
	maps.Copy(data2, set)
	perm := newPerm
	if perm == nil {
		perm = oldPerm
	}
	if perm == nil {
		perm = json.RawMessage("null")
	}
	out := []byte(`{"success":true,"roleData":`)
	out = append(out, roleJSON(data2, perm)...)
	return json.RawMessage(append(out, '}')), nil
}

// roleRequest is what the role endpoints but create-role start with, in Better Auth's order: the
// session, the organization (given ?? active, else 400 NO_ACTIVE_ORGANIZATION) and the caller's member
// row checked by roleMember for ac:action.
func (pl *Plugin) roleRequest(x *authserver.Context, given map[string]any, action, denied string) (string, store.Row, error) {
	res, err := x.Session()
	if err != nil {
		return "", nil, err
	}
	orgID := roleOrg(given, res)
	if orgID == "" {
		return "", nil, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	m, err := pl.roleMember(x.Context(), res.User.ID, orgID, action, denied)
	if err != nil {
		return "", nil, err
	}
	return orgID, m, nil
}

// requireRole is roleRow that answers 400 ROLE_NOT_FOUND when no role matches.
func (pl *Plugin) requireRole(ctx context.Context, where []store.Where) (store.Row, error) {
	row, err := pl.roleRow(ctx, where)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, pl.err(400, "ROLE_NOT_FOUND")
	}
	return row, nil
}

// roleRow returns the organizationRole row where selects, nil when there is none.
func (pl *Plugin) roleRow(ctx context.Context, where []store.Where) (store.Row, error) {
	return pl.findOne(ctx, "organizationRole", where...)
}

// roleNameFree answers 400 ROLE_NAME_IS_ALREADY_TAKEN when orgID stores a role named name.
func (pl *Plugin) roleNameFree(ctx context.Context, orgID, name string) error {
	row, err := pl.roleRow(ctx, []store.Where{eq("organizationId", orgID), eq("role", name)})
	if err != nil {
		return err
	}
	if row != nil {
		return pl.err(400, "ROLE_NAME_IS_ALREADY_TAKEN")
	}
	return nil
}

// checkResources answers 400 INVALID_RESOURCE when perm names a resource the statements do not have.
func (pl *Plugin) checkResources(perm map[string][]string) error {
	st := pl.statements()
	for res := range perm {
		if _, ok := st[res]; !ok {
			return pl.err(400, "INVALID_RESOURCE")
		}
	}
	return nil
}

// deniedRole is the 403 a role request gets when the caller lacks some of the permissions it would grant:
// Better Auth's {message, code, missingPermissions: ["resource:action", …]}.
type deniedRole struct {
	Message            string   `json:"message"`
	Code               string   `json:"code"`
	MissingPermissions []string `json:"missingPermissions"`
}

// missingPermissions is checkIfMemberHasPermission: the caller must hold every permission a role it
// creates or updates would grant, each checked on its own, resources in order (the body's). It returns
// the 403 answer (its status set) when some are missing, else nil.
func (pl *Plugin) missingPermissions(x *authserver.Context, m store.Row, orgID string, perm map[string][]string, order []string, code string) (any, error) {
	roles, err := pl.rolesOf(x.Context(), orgID)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, res := range order {
		for _, act := range perm[res] {
			ok, err := betterauth.OrgHasPermission(roles, m.String("role"), map[string][]string{res: {act}})
			if err != nil || !ok {
				missing = append(missing, res+":"+act)
			}
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	x.Logger().Error("auth: organization: [Dynamic Access Control] the member is missing permissions the role would grant",
		"userId", m.String("userId"), "organizationId", orgID, "role", m.String("role"), "missingPermissions", missing)
	x.SetStatus(403)
	return deniedRole{Message: ErrorCodes[code], Code: code, MissingPermissions: missing}, nil
}

// permissionJSON is JSON.stringify of a permission object from the body at path: its resources in the
// order the client sent them (by name when the raw body cannot say), with that order.
func permissionJSON(x *authserver.Context, perm map[string][]string, path ...string) (json.RawMessage, []string) {
	if ordered, ok := metadataJSON(x, path...); ok {
		if o, err := betterauth.ParseObject([]byte(ordered)); err == nil && len(o.Keys()) == len(perm) {
			return json.RawMessage(ordered), o.Keys()
		}
	}
	keys := slices.Sorted(maps.Keys(perm))
	o := &betterauth.Object{}
	for _, res := range keys {
		o.SetValue(res, perm[res])
	}
	return o.Bytes(), keys
}

// storedPermission is JSON.parse of a row's permission column, kept as the JSON text it is (so members keep
// their order); a column that is not JSON is an error (500), as JSON.parse throws.
func storedPermission(r store.Row) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(r.String("permission"))); err != nil {
		return nil, &authserver.APIError{Status: 500, Message: "Invalid permissions for role " + r.String("role")}
	}
	return json.RawMessage(b.Bytes()), nil
}

// roleJSON writes an organizationRole row with its permission as an object.
func roleJSON(r store.Row, perm json.RawMessage) json.RawMessage {
	o := rowObject(r, roleJSONFields)
	o.Set("permission", perm)
	return o.Bytes()
}

// queryMap is the URL query as zod sees it: each parameter's first value.
func queryMap(x *authserver.Context) map[string]any {
	m := map[string]any{}
	for k, v := range x.Query() {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	return m
}

// roleSelector validates a role request's body or query (where is "body" or "query") as zod does Better
// Auth's z.object({organizationId?, …}).and(z.union([{roleName: nonempty}, {roleId: nonempty}])): the
// object's issues first (more adds those of update-role's data), then the union's. It returns the
// condition that selects the role: role = roleName when roleName is a non-empty string, else id = roleId.
func roleSelector(m map[string]any, where string, more func(c *checks, m map[string]any)) (store.Where, error) {
	c := &checks{where: where}
	c.str(m, "organizationId", "organizationId", false, false, false)
	if more != nil {
		more(c, m)
	}
	// Each option of the union: a match, a "continuing" issue (an empty string), or an aborting one; one
	// continuing option alone reports its issue, else the union reports "Invalid input".
	var cond store.Where
	matched := false
	var soft []string
	for _, opt := range []struct{ key, field string }{{"roleName", "role"}, {"roleId", "id"}} {
		s, isStr := m[opt.key].(string)
		switch {
		case !isStr:
		case s == "":
			soft = append(soft, opt.key)
		case !matched:
			cond, matched = store.Where{Field: opt.field, Value: s}, true
		}
	}
	switch {
	case matched:
	case len(soft) == 1:
		c.add(soft[0], "Too small: expected string to have >=1 characters")
	default:
		c.issues = append(c.issues, "["+where+"] Invalid input")
	}
	return cond, c.err()
}

// validateCreateRole is zod on create-role's body: organizationId an optional string, role a string,
// permission a record of string arrays, additionalFields an optional object.
func validateCreateRole(x *authserver.Context) (map[string]any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	c.str(b, "organizationId", "organizationId", false, false, false)
	c.str(b, "role", "role", true, false, false)
	c.permissions(b, "permission", "permission", true)
	if v, ok := b["additionalFields"]; ok {
		if _, ok := v.(map[string]any); !ok {
			c.add("additionalFields", "Invalid input: expected object, received "+jsType(v))
		}
	}
	return b, c.err()
}

// updateRoleData is zod on update-role's data: an object whose permission is an optional record of
// string arrays and roleName an optional string.
func updateRoleData(c *checks, m map[string]any) {
	v, ok := m["data"]
	data, isObj := v.(map[string]any)
	switch {
	case !ok:
		c.add("data", "Invalid input: expected object, received undefined")
	case !isObj:
		c.add("data", "Invalid input: expected object, received "+jsType(v))
	default:
		c.permissions(data, "data.permission", "permission", false)
		c.str(data, "data.roleName", "roleName", false, false, false)
	}
}

// permissions checks z.record(z.string(), z.array(z.string())) at m[name], whose path is path.
func (c *checks) permissions(m map[string]any, path, name string, required bool) {
	v, ok := m[name]
	if !ok && !required {
		return
	}
	rec, isObj := v.(map[string]any)
	if !isObj {
		got := "undefined"
		if ok {
			got = jsType(v)
		}
		c.add(path, "Invalid input: expected record, received "+got)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(rec)) {
		list, isList := rec[k].([]any)
		if !isList {
			c.add(path+"."+k, "Invalid input: expected array, received "+jsType(rec[k]))
			continue
		}
		for i, e := range list {
			if _, isStr := e.(string); !isStr {
				c.add(path+"."+k+"."+strconv.Itoa(i), "Invalid input: expected string, received "+jsType(e))
			}
		}
	}
}
