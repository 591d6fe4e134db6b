package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.APIKeyStore = (*Store)(nil)

// APIKey returns the api-key plugin's key whose key column equals key (the hashed key), or
// [store.ErrNotFound]. The table is [Names].APIKey ("apikey").
func (s *Store) APIKey(ctx context.Context, key string) (*store.APIKey, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	return s.apiKeyWhere(ctx, "key", key)
}

// APIKeyByID returns the api-key plugin's key with this id, or [store.ErrNotFound].
func (s *Store) APIKeyByID(ctx context.Context, id string) (*store.APIKey, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	return s.apiKeyWhere(ctx, "id", id)
}

func (s *Store) apiKeyWhere(ctx context.Context, field, v string) (*store.APIKey, error) {
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, field)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var k *store.APIKey
	err = s.queryRows(ctx, t, col+" = "+a.add(v), a, " LIMIT 1", func(vals []any) error {
		k, err = t.apiKey(vals)
		return err
	})
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, store.ErrNotFound
	}
	return k, nil
}

// UpdateAPIKey applies set to the key with this id when its row satisfies cond, with one UPDATE whose
// WHERE clause holds the guards (so concurrent verifiers, Go or Node, never count past a limit), then reads
// the row back. A store opened read-only ([Options].ReadOnly) fails with [store.ErrReadOnly].
func (s *Store) UpdateAPIKey(ctx context.Context, id string, cond store.APIKeyCond, set store.APIKeySet) (*store.APIKey, bool, error) {
	if err := s.ReadOnly(); err != nil {
		return nil, false, fmt.Errorf("sqlstore: counting a use of an API key: %w", err)
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return nil, false, err
	}
	a := &args{s: s}
	var sets, where []string
	col := func(field string) (*column, string, error) {
		c, ok := t.byKey(field)
		if !ok {
			return nil, "", fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's apikey.%s; see Names)", t.name, s.column(field), field)
		}
		return c, s.quote(c.name), nil
	}
	assign := func(field string, v any) error {
		c, q, err := col(field)
		if err != nil {
			return err
		}
		p, err := a.addFor(c, v)
		if err != nil {
			return err
		}
		sets = append(sets, q+" = "+p)
		return nil
	}
	compare := func(field, op string, v any) error {
		c, q, err := col(field)
		if err != nil {
			return err
		}
		if v == nil {
			where = append(where, q+" IS NULL")
			return nil
		}
		p, err := a.addFor(c, v)
		if err != nil {
			return err
		}
		where = append(where, q+" "+op+" "+p)
		return nil
	}
	var errs []error
	switch {
	case set.DecrementRemaining:
		_, q, err := col("remaining")
		errs = append(errs, err)
		sets = append(sets, q+" = "+q+" - 1")
	case set.Remaining != nil:
		errs = append(errs, assign("remaining", *set.Remaining))
	}
	switch {
	case set.IncrementRequestCount:
		_, q, err := col("requestCount")
		errs = append(errs, err)
		sets = append(sets, q+" = "+q+" + 1")
	case set.RequestCount != nil:
		errs = append(errs, assign("requestCount", *set.RequestCount))
	}
	if set.LastRefillAt != nil {
		errs = append(errs, assign("lastRefillAt", *set.LastRefillAt))
	}
	if set.LastRequest != nil {
		errs = append(errs, assign("lastRequest", *set.LastRequest))
	}
	errs = append(errs, assign("updatedAt", set.UpdatedAt))
	errs = append(errs, compare("id", "=", id))
	guarded := false
	if cond.LastRefillAtIs {
		guarded = true
		if cond.LastRefillAt == nil {
			errs = append(errs, compare("lastRefillAt", "=", nil))
		} else {
			errs = append(errs, compare("lastRefillAt", "=", *cond.LastRefillAt))
		}
	}
	if cond.RemainingPositive {
		guarded = true
		errs = append(errs, compare("remaining", ">", int64(0)))
	}
	if cond.LastRequestAfter != nil {
		guarded = true
		errs = append(errs, compare("lastRequest", ">", *cond.LastRequestAfter))
	}
	if cond.LastRequestNotAfter != nil {
		guarded = true
		errs = append(errs, compare("lastRequest", "<=", *cond.LastRequestNotAfter))
	}
	if cond.LastRequestNull {
		guarded = true
		errs = append(errs, compare("lastRequest", "=", nil))
	}
	if cond.RequestCountBelow != nil {
		guarded = true
		errs = append(errs, compare("requestCount", "<", *cond.RequestCountBelow))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, false, fmt.Errorf("sqlstore: updating apikey: %w", err)
	}
	q := "UPDATE " + s.quoteTable(t.name) + " SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(where, " AND ")
	if s.dialect != MySQL {
		// The row as this update left it, in the same statement: a concurrent delete (Better Auth deletes a
		// used-up key when it meets one) cannot take a use this update counted.
		var ret []string
		for _, c := range t.cols {
			ret = append(ret, s.quote(c.name))
		}
		var k *store.APIKey
		rows, err := s.db.QueryContext(ctx, q+" RETURNING "+strings.Join(ret, ", "), a.vals...)
		if err != nil {
			return nil, false, s.writeErr("updating apikey", s.failed(t, err))
		}
		defer rows.Close()
		if rows.Next() {
			vals := make([]any, len(t.cols))
			ptrs := make([]any, len(t.cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, false, fmt.Errorf("sqlstore: updating apikey: %w", err)
			}
			if k, err = t.apiKey(vals); err != nil {
				return nil, false, err
			}
		}
		if err := rows.Err(); err != nil {
			return nil, false, s.writeErr("updating apikey", s.failed(t, err))
		}
		rows.Close()
		if k != nil {
			return k, true, nil
		}
		k, err = s.apiKeyWhere(ctx, "id", id)
		return k, false, err
	}
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return nil, false, s.writeErr("updating apikey", s.failed(t, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: updating apikey: %w", err)
	}
	k, err := s.apiKeyWhere(ctx, "id", id)
	if err != nil {
		return nil, false, err
	}
	// MySQL counts changed rows: an unguarded update that wrote the same updatedAt changed none.
	return k, n > 0 || !guarded, nil
}

// apiKey reads an apikey row.
func (t *table) apiKey(vals []any) (*store.APIKey, error) {
	k := &store.APIKey{Enabled: true, RateLimitEnabled: true}
	for i, c := range t.cols {
		v := vals[i]
		var err error
		switch c.field {
		case "id":
			k.ID, err = text(v)
		case "configId":
			k.ConfigID, err = text(v)
		case "name":
			k.Name, err = text(v)
		case "start":
			k.Start, err = text(v)
		case "referenceId":
			k.ReferenceID, err = text(v)
		case "prefix":
			k.Prefix, err = text(v)
		case "key":
			k.Key, err = text(v)
		case "refillInterval":
			k.RefillInterval, err = optInt(v)
		case "refillAmount":
			k.RefillAmount, err = optInt(v)
		case "lastRefillAt":
			k.LastRefillAt, err = c.optTime(v)
		case "enabled":
			if v != nil {
				k.Enabled, err = boolean(v)
			}
		case "rateLimitEnabled":
			if v != nil {
				k.RateLimitEnabled, err = boolean(v)
			}
		case "rateLimitTimeWindow":
			k.RateLimitTimeWindow, err = optInt(v)
		case "rateLimitMax":
			k.RateLimitMax, err = optInt(v)
		case "requestCount":
			var n *int64
			if n, err = optInt(v); n != nil {
				k.RequestCount = *n
			}
		case "remaining":
			k.Remaining, err = optInt(v)
		case "lastRequest":
			k.LastRequest, err = c.optTime(v)
		case "expiresAt":
			k.ExpiresAt, err = c.optTime(v)
		case "createdAt":
			k.CreatedAt, err = c.time(v)
		case "updatedAt":
			k.UpdatedAt, err = c.time(v)
		case "permissions":
			k.Permissions, err = text(v)
		case "metadata":
			k.Metadata, err = text(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of apikey: %w", c.name, err)
		}
	}
	return k, nil
}

// optInt reads a nullable number column as an integer (Better Auth's "number" fields hold integers here:
// counts and milliseconds).
func optInt(v any) (*int64, error) {
	var n int64
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<62 {
			return nil, fmt.Errorf("%v is not an integer", x)
		}
		n = int64(x)
	case []byte:
		return optInt(string(x))
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return nil, fmt.Errorf("unreadable number")
		}
		return optInt(f)
	default:
		return nil, fmt.Errorf("unexpected %T for a number", v)
	}
	return &n, nil
}

var _ store.APIKeyWriter = (*Store)(nil)

// APIKeysByReference returns the keys whose referenceId is referenceID, oldest first (the plugin's
// findMany by referenceId).
func (s *Store) APIKeysByReference(ctx context.Context, referenceID string) ([]store.APIKey, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "referenceId")
	if err != nil {
		return nil, err
	}
	suffix, err := t.byAge(s, false)
	if err != nil {
		idCol, _ := t.col(s, "id")
		suffix = " ORDER BY " + idCol
	}
	a := &args{s: s}
	var out []store.APIKey
	err = s.queryRows(ctx, t, col+" = "+a.add(referenceID), a, suffix, func(vals []any) error {
		k, err := t.apiKey(vals)
		if err == nil {
			out = append(out, *k)
		}
		return err
	})
	return out, err
}

