package interop_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// orgTeamsEnv are the teams options of the teams tests, for Node (ORG_TEAMS) and Go alike.
const orgTeamsEnv = `{"maximumTeams":4,"maximumMembersPerTeam":2}`

// orgTeamsPlugin is orgPlugin with teams on, as ORG_TEAMS=orgTeamsEnv configures Better Auth's.
func orgTeamsPlugin() *organization.Plugin {
	statements := map[string][]string{"organization": {"update", "delete"}, "member": {"create", "update", "delete"},
		"invitation": {"create", "cancel"}, "team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"},
		"project": {"create", "read", "delete"}}
	return organization.New(organization.Config{Roles: orgRoles(),
		Teams:                organization.TeamsConfig{Enabled: true, MaximumTeams: 4, MaximumMembersPerTeam: 2},
		DynamicAccessControl: organization.DynamicACConfig{Enabled: true, Statements: statements}})
}

// TestMigrateOrganizationTeamsSchema: Migrate with teams and dynamic access control on (the team,
// teamMember and organizationRole tables, invitation.teamId, session.activeTeamId) plans exactly Better
// Auth's migrator with ORG_TEAMS on, on an empty database and on one with the core tables; afterwards
// Better Auth finds nothing to do.
func TestMigrateOrganizationTeamsSchema(t *testing.T) {
	interop.Require(t)
	schema := orgTeamsPlugin().Plugin().Schema
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plugEnv := maps.Clone(env)
			plugEnv["PLUGINS"], plugEnv["ORG_TEAMS"] = "organization", "1"
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, schema); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, nil)
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, schema); p.SQL != plan.SQL() {
				t.Errorf("plans for adding the plugin differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, schema)
			if p := nodeMigrate(t, "plan", plugEnv); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}

// teamsScript runs the teams and roles script against s: an owner creates an organization (its default
// team), teams up to maximumTeams, renames one, stores a dynamic role and invites Bob with it to a team;
// Bob accepts (the team becomes his active team) and, through the stored role alone, may create and
// rename teams but not remove them, nor add members, nor create roles; the owner fills a team up to
// maximumMembersPerTeam and narrows the role; Carol, owner of an organization of her own, is refused every
// read and write of Acme's teams and roles (no IDOR); the owner takes Bob out of the team, cannot delete
// the role he holds, changes his role and deletes it, removes teams (not her active one), and removes Bob.
func teamsScript(t *testing.T, s *interop.Server, tag string) []string {
	t.Helper()
	n := &normalizer{tag: tag, ids: map[string]string{}}
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	var out []string
	run := func(jar map[string]string, steps ...interop.ClientStep) []interop.ClientResult {
		pre := jarSteps(jar)
		rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(pre, steps...)...)[len(pre):]
		for _, r := range rs {
			o := n.outcome(r)
			if r.Op == "getSession" {
				var d struct {
					Session map[string]any `json:"session"`
				}
				_ = json.Unmarshal(r.Data, &d)
				o += " activeTeamId=" + n.text(fmt.Sprint(d.Session["activeTeamId"]))
			}
			out = append(out, o)
		}
		return rs
	}
	data := func(r interop.ClientResult, key ...string) string {
		var v any
		_ = json.Unmarshal(r.Data, &v)
		for _, k := range key {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		s, _ := v.(string)
		return s
	}
	dom := "@" + tag + ".example.com"
	owner, bob, carol := "owner"+dom, "bob"+dom, "carol"+dom
	q := func(m map[string]any) map[string]any { return map[string]any{"query": m} }

	rs := run(nil,
		step("signUp.email", map[string]any{"name": "Owner", "email": owner, "password": password}),
		step("organization.create", map[string]any{"name": "Acme", "slug": "acme-" + tag}),
		step("getSession", nil),
		step("organization.listTeams", nil),
		step("organization.createTeam", map[string]any{"name": "Core"}),
		step("organization.createTeam", map[string]any{"name": "Ops"}),
		step("organization.updateTeam", map[string]any{"teamId": "nope", "data": map[string]any{"name": "X"}}),
		step("organization.updateTeam", map[string]any{"data": map[string]any{"name": ""}}),
		step("organization.createRole", map[string]any{"role": "TeamLead", "permission": map[string]any{"team": []any{"create", "update"}, "ac": []any{"read"}}}),
		step("organization.createRole", map[string]any{"role": "teamlead", "permission": map[string]any{"team": []any{"create"}}}),
		step("organization.createRole", map[string]any{"role": "admin", "permission": map[string]any{"team": []any{"create"}}}),
		step("organization.createRole", map[string]any{"role": "billing", "permission": map[string]any{"billing": []any{"read"}}}),
		step("organization.createRole", map[string]any{"role": "x", "permission": map[string]any{"team": "create"}}),
		step("organization.listRoles", nil),
		step("organization.getRole", q(map[string]any{"roleName": "teamlead"})),
		step("organization.getRole", q(map[string]any{"roleName": "nope"})),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "teamlead", "teamId": "a,b"}),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "teamlead", "teamId": "nope"}),
	)
	ownerJar := rs[len(rs)-1].Jar
	orgID, defTeam, core, ops, roleID := data(rs[1], "id"), data(rs[2], "session", "activeTeamId"), data(rs[4], "id"), data(rs[5], "id"), data(rs[8], "roleData", "id")
	rs = run(ownerJar,
		step("organization.updateTeam", map[string]any{"teamId": core, "data": map[string]any{"name": "Platform"}}),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "teamlead", "teamId": core}),
		step("organization.listTeams", nil),
	)
	bobInvite := data(rs[1], "id")

	rs = run(nil,
		step("signUp.email", map[string]any{"name": "Bob", "email": bob, "password": password}),
		step("organization.acceptInvitation", map[string]any{"invitationId": bobInvite}),
		step("getSession", nil),
		step("organization.listUserTeams", nil),
		step("organization.listTeamMembers", nil),
		step("organization.createTeam", map[string]any{"name": "Bob's"}),
		step("organization.createTeam", map[string]any{"name": "Too many"}),
		step("organization.updateTeam", map[string]any{"teamId": ops, "data": map[string]any{"name": "Operations"}}),
		step("organization.removeTeam", map[string]any{"teamId": ops}),
		step("organization.addTeamMember", map[string]any{"teamId": ops, "userId": "x"}),
		step("organization.setActiveTeam", map[string]any{"teamId": defTeam}),
		step("organization.setActiveTeam", map[string]any{"teamId": nil}),
		step("getSession", nil),
		step("organization.setActiveTeam", map[string]any{"teamId": core}),
		step("organization.listRoles", nil),
		step("organization.createRole", map[string]any{"role": "mine", "permission": map[string]any{"team": []any{"create"}}}),
		step("organization.hasPermission", map[string]any{"permissions": map[string]any{"team": []any{"create"}}}),
	)
	bobJar, bobID := rs[len(rs)-1].Jar, data(rs[1], "member", "userId")

	rs = run(ownerJar,
		step("organization.addTeamMember", map[string]any{"teamId": core, "userId": "nobody"}),
		step("organization.listUserTeams", q(map[string]any{"userId": bobID})),
		step("organization.updateRole", map[string]any{"roleName": "teamlead", "data": map[string]any{"permission": map[string]any{"project": []any{"read"}, "ac": []any{"read"}}}}),
		step("organization.updateRole", map[string]any{"roleId": roleID, "data": map[string]any{"permission": map[string]any{"billing": []any{"x"}}}}),
		step("organization.getFullOrganization", nil),
	)
	run(bobJar,
		step("organization.createTeam", map[string]any{"name": "After"}),
		step("organization.hasPermission", map[string]any{"permissions": map[string]any{"project": []any{"read"}}}),
	)

	run(nil,
		step("signUp.email", map[string]any{"name": "Carol", "email": carol, "password": password}),
		step("organization.create", map[string]any{"name": "Other", "slug": "other-" + tag}),
		step("organization.createTeam", map[string]any{"name": "x", "organizationId": orgID}),
		step("organization.listTeams", q(map[string]any{"organizationId": orgID})),
		step("organization.updateTeam", map[string]any{"teamId": core, "data": map[string]any{"name": "x", "organizationId": orgID}}),
		step("organization.updateTeam", map[string]any{"teamId": core, "data": map[string]any{"name": "x"}}),
		step("organization.removeTeam", map[string]any{"teamId": core, "organizationId": orgID}),
		step("organization.removeTeam", map[string]any{"teamId": core}),
		step("organization.listTeamMembers", q(map[string]any{"teamId": core})),
		step("organization.setActiveTeam", map[string]any{"teamId": core}),
		step("organization.addTeamMember", map[string]any{"teamId": core, "userId": bobID, "organizationId": orgID}),
		step("organization.removeTeamMember", map[string]any{"teamId": core, "userId": bobID}),
		step("organization.listUserTeams", q(map[string]any{"userId": bobID, "organizationId": orgID})),
		step("organization.listRoles", q(map[string]any{"organizationId": orgID})),
		step("organization.getRole", q(map[string]any{"roleId": roleID})),
		step("organization.getRole", q(map[string]any{"roleId": roleID, "organizationId": orgID})),
		step("organization.updateRole", map[string]any{"roleId": roleID, "data": map[string]any{"roleName": "pwned"}}),
		step("organization.deleteRole", map[string]any{"roleId": roleID, "organizationId": orgID}),
		step("organization.deleteRole", map[string]any{"roleId": roleID}),
	)
	run(ownerJar,
		step("organization.removeTeamMember", map[string]any{"teamId": core, "userId": bobID}),
		step("organization.removeTeamMember", map[string]any{"teamId": core, "userId": bobID}),
		step("organization.deleteRole", map[string]any{"roleName": "teamlead"}),
		step("organization.deleteRole", map[string]any{"roleName": "owner"}),
		step("organization.deleteRole", map[string]any{}),
	)
	rs = run(ownerJar, step("organization.listMembers", nil))
	var members struct {
		Members []struct {
			ID, UserID string
		}
	}
	_ = json.Unmarshal(rs[0].Data, &members)
	bobMember := ""
	for _, m := range members.Members {
		if m.UserID == bobID {
			bobMember = m.ID
		}
	}
	run(ownerJar,
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": "member"}),
		step("organization.updateRole", map[string]any{"roleName": "teamlead", "data": map[string]any{"roleName": "Lead"}}),
		step("organization.deleteRole", map[string]any{"roleName": "lead"}),
		step("organization.listRoles", nil),
		step("organization.addTeamMember", map[string]any{"teamId": ops, "userId": bobID}),
		step("organization.removeTeam", map[string]any{"teamId": defTeam}),
		step("organization.removeTeam", map[string]any{"teamId": core}),
		step("organization.removeMember", map[string]any{"memberIdOrEmail": bob}),
		step("organization.listTeamMembers", q(map[string]any{"teamId": ops})),
		step("organization.listTeams", nil),
		step("organization.getFullOrganization", nil),
	)
	return out
}

