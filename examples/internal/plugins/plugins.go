// Package plugins is the examples' shared configuration of Better Auth's api-key, organization and admin
// plugins (issue 14): which plugins the verifier reads, the access control the Node server is configured
// with, and the route policies every example applies, so one contract (exampletest) covers them all.
//
// The Node side it matches (interop/auth.mjs):
//
//	const ac = createAccessControl({ ...defaultStatements, project: ["create", "read", "delete"] });
//	organization({ ac, roles: {
//	  owner: ac.newRole({ ...ownerAc.statements, project: ["create", "read", "delete"] }),
//	  admin: ac.newRole({ ...adminAc.statements, project: ["create", "read"] }),
//	  member: ac.newRole({ ...memberAc.statements, project: ["read"] }),
//	} });
//	apiKey(); admin();
package plugins

import (
	"os"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Configure turns on, in c, what c.Store (or the store behind its session cache) can read: API keys (the apikey table) and organizations (member,
// organizationRole), and always the admin plugin's checks (bans, impersonation, roles). API_KEY_HEADERS
// (comma-separated; default x-api-key) names the headers keys are read from, as the plugin's apiKeyHeaders.
func Configure(c *auth.Config) {
	if ks, ok := store.StoreAs[store.APIKeyStore](c.Store); ok {
		c.APIKeys = &auth.APIKeyConfig{Store: ks}
		if h := strings.TrimSpace(os.Getenv("API_KEY_HEADERS")); h != "" {
			c.APIKeys.Headers = strings.Split(h, ",")
		}
	}
	if orgs, ok := store.StoreAs[store.OrganizationStore](c.Store); ok {
		c.Organizations = &auth.OrganizationConfig{Store: orgs, Roles: Roles(), DynamicAccessControl: true}
	}
	if c.Admin == nil {
		c.Admin = &auth.AdminConfig{}
	}
}

// Roles are Better Auth's default organization roles with the statement project: create, read, delete
// added: owner (all), admin (create, read), member (read).
func Roles() map[string]map[string][]string {
	r := auth.DefaultOrganizationRoles()
	r["owner"]["project"] = []string{"create", "read", "delete"}
	r["admin"]["project"] = []string{"create", "read"}
	r["member"]["project"] = []string{"read"}
	return r
}

// The route policies of the examples.
var (
	// Files is GET /api/files: an API key holding {"files": ["read"]}.
	Files = auth.Policy{APIKeyPermissions: map[string][]string{"files": {"read"}}}
	// Org is GET /api/org: a session with an active organization the user is a member of.
	Org = auth.Policy{RequireOrganization: true}
	// Projects is POST /api/org/projects: {"project": ["create"]} in the active organization.
	Projects = auth.Policy{OrganizationPermissions: map[string][]string{"project": {"create"}}}
	// Admin is GET /api/admin: the admin role, and never an impersonated session.
	Admin = auth.Policy{Roles: []string{"admin"}, RefuseImpersonated: true}
)

// Enabled reports which of the plugin routes a can serve: /api/files needs API keys, /api/org and
// /api/org/projects need organizations. An example registers only those.
func Enabled(a *auth.Auth) (keys, orgs bool) {
	_, err := auth.NewGuard(a, Files)
	keys = err == nil
	_, err = auth.NewGuard(a, Org)
	return keys, err == nil
}

// Skip are the plugin routes a site-wide policy must skip: /api/files is authenticated by its own policy
// only, so a key is counted once, after its permissions are checked (the plugin's order).
var Skip = []string{"/api/files"}
