// Package organization is Better Auth's organization plugin (better-auth 1.7.25 src/plugins/organization)
// for an [authserver.Server]: organizations, their members and invitations under the /organization/*
// endpoints, with the plugin's access control, error codes and schema, so a Go and a Node server share one
// database and the same JS organizationClient works against both.
package organization
