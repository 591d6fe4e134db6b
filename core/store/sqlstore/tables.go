package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// The core fields of the account and verification tables, in Better Auth's order.
var (
	accountFields = []string{"id", "accountId", "providerId", "userId", "accessToken", "refreshToken", "idToken",
		"accessTokenExpiresAt", "refreshTokenExpiresAt", "scope", "password", "createdAt", "updatedAt"}
	verificationFields = []string{"id", "identifier", "value", "expiresAt", "createdAt", "updatedAt"}
	jwksFields         = []string{"id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv"}
	twoFactorFields    = []string{"id", "secret", "backupCodes", "userId", "verified", "failedVerificationCount", "lockedUntil"}
	// The api-key plugin's apikey table (@better-auth/api-key 1.7.21 apiKeySchema).
	// The organization plugin's member and organizationRole tables.
	memberFields  = []string{"id", "organizationId", "userId", "role", "createdAt"}
	orgFields     = []string{"id", "name", "slug", "logo", "createdAt", "metadata"}
	inviteFields  = []string{"id", "organizationId", "email", "role", "teamId", "status", "expiresAt", "createdAt", "inviterId"}
	teamFields    = []string{"id", "name", "memberCount", "organizationId", "createdAt", "updatedAt"}
	teamMemFields = []string{"id", "teamId", "userId", "membershipKey", "createdAt"}
	orgRoleFields = []string{"id", "organizationId", "role", "permission", "createdAt", "updatedAt"}
	apikeyFields  = []string{"id", "configId", "name", "start", "referenceId", "prefix", "key", "refillInterval",
		"refillAmount", "lastRefillAt", "enabled", "rateLimitEnabled", "rateLimitTimeWindow", "rateLimitMax",
		"requestCount", "remaining", "lastRequest", "expiresAt", "createdAt", "updatedAt", "permissions", "metadata"}
	// The passkey plugin's passkey table (@better-auth/passkey 1.7.6 src/schema.ts).
	passkeyFields = []string{"id", "name", "publicKey", "userId", "credentialID", "counter", "deviceType", "backedUp",
		"transports", "createdAt", "aaguid"}
)

// coreTypes are the types of the core fields that are not strings.
var coreTypes = map[string]FieldType{
	"emailVerified": FieldBoolean, "expiresAt": FieldDate, "createdAt": FieldDate, "updatedAt": FieldDate,
	"accessTokenExpiresAt": FieldDate, "refreshTokenExpiresAt": FieldDate,
	"verified": FieldBoolean, "lockedUntil": FieldDate, // the two-factor plugin's twoFactor table
	"lastRefillAt": FieldDate, "lastRequest": FieldDate, "enabled": FieldBoolean, "rateLimitEnabled": FieldBoolean,
	"backedUp": FieldBoolean, "counter": FieldNumber, // the passkey plugin's passkey table
	"memberCount": FieldNumber, // the organization plugin's team table
}

// table is one of Better Auth's tables as the write methods see it: every column, the core fields first.
type table struct {
	model string // "user", "session", "account" or "verification"
	name  string // the table name
	alias string // the alias selects use
	cols  []column
	sel   string    // SELECT every column FROM the table AS alias
	at    time.Time // when its columns were read
}

// byKey returns the column holding a field (its Additional key for columns beyond the core schema).
func (t *table) byKey(key string) (*column, bool) {
	for i := range t.cols {
		if t.cols[i].key == key {
			return &t.cols[i], true
		}
	}
	return nil, false
}

// col returns the column name of a field, for WHERE and ORDER BY clauses.
func (t *table) col(s *Store, field string) (string, error) {
	c, ok := t.byKey(field)
	if !ok {
		return "", fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's %s.%s; see Names)", t.name, s.column(field), t.model, field)
	}
	return t.alias + "." + s.quote(c.name), nil
}

// byAge is the ORDER BY clause listing a table's rows oldest first (newest first when newest): by
// createdAt, then id so equal times keep one order.
func (t *table) byAge(s *Store, newest bool) (string, error) {
	order, err := t.col(s, "createdAt")
	if err != nil {
		return "", err
	}
	idCol, _ := t.col(s, "id")
	if newest {
		return " ORDER BY " + order + " DESC, " + idCol + " DESC", nil
	}
	return " ORDER BY " + order + ", " + idCol, nil
}

