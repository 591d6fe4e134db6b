package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

// mysqlWall is how DATETIME values are written to MySQL: the UTC wall clock, as the store reads them.
const mysqlWall = "2006-01-02 15:04:05.000"

// optTime reads a nullable date column.
func (c *column) optTime(v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := c.time(v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// fieldType is the Better Auth type of the field a column holds ("" for strings and unknown types).
func (c *column) fieldType() FieldType {
	if c.field != "" {
		return coreTypes[c.field]
	}
	return c.typ
}

// encode turns v into the value Better Auth's Kysely adapter writes to column c: dates as ISO-8601 text
// with milliseconds in SQLite, instants in PostgreSQL, and in MySQL seconds since 1970 for TIMESTAMP
// columns (unix is true: the placeholder goes through FROM_UNIXTIME, so the session's time_zone does not
// matter) or the UTC wall clock for DATETIME; booleans as 0/1 in SQLite and MySQL; JSON fields as JSON
// text. nil is NULL.
func (s *Store) encode(c *column, v any) (enc any, unix bool, err error) {
	switch x := v.(type) {
	case nil:
		return nil, false, nil
	case *time.Time:
		if x == nil {
			return nil, false, nil
		}
		v = *x
	}
	switch c.fieldType() {
	case FieldDate:
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x
		case string:
			if t, err = parseTime(x, false); err != nil {
				return nil, false, err
			}
		default:
			return nil, false, fmt.Errorf("%T for a date", v)
		}
		return s.date(c, t)
	case FieldBoolean:
		switch x := v.(type) {
		case bool:
			return s.boolean(x), false, nil
		case float64:
			return s.boolean(x != 0), false, nil
		case int:
			return s.boolean(x != 0), false, nil
		case int64:
			return s.boolean(x != 0), false, nil
		}
		return nil, false, fmt.Errorf("%T for a boolean", v)
	case FieldJSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, false, err
		}
		return string(b), false, nil
	}
	switch x := v.(type) {
	case string, []byte, int, int32, int64:
		return x, false, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), false, nil
		}
		return x, false, nil
	case bool:
		return s.boolean(x), false, nil
	case time.Time:
		return s.date(c, x)
	case map[string]any, []any, []string, []float64:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, false, err
		}
		return string(b), false, nil
	}
	return nil, false, fmt.Errorf("cannot write %T", v)
}

func (s *Store) boolean(b bool) any {
	if s.dialect == Postgres {
		return b
	}
	if b {
		return int64(1)
	}
	return int64(0)
}

func (s *Store) date(c *column, t time.Time) (any, bool, error) {
	if t.IsZero() {
		return nil, false, errors.New("zero time")
	}
	t = t.UTC().Truncate(time.Millisecond)
	switch s.dialect {
	case SQLite:
		return t.Format(isoMillis), false, nil
	case MySQL:
		if c.db == "TIMESTAMP" {
			ms := t.UnixMilli()
			sign := ""
			if ms < 0 {
				sign, ms = "-", -ms
			}
			return fmt.Sprintf("%s%d.%03d", sign, ms/1000, ms%1000), true, nil
		}
		return t.Format(mysqlWall), false, nil
	}
	return t, false, nil
}

// insert writes one row of t: the values by field (Additional key), in the table's column order. A value
// for a field the table has no column for is an error.
func (s *Store) insert(ctx context.Context, t *table, vals map[string]any) error {
	a := &args{s: s}
	var cols, marks []string
	used := 0
	for i := range t.cols {
		c := &t.cols[i]
		v, ok := vals[c.key]
		if !ok {
			continue
		}
		used++
		p, err := a.addFor(c, v)
		if err != nil {
			return fmt.Errorf("sqlstore: creating %s: %w", t.model, err)
		}
		cols = append(cols, s.quote(c.name))
		marks = append(marks, p)
	}
	if used != len(vals) {
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			if _, ok := t.byKey(k); !ok {
				return fmt.Errorf("sqlstore: creating %s: table %q has no column for field %q", t.model, t.name, k)
			}
		}
	}
	q := "INSERT INTO " + s.quoteTable(t.name) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if _, err := s.db.ExecContext(ctx, q, a.vals...); err != nil {
		return s.writeErr("creating "+t.model, s.failed(t, err))
	}
	return nil
}

// update sets fields of the rows of t whose field key equals keyVal. No such row is [store.ErrNotFound]
// updateWhere is [Store.update] on the model's table, within the store's bound: the whole of a write method
// that sets fields of the rows whose key field equals keyVal.
func (s *Store) updateWhere(ctx context.Context, model string, set map[string]any, key string, keyVal any) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, model)
	if err != nil {
		return err
	}
	return s.update(ctx, t, set, key, keyVal)
}

