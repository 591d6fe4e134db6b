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
// Organizations: /organization/create, /check-slug, /update, /delete, /list, /set-active,
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
package organization
