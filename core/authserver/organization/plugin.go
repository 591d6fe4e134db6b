package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/organization.ts (the plugin, its options and schema),
// error-codes.ts, call.ts and has-permission.ts. The endpoints are in organization.go (crud-org.ts),
// members.go (crud-members.ts) and invitations.go (crud-invites.ts); teams and dynamic access control add
// theirs from their own files through extensions.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// ErrorCodes are the plugin's error codes and messages (ORGANIZATION_ERROR_CODES).
var ErrorCodes = map[string]string{
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION":                     "You are not allowed to create a new organization",
	"YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS":                 "You have reached the maximum number of organizations",
	"ORGANIZATION_ALREADY_EXISTS":                                          "Organization already exists",
	"ORGANIZATION_SLUG_ALREADY_TAKEN":                                      "Organization slug already taken",
	"ORGANIZATION_NOT_FOUND":                                               "Organization not found",
	"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION":                             "User is not a member of the organization",
	"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION":                      "You are not allowed to update this organization",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION":                      "You are not allowed to delete this organization",
	"NO_ACTIVE_ORGANIZATION":                                               "No active organization",
	"USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION":                        "User is already a member of this organization",
	"MEMBER_NOT_FOUND":                                                     "Member not found",
	"ROLE_NOT_FOUND":                                                       "Role not found",
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM":                             "You are not allowed to create a new team",
	"TEAM_ALREADY_EXISTS":                                                  "Team already exists",
	"TEAM_NOT_FOUND":                                                       "Team not found",
	"YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER":                  "You cannot leave the organization as the only owner",
	"YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER":                   "You cannot leave the organization without an owner",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER":                            "You are not allowed to delete this member",
	"YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION":             "You are not allowed to invite users to this organization",
	"USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION":                         "User is already invited to this organization",
	"INVITATION_NOT_FOUND":                                                 "Invitation not found",
	"YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION":                          "You are not the recipient of the invitation",
	"EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION": "Email verification required before accepting or rejecting invitation",
	"EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION":                           "Email verification required to view or list invitations for the session email",
	"YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION":                        "You are not allowed to cancel this invitation",
	"YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS":                              "You are not allowed to list invitations for this organization",
	"INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION":                    "Inviter is no longer a member of the organization",
	"YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE":                    "You are not allowed to invite a user with this role",
	"FAILED_TO_RETRIEVE_INVITATION":                                        "Failed to retrieve invitation",
	"YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS":                         "You have reached the maximum number of teams",
	"UNABLE_TO_REMOVE_LAST_TEAM":                                           "Unable to remove last team",
	"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER":                            "You are not allowed to update this member",
	"ORGANIZATION_MEMBERSHIP_LIMIT_REACHED":                                "Organization membership limit reached",
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION":             "You are not allowed to create teams in this organization",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION":             "You are not allowed to delete teams in this organization",
	"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM":                              "You are not allowed to update this team",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM":                              "You are not allowed to delete this team",
	"INVITATION_LIMIT_REACHED":                                             "Invitation limit reached",
	"TEAM_MEMBER_LIMIT_REACHED":                                            "Team member limit reached",
	"USER_IS_NOT_A_MEMBER_OF_THE_TEAM":                                     "User is not a member of the team",
	"YOU_CAN_NOT_ACCESS_THE_MEMBERS_OF_THIS_TEAM":                          "You are not allowed to list the members of this team",
	"YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM":                                       "You do not have an active team",
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER":                      "You are not allowed to create a new member",
	"YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER":                          "You are not allowed to remove a team member",
	"YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION":                      "You are not allowed to access this organization as an owner",
	"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION":                            "You are not a member of this organization",
	"MISSING_AC_INSTANCE":                                                  "Dynamic Access Control requires a pre-defined ac instance on the server auth plugin. Read server logs for more information",
	"YOU_MUST_BE_IN_AN_ORGANIZATION_TO_CREATE_A_ROLE":                      "You must be in an organization to create a role",
	"YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE":                                 "You are not allowed to create a role",
	"YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE":                                 "You are not allowed to update a role",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE":                                 "You are not allowed to delete a role",
	"YOU_ARE_NOT_ALLOWED_TO_READ_A_ROLE":                                   "You are not allowed to read a role",
	"YOU_ARE_NOT_ALLOWED_TO_LIST_A_ROLE":                                   "You are not allowed to list a role",
	"YOU_ARE_NOT_ALLOWED_TO_GET_A_ROLE":                                    "You are not allowed to get a role",
	"TOO_MANY_ROLES":                                                       "This organization has too many roles",
	"INVALID_RESOURCE":                                                     "The provided permission includes an invalid resource",
	"ROLE_NAME_IS_ALREADY_TAKEN":                                           "That role name is already taken",
	"CANNOT_DELETE_A_PRE_DEFINED_ROLE":                                     "Cannot delete a pre-defined role",
	"ROLE_IS_ASSIGNED_TO_MEMBERS":                                          "Cannot delete a role that is assigned to members. Please reassign the members to a different role first",
	"INVALID_TEAM_ID":                                                      "Team id contains a reserved character",
}