// deleteWhere deletes the model's rows whose field equals v, within the store's bound; deleting none is not
// an error.
func (s *Store) deleteWhere(ctx context.Context, model, field string, v any) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, model)
	if err != nil {
		return err
	}
	_, err = s.del(ctx, nil, t, field, v)
	return err
}

// (checked with a select when no row changed: MySQL counts changed rows, not matched ones).
func (s *Store) update(ctx context.Context, t *table, set map[string]any, key string, keyVal any) error {
	a := &args{s: s}
	var sets []string
	for _, f := range slices.Sorted(maps.Keys(set)) {
		c, ok := t.byKey(f)
		if !ok {
			return fmt.Errorf("sqlstore: updating %s: table %q has no column for field %q", t.model, t.name, f)
		}
		p, err := a.addFor(c, set[f])
		if err != nil {
			return fmt.Errorf("sqlstore: updating %s: %w", t.model, err)
		}
		sets = append(sets, s.quote(c.name)+" = "+p)
	}
	kc, ok := t.byKey(key)
	if !ok {
		return fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's %s.%s; see Names)", t.name, s.column(key), t.model, key)
	}
	q := "UPDATE " + s.quoteTable(t.name) + " SET " + strings.Join(sets, ", ") + " WHERE " + s.quote(kc.name) + " = " + a.add(keyVal)
	res, err := s.db.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return s.writeErr("updating "+t.model, s.failed(t, err))
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	found, err := s.exists(ctx, t, key, keyVal)
	if err != nil {
		return err
	}
	if !found {
		return store.ErrNotFound
	}
	return nil
}

// del deletes the rows of t whose field equals v, in tx when it is not nil, and returns how many it
// deleted.
func (s *Store) del(ctx context.Context, tx *sql.Tx, t *table, field string, v any) (int64, error) {
	kc, ok := t.byKey(field)
	if !ok {
		return 0, fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's %s.%s; see Names)", t.name, s.column(field), t.model, field)
	}
	q := "DELETE FROM " + s.quoteTable(t.name) + " WHERE " + s.quote(kc.name) + " = " + s.ph(1)
	var res sql.Result
	var err error
	if tx != nil {
		res, err = tx.ExecContext(ctx, q, v)
	} else {
		res, err = s.db.ExecContext(ctx, q, v)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting %s: %w", t.model, s.failed(t, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting %s: %w", t.model, err)
	}
	return n, nil
}

// CreateUser inserts u with createdAt = updatedAt = now, in the table's column order: id, name, email,
// emailVerified, image (NULL when ""), the dates, role (only when set) and u.Additional by field name
// ("createdAt" and "updatedAt" there are ignored). A taken email or id is [store.ErrConflict]. On success
// u.Additional holds createdAt and updatedAt as ISO-8601 strings, as users read back do.
func (s *Store) CreateUser(ctx context.Context, u *store.User, now time.Time) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "user")
	if err != nil {
		return err
	}
	vals := map[string]any{}
	for k, v := range u.Additional {
		if k != "createdAt" && k != "updatedAt" {
			vals[k] = v
		}
	}
	vals["id"], vals["name"], vals["email"], vals["emailVerified"] = u.ID, u.Name, u.Email, u.EmailVerified
	vals["image"] = nullIfEmpty(u.Image)
	vals["createdAt"], vals["updatedAt"] = now, now
	if u.Role != "" {
		vals["role"] = u.Role
	}
	if err := s.insert(ctx, t, vals); err != nil {
		return err
	}
	add := maps.Clone(u.Additional)
	if add == nil {
		add = map[string]any{}
	}
	iso := now.UTC().Truncate(time.Millisecond).Format(isoMillis)
	add["createdAt"], add["updatedAt"] = iso, iso
	u.Additional = add
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// user returns the user whose field equals v.
func (s *Store) user(ctx context.Context, field string, v any) (*store.User, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "user")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, field)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var u *store.User
	err = s.queryRows(ctx, t, col+" = "+a.add(v), a, " LIMIT 1", func(vals []any) error {
		res, err := t.record(vals)
		if err != nil {
			return err
		}
		u = &res.User
		return nil
	})
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, store.ErrNotFound
	}
	return u, nil
}

// UserByEmail returns the user whose email is email, read as [Store.Lookup] reads users.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	return s.user(ctx, "email", email)
}

// UserByID returns the user with that id, read as [Store.Lookup] reads users.
func (s *Store) UserByID(ctx context.Context, id string) (*store.User, error) {
	return s.user(ctx, "id", id)
}

