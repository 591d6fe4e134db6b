package organization

// Mirrors better-auth 1.7.25 src/plugins/organization/routes/crud-invites.ts.

import "github.com/gobetterauth/gobetterauth/core/authserver"

func (pl *Plugin) createInvitation(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) cancelInvitation(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) acceptInvitation(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) getInvitation(x *authserver.Context) (any, error)       { return nil, errTODO }
func (pl *Plugin) rejectInvitation(x *authserver.Context) (any, error)    { return nil, errTODO }
func (pl *Plugin) listInvitations(x *authserver.Context) (any, error)     { return nil, errTODO }
func (pl *Plugin) listUserInvitations(x *authserver.Context) (any, error) { return nil, errTODO }
