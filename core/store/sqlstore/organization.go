package sqlstore

import (
	"context"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.OrganizationStore = (*Store)(nil)

// Member returns the organization plugin's member row of userID in organizationID ([Names].Member), or
// [store.ErrNotFound].
func (s *Store) Member(ctx context.Context, organizationID, userID string) (*store.Member, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "member")
	if err != nil {
		return nil, err
	}
	orgCol, err := t.col(s, "organizationId")
	if err != nil {
		return nil, err
	}
	userCol, err := t.col(s, "userId")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var m *store.Member
	err = s.queryRows(ctx, t, orgCol+" = "+a.add(organizationID)+" AND "+userCol+" = "+a.add(userID), a, " LIMIT 1", func(vals []any) error {
		m = &store.Member{}
		for i, c := range t.cols {
			var err error
			switch c.field {
			case "id":
				m.ID, err = text(vals[i])
			case "organizationId":
				m.OrganizationID, err = text(vals[i])
			case "userId":
				m.UserID, err = text(vals[i])
			case "role":
				m.Role, err = text(vals[i])
			case "createdAt":
				m.CreatedAt, err = c.time(vals[i])
			}
			if err != nil {
				return fmt.Errorf("sqlstore: column %q of member: %w", c.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, store.ErrNotFound
	}
	return m, nil
}

// OrganizationRoles returns the organizationRole rows of organizationID ([Names].OrganizationRole).
func (s *Store) OrganizationRoles(ctx context.Context, organizationID string) ([]store.OrganizationRole, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "organizationRole")
	if err != nil {
		return nil, err
	}
	orgCol, err := t.col(s, "organizationId")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out []store.OrganizationRole
	err = s.queryRows(ctx, t, orgCol+" = "+a.add(organizationID), a, "", func(vals []any) error {
		var r store.OrganizationRole
		for i, c := range t.cols {
			var err error
			switch c.field {
			case "id":
				r.ID, err = text(vals[i])
			case "organizationId":
				r.OrganizationID, err = text(vals[i])
			case "role":
				r.Role, err = text(vals[i])
			case "permission":
				r.Permission, err = text(vals[i])
			}
			if err != nil {
				return fmt.Errorf("sqlstore: column %q of organizationRole: %w", c.name, err)
			}
		}
		out = append(out, r)
		return nil
	})
	return out, err
}
