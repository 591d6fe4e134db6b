package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-org.ts.

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// hook turns a hook's error into the answer: an APIError as it is, anything else a 500 (logged).
func hook(err error) error { return err }

// createOrganization is POST /organization/create.
func (pl *Plugin) createOrganization(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	name, _ := c.str(b, "name", "name", true, true, false)
	slug, _ := c.str(b, "slug", "slug", true, true, false)
	logo, hasLogo := c.str(b, "logo", "logo", false, false, true)
	meta, hasMeta := c.record(b, "metadata", "metadata")
	keep := c.boolean(b, "keepCurrentActiveOrganization")
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errUnauthorized
	}
	org := Organization{Name: name, Slug: slug, Metadata: meta}
	if hasLogo {
		org.Logo = &logo
	}
	if !hasMeta {
		org.Metadata = nil
	}
	out, err := pl.create(x.Context(), x, res, res.User, org, keep)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateOrganization creates an organization for the user with userID, as a server call of Better Auth's
// createOrganization with body.userId does: the creator becomes a member with the creator role;
// AllowUserToCreateOrganization is not asked (a system action), the other limits and the hooks apply. No
// session's active organization changes.
func (pl *Plugin) CreateOrganization(ctx context.Context, userID string, org Organization) (Organization, error) {
	if pl.db == nil {
		return Organization{}, errNotStarted
	}
	u, err := pl.user(ctx, userID)
	if err != nil {
		return Organization{}, err
	}
	if u == nil {
		return Organization{}, errUnauthorized
	}
	raw, err := pl.create(ctx, nil, nil, *u, org, true)
	if err != nil {
		return Organization{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &out)
	row, err := pl.orgByID(ctx, out.ID)
	if err != nil || row == nil {
		return Organization{}, err
	}
	return organizationOf(row), nil
}

// create is the body of createOrganization; x and res are nil for a server call.
func (pl *Plugin) create(ctx context.Context, x *authserver.Context, res *store.Result, u store.User, org Organization, keep bool) (json.RawMessage, error) {
	if res != nil {
		allowed := true
		if f := pl.cfg.AllowUserToCreateOrganization; f != nil {
			ok, err := f(ctx, u)
			if err != nil {
				return nil, hook(err)
			}
			allowed = ok
		}
		if !allowed {
			return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION")
		}
	}
	n, err := pl.db.CountRows(ctx, "member", []store.Where{eq("userId", u.ID)})
	if err != nil {
		return nil, err
	}
	reached := false
	switch {
	case pl.cfg.OrganizationLimitReached != nil:
		if reached, err = pl.cfg.OrganizationLimitReached(ctx, u); err != nil {
			return nil, hook(err)
		}
	case pl.cfg.OrganizationLimit > 0:
		reached = n >= pl.cfg.OrganizationLimit
	}
	if reached {
		return nil, pl.err(403, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS")
	}
	if taken, err := pl.orgBySlug(ctx, org.Slug); err != nil {
		return nil, err
	} else if taken != nil {
		return nil, pl.err(400, "ORGANIZATION_ALREADY_EXISTS")
	}
	if h := pl.cfg.Hooks.BeforeCreateOrganization; h != nil {
		if err := h(ctx, &org, u); err != nil {
			return nil, hook(err)
		}
	}
	now := nowOf(x)
	row := store.Row{"id": betterauth.NewID(), "name": org.Name, "slug": org.Slug, "logo": nil, "createdAt": now, "metadata": nil}
	if org.Logo != nil {
		row["logo"] = *org.Logo
	}
	if org.Metadata != nil {
		mb, err := storedMetadata(x, org.Metadata, "metadata")
		if err != nil {
			return nil, err
		}
		row["metadata"] = mb
	}
	if err := pl.db.CreateRow(ctx, "organization", row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, pl.err(400, "ORGANIZATION_ALREADY_EXISTS")
		}
		return nil, err
	}
	created := organizationOf(row)
	m := Member{OrganizationID: created.ID, UserID: u.ID, Role: pl.cfg.CreatorRole}
	if h := pl.cfg.Hooks.BeforeAddMember; h != nil {
		if err := h(ctx, &m, u, created); err != nil {
			return nil, hook(err)
		}
	}
	mrow, err := pl.createMember(ctx, m, nowOf(x))
	if err != nil {
		return nil, err
	}
	m = memberOfRow(mrow)
	if h := pl.cfg.Hooks.AfterAddMember; h != nil {
		if err := h(ctx, m, u, created); err != nil {
			return nil, hook(err)
		}
	}
	for _, f := range pl.onOrganizationCreated {
		if err := f(ctx, x, row, u, res, keep); err != nil {
			return nil, err
		}
	}
	if h := pl.cfg.Hooks.AfterCreateOrganization; h != nil {
		if err := h(ctx, created, m, u); err != nil {
			return nil, hook(err)
		}
	}
	if res != nil && !keep {
		if _, err := pl.setActive(x, res, created.ID); err != nil {
			return nil, err
		}
	}
	o := orgObject(row, metadataParsed)
	o.Set("members", array([]json.RawMessage{memberJSON(mrow, nil)}))
	return json.RawMessage(o.Bytes()), nil
}

// createMember writes a member row (createdAt now) and returns it.
func (pl *Plugin) createMember(ctx context.Context, m Member, now time.Time) (store.Row, error) {
	row := store.Row{"id": betterauth.NewID(), "organizationId": m.OrganizationID, "userId": m.UserID,
		"role": m.Role, "createdAt": now}
	if m.ID != "" {
		row["id"] = m.ID
	}
	if err := pl.db.CreateRow(ctx, "member", row); err != nil {
		return nil, err
	}
	return row, nil
}

// checkSlug is POST /organization/check-slug.
func (pl *Plugin) checkSlug(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	slug, _ := c.str(b, "slug", "slug", true, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := x.Session(); err != nil { // requestOnlySessionMiddleware
		return nil, err
	}
	org, err := pl.orgBySlug(x.Context(), slug)
	if err != nil {
		return nil, err
	}
	if org == nil {
		return rawJSON(`{"status":true}`), nil
	}
	return nil, pl.err(400, "ORGANIZATION_SLUG_ALREADY_TAKEN")
}

// updateOrganization is POST /organization/update.
func (pl *Plugin) updateOrganization(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	data, ok := b["data"].(map[string]any)
	if !ok {
		got := "undefined"
		if v, present := b["data"]; present {
			got = jsType(v)
		}
		c.add("data", "Invalid input: expected object, received "+got)
	}
	update := map[string]any{}
	if ok {
		if s, ok := c.str(data, "data.name", "name", false, true, false); ok {
			update["name"] = s
		}
		if s, ok := c.str(data, "data.slug", "slug", false, true, false); ok {
			update["slug"] = s
		}
		if v, present := data["logo"]; present {
			if s, ok := c.str(data, "data.logo", "logo", false, false, true); ok {
				update["logo"] = s
			} else if v == nil {
				update["logo"] = nil
			}
		}
		if m, ok := c.record(data, "data.metadata", "metadata"); ok {
			update["metadata"] = m
		}
	}
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, &authserver.APIError{Status: 401, Message: "User not found"}
	}
	orgID, err = pl.organizationOrActive(orgID, res, "ORGANIZATION_NOT_FOUND")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	mrow, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	if err := pl.requirePermission(ctx, orgID, mrow.String("role"), map[string][]string{"organization": {"update"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	if s, ok := update["slug"].(string); ok {
		existing, err := pl.orgBySlug(ctx, s)
		if err != nil {
			return nil, err
		}
		if existing != nil && existing.String("id") != orgID {
			return nil, pl.err(400, "ORGANIZATION_SLUG_ALREADY_TAKEN")
		}
	}
	m := memberOfRow(mrow)
	if h := pl.cfg.Hooks.BeforeUpdateOrganization; h != nil {
		if err := h(ctx, update, res.User, m); err != nil {
			return nil, hook(err)
		}
	}
	set := store.Row{}
	for k, v := range update {
		if k == "metadata" {
			if mm, ok := v.(map[string]any); ok {
				mb, err := storedMetadata(x, mm, "data", "metadata")
				if err != nil {
					return nil, err
				}
				v = mb
			}
		}
		if k == "id" || k == "createdAt" {
			continue
		}
		set[k] = v
	}
	if len(set) > 0 {
		if _, err := pl.db.UpdateRows(ctx, "organization", []store.Where{eq("id", orgID)}, set); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, pl.err(400, "ORGANIZATION_SLUG_ALREADY_TAKEN")
			}
			return nil, err
		}
	}
	row, err := pl.orgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return rawJSON("null"), nil
	}
	if h := pl.cfg.Hooks.AfterUpdateOrganization; h != nil {
		if err := h(ctx, organizationOf(row), res.User, m); err != nil {
			return nil, hook(err)
		}
	}
	return orgJSON(row, metadataParsed), nil
}

// deleteOrganization is POST /organization/delete.
func (pl *Plugin) deleteOrganization(x *authserver.Context) (any, error) {
	b, err := body(x)
	if err != nil {
		return nil, err
	}
	c := &checks{where: "body"}
	orgID, _ := c.str(b, "organizationId", "organizationId", true, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	if pl.cfg.DisableOrganizationDeletion {
		return nil, &authserver.APIError{Status: 404, Code: "ORGANIZATION_DELETION_DISABLED", Message: "Organization deletion is disabled"}
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errUnauthorized
	}
	if orgID == "" {
		return nil, pl.err(400, "ORGANIZATION_NOT_FOUND")
	}
	ctx := x.Context()
	mrow, err := pl.requireMember(ctx, orgID, res.User.ID, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	if err := pl.requirePermission(ctx, orgID, mrow.String("role"), map[string][]string{"organization": {"delete"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	row, err := pl.orgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, &authserver.APIError{Status: 400}
	}
	org := organizationOf(row)
	if h := pl.cfg.Hooks.BeforeDeleteOrganization; h != nil {
		if err := h(ctx, org, res.User); err != nil {
			return nil, hook(err)
		}
	}
	for _, model := range []string{"member", "invitation"} {
		if _, err := pl.db.DeleteRows(ctx, model, []store.Where{eq("organizationId", orgID)}); err != nil {
			return nil, err
		}
	}
	if _, err := pl.db.DeleteRows(ctx, "organization", []store.Where{eq("id", orgID)}); err != nil {
		return nil, err
	}
	if orgID == activeOrganization(res) {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
	}
	if h := pl.cfg.Hooks.AfterDeleteOrganization; h != nil {
		if err := h(ctx, org, res.User); err != nil {
			return nil, hook(err)
		}
	}
	return orgJSON(row, metadataStored), nil
}

// queriedOrganization is the organization get-organization and get-full-organization read: by the
// query's organizationSlug, else its organizationId, else the session's active one. It is nil (and no
// error) when none is named, and 400 ORGANIZATION_NOT_FOUND when the named one does not exist.
func (pl *Plugin) queriedOrganization(ctx context.Context, q url.Values, res *store.Result) (store.Row, error) {
	slug := q.Get("organizationSlug")
	orgID := slug
	if orgID == "" {
		orgID = q.Get("organizationId")
	}
	if orgID == "" {
		orgID = activeOrganization(res)
	}
	if orgID == "" {
		return nil, nil
	}
	var row store.Row
	var err error
	if slug != "" {
		row, err = pl.orgBySlug(ctx, orgID)
	} else {
		row, err = pl.orgByID(ctx, orgID)
	}
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, pl.err(400, "ORGANIZATION_NOT_FOUND")
	}
	return row, nil
}

// getOrganization is GET /organization/get-organization: the organization (by slug, id, or the active
// one) for a member; null without any.
func (pl *Plugin) getOrganization(x *authserver.Context) (any, error) {
	q := x.Query()
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	row, err := pl.queriedOrganization(ctx, q, res)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return rawJSON("null"), nil
	}
	m, err := pl.findOne(ctx, "member", eq("userId", res.User.ID), eq("organizationId", row.String("id")))
	if err != nil {
		return nil, err
	}
	if m == nil {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
		return nil, pl.err(403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	}
	return orgJSON(row, metadataStored), nil
}

// getFullOrganization is GET /organization/get-full-organization.
func (pl *Plugin) getFullOrganization(x *authserver.Context) (any, error) {
	q := x.Query()
	limit := pl.cfg.MembershipLimit
	if v := q.Get("membersLimit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			limit = n
		}
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	row, err := pl.queriedOrganization(ctx, q, res)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return rawJSON("null"), nil
	}
	id := row.String("id")
	invitations, err := pl.db.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{eq("organizationId", id)}})
	if err != nil {
		return nil, err
	}
	members, err := pl.db.FindRows(ctx, "member", store.RowQuery{Where: []store.Where{eq("organizationId", id)}, Limit: limit})
	if err != nil {
		return nil, err
	}
	memberJSONs, err := pl.withUsers(ctx, members)
	if err != nil {
		return nil, err
	}
	var teams json.RawMessage
	if pl.fullOrganizationTeams != nil {
		if teams, err = pl.fullOrganizationTeams(ctx, id); err != nil {
			return nil, err
		}
	}
	self, _, err := pl.memberOf(ctx, id, res.User.ID)
	if err != nil {
		return nil, err
	}
	if self == nil {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
		return nil, pl.err(403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	}
	visible, err := pl.visibleInvitations(ctx, id, self.String("role"), invitations)
	if err != nil {
		return nil, err
	}
	o := orgObject(row, metadataStored)
	o.Set("invitations", array(visible))
	o.Set("members", array(memberJSONs))
	if teams != nil {
		o.Set("teams", teams)
	}
	return json.RawMessage(o.Bytes()), nil
}

// visibleInvitations is canViewInvitations and withoutCreatorRoleInvitations: the invitations a member
// with role may see (none without the invitation:create permission; those granting the creator role only
// to a creator).
func (pl *Plugin) visibleInvitations(ctx context.Context, orgID, role string, invitations []store.Row) ([]json.RawMessage, error) {
	out := []json.RawMessage{}
	if len(invitations) == 0 {
		return out, nil
	}
	ok, err := pl.can(ctx, orgID, role, map[string][]string{"invitation": {"create"}}, false)
	if err != nil || !ok {
		return out, err
	}
	creator := hasRole(role, pl.cfg.CreatorRole)
	for _, inv := range invitations {
		if !creator && hasRole(inv.String("role"), pl.cfg.CreatorRole) {
			continue
		}
		out = append(out, pl.invitationJSON(inv))
	}
	return out, nil
}

// setActiveOrganization is POST /organization/set-active.
func (pl *Plugin) setActiveOrganization(x *authserver.Context) (any, error) {
	b := x.Body()
	if b == nil {
		b = map[string]any{}
	}
	c := &checks{where: "body"}
	idVal, idPresent := b["organizationId"]
	orgID, _ := c.str(b, "organizationId", "organizationId", false, false, true)
	slug, _ := c.str(b, "organizationSlug", "organizationSlug", false, false, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if idPresent && idVal == nil {
		if activeOrganization(res) == "" {
			return rawJSON("null"), nil
		}
		if err := pl.setActiveWithCookie(x, res, nil); err != nil {
			return nil, err
		}
		return rawJSON("null"), nil
	}
	if orgID == "" && slug == "" {
		orgID = activeOrganization(res)
		if orgID == "" {
			return rawJSON("null"), nil
		}
	}
	if slug != "" && orgID == "" {
		org, err := pl.orgBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		if org == nil {
			return nil, pl.err(400, "ORGANIZATION_NOT_FOUND")
		}
		orgID = org.String("id")
	}
	m, err := pl.findOne(ctx, "member", eq("userId", res.User.ID), eq("organizationId", orgID))
	if err != nil {
		return nil, err
	}
	if m == nil {
		if _, err := pl.setActive(x, res, nil); err != nil {
			return nil, err
		}
		return nil, pl.err(403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	}
	org, err := pl.orgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if org == nil {
		return nil, pl.err(400, "ORGANIZATION_NOT_FOUND")
	}
	if err := pl.setActiveWithCookie(x, res, org.String("id")); err != nil {
		return nil, err
	}
	return orgJSON(org, metadataStored), nil
}

// listOrganizations is GET /organization/list: the organizations the user is a member of.
func (pl *Plugin) listOrganizations(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	members, err := pl.db.FindRows(ctx, "member", store.RowQuery{Where: []store.Where{eq("userId", res.User.ID)}})
	if err != nil {
		return nil, err
	}
	out := []json.RawMessage{}
	if len(members) == 0 {
		return array(out), nil
	}
	ids := make([]any, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.String("organizationId"))
	}
	orgs, err := pl.db.FindRows(ctx, "organization", store.RowQuery{Where: []store.Where{{Field: "id", Operator: "in", Value: ids}}})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Row, len(orgs))
	for _, o := range orgs {
		byID[o.String("id")] = o
	}
	for _, m := range members {
		if o, ok := byID[m.String("organizationId")]; ok {
			out = append(out, orgJSON(o, metadataStored))
		}
	}
	return array(out), nil
}

// organizationOf reads an organization row.
func organizationOf(r store.Row) Organization {
	o := Organization{ID: r.String("id"), Name: r.String("name"), Slug: r.String("slug")}
	if s, ok := r["logo"].(string); ok {
		o.Logo = &s
	}
	if s := r.String("metadata"); s != "" {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			o.Metadata = m
		}
	}
	o.CreatedAt = timeOf(r["createdAt"])
	return o
}

// memberOfRow reads a member row.
func memberOfRow(r store.Row) Member {
	return Member{ID: r.String("id"), OrganizationID: r.String("organizationId"), UserID: r.String("userId"),
		Role: r.String("role"), CreatedAt: timeOf(r["createdAt"])}
}

// invitationOf reads an invitation row.
func invitationOf(r store.Row) Invitation {
	return Invitation{ID: r.String("id"), OrganizationID: r.String("organizationId"), Email: r.String("email"),
		Role: r.String("role"), TeamID: r.String("teamId"), Status: r.String("status"),
		ExpiresAt: timeOf(r["expiresAt"]), CreatedAt: timeOf(r["createdAt"]), InviterID: r.String("inviterId")}
}

// hasRole reports whether the role value (comma-separated) holds name.
func hasRole(role, name string) bool {
	for _, r := range betterauth.ParseRoleList(role) {
		if r == name {
			return true
		}
	}
	return false
}
