package sqlstore

// The passkey plugin's passkey table (@better-auth/passkey 1.7.6 src/schema.ts), as its routes use it
// (src/routes.ts: findMany by userId, findOne by credentialID, create, update of counter and name, delete).

import (
	"context"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.PasskeyStore = (*Store)(nil)

// PasskeysByUser returns the user's passkeys, oldest first.
func (s *Store) PasskeysByUser(ctx context.Context, userID string) ([]store.Passkey, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	var out []store.Passkey
	err := s.passkeysWhere(ctx, "userId", userID, true, func(p *store.Passkey) { out = append(out, *p) })
	return out, err
}

// PasskeyByID returns the passkey with that id.
func (s *Store) PasskeyByID(ctx context.Context, id string) (*store.Passkey, error) {
	return s.passkeyWhere(ctx, "id", id)
}

// PasskeyByCredentialID returns the passkey with that credential id.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID string) (*store.Passkey, error) {
	return s.passkeyWhere(ctx, "credentialID", credentialID)
}

func (s *Store) passkeyWhere(ctx context.Context, field, v string) (*store.Passkey, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	var out *store.Passkey
	err := s.passkeysWhere(ctx, field, v, false, func(p *store.Passkey) {
		if out == nil {
			out = p
		}
	})
	if err == nil && out == nil {
		err = store.ErrNotFound
	}
	return out, err
}

// passkeysWhere calls each for the rows whose field equals v (all of them when all, else the first).
func (s *Store) passkeysWhere(ctx context.Context, field, v string, all bool, each func(*store.Passkey)) error {
	t, err := s.table(ctx, "passkey")
	if err != nil {
		return err
	}
	col, err := t.col(s, field)
	if err != nil {
		return err
	}
	suffix := " LIMIT 1"
	if all {
		if suffix, err = t.byAge(s, false); err != nil {
			idCol, _ := t.col(s, "id")
			suffix = " ORDER BY " + idCol
		}
	}
	a := &args{s: s}
	return s.queryRows(ctx, t, col+" = "+a.add(v), a, suffix, func(vals []any) error {
		p, err := t.passkey(vals)
		if err != nil {
			return err
		}
		each(p)
		return nil
	})
}

// passkey reads a passkey row.
func (t *table) passkey(vals []any) (*store.Passkey, error) {
	r := &store.Passkey{}
	for i, c := range t.cols {
		v := vals[i]
		var err error
		switch c.field {
		case "id":
			r.ID, err = text(v)
		case "name":
			r.Name, err = text(v)
		case "publicKey":
			r.PublicKey, err = text(v)
		case "userId":
			r.UserID, err = text(v)
		case "credentialID":
			r.CredentialID, err = text(v)
		case "counter":
			var n int
			n, err = integer(v)
			r.Counter = int64(n)
		case "deviceType":
			r.DeviceType, err = text(v)
		case "backedUp":
			if v != nil {
				r.BackedUp, err = boolean(v)
			}
		case "transports":
			r.Transports, err = text(v)
		case "createdAt":
			r.CreatedAt, err = c.optTime(v)
		case "aaguid":
			r.AAGUID, err = text(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of passkey: %w", c.name, err)
		}
	}
	return r, nil
}

// CreatePasskey inserts a passkey row. An empty name or aaguid is written as NULL, as Better Auth writes
// undefined.
func (s *Store) CreatePasskey(ctx context.Context, p *store.Passkey) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "passkey")
	if err != nil {
		return err
	}
	vals := map[string]any{"id": p.ID, "publicKey": p.PublicKey, "userId": p.UserID, "credentialID": p.CredentialID,
		"counter": p.Counter, "deviceType": p.DeviceType, "backedUp": p.BackedUp}
	opt := map[string]any{"transports": p.Transports, "name": p.Name, "aaguid": p.AAGUID}
	for k, v := range opt {
		if _, ok := t.byKey(k); ok && (v != "" || k == "transports") {
			vals[k] = v
		}
	}
	if p.CreatedAt != nil {
		vals["createdAt"] = *p.CreatedAt
	}
	return s.insert(ctx, t, vals)
}

// UpdatePasskey sets fields of the passkey with that id.
func (s *Store) UpdatePasskey(ctx context.Context, id string, fields map[string]any) error {
	return s.updateWhere(ctx, "passkey", fields, "id", id)
}

// DeletePasskey deletes the passkey with that id.
func (s *Store) DeletePasskey(ctx context.Context, id string) error {
	return s.deleteWhere(ctx, "passkey", "id", id)
}
