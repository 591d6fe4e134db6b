package organization_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
)

// fixture is two organizations: alpha (owner, an admin, a member, a pending invitation) and beta (its
// owner, a pending invitation), and an outsider who belongs to none.
type fixture struct {
	s                                 *server
	owner, admin, member, betaOwner   string // session cookies
	outsider                          string
	alpha, beta                       string // organization ids
	ownerM, adminM, memberM, betaM    string // member ids
	alphaInv, betaInv                 string // pending invitation ids
	adminID, memberID, betaOwnerID    string
	ownerEmail, adminEmail, betaEmail string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := newServer(t, organization.Config{})
	f := &fixture{s: s, ownerEmail: "owner@alpha.test", adminEmail: "admin@alpha.test", betaEmail: "owner@beta.test"}
	f.owner, _ = s.signUp(f.ownerEmail)
	f.admin, f.adminID = s.signUp(f.adminEmail)
	f.member, f.memberID = s.signUp("member@alpha.test")
	f.betaOwner, f.betaOwnerID = s.signUp(f.betaEmail)
	f.outsider, _ = s.signUp("outsider@nowhere.test")
	org := s.post("/organization/create", f.owner, map[string]any{"name": "Alpha", "slug": "alpha"}).must(t, "create alpha")
	f.alpha = org.str("id")
	f.ownerM = org.obj["members"].([]any)[0].(map[string]any)["id"].(string)
	for _, who := range []struct {
		cookie, email, role string
		id                  *string
	}{{f.admin, f.adminEmail, "admin", &f.adminM}, {f.member, "member@alpha.test", "member", &f.memberM}} {
		inv := s.post("/organization/invite-member", f.owner, map[string]any{"email": who.email, "role": who.role}).must(t, "invite")
		acc := s.post("/organization/accept-invitation", who.cookie, map[string]any{"invitationId": inv.str("id")}).must(t, "accept")
		*who.id = acc.obj["member"].(map[string]any)["id"].(string)
	}
	f.alphaInv = s.post("/organization/invite-member", f.owner, map[string]any{"email": "pending@alpha.test", "role": "member"}).must(t, "invite").str("id")
	org = s.post("/organization/create", f.betaOwner, map[string]any{"name": "Beta", "slug": "beta"}).must(t, "create beta")
	f.beta = org.str("id")
	f.betaM = org.obj["members"].([]any)[0].(map[string]any)["id"].(string)
	f.betaInv = s.post("/organization/invite-member", f.betaOwner, map[string]any{"email": "pending@beta.test", "role": "admin"}).must(t, "invite").str("id")
	return f
}

// activate makes each member's organization the active one of their session.
func (f *fixture) activate(t *testing.T) {
	t.Helper()
	for _, c := range []string{f.owner, f.admin, f.member} {
		f.s.post("/organization/set-active", c, map[string]any{"organizationId": f.alpha}).must(t, "set-active alpha")
	}
	f.s.post("/organization/set-active", f.betaOwner, map[string]any{"organizationId": f.beta}).must(t, "set-active beta")
}