// Defaults of [Config].
const (
	// DefaultCreatorRole is the role of an organization's creator when Config.CreatorRole is empty.
	DefaultCreatorRole = "owner"
	// DefaultMembershipLimit is how many members an organization may have when Config.MembershipLimit is 0.
	DefaultMembershipLimit = 100
	// DefaultInvitationLimit is how many pending invitations an organization may have when
	// Config.InvitationLimit is 0.
	DefaultInvitationLimit = 100
	// DefaultInvitationExpiresIn is how long an invitation is valid when Config.InvitationExpiresIn is 0
	// (Better Auth's 48 hours).
	DefaultInvitationExpiresIn = 48 * time.Hour
)

// Config is the organization plugin's options (Better Auth's organization({...})). The zero value is
// Better Auth's defaults.
type Config struct {
	// Roles are the organization's roles by name, each as the statements ac.newRole was given (the same
	// format as auth.OrganizationConfig.Roles on the verifier). Nil means Better Auth's defaults: owner,
	// admin and member over its default statements (organization, member, invitation, team, ac). Roles
	// given replace the defaults of the same name and keep the others, as Better Auth's { ...defaultRoles,
	// ...roles } does for role names; permission checks use only Roles when it is set.
	Roles map[string]map[string][]string

	// CreatorRole is the role the creator of an organization gets. Empty means "owner".
	CreatorRole string

	// AllowUserToCreateOrganization decides whether u may create an organization
	// (allowUserToCreateOrganization). Nil means every user may; a function returning false answers 403
	// YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION.
	AllowUserToCreateOrganization func(ctx context.Context, u store.User) (bool, error)

	// OrganizationLimit is how many organizations a user may be a member of and still create one
	// (organizationLimit as a number). Zero means no limit.
	OrganizationLimit int
	// OrganizationLimitReached decides instead of OrganizationLimit (organizationLimit as a function):
	// true refuses the creation with 403 YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS. Nil means
	// OrganizationLimit decides.
	OrganizationLimitReached func(ctx context.Context, u store.User) (bool, error)

	// MembershipLimit is how many members an organization may have. Zero means 100.
	MembershipLimit int
	// InvitationLimit is how many pending invitations an organization may have. Zero means 100.
	InvitationLimit int
	// InvitationExpiresIn is how long an invitation is valid. Zero means 48 hours.
	InvitationExpiresIn time.Duration
	// CancelPendingInvitationsOnReInvite cancels an address's pending invitations to the organization
	// when it is invited again, instead of answering 400 USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION.
	CancelPendingInvitationsOnReInvite bool
	// RequireEmailVerificationOnInvitation refuses to accept or reject an invitation from a user whose
	// email is not verified (403 EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION).
	RequireEmailVerificationOnInvitation bool
	// SendInvitationEmail makes /organization/invite-member send an [authserver.EmailOrganizationInvitation]
	// through the server's Mailer (Better Auth's sendInvitationEmail); New's Init fails without a Mailer.
	// False sends nothing: the application shows the invitation id some other way.
	SendInvitationEmail bool
	// DisableOrganizationDeletion answers /organization/delete with 404 ORGANIZATION_DELETION_DISABLED.
	DisableOrganizationDeletion bool

	// Hooks run around the plugin's writes (organizationHooks). Nil functions do nothing.
	Hooks Hooks

	// Teams turns on teams (teams: {...}): the team and teamMember tables, session.activeTeamId and the
	// team endpoints. The zero value is off.
	Teams TeamsConfig
	// DynamicAccessControl turns on roles stored per organization in the organizationRole table
	// (dynamicAccessControl: {...}) and their endpoints. The zero value is off.
	DynamicAccessControl DynamicACConfig
}

