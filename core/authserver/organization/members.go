package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-members.ts.

import "github.com/gobetterauth/gobetterauth/core/authserver"

func (pl *Plugin) removeMember(x *authserver.Context) (any, error)        { return nil, errTODO }
func (pl *Plugin) updateMemberRole(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) getActiveMember(x *authserver.Context) (any, error)     { return nil, errTODO }
func (pl *Plugin) leaveOrganization(x *authserver.Context) (any, error)   { return nil, errTODO }
func (pl *Plugin) listMembers(x *authserver.Context) (any, error)         { return nil, errTODO }
func (pl *Plugin) getActiveMemberRole(x *authserver.Context) (any, error) { return nil, errTODO }
