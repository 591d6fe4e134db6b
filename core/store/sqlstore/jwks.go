package sqlstore

import (
	"context"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.KeyStore = (*Store)(nil)

// JWKs returns the rows of the JWT plugin's jwks table, oldest first.
func (s *Store) JWKs(ctx context.Context) ([]store.JWK, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "jwks")
	if err != nil {
		return nil, err
	}
	order, err := t.byAge(s, false)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out []store.JWK
	err = s.queryRows(ctx, t, "1 = 1", a, order, func(vals []any) error {
		var k store.JWK
		for i, c := range t.cols {
			v := vals[i]
			var err error
			switch c.field {
			case "id":
				k.ID, err = text(v)
			case "publicKey":
				k.PublicKey, err = text(v)
			case "privateKey":
				k.PrivateKey, err = text(v)
			case "alg":
				k.Alg, err = text(v)
			case "crv":
				k.Crv, err = text(v)
			case "createdAt":
				k.CreatedAt, err = c.time(v)
			case "expiresAt":
				k.ExpiresAt, err = c.optTime(v)
			}
			if err != nil {
				return fmt.Errorf("sqlstore: column %q of jwks: %w", c.name, err)
			}
		}
		out = append(out, k)
		return nil
	})
	return out, err
}

// CreateJWK inserts a jwks row.
func (s *Store) CreateJWK(ctx context.Context, k *store.JWK) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "jwks")
	if err != nil {
		return err
	}
	vals := map[string]any{"id": k.ID, "publicKey": k.PublicKey, "privateKey": k.PrivateKey,
		"createdAt": k.CreatedAt, "alg": nullIfEmpty(k.Alg), "crv": nullIfEmpty(k.Crv)}
	if k.ExpiresAt != nil {
		vals["expiresAt"] = *k.ExpiresAt
	}
	return s.insert(ctx, t, vals)
}