// Hooks are Better Auth's organizationHooks: functions the plugin calls around its writes, with the
// request's context. A Before hook that returns an error refuses the request with it (an
// [*authserver.APIError] is answered as it is, anything else as 500); it may change the row it is given.
// An After hook's error is answered the same way, after the write.
type Hooks struct {
	// BeforeCreateOrganization may change the new organization (name, slug, logo, metadata).
	BeforeCreateOrganization func(ctx context.Context, org *Organization, u store.User) error
	// AfterCreateOrganization runs once the organization and its creator's member row exist.
	AfterCreateOrganization func(ctx context.Context, org Organization, m Member, u store.User) error
	// BeforeUpdateOrganization may change the update (field name → value).
	BeforeUpdateOrganization func(ctx context.Context, update map[string]any, u store.User, m Member) error
	// AfterUpdateOrganization runs after the update.
	AfterUpdateOrganization func(ctx context.Context, org Organization, u store.User, m Member) error
	// BeforeDeleteOrganization and AfterDeleteOrganization run around a deletion.
	BeforeDeleteOrganization func(ctx context.Context, org Organization, u store.User) error
	AfterDeleteOrganization  func(ctx context.Context, org Organization, u store.User) error
	// BeforeAddMember may change the new member row (its role); it runs for creators, accepted
	// invitations and AddMember.
	BeforeAddMember func(ctx context.Context, m *Member, u store.User, org Organization) error
	// AfterAddMember runs after the member row is written.
	AfterAddMember func(ctx context.Context, m Member, u store.User, org Organization) error
	// BeforeRemoveMember and AfterRemoveMember run around /organization/remove-member and /leave.
	BeforeRemoveMember func(ctx context.Context, m Member, u store.User, org Organization) error
	AfterRemoveMember  func(ctx context.Context, m Member, u store.User, org Organization) error
	// BeforeUpdateMemberRole may change the new role; AfterUpdateMemberRole gets the previous one.
	BeforeUpdateMemberRole func(ctx context.Context, m Member, newRole *string, u store.User, org Organization) error
	AfterUpdateMemberRole  func(ctx context.Context, m Member, previousRole string, u store.User, org Organization) error
	// BeforeCreateInvitation may change the invitation (role, expiry); inviter is the inviting user.
	BeforeCreateInvitation func(ctx context.Context, inv *Invitation, inviter store.User, org Organization) error
	AfterCreateInvitation  func(ctx context.Context, inv Invitation, inviter store.User, org Organization) error
	// BeforeAcceptInvitation and AfterAcceptInvitation run around an acceptance (m is the new member).
	BeforeAcceptInvitation func(ctx context.Context, inv Invitation, u store.User, org Organization) error
	AfterAcceptInvitation  func(ctx context.Context, inv Invitation, m Member, u store.User, org Organization) error
	// BeforeRejectInvitation and AfterRejectInvitation run around a rejection.
	BeforeRejectInvitation func(ctx context.Context, inv Invitation, u store.User, org Organization) error
	AfterRejectInvitation  func(ctx context.Context, inv Invitation, u store.User, org Organization) error
	// BeforeCancelInvitation and AfterCancelInvitation run around a cancellation; u cancels.
	BeforeCancelInvitation func(ctx context.Context, inv Invitation, u store.User, org Organization) error
	AfterCancelInvitation  func(ctx context.Context, inv Invitation, u store.User, org Organization) error
}

// Plugin is a configured organization plugin: [Plugin.Plugin] goes in authserver.Config.Plugins;
// AddMember and HasPermission are its server-only calls.
type Plugin struct {
	cfg   Config
	roles betterauth.Roles
	p     *authserver.Plugin
	srv   *authserver.Server
	db    store.RowStore

	// Added by extensions (teams.go, the dynamic access control file) before the plugin is assembled.
	extraEndpoints []authserver.Endpoint
	roleTables     []sqlstore.Table // organizationRole, between organization and the team tables
	teamTables     []sqlstore.Table // team and teamMember, before member
	before, after  []authserver.Hook

	// Hooks of the core endpoints for the teams extension; nil or empty means none.
	//
	// onOrganizationCreated runs in /organization/create after the creator's member row is written and
	// before Hooks.AfterCreateOrganization (Better Auth's default team); x and res are the request and the
	// creator's session (nil for a server call) and keepActive is keepCurrentActiveOrganization.
	onOrganizationCreated []func(ctx context.Context, x *authserver.Context, org store.Row, u store.User, res *store.Result, keepActive bool) error
	// onMemberDeleted runs after a member row is deleted (remove-member, leave): the user's team
	// memberships in the organization go too.
	onMemberDeleted []func(ctx context.Context, orgID, userID string) error
	// fullOrganizationTeams answers the "teams" member of /organization/get-full-organization.
	fullOrganizationTeams func(ctx context.Context, orgID string) (json.RawMessage, error)
	// inviteTeams checks the teamId of an /organization/invite-member body (a string or an array of
	// strings, already checked to be present and truthy) and returns the team ids to store.
	inviteTeams func(x *authserver.Context, orgID string, teamID any, res *store.Result) ([]string, error)
	// acceptTeams adds the accepting user to the invitation's teams (its teamId column) before the
	// member row is written.
	acceptTeams func(x *authserver.Context, inv store.Row, res *store.Result) error
	// addMemberTeam adds a new member (AddMember with a team) to the team; an error removes the member.
	addMemberTeam func(ctx context.Context, orgID, userID, teamID string) error
}

