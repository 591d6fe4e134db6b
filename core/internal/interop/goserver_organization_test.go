package interop_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// orgPlugin is the Go organization plugin configured as interop/auth.mjs configures Better Auth's:
// ORG_STATEMENTS' roles (owner, admin, member, auditor) and dynamic access control on.
func orgPlugin() *organization.Plugin {
	statements := map[string][]string{"organization": {"update", "delete"}, "member": {"create", "update", "delete"},
		"invitation": {"create", "cancel"}, "team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"},
		"project": {"create", "read", "delete"}}
	return organization.New(organization.Config{Roles: orgRoles(),
		DynamicAccessControl: organization.DynamicACConfig{Enabled: true, Statements: statements}})
}

// orgPair is a Node server with organization() and a Go server with the organization plugin on one
// database.
type orgPair struct {
	node, goSrv *interop.Server
}

func newOrgPair(t *testing.T, kind string) *orgPair {
	t.Helper()
	interop.Require(t)
	dbURL, env := sharedDatabase(t, kind)
	env["PLUGINS"], env["INSECURE_FAST_PASSWORD_HASH"] = "organization", "1"
	p := &orgPair{node: interop.NewServer(t, env)} // Better Auth migrates its tables at start
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, orgPlugin().Plugin())
	})
	return p
}

// TestMigrateOrganizationSchema: Migrate with the organization plugin (dynamic access control on, as
// interop/auth.mjs has it) plans exactly the SQL of Better Auth's migrator: on an empty database and on one
// with the core tables; afterwards Better Auth finds nothing to do.
func TestMigrateOrganizationSchema(t *testing.T) {
	interop.Require(t)
	schema := orgPlugin().Plugin().Schema
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plugEnv := maps.Clone(env)
			plugEnv["PLUGINS"] = "organization"
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

var (
	jsDateJSON = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`)
	anID       = regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`)
)

// normalizer makes two servers' answers comparable: dates become <date>, each 32-character id <idN> in
// the order ids first appear, and the run's tag T.
type normalizer struct {
	tag string
	ids map[string]string
}

func (n *normalizer) text(s string) string {
	s = strings.ReplaceAll(s, n.tag, "T")
	s = jsDateJSON.ReplaceAllString(s, `"<date>"`)
	return anID.ReplaceAllStringFunc(s, func(id string) string {
		if v, ok := n.ids[id]; ok {
			return v
		}
		v := fmt.Sprintf("<id%d>", len(n.ids)+1)
		n.ids[id] = v
		return v
	})
}

// outcome is one step as compared: op, status, error code and message, and the answer's JSON (members
// in the order the server wrote them).
func (n *normalizer) outcome(r interop.ClientResult) string {
	s := fmt.Sprintf("%s %d", r.Op, r.Status)
	if r.Error != nil {
		s += fmt.Sprintf(" %s %q", r.Error.Code, r.Error.Message)
	}
	if r.Op == "getSession" { // only what the plugin owns: the active organization
		var d struct {
			Session map[string]any `json:"session"`
		}
		_ = json.Unmarshal(r.Data, &d)
		return s + " activeOrganizationId=" + n.text(fmt.Sprint(d.Session["activeOrganizationId"]))
	}
	if len(r.Data) > 0 {
		s += " " + n.text(string(r.Data))
	}
	return s
}

