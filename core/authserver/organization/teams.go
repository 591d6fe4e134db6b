package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-team.ts (the team endpoints, each in its
// order of checks), the team part of organization.ts (the team and teamMember tables, invitation.teamId,
// session.activeTeamId) and the team methods of adapter.ts (the memberCount seat counter and the
// membershipKey that keeps one teamMember row per user and team).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// TeamsConfig is the plugin's teams option (teams: {...}). The zero value is off.
type TeamsConfig struct {
	// Enabled turns teams on (teams.enabled): the team and teamMember tables, invitation.teamId,
	// session.activeTeamId and the /organization/*-team* endpoints.
	Enabled bool
	// MaximumTeams is how many teams an organization may have (teams.maximumTeams): one more is 400
	// YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS. 0 means no limit, as in Better Auth.
	MaximumTeams int
	// MaximumMembersPerTeam is how many members a team may have (teams.maximumMembersPerTeam): one more
	// is 403 TEAM_MEMBER_LIMIT_REACHED. 0 means no limit (Better Auth's option left out).
	MaximumMembersPerTeam int
	// MaximumTeamsFor and MaximumMembersPerTeamFor, when set, decide the limits per organization and
	// team instead of MaximumTeams and MaximumMembersPerTeam (Better Auth's function forms); 0 means no
	// limit, and an error refuses the request with it.
	MaximumTeamsFor          func(ctx context.Context, organizationID string) (int, error)
	MaximumMembersPerTeamFor func(ctx context.Context, teamID, organizationID string) (int, error)
	// AllowRemovingAllTeams lets /organization/remove-team remove an organization's last team
	// (teams.allowRemovingAllTeams); otherwise that is 400 UNABLE_TO_REMOVE_LAST_TEAM.
	AllowRemovingAllTeams bool
	// DisableDefaultTeam stops /organization/create from creating a team named after the organization
	// with its creator in it (teams.defaultTeam.enabled: false). By default it is created and made the
	// creator's active team.
	DisableDefaultTeam bool
	// Hooks run around the team writes (Better Auth's organizationHooks for teams). Nil functions do
	// nothing.
	Hooks TeamHooks
}

// TeamHooks are Better Auth's team organizationHooks: functions the plugin calls around its team writes,
// with the request's context. A Before hook that returns an error refuses the request with it (an
// [*authserver.APIError] is answered as it is, anything else as 500); an After hook's error is answered the
// same way, after the write. u is the user acting (for the team member hooks, the user added or removed).
type TeamHooks struct {
	// BeforeCreateTeam may change the new team's name; it runs for create-team and the default team.
	BeforeCreateTeam func(ctx context.Context, team *Team, u store.User, org Organization) error
	AfterCreateTeam  func(ctx context.Context, team Team, u store.User, org Organization) error
	// BeforeUpdateTeam may change the update (field name → value: "name").
	BeforeUpdateTeam func(ctx context.Context, team Team, update map[string]any, u store.User, org Organization) error
	AfterUpdateTeam  func(ctx context.Context, team Team, u store.User, org Organization) error
	// BeforeDeleteTeam and AfterDeleteTeam run around remove-team.
	BeforeDeleteTeam func(ctx context.Context, team Team, u store.User, org Organization) error
	AfterDeleteTeam  func(ctx context.Context, team Team, u store.User, org Organization) error
	// BeforeAddTeamMember and AfterAddTeamMember run around add-team-member (m has no ID before).
	BeforeAddTeamMember func(ctx context.Context, m TeamMember, team Team, u store.User, org Organization) error
	AfterAddTeamMember  func(ctx context.Context, m TeamMember, team Team, u store.User, org Organization) error
	// BeforeRemoveTeamMember and AfterRemoveTeamMember run around remove-team-member.
	BeforeRemoveTeamMember func(ctx context.Context, m TeamMember, team Team, u store.User, org Organization) error
	AfterRemoveTeamMember  func(ctx context.Context, m TeamMember, team Team, u store.User, org Organization) error
}

// Team is a row of the team table (without memberCount, which the plugin keeps to itself).
type Team struct {
	ID             string
	Name           string
	OrganizationID string
	CreatedAt      time.Time
	// UpdatedAt is nil when NULL (a default team never updated).
	UpdatedAt *time.Time
}

// TeamMember is a row of the teamMember table (without membershipKey).
type TeamMember struct {
	ID     string
	TeamID string
	UserID string
	// CreatedAt is when the user joined.
	CreatedAt time.Time
}

// teamOf reads a team row.
func teamOf(r store.Row) Team {
	t := Team{ID: r.String("id"), Name: r.String("name"), OrganizationID: r.String("organizationId"), CreatedAt: timeOf(r["createdAt"])}
	if u, ok := r["updatedAt"].(time.Time); ok {
		t.UpdatedAt = &u
	}
	return t
}

// teamMemberOf reads a teamMember row.
func teamMemberOf(r store.Row) TeamMember {
	return TeamMember{ID: r.String("id"), TeamID: r.String("teamId"), UserID: r.String("userId"), CreatedAt: timeOf(r["createdAt"])}
}

// teamSchema are the team and teamMember tables as Better Auth's migrator creates them.
var teamSchema = []sqlstore.Table{
	{Name: "team", Fields: []sqlstore.Field{
		{Name: "name", Type: sqlstore.FieldString, Required: true},
		{Name: "memberCount", Type: sqlstore.FieldNumber, Required: true, Default: 0},
		{Name: "organizationId", Type: sqlstore.FieldString, Required: true, References: "organization", Index: true},
		{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
		{Name: "updatedAt", Type: sqlstore.FieldDate},
	}},
	{Name: "teamMember", Fields: []sqlstore.Field{
		{Name: "teamId", Type: sqlstore.FieldString, Required: true, References: "team", Index: true},
		{Name: "userId", Type: sqlstore.FieldString, Required: true, References: "user", Index: true},
		{Name: "membershipKey", Type: sqlstore.FieldString, Unique: true},
		{Name: "createdAt", Type: sqlstore.FieldDate},
	}},
}

// The fields of a team and a team member as Better Auth's adapter returns them (schema order, id last),
// without memberCount and membershipKey, which the plugin strips.
var (
	teamJSONFields       = []string{"name", "organizationId", "createdAt", "updatedAt", "id"}
	teamMemberJSONFields = []string{"teamId", "userId", "createdAt", "id"}
)

func init() {
	extensions = append(extensions, func(pl *Plugin) {
		if !pl.cfg.Teams.Enabled {
			return
		}
		pl.teamTables = append(pl.teamTables, teamSchema...)
		pl.onOrganizationCreated = append(pl.onOrganizationCreated, pl.defaultTeam)
		pl.onMemberDeleted = append(pl.onMemberDeleted, pl.leaveTeams)
		pl.fullOrganizationTeams = pl.fullOrgTeams
		pl.inviteTeams = pl.checkInviteTeams
		pl.acceptTeams = pl.joinInvitedTeams
		pl.addMemberTeam = pl.addToTeam
		pl.extraEndpoints = append(pl.extraEndpoints,
			post("/organization/create-team", "createTeam", pl.createTeam),
			get("/organization/list-teams", "listOrganizationTeams", pl.listTeams),
			post("/organization/remove-team", "removeTeam", pl.removeTeam),
			post("/organization/update-team", "updateTeam", pl.updateTeam),
			post("/organization/set-active-team", "setActiveTeam", pl.setActiveTeam),
			get("/organization/list-user-teams", "listUserTeams", pl.listUserTeams),
			get("/organization/list-team-members", "listTeamMembers", pl.listTeamMembers),
			post("/organization/add-team-member", "addTeamMember", pl.addTeamMember),
			post("/organization/remove-team-member", "removeTeamMember", pl.removeTeamMember),
		)
	})
}

// errUnauthorized is APIError.fromStatus("UNAUTHORIZED"): a 401 without code or message, what the
// endpoints that read the session themselves (getSessionFromCtx) answer without one.
var errUnauthorized = &authserver.APIError{Status: 401}

// optionalSession is getSessionFromCtx: the session, or nil without one; other errors are returned.
func optionalSession(x *authserver.Context) (*store.Result, error) {
	res, err := x.Session()
	if ae, ok := errors.AsType[*authserver.APIError](err); ok && ae.Status == 401 {
		return nil, nil
	}
	return res, err
}

// sessionString returns a session's additional string field (activeOrganizationId, activeTeamId); ok is
// false when it is NULL or absent.
func sessionString(res *store.Result, field string) (string, bool) {
	if res == nil {
		return "", false
	}
	s, ok := res.Session.Additional[field].(string)
	return s, ok
}

// orString is JavaScript's a || b for strings.
func orString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// createTeam is POST /organization/create-team {name, organizationId?}.
func (pl *Plugin) createTeam(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "name", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "organizationId", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	active, _ := sessionString(res, "activeOrganizationId")
	orgID := orString(x.String("organizationId"), active)
	if res == nil {
		return nil, errUnauthorized
	}
	if orgID == "" {
		return nil, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	ctx := x.Context()
	if err := pl.teamGuard(ctx, res.User.ID, orgID, "team", "create", 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION",
		"YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	team, err := pl.newTeam(ctx, orgID, x.String("name"), res.User, x.Now())
	if err != nil {
		return nil, err
	}
	return rowJSON(team, teamJSONFields), nil
}

// newTeam is the rest of create-team once the caller may create teams in orgID: the team limit (400
// YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS), the organization (400 ORGANIZATION_NOT_FOUND), the team
// with its hooks.
func (pl *Plugin) newTeam(ctx context.Context, orgID, name string, u store.User, now time.Time) (store.Row, error) {
	teams, err := pl.teamRows(ctx, orgID)
	if err != nil {
		return nil, err
	}
	max := pl.cfg.Teams.MaximumTeams
	if f := pl.cfg.Teams.MaximumTeamsFor; f != nil {
		if max, err = f(ctx, orgID); err != nil {
			return nil, hook(err)
		}
	}
	if max > 0 && len(teams) >= max {
		return nil, pl.err(400, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS")
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return pl.insertTeam(ctx, Team{Name: name, OrganizationID: orgID, CreatedAt: now, UpdatedAt: &now}, u, org)
}

// CreateTeam creates a team in the organization with orgID, as Better Auth's createTeam does when the
// server calls it without a session: no membership or permission check, but MaximumTeams, the
// organization's existence and the team hooks (with a zero user).
func (pl *Plugin) CreateTeam(ctx context.Context, orgID, name string) (Team, error) {
	if pl.db == nil {
		return Team{}, errNotStarted
	}
	if !pl.cfg.Teams.Enabled {
		return Team{}, errTeamsOff
	}
	if orgID == "" {
		return Team{}, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	r, err := pl.newTeam(ctx, orgID, name, store.User{}, nowOf(nil))
	if err != nil {
		return Team{}, err
	}
	return teamOf(r), nil
}

// RemoveTeam removes a team of the organization with orgID, as Better Auth's removeTeam does when the
// server calls it without a session: no membership or permission check, but the team must be the
// organization's (400 TEAM_NOT_FOUND), not its last unless AllowRemovingAllTeams, and the team hooks run
// (with a zero user); pending invitations forget the team.
func (pl *Plugin) RemoveTeam(ctx context.Context, orgID, teamID string) error {
	if pl.db == nil {
		return errNotStarted
	}
	if !pl.cfg.Teams.Enabled {
		return errTeamsOff
	}
	if orgID == "" {
		return pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	return pl.dropTeam(ctx, orgID, teamID, store.User{}, nowOf(nil))
}

// errTeamsOff is the error of the team server calls without Config.Teams.
var errTeamsOff = errors.New("auth: organization: teams are off (Config.Teams.Enabled)")

// removeTeam is POST /organization/remove-team {teamId, organizationId?}.
func (pl *Plugin) removeTeam(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "teamId", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "organizationId", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	res, err := optionalSession(x)
	if err != nil {
		return nil, err
	}
	orgID, err := pl.organizationOrActive(x.String("organizationId"), res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errUnauthorized
	}
	ctx := x.Context()
	teamID := x.String("teamId")
	m, _, err := pl.memberOf(ctx, orgID, res.User.ID)
	if err != nil {
		return nil, err
	}
	if activeTeam, ok := sessionString(res, "activeTeamId"); m == nil || ok && activeTeam == teamID {
		return nil, pl.err(403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM")
	}
	if err := pl.requirePermission(ctx, orgID, m.String("role"), map[string][]string{"team": {"delete"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	if err := pl.dropTeam(ctx, orgID, teamID, res.User, x.Now()); err != nil {
		return nil, err
	}
	return map[string]string{"message": "Team removed successfully."}, nil
}

// dropTeam is the rest of remove-team once the caller may remove teams in orgID: the team (400
// TEAM_NOT_FOUND), the last-team rule (400 UNABLE_TO_REMOVE_LAST_TEAM), the organization (400
// ORGANIZATION_NOT_FOUND), then the deletion with its hooks.
func (pl *Plugin) dropTeam(ctx context.Context, orgID, teamID string, u store.User, now time.Time) error {
	team, err := pl.teamRow(ctx, teamID, orgID)
	if err != nil {
		return err
	}
	if team == nil || team.String("organizationId") != orgID {
		return pl.err(400, "TEAM_NOT_FOUND")
	}
	if !pl.cfg.Teams.AllowRemovingAllTeams {
		n, err := pl.db.CountRows(ctx, "team", []store.Where{eq("organizationId", orgID)})
		if err != nil {
			return err
		}
		if n <= 1 {
			return pl.err(400, "UNABLE_TO_REMOVE_LAST_TEAM")
		}
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return err
	}
	h := pl.cfg.Teams.Hooks
	if h.BeforeDeleteTeam != nil {
		if err := h.BeforeDeleteTeam(ctx, teamOf(team), u, org); err != nil {
			return hook(err)
		}
	}
	if err := pl.deleteTeam(ctx, team.String("id"), orgID, now); err != nil {
		return err
	}
	if h.AfterDeleteTeam != nil {
		if err := h.AfterDeleteTeam(ctx, teamOf(team), u, org); err != nil {
			return hook(err)
		}
	}
	return nil
}

// deleteTeam deletes a team, its teamMember rows, and the team from the teamId of the organization's
// pending invitations (NULL when it was their only team), as the plugin's removeTeam does.
func (pl *Plugin) deleteTeam(ctx context.Context, teamID, orgID string, now time.Time) error {
	if _, err := pl.db.DeleteRows(ctx, "teamMember", []store.Where{eq("teamId", teamID)}); err != nil {
		return err
	}
	if _, err := pl.db.DeleteRows(ctx, "team", []store.Where{eq("id", teamID)}); err != nil {
		return err
	}
	invs, err := pl.db.FindRows(ctx, "invitation", store.RowQuery{Where: []store.Where{
		eq("organizationId", orgID), eq("status", "pending")}})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		exp, _ := inv["expiresAt"].(time.Time)
		ids := inv.String("teamId")
		if !exp.After(now) || ids == "" {
			continue
		}
		list := strings.Split(ids, ",")
		if !slices.Contains(list, teamID) {
			continue
		}
		list = slices.DeleteFunc(list, func(id string) bool { return id == teamID })
		var v any
		if len(list) > 0 {
			v = strings.Join(list, ",")
		}
		if _, err := pl.db.UpdateRows(ctx, "invitation", []store.Where{eq("id", inv.String("id"))}, store.Row{"teamId": v}); err != nil {
			return err
		}
	}
	return nil
}

// updateTeam is POST /organization/update-team {teamId, data: {name?, organizationId?}}.
func (pl *Plugin) updateTeam(x *authserver.Context) (any, error) {
	teamID, data, err := updateTeamBody(x)
	if err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	dataOrg, _ := data["organizationId"].(string)
	orgID, err := pl.organizationOrActive(dataOrg, res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if err := pl.teamGuard(ctx, res.User.ID, orgID, "team", "update", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM",
		"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM"); err != nil {
		return nil, err
	}
	team, err := pl.teamRow(ctx, teamID, orgID)
	if err != nil {
		return nil, err
	}
	if team == nil || team.String("organizationId") != orgID {
		return nil, pl.err(400, "TEAM_NOT_FOUND")
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	update := map[string]any{}
	if name, ok := data["name"].(string); ok {
		update["name"] = name
	}
	h := pl.cfg.Teams.Hooks
	if h.BeforeUpdateTeam != nil {
		if err := h.BeforeUpdateTeam(ctx, teamOf(team), update, res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	set := store.Row{"updatedAt": x.Now()}
	if name, ok := update["name"].(string); ok {
		set["name"] = name
	}
	id := team.String("id")
	if _, err := pl.db.UpdateRows(ctx, "team", []store.Where{eq("id", id)}, set); err != nil {
		return nil, err
	}
	updated, err := pl.teamRow(ctx, id, "")
	if err != nil {
		return nil, err
	}
	if updated == nil {
		return json.RawMessage("null"), nil
	}
	if h.AfterUpdateTeam != nil {
		if err := h.AfterUpdateTeam(ctx, teamOf(updated), res.User, org); err != nil {
			return nil, hook(err)
		}
	}
	return rowJSON(updated, teamJSONFields), nil
}

// updateTeamBody is zod on update-team's body: teamId a string, data an object whose name (at least one
// character) and organizationId are strings when present.
func updateTeamBody(x *authserver.Context) (teamID string, data map[string]any, err error) {
	b, err := body(x)
	if err != nil {
		return "", nil, err
	}
	c := &checks{where: "body"}
	teamID, _ = c.str(b, "teamId", "teamId", true, false, false)
	v, ok := b["data"]
	data, isObj := v.(map[string]any)
	switch {
	case !ok:
		c.add("data", "Invalid input: expected object, received undefined")
	case !isObj:
		c.add("data", "Invalid input: expected object, received "+jsType(v))
	default:
		c.str(data, "data.name", "name", false, true, false)
		c.str(data, "data.organizationId", "organizationId", false, false, false)
	}
	return teamID, data, c.err()
}

// listTeams is GET /organization/list-teams?organizationId=.
func (pl *Plugin) listTeams(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	orgID, err := pl.organizationOrActive(x.Query().Get("organizationId"), res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	if _, err := pl.requireMember(ctx, orgID, res.User.ID, 403, "YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION"); err != nil {
		return nil, err
	}
	teams, err := pl.teamRows(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return rowsJSON(teams, teamJSONFields), nil
}

// setActiveTeam is POST /organization/set-active-team {teamId?: string | null}: null unsets the active
// team; without a teamId the active team is checked again.
func (pl *Plugin) setActiveTeam(x *authserver.Context) (any, error) {
	if _, err := body(x); err != nil {
		return nil, err
	}
	if err := x.Validate(authserver.BodyField{Name: "teamId", Kind: authserver.FieldStringOrNull}); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	activeTeam, hasActive := sessionString(res, "activeTeamId")
	hasActive = hasActive && activeTeam != ""
	ctx := x.Context()
	if v, ok := x.Body()["teamId"]; ok && v == nil {
		if !hasActive {
			return json.RawMessage("null"), nil
		}
		if err := pl.setSessionField(ctx, x, res, "activeTeamId", nil, true); err != nil {
			return nil, err
		}
		return json.RawMessage("null"), nil
	}
	teamID := x.String("teamId")
	if teamID == "" {
		if !hasActive {
			return json.RawMessage("null"), nil
		}
		teamID = activeTeam
	}
	orgID, _ := sessionString(res, "activeOrganizationId")
	if orgID == "" {
		return nil, pl.err(400, "NO_ACTIVE_ORGANIZATION")
	}
	team, err := pl.teamRow(ctx, teamID, orgID)
	if err != nil {
		return nil, err
	}
	if team == nil {
		return nil, pl.err(400, "TEAM_NOT_FOUND")
	}
	if tm, err := pl.teamMemberRow(ctx, teamID, res.User.ID); err != nil {
		return nil, err
	} else if tm == nil {
		return nil, pl.err(403, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM")
	}
	if err := pl.setSessionField(ctx, x, res, "activeTeamId", team.String("id"), true); err != nil {
		return nil, err
	}
	return rowJSON(team, teamJSONFields), nil
}

// setSessionField sets one of the plugin's session columns (activeTeamId) on the request's session, as
// the adapter's updateSession does, and keeps res in step; with cookie it sets the session cookies again
// from the row as it is now (setSessionCookie).
func (pl *Plugin) setSessionField(ctx context.Context, x *authserver.Context, res *store.Result, field string, v any, cookie bool) error {
	up := pl.srv.Database().(store.SessionFieldUpdater) // checked in init
	if err := up.UpdateSessionFields(ctx, res.Session.Token, map[string]any{field: v}, nowOf(x)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	if res.Session.Additional == nil {
		res.Session.Additional = map[string]any{}
	}
	res.Session.Additional[field] = v
	if !cookie || x == nil {
		return nil
	}
	updated, err := pl.srv.Database().Lookup(ctx, res.Session.Token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	x.SetSessionCookie(&store.Result{Session: updated.Session, User: res.User}, x.DontRemember())
	return nil
}

// listUserTeams is GET /organization/list-user-teams?userId=&organizationId=: the caller's teams (in
// organizations they are still a member of), or another member's in one organization, which takes the
// member update permission there.
func (pl *Plugin) listUserTeams(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	self := res.User.ID
	target := orString(x.Query().Get("userId"), self)
	active, _ := sessionString(res, "activeOrganizationId")
	explicit := x.Query().Get("organizationId")
	orgID := orString(explicit, active)
	inOrg := func(teams []store.Row, org string) []store.Row {
		return slices.DeleteFunc(teams, func(t store.Row) bool { return t.String("organizationId") != org })
	}
	if target != self {
		if orgID == "" {
			return nil, pl.err(400, "NO_ACTIVE_ORGANIZATION")
		}
		m, err := pl.requireMember(ctx, orgID, self, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION")
		if err != nil {
			return nil, err
		}
		if err := pl.requirePermission(ctx, orgID, m.String("role"), map[string][]string{"member": {"update"}}, false, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"); err != nil {
			return nil, err
		}
		if _, err := pl.requireMember(ctx, orgID, target, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"); err != nil {
			return nil, err
		}
		teams, err := pl.teamsOfUser(ctx, target)
		if err != nil {
			return nil, err
		}
		return rowsJSON(inOrg(teams, orgID), teamJSONFields), nil
	}
	if explicit != "" {
		if _, err := pl.requireMember(ctx, orgID, self, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"); err != nil {
			return nil, err
		}
		teams, err := pl.teamsOfUser(ctx, self)
		if err != nil {
			return nil, err
		}
		return rowsJSON(inOrg(teams, orgID), teamJSONFields), nil
	}
	teams, err := pl.teamsOfUser(ctx, self)
	if err != nil {
		return nil, err
	}
	member := map[string]bool{}
	for _, t := range teams {
		org := t.String("organizationId")
		if _, seen := member[org]; seen {
			continue
		}
		m, _, err := pl.memberOf(ctx, org, self)
		if err != nil {
			return nil, err
		}
		member[org] = m != nil
	}
	teams = slices.DeleteFunc(teams, func(t store.Row) bool { return !member[t.String("organizationId")] })
	return rowsJSON(teams, teamJSONFields), nil
}

// listTeamMembers is GET /organization/list-team-members?teamId=: the members of a team the caller is
// in (the active team by default).
func (pl *Plugin) listTeamMembers(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	active, _ := sessionString(res, "activeTeamId")
	teamID := orString(x.Query().Get("teamId"), active)
	if teamID == "" {
		return nil, pl.err(400, "YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM")
	}
	ctx := x.Context()
	team, err := pl.teamRow(ctx, teamID, "")
	if err != nil {
		return nil, err
	}
	if team == nil {
		return nil, pl.err(400, "TEAM_NOT_FOUND")
	}
	if _, err := pl.requireMember(ctx, team.String("organizationId"), res.User.ID, 400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM"); err != nil {
		return nil, err
	}
	if tm, err := pl.teamMemberRow(ctx, teamID, res.User.ID); err != nil {
		return nil, err
	} else if tm == nil {
		return nil, pl.err(400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM")
	}
	members, err := pl.db.FindRows(ctx, "teamMember", store.RowQuery{Where: []store.Where{eq("teamId", teamID)}})
	if err != nil {
		return nil, err
	}
	return rowsJSON(members, teamMemberJSONFields), nil
}

// teamMemberBody validates add-team-member's and remove-team-member's body (teamId a string, userId
// coerced to a string, organizationId an optional string) and returns teamId and userId.
func teamMemberBody(x *authserver.Context) (teamID, userID string, err error) {
	b, err := body(x)
	if err != nil {
		return "", "", err
	}
	c := &checks{where: "body"}
	teamID, _ = c.str(b, "teamId", "teamId", true, false, false)
	uv, ok := b["userId"]
	if !ok {
		c.add("userId", "Invalid input: expected nonoptional, received undefined")
	}
	c.str(b, "organizationId", "organizationId", false, false, false)
	return teamID, jsString(uv), c.err()
}

// jsString is JavaScript's String(v) of a JSON value, as z.coerce.string() makes it.
func jsString(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	case float64:
		return string(betterauth.AppendNumber(nil, t))
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			if e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	}
	return "[object Object]"
}

// addTeamMember is POST /organization/add-team-member {teamId, userId, organizationId?}: a member of the
// organization joins one of its teams; it takes the member update permission.
func (pl *Plugin) addTeamMember(x *authserver.Context) (any, error) {
	target, err := pl.teamMemberChecks(x, "update", "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER")
	if err != nil {
		return nil, err
	}
	ctx, teamID, userID := x.Context(), target.teamID, target.userID
	team, h := teamOf(target.team), pl.cfg.Teams.Hooks
	if h.BeforeAddTeamMember != nil {
		if err := h.BeforeAddTeamMember(ctx, TeamMember{TeamID: teamID, UserID: userID}, team, target.user, target.org); err != nil {
			return nil, hook(err)
		}
	}
	max, err := pl.seats(ctx, team.ID, team.OrganizationID)
	if err != nil {
		return nil, err
	}
	tm, full, err := pl.joinTeam(ctx, team.ID, userID, max, x.Now())
	if err != nil {
		return nil, err
	}
	if full {
		return nil, pl.err(403, "TEAM_MEMBER_LIMIT_REACHED")
	}
	if h.AfterAddTeamMember != nil {
		if err := h.AfterAddTeamMember(ctx, teamMemberOf(tm), team, target.user, target.org); err != nil {
			return nil, hook(err)
		}
	}
	return rowJSON(tm, teamMemberJSONFields), nil
}

// removeTeamMember is POST /organization/remove-team-member {teamId, userId, organizationId?}; it takes
// the member delete permission.
func (pl *Plugin) removeTeamMember(x *authserver.Context) (any, error) {
	target, err := pl.teamMemberChecks(x, "delete", "YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER")
	if err != nil {
		return nil, err
	}
	ctx, teamID, userID := x.Context(), target.teamID, target.userID
	tm, err := pl.teamMemberRow(ctx, teamID, userID)
	if err != nil {
		return nil, err
	}
	if tm == nil {
		return nil, pl.err(400, "USER_IS_NOT_A_MEMBER_OF_THE_TEAM")
	}
	team, h := teamOf(target.team), pl.cfg.Teams.Hooks
	if h.BeforeRemoveTeamMember != nil {
		if err := h.BeforeRemoveTeamMember(ctx, teamMemberOf(tm), team, target.user, target.org); err != nil {
			return nil, hook(err)
		}
	}
	if err := pl.leaveTeam(ctx, team.ID, userID); err != nil {
		return nil, err
	}
	if h.AfterRemoveTeamMember != nil {
		if err := h.AfterRemoveTeamMember(ctx, teamMemberOf(tm), team, target.user, target.org); err != nil {
			return nil, hook(err)
		}
	}
	return map[string]string{"message": "Team member removed successfully."}, nil
}

// teamMemberChecks are the checks add-team-member and remove-team-member share, in their order: an
// organization (the body's or the active one), the caller a member of it with the member permission
// action, the user a member of it, the team one of its teams, the organization and the user existing. It
// returns the body's teamId and userId and what the hooks are given: the team, the user and the
// organization. The body is validated first, then the session is read.
func (pl *Plugin) teamMemberChecks(x *authserver.Context, action, code string) (*teamMemberTarget, error) {
	teamID, userID, err := teamMemberBody(x)
	if err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	ctx := x.Context()
	orgID, err := pl.organizationOrActive(x.String("organizationId"), res, "NO_ACTIVE_ORGANIZATION")
	if err != nil {
		return nil, err
	}
	if err := pl.teamGuard(ctx, res.User.ID, orgID, "member", action, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", code); err != nil {
		return nil, err
	}
	if _, err := pl.requireMember(ctx, orgID, userID, 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"); err != nil {
		return nil, err
	}
	team, err := pl.teamRow(ctx, teamID, orgID)
	if err != nil {
		return nil, err
	}
	if team == nil {
		return nil, pl.err(400, "TEAM_NOT_FOUND")
	}
	org, err := pl.requireOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	u, err := pl.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, &authserver.APIError{Status: 400, Message: "User not found"}
	}
	return &teamMemberTarget{teamID: teamID, userID: userID, team: team, user: *u, org: org}, nil
}

// teamMemberTarget is what add-team-member and remove-team-member act on.
type teamMemberTarget struct {
	teamID string // the body's teamId
	userID string // the body's userId
	team   store.Row
	user   store.User
	org    Organization
}

// teamGuard checks the caller is a member of orgID (else status with notMember) whose role grants
// resource:action (else 403 with denied).
func (pl *Plugin) teamGuard(ctx context.Context, userID, orgID, resource, action string, status int, notMember, denied string) error {
	m, err := pl.requireMember(ctx, orgID, userID, status, notMember)
	if err != nil {
		return err
	}
	return pl.requirePermission(ctx, orgID, m.String("role"), map[string][]string{resource: {action}}, false, 403, denied)
}

// requireOrganization returns the organization with orgID, or 400 ORGANIZATION_NOT_FOUND.
func (pl *Plugin) requireOrganization(ctx context.Context, orgID string) (Organization, error) {
	org, err := pl.orgByID(ctx, orgID)
	if err != nil {
		return Organization{}, err
	}
	if org == nil {
		return Organization{}, pl.err(400, "ORGANIZATION_NOT_FOUND")
	}
	return organizationOf(org), nil
}

// teamRows are the organization's teams.
func (pl *Plugin) teamRows(ctx context.Context, orgID string) ([]store.Row, error) {
	return pl.db.FindRows(ctx, "team", store.RowQuery{Where: []store.Where{eq("organizationId", orgID)}})
}

// teamRow returns the team with that id (in orgID, unless it is ""), nil when there is none.
func (pl *Plugin) teamRow(ctx context.Context, teamID, orgID string) (store.Row, error) {
	if orgID == "" {
		return pl.findOne(ctx, "team", eq("id", teamID))
	}
	return pl.findOne(ctx, "team", eq("id", teamID), eq("organizationId", orgID))
}

// teamMemberRow returns the teamMember row of userID in teamID, nil when there is none.
func (pl *Plugin) teamMemberRow(ctx context.Context, teamID, userID string) (store.Row, error) {
	return pl.findOne(ctx, "teamMember", eq("teamId", teamID), eq("userId", userID))
}

// teamsOfUser are the teams of the user's teamMember rows, in their order (listTeamsByUser).
func (pl *Plugin) teamsOfUser(ctx context.Context, userID string) ([]store.Row, error) {
	tms, err := pl.db.FindRows(ctx, "teamMember", store.RowQuery{Where: []store.Where{eq("userId", userID)}})
	if err != nil || len(tms) == 0 {
		return nil, err
	}
	ids := make([]any, len(tms))
	for i, tm := range tms {
		ids[i] = tm.String("teamId")
	}
	teams, err := pl.db.FindRows(ctx, "team", store.RowQuery{Where: []store.Where{{Field: "id", Operator: "in", Value: ids}}})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Row, len(teams))
	for _, t := range teams {
		byID[t.String("id")] = t
	}
	out := make([]store.Row, 0, len(tms))
	for _, tm := range tms {
		if t, ok := byID[tm.String("teamId")]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// insertTeam creates a team with no members (BeforeCreateTeam may rename it; AfterCreateTeam runs after).
func (pl *Plugin) insertTeam(ctx context.Context, t Team, u store.User, org Organization) (store.Row, error) {
	h := pl.cfg.Teams.Hooks
	if h.BeforeCreateTeam != nil {
		if err := h.BeforeCreateTeam(ctx, &t, u, org); err != nil {
			return nil, hook(err)
		}
	}
	r := store.Row{"id": betterauth.NewID(), "name": t.Name, "memberCount": float64(0), "organizationId": t.OrganizationID,
		"createdAt": t.CreatedAt, "updatedAt": nil}
	if t.UpdatedAt != nil {
		r["updatedAt"] = *t.UpdatedAt
	}
	if err := pl.db.CreateRow(ctx, "team", r); err != nil {
		return nil, err
	}
	if h.AfterCreateTeam != nil {
		if err := h.AfterCreateTeam(ctx, teamOf(r), u, org); err != nil {
			return nil, hook(err)
		}
	}
	return r, nil
}

// defaultTeam is what /organization/create does with teams on (unless DisableDefaultTeam): a team named
// after the organization with its creator in it, which becomes the creator's active team unless
// keepCurrentActiveOrganization (the session cookie is not set again, as in Better Auth).
func (pl *Plugin) defaultTeam(ctx context.Context, x *authserver.Context, org store.Row, u store.User, res *store.Result, keep bool) error {
	if pl.cfg.Teams.DisableDefaultTeam {
		return nil
	}
	now := nowOf(x)
	team, err := pl.insertTeam(ctx, Team{Name: org.String("name"), OrganizationID: org.String("id"), CreatedAt: now}, u, organizationOf(org))
	if err != nil {
		return err
	}
	tm, _, err := pl.joinTeam(ctx, team.String("id"), u.ID, 0, now)
	if err != nil {
		return err
	}
	if res == nil || keep {
		return nil
	}
	return pl.setSessionField(ctx, x, res, "activeTeamId", tm.String("teamId"), false)
}

// fullOrgTeams are the "teams" of /organization/get-full-organization: the organization's teams as the
// adapter's join returns them, memberCount included.
func (pl *Plugin) fullOrgTeams(ctx context.Context, orgID string) (json.RawMessage, error) {
	teams, err := pl.teamRows(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return rowsJSON(teams, []string{"name", "memberCount", "organizationId", "createdAt", "updatedAt", "id"}), nil
}

// checkInviteTeams checks the teamId of an /organization/invite-member body (a string or an array of
// strings): no id holds a comma (400 INVALID_TEAM_ID), each is a team of the organization (400
// TEAM_NOT_FOUND) and, with MaximumMembersPerTeam, has a seat left (403 TEAM_MEMBER_LIMIT_REACHED). It
// returns the ids.
func (pl *Plugin) checkInviteTeams(x *authserver.Context, orgID string, teamID any, _ *store.Result) ([]string, error) {
	ids := roleValues(teamID)
	if slices.ContainsFunc(ids, func(id string) bool { return strings.Contains(id, ",") }) {
		return nil, pl.err(400, "INVALID_TEAM_ID")
	}
	ctx := x.Context()
	for _, id := range ids {
		if t, err := pl.teamRow(ctx, id, orgID); err != nil {
			return nil, err
		} else if t == nil {
			return nil, pl.err(400, "TEAM_NOT_FOUND")
		}
	}
	if pl.cfg.Teams.MaximumMembersPerTeam > 0 || pl.cfg.Teams.MaximumMembersPerTeamFor != nil {
		for _, id := range ids {
			max, err := pl.seats(ctx, id, orgID)
			if err != nil {
				return nil, err
			}
			n, err := pl.db.CountRows(ctx, "teamMember", []store.Where{eq("teamId", id)})
			if err != nil {
				return nil, err
			}
			if max > 0 && n >= max {
				return nil, pl.err(403, "TEAM_MEMBER_LIMIT_REACHED")
			}
		}
	}
	return ids, nil
}

// joinInvitedTeams adds the user accepting inv to its teams (each must still be a team of the
// organization: 400 TEAM_NOT_FOUND; with MaximumMembersPerTeam a full one is 403
// TEAM_MEMBER_LIMIT_REACHED); the only team of an invitation becomes the session's active team.
func (pl *Plugin) joinInvitedTeams(x *authserver.Context, inv store.Row, res *store.Result) error {
	ctx := x.Context()
	ids := strings.Split(inv.String("teamId"), ",")
	for _, id := range ids {
		if t, err := pl.teamRow(ctx, id, inv.String("organizationId")); err != nil {
			return err
		} else if t == nil {
			return pl.err(400, "TEAM_NOT_FOUND")
		}
		max, err := pl.seats(ctx, id, inv.String("organizationId"))
		if err != nil {
			return err
		}
		if _, full, err := pl.joinTeam(ctx, id, res.User.ID, max, x.Now()); err != nil {
			return err
		} else if full {
			return pl.err(403, "TEAM_MEMBER_LIMIT_REACHED")
		}
	}
	if len(ids) == 1 {
		return pl.setSessionField(ctx, x, res, "activeTeamId", ids[0], true)
	}
	return nil
}

// addToTeam adds a member AddMember just wrote to teamID, a team of orgID (400 TEAM_NOT_FOUND; with
// MaximumMembersPerTeam a full one is 403 TEAM_MEMBER_LIMIT_REACHED).
func (pl *Plugin) addToTeam(ctx context.Context, orgID, userID, teamID string) error {
	t, err := pl.teamRow(ctx, teamID, orgID)
	if err != nil {
		return err
	}
	if t == nil || t.String("organizationId") != orgID {
		return pl.err(400, "TEAM_NOT_FOUND")
	}
	max, err := pl.seats(ctx, teamID, orgID)
	if err != nil {
		return err
	}
	if _, full, err := pl.joinTeam(ctx, teamID, userID, max, nowOf(nil)); err != nil {
		return err
	} else if full {
		return pl.err(403, "TEAM_MEMBER_LIMIT_REACHED")
	}
	return nil
}

// seats is the team's member limit (MaximumMembersPerTeamFor, else MaximumMembersPerTeam); 0 means none.
func (pl *Plugin) seats(ctx context.Context, teamID, orgID string) (int, error) {
	if f := pl.cfg.Teams.MaximumMembersPerTeamFor; f != nil {
		n, err := f(ctx, teamID, orgID)
		if err != nil {
			return 0, hook(err)
		}
		return n, nil
	}
	return pl.cfg.Teams.MaximumMembersPerTeam, nil
}

// membershipKey is the adapter's computeTeamMembershipKey: base64url (no padding) of SHA-256 of
// JSON.stringify([teamId, userId]).
func membershipKey(teamID, userID string) string {
	b := append([]byte{'['}, betterauth.AppendJSString(nil, teamID)...)
	b = append(b, ',')
	b = append(betterauth.AppendJSString(b, userID), ']')
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// joinTeam adds userID to teamID unless they are in it already (the adapter's findOrCreateTeamMember, or
// with max > 0 its addTeamMemberWithLimit): the team's memberCount is first brought up to its rows, then
// a seat is taken (full is true, and nothing is written, when memberCount has reached max), then the row is
// written with its membershipKey; a concurrent join of the same user wins and its row is returned.
func (pl *Plugin) joinTeam(ctx context.Context, teamID, userID string, max int, now time.Time) (tm store.Row, full bool, err error) {
	key := membershipKey(teamID, userID)
	if tm, err = pl.teamMemberByKey(ctx, key, teamID, userID); err != nil || tm != nil {
		return tm, false, err
	}
	if err := pl.syncMemberCount(ctx, teamID); err != nil {
		return nil, false, err
	}
	reserved, err := pl.addSeats(ctx, teamID, 1, max)
	if err != nil {
		return nil, false, err
	}
	if !reserved {
		if max > 0 {
			return nil, true, nil
		}
		// The team is gone; Better Auth's unconditional increment matches nothing either.
	}
	tm = store.Row{"id": betterauth.NewID(), "teamId": teamID, "userId": userID, "membershipKey": key, "createdAt": now}
	if err := pl.db.CreateRow(ctx, "teamMember", tm); err != nil {
		if reserved {
			if _, rerr := pl.addSeats(ctx, teamID, -1, 0); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, false, err
		}
		existing, ferr := pl.teamMemberByKey(ctx, key, teamID, userID)
		if ferr != nil || existing == nil {
			return nil, false, errors.Join(err, ferr)
		}
		return existing, false, nil
	}
	return tm, false, nil
}

// teamMemberByKey finds a teamMember row by its membershipKey, else by team and user (rows written
// before the key existed).
func (pl *Plugin) teamMemberByKey(ctx context.Context, key, teamID, userID string) (store.Row, error) {
	rows, err := pl.db.FindRows(ctx, "teamMember", store.RowQuery{Where: []store.Where{eq("membershipKey", key)}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		return rows[0], nil
	}
	return pl.teamMemberRow(ctx, teamID, userID)
}

// leaveTeam deletes userID's teamMember rows in teamID and gives their seats back (removeTeamMember).
func (pl *Plugin) leaveTeam(ctx context.Context, teamID, userID string) error {
	n, err := pl.db.DeleteRows(ctx, "teamMember", []store.Where{eq("teamId", teamID), eq("userId", userID)})
	if err != nil {
		return err
	}
	if n > 0 {
		_, err = pl.addSeats(ctx, teamID, -int(n), 0)
	}
	return err
}

// leaveTeams takes userID out of every team of orgID, as the adapter's deleteMember does with teams on
// (remove-member, leave).
func (pl *Plugin) leaveTeams(ctx context.Context, orgID, userID string) error {
	if !pl.cfg.Teams.Enabled {
		return nil
	}
	teams, err := pl.teamRows(ctx, orgID)
	if err != nil {
		return err
	}
	for _, t := range teams {
		if err := pl.leaveTeam(ctx, t.String("id"), userID); err != nil {
			return err
		}
	}
	return nil
}

// syncMemberCount raises the team's memberCount to its number of teamMember rows when it is below
// (syncTeamMemberCount: rows written by an older version, or by the default team, count).
func (pl *Plugin) syncMemberCount(ctx context.Context, teamID string) error {
	n, err := pl.db.CountRows(ctx, "teamMember", []store.Where{eq("teamId", teamID)})
	if err != nil {
		return err
	}
	_, err = pl.db.UpdateRows(ctx, "team", []store.Where{eq("id", teamID),
		{Field: "memberCount", Operator: "lt", Value: float64(n)}}, store.Row{"memberCount": float64(n)})
	return err
}

// seatRetries bounds the compare-and-set loop of addSeats under contention.
const seatRetries = 20

// addSeats adds delta to the team's memberCount atomically (a compare-and-set on the value read): a
// positive delta only while memberCount + delta stays within max (when max > 0), a negative one only
// while memberCount stays at least 0, as the adapter's incrementOne with its where clause. It reports
// whether it changed the row.
func (pl *Plugin) addSeats(ctx context.Context, teamID string, delta, max int) (bool, error) {
	for range seatRetries {
		rows, err := pl.db.FindRows(ctx, "team", store.RowQuery{Where: []store.Where{eq("id", teamID)}, Limit: 1})
		if err != nil {
			return false, err
		}
		if len(rows) == 0 {
			return false, nil
		}
		cur, _ := rows[0]["memberCount"].(float64)
		next := cur + float64(delta)
		if max > 0 && next > float64(max) || next < 0 {
			return false, nil
		}
		n, err := pl.db.UpdateRows(ctx, "team", []store.Where{eq("id", teamID), eq("memberCount", cur)},
			store.Row{"memberCount": next})
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, fmt.Errorf("auth: organization: team %s: memberCount kept changing; try again", teamID)
}

// rowObject is a row as Better Auth's adapter returns it and JSON.stringify writes it: fields in order,
// NULL as null; fields the row does not have are left out (undefined).
func rowObject(r store.Row, fields []string) *betterauth.Object {
	o := &betterauth.Object{}
	for _, f := range fields {
		if v, ok := r[f]; ok {
			o.SetValue(f, v)
		}
	}
	return o
}

func rowJSON(r store.Row, fields []string) json.RawMessage { return rowObject(r, fields).Bytes() }

// rowsJSON is rowJSON of each row, as a JSON array.
func rowsJSON(rows []store.Row, fields []string) json.RawMessage {
	items := make([]json.RawMessage, len(rows))
	for i, r := range rows {
		items[i] = rowJSON(r, fields)
	}
	return array(items)
}