// extensions add optional parts of the plugin (teams, dynamic access control) from their own files: each
// registers itself from an init function and runs in New, after the core endpoints are listed and before
// the schema and the authserver.Plugin are assembled. It may append to extraEndpoints, roleTables,
// teamTables, before and after.
var extensions []func(pl *Plugin)

// New returns Better Auth's organization plugin. Its Init fails when the Database cannot read and write the
// plugin's rows (store.RowStore; sqlstore can) or update sessions, or when SendInvitationEmail is set and
// the server has no Mailer.
func New(cfg Config) *Plugin {
	c := cfg
	if c.CreatorRole == "" {
		c.CreatorRole = DefaultCreatorRole
	}
	if c.MembershipLimit == 0 {
		c.MembershipLimit = DefaultMembershipLimit
	}
	if c.InvitationLimit == 0 {
		c.InvitationLimit = DefaultInvitationLimit
	}
	if c.InvitationExpiresIn == 0 {
		c.InvitationExpiresIn = DefaultInvitationExpiresIn
	}
	roles := c.Roles
	if roles == nil {
		roles = betterauth.DefaultOrgRoles()
	}
	pl := &Plugin{cfg: c, roles: betterauth.NewRoles(roles)}
	var endpoints []authserver.Endpoint
	endpoints = append(endpoints, pl.orgEndpoints()...)
	endpoints = append(endpoints, pl.memberEndpoints()...)
	endpoints = append(endpoints, pl.invitationEndpoints()...)
	endpoints = append(endpoints, post("/organization/has-permission", "hasPermission", pl.hasPermissionEndpoint))
	for _, ext := range extensions {
		ext(pl)
	}
	endpoints = append(endpoints, pl.extraEndpoints...)
	p := authserver.Plugin{
		ID:         "organization",
		Init:       pl.init,
		Endpoints:  endpoints,
		Schema:     pl.schema(),
		ErrorCodes: ErrorCodes,
		Before:     pl.before,
		After:      pl.after,
	}
	pl.p = &p
	return pl
}

// Plugin returns the plugin to list in authserver.Config.Plugins.
func (pl *Plugin) Plugin() authserver.Plugin { return *pl.p }

// init is the plugin's Init: it checks the server has what the plugin needs.
func (pl *Plugin) init(s *authserver.Server) error {
	db, ok := store.As[store.RowStore](s.Database())
	if !ok {
		return errors.New("auth: organization: the Database cannot read and write the plugin's rows (store.RowStore; sqlstore can)")
	}
	if _, ok := s.Database().(store.SessionFieldUpdater); !ok {
		return errors.New("auth: organization: the Database cannot set session.activeOrganizationId (store.SessionFieldUpdater; sqlstore can)")
	}
	if pl.cfg.SendInvitationEmail && !s.HasMailer() {
		return errors.New("auth: organization: SendInvitationEmail is set but the server has no Mailer (Config.Mailer)")
	}
	if pl.cfg.OrganizationLimit < 0 || pl.cfg.MembershipLimit < 0 || pl.cfg.InvitationLimit < 0 || pl.cfg.InvitationExpiresIn < 0 {
		return errors.New("auth: organization: OrganizationLimit, MembershipLimit, InvitationLimit and InvitationExpiresIn must not be negative")
	}
	pl.srv, pl.db = s, db
	return nil
}

