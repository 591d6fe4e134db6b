package organization_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// env is the package's test server with direct access to the plugin's rows, so the team and role
// endpoints are tested on rows written as the core endpoints would write them.
type env struct {
	*server
	rows store.RowStore
	n    int
}

func newEnv(t *testing.T, cfg organization.Config) *env {
	t.Helper()
	s := newServer(t, cfg)
	st, err := sqlstore.New(s.db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &env{server: s, rows: st}
}

// user writes a new user with a session (no password: sign-up's scrypt under -race would cost a second
// each) and returns its id and session cookie, signed as the server signs it.
func (e *env) user(name string) (id, cookie string) {
	e.t.Helper()
	ctx, now := e.t.Context(), e.clock()
	db := e.h.Database()
	u := &store.User{ID: betterauth.NewID(), Email: name + "@example.com", Name: name}
	if err := db.CreateUser(ctx, u, now); err != nil {
		e.t.Fatal(err)
	}
	s := &store.Session{ID: betterauth.NewID(), Token: betterauth.NewSessionToken(), UserID: u.ID,
		ExpiresAt: now.Add(7 * 24 * time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := db.CreateSession(ctx, s); err != nil {
		e.t.Fatal(err)
	}
	return u.ID, "better-auth.session_token=" + betterauth.NewSigner(testSecret).Sign(s.Token)
}

// org writes an organization row and returns its id.
func (e *env) org(name string) string {
	e.t.Helper()
	id := "org-" + name
	if err := e.rows.CreateRow(e.t.Context(), "organization", store.Row{"id": id, "name": name, "slug": name,
		"createdAt": e.clock()}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// member writes a member row.
func (e *env) member(orgID, userID, role string) {
	e.t.Helper()
	e.n++
	if err := e.rows.CreateRow(e.t.Context(), "member", store.Row{"id": fmt.Sprintf("m%d", e.n),
		"organizationId": orgID, "userId": userID, "role": role, "createdAt": e.clock()}); err != nil {
		e.t.Fatal(err)
	}
}

// activate sets the session's active organization, as /organization/set-active does.
func (e *env) activate(cookie, orgID string) {
	e.t.Helper()
	token, _, _ := strings.Cut(strings.SplitN(cookie, "=", 2)[1], ".")
	if _, err := e.db.Exec(`update "session" set "activeOrganizationId" = ? where "token" = ?`, orgID, token); err != nil {
		e.t.Fatal(err)
	}
}

// must checks r's status and returns it.
func (e *env) must(r reply, status int, what string) reply {
	e.t.Helper()
	if r.code != status {
		e.t.Fatalf("%s: %d %s, want %d", what, r.code, r.raw, status)
	}
	return r
}

// refused checks r is an error answer with status and code.
func (e *env) refused(r reply, status int, code, what string) {
	e.t.Helper()
	r.want(e.t, what, status, code)
}

// TestTeamLifecycle: an owner creates, renames and lists teams, puts a member in one, makes it its
// active team, lists its members and the user's teams, takes the member out and removes the team; the
// answers have Better Auth's shape (memberCount and membershipKey never leave the server) and the seat
// counter follows the rows.
func TestTeamLifecycle(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true}})
	ownerID, owner := e.user("owner")
	memberID, member := e.user("member")
	org := e.org("acme")
	e.member(org, ownerID, "owner")
	e.member(org, memberID, "member")

	created := e.must(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "Core", "organizationId": org}), 200, "create-team")
	teamID, _ := created.obj["id"].(string)
	if created.obj["name"] != "Core" || created.obj["organizationId"] != org || created.obj["createdAt"] != "2026-03-01T12:00:00.000Z" {
		t.Errorf("create-team: %s", created.raw)
	}
	if !strings.HasPrefix(created.raw, `{"name":"Core","organizationId":`) || strings.Contains(created.raw, "memberCount") {
		t.Errorf("create-team JSON is not the adapter's row: %s", created.raw)
	}
	// Without an organization in the body, the active one is used; there is none yet.
	e.refused(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "X"}), 400, "NO_ACTIVE_ORGANIZATION", "create-team without an organization")
	e.activate(owner, org)
	second := e.must(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "Second"}), 200, "create-team in the active organization")
	secondID, _ := second.obj["id"].(string)

	e.advance(time.Minute)
	upd := e.must(e.do("POST", "/organization/update-team", owner, map[string]any{"teamId": teamID, "data": map[string]any{"name": "Platform"}}), 200, "update-team")
	if upd.obj["name"] != "Platform" || upd.obj["updatedAt"] != "2026-03-01T12:01:00.000Z" || upd.obj["id"] != teamID {
		t.Errorf("update-team: %s", upd.raw)
	}
	if l := e.must(e.do("GET", "/organization/list-teams", owner, nil), 200, "list-teams"); len(l.list) != 2 {
		t.Errorf("list-teams: %s", l.raw)
	}

	added := e.must(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 200, "add-team-member")
	if added.obj["teamId"] != teamID || added.obj["userId"] != memberID || strings.Contains(added.raw, "membershipKey") {
		t.Errorf("add-team-member: %s", added.raw)
	}
	// Adding again returns the same row.
	if again := e.must(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 200, "add-team-member again"); again.obj["id"] != added.obj["id"] {
		t.Errorf("add-team-member twice made two rows: %s, %s", added.raw, again.raw)
	}
	if n := e.memberCount(teamID); n != float64(1) {
		t.Errorf("memberCount = %v, want 1", n)
	}

	// The owner is not in the team: it may not list its members, nor make it its active team.
	e.refused(e.do("GET", "/organization/list-team-members?teamId="+teamID, owner, nil), 400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM", "list-team-members by a non-member")
	e.activate(member, org)
	e.refused(e.do("POST", "/organization/set-active-team", owner, map[string]any{"teamId": teamID}), 403, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM", "set-active-team by a non-member")
	active := e.must(e.do("POST", "/organization/set-active-team", member, map[string]any{"teamId": teamID}), 200, "set-active-team")
	if active.obj["id"] != teamID {
		t.Errorf("set-active-team: %s", active.raw)
	}
	if l := e.must(e.do("GET", "/organization/list-team-members", member, nil), 200, "list-team-members of the active team"); len(l.list) != 1 {
		t.Errorf("list-team-members: %s", l.raw)
	}
	if l := e.must(e.do("GET", "/organization/list-user-teams", member, nil), 200, "list-user-teams"); len(l.list) != 1 || l.list[0].(map[string]any)["id"] != teamID {
		t.Errorf("list-user-teams: %s", l.raw)
	}
	// The owner may list the member's teams (member:update); the member may not list the owner's.
	if l := e.must(e.do("GET", "/organization/list-user-teams?userId="+memberID, owner, nil), 200, "list-user-teams of another member"); len(l.list) != 1 {
		t.Errorf("list-user-teams?userId: %s", l.raw)
	}
	e.refused(e.do("GET", "/organization/list-user-teams?userId="+ownerID, member, nil), 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", "list-user-teams of another by a member")
	if a := e.must(e.do("POST", "/organization/set-active-team", member, map[string]any{"teamId": nil}), 200, "set-active-team null"); a.raw != "null" {
		t.Errorf("set-active-team null: %s", a.raw)
	}

	e.must(e.do("POST", "/organization/remove-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 200, "remove-team-member")
	e.refused(e.do("POST", "/organization/remove-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM", "remove-team-member twice")
	if n := e.memberCount(teamID); n != float64(0) {
		t.Errorf("memberCount = %v after removal, want 0", n)
	}
	rm := e.must(e.do("POST", "/organization/remove-team", owner, map[string]any{"teamId": secondID}), 200, "remove-team")
	if rm.obj["message"] != "Team removed successfully." {
		t.Errorf("remove-team: %s", rm.raw)
	}
	e.refused(e.do("POST", "/organization/remove-team", owner, map[string]any{"teamId": teamID}), 400, "UNABLE_TO_REMOVE_LAST_TEAM", "remove-team of the last team")
}

func (e *env) memberCount(teamID string) any {
	e.t.Helper()
	rows, err := e.rows.FindRows(e.t.Context(), "team", store.RowQuery{Where: []store.Where{{Field: "id", Value: teamID}}})
	if err != nil || len(rows) != 1 {
		e.t.Fatalf("team %s: %v %v", teamID, rows, err)
	}
	return rows[0]["memberCount"]
}

// TestTeamLimits: maximumTeams, maximumMembersPerTeam and allowRemovingAllTeams.
func TestTeamLimits(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true, MaximumTeams: 1, MaximumMembersPerTeam: 1,
		AllowRemovingAllTeams: true}})
	ownerID, owner := e.user("owner")
	otherID, _ := e.user("other")
	org := e.org("acme")
	e.member(org, ownerID, "owner")
	e.member(org, otherID, "member")
	team := e.must(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "Only", "organizationId": org}), 200, "create-team")
	teamID, _ := team.obj["id"].(string)
	e.refused(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "Two", "organizationId": org}), 400,
		"YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS", "a second team")
	e.must(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": ownerID, "organizationId": org}), 200, "first member")
	e.refused(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": otherID, "organizationId": org}), 403,
		"TEAM_MEMBER_LIMIT_REACHED", "a second member")
	if n := e.memberCount(teamID); n != float64(1) {
		t.Errorf("memberCount = %v, want 1 (the refused seat is not taken)", n)
	}
	e.must(e.do("POST", "/organization/remove-team", owner, map[string]any{"teamId": teamID, "organizationId": org}), 200, "remove the last team")
}

