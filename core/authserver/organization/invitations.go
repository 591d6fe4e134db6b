package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-invites.ts.

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// errInvalidEmail is BASE_ERROR_CODES.INVALID_EMAIL.
var errInvalidEmail = &authserver.APIError{Status: 400, Code: "INVALID_EMAIL", Message: "Invalid email"}

// pendingInvitations returns the pending, unexpired invitations of orgID (of email when it is not "").
func (pl *Plugin) pendingInvitations(x *authserver.Context, orgID, email string) ([]store.Row, error) {
	where := []store.Where{eq("organizationId", orgID), eq("status", "pending")}
	if email != "" {
		where = append([]store.Where{eq("email", strings.ToLower(email))}, where...)
	}
	rows, err := pl.db.FindRows(x.Context(), "invitation", store.RowQuery{Where: where})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if timeOf(r["expiresAt"]).After(x.Now()) {
			out = append(out, r)
		}
	}
	return out, nil
}

// createInvitation is POST /organization/invite-member.
func (pl *Plugin) createInvitation(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	rawEmail, _ := c.str(b, "email", "email", true, false, false)
	roleVal, _ := c.role(b, "role", true)
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, false)
	resend := c.boolean(b, "resend")
	teamVal, hasTeam := b["teamId"]
	if hasTeam && teamVal != nil {
		if _, ok := c.role(b, "teamId", false); !ok {
			c.issues = c.issues[:len(c.issues)-1]
			c.add("teamId", "Invalid input")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID, err = pl.organizationOrActive(orgID, res, "ORGANIZATION_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	email := strings.ToLower(rawEmail)
	if !authserver.ValidEmail(email) {
		return nil, errInvalidEmail
	}
	ctx := x.Context()
	self, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "MEMBER_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	selfRole := self.String("role")
	if err := pl.requirePermission(ctx, orgID, selfRole, map[string][]string{"invitation": {"create"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	roles := roleList(roleVal)
	if len(roles) == 0 {
		return nil, pl.err(400, "ROLE_NOT_FOUND")
	}
	if unknown, err := pl.unknownRoles(ctx, orgID, roles); err != nil {
		return nil, err
	} else if len(unknown) > 0 {
		return nil, &authserver.APIError{Status: 400, Message: "ROLE_NOT_FOUND: " + strings.Join(unknown, ", ")}
	}
	creator := pl.cfg.CreatorRole
	selfIsCreator := hasRole(selfRole, creator)
	if !selfIsCreator && containsRole(roles, creator) {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE")
	}
	if m, _, err := pl.memberByEmail(ctx, orgID, email); err != nil {
		return nil, err
	} else if m != nil {
		return nil, pl.err(400, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION")
	}
	already, err := pl.pendingInvitations(x, orgID, email)
	if err != nil {
		return nil, err
	}
	if len(already) > 0 && !resend && !pl.cfg.CancelPendingInvitationsOnReInvite {
		return nil, pl.err(400, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION")
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(already) > 0 && resend {
		existing := already[0]
		if !selfIsCreator && hasRole(existing.String("role"), creator) {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE")
		}
		exp := x.Now().Add(pl.cfg.InvitationExpiresIn)
		if _, err := pl.db.UpdateRows(ctx, "invitation", []store.Where{eq("id", existing.String("id"))}, store.Row{"expiresAt": exp}); err != nil {
			return nil, err
		}
		existing["expiresAt"] = exp
		pl.sendInvitation(x, existing, org, res.User)
		return pl.invitationJSON(existing), nil
	}
	if len(already) > 0 && pl.cfg.CancelPendingInvitationsOnReInvite {
		if _, err := pl.updateInvitation(ctx, already[0].String("id"), "canceled", ""); err != nil {
			return nil, err
		}
	}
	pending, err := pl.pendingInvitations(x, orgID, "")
	if err != nil {
		return nil, err
	}
	if len(pending) >= pl.cfg.InvitationLimit {
		return nil, pl.err(403, "INVITATION_LIMIT_REACHED")
	}
	var teamIDs []string
	if pl.cfg.Teams.Enabled && hasTeam && betterauth.Truthy(teamVal) && pl.inviteTeams != nil {
		if teamIDs, err = pl.inviteTeams(x, orgID, teamVal, res); err != nil {
			return nil, err
		}
	} else if hasTeam {
		teamIDs = roleValues(teamVal)
	}
	inv := Invitation{OrganizationID: orgID, Email: email, Role: strings.Join(roles, ","), Status: "pending",
		InviterID: res.User.ID, ExpiresAt: x.Now().Add(pl.cfg.InvitationExpiresIn), CreatedAt: x.Now()}
	if len(teamIDs) > 0 {
		inv.TeamID = teamIDs[0]
	}
	if h := pl.cfg.Hooks.BeforeCreateInvitation; h != nil {
		if err := h(ctx, &inv, res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	row := store.Row{"id": betterauth.NewID(), "organizationId": inv.OrganizationID, "email": inv.Email, "role": inv.Role,
		"status": "pending", "expiresAt": inv.ExpiresAt, "createdAt": inv.CreatedAt, "inviterId": inv.InviterID}
	if pl.cfg.Teams.Enabled {
		row["teamId"] = nil
		if len(teamIDs) > 0 {
			row["teamId"] = strings.Join(teamIDs, ",")
		}
	}
	if err := pl.db.CreateRow(ctx, "invitation", row); err != nil {
		return nil, err
	}
	pl.sendInvitation(x, row, org, res.User)
	if h := pl.cfg.Hooks.AfterCreateInvitation; h != nil {
		if err := h(ctx, invitationOf(row), res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	return pl.invitationJSON(row), nil
}

// sendInvitation queues the invitation email when Config.SendInvitationEmail is set.
func (pl *Plugin) sendInvitation(x *authserver.Context, inv store.Row, org Organization, inviter store.User) {
	if !pl.cfg.SendInvitationEmail {
		return
	}
	email := strings.ToLower(inv.String("email"))
	var to store.User
	if u, err := x.Database().UserByEmail(x.Context(), email); err == nil {
		to = *u
	}
	x.SendEmail(authserver.Email{Kind: authserver.EmailOrganizationInvitation, To: email, User: to,
		Token: inv.String("id"), Invitation: &authserver.EmailInvitation{ID: inv.String("id"), Role: inv.String("role"),
			OrganizationID: org.ID, OrganizationName: org.Name, OrganizationSlug: org.Slug, Inviter: inviter,
			ExpiresAt: timeOf(inv["expiresAt"])}})
}

// containsRole reports whether roles holds name.
func containsRole(roles []string, name string) bool {
	for _, r := range roles {
		if r == name {
			return true
		}
	}
	return false
}

// roleValues reads a string or an array of strings.
func roleValues(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// invitationBody reads {invitationId} as the accept, reject and cancel endpoints' schemas do.
func invitationBody(x *authserver.Context) (string, error) {
	b, err := body(x)
	if err != nil {
		return "", err
	}
	c := &checks{where: "body"}
	id, _ := c.str(b, "invitationId", "invitationId", true, false, false)
	return id, c.err()
}

// invitationRequest reads what accept-, reject- and cancel-invitation start with, in Better Auth's order:
// the body's invitationId, the session, then the invitation row (nil when there is none).
func (pl *Plugin) invitationRequest(x *authserver.Context) (string, *store.Result, store.Row, error) {
	id, err := invitationBody(x)
	if err != nil {
		return "", nil, nil, err
	}
	res, err := x.Session()
	if err != nil {
		return "", nil, nil, err
	}
	inv, err := pl.findOne(x.Context(), "invitation", eq("id", id))
	if err != nil {
		return "", nil, nil, err
	}
	return id, res, inv, nil
}

// checkRecipient refuses u when inv is not addressed to u's email (403
// YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION) or when u must verify the email first (403 with verifyCode).
func (pl *Plugin) checkRecipient(inv store.Row, u store.User, verifyCode string) error {
	if !strings.EqualFold(inv.String("email"), u.Email) {
		return pl.err(403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION")
	}
	if pl.mustVerify(u) {
		return pl.err(403, verifyCode)
	}
	return nil
}

// invitationHook is the shape of the hooks around a rejection or a cancellation.
type invitationHook = func(ctx context.Context, inv Invitation, u store.User, org Organization) error

// closeInvitation sets the status of inv (found by id) (rejected or canceled) between the before and after hooks (either may
// be nil); the after hook sees the updated invitation, or inv when the update found no row, which is
// then answered as nil.
func (pl *Plugin) closeInvitation(ctx context.Context, id string, inv store.Row, status string, u store.User, org Organization, before, after invitationHook) (store.Row, error) {
	if before != nil {
		if err := before(ctx, invitationOf(inv), u, org); err != nil {
			return nil, hook(err)
		}
	}
	updated, err := pl.updateInvitation(ctx, id, status, "")
	if err != nil {
		return nil, err
	}
	if after != nil {
		seen := inv
		if updated != nil {
			seen = updated
		}
		if err := after(ctx, invitationOf(seen), u, org); err != nil {
			return nil, hook(err)
		}
	}
	return updated, nil
}

// mustVerify reports whether accepting, rejecting or reading an invitation needs a verified email
// (requireEmailVerificationOnInvitation; the server's ids are opaque, so Better Auth's default is off).
func (pl *Plugin) mustVerify(u store.User) bool {
	return pl.cfg.RequireEmailVerificationOnInvitation && !u.EmailVerified
}

// acceptInvitation is POST /organization/accept-invitation.
func (pl *Plugin) acceptInvitation(x *authserver.Context) (any, error) {
	id, res, inv, err := pl.invitationRequest(x)
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if inv == nil || timeOf(inv["expiresAt"]).Before(x.Now()) || inv.String("status") != "pending" {
		return nil, pl.err(400, "INVITATION_NOT_FOUND")
	}
	if err := pl.checkRecipient(inv, res.User, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION"); err != nil {
		return nil, err
	}
	orgID := inv.String("organizationId")
	n, err := pl.db.CountRows(ctx, "member", []store.Where{eq("organizationId", orgID)})
	if err != nil {
		return nil, err
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if n >= pl.cfg.MembershipLimit {
		return nil, pl.err(403, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED")
	}
	if h := pl.cfg.Hooks.BeforeAcceptInvitation; h != nil {
		if err := h(ctx, invitationOf(inv), res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	accepted, err := pl.updateInvitation(ctx, id, "accepted", "pending")
	if err != nil {
		return nil, err
	}
	if accepted == nil {
		return nil, pl.err(400, "INVITATION_NOT_FOUND")
	}
	member, err := pl.joinFromInvitation(x, res, accepted, org)
	if err != nil {
		if _, rerr := pl.updateInvitation(ctx, id, "pending", "accepted"); rerr != nil {
			x.Logger().Error("auth: organization: could not put back an invitation whose acceptance failed", "invitation", id, "err", rerr)
		}
		return nil, err
	}
	if h := pl.cfg.Hooks.AfterAcceptInvitation; h != nil {
		if err := h(ctx, invitationOf(accepted), memberOfRow(member), res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	o := &betterauth.Object{}
	o.Set("invitation", pl.invitationJSON(accepted))
	o.Set("member", memberJSON(member, nil))
	return json.RawMessage(o.Bytes()), nil
}

// joinFromInvitation makes the session's user a member as an accepted invitation says (its teams first),
// and makes the organization the session's active one.
func (pl *Plugin) joinFromInvitation(x *authserver.Context, res *store.Result, inv store.Row, org Organization) (store.Row, error) {
	if pl.cfg.Teams.Enabled && inv.String("teamId") != "" && pl.acceptTeams != nil {
		if err := pl.acceptTeams(x, inv, res); err != nil {
			return nil, err
		}
	}
	m := Member{OrganizationID: inv.String("organizationId"), UserID: res.User.ID,
		Role: strings.Join(betterauth.ParseRoleList(inv.String("role")), ",")}
	row, err := pl.createMember(x.Context(), m, x.Now())
	if err != nil {
		return nil, err
	}
	if _, err := pl.setActive(x, res, m.OrganizationID); err != nil {
		return nil, err
	}
	return row, nil
}

// rejectInvitation is POST /organization/reject-invitation.
func (pl *Plugin) rejectInvitation(x *authserver.Context) (any, error) {
	id, res, inv, err := pl.invitationRequest(x)
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if inv == nil || inv.String("status") != "pending" {
		return nil, &authserver.APIError{Status: 400, Code: "INVITATION_NOT_FOUND", Message: "Invitation not found!"}
	}
	if err := pl.checkRecipient(inv, res.User, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION"); err != nil {
		return nil, err
	}
	org, err := pl.requireOrganization(ctx, inv.String("organizationId"))
	if err != nil {
		return nil, err
	}
	rejected, err := pl.closeInvitation(ctx, id, inv, "rejected", res.User, org, pl.cfg.Hooks.BeforeRejectInvitation, pl.cfg.Hooks.AfterRejectInvitation)
	if err != nil {
		return nil, err
	}
	o := &betterauth.Object{}
	if rejected != nil {
		o.Set("invitation", pl.invitationJSON(rejected))
	} else {
		o.SetValue("invitation", nil)
	}
	o.SetValue("member", nil)
	return json.RawMessage(o.Bytes()), nil
}

// cancelInvitation is POST /organization/cancel-invitation.
func (pl *Plugin) cancelInvitation(x *authserver.Context) (any, error) {
	id, res, inv, err := pl.invitationRequest(x)
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if inv == nil {
		return nil, pl.err(400, "INVITATION_NOT_FOUND")
	}
	orgID := inv.String("organizationId")
	self, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "MEMBER_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	if err := pl.requirePermission(ctx, orgID, self.String("role"), map[string][]string{"invitation": {"cancel"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION"); err != nil {
		return nil, err
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	canceled, err := pl.closeInvitation(ctx, id, inv, "canceled", res.User, org, pl.cfg.Hooks.BeforeCancelInvitation, pl.cfg.Hooks.AfterCancelInvitation)
	if err != nil {
		return nil, err
	}
	if canceled == nil {
		return rawJSON("null"), nil
	}
	return pl.invitationJSON(canceled), nil
}

// getInvitation is GET /organization/get-invitation.
func (pl *Plugin) getInvitation(x *authserver.Context) (any, error) {
	id := x.Query().Get("id")
	if _, ok := x.Query()["id"]; !ok {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query.id] Invalid input: expected string, received undefined"}
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, &authserver.APIError{Status: 401, Message: "Not authenticated"}
	}
	ctx := x.Context()
	inv, err := pl.findOne(ctx, "invitation", eq("id", id))
	if err != nil {
		return nil, err
	}
	if inv == nil || inv.String("status") != "pending" || timeOf(inv["expiresAt"]).Before(x.Now()) {
		return nil, pl.err(400, "INVITATION_NOT_FOUND")
	}
	if err := pl.checkRecipient(inv, res.User, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION"); err != nil {
		return nil, err
	}
	orgRow, err := pl.orgByID(ctx, inv.String("organizationId"))
	if err != nil {
		return nil, err
	}
	if orgRow == nil {
		return nil, pl.err(400, "ORGANIZATION_NOT_FOUND")
	}
	inviter, inviterUser, err := pl.memberOf(ctx, inv.String("organizationId"), inv.String("inviterId"))
	if err != nil {
		return nil, err
	}
	if inviter == nil {
		return nil, pl.err(400, "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION")
	}
	o := pl.invitationObject(inv)
	o.SetString("organizationName", orgRow.String("name"))
	o.SetString("organizationSlug", orgRow.String("slug"))
	o.SetString("inviterEmail", inviterUser.Email)
	return json.RawMessage(o.Bytes()), nil
}

// listInvitations is GET /organization/list-invitations.
func (pl *Plugin) listInvitations(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID := x.Query().Get("organizationId")
	if orgID == "" {
		orgID = activeOrganization(res)
	}
	if orgID == "" {
		return nil, &authserver.APIError{Status: 400, Message: "Organization ID is required"}
	}
	ctx := x.Context()
	self, _, err := pl.memberOf(ctx, orgID, res.User.ID)
	if err != nil {
		return nil, err
	}
	if self == nil {
		return nil, &authserver.APIError{Status: 403, Message: "You are not a member of this organization"}
	}
	role := self.String("role")
	if err := pl.requirePermission(ctx, orgID, role, map[string][]string{"invitation": {"create"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS"); err != nil {
		return nil, err
	}
	rows, err := pl.db.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{eq("organizationId", orgID)}})
	if err != nil {
		return nil, err
	}
	out := []json.RawMessage{}
	creator := hasRole(role, pl.cfg.CreatorRole)
	for _, inv := range rows {
		if !creator && hasRole(inv.String("role"), pl.cfg.CreatorRole) {
			continue
		}
		out = append(out, pl.invitationJSON(inv))
	}
	return array(out), nil
}

// listUserInvitations is GET /organization/list-user-invitations: the session user's pending invitations,
// each with its organization's name.
func (pl *Plugin) listUserInvitations(x *authserver.Context) (any, error) {
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	if x.Query().Get("email") != "" {
		return nil, &authserver.APIError{Status: 400, Message: "User email cannot be passed for client side API calls."}
	}
	if res != nil && !res.User.EmailVerified {
		return nil, pl.err(403, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION")
	}
	if res == nil {
		return nil, &authserver.APIError{Status: 400, Message: "Missing session headers, or email query parameter."}
	}
	ctx := x.Context()
	rows, err := pl.db.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{eq("email", strings.ToLower(res.User.Email))}})
	if err != nil {
		return nil, err
	}
	out := []json.RawMessage{}
	names := map[string]any{}
	for _, inv := range rows {
		if inv.String("status") != "pending" {
			continue
		}
		orgID := inv.String("organizationId")
		name, ok := names[orgID]
		if !ok {
			org, err := pl.orgByID(ctx, orgID)
			if err != nil {
				return nil, err
			}
			if org != nil {
				name = org.String("name")
			}
			names[orgID] = name
		}
		o := pl.invitationObject(inv)
		if name != nil { // undefined (left out) when the organization is gone
			o.SetValue("organizationName", name)
		}
		out = append(out, o.Bytes())
	}
	return array(out), nil
}
