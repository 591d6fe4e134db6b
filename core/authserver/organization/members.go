package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-members.ts.

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// errUserNotFound is BASE_ERROR_CODES.USER_NOT_FOUND.
var errUserNotFound = &authserver.APIError{Status: 400, Code: "USER_NOT_FOUND", Message: "User not found"}

// AddMember adds the user with userID to the organization with role (comma-separated roles), as Better
// Auth's server-only addMember (POST /organization/add-member, which it does not serve over HTTP): the
// user must exist and not be a member yet, the organization must exist and be under MembershipLimit, and
// BeforeAddMember and AfterAddMember run. teamID (with teams) also adds the member to that team; "" means
// none. The role is not checked against Roles, as Better Auth does not check it.
func (pl *Plugin) AddMember(ctx context.Context, orgID, userID, role, teamID string) (Member, error) {
	if pl.db == nil {
		return Member{}, errNotStarted
	}
	if orgID == "" {
		return Member{}, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	if teamID != "" && !pl.cfg.Teams.Enabled {
		return Member{}, &authserver.APIError{Status: 400, Message: "Teams are not enabled"}
	}
	u, err := pl.user(ctx, userID)
	if err != nil {
		return Member{}, err
	}
	if u == nil {
		return Member{}, errUserNotFound
	}
	if m, _, err := pl.memberByEmail(ctx, orgID, u.Email); err != nil {
		return Member{}, err
	} else if m != nil {
		return Member{}, pl.err(400, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION")
	}
	n, err := pl.db.CountRows(ctx, "member", []store.Where{eq("organizationId", orgID)})
	if err != nil {
		return Member{}, err
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return Member{}, err
	}
	if n >= pl.cfg.MembershipLimit {
		return Member{}, pl.err(403, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED")
	}
	m := Member{OrganizationID: orgID, UserID: u.ID, Role: strings.Join(betterauth.ParseRoleList(role), ",")}
	if h := pl.cfg.Hooks.BeforeAddMember; h != nil {
		if err := h(ctx, &m, *u, org); err != nil {
			return Member{}, hook(err)
		}
	}
	row, err := pl.createMember(ctx, m, nowOf(nil))
	if err != nil {
		return Member{}, err
	}
	m = memberOfRow(row)
	if teamID != "" && pl.addMemberTeam != nil {
		if err := pl.addMemberTeam(ctx, orgID, u.ID, teamID); err != nil {
			_ = pl.deleteMember(ctx, m.ID, orgID, u.ID)
			return Member{}, err
		}
	}
	if h := pl.cfg.Hooks.AfterAddMember; h != nil {
		if err := h(ctx, m, *u, org); err != nil {
			return Member{}, hook(err)
		}
	}
	return m, nil
}

// removeMember is POST /organization/remove-member.
func (pl *Plugin) removeMember(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	target, _ := c.str(b, "memberIdOrEmail", "memberIdOrEmail", true, false, false)
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID, err = pl.organizationOrActive(orgID, res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	self, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "MEMBER_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	var victim store.Row
	var victimUser *store.User // only an email lookup answers with the user, as Better Auth does
	if strings.Contains(target, "@") {
		victim, victimUser, err = pl.memberByEmail(ctx, orgID, target)
	} else {
		var u *store.User
		victim, u, err = pl.memberByID(ctx, target)
		if victim != nil && u == nil {
			victim = nil // Better Auth's join: a member without a user is not found
		}
	}
	if err != nil {
		return nil, err
	}
	if victim == nil {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	if hasRole(victim.String("role"), pl.cfg.CreatorRole) {
		if !hasRole(self.String("role"), pl.cfg.CreatorRole) {
			return nil, pl.err(400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER")
		}
		n, err := pl.creatorCount(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, pl.err(400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER")
		}
	}
	if err := pl.requirePermission(ctx, orgID, self.String("role"), map[string][]string{"member": {"delete"}}, false, 401, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"); err != nil {
		return nil, err
	}
	if victim.String("organizationId") != orgID {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	removed, err := pl.user(ctx, victim.String("userId"))
	if err != nil {
		return nil, err
	}
	if removed == nil {
		return nil, &authserver.APIError{Status: 400, Message: "User not found"}
	}
	m := memberOfRow(victim)
	if h := pl.cfg.Hooks.BeforeRemoveMember; h != nil {
		if err := h(ctx, m, *removed, org); err != nil {
			return nil, hook(err)
		}
	}
	if err := pl.deleteMember(ctx, m.ID, orgID, m.UserID); err != nil {
		return nil, err
	}
	if res.User.ID == m.UserID && activeOrganization(res) == m.OrganizationID {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
	}
	if h := pl.cfg.Hooks.AfterRemoveMember; h != nil {
		if err := h(ctx, m, *removed, org); err != nil {
			return nil, hook(err)
		}
	}
	o := &betterauth.Object{}
	o.Set("member", memberJSON(victim, victimUser))
	return json.RawMessage(o.Bytes()), nil
}

// updateMemberRole is POST /organization/update-member-role.
func (pl *Plugin) updateMemberRole(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	roleVal, _ := c.role(b, "role", true)
	memberID, _ := c.str(b, "memberId", "memberId", true, false, false)
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	if s, ok := roleVal.(string); ok && s == "" {
		return nil, &authserver.APIError{Status: 400}
	}
	orgID, err = pl.organizationOrActive(orgID, res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	roles := roleList(roleVal)
	if len(roles) == 0 {
		return nil, &authserver.APIError{Status: 400}
	}
	ctx := x.Context()
	self, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "MEMBER_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	target := self
	if self.String("id") != memberID {
		var u *store.User
		if target, u, err = pl.memberByID(ctx, memberID); err != nil {
			return nil, err
		}
		if target != nil && u == nil {
			target = nil
		}
	}
	if target == nil {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	if target.String("organizationId") != orgID {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER")
	}
	creator := pl.cfg.CreatorRole
	updaterIsCreator := hasRole(self.String("role"), creator)
	settingCreator := slices.Contains(roles, creator)
	if (hasRole(target.String("role"), creator) || settingCreator) && !updaterIsCreator {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER")
	}
	if updaterIsCreator && self.String("id") == target.String("id") {
		n, err := pl.creatorCount(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if n <= 1 && !settingCreator {
			return nil, pl.err(400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER")
		}
	}
	if err := pl.requirePermission(ctx, orgID, self.String("role"), map[string][]string{"member": {"update"}}, true, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"); err != nil {
		return nil, err
	}
	if unknown, err := pl.unknownRoles(ctx, orgID, roles); err != nil {
		return nil, err
	} else if len(unknown) > 0 {
		return nil, &authserver.APIError{Status: 400, Code: "ROLE_NOT_FOUND", Message: "ROLE_NOT_FOUND: " + strings.Join(unknown, ", ")}
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	u, err := pl.user(ctx, target.String("userId"))
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, &authserver.APIError{Status: 400, Message: "User not found"}
	}
	m := memberOfRow(target)
	previous := m.Role
	newRole := strings.Join(roles, ",")
	if h := pl.cfg.Hooks.BeforeUpdateMemberRole; h != nil {
		if err := h(ctx, m, &newRole, *u, org); err != nil {
			return nil, hook(err)
		}
	}
	// Better Auth updates the member named in the body (target, whose organization was checked).
	n, err := pl.db.UpdateRows(ctx, "member", []store.Where{eq("id", memberID), eq("organizationId", orgID)}, store.Row{"role": newRole})
	if err != nil {
		return nil, err
	}
	updated, err := pl.findOne(ctx, "member", eq("id", memberID))
	if err != nil {
		return nil, err
	}
	if updated == nil || (n == 0 && updated.String("role") != newRole) {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	if h := pl.cfg.Hooks.AfterUpdateMemberRole; h != nil {
		if err := h(ctx, memberOfRow(updated), previous, *u, org); err != nil {
			return nil, hook(err)
		}
	}
	return memberJSON(updated, nil), nil
}

// unknownRoles returns the roles that are neither Better Auth's default roles, nor in Config.Roles, nor
// (under dynamic access control) one of the organization's organizationRole rows.
func (pl *Plugin) unknownRoles(ctx context.Context, orgID string, roles []string) ([]string, error) {
	var unknown []string
	for _, r := range roles {
		if _, ok := betterauth.DefaultOrgRoles()[r]; ok {
			continue
		}
		if _, ok := pl.cfg.Roles[r]; ok {
			continue
		}
		unknown = append(unknown, r)
	}
	if len(unknown) == 0 || !pl.cfg.DynamicAccessControl.Enabled {
		return unknown, nil
	}
	vals := make([]any, len(unknown))
	for i, r := range unknown {
		vals[i] = r
	}
	rows, err := pl.db.FindRows(ctx, "organizationRole", store.RowQuery{Where: []store.Where{eq("organizationId", orgID),
		{Field: "role", Operator: "in", Value: vals}}})
	if err != nil {
		return nil, err
	}
	var still []string
	for _, r := range unknown {
		if !slices.ContainsFunc(rows, func(row store.Row) bool { return row.String("role") == r }) {
			still = append(still, r)
		}
	}
	return still, nil
}

// getActiveMember is GET /organization/get-active-member.
func (pl *Plugin) getActiveMember(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID := activeOrganization(res)
	if orgID == "" {
		return nil, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	m, u, err := pl.memberOf(x.Context(), orgID, res.User.ID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	return memberJSON(m, u), nil
}

// leaveOrganization is POST /organization/leave.
func (pl *Plugin) leaveOrganization(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	orgID, _ := c.str(b, "organizationId", "organizationId", true, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	m, u, err := pl.memberOf(ctx, orgID, res.User.ID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, pl.err(400, "MEMBER_NOT_FOUND")
	}
	if hasRole(m.String("role"), pl.cfg.CreatorRole) {
		n, err := pl.creatorCount(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, pl.err(400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER")
		}
	}
	if err := pl.deleteMember(ctx, m.String("id"), orgID, res.User.ID); err != nil {
		return nil, err
	}
	if activeOrganization(res) == orgID {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
	}
	return memberJSON(m, u), nil
}

// listMembers is GET /organization/list-members.
func (pl *Plugin) listMembers(x *authserver.Context) (any, error) {
	q := x.Query()
	if d := q.Get("sortDirection"); d != "" && d != "asc" && d != "desc" {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: `[query.sortDirection] Invalid option: expected one of "asc"|"desc"`}
	}
	op := q.Get("filterOperator")
	if op != "" && !slices.Contains(whereOperators, op) {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query.filterOperator] Invalid option: expected one of " + quotedOptions(whereOperators)}
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	orgID, err := pl.queriedOrganizationID(ctx, q, res)
	if err != nil {
		return nil, err
	}
	if _, err := pl.requireMember(ctx, orgID, res.User.ID, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	where := []store.Where{eq("organizationId", orgID)}
	if f := q.Get("filterField"); f != "" {
		var v any = q.Get("filterValue")
		if vs := q["filterValue"]; len(vs) > 1 || op == "in" || op == "not_in" {
			list := make([]any, len(vs))
			for i, s := range vs {
				list[i] = s
			}
			v = list
		}
		where = append(where, store.Where{Field: f, Operator: op, Value: v})
	}
	limit := pl.cfg.MembershipLimit
	if n, err := strconv.ParseFloat(q.Get("limit"), 64); err == nil && n > 0 {
		limit = int(n)
	}
	offset := 0
	if n, err := strconv.ParseFloat(q.Get("offset"), 64); err == nil && n > 0 {
		offset = int(n)
	}
	rows, err := pl.db.FindRows(ctx, "member", store.RowQuery{Where: where, SortBy: q.Get("sortBy"),
		Desc: q.Get("sortDirection") == "desc", Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	total, err := pl.db.CountRows(ctx, "member", where)
	if err != nil {
		return nil, err
	}
	members, err := pl.withUsers(ctx, rows)
	if err != nil {
		return nil, err
	}
	o := &betterauth.Object{}
	o.Set("members", array(members))
	o.SetValue("total", float64(total))
	return json.RawMessage(o.Bytes()), nil
}

// whereOperators are Better Auth's adapter operators (@better-auth/core/db/adapter whereOperators).
var whereOperators = []string{"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with"}

func quotedOptions(opts []string) string {
	q := make([]string, len(opts))
	for i, o := range opts {
		b, _ := json.Marshal(o)
		q[i] = string(b)
	}
	return strings.Join(q, "|")
}

// queriedOrganizationID is the organization list-members and get-active-member-role read: the query's
// organizationId, else the session's active one, replaced by the organization of organizationSlug when
// that is given (400 ORGANIZATION_NOT_FOUND when it does not exist); 400 NO_ACTIVE_ORGANIZATION when none.
func (pl *Plugin) queriedOrganizationID(ctx context.Context, q url.Values, res *store.Result) (string, error) {
	orgID := q.Get("organizationId")
	if orgID == "" {
		orgID = activeOrganization(res)
	}
	if slug := q.Get("organizationSlug"); slug != "" {
		org, err := pl.orgBySlug(ctx, slug)
		if err != nil {
			return "", err
		}
		if org == nil {
			return "", pl.err(400, "ORGANIZATION_NOT_FOUND")
		}
		orgID = org.String("id")
	}
	if orgID == "" {
		return "", pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	return orgID, nil
}

// getActiveMemberRole is GET /organization/get-active-member-role.
func (pl *Plugin) getActiveMemberRole(x *authserver.Context) (any, error) {
	q := x.Query()
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	orgID, err := pl.queriedOrganizationID(ctx, q, res)
	if err != nil {
		return nil, err
	}
	self, err := pl.requireMember(ctx, orgID, res.User.ID, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	role := self.String("role")
	if uid := q.Get("userId"); uid != "" {
		other, err := pl.requireMember(ctx, orgID, uid, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION")
		if err != nil {
			return nil, err
		}
		role = other.String("role")
	}
	o := &betterauth.Object{}
	o.SetString("role", role)
	return json.RawMessage(o.Bytes()), nil
}