// table returns a model's table, reading its columns the first time and again when they are older than
// s.refresh (one caller reads them while the others wait).
func (s *Store) table(ctx context.Context, model string) (*table, error) {
	if t := s.loadedTable(model); t != nil {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("sqlstore: reading the schema: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	if t := s.loadedTable(model); t != nil {
		return t, nil
	}
	t := &table{model: model, at: s.now()}
	var fields []string
	user := false
	switch model {
	case "user":
		t.name, t.alias, fields, user = s.names.User, "u", userFields, true
	case "session":
		t.name, t.alias, fields = s.names.Session, "s", sessionFields
	case "account":
		t.name, t.alias, fields = s.names.Account, "a", accountFields
	case "verification":
		t.name, t.alias, fields = s.names.Verification, "v", verificationFields
	case "jwks":
		t.name, t.alias, fields = "jwks", "k", jwksFields
	case "twoFactor":
		t.name, t.alias, fields = "twoFactor", "tf", twoFactorFields
	case "apikey":
		t.name, t.alias, fields = s.names.APIKey, "ak", apikeyFields
	case "member":
		t.name, t.alias, fields = s.names.Member, "m", memberFields
	case "organizationRole":
		t.name, t.alias, fields = s.names.OrganizationRole, "r", orgRoleFields
	case "passkey":
		t.name, t.alias, fields = "passkey", "pk", passkeyFields
	case "organization":
		t.name, t.alias, fields = "organization", "o", orgFields
	case "invitation":
		t.name, t.alias, fields = "invitation", "i", inviteFields
	case "team":
		t.name, t.alias, fields = "team", "t", teamFields
	case "teamMember":
		t.name, t.alias, fields = "teamMember", "tm", teamMemFields
	}
	dbCols, err := s.columns(ctx, t.name)
	if err != nil {
		return nil, err
	}
	if t.cols, err = s.pick(model, t.name, user, dbCols, fields); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.exprIn(t.alias, c))
	}
	b.WriteString(" FROM " + s.quoteTable(t.name) + " " + t.alias)
	t.sel = b.String()
	s.mu.Lock()
	if s.tables == nil {
		s.tables = map[string]*table{}
	}
	s.tables[model] = t
	s.mu.Unlock()
	return t, nil
}

// loadedTable returns a model's table while its columns are fresh, else nil.
func (s *Store) loadedTable(model string) *table {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tables[model]; t != nil && s.fresh(t.at) {
		return t
	}
	return nil
}

// failed returns err, first making the next use of t read its columns again when err says the schema
// changed under it (a column dropped).
func (s *Store) failed(t *table, err error) error {
	if err != nil && s.schemaChanged(err) {
		s.mu.Lock()
		if s.tables[t.model] == t {
			delete(s.tables, t.model)
		}
		s.mu.Unlock()
	}
	return err
}

// schemaChanged reports whether err says a statement named a column the table no longer has, or (pgx's
// cached statements on PostgreSQL) that the columns changed since the statement was prepared. The
// drivers are recognised by their error methods and messages, so this package imports none of them.
func (s *Store) schemaChanged(err error) bool {
	switch s.dialect {
	case SQLite:
		m := err.Error()
		return strings.Contains(m, "no such column") || strings.Contains(m, "has no column named")
	case Postgres:
		var e interface{ SQLState() string }
		if errors.As(err, &e) {
			// undefined_column; feature_not_supported is "cached plan must not change result type".
			return e.SQLState() == "42703" || e.SQLState() == "0A000" && strings.Contains(err.Error(), "cached plan")
		}
	case MySQL:
		n, ok := mysqlNumber(err)
		return ok && n == 1054 // ER_BAD_FIELD_ERROR: Unknown column
	}
	return false
}

// ph returns the n-th (from 1) placeholder of the dialect.
func (s *Store) ph(n int) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// args collects a statement's arguments and writes their placeholders.
type args struct {
	s    *Store
	vals []any
}

// add appends a value and returns its placeholder.
func (a *args) add(v any) string {
	a.vals = append(a.vals, v)
	return a.s.ph(len(a.vals))
}

// addFor encodes v for column c as Better Auth writes it, appends it and returns its placeholder
// expression.
func (a *args) addFor(c *column, v any) (string, error) {
	enc, unix, err := a.s.encode(c, v)
	if err != nil {
		return "", fmt.Errorf("column %q: %w", c.name, err)
	}
	p := a.add(enc)
	if unix {
		p = "FROM_UNIXTIME(CAST(" + p + " AS DECIMAL(20,3)))"
	}
	return p, nil
}

// queryRows runs a select on t and calls each for every row with its values, in column order.
func (s *Store) queryRows(ctx context.Context, t *table, where string, a *args, suffix string, each func(vals []any) error) error {
	q := t.sel + " WHERE " + where + suffix
	rows, err := s.db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return fmt.Errorf("sqlstore: reading %s: %w", t.model, s.failed(t, err))
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("sqlstore: reading %s: %w", t.model, err)
		}
		if err := each(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: reading %s: %w", t.model, s.failed(t, err))
	}
	return nil
}

