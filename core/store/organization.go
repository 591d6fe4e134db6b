package store

import (
	"context"
	"time"
)

// Member is a row of the member table of Better Auth's organization plugin.
type Member struct {
	// ID is the member id.
	ID string `json:"id"`
	// OrganizationID and UserID say who is a member of what.
	OrganizationID string `json:"organizationId"`
	UserID         string `json:"userId"`
	// Role is the member's role, several separated by commas as the plugin writes them ("admin,member").
	Role string `json:"role"`
	// CreatedAt is when the member joined.
	CreatedAt time.Time `json:"createdAt"`
}

// OrganizationRole is a row of the organizationRole table (the organization plugin's dynamic access
// control): a role defined at run time for one organization.
type OrganizationRole struct {
	// ID is the row id.
	ID string `json:"id"`
	// OrganizationID is the organization the role belongs to.
	OrganizationID string `json:"organizationId"`
	// Role is the role's name.
	Role string `json:"role"`
	// Permission is the role's statements as stored: JSON text such as {"project":["read"]}.
	Permission string `json:"permission"`
}

// OrganizationStore reads the organization plugin's tables. Implementations must be safe for concurrent
// use and bound every call in time.
type OrganizationStore interface {
	// Member returns the member row of userID in organizationID, or [ErrNotFound].
	Member(ctx context.Context, organizationID, userID string) (*Member, error)
	// OrganizationRoles returns the organizationRole rows of organizationID (none is not an error).
	OrganizationRoles(ctx context.Context, organizationID string) ([]OrganizationRole, error)
}