// state is every row of the plugin's tables, to check that a refused request changed nothing.
func (f *fixture) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`select "id", "name", "slug", coalesce("metadata", '') from "organization" order by "id"`,
		`select "id", "organizationId", "userId", "role" from "member" order by "id"`,
		`select "id", "organizationId", "email", "role", "status" from "invitation" order by "id"`,
	} {
		rows, err := f.s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

// TestAuthorization: every endpoint refuses a caller without the right (a member acting as admin or owner,
// an admin acting as owner), a caller from another organization, and ids (organization, member,
// invitation) of an organization the caller is not in, with Better Auth's status and code, and changes
// nothing. The last owner can neither leave, nor be removed, nor demote themself. A member does not see
// the organization's invitation ids; an admin does not see those granting the creator role.
func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	type call struct {
		name       string
		who        func(*fixture) string
		method     string
		path       func(*fixture) string
		body       func(*fixture) map[string]any
		status     int
		code       string
		noBodyCode bool // a refusal without a code (Better Auth's message-only errors)
	}
	p := func(s string) func(*fixture) string { return func(*fixture) string { return s } }
	none := func(*fixture) string { return "" }
	owner := func(f *fixture) string { return f.owner }
	admin := func(f *fixture) string { return f.admin }
	member := func(f *fixture) string { return f.member }
	betaOwner := func(f *fixture) string { return f.betaOwner }
	outsider := func(f *fixture) string { return f.outsider }
	cases := []call{
		{"create without a session", none, "POST", p("/organization/create"), func(*fixture) map[string]any { return map[string]any{"name": "x", "slug": "x"} }, 401, "", true},
		{"create with a taken slug", outsider, "POST", p("/organization/create"), func(*fixture) map[string]any { return map[string]any{"name": "x", "slug": "alpha"} }, 400, "ORGANIZATION_ALREADY_EXISTS", false},
		{"check-slug without a session", none, "POST", p("/organization/check-slug"), func(*fixture) map[string]any { return map[string]any{"slug": "x"} }, 401, "UNAUTHORIZED", false},
		{"update by a member", member, "POST", p("/organization/update"), func(*fixture) map[string]any { return map[string]any{"data": map[string]any{"name": "Pwned"}} }, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION", false},
		{"update of another organization", betaOwner, "POST", p("/organization/update"), func(f *fixture) map[string]any {
			return map[string]any{"organizationId": f.alpha, "data": map[string]any{"name": "Pwned"}}
		}, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"update to another organization's slug", owner, "POST", p("/organization/update"), func(*fixture) map[string]any { return map[string]any{"data": map[string]any{"slug": "beta"}} }, 400, "ORGANIZATION_SLUG_ALREADY_TAKEN", false},
		{"delete by an admin", admin, "POST", p("/organization/delete"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION", false},
		{"delete by a member", member, "POST", p("/organization/delete"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION", false},
		{"delete of another organization", betaOwner, "POST", p("/organization/delete"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"set-active to another organization", outsider, "POST", p("/organization/set-active"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"set-active by another organization's slug", betaOwner, "POST", p("/organization/set-active"), func(*fixture) map[string]any { return map[string]any{"organizationSlug": "alpha"} }, 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"get-full-organization of another organization", betaOwner, "GET", func(f *fixture) string { return "/organization/get-full-organization?organizationId=" + f.alpha }, nil, 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"get-full-organization by slug of another organization", outsider, "GET", p("/organization/get-full-organization?organizationSlug=alpha"), nil, 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"get-organization of another organization", betaOwner, "GET", func(f *fixture) string { return "/organization/get-organization?organizationId=" + f.alpha }, nil, 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
		{"list without a session", none, "GET", p("/organization/list"), nil, 401, "UNAUTHORIZED", false},
		{"invite by a member", member, "POST", p("/organization/invite-member"), func(*fixture) map[string]any { return map[string]any{"email": "new@x.test", "role": "member"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION", false},
		{"invite by a non-member", outsider, "POST", p("/organization/invite-member"), func(f *fixture) map[string]any {
			return map[string]any{"email": "new@x.test", "role": "member", "organizationId": f.alpha}
		}, 400, "MEMBER_NOT_FOUND", false},
		{"invite into another organization", betaOwner, "POST", p("/organization/invite-member"), func(f *fixture) map[string]any {
			return map[string]any{"email": "new@x.test", "role": "owner", "organizationId": f.alpha}
		}, 400, "MEMBER_NOT_FOUND", false},
		{"invite as owner by an admin", admin, "POST", p("/organization/invite-member"), func(*fixture) map[string]any { return map[string]any{"email": "new@x.test", "role": "owner"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE", false},
		{"invite as owner among other roles by an admin", admin, "POST", p("/organization/invite-member"), func(*fixture) map[string]any {
			return map[string]any{"email": "new@x.test", "role": []any{"member", " owner"}}
		}, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE", false},
		{"invite an existing member", owner, "POST", p("/organization/invite-member"), func(f *fixture) map[string]any { return map[string]any{"email": "MEMBER@alpha.test", "role": "admin"} }, 400, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION", false},
		{"accept another's invitation", outsider, "POST", p("/organization/accept-invitation"), func(f *fixture) map[string]any { return map[string]any{"invitationId": f.alphaInv} }, 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", false},
		{"accept another organization's invitation", owner, "POST", p("/organization/accept-invitation"), func(f *fixture) map[string]any { return map[string]any{"invitationId": f.betaInv} }, 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", false},
		{"accept an unknown invitation", owner, "POST", p("/organization/accept-invitation"), func(*fixture) map[string]any { return map[string]any{"invitationId": "nope"} }, 400, "INVITATION_NOT_FOUND", false},
		{"reject another's invitation", member, "POST", p("/organization/reject-invitation"), func(f *fixture) map[string]any { return map[string]any{"invitationId": f.betaInv} }, 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", false},
		{"cancel by a member", member, "POST", p("/organization/cancel-invitation"), func(f *fixture) map[string]any { return map[string]any{"invitationId": f.alphaInv} }, 403, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION", false},
		{"cancel another organization's invitation", owner, "POST", p("/organization/cancel-invitation"), func(f *fixture) map[string]any { return map[string]any{"invitationId": f.betaInv} }, 400, "MEMBER_NOT_FOUND", false},
		{"get another's invitation", outsider, "GET", func(f *fixture) string { return "/organization/get-invitation?id=" + f.alphaInv }, nil, 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", false},
		{"get an invitation without a session", none, "GET", func(f *fixture) string { return "/organization/get-invitation?id=" + f.alphaInv }, nil, 401, "", true},
		{"list invitations as a member", member, "GET", p("/organization/list-invitations"), nil, 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS", false},
		{"list another organization's invitations", betaOwner, "GET", func(f *fixture) string { return "/organization/list-invitations?organizationId=" + f.alpha }, nil, 403, "", true},
		{"list user invitations unverified", outsider, "GET", p("/organization/list-user-invitations"), nil, 403, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION", false},
		{"list user invitations of an address", outsider, "GET", p("/organization/list-user-invitations?email=pending@alpha.test"), nil, 400, "", true},
		{"remove by a member", member, "POST", p("/organization/remove-member"), func(f *fixture) map[string]any { return map[string]any{"memberIdOrEmail": f.adminM} }, 401, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER", false},
		{"remove another organization's member by id", betaOwner, "POST", p("/organization/remove-member"), func(f *fixture) map[string]any { return map[string]any{"memberIdOrEmail": f.memberM} }, 400, "MEMBER_NOT_FOUND", false},
		{"remove another organization's member by email", betaOwner, "POST", p("/organization/remove-member"), func(*fixture) map[string]any { return map[string]any{"memberIdOrEmail": "member@alpha.test"} }, 400, "MEMBER_NOT_FOUND", false},
		{"remove from another organization", betaOwner, "POST", p("/organization/remove-member"), func(f *fixture) map[string]any {
			return map[string]any{"memberIdOrEmail": f.memberM, "organizationId": f.alpha}
		}, 400, "MEMBER_NOT_FOUND", false},
		{"remove the owner by an admin", admin, "POST", p("/organization/remove-member"), func(f *fixture) map[string]any { return map[string]any{"memberIdOrEmail": f.ownerM} }, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", false},
		{"remove the last owner by the owner", owner, "POST", p("/organization/remove-member"), func(f *fixture) map[string]any { return map[string]any{"memberIdOrEmail": f.ownerEmail} }, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", false},
		{"role change by a member", member, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.memberM, "role": "admin"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", false},
		{"owner role set by an admin", admin, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.adminM, "role": "owner"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", false},
		{"owner demoted by an admin", admin, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.ownerM, "role": "member"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", false},
		{"role change of another organization's member", betaOwner, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.memberM, "role": "admin"} }, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", false},
		{"role change in another organization", betaOwner, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any {
			return map[string]any{"memberId": f.memberM, "role": "admin", "organizationId": f.alpha}
		}, 400, "MEMBER_NOT_FOUND", false},
		{"last owner demotes themself", owner, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.ownerM, "role": "admin"} }, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER", false},
		{"unknown role", owner, "POST", p("/organization/update-member-role"), func(f *fixture) map[string]any { return map[string]any{"memberId": f.memberM, "role": "root"} }, 400, "ROLE_NOT_FOUND", false},
		{"last owner leaves", owner, "POST", p("/organization/leave"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", false},
		{"leave another organization", outsider, "POST", p("/organization/leave"), func(f *fixture) map[string]any { return map[string]any{"organizationId": f.alpha} }, 400, "MEMBER_NOT_FOUND", false},
		{"list another organization's members", betaOwner, "GET", func(f *fixture) string { return "/organization/list-members?organizationId=" + f.alpha }, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", false},
		{"list members by another organization's slug", outsider, "GET", p("/organization/list-members?organizationSlug=alpha"), nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", false},
		{"active member without an active organization", outsider, "GET", p("/organization/get-active-member"), nil, 400, "NO_ACTIVE_ORGANIZATION", false},
		{"member role in another organization", betaOwner, "GET", func(f *fixture) string { return "/organization/get-active-member-role?organizationId=" + f.alpha }, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", false},
		{"another organization's member's role", betaOwner, "GET", func(f *fixture) string { return "/organization/get-active-member-role?userId=" + f.memberID }, nil, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", false},
		{"has-permission without an active organization", outsider, "POST", p("/organization/has-permission"), func(*fixture) map[string]any {
			return map[string]any{"permissions": map[string]any{"member": []any{"create"}}}
		}, 400, "NO_ACTIVE_ORGANIZATION", false},
		{"has-permission in another organization", betaOwner, "POST", p("/organization/has-permission"), func(f *fixture) map[string]any {
			return map[string]any{"organizationId": f.alpha, "permissions": map[string]any{"member": []any{"create"}}}
		}, 401, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", false},
	}
	before := f.state(t)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			f.activate(t) // a refused set-active or read of another organization clears the active one
			var body any
			if tt.body != nil {
				body = tt.body(f)
			}
			method := http.MethodGet
			if tt.method == "POST" {
				method = http.MethodPost
			}
			r := f.s.do(method, tt.path(f), tt.who(f), body)
			if r.code != tt.status || r.errCode() != tt.code {
				t.Errorf("got %d %s, want %d %q", r.code, r.raw, tt.status, tt.code)
			}
			if tt.noBodyCode && r.errCode() != "" {
				t.Errorf("want no code: %s", r.raw)
			}
			if after := f.state(t); after != before {
				t.Errorf("a refused request changed the rows:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	t.Run("invitation links", func(t *testing.T) { invitationLinks(t, f) })
}

// invitationLinks: a member without invitation:create gets the organization without its invitations
// (their ids are links) and may not list them; an admin gets none that grants the creator role.
func invitationLinks(t *testing.T, f *fixture) {
	f.activate(t)
	f.s.post("/organization/invite-member", f.owner, map[string]any{"email": "boss@alpha.test", "role": "owner"}).must(t, "invite owner")
	roles := func(r reply, list []any) (n, owners int) {
		for _, inv := range list {
			n++
			if inv.(map[string]any)["role"] == "owner" {
				owners++
			}
		}
		return
	}
	full := func(cookie string) (int, int) {
		r := f.s.get("/organization/get-full-organization", cookie).must(t, "full")
		return roles(r, r.obj["invitations"].([]any))
	}
	if n, _ := full(f.member); n != 0 {
		t.Errorf("member sees %d invitations", n)
	}
	an, ao := full(f.admin)
	on, oo := full(f.owner)
	if ao != 0 || oo != 1 || an != on-1 || on != 4 {
		t.Errorf("admin sees %d (%d owner), owner %d (%d owner)", an, ao, on, oo)
	}
	r := f.s.get("/organization/list-invitations", f.admin).must(t, "list")
	if n, o := roles(r, r.list); n != 3 || o != 0 {
		t.Errorf("admin lists %s", r.raw)
	}
	f.s.get("/organization/list-invitations", f.member).want(t, "member lists", 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS")
}