// orgScript runs the organization script against s: an owner creates an organization, invites; a second
// user accepts; roles change; permission checks; an outsider with an organization of her own is refused
// every cross-organization read and write (no IDOR: invitation and member ids of another organization);
// the last owner can neither leave nor be removed; a member leaves; the owner deletes the organization.
// It returns every step's outcome.
func orgScript(t *testing.T, s *interop.Server, tag string) []string {
	t.Helper()
	n := &normalizer{tag: tag, ids: map[string]string{}}
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	var out []string
	run := func(jar map[string]string, steps ...interop.ClientStep) []interop.ClientResult {
		pre := jarSteps(jar)
		rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(pre, steps...)...)[len(pre):]
		for _, r := range rs {
			out = append(out, n.outcome(r))
		}
		return rs
	}
	data := func(r interop.ClientResult, key string) string {
		var m map[string]any
		_ = json.Unmarshal(r.Data, &m)
		v, _ := m[key].(string)
		return v
	}
	dom := "@" + tag + ".example.com"
	owner, bob, carol := "owner"+dom, "bob"+dom, "carol"+dom
	slug := "acme-" + tag
	perm := func(p map[string]any) map[string]any { return map[string]any{"permissions": p} }

	// The owner: an organization, its slug, invitations.
	rs := run(nil,
		step("signUp.email", map[string]any{"name": "Owner", "email": owner, "password": password}),
		// metadata's members out of order: both servers keep the client's order
		step("organization.create", json.RawMessage(`{"name":"Acme","slug":"`+slug+`","metadata":{"plan":"pro","seats":5,"billing":{"zip":"1","city":"x"}}}`)),
		step("organization.create", map[string]any{"name": "Acme again", "slug": slug}),
		step("organization.checkSlug", map[string]any{"slug": slug}),
		step("organization.checkSlug", map[string]any{"slug": slug + "-free"}),
		step("organization.list", nil),
		step("organization.getFullOrganization", nil),
		step("organization.inviteMember", map[string]any{"email": strings.ToUpper(bob[:1]) + bob[1:], "role": "member"}),
		step("organization.inviteMember", map[string]any{"email": bob, "role": "member"}),
		step("organization.inviteMember", map[string]any{"email": carol, "role": "nope"}),
		step("organization.inviteMember", map[string]any{"email": carol, "role": []any{"auditor"}}),
		step("organization.inviteMember", map[string]any{"email": "not-an-email", "role": "member"}),
		step("organization.listInvitations", nil),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"delete"}})),
		step("organization.getActiveMember", nil),
		step("getSession", nil),
	)
	ownerJar := rs[len(rs)-1].Jar
	orgID, bobInvite, carolInvite := data(rs[1], "id"), data(rs[7], "id"), data(rs[10], "id")
	ownerMember := data(rs[14], "id")

	// Bob accepts and, as a member, is refused what members may not do.
	rs = run(nil,
		step("signUp.email", map[string]any{"name": "Bob", "email": bob, "password": password}),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"read"}})),
		step("organization.getInvitation", map[string]any{"query": map[string]any{"id": bobInvite}}),
		step("organization.getInvitation", map[string]any{"query": map[string]any{"id": carolInvite}}),
		step("organization.acceptInvitation", map[string]any{"invitationId": carolInvite}),
		step("organization.acceptInvitation", map[string]any{"invitationId": bobInvite}),
		step("organization.acceptInvitation", map[string]any{"invitationId": bobInvite}),
		step("organization.getActiveMember", nil),
		step("organization.getActiveMemberRole", nil),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"read"}})),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"delete"}})),
		step("organization.inviteMember", map[string]any{"email": "dave" + dom, "role": "member"}),
		step("organization.update", map[string]any{"data": map[string]any{"name": "Bob's"}}),
		step("organization.delete", map[string]any{"organizationId": orgID}),
		step("organization.cancelInvitation", map[string]any{"invitationId": carolInvite}),
		step("organization.listInvitations", nil),
		step("organization.getFullOrganization", nil),
		step("organization.listMembers", nil),
		step("organization.removeMember", map[string]any{"memberIdOrEmail": ownerMember}),
		step("getSession", nil),
	)
	bobJar := rs[len(rs)-1].Jar
	bobMember := data(rs[7], "id")
	bobID := data(rs[7], "userId")

	// The owner changes Bob's roles; the last owner can neither demote nor remove nor leave.
	run(ownerJar,
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": []any{"admin", "auditor"}}),
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": "nope"}),
		step("organization.updateMemberRole", map[string]any{"memberId": ownerMember, "role": "admin"}),
		step("organization.removeMember", map[string]any{"memberIdOrEmail": owner}),
		step("organization.leave", map[string]any{"organizationId": orgID}),
		step("organization.getActiveMemberRole", map[string]any{"query": map[string]any{"userId": bobID}}),
		step("organization.listMembers", map[string]any{"query": map[string]any{"sortBy": "createdAt", "sortDirection": "desc", "limit": 1}}),
		step("organization.update", json.RawMessage(`{"data":{"name":"Acme Inc","metadata":{"z":true,"plan":"team","a":null}}}`)),
	)

	// Carol, owner of an organization of her own, reaches into Acme: every id of Acme is refused.
	rs = run(nil,
		step("signUp.email", map[string]any{"name": "Carol", "email": carol, "password": password}),
		step("organization.create", map[string]any{"name": "Other", "slug": "other-" + tag}),
		step("organization.getInvitation", map[string]any{"query": map[string]any{"id": bobInvite}}),
		step("organization.hasPermission", map[string]any{"organizationId": orgID, "permissions": map[string]any{"project": []any{"read"}}}),
		step("organization.listMembers", map[string]any{"query": map[string]any{"organizationId": orgID}}),
		step("organization.getActiveMemberRole", map[string]any{"query": map[string]any{"organizationId": orgID}}),
		step("organization.listInvitations", map[string]any{"query": map[string]any{"organizationId": orgID}}),
		step("organization.inviteMember", map[string]any{"email": "eve" + dom, "role": "member", "organizationId": orgID}),
		step("organization.cancelInvitation", map[string]any{"invitationId": bobInvite}),
		step("organization.removeMember", map[string]any{"memberIdOrEmail": bobMember}),
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": "member"}),
		step("organization.update", map[string]any{"organizationId": orgID, "data": map[string]any{"name": "Mine"}}),
		step("organization.delete", map[string]any{"organizationId": orgID}),
		step("organization.leave", map[string]any{"organizationId": orgID}),
		step("organization.rejectInvitation", map[string]any{"invitationId": carolInvite}),
		step("organization.rejectInvitation", map[string]any{"invitationId": carolInvite}),
		step("organization.setActive", map[string]any{"organizationId": orgID}),
		step("getSession", nil),
		step("organization.getFullOrganization", map[string]any{"query": map[string]any{"organizationId": orgID}}),
		step("getSession", nil),
		step("organization.setActive", map[string]any{"organizationSlug": "other-" + tag}),
		step("organization.getOrganization", map[string]any{"query": map[string]any{"organizationId": orgID}}),
		step("getSession", nil),
		step("organization.setActive", map[string]any{"organizationSlug": "other-" + tag}),
		step("organization.getOrganization", nil),
		step("organization.getOrganization", map[string]any{"query": map[string]any{"organizationSlug": "nope"}}),
		step("getSession", nil),
		step("organization.setActive", map[string]any{"organizationId": nil}),
		step("getSession", nil),
	)

	// Bob, now admin and auditor: may invite (not as owner), cancel; may not touch the owner; leaves.
	run(bobJar,
		step("organization.hasPermission", perm(map[string]any{"invitation": []any{"create"}})),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"create", "read"}})),
		step("organization.inviteMember", map[string]any{"email": "eve" + dom, "role": "owner"}),
		step("organization.inviteMember", map[string]any{"email": "eve" + dom, "role": "admin"}),
		step("organization.removeMember", map[string]any{"memberIdOrEmail": ownerMember}),
		step("organization.updateMemberRole", map[string]any{"memberId": ownerMember, "role": "member"}),
		step("organization.cancelInvitation", map[string]any{"invitationId": carolInvite}),
		step("organization.listInvitations", nil),
		step("organization.leave", map[string]any{"organizationId": orgID}),
		step("getSession", nil),
		step("organization.list", nil),
	)

	// Without a session, and with bodies the endpoints' schemas refuse.
	run(nil,
		step("organization.create", map[string]any{"name": "x", "slug": "x-" + tag}),
		step("organization.checkSlug", map[string]any{"slug": "x"}),
		step("organization.list", nil),
		step("organization.getFullOrganization", nil),
		step("organization.getInvitation", map[string]any{"query": map[string]any{"id": bobInvite}}),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"read"}})),
		step("organization.create", map[string]any{}),
		step("organization.create", map[string]any{"name": "", "slug": ""}),
		step("organization.create", map[string]any{"name": "n", "slug": "s", "logo": 5, "keepCurrentActiveOrganization": "x"}),
		step("organization.create", map[string]any{"slug": "s", "metadata": "x"}),
		step("organization.checkSlug", map[string]any{}),
		step("organization.hasPermission", map[string]any{}),
		step("organization.hasPermission", map[string]any{"permissions": map[string]any{"a": "b"}}),
		step("organization.hasPermission", map[string]any{"permissions": map[string]any{"a": []any{"b"}}, "permission": map[string]any{"a": []any{"b"}}}),
		step("organization.update", map[string]any{}),
		step("organization.update", map[string]any{"data": map[string]any{"name": ""}}),
		step("organization.inviteMember", map[string]any{}),
		step("organization.inviteMember", map[string]any{"email": carol, "role": 5}),
		step("organization.setActive", map[string]any{"organizationId": 5}),
		step("organization.leave", map[string]any{}),
		step("organization.removeMember", map[string]any{}),
		step("organization.acceptInvitation", map[string]any{}),
		step("organization.getInvitation", nil),
	)
	run(ownerJar,
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": ""}),
		step("organization.updateMemberRole", map[string]any{"memberId": bobMember, "role": []any{}}),
		step("organization.listUserInvitations", map[string]any{"query": map[string]any{"email": bob}}),
		step("organization.listUserInvitations", nil),
		step("organization.inviteMember", map[string]any{"email": "eve" + dom, "role": " , "}),
		step("organization.setActive", nil),
		step("organization.listMembers", map[string]any{"query": map[string]any{"filterField": "role", "filterValue": "owner"}}),
	)

	// The owner deletes the organization: the session's active organization is cleared.
	run(ownerJar,
		step("organization.getFullOrganization", map[string]any{"query": map[string]any{"organizationSlug": slug}}),
		step("organization.delete", map[string]any{"organizationId": orgID}),
		step("getSession", nil),
		step("organization.list", nil),
		step("organization.hasPermission", perm(map[string]any{"project": []any{"read"}})),
	)
	return out
}

