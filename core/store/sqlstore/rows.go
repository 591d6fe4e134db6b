package sqlstore

// Rows of plugin tables without typed methods, read and written as Better Auth's adapter does (findMany,
// count, create, updateMany, deleteMany with its where clauses): the organization plugin's tables.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.RowStore = (*Store)(nil)

// rowModels are the models [Store.FindRows] and the other row methods accept.
var rowModels = map[string]bool{"organization": true, "member": true, "invitation": true, "team": true,
	"teamMember": true, "organizationRole": true}

// rowTable returns a model's table for the row methods.
func (s *Store) rowTable(ctx context.Context, model string) (*table, error) {
	if !rowModels[model] {
		return nil, fmt.Errorf("%w: sqlstore has no rows of model %q", store.ErrInvalidQuery, model)
	}
	return s.table(ctx, model)
}

// row reads one row by field (Additional key).
func (t *table) row(vals []any) (store.Row, error) {
	r := make(store.Row, len(t.cols))
	for i := range t.cols {
		c := &t.cols[i]
		v := vals[i]
		var err error
		switch {
		case v == nil:
			r[c.key] = nil
		case c.fieldType() == FieldDate:
			r[c.key], err = c.time(v)
		case c.fieldType() == FieldBoolean:
			r[c.key], err = boolean(v)
		default:
			cc := *c
			cc.typ = c.fieldType()
			r[c.key], err = cc.jsonValue(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of %s: %w", c.name, t.model, err)
		}
	}
	return r, nil
}

// FindRows returns the rows of model that q selects.
func (s *Store) FindRows(ctx context.Context, model string, q store.RowQuery) ([]store.Row, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.rowTable(ctx, model)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	where, err := s.whereClause(t, q.Where, a)
	if err != nil {
		return nil, err
	}
	suffix, err := s.orderAndPage(t, q.SortBy, q.Desc, q.Limit, q.Offset)
	if err != nil {
		return nil, err
	}
	var out []store.Row
	err = s.queryRows(ctx, t, where, a, suffix, func(vals []any) error {
		r, err := t.row(vals)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// CountRows returns how many rows of model where selects.
func (s *Store) CountRows(ctx context.Context, model string, where []store.Where) (int, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.rowTable(ctx, model)
	if err != nil {
		return 0, err
	}
	a := &args{s: s}
	w, err := s.whereClause(t, where, a)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+s.quoteTable(t.name)+" "+t.alias+" WHERE "+w, a.vals...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: counting %s: %w", t.model, s.failed(t, err))
	}
	return n, nil
}

// CreateRow inserts row into model's table, in the table's column order.
func (s *Store) CreateRow(ctx context.Context, model string, row store.Row) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.rowTable(ctx, model)
	if err != nil {
		return err
	}
	return s.insert(ctx, t, row)
}

// errNoWhere refuses updates and deletes of every row.
var errNoWhere = errors.New("sqlstore: refusing to update or delete every row (no where)")

// UpdateRows sets the fields of set on the rows of model that where selects and returns how many rows it
// changed (MySQL does not count a row whose values were already those of set).
func (s *Store) UpdateRows(ctx context.Context, model string, where []store.Where, set store.Row) (int64, error) {
	if len(where) == 0 {
		return 0, errNoWhere
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.rowTable(ctx, model)
	if err != nil {
		return 0, err
	}
	if len(set) == 0 {
		return 0, nil
	}
	a := &args{s: s}
	var sets []string
	for _, f := range slices.Sorted(maps.Keys(set)) {
		c, ok := t.byKey(f)
		if !ok {
			return 0, fmt.Errorf("%w: table %q has no column for field %q", store.ErrInvalidQuery, t.name, f)
		}
		p, err := a.addFor(c, set[f])
		if err != nil {
			return 0, fmt.Errorf("sqlstore: updating %s: %w", t.model, err)
		}
		sets = append(sets, s.quote(c.name)+" = "+p)
	}
	w, err := s.whereClause(t, where, a)
	if err != nil {
		return 0, err
	}
	// The where clause names columns by the alias, which UPDATE does not declare in every dialect: name
	// the table by its alias.
	q := "UPDATE " + s.quoteTable(t.name) + " " + s.updateAlias(t) + " SET " + strings.Join(sets, ", ") + " WHERE " + w
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return 0, s.writeErr("updating "+t.model, s.failed(t, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: updating %s: %w", t.model, err)
	}
	return n, nil
}

// updateAlias declares t's alias in an UPDATE or DELETE: "AS a" (PostgreSQL, SQLite), "a" (MySQL).
func (s *Store) updateAlias(t *table) string {
	if s.dialect == MySQL {
		return t.alias
	}
	return "AS " + t.alias
}

// DeleteRows deletes the rows of model that where selects and returns how many.
func (s *Store) DeleteRows(ctx context.Context, model string, where []store.Where) (int64, error) {
	if len(where) == 0 {
		return 0, errNoWhere
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.rowTable(ctx, model)
	if err != nil {
		return 0, err
	}
	a := &args{s: s}
	w, err := s.whereClause(t, where, a)
	if err != nil {
		return 0, err
	}
	q := "DELETE FROM " + s.quoteTable(t.name) + " " + s.updateAlias(t) + " WHERE " + w
	if s.dialect == MySQL {
		q = "DELETE " + t.alias + " FROM " + s.quoteTable(t.name) + " " + t.alias + " WHERE " + w
	}
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting %s: %w", t.model, s.failed(t, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting %s: %w", t.model, err)
	}
	return n, nil
}
