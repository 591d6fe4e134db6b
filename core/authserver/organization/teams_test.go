package organization_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/authserver/authservertest"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// env is a Go server with the organization plugin, and rows written straight into its tables so the team
// and role endpoints are tested on their own.
type env struct {
	t    *testing.T
	h    *authservertest.Harness
	rows store.RowStore
	n    int
}

func newEnv(t *testing.T, cfg organization.Config) *env {
	t.Helper()
	h := authservertest.NewHarness(t, organization.New(cfg).Plugin())
	return &env{t: t, h: h, rows: h.Store.(store.RowStore)}
}

// answer is a response: its status, its JSON body (object or array) and the raw text.
type answer struct {
	status int
	body   map[string]any
	list   []any
	raw    string
}

func (a answer) code() string { c, _ := a.body["code"].(string); return c }

// do sends a request with cookie as a browser on the site would.
func (e *env) do(method, path, cookie string, body any) answer {
	e.t.Helper()
	var r *http.Request
	if body != nil {
		b, _ := json.Marshal(body)
		r = httptest.NewRequest(method, authservertest.HarnessBaseURL+"/api/auth"+path, strings.NewReader(string(b)))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, authservertest.HarnessBaseURL+"/api/auth"+path, nil)
	}
	r.Header.Set("Origin", authservertest.HarnessBaseURL)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	e.h.Server.ServeHTTP(w, r)
	a := answer{status: w.Code, raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &a.body)
	_ = json.Unmarshal(w.Body.Bytes(), &a.list)
	return a
}

// user signs a new user up and returns its id and session cookie.
func (e *env) user(name string) (id, cookie string) {
	e.t.Helper()
	a := e.h.Post("/sign-up/email", map[string]any{"name": name, "email": name + "@example.com", "password": "password1234"})
	if a.Status != 200 {
		e.t.Fatalf("sign-up %s: %d %s", name, a.Status, a.Raw)
	}
	u, _ := a.Body["user"].(map[string]any)
	id, _ = u["id"].(string)
	return id, "better-auth.session_token=" + a.Cookies["better-auth.session_token"]
}

// org writes an organization row and returns its id.
func (e *env) org(name string) string {
	e.t.Helper()
	e.n++
	id := "org-" + name
	if err := e.rows.CreateRow(e.t.Context(), "organization", store.Row{"id": id, "name": name, "slug": name,
		"createdAt": e.h.Now()}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// member writes a member row.
func (e *env) member(orgID, userID, role string) {
	e.t.Helper()
	e.n++
	if err := e.rows.CreateRow(e.t.Context(), "member", store.Row{"id": "m" + string(rune('a'+e.n)) + orgID + userID,
		"organizationId": orgID, "userId": userID, "role": role, "createdAt": e.h.Now()}); err != nil {
		e.t.Fatal(err)
	}
}

// activate sets the session's active organization, as /organization/set-active does.
func (e *env) activate(cookie, orgID string) {
	e.t.Helper()
	token, _, _ := strings.Cut(strings.TrimPrefix(cookie, "better-auth.session_token="), ".")
	if err := e.h.Store.(store.SessionFieldUpdater).UpdateSessionFields(e.t.Context(), token,
		map[string]any{"activeOrganizationId": orgID}, e.h.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// must checks a's status and returns it.
func (e *env) must(a answer, status int, what string) answer {
	e.t.Helper()
	if a.status != status {
		e.t.Fatalf("%s: %d %s, want %d", what, a.status, a.raw, status)
	}
	return a
}

// refused checks a is an error answer with status and code.
func (e *env) refused(a answer, status int, code, what string) {
	e.t.Helper()
	if a.status != status || a.code() != code {
		e.t.Errorf("%s: %d %s, want %d %s", what, a.status, a.raw, status, code)
	}
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
	teamID, _ := created.body["id"].(string)
	if created.body["name"] != "Core" || created.body["organizationId"] != org || created.body["createdAt"] != "2026-03-01T12:00:00.000Z" {
		t.Errorf("create-team: %s", created.raw)
	}
	if !strings.HasPrefix(created.raw, `{"name":"Core","organizationId":`) || strings.Contains(created.raw, "memberCount") {
		t.Errorf("create-team JSON is not the adapter's row: %s", created.raw)
	}
	// Without an organization in the body, the active one is used; there is none yet.
	e.refused(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "X"}), 400, "NO_ACTIVE_ORGANIZATION", "create-team without an organization")
	e.activate(owner, org)
	second := e.must(e.do("POST", "/organization/create-team", owner, map[string]any{"name": "Second"}), 200, "create-team in the active organization")
	secondID, _ := second.body["id"].(string)

	e.h.Advance(time.Minute)
	upd := e.must(e.do("POST", "/organization/update-team", owner, map[string]any{"teamId": teamID, "data": map[string]any{"name": "Platform"}}), 200, "update-team")
	if upd.body["name"] != "Platform" || upd.body["updatedAt"] != "2026-03-01T12:01:00.000Z" || upd.body["id"] != teamID {
		t.Errorf("update-team: %s", upd.raw)
	}
	if l := e.must(e.do("GET", "/organization/list-teams", owner, nil), 200, "list-teams"); len(l.list) != 2 {
		t.Errorf("list-teams: %s", l.raw)
	}

	added := e.must(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 200, "add-team-member")
	if added.body["teamId"] != teamID || added.body["userId"] != memberID || strings.Contains(added.raw, "membershipKey") {
		t.Errorf("add-team-member: %s", added.raw)
	}
	// Adding again returns the same row.
	if again := e.must(e.do("POST", "/organization/add-team-member", owner, map[string]any{"teamId": teamID, "userId": memberID}), 200, "add-team-member again"); again.body["id"] != added.body["id"] {
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
	if active.body["id"] != teamID {
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
	if rm.body["message"] != "Team removed successfully." {
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
	teamID, _ := team.body["id"].(string)
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
	aTeam, _ := teamA.body["id"].(string)
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
	} {
		a := e.do("POST", tt.path, c, tt.body)
		if a.status != 400 || a.code() != "VALIDATION_ERROR" || a.body["message"] != tt.msg {
			t.Errorf("%s %v: %d %s, want %q", tt.path, tt.body, a.status, a.raw, tt.msg)
		}
	}
}

// TestTeamsOff: without Teams the endpoints do not exist.
func TestTeamsOff(t *testing.T) {
	e := newEnv(t, organization.Config{})
	_, c := e.user("u")
	if a := e.do("POST", "/organization/create-team", c, map[string]any{"name": "x"}); a.status != 404 {
		t.Errorf("create-team without teams: %d %s", a.status, a.raw)
	}
}