// CreateAPIKey inserts k as the plugin's create does. Name, Start, Prefix, Permissions and Metadata ""
// are written as NULL; the nullable numbers and dates as NULL when nil.
func (s *Store) CreateAPIKey(ctx context.Context, k *store.APIKey) error {
	if err := s.ReadOnly(); err != nil {
		return err
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return err
	}
	vals := map[string]any{"id": k.ID, "configId": k.ConfigID, "referenceId": k.ReferenceID, "key": k.Key,
		"enabled": k.Enabled, "rateLimitEnabled": k.RateLimitEnabled, "requestCount": k.RequestCount,
		"createdAt": k.CreatedAt, "updatedAt": k.UpdatedAt}
	opt := map[string]any{"name": nullIfEmpty(k.Name), "start": nullIfEmpty(k.Start), "prefix": nullIfEmpty(k.Prefix),
		"permissions": nullIfEmpty(k.Permissions), "metadata": nullIfEmpty(k.Metadata),
		"refillInterval": optVal(k.RefillInterval), "refillAmount": optVal(k.RefillAmount),
		"rateLimitTimeWindow": optVal(k.RateLimitTimeWindow), "rateLimitMax": optVal(k.RateLimitMax),
		"remaining": optVal(k.Remaining), "lastRefillAt": k.LastRefillAt, "lastRequest": k.LastRequest,
		"expiresAt": k.ExpiresAt}
	for f, v := range opt {
		if _, ok := t.byKey(f); ok {
			vals[f] = v
		}
	}
	return s.insert(ctx, t, vals)
}