// TestTeamsAuthorization: a member of organization B cannot read or change organization A's teams by
// naming A, or A's team ids, in its requests (no IDOR), and a plain member of A cannot create, rename or
// remove teams, nor add or remove team members.
func TestTeamsAuthorization(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true}})
	aOwnerID, aOwner := e.user("aowner")
	aMemberID, aMember := e.user("amember")
	bOwnerID, bOwner := e.user("bowner")
	a, b := e.org("a"), e.org("b")
	e.member(a, aOwnerID, "owner")
	e.member(a, aMemberID, "member")
	e.member(b, bOwnerID, "owner")
	e.activate(bOwner, b)
	e.activate(aMember, a)
	teamA := e.must(e.do("POST", "/organization/create-team", aOwner, map[string]any{"name": "A1", "organizationId": a}), 200, "create A1")
	aTeam, _ := teamA.obj["id"].(string)
	e.must(e.do("POST", "/organization/create-team", aOwner, map[string]any{"name": "A2", "organizationId": a}), 200, "create A2")
	e.must(e.do("POST", "/organization/add-team-member", aOwner, map[string]any{"teamId": aTeam, "userId": aMemberID, "organizationId": a}), 200, "add A's member")
	e.must(e.do("POST", "/organization/create-team", bOwner, map[string]any{"name": "B1"}), 200, "create B1")

	for _, tt := range []struct {
		name, method, path, cookie string
		body                       any
		status                     int
		code                       string
	}{
		{"B creates a team in A", "POST", "/organization/create-team", bOwner, map[string]any{"name": "x", "organizationId": a}, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION"},
		{"B renames A's team naming A", "POST", "/organization/update-team", bOwner, map[string]any{"teamId": aTeam, "data": map[string]any{"name": "x", "organizationId": a}}, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM"},
		{"B renames A's team in B", "POST", "/organization/update-team", bOwner, map[string]any{"teamId": aTeam, "data": map[string]any{"name": "x"}}, 400, "TEAM_NOT_FOUND"},
		{"B removes A's team naming A", "POST", "/organization/remove-team", bOwner, map[string]any{"teamId": aTeam, "organizationId": a}, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM"},
		{"B removes A's team in B", "POST", "/organization/remove-team", bOwner, map[string]any{"teamId": aTeam}, 400, "TEAM_NOT_FOUND"},
		{"B lists A's teams", "GET", "/organization/list-teams?organizationId=" + a, bOwner, nil, 403, "YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION"},
		{"B lists A's team members", "GET", "/organization/list-team-members?teamId=" + aTeam, bOwner, nil, 400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM"},
		{"B makes A's team active", "POST", "/organization/set-active-team", bOwner, map[string]any{"teamId": aTeam}, 400, "TEAM_NOT_FOUND"},
		{"B adds itself to A's team naming A", "POST", "/organization/add-team-member", bOwner, map[string]any{"teamId": aTeam, "userId": bOwnerID, "organizationId": a}, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
		{"B adds itself to A's team in B", "POST", "/organization/add-team-member", bOwner, map[string]any{"teamId": aTeam, "userId": bOwnerID}, 400, "TEAM_NOT_FOUND"},
		{"B adds A's member to its team", "POST", "/organization/add-team-member", bOwner, map[string]any{"teamId": aTeam, "userId": aMemberID}, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
		{"B removes A's member from A's team", "POST", "/organization/remove-team-member", bOwner, map[string]any{"teamId": aTeam, "userId": aMemberID, "organizationId": a}, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
		{"B lists A's member's teams", "GET", "/organization/list-user-teams?userId=" + aMemberID + "&organizationId=" + a, bOwner, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B lists its own teams in A", "GET", "/organization/list-user-teams?organizationId=" + a, bOwner, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"A's member creates a team", "POST", "/organization/create-team", aMember, map[string]any{"name": "x"}, 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION"},
		{"A's member renames a team", "POST", "/organization/update-team", aMember, map[string]any{"teamId": aTeam, "data": map[string]any{"name": "x"}}, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM"},
		{"A's member removes a team", "POST", "/organization/remove-team", aMember, map[string]any{"teamId": aTeam}, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION"},
		{"A's member adds a team member", "POST", "/organization/add-team-member", aMember, map[string]any{"teamId": aTeam, "userId": aOwnerID}, 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER"},
		{"A's member removes a team member", "POST", "/organization/remove-team-member", aMember, map[string]any{"teamId": aTeam, "userId": aMemberID}, 403, "YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER"},
		{"no session", "POST", "/organization/create-team", "", map[string]any{"name": "x", "organizationId": a}, 401, ""},
		{"no session, no organization", "POST", "/organization/remove-team", "", map[string]any{"teamId": aTeam}, 400, "NO_ACTIVE_ORGANIZATION"},
		{"no session on a session endpoint", "GET", "/organization/list-teams", "", nil, 401, "UNAUTHORIZED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			e.refused(e.do(tt.method, tt.path, tt.cookie, tt.body), tt.status, tt.code, tt.name)
		})
	}
	e.t = t
	// Nothing of A changed.
	l := e.must(e.do("GET", "/organization/list-teams?organizationId="+a, aOwner, nil), 200, "A's teams")
	if len(l.list) != 2 || l.list[0].(map[string]any)["name"] != "A1" {
		t.Errorf("A's teams changed: %s", l.raw)
	}
	if m := e.must(e.do("GET", "/organization/list-team-members?teamId="+aTeam, aMember, nil), 200, "A1's members"); len(m.list) != 1 {
		t.Errorf("A1's members changed: %s", m.raw)
	}
}

// TestTeamValidation: zod's messages for bad bodies.
func TestTeamValidation(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true}})
	_, c := e.user("u")
	for _, tt := range []struct {
		path string
		body any
		msg  string
	}{
		{"/organization/create-team", map[string]any{}, "[body.name] Invalid input: expected string, received undefined"},
		{"/organization/update-team", map[string]any{"teamId": "t"}, "[body.data] Invalid input: expected object, received undefined"},
		{"/organization/update-team", map[string]any{"teamId": "t", "data": map[string]any{"name": ""}}, "[body.data.name] Too small: expected string to have >=1 characters"},
		{"/organization/update-team", map[string]any{"data": map[string]any{"name": 1}}, "[body.teamId] Invalid input: expected string, received undefined; [body.data.name] Invalid input: expected string, received number"},
		{"/organization/set-active-team", map[string]any{"teamId": 1}, "[body.teamId] Invalid input: expected string, received number"},
		{"/organization/add-team-member", map[string]any{"teamId": "t"}, "[body.userId] Invalid input: expected nonoptional, received undefined"},
		{"/organization/add-team-member", []any{}, "[body] Invalid input: expected object, received array"},
	} {
		a := e.do("POST", tt.path, c, tt.body)
		if a.code != 400 || a.errCode() != "VALIDATION_ERROR" || a.obj["message"] != tt.msg {
			t.Errorf("%s %v: %d %s, want %q", tt.path, tt.body, a.code, a.raw, tt.msg)
		}
	}
}

// TestTeamsOff: without Teams the endpoints do not exist.
func TestTeamsOff(t *testing.T) {
	e := newEnv(t, organization.Config{})
	_, c := e.user("u")
	if a := e.do("POST", "/organization/create-team", c, map[string]any{"name": "x"}); a.code != 404 {
		t.Errorf("create-team without teams: %d %s", a.code, a.raw)
	}
}

// TestTeamsInOrganizationFlows: with teams on, /organization/create makes a default team with the creator
// in it (its active team), get-full-organization lists the teams, an invitation to a team puts the
// invitee in it on acceptance (its active team), a team that is removed leaves the pending invitations,
// and remove-member takes the member out of the organization's teams and gives the seat back.
func TestTeamsInOrganizationFlows(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true}})
	_, owner := e.user("owner")
	inviteeID, invitee := e.user("invitee")
	created := e.must(e.post("/organization/create", owner, map[string]any{"name": "Acme", "slug": "acme"}), 200, "create")
	org := created.str("id")
	teams := e.must(e.get("/organization/list-teams", owner), 200, "list-teams")
	if len(teams.list) != 1 || teams.list[0].(map[string]any)["name"] != "Acme" {
		t.Fatalf("default team: %s", teams.raw)
	}
	def := teams.list[0].(map[string]any)["id"].(string)
	if m := e.must(e.get("/organization/list-team-members", owner), 200, "members of the active team"); len(m.list) != 1 {
		t.Errorf("the creator is not in its active default team: %s", m.raw)
	}
	full := e.must(e.get("/organization/get-full-organization", owner), 200, "get-full-organization")
	if ts, _ := full.obj["teams"].([]any); len(ts) != 1 || ts[0].(map[string]any)["memberCount"] != float64(1) {
		t.Errorf("get-full-organization teams: %s", full.raw)
	}

	second := e.must(e.post("/organization/create-team", owner, map[string]any{"name": "Second"}), 200, "create-team").str("id")
	e.refused(e.post("/organization/invite-member", owner, map[string]any{"email": "invitee@example.com", "role": "member", "teamId": "x,y"}), 400, "INVALID_TEAM_ID", "a team id with a comma")
	e.refused(e.post("/organization/invite-member", owner, map[string]any{"email": "invitee@example.com", "role": "member", "teamId": "nope"}), 400, "TEAM_NOT_FOUND", "an unknown team")
	inv := e.must(e.post("/organization/invite-member", owner, map[string]any{"email": "invitee@example.com", "role": "member", "teamId": []any{second, def}}), 200, "invite to two teams")
	if inv.str("teamId") != second+","+def {
		t.Errorf("invitation teamId: %s", inv.raw)
	}
	e.must(e.post("/organization/remove-team", owner, map[string]any{"teamId": second}), 200, "remove a team the invitation names")
	got := e.must(e.get("/organization/get-invitation?id="+inv.str("id"), invitee), 200, "get-invitation")
	if got.str("teamId") != def {
		t.Errorf("the removed team is still in the invitation: %s", got.raw)
	}
	e.must(e.post("/organization/accept-invitation", invitee, map[string]any{"invitationId": inv.str("id")}), 200, "accept")
	if m := e.must(e.get("/organization/list-team-members", invitee), 200, "the invitee's active team"); len(m.list) != 2 {
		t.Errorf("the invitee is not in its active team: %s", m.raw)
	}
	e.must(e.post("/organization/remove-member", owner, map[string]any{"memberIdOrEmail": "invitee@example.com", "organizationId": org}), 200, "remove-member")
	if n, err := e.rows.CountRows(t.Context(), "teamMember", []store.Where{{Field: "userId", Value: inviteeID}}); err != nil || n != 0 {
		t.Errorf("the removed member still has %d team rows (%v)", n, err)
	}
	if n := e.memberCount(def); n != float64(1) {
		t.Errorf("memberCount = %v after remove-member, want 1", n)
	}
}

// TestTeamSeatsConcurrent: eight members are added to a team of five seats at once; exactly five get in,
// the others are refused with TEAM_MEMBER_LIMIT_REACHED, and memberCount is five: the seat counter's
// compare-and-set holds without a transaction. (SQLite takes one writer at a time: the test database has
// one connection, so requests interleave between their reads and writes but never fail on a lock;
// TestOrganizationTeamsAcrossServers in core/internal/interop runs the seats on PostgreSQL.)
func TestTeamSeatsConcurrent(t *testing.T) {
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true, MaximumMembersPerTeam: 5}})
	e.db.SetMaxOpenConns(1)
	ownerID, owner := e.user("owner")
	org := e.org("acme")
	e.member(org, ownerID, "owner")
	e.activate(owner, org)
	team := e.must(e.post("/organization/create-team", owner, map[string]any{"name": "Five"}), 200, "create-team").str("id")
	var users []string
	for i := range 8 {
		id, _ := e.user(fmt.Sprintf("u%d", i))
		e.member(org, id, "member")
		users = append(users, id)
	}
	replies := make([]reply, len(users))
	var wg sync.WaitGroup
	for i, id := range users {
		wg.Go(func() {
			replies[i] = e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": team, "userId": id})
		})
	}
	wg.Wait()
	in, full := 0, 0
	for _, r := range replies {
		switch {
		case r.code == 200:
			in++
		case r.code == 403 && r.errCode() == "TEAM_MEMBER_LIMIT_REACHED":
			full++
		default:
			t.Errorf("add-team-member: %d %s", r.code, r.raw)
		}
	}
	n, err := e.rows.CountRows(t.Context(), "teamMember", []store.Where{{Field: "teamId", Value: team}})
	if in != 5 || full != 3 || err != nil || n != 5 || e.memberCount(team) != float64(5) {
		t.Errorf("%d added, %d refused, %d rows (%v), memberCount %v; want 5, 3, 5, 5", in, full, n, err, e.memberCount(team))
	}
}