// UpdateUser sets the given fields (Better Auth field names; nil writes NULL) and updatedAt = now, and
// returns the updated user. "id" and "updatedAt" cannot be set this way. A taken email is
// [store.ErrConflict]; a missing user is [store.ErrNotFound].
func (s *Store) UpdateUser(ctx context.Context, id string, fields map[string]any, now time.Time) (*store.User, error) {
	if err := settable(fields); err != nil {
		return nil, err
	}
	bctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(bctx, "user")
	if err != nil {
		return nil, err
	}
	set := maps.Clone(fields)
	if set == nil {
		set = map[string]any{}
	}
	set["updatedAt"] = now
	if err := s.update(bctx, t, set, "id", id); err != nil {
		return nil, err
	}
	return s.user(bctx, "id", id)
}

func settable(fields map[string]any) error {
	for _, f := range []string{"id", "updatedAt"} {
		if _, ok := fields[f]; ok {
			return fmt.Errorf("sqlstore: field %q cannot be updated", f)
		}
	}
	return nil
}

// DeleteUser deletes the user's sessions, its accounts and the user, in one transaction, without relying
// on foreign key cascades (SQLite does not enforce them by default). A missing user is
// [store.ErrNotFound], and then nothing is deleted.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	var ts [3]*table
	for i, m := range []string{"session", "account", "user"} {
		var err error
		if ts[i], err = s.table(ctx, m); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: deleting user: %w", err)
	}
	defer tx.Rollback()
	for _, t := range ts[:2] {
		if _, err := s.del(ctx, tx, t, "userId", id); err != nil {
			return err
		}
	}
	n, err := s.del(ctx, tx, ts[2], "id", id)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: deleting user: %w", err)
	}
	return nil
}

// CreateAccount inserts a, in the table's column order. Empty strings and nil times are written as NULL;
// CreatedAt and UpdatedAt must be set. A taken id is [store.ErrConflict].
func (s *Store) CreateAccount(ctx context.Context, a *store.Account) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "account")
	if err != nil {
		return err
	}
	vals := map[string]any{
		"id": a.ID, "accountId": a.AccountID, "providerId": a.ProviderID, "userId": a.UserID,
		"createdAt": a.CreatedAt, "updatedAt": a.UpdatedAt,
	}
	for f, v := range map[string]string{"accessToken": a.AccessToken, "refreshToken": a.RefreshToken,
		"idToken": a.IDToken, "scope": a.Scope, "password": a.Password} {
		if v != "" {
			vals[f] = v
		}
	}
	for f, v := range map[string]*time.Time{"accessTokenExpiresAt": a.AccessTokenExpiresAt,
		"refreshTokenExpiresAt": a.RefreshTokenExpiresAt} {
		if v != nil {
			vals[f] = *v
		}
	}
	return s.insert(ctx, t, vals)
}

// accounts returns the accounts matching where, oldest first.
func (s *Store) accounts(ctx context.Context, t *table, where string, a *args) ([]store.Account, error) {
	order, err := t.byAge(s, false)
	if err != nil {
		return nil, err
	}
	var out []store.Account
	err = s.queryRows(ctx, t, where, a, order, func(vals []any) error {
		acc, err := t.account(vals)
		if err != nil {
			return err
		}
		out = append(out, *acc)
		return nil
	})
	return out, err
}

// Accounts returns the user's accounts, oldest first (none is an empty slice and no error).
func (s *Store) Accounts(ctx context.Context, userID string) ([]store.Account, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "account")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "userId")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	return s.accounts(ctx, t, col+" = "+a.add(userID), a)
}

// AccountByProvider returns the account of providerID whose accountId is accountID (the oldest, should
// there be several).
func (s *Store) AccountByProvider(ctx context.Context, providerID, accountID string) (*store.Account, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "account")
	if err != nil {
		return nil, err
	}
	pc, err := t.col(s, "providerId")
	if err != nil {
		return nil, err
	}
	ac, err := t.col(s, "accountId")
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	where := pc + " = " + a.add(providerID) + " AND " + ac + " = " + a.add(accountID)
	accs, err := s.accounts(ctx, t, where, a)
	if err != nil {
		return nil, err
	}
	if len(accs) == 0 {
		return nil, store.ErrNotFound
	}
	return &accs[0], nil
}

// UpdateAccount sets the given fields (Better Auth field names such as "password" or "accessToken"; nil
// writes NULL) and updatedAt = now. A missing account is [store.ErrNotFound].
func (s *Store) UpdateAccount(ctx context.Context, id string, fields map[string]any, now time.Time) error {
	if err := settable(fields); err != nil {
		return err
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "account")
	if err != nil {
		return err
	}
	set := maps.Clone(fields)
	if set == nil {
		set = map[string]any{}
	}
	set["updatedAt"] = now
	return s.update(ctx, t, set, "id", id)
}