// TestClientOrganization: the real JS client with organizationClient() runs the same organization script
// against Node's organization() and the Go plugin, on one database: at every step the same status, error
// code and message, and the same JSON answer, member for member and in the same order (ids, dates and the
// run's tag normalized).
func TestClientOrganization(t *testing.T) {
	p := newOrgPair(t, "sqlite")
	node := orgScript(t, p.node, "node")
	goOut := orgScript(t, p.goSrv, "gosrv")
	if len(node) != len(goOut) {
		t.Fatalf("%d steps on Node, %d on Go", len(node), len(goOut))
	}
	for i := range node {
		if node[i] != goOut[i] {
			t.Errorf("step %d differs:\nBetter Auth:  %s\ngobetterauth: %s", i, node[i], goOut[i])
		}
	}
}

// TestOrganizationAcrossServers: on one database (SQLite, PostgreSQL, MySQL), an invitation sent by Better Auth is
// read and accepted on the Go server by a user who signed up there, and the member row it writes is what
// Better Auth then reports (active member, role, permissions, member list); the other way round, an
// invitation the Go server sends to a Node user is accepted on Node. Session cookies of either server work
// on the other.
func TestOrganizationAcrossServers(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			p := newOrgPair(t, kind)
			step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
			run := func(s *interop.Server, jar map[string]string, steps ...interop.ClientStep) []interop.ClientResult {
				pre := jarSteps(jar)
				rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(pre, steps...)...)[len(pre):]
				for i, r := range rs {
					if r.Status != 200 {
						t.Fatalf("%s step %d %s: %d %s %+v", s.URL, i, r.Op, r.Status, r.Data, r.Error)
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

			// Node invites; Go accepts.
			rs := run(p.node, nil,
				step("signUp.email", map[string]any{"name": "Owner", "email": "owner" + dom, "password": password}),
				step("organization.create", map[string]any{"name": "Acme", "slug": "acme-" + kind}),
				step("organization.inviteMember", map[string]any{"email": "dave" + dom, "role": "auditor"}),
			)
			ownerJar, orgID, invID := rs[2].Jar, field(rs[1], "id"), field(rs[2], "id").(string)
			rs = run(p.goSrv, nil,
				step("signUp.email", map[string]any{"name": "Dave", "email": "dave" + dom, "password": password}),
				step("organization.getInvitation", map[string]any{"query": map[string]any{"id": invID}}),
				step("organization.acceptInvitation", map[string]any{"invitationId": invID}),
				step("organization.hasPermission", map[string]any{"permissions": map[string]any{"project": []any{"read"}}}),
				step("getSession", nil),
			)
			daveJar := rs[4].Jar
			if field(rs[1], "organizationName") != "Acme" || field(rs[1], "inviterEmail") != "owner"+dom {
				t.Errorf("Go get-invitation of Node's invitation: %s", rs[1].Data)
			}
			if field(rs[2], "member", "role") != "auditor" || field(rs[2], "invitation", "status") != "accepted" {
				t.Errorf("Go accept: %s", rs[2].Data)
			}
			if field(rs[3], "success") != true || field(rs[4], "session", "activeOrganizationId") != orgID {
				t.Errorf("Go after accepting: %s / %s", rs[3].Data, rs[4].Data)
			}
			rs = run(p.node, daveJar,
				step("organization.getActiveMember", nil),
				step("organization.hasPermission", map[string]any{"permissions": map[string]any{"project": []any{"delete"}}}),
			)
			if field(rs[0], "role") != "auditor" || field(rs[0], "organizationId") != orgID || field(rs[1], "success") != false {
				t.Errorf("Node sees Go's member as: %s / %s", rs[0].Data, rs[1].Data)
			}
			rs = run(p.node, ownerJar, step("organization.listMembers", nil))
			if field(rs[0], "total") != 2.0 {
				t.Errorf("Node member list: %s", rs[0].Data)
			}

			// Go invites (with Node's session cookie); Node accepts.
			rs = run(p.goSrv, ownerJar, step("organization.inviteMember", map[string]any{"email": "erin" + dom, "role": []any{"admin", "member"}}))
			invID = field(rs[0], "id").(string)
			rs = run(p.node, nil,
				step("signUp.email", map[string]any{"name": "Erin", "email": "erin" + dom, "password": password}),
				step("organization.acceptInvitation", map[string]any{"invitationId": invID}),
			)
			if field(rs[1], "member", "role") != "admin,member" {
				t.Errorf("Node accept of Go's invitation: %s", rs[1].Data)
			}
			rs = run(p.goSrv, rs[1].Jar, step("organization.getActiveMemberRole", nil),
				step("organization.hasPermission", map[string]any{"permissions": map[string]any{"invitation": []any{"create"}}}))
			if field(rs[0], "role") != "admin,member" || field(rs[1], "success") != true {
				t.Errorf("Go sees Node's member as: %s / %s", rs[0].Data, rs[1].Data)
			}
		})
	}
}