// TestClientOrganizationTeams: the real JS client with organizationClient() runs the same teams and
// dynamic roles script against Node's organization() with teams (ORG_TEAMS) and the Go plugin, on one
// database: at every step the same status, error code and message, and the same JSON answer, member for
// member and in the same order (ids, dates and the run's tag normalized), and the same active team.
func TestClientOrganizationTeams(t *testing.T) {
	interop.Require(t)
	file := filepath.Join(t.TempDir(), "teams.db")
	node := interop.NewServer(t, map[string]string{"PLUGINS": "organization", "ORG_TEAMS": orgTeamsEnv, "DB_FILE": file,
		"INSECURE_FAST_PASSWORD_HASH": "1"})
	goSrv := startGoServer(t, "sqlite:"+file, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, orgTeamsPlugin().Plugin())
	})
	nodeOut := teamsScript(t, node, "node")
	goOut := teamsScript(t, goSrv, "gosrv")
	if len(nodeOut) != len(goOut) {
		t.Fatalf("%d steps on Node, %d on Go", len(nodeOut), len(goOut))
	}
	for i := range nodeOut {
		if nodeOut[i] != goOut[i] {
			t.Errorf("step %d differs:\nBetter Auth:  %s\ngobetterauth: %s", i, nodeOut[i], goOut[i])
		}
	}
}
