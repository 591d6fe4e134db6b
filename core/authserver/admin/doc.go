// Package admin is Better Auth's admin plugin (better-auth 1.7.25 src/plugins/admin) for an
// [authserver.Server]: user management, roles, bans and impersonation under the /admin/* endpoints, with
// the plugin's access control, error codes and schema, so a Go and a Node server share one database and
// the same JS adminClient works against both.
//
// # Use
//
//	p := admin.New(admin.Config{})            // Better Auth's defaults: roles admin and user
//	authserver.Migrate(ctx, db, "postgres", p) // user.role, banned, banReason, banExpires; session.impersonatedBy
//	srv, err := authserver.New(authserver.Config{Auth: cfg, Database: st, Plugins: []authserver.Plugin{p}})
//
// Permission checks are the verifier's (betterauth.AdminHasPermission, which auth.Auth.AdminHasPermission
// also answers with): adminUserIds, then the user's roles split on commas. A banned user gets no session
// from any path (the server's session gate, core/authserver/gate.go); banning deletes the user's sessions.
//
// # Impersonation
//
// /admin/impersonate-user creates a one-hour session for the target (session.impersonatedBy = the admin)
// and keeps the admin's session aside in the signed admin_session cookie ("<token>:<dont_remember>"), as
// Better Auth does; /admin/stop-impersonating deletes the impersonation session and restores the admin's.
// Users with an admin role (AdminRoles, AdminUserIDs) can only be impersonated with the
// "impersonate-admins" permission or AllowImpersonatingAdmins.
package admin