// schema is the plugin's schema in Better Auth's order: organization, organizationRole (dynamic access
// control), team and teamMember (teams), member, invitation, then the session's columns. Sortable is where
// Better Auth's schema has sortable: true (varchar(255) on MySQL).
func (pl *Plugin) schema() []sqlstore.Table {
	ts := []sqlstore.Table{{Name: "organization", Fields: []sqlstore.Field{
		{Name: "name", Type: sqlstore.FieldString, Required: true, Sortable: true},
		{Name: "slug", Type: sqlstore.FieldString, Required: true, Unique: true, Index: true, Sortable: true},
		{Name: "logo", Type: sqlstore.FieldString},
		{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
		{Name: "metadata", Type: sqlstore.FieldString},
	}}}
	ts = append(ts, pl.roleTables...)
	ts = append(ts, pl.teamTables...)
	ts = append(ts, sqlstore.Table{Name: "member", Fields: []sqlstore.Field{
		{Name: "organizationId", Type: sqlstore.FieldString, Required: true, References: "organization", Index: true},
		{Name: "userId", Type: sqlstore.FieldString, Required: true, References: "user", Index: true},
		{Name: "role", Type: sqlstore.FieldString, Required: true, Sortable: true, Default: "member"},
		{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
	}})
	inv := []sqlstore.Field{
		{Name: "organizationId", Type: sqlstore.FieldString, Required: true, References: "organization", Index: true},
		{Name: "email", Type: sqlstore.FieldString, Required: true, Index: true, Sortable: true},
		{Name: "role", Type: sqlstore.FieldString, Sortable: true},
	}
	if pl.cfg.Teams.Enabled {
		inv = append(inv, sqlstore.Field{Name: "teamId", Type: sqlstore.FieldString, Sortable: true})
	}
	inv = append(inv,
		sqlstore.Field{Name: "status", Type: sqlstore.FieldString, Required: true, Sortable: true, Default: "pending"},
		sqlstore.Field{Name: "expiresAt", Type: sqlstore.FieldDate, Required: true},
		sqlstore.Field{Name: "createdAt", Type: sqlstore.FieldDate, Required: true, DefaultNow: true},
		sqlstore.Field{Name: "inviterId", Type: sqlstore.FieldString, Required: true, References: "user"},
	)
	ts = append(ts, sqlstore.Table{Name: "invitation", Fields: inv})
	sess := []sqlstore.Field{{Name: "activeOrganizationId", Type: sqlstore.FieldString}}
	if pl.cfg.Teams.Enabled {
		sess = append(sess, sqlstore.Field{Name: "activeTeamId", Type: sqlstore.FieldString})
	}
	return append(ts, sqlstore.Table{Name: "session", Fields: sess})
}

func post(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
	return authserver.Endpoint{Method: http.MethodPost, Path: path, Handler: h, OperationID: op}
}

func get(path, op string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
	return authserver.Endpoint{Method: http.MethodGet, Path: path, Handler: h, OperationID: op}
}

// orgEndpoints are the endpoints of crud-org.ts (organization.go).
func (pl *Plugin) orgEndpoints() []authserver.Endpoint {
	return []authserver.Endpoint{
		post("/organization/create", "createOrganization", pl.createOrganization),
		post("/organization/update", "updateOrganization", pl.updateOrganization),
		post("/organization/delete", "deleteOrganization", pl.deleteOrganization),
		post("/organization/set-active", "setActiveOrganization", pl.setActiveOrganization),
		get("/organization/get-organization", "getOrganization", pl.getOrganization),
		get("/organization/get-full-organization", "getFullOrganization", pl.getFullOrganization),
		get("/organization/list", "listOrganizations", pl.listOrganizations),
		post("/organization/check-slug", "checkOrganizationSlug", pl.checkSlug),
	}
}

// memberEndpoints are the endpoints of crud-members.ts (members.go).
func (pl *Plugin) memberEndpoints() []authserver.Endpoint {
	return []authserver.Endpoint{
		post("/organization/remove-member", "removeMember", pl.removeMember),
		post("/organization/update-member-role", "updateMemberRole", pl.updateMemberRole),
		get("/organization/get-active-member", "getActiveMember", pl.getActiveMember),
		post("/organization/leave", "leaveOrganization", pl.leaveOrganization),
		get("/organization/list-members", "listMembers", pl.listMembers),
		get("/organization/get-active-member-role", "getActiveMemberRole", pl.getActiveMemberRole),
	}
}

// invitationEndpoints are the endpoints of crud-invites.ts (invitations.go).
func (pl *Plugin) invitationEndpoints() []authserver.Endpoint {
	return []authserver.Endpoint{
		post("/organization/invite-member", "createInvitation", pl.createInvitation),
		post("/organization/cancel-invitation", "cancelInvitation", pl.cancelInvitation),
		post("/organization/accept-invitation", "acceptInvitation", pl.acceptInvitation),
		get("/organization/get-invitation", "getInvitation", pl.getInvitation),
		post("/organization/reject-invitation", "rejectInvitation", pl.rejectInvitation),
		get("/organization/list-invitations", "listInvitations", pl.listInvitations),
		get("/organization/list-user-invitations", "listUserInvitations", pl.listUserInvitations),
	}
}

// Error returns the plugin's error code as an error answer with status.
func (pl *Plugin) err(status int, code string) error {
	return &authserver.APIError{Status: status, Code: code, Message: ErrorCodes[code]}
}
