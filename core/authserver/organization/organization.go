package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-org.ts.

import "github.com/gobetterauth/gobetterauth/core/authserver"

func (pl *Plugin) createOrganization(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) updateOrganization(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) deleteOrganization(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) setActiveOrganization(x *authserver.Context) (any, error) { return nil, errTODO }
func (pl *Plugin) getFullOrganization(x *authserver.Context) (any, error)   { return nil, errTODO }
func (pl *Plugin) listOrganizations(x *authserver.Context) (any, error)     { return nil, errTODO }
func (pl *Plugin) checkSlug(x *authserver.Context) (any, error)             { return nil, errTODO }
func (pl *Plugin) hasPermissionEndpoint(x *authserver.Context) (any, error) { return nil, errTODO }

var errTODO = &authserver.APIError{Status: 501, Code: "NOT_IMPLEMENTED", Message: "not implemented yet"}
