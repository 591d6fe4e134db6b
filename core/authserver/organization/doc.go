// Package organization is Better Auth's organization plugin (better-auth 1.7.25 src/plugins/organization)
// for an [authserver.Server]: organizations, their members and invitations under the /organization/*
// endpoints, with the plugin's access control, error codes and schema, so a Go and a Node server share one
// database and the same JS organizationClient works against both.
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