// record reads a user or session row as [Store.Lookup] does.
func (t *table) record(vals []any) (*store.Result, error) {
	return (&query{cols: t.cols}).result(vals)
}

// account reads an account row.
func (t *table) account(vals []any) (*store.Account, error) {
	a := &store.Account{}
	for i, c := range t.cols {
		v := vals[i]
		var err error
		switch c.field {
		case "id":
			a.ID, err = text(v)
		case "accountId":
			a.AccountID, err = text(v)
		case "providerId":
			a.ProviderID, err = text(v)
		case "userId":
			a.UserID, err = text(v)
		case "accessToken":
			a.AccessToken, err = text(v)
		case "refreshToken":
			a.RefreshToken, err = text(v)
		case "idToken":
			a.IDToken, err = text(v)
		case "scope":
			a.Scope, err = text(v)
		case "password":
			a.Password, err = text(v)
		case "accessTokenExpiresAt":
			a.AccessTokenExpiresAt, err = c.optTime(v)
		case "refreshTokenExpiresAt":
			a.RefreshTokenExpiresAt, err = c.optTime(v)
		case "createdAt":
			a.CreatedAt, err = c.time(v)
		case "updatedAt":
			a.UpdatedAt, err = c.time(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of %s: %w", c.name, t.model, err)
		}
	}
	return a, nil
}

// verification reads a verification row.
func (t *table) verification(vals []any) (*store.Verification, error) {
	r := &store.Verification{}
	for i, c := range t.cols {
		v := vals[i]
		var err error
		switch c.field {
		case "id":
			r.ID, err = text(v)
		case "identifier":
			r.Identifier, err = text(v)
		case "value":
			r.Value, err = text(v)
		case "expiresAt":
			r.ExpiresAt, err = c.time(v)
		case "createdAt":
			r.CreatedAt, err = c.time(v)
		case "updatedAt":
			r.UpdatedAt, err = c.time(v)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: column %q of %s: %w", c.name, t.model, err)
		}
	}
	return r, nil
}

// conflict reports whether err is a unique (or primary key) violation of the dialect's driver: modernc
// SQLite, pgx or go-sql-driver/mysql. The drivers are recognised by their error methods and type, so this
// package imports none of them.
func (s *Store) conflict(err error) bool {
	switch s.dialect {
	case SQLite:
		var e interface{ Code() int }
		if errors.As(err, &e) {
			switch e.Code() {
			case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
				return true
			case 19: // SQLITE_CONSTRAINT without extended codes
				return strings.Contains(err.Error(), "UNIQUE constraint failed")
			}
		}
	case Postgres:
		var e interface{ SQLState() string }
		if errors.As(err, &e) {
			return e.SQLState() == "23505" // unique_violation
		}
	case MySQL:
		n, ok := mysqlNumber(err)
		return ok && (n == 1062 || n == 1586) // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
	}
	return false
}

// mysqlNumber returns the error number of the go-sql-driver/mysql error in err's chain.
func mysqlNumber(err error) (uint64, bool) {
	for _, e := range chain(err) {
		v := reflect.ValueOf(e)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			continue
		}
		ty := v.Elem().Type()
		if ty.PkgPath() != "github.com/go-sql-driver/mysql" || ty.Name() != "MySQLError" {
			continue
		}
		if n := v.Elem().FieldByName("Number"); n.IsValid() && n.CanUint() {
			return n.Uint(), true
		}
	}
	return 0, false
}

// chain returns err and every error it wraps, depth first.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil || len(out) > 64 {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// writeErr wraps a failed write: a unique violation is [store.ErrConflict], SQLite's "attempt to write a
// readonly database" (SQLITE_READONLY, query_only or a read-only file) is [store.ErrReadOnly].
func (s *Store) writeErr(what string, err error) error {
	if s.conflict(err) {
		return fmt.Errorf("sqlstore: %s: %w (%v)", what, store.ErrConflict, err)
	}
	if s.dialect == SQLite && strings.Contains(err.Error(), "readonly database") {
		fix := s.ro
		if fix == "" {
			fix = "open the database for writing"
		}
		return fmt.Errorf("sqlstore: %s: %w (%v): %s", what, store.ErrReadOnly, err, fix)
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}

// exists reports whether t has a row whose field equals v.
func (s *Store) exists(ctx context.Context, t *table, field string, v any) (bool, error) {
	col, err := t.col(s, field)
	if err != nil {
		return false, err
	}
	var one int
	err = s.db.QueryRowContext(ctx, "SELECT 1 FROM "+s.quoteTable(t.name)+" "+t.alias+" WHERE "+col+" = "+s.ph(1)+" LIMIT 1", v).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sqlstore: reading %s: %w", t.model, s.failed(t, err))
	}
	return true, nil
}
