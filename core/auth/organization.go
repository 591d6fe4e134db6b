package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/ttlcache"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Member is a row of the organization plugin's member table.
type Member = store.Member

// OrganizationConfig turns on Better Auth's organization plugin in the verifier: the member's role in the
// session's active organization and the plugin's access control, answered as its hasPermission does.
//
// The Node side it matches is organization({ ac, roles, dynamicAccessControl }): Roles here are the roles
// given there (each role's statements, as ac.newRole took them).
type OrganizationConfig struct {
	// Store reads the member and organizationRole tables: sqlstore.Store. Required.
	Store store.OrganizationStore

	// Roles are the organization's roles by name, each as the statements ac.newRole was given. Nil means
	// Better Auth's defaults: owner, admin and member over its default statements (organization, member,
	// invitation, team, ac).
	Roles map[string]map[string][]string

	// DynamicAccessControl is the plugin's dynamicAccessControl.enabled: roles stored in the
	// organizationRole table are merged into Roles for their organization, as the plugin does.
	DynamicAccessControl bool

	// CacheTTL is how long a member's role (and an organization's dynamic roles) is reused before it is
	// read again: a role change or a removal is seen within this time. Zero means 5 seconds; negative means
	// no cache.
	CacheTTL time.Duration

	// CacheSize bounds the cache. Zero means 10000 entries.
	CacheSize int
}

// DefaultOrganizationCacheTTL is how long a member's role is cached when [OrganizationConfig].CacheTTL is 0.
const DefaultOrganizationCacheTTL = 5 * time.Second

type orgSettings struct {
	store   store.OrganizationStore
	roles   betterauth.Roles
	dynamic bool
	ttl     time.Duration
	members *ttlcache.Cache[[2]string, *Member]       // (organization, user) → member; nil member = not one
	dynRole *ttlcache.Cache[string, betterauth.Roles] // organization → merged roles
}

func (c *OrganizationConfig) validate() (*orgSettings, error) {
	if c.Store == nil {
		return nil, configError("Organizations.Store is required")
	}
	if c.CacheSize < 0 {
		return nil, configError("Organizations.CacheSize must not be negative")
	}
	roles := c.Roles
	if roles == nil {
		roles = betterauth.DefaultOrgRoles()
	}
	for name := range roles {
		if name == "" {
			return nil, configError("Organizations.Roles: empty role name")
		}
	}
	o := &orgSettings{store: c.Store, roles: betterauth.NewRoles(roles), dynamic: c.DynamicAccessControl,
		ttl: orDefault(c.CacheTTL, DefaultOrganizationCacheTTL)}
	if o.ttl > 0 {
		n := orDefault(c.CacheSize, 10000)
		o.members = ttlcache.New[[2]string, *Member](n)
		o.dynRole = ttlcache.New[string, betterauth.Roles](n)
	}
	return o, nil
}

// ErrNotMember means the caller is not a member of the organization a check is about (or the session has
// no active organization): 403.
var ErrNotMember = fmt.Errorf("%w: not a member of the organization", ErrForbidden)

// ActiveOrganizationID returns the session's activeOrganizationId (the organization plugin's column), if it
// has one.
func (s *Session) ActiveOrganizationID() (string, bool) {
	return s.recordString("activeOrganizationId")
}

// ActiveTeamID returns the session's activeTeamId (the organization plugin's teams), if it has one.
func (s *Session) ActiveTeamID() (string, bool) { return s.recordString("activeTeamId") }

// ImpersonatedBy returns the id of the admin impersonating the user in this session (the admin plugin's
// session.impersonatedBy, set by /admin/impersonate-user), if it is an impersonation.
func (s *Session) ImpersonatedBy() (string, bool) { return s.recordString("impersonatedBy") }

func (s *Session) recordString(field string) (string, bool) {
	if s == nil || s.Record == nil {
		return "", false
	}
	v, _ := s.Record.Additional[field].(string)
	return v, v != ""
}

// Member returns the caller's member row in the session's active organization, read from the member table
// (cached for [OrganizationConfig].CacheTTL). It returns [ErrNotMember] when the session has no active
// organization or the user is not a member, [ErrUnavailable] when the store cannot answer, and
// [ErrInvalidConfig] when Organizations is not configured.
func (a *Auth) Member(ctx context.Context, s *Session) (*Member, error) {
	o := a.s.orgs
	if o == nil {
		return nil, configError("Organizations is not configured")
	}
	org, ok := s.ActiveOrganizationID()
	if !ok || s.User.ID == "" {
		return nil, ErrNotMember
	}
	return a.member(ctx, org, s.User.ID)
}

func (a *Auth) member(ctx context.Context, org, user string) (*Member, error) {
	o := a.s.orgs
	key := [2]string{org, user}
	now := a.s.now()
	if o.members != nil {
		if m, ok := o.members.Get(key, now); ok {
			if m == nil {
				return nil, ErrNotMember
			}
			return m, nil
		}
	}
	m, err := o.store.Member(ctx, org, user)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m = nil
	case err != nil:
		return nil, &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	}
	if o.members != nil {
		o.members.Put(key, m, now.Add(o.ttl), now)
	}
	if m == nil {
		return nil, ErrNotMember
	}
	return m, nil
}