// TestTeamHooks: the team hooks run around each write with the acting user and the organization; a
// Before hook may rename a team or refuse a write, which then does not happen.
func TestTeamHooks(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	record := func(s string) { mu.Lock(); calls = append(calls, s); mu.Unlock() }
	hooks := organization.TeamHooks{
		BeforeCreateTeam: func(_ context.Context, team *organization.Team, u store.User, org organization.Organization) error {
			team.Name += " (" + org.Name + ")"
			record("before create " + u.Name)
			return nil
		},
		AfterCreateTeam: func(_ context.Context, team organization.Team, _ store.User, _ organization.Organization) error {
			record("after create " + team.Name)
			return nil
		},
		BeforeUpdateTeam: func(_ context.Context, _ organization.Team, update map[string]any, _ store.User, _ organization.Organization) error {
			update["name"] = strings.ToUpper(update["name"].(string))
			return nil
		},
		BeforeAddTeamMember: func(_ context.Context, m organization.TeamMember, _ organization.Team, u store.User, _ organization.Organization) error {
			if u.Name == "blocked" {
				return &authserver.APIError{Status: 403, Code: "BLOCKED", Message: "blocked"}
			}
			return nil
		},
		AfterAddTeamMember: func(_ context.Context, m organization.TeamMember, team organization.Team, u store.User, _ organization.Organization) error {
			record("after add " + u.Name + " to " + team.Name + " " + strconv.FormatBool(m.ID != ""))
			return nil
		},
		AfterRemoveTeamMember: func(_ context.Context, _ organization.TeamMember, _ organization.Team, u store.User, _ organization.Organization) error {
			record("after remove " + u.Name)
			return nil
		},
		BeforeDeleteTeam: func(_ context.Context, team organization.Team, _ store.User, _ organization.Organization) error {
			record("before delete " + team.Name)
			return nil
		},
	}
	e := newEnv(t, organization.Config{Teams: organization.TeamsConfig{Enabled: true, Hooks: hooks}})
	_, owner := e.user("owner")
	blockedID, _ := e.user("blocked")
	okID, _ := e.user("okay")
	e.must(e.post("/organization/create", owner, map[string]any{"name": "Acme", "slug": "acme"}), 200, "create")
	org := e.must(e.get("/organization/list", owner), 200, "list").list[0].(map[string]any)["id"].(string)
	e.member(org, blockedID, "member")
	e.member(org, okID, "member")
	team := e.must(e.post("/organization/create-team", owner, map[string]any{"name": "Core"}), 200, "create-team")
	if team.str("name") != "Core (Acme)" {
		t.Errorf("BeforeCreateTeam did not rename: %s", team.raw)
	}
	if upd := e.must(e.post("/organization/update-team", owner, map[string]any{"teamId": team.str("id"), "data": map[string]any{"name": "core"}}), 200, "update-team"); upd.str("name") != "CORE" {
		t.Errorf("BeforeUpdateTeam did not change the update: %s", upd.raw)
	}
	e.refused(e.post("/organization/add-team-member", owner, map[string]any{"teamId": team.str("id"), "userId": blockedID}), 403, "BLOCKED", "a refused member")
	e.must(e.post("/organization/add-team-member", owner, map[string]any{"teamId": team.str("id"), "userId": okID}), 200, "add-team-member")
	e.must(e.post("/organization/remove-team-member", owner, map[string]any{"teamId": team.str("id"), "userId": okID}), 200, "remove-team-member")
	e.must(e.post("/organization/remove-team", owner, map[string]any{"teamId": team.str("id")}), 200, "remove-team")
	if n, _ := e.rows.CountRows(t.Context(), "teamMember", []store.Where{{Field: "userId", Value: blockedID}}); n != 0 {
		t.Errorf("the refused member was added")
	}
	want := []string{"before create owner", "after create Acme (Acme)", "before create owner", "after create Core (Acme)",
		"after add okay to CORE true", "after remove okay", "before delete CORE"}
	if !slices.Equal(calls, want) {
		t.Errorf("hook calls:\n%q\nwant\n%q", calls, want)
	}
}
