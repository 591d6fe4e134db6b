package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"

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

// newTeamsPair is a Node server with organization() and teams (ORG_TEAMS=orgTeamsEnv) and a Go server
// with orgTeamsPlugin on one database (SQLite or PostgreSQL).
func newTeamsPair(t *testing.T, kind string) *orgPair {
	t.Helper()
	interop.Require(t)
	dbURL, env := sharedDatabase(t, kind)
	env["PLUGINS"], env["ORG_TEAMS"], env["INSECURE_FAST_PASSWORD_HASH"] = "organization", orgTeamsEnv, "1"
	p := &orgPair{node: interop.NewServer(t, env)}
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, orgTeamsPlugin().Plugin())
	})
	return p
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
		step("organization.createRole", json.RawMessage(`{"role":"ordered","permission":{"team":["update"],"ac":["read","update"]}}`)),
		step("organization.getRole", q(map[string]any{"roleName": "ordered"})),
		step("organization.deleteRole", map[string]any{"roleName": "ordered"}),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "teamlead", "teamId": "a,b"}),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "teamlead", "teamId": "nope"}),
	)
	ownerJar := rs[len(rs)-1].Jar
	orgID, defTeam, core, ops, roleID := data(rs[1], "id"), data(rs[2], "session", "activeTeamId"), data(rs[4], "id"), data(rs[5], "id"), data(rs[8], "roleData", "id")
	// Without a session: the endpoints that read it themselves answer a bare 401 after their own checks.
	run(nil,
		step("organization.createTeam", map[string]any{"name": "x", "organizationId": orgID}),
		step("organization.createTeam", map[string]any{}),
		step("organization.removeTeam", map[string]any{"teamId": core}),
		step("organization.removeTeam", map[string]any{"teamId": core, "organizationId": orgID}),
		step("organization.updateTeam", map[string]any{"teamId": core, "data": map[string]any{"name": "x"}}),
		step("organization.listTeams", q(map[string]any{"organizationId": orgID})),
		step("organization.addTeamMember", map[string]any{"teamId": core}),
		step("organization.setActiveTeam", map[string]any{"teamId": core}),
		step("organization.listRoles", q(map[string]any{"organizationId": orgID})),
		step("organization.createRole", map[string]any{"role": "x", "permission": map[string]any{}}),
		step("organization.getRole", q(map[string]any{})),
	)
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
		step("organization.listUserTeams", q(map[string]any{"organizationId": orgID})),
		step("organization.setActiveTeam", map[string]any{}),
		step("organization.removeTeam", map[string]any{"teamId": ops}),
		step("organization.setActiveTeam", map[string]any{"teamId": nil}),
		step("organization.setActiveTeam", map[string]any{}),
		step("organization.removeTeam", map[string]any{"teamId": defTeam}),
		step("getSession", nil),
	)
	return out
}

// TestClientOrganizationTeams: the real JS client with organizationClient() runs the same teams and
// dynamic roles script against Node's organization() with teams (ORG_TEAMS) and the Go plugin, on one
// database: at every step the same status, error code and message, and the same JSON answer, member for
// member and in the same order (ids, dates and the run's tag normalized), and the same active team.
func TestClientOrganizationTeams(t *testing.T) {
	p := newTeamsPair(t, "sqlite")
	nodeOut := teamsScript(t, p.node, "node")
	goOut := teamsScript(t, p.goSrv, "gosrv")
	if len(nodeOut) != len(goOut) {
		t.Fatalf("%d steps on Node, %d on Go", len(nodeOut), len(goOut))
	}
	for i := range nodeOut {
		if nodeOut[i] != goOut[i] {
			t.Errorf("step %d differs:\nBetter Auth:  %s\ngobetterauth: %s", i, nodeOut[i], goOut[i])
		}
	}
}

