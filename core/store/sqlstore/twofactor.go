package sqlstore

// The two-factor plugin's twoFactor table (better-auth src/plugins/two-factor/schema.ts), as the plugin's
// adapter calls use it (src/plugins/two-factor/verify-two-factor.ts: incrementOne for the lockout).

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.TwoFactorStore = (*Store)(nil)

// TwoFactorByUser returns the user's twoFactor row.
func (s *Store) TwoFactorByUser(ctx context.Context, userID string) (*store.TwoFactor, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "twoFactor")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "userId")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out *store.TwoFactor
	err = s.queryRows(ctx, t, col+" = "+a.add(userID), a, " LIMIT 1", func(vals []any) error {
		out, err = t.twoFactor(vals)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// twoFactor reads a twoFactor row.
func (t *table) twoFactor(vals []any) (*store.TwoFactor, error) {
	r := &store.TwoFactor{Verified: true}
	for i, c := range t.cols {
		v := vals[i]
		var err error
		switch c.field {
		case "id":
			r.ID, err = text(v)
		case "userId":
			r.UserID, err = text(v)
		case "secret":
			r.Secret, err = text(v)
		case "backupCodes":
			r.BackupCodes, err = text(v)
		case "verified":
			if v != nil {
				r.Verified, err = boolean(v)
			}
		case "failedVerificationCount":
			r.FailedVerificationCount, err = integer(v)
		case "lockedUntil":
			r.LockedUntil, err = c.optTime(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of twoFactor: %w", c.name, err)
		}
	}
	return r, nil
}

// integer reads a number column; NULL is 0.
func integer(v any) (int, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return int(v), nil
	case int32:
		return int(v), nil
	case float64:
		return int(v), nil
	case []byte:
		return strconv.Atoi(string(v))
	case string:
		return strconv.Atoi(v)
	}
	return 0, fmt.Errorf("unexpected %T for a number", v)
}

// CreateTwoFactor inserts a twoFactor row.
func (s *Store) CreateTwoFactor(ctx context.Context, r *store.TwoFactor) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "twoFactor")
	if err != nil {
		return err
	}
	vals := map[string]any{"id": r.ID, "secret": r.Secret, "backupCodes": r.BackupCodes, "userId": r.UserID}
	if _, ok := t.byKey("verified"); ok {
		vals["verified"] = r.Verified
	}
	if _, ok := t.byKey("failedVerificationCount"); ok {
		vals["failedVerificationCount"] = int64(r.FailedVerificationCount)
	}
	if r.LockedUntil != nil {
		vals["lockedUntil"] = *r.LockedUntil
	}
	return s.insert(ctx, t, vals)
}

// UpdateTwoFactor sets fields of the twoFactor row with that id.
func (s *Store) UpdateTwoFactor(ctx context.Context, id string, fields map[string]any) error {
	return s.updateWhere(ctx, "twoFactor", fields, "id", id)
}

// DeleteTwoFactor deletes the user's twoFactor rows.
func (s *Store) DeleteTwoFactor(ctx context.Context, userID string) error {
	return s.deleteWhere(ctx, "twoFactor", "userId", userID)
}

// exec runs a statement on the twoFactor table built by build, which gets the table and the column name
// of a field, and returns how many rows it changed.
func (s *Store) execTwoFactor(ctx context.Context, build func(t *table, col func(string) string, a *args) (string, error)) (int64, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "twoFactor")
	if err != nil {
		return 0, err
	}
	var missing error
	col := func(field string) string {
		c, ok := t.byKey(field)
		if !ok {
			missing = fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's twoFactor.%s)", t.name, s.column(field), field)
			return ""
		}
		return s.quote(c.name)
	}
	a := &args{s: s}
	q, err := build(t, col, a)
	if err != nil {
		return 0, err
	}
	if missing != nil {
		return 0, missing
	}
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return 0, s.writeErr("updating twoFactor", s.failed(t, err))
	}
	return res.RowsAffected()
}

// SwapBackupCodes sets backupCodes to next only while it still is prev.
func (s *Store) SwapBackupCodes(ctx context.Context, id, prev, next string) (bool, error) {
	n, err := s.execTwoFactor(ctx, func(t *table, col func(string) string, a *args) (string, error) {
		return "UPDATE " + s.quoteTable(t.name) + " SET " + col("backupCodes") + " = " + a.add(next) + " WHERE " +
			col("id") + " = " + a.add(id) + " AND " + col("backupCodes") + " = " + a.add(prev), nil
	})
	return n > 0, err
}

// IncrementTwoFactorFailures adds one to failedVerificationCount and returns the new count.
func (s *Store) IncrementTwoFactorFailures(ctx context.Context, id string) (int, error) {
	_, err := s.execTwoFactor(ctx, func(t *table, col func(string) string, a *args) (string, error) {
		c := col("failedVerificationCount")
		return "UPDATE " + s.quoteTable(t.name) + " SET " + c + " = COALESCE(" + c + ", 0) + 1 WHERE " + col("id") + " = " + a.add(id), nil
	})
	if err != nil {
		return 0, err
	}
	r, err := s.twoFactorByID(ctx, id)
	if err != nil {
		return 0, err
	}
	return r.FailedVerificationCount, nil
}

// twoFactorByID reads one row by id.
func (s *Store) twoFactorByID(ctx context.Context, id string) (*store.TwoFactor, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "twoFactor")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "id")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out *store.TwoFactor
	err = s.queryRows(ctx, t, col+" = "+a.add(id), a, "", func(vals []any) error {
		out, err = t.twoFactor(vals)
		return err
	})
	if err == nil && out == nil {
		err = store.ErrNotFound
	}
	return out, err
}

// LockTwoFactor sets lockedUntil while failedVerificationCount is at least min.
func (s *Store) LockTwoFactor(ctx context.Context, id string, min int, until time.Time) error {
	_, err := s.execTwoFactor(ctx, func(t *table, col func(string) string, a *args) (string, error) {
		lc, ok := t.byKey("lockedUntil")
		if !ok {
			return "", errors.New("sqlstore: table twoFactor has no lockedUntil column (run the migration)")
		}
		p, err := a.addFor(lc, until)
		if err != nil {
			return "", err
		}
		return "UPDATE " + s.quoteTable(t.name) + " SET " + col("lockedUntil") + " = " + p + " WHERE " + col("id") + " = " +
			a.add(id) + " AND " + col("failedVerificationCount") + " >= " + a.add(int64(min)), nil
	})
	return err
}

// UnlockTwoFactor clears the count and lockedUntil when lockedUntil is at or before now.
func (s *Store) UnlockTwoFactor(ctx context.Context, id string, now time.Time) error {
	_, err := s.execTwoFactor(ctx, func(t *table, col func(string) string, a *args) (string, error) {
		lc, ok := t.byKey("lockedUntil")
		if !ok {
			return "", errors.New("sqlstore: table twoFactor has no lockedUntil column (run the migration)")
		}
		p, err := a.addFor(lc, now)
		if err != nil {
			return "", err
		}
		return "UPDATE " + s.quoteTable(t.name) + " SET " + col("failedVerificationCount") + " = 0, " + col("lockedUntil") +
			" = NULL WHERE " + col("id") + " = " + a.add(id) + " AND " + col("lockedUntil") + " <= " + p, nil
	})
	return err
}
