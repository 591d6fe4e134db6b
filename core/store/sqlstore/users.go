package sqlstore

// Listing and counting rows with Better Auth's where clauses (@better-auth/kysely-adapter
// convertWhereClause): the admin plugin's listUsers and countTotalUsers.

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.UserLister = (*Store)(nil)

// whereClause builds the WHERE expression of ws on t as Better Auth's Kysely adapter does: the AND
// conditions, then the OR group in parentheses. No condition is "1=1".
func (s *Store) whereClause(t *table, ws []store.Where, a *args) (string, error) {
	var and, or []string
	for _, w := range ws {
		c, ok := t.byKey(w.Field)
		if !ok {
			return "", fmt.Errorf("%w: table %q has no field %q", store.ErrInvalidQuery, t.name, w.Field)
		}
		col := t.alias + "." + s.quote(c.name)
		w.Value = whereValue(c, w.Value)
		var e string
		switch op := w.Operator; op {
		case "", "eq", "ne":
			if w.Value == nil {
				e = col + map[bool]string{true: " IS NOT NULL", false: " IS NULL"}[op == "ne"]
				break
			}
			p, err := a.addFor(c, w.Value)
			if err != nil {
				return "", fmt.Errorf("%w: %v", store.ErrInvalidQuery, err)
			}
			e = col + map[bool]string{true: " <> ", false: " = "}[op == "ne"] + p
		case "lt", "lte", "gt", "gte":
			p, err := a.addFor(c, w.Value)
			if err != nil {
				return "", fmt.Errorf("%w: %v", store.ErrInvalidQuery, err)
			}
			e = col + " " + map[string]string{"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op] + " " + p
		case "in", "not_in":
			var ps []string
			v := reflect.ValueOf(w.Value)
			if v.Kind() != reflect.Slice {
				v = reflect.ValueOf([]any{w.Value})
			}
			for i := range v.Len() {
				p, err := a.addFor(c, v.Index(i).Interface())
				if err != nil {
					return "", fmt.Errorf("%w: %v", store.ErrInvalidQuery, err)
				}
				ps = append(ps, p)
			}
			if len(ps) == 0 {
				e = map[bool]string{true: "1=1", false: "1=0"}[op == "not_in"]
				break
			}
			e = col + map[bool]string{true: " NOT IN (", false: " IN ("}[op == "not_in"] + strings.Join(ps, ", ") + ")"
		case "contains", "starts_with", "ends_with":
			v := fmt.Sprint(w.Value)
			switch op {
			case "contains":
				v = "%" + v + "%"
			case "starts_with":
				v += "%"
			default:
				v = "%" + v
			}
			e = col + " LIKE " + a.add(v)
		default:
			return "", fmt.Errorf("%w: operator %q", store.ErrInvalidQuery, op)
		}
		if w.Or {
			or = append(or, e)
		} else {
			and = append(and, e)
		}
	}
	if len(or) > 0 {
		and = append(and, "("+strings.Join(or, " OR ")+")")
	}
	if len(and) == 0 {
		return "1=1", nil
	}
	return strings.Join(and, " AND "), nil
}

// ListUsers returns the users q selects, read as [Store.UserByID] reads them.
func (s *Store) ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "user")
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
	var out []store.User
	err = s.queryRows(ctx, t, where, a, suffix, func(vals []any) error {
		res, err := t.record(vals)
		if err != nil {
			return err
		}
		out = append(out, res.User)
		return nil
	})
	return out, err
}

// CountUsers returns how many users where selects.
func (s *Store) CountUsers(ctx context.Context, where []store.Where) (int, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "user")
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
		return 0, fmt.Errorf("sqlstore: counting users: %w", s.failed(t, err))
	}
	return n, nil
}

// whereValue converts a value as Better Auth's adapter factory does for where clauses: a string compared
// with a boolean field is === "true", a numeric string compared with a number field is a number.
func whereValue(c *column, v any) any {
	switch c.fieldType() {
	case FieldBoolean:
		if s, ok := v.(string); ok {
			return s == "true"
		}
	case FieldNumber:
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return f
			}
		}
	}
	return v
}

// orderAndPage is the ORDER BY / LIMIT / OFFSET suffix of a list query (ListUsers, FindRows): sortBy is a
// field key of t; an offset without a limit gets each dialect's "no limit" (PostgreSQL needs none).
func (s *Store) orderAndPage(t *table, sortBy string, desc bool, limit, offset int) (string, error) {
	suffix := ""
	if sortBy != "" {
		c, ok := t.byKey(sortBy)
		if !ok {
			return "", fmt.Errorf("%w: table %q has no field %q", store.ErrInvalidQuery, t.name, sortBy)
		}
		suffix = " ORDER BY " + t.alias + "." + s.quote(c.name)
		if desc {
			suffix += " DESC"
		}
	}
	switch {
	case limit > 0:
		suffix += fmt.Sprintf(" LIMIT %d", limit)
	case offset > 0 && s.dialect == MySQL:
		suffix += " LIMIT 18446744073709551615"
	case offset > 0 && s.dialect == SQLite:
		suffix += " LIMIT -1"
	}
	if offset > 0 {
		suffix += fmt.Sprintf(" OFFSET %d", offset)
	}
	return suffix, nil
}