// TestOrganizationTeamsAcrossServers: on one database (SQLite, PostgreSQL, MySQL), teams, team members and stored
// roles written by either server are the other's: both count the same seats (team.memberCount, with
// maximumMembersPerTeam 2: a member Node added fills the seat Go then refuses, a seat Go gives back Node
// takes), a user added twice through both is one row (membershipKey), a role Node stored grants team
// creation on Go, and a role Go stored (project:delete, for a member who already held its name) is read
// and honoured by Node.
func TestOrganizationTeamsAcrossServers(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			p := newTeamsPair(t, kind)
			step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
			run := func(s *interop.Server, jar map[string]string, want []int, steps ...interop.ClientStep) []interop.ClientResult {
				t.Helper()
				pre := jarSteps(jar)
				rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(pre, steps...)...)[len(pre):]
				for i, r := range rs {
					w := 200
					if want != nil {
						w = want[i]
					}
					if r.Status != w {
						t.Fatalf("%s step %d %s: %d %s %+v, want %d", s.URL, i, r.Op, r.Status, r.Data, r.Error, w)
					}
				}
				return rs
			}
			field := func(r interop.ClientResult, path ...string) any {
				var v any
				_ = json.Unmarshal(r.Data, &v)
				for _, k := range path {
					m, _ := v.(map[string]any)
					v = m[k]
				}
				return v
			}
			dom := "@" + kind + ".example.com"
			signUp := func(name string) interop.ClientStep {
				return step("signUp.email", map[string]any{"name": name, "email": name + dom, "password": password})
			}
			rs := run(p.node, nil, nil, signUp("ann"), signUp("ben"), signUp("cat"), signUp("owner"),
				step("organization.create", map[string]any{"name": "Acme", "slug": "acme-" + kind}),
				step("organization.createTeam", map[string]any{"name": "Core"}),
				step("organization.createRole", map[string]any{"role": "lead", "permission": map[string]any{"team": []any{"create"}}}),
			)
			users, ids := map[string]map[string]string{}, map[string]string{}
			for i, name := range []string{"ann", "ben", "cat"} {
				users[name], ids[name] = rs[i].Jar, field(rs[i], "user", "id").(string)
			}
			owner, ownerID := rs[6].Jar, field(rs[3], "user", "id").(string)
			orgID, core := field(rs[4], "id").(string), field(rs[5], "id").(string)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for name, role := range map[string]string{"ann": "lead", "ben": "member", "cat": "viewer"} {
				if status, out, err := p.node.API(ctx, "addMember", map[string]any{"userId": ids[name], "organizationId": orgID, "role": role}, nil); err != nil || status != 200 {
					t.Fatalf("addMember %s: %d %s %v", name, status, out, err)
				}
			}

			// Seats: Go adds Ann, Node adds her again (the same row) and Ben; Go refuses Cat; Go takes Ben
			// out, and Node then seats Cat.
			rs = run(p.goSrv, owner, nil, step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ids["ann"]}))
			annRow := field(rs[0], "id")
			rs = run(p.node, owner, nil,
				step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ids["ann"]}),
				step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ids["ben"]}),
			)
			if field(rs[0], "id") != annRow {
				t.Errorf("Ann added on Go then on Node: rows %v and %v", annRow, field(rs[0], "id"))
			}
			rs = run(p.goSrv, owner, []int{403}, step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ids["cat"]}))
			if rs[0].Error == nil || rs[0].Error.Code != "TEAM_MEMBER_LIMIT_REACHED" {
				t.Errorf("Go seated a third member Node counted: %+v", rs[0].Error)
			}
			run(p.goSrv, owner, nil, step("organization.removeTeamMember", map[string]any{"teamId": core, "userId": ids["ben"]}))
			run(p.node, owner, nil, step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ids["cat"]}))
			rs = run(p.node, users["ann"], []int{200, 403}, step("organization.setActive", map[string]any{"organizationId": orgID}),
				step("organization.addTeamMember", map[string]any{"teamId": core, "userId": ownerID}))

			// Roles: Node's "lead" lets Ann create a team on Go; Go's "viewer" is Node's too.
			run(p.goSrv, users["ann"], nil, step("organization.createTeam", map[string]any{"name": "Ann's"}))
			run(p.goSrv, owner, nil, step("organization.createRole", map[string]any{"role": "viewer", "permission": map[string]any{"project": []any{"delete"}}}))
			rs = run(p.node, owner, nil,
				step("organization.getRole", map[string]any{"query": map[string]any{"roleName": "viewer"}}),
				step("organization.listTeams", nil),
			)
			if field(rs[0], "permission", "project") == nil || field(rs[0], "role") != "viewer" {
				t.Errorf("Node reads Go's role as: %s", rs[0].Data)
			}
			if teams, _ := field(rs[1]).([]any); len(teams) != 3 {
				t.Errorf("Node lists the teams as: %s", rs[1].Data)
			}
			rs = run(p.node, users["cat"], nil,
				step("organization.setActive", map[string]any{"organizationId": orgID}),
				step("organization.hasPermission", map[string]any{"permissions": map[string]any{"project": []any{"delete"}}}),
			)
			if field(rs[1], "success") != true {
				t.Errorf("Cat, a viewer, may not delete projects on Node with the role Go stored: %s", rs[1].Data)
			}
		})
	}
}
