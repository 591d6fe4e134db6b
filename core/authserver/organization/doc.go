// Package organization is Better Auth's organization plugin (better-auth 1.7.25 src/plugins/organization)
// for an [authserver.Server]: organizations, their members and invitations under the /organization/*
// endpoints, with the plugin's access control, error codes and schema, so a Go and a Node server share one
// database and the same JS organizationClient works against both.
//
// # Use
//
//	org := organization.New(organization.Config{Roles: roles}) // nil Roles: owner, admin, member
//	authserver.Migrate(ctx, db, "postgres", org.Plugin())     // organization, member, invitation; session.activeOrganizationId
//	srv, err := authserver.New(authserver.Config{Auth: cfg, Database: st, Plugins: []authserver.Plugin{org.Plugin()}})
//
// The Database must be a store.RowStore and a store.SessionFieldUpdater (sqlstore is both).
//
// # Endpoints
//
// Organizations: /organization/create, /check-slug, /update, /delete, /list, /set-active, /get-organization,
// /get-full-organization. Members: /remove-member, /update-member-role, /leave, /list-members,
// /get-active-member, /get-active-member-role. Invitations: /invite-member, /accept-invitation,
// /reject-invitation, /cancel-invitation, /get-invitation, /list-invitations, /list-user-invitations.
// Permissions: /has-permission. Each answers with Better Auth's status, error code and message, in its
// order of checks, and with its JSON (the schema's fields in order, then id). Better Auth's server-only
// calls are Go methods: [Plugin.AddMember] (/organization/add-member), [Plugin.CreateOrganization] (create
// with userId) and [Plugin.HasPermission]. With [Config].Teams and [Config].DynamicAccessControl the team
// and role endpoints are added (teams.go, dynamic_roles.go).
//
// # Access control
//
// Roles are statements by resource, as Better Auth's ac.newRole takes them, in the format the verifier's
// auth.OrganizationConfig.Roles uses, so one map configures both. A member's role column holds several
// roles separated by commas; a permission is granted when one of them grants every requested action
// (betterauth.OrgHasPermission, the verifier's check). The creator role (owner) is special as in Better
// Auth: only a member holding it may grant it, and the last member holding it can neither leave, nor be
// removed, nor give it up.
//
// # The active organization
//
// session.activeOrganizationId is set by create (unless keepCurrentActiveOrganization), set-active and
// accept-invitation, and cleared by deleting the active organization, leaving it, being removed from it
// by oneself, and by a set-active or get-full-organization naming an organization the user is not a
// member of, as Better Auth does. Only set-active rewrites the session cookie cache.
//
// # Emails
//
// With [Config].SendInvitationEmail, invite-member queues an [authserver.EmailOrganizationInvitation] for
// the server's Mailer; its Token is the invitation id.
//
// # Teams
//
// [Config].Teams ([TeamsConfig], teams: {...}) adds the team and teamMember tables, invitation.teamId and
// session.activeTeamId, and the endpoints /organization/create-team, update-team, remove-team,
// list-teams, set-active-team, list-user-teams, list-team-members, add-team-member and
// remove-team-member, each with Better Auth's checks in its order and its error codes. /organization/create
// then makes a team named after the organization with its creator in it (the creator's active team; off
// with DisableDefaultTeam), an invitation may name teams (accepting it joins them; a single team becomes
// the active one), and removing a member takes it out of the organization's teams. Creating, renaming
// and removing teams take the team permissions; adding and removing team members take member:update and
// member:delete; listing another member's teams takes member:update. Every check is made in the
// organization the request names (or the active one), and team ids are looked up within it, so a member
// of one organization cannot reach another's teams by their ids.
//
// MaximumTeams and MaximumMembersPerTeam bound teams per organization and members per team. Seats are
// counted as Better Auth counts them, in team.memberCount (raised to the team's rows first, then taken
// with a compare-and-set, given back when a member leaves), and a user is in a team at most once
// (teamMember.membershipKey, base64url SHA-256 of ["teamId","userId"]), so a Go and a Node server
// sharing the database keep one count.
//
// # Dynamic access control
//
// [Config].DynamicAccessControl ([DynamicACConfig], dynamicAccessControl: {...}) adds the
// organizationRole table and /organization/create-role, delete-role, list-roles, get-role and
// update-role: roles stored per organization, their permission a JSON object of string arrays, their
// names lower-cased and never those of Config.Roles. Every permission check of the plugin
// (has-permission, teams, members, invitations) then merges the organization's stored roles into the
// configured ones as Better Auth's hasPermission does: a stored role with a configured role's name
// extends it. The ac permissions guard the role endpoints; a role may only grant what its creator holds
// (403 with missingPermissions) and only name resources of DynamicACConfig.Statements (400
// INVALID_RESOURCE); a role some member holds cannot be deleted. A stored role whose permission is not
// a JSON object of string arrays makes every check in its organization a 500, as in Better Auth.
package organization