// HasPermission answers the organization plugin's /organization/has-permission for the caller in the
// session's active organization: the member's roles (comma-separated) and [OrganizationConfig].Roles,
// with the organization's dynamic roles when DynamicAccessControl is on. It is false, nil when the
// permission is not granted; errors are as for [Auth.Member], plus an error (500) when a dynamic role's
// stored permissions are malformed, which the plugin answers with 500 too.
func (a *Auth) HasPermission(ctx context.Context, s *Session, permissions map[string][]string) (bool, error) {
	m, err := a.Member(ctx, s)
	if err != nil {
		return false, err
	}
	return a.RoleHasPermission(ctx, m.OrganizationID, m.Role, permissions)
}

// RoleHasPermission is the plugin's hasPermission for a role value (comma-separated roles) in an
// organization, without reading a member row.
func (a *Auth) RoleHasPermission(ctx context.Context, organizationID, role string, permissions map[string][]string) (bool, error) {
	o := a.s.orgs
	if o == nil {
		return false, configError("Organizations is not configured")
	}
	roles := o.roles
	if o.dynamic && organizationID != "" {
		var err error
		if roles, err = a.dynamicRoles(ctx, organizationID); err != nil {
			return false, err
		}
	}
	ok, err := betterauth.OrgHasPermission(roles, role, permissions)
	if errors.Is(err, betterauth.ErrAccessThrows) {
		a.s.log.LogAttrs(ctx, slog.LevelWarn, "auth: permission check throws in Better Auth; refused", slog.String("role", role))
		return false, nil
	}
	return ok, err
}

// dynamicRoles returns the configured roles with the organization's organizationRole rows merged in.
func (a *Auth) dynamicRoles(ctx context.Context, org string) (betterauth.Roles, error) {
	o := a.s.orgs
	now := a.s.now()
	if o.dynRole != nil {
		if r, ok := o.dynRole.Get(org, now); ok {
			return r, nil
		}
	}
	rows, err := o.store.OrganizationRoles(ctx, org)
	if err != nil {
		return nil, &UnavailableError{RetryAfter: storeRetryAfter, Err: err}
	}
	roles := make(betterauth.Roles, len(o.roles)+len(rows))
	for k, v := range o.roles {
		roles[k] = v
	}
	for _, row := range rows {
		perms, err := betterauth.ParseRolePermissions(row.Permission)
		if err != nil {
			return nil, err
		}
		roles[row.Role] = betterauth.MergeDynamicRole(roles[row.Role], perms)
	}
	if o.dynRole != nil {
		o.dynRole.Put(org, roles, now.Add(o.ttl), now)
	}
	return roles, nil
}

// AdminConfig describes the admin plugin's access control, as admin({ roles, adminRoles, adminUserIds,
// defaultRole }) was given it. The zero AdminConfig is the plugin's defaults.
type AdminConfig struct {
	// Roles are the admin plugin's roles by name, each as the statements ac.newRole was given. Nil means
	// its defaults: admin and user over the statements user and session.
	Roles map[string]map[string][]string
	// AdminUserIDs are users allowed everything whatever their role (adminUserIds).
	AdminUserIDs []string
	// DefaultRole is the role of a user whose role is empty. Empty means "user".
	DefaultRole string
}

type adminSettings struct {
	roles       betterauth.Roles
	ids         []string
	defaultRole string
}

func (c *AdminConfig) settings() *adminSettings {
	roles := c.Roles
	if roles == nil {
		roles = betterauth.DefaultAdminRoles()
	}
	return &adminSettings{roles: betterauth.NewRoles(roles), ids: append([]string(nil), c.AdminUserIDs...), defaultRole: c.DefaultRole}
}

// AdminHasPermission answers the admin plugin's hasPermission (/admin/has-permission) for the session's
// user: a user in AdminUserIDs may do anything; otherwise one of the user's roles (user.role, split on
// commas as the plugin splits it) must grant every requested permission, with [Config].Admin's roles.
func (a *Auth) AdminHasPermission(s *Session, permissions map[string][]string) bool {
	if s == nil {
		return false
	}
	ad := a.s.admin
	ok, err := betterauth.AdminHasPermission(ad.roles, ad.ids, s.User.ID, s.User.Role, ad.defaultRole, permissions)
	return ok && err == nil
}

// DefaultOrganizationRoles returns the organization plugin's default roles (owner, admin and member over
// its default statements), each as the statements ac.newRole is given: a fresh copy to extend, e.g. with
// a "project" statement, for [OrganizationConfig].Roles.
func DefaultOrganizationRoles() map[string]map[string][]string { return betterauth.DefaultOrgRoles() }
