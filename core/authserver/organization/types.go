package organization

import (
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// Organization is a row of the organization table.
type Organization struct {
	ID   string
	Name string
	Slug string
	// Logo is the logo URL, nil when NULL.
	Logo *string
	// Metadata is the metadata column parsed as a JSON object, nil when NULL.
	Metadata map[string]any
	// CreatedAt is when it was created.
	CreatedAt time.Time
}

// Member is a row of the member table (the verifier's store.Member): Role holds several roles separated
// by commas ("admin,member").
type Member = store.Member

// Invitation is a row of the invitation table.
type Invitation struct {
	ID             string
	OrganizationID string
	// Email is the invited address, lower case.
	Email string
	// Role is the role the invitee gets, several separated by commas.
	Role string
	// TeamID are the teams the invitee joins, comma-separated ("" when NULL); only with teams.
	TeamID string
	// Status is "pending", "accepted", "rejected" or "canceled".
	Status    string
	ExpiresAt time.Time
	CreatedAt time.Time
	// InviterID is the user who invited.
	InviterID string
}