// optVal is a nullable number as insert writes it.
func optVal(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// SetAPIKeyFields sets fields of the key with this id (values: string, bool, int64, float64, time.Time,
// nil for NULL) and reads the row back.
func (s *Store) SetAPIKeyFields(ctx context.Context, id string, fields map[string]any) (*store.APIKey, error) {
	if err := s.ReadOnly(); err != nil {
		return nil, err
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, t, fields, "id", id); err != nil {
		return nil, err
	}
	return s.apiKeyWhere(ctx, "id", id)
}

// DeleteAPIKey deletes the key with this id; a missing row is no error.
func (s *Store) DeleteAPIKey(ctx context.Context, id string) error {
	if err := s.ReadOnly(); err != nil {
		return err
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return err
	}
	_, err = s.del(ctx, nil, t, "id", id)
	return err
}

// DeleteExpiredAPIKeys deletes the keys whose expiresAt is not NULL and before now, as the plugin's
// deleteAllExpiredApiKeys does, and returns how many it deleted.
func (s *Store) DeleteExpiredAPIKeys(ctx context.Context, now time.Time) (int64, error) {
	if err := s.ReadOnly(); err != nil {
		return 0, err
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "apikey")
	if err != nil {
		return 0, err
	}
	c, ok := t.byKey("expiresAt")
	if !ok {
		return 0, fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's apikey.expiresAt; see Names)", t.name, s.column("expiresAt"))
	}
	a := &args{s: s}
	p, err := a.addFor(c, now)
	if err != nil {
		return 0, err
	}
	col := s.quote(c.name)
	q := "DELETE FROM " + s.quoteTable(t.name) + " WHERE " + col + " IS NOT NULL AND " + col + " < " + p
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return 0, s.writeErr("deleting expired apikey rows", s.failed(t, err))
	}
	return res.RowsAffected()
}
