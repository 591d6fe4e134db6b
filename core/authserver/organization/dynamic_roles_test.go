package organization_test

import (
	"slices"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// rolesConfig is dynamic access control with teams, over Better Auth's default roles plus a project
// statement (owner: create and read, admin: create).
func rolesConfig() organization.Config {
	roles := auth.DefaultOrganizationRoles()
	roles["owner"]["project"] = []string{"create", "read"}
	roles["admin"]["project"] = []string{"create"}
	return organization.Config{Roles: roles, Teams: organization.TeamsConfig{Enabled: true},
		DynamicAccessControl: organization.DynamicACConfig{Enabled: true, Statements: map[string][]string{
			"organization": {"update", "delete"}, "member": {"create", "update", "delete"}, "invitation": {"create", "cancel"},
			"team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"}, "project": {"create", "read"}}}}
}

// TestDynamicRoles: an owner stores a role, reads, lists, renames and changes it, and deletes it once no
// member holds it; a member holding only the stored role gets exactly its permissions in the plugin's own
// checks (it may create teams), and loses them when the role changes.
func TestDynamicRoles(t *testing.T) {
	e := newEnv(t, rolesConfig())
	ownerID, owner := e.user("owner")
	leadID, lead := e.user("lead")
	org := e.org("acme")
	e.member(org, ownerID, "owner")
	e.member(org, leadID, "teamlead")
	e.activate(owner, org)
	e.activate(lead, org)

	// Without the stored role, the lead may do nothing.
	e.refused(e.do("POST", "/organization/create-team", lead, map[string]any{"name": "x"}), 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION", "create-team before the role")

	created := e.must(e.do("POST", "/organization/create-role", owner, map[string]any{"role": "TeamLead",
		"permission": map[string]any{"team": []string{"create"}, "ac": []string{"read"}}}), 200, "create-role")
	data, _ := created.obj["roleData"].(map[string]any)
	if created.obj["success"] != true || data["role"] != "teamlead" || data["organizationId"] != org {
		t.Fatalf("create-role: %s", created.raw)
	}
	if perm, _ := data["permission"].(map[string]any); len(perm) != 2 {
		t.Errorf("create-role permission is not an object: %s", created.raw)
	}
	if st, _ := created.obj["statements"].(map[string]any); len(st) != 2 {
		t.Errorf("create-role statements: %s", created.raw)
	}
	roleID, _ := data["id"].(string)

	e.must(e.do("POST", "/organization/create-team", lead, map[string]any{"name": "Lead's"}), 200, "create-team with the stored role")
	e.refused(e.do("POST", "/organization/create-role", owner, map[string]any{"role": "teamlead", "permission": map[string]any{}}), 400, "ROLE_NAME_IS_ALREADY_TAKEN", "the same name again")
	e.refused(e.do("POST", "/organization/create-role", owner, map[string]any{"role": "Admin", "permission": map[string]any{}}), 400, "ROLE_NAME_IS_ALREADY_TAKEN", "a predefined name")
	e.refused(e.do("POST", "/organization/create-role", owner, map[string]any{"role": "x", "permission": map[string]any{"billing": []string{"read"}}}), 400, "INVALID_RESOURCE", "an unknown resource")

	got := e.must(e.do("GET", "/organization/get-role?roleId="+roleID, lead, nil), 200, "get-role by id (ac:read)")
	if got.obj["role"] != "teamlead" {
		t.Errorf("get-role: %s", got.raw)
	}
	e.must(e.do("GET", "/organization/get-role?roleName=teamlead", owner, nil), 200, "get-role by name")
	if l := e.must(e.do("GET", "/organization/list-roles", owner, nil), 200, "list-roles"); len(l.list) != 1 {
		t.Errorf("list-roles: %s", l.raw)
	}

	upd := e.must(e.do("POST", "/organization/update-role", owner, map[string]any{"roleId": roleID,
		"data": map[string]any{"permission": map[string]any{"project": []string{"read"}, "ac": []string{"read"}}}}), 200, "update-role")
	if rd, _ := upd.obj["roleData"].(map[string]any); rd["role"] != "teamlead" || rd["permission"].(map[string]any)["project"] == nil {
		t.Errorf("update-role: %s", upd.raw)
	}
	e.refused(e.do("POST", "/organization/create-team", lead, map[string]any{"name": "y"}), 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION", "create-team after the role lost team:create")

	e.refused(e.do("POST", "/organization/delete-role", owner, map[string]any{"roleName": "teamlead"}), 400, "ROLE_IS_ASSIGNED_TO_MEMBERS", "delete a held role")
	e.refused(e.do("POST", "/organization/delete-role", owner, map[string]any{"roleName": "owner"}), 400, "CANNOT_DELETE_A_PRE_DEFINED_ROLE", "delete a predefined role")
	if _, err := e.rows.UpdateRows(t.Context(), "member", []store.Where{{Field: "userId", Value: leadID}}, store.Row{"role": "member"}); err != nil {
		t.Fatal(err)
	}
	e.must(e.do("POST", "/organization/update-role", owner, map[string]any{"roleName": "teamlead", "data": map[string]any{"roleName": "Lead"}}), 200, "rename")
	e.must(e.do("POST", "/organization/delete-role", owner, map[string]any{"roleName": "lead"}), 200, "delete-role")
	if l := e.must(e.do("GET", "/organization/list-roles", owner, nil), 200, "list-roles after delete"); len(l.list) != 0 {
		t.Errorf("list-roles after delete: %s", l.raw)
	}
}

// TestDynamicRolesAuthorization: a member of organization B cannot read, change or delete organization
// A's roles by naming A or A's role ids (no IDOR); a member without ac permissions cannot create roles;
// an admin cannot store a role granting what it does not hold itself (missingPermissions); a stored role
// with malformed permissions is a 500, as in Better Auth.
func TestDynamicRolesAuthorization(t *testing.T) {
	e := newEnv(t, rolesConfig())
	aOwnerID, aOwner := e.user("aowner")
	aAdminID, aAdmin := e.user("aadmin")
	aMemberID, aMember := e.user("amember")
	bOwnerID, bOwner := e.user("bowner")
	a, b := e.org("a"), e.org("b")
	e.member(a, aOwnerID, "owner")
	e.member(a, aAdminID, "admin")
	e.member(a, aMemberID, "member")
	e.member(b, bOwnerID, "owner")
	for _, c := range []string{aOwner, aAdmin, aMember} {
		e.activate(c, a)
	}
	e.activate(bOwner, b)
	created := e.must(e.do("POST", "/organization/create-role", aOwner, map[string]any{"role": "viewer", "permission": map[string]any{"project": []string{"read"}}}), 200, "A's role")
	roleID, _ := created.obj["roleData"].(map[string]any)["id"].(string)

	for _, tt := range []struct {
		name, method, path, cookie string
		body                       any
		status                     int
		code                       string
	}{
		{"B creates a role in A", "POST", "/organization/create-role", bOwner, map[string]any{"organizationId": a, "role": "x", "permission": map[string]any{}}, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B reads A's role naming A", "GET", "/organization/get-role?roleId=" + roleID + "&organizationId=" + a, bOwner, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B reads A's role by id in B", "GET", "/organization/get-role?roleId=" + roleID, bOwner, nil, 400, "ROLE_NOT_FOUND"},
		{"B lists A's roles", "GET", "/organization/list-roles?organizationId=" + a, bOwner, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B updates A's role naming A", "POST", "/organization/update-role", bOwner, map[string]any{"organizationId": a, "roleId": roleID, "data": map[string]any{"roleName": "x"}}, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B updates A's role by id in B", "POST", "/organization/update-role", bOwner, map[string]any{"roleId": roleID, "data": map[string]any{"roleName": "x"}}, 400, "ROLE_NOT_FOUND"},
		{"B deletes A's role naming A", "POST", "/organization/delete-role", bOwner, map[string]any{"organizationId": a, "roleId": roleID}, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B deletes A's role by id in B", "POST", "/organization/delete-role", bOwner, map[string]any{"roleId": roleID}, 400, "ROLE_NOT_FOUND"},
		{"A's member creates a role", "POST", "/organization/create-role", aMember, map[string]any{"role": "x", "permission": map[string]any{}}, 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE"},
		{"A's member updates a role", "POST", "/organization/update-role", aMember, map[string]any{"roleId": roleID, "data": map[string]any{}}, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE"},
		{"A's member deletes a role", "POST", "/organization/delete-role", aMember, map[string]any{"roleId": roleID}, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE"},
		{"no active organization", "POST", "/organization/create-role", aOwner, map[string]any{"organizationId": "", "role": "x", "permission": map[string]any{}}, 400, "YOU_MUST_BE_IN_AN_ORGANIZATION_TO_CREATE_A_ROLE"},
		{"no session", "GET", "/organization/list-roles", "", nil, 401, "UNAUTHORIZED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			e.refused(e.do(tt.method, tt.path, tt.cookie, tt.body), tt.status, tt.code, tt.name)
		})
	}
	e.t = t
	if g := e.must(e.do("GET", "/organization/get-role?roleId="+roleID, aOwner, nil), 200, "A's role"); g.obj["role"] != "viewer" {
		t.Errorf("A's role changed: %s", g.raw)
	}

	// The admin holds project:create but not organization:delete nor project:delete.
	denied := e.do("POST", "/organization/create-role", aAdmin, map[string]any{"role": "boss",
		"permission": map[string]any{"organization": []string{"delete"}, "project": []string{"read"}}})
	e.refused(denied, 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE", "admin grants organization:delete")
	if missing, _ := denied.obj["missingPermissions"].([]any); !slices.Equal(missing, []any{"organization:delete", "project:read"}) {
		t.Errorf("missingPermissions: %s", denied.raw)
	}

	if _, err := e.rows.UpdateRows(t.Context(), "organizationRole", []store.Where{{Field: "id", Value: roleID}}, store.Row{"permission": `{"project":"read"}`}); err != nil {
		t.Fatal(err)
	}
	bad := e.do("POST", "/organization/create-team", aOwner, map[string]any{"name": "x"})
	if bad.code != 500 || bad.obj["message"] != "Invalid permissions for role viewer" {
		t.Errorf("a malformed stored role: %d %s", bad.code, bad.raw)
	}
}

// TestRoleValidation: zod's messages for the role endpoints' bodies and queries, unions included.
func TestRoleValidation(t *testing.T) {
	e := newEnv(t, rolesConfig())
	_, c := e.user("u")
	for _, tt := range []struct {
		method, path string
		body         any
		msg          string
	}{
		{"POST", "/organization/delete-role", map[string]any{}, "[body] Invalid input"},
		{"POST", "/organization/delete-role", map[string]any{"roleName": ""}, "[body.roleName] Too small: expected string to have >=1 characters"},
		{"POST", "/organization/delete-role", map[string]any{"roleName": 1}, "[body] Invalid input"},
		{"POST", "/organization/create-role", map[string]any{}, "[body.role] Invalid input: expected string, received undefined; [body.permission] Invalid input: expected record, received undefined"},
		{"POST", "/organization/create-role", map[string]any{"role": "a", "permission": map[string]any{"a": "x"}}, "[body.permission.a] Invalid input: expected array, received string"},
		{"POST", "/organization/create-role", map[string]any{"role": "a", "permission": map[string]any{"a": []any{1}}}, "[body.permission.a.0] Invalid input: expected string, received number"},
		{"POST", "/organization/create-role", map[string]any{"role": "a", "permission": []any{}}, "[body.permission] Invalid input: expected record, received array"},
		{"POST", "/organization/update-role", map[string]any{"roleName": "x"}, "[body.data] Invalid input: expected object, received undefined"},
		{"POST", "/organization/update-role", map[string]any{"data": map[string]any{}}, "[body] Invalid input"},
		{"POST", "/organization/update-role", map[string]any{"roleName": "x", "data": map[string]any{"permission": "x"}}, "[body.data.permission] Invalid input: expected record, received string"},
		{"GET", "/organization/get-role", nil, "[query] Invalid input"},
		{"GET", "/organization/get-role?roleName=", nil, "[query.roleName] Too small: expected string to have >=1 characters"},
	} {
		a := e.do(tt.method, tt.path, c, tt.body)
		if a.code != 400 || a.errCode() != "VALIDATION_ERROR" || a.obj["message"] != tt.msg {
			t.Errorf("%s %v: %d %s, want %q", tt.path, tt.body, a.code, a.raw, tt.msg)
		}
	}
}