// DeleteAccount deletes one account. A missing account is [store.ErrNotFound].
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	return s.deleteOne(ctx, "account", id)
}

func (s *Store) deleteOne(ctx context.Context, model, id string) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, model)
	if err != nil {
		return err
	}
	n, err := s.del(ctx, nil, t, "id", id)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// CreateSession inserts sess, in the table's column order, with its IP address and user agent as given
// ("" stays "", as Better Auth writes them) and sess.Additional by field name. Its dates must be set. A
// taken token or id is [store.ErrConflict].
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "session")
	if err != nil {
		return err
	}
	vals := map[string]any{}
	maps.Copy(vals, sess.Additional)
	vals["id"], vals["token"], vals["userId"] = sess.ID, sess.Token, sess.UserID
	vals["expiresAt"], vals["createdAt"], vals["updatedAt"] = sess.ExpiresAt, sess.CreatedAt, sess.UpdatedAt
	vals["ipAddress"], vals["userAgent"] = sess.IPAddress, sess.UserAgent
	return s.insert(ctx, t, vals)
}

// UpdateSession sets the expiresAt and updatedAt of the session with that token. A missing session is
// [store.ErrNotFound].
func (s *Store) UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) error {
	return s.updateWhere(ctx, "session", map[string]any{"expiresAt": expiresAt, "updatedAt": updatedAt}, "token", token)
}

// UpdateSessionFields sets the given fields (Better Auth field names; nil writes NULL) and updatedAt = now
// on the session with that token: [store.SessionFieldUpdater], for /update-session. "id", "token",
// "userId" and "updatedAt" cannot be set this way. A missing session is [store.ErrNotFound].
func (s *Store) UpdateSessionFields(ctx context.Context, token string, fields map[string]any, now time.Time) error {
	for _, f := range []string{"id", "token", "userId", "updatedAt"} {
		if _, ok := fields[f]; ok {
			return fmt.Errorf("sqlstore: field %q cannot be updated", f)
		}
	}
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "session")
	if err != nil {
		return err
	}
	set := maps.Clone(fields)
	if set == nil {
		set = map[string]any{}
	}
	set["updatedAt"] = now
	return s.update(ctx, t, set, "token", token)
}

// DeleteSession deletes the session with that token; deleting a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.deleteWhere(ctx, "session", "token", token)
}

// DeleteSessions deletes every session of the user.
func (s *Store) DeleteSessions(ctx context.Context, userID string) error {
	return s.deleteWhere(ctx, "session", "userId", userID)
}

// Sessions returns the user's sessions, expired ones included, oldest first, read as [Store.Lookup] reads
// sessions.
func (s *Store) Sessions(ctx context.Context, userID string) ([]store.Session, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "session")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "userId")
	if err != nil {
		return nil, err
	}
	order, err := t.byAge(s, false)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out []store.Session
	err = s.queryRows(ctx, t, col+" = "+a.add(userID), a, order, func(vals []any) error {
		res, err := t.record(vals)
		if err != nil {
			return err
		}
		out = append(out, res.Session)
		return nil
	})
	return out, err
}

// CreateVerification inserts v, in the table's column order. Its dates must be set. A taken id is
// [store.ErrConflict].
func (s *Store) CreateVerification(ctx context.Context, v *store.Verification) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "verification")
	if err != nil {
		return err
	}
	return s.insert(ctx, t, map[string]any{"id": v.ID, "identifier": v.Identifier, "value": v.Value,
		"expiresAt": v.ExpiresAt, "createdAt": v.CreatedAt, "updatedAt": v.UpdatedAt})
}

// Verification returns the newest (by createdAt) verification row with that identifier, expired or not,
// as Better Auth's findVerificationValue does.
func (s *Store) Verification(ctx context.Context, identifier string) (*store.Verification, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	t, err := s.table(ctx, "verification")
	if err != nil {
		return nil, err
	}
	col, err := t.col(s, "identifier")
	if err != nil {
		return nil, err
	}
	order, err := t.byAge(s, true)
	if err != nil {
		return nil, err
	}
	a := &args{s: s}
	var out *store.Verification
	err = s.queryRows(ctx, t, col+" = "+a.add(identifier), a, order+" LIMIT 1", func(vals []any) error {
		out, err = t.verification(vals)
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

// DeleteVerification deletes the verification row with that id. A missing row is [store.ErrNotFound], so
// of two requests consuming the same one-time value only one succeeds.
func (s *Store) DeleteVerification(ctx context.Context, id string) error {
	return s.deleteOne(ctx, "verification", id)
}
