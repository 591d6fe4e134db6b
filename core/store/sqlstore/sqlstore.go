package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/breaker"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Dialect is the SQL dialect of a database.
type Dialect string

// The dialects, named after Better Auth's database types.
const (
	// SQLite is SQLite, through modernc.org/sqlite (driver name "sqlite") or any driver returning the
	// column types SQLite declares.
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL, through pgx's database/sql driver (driver name "pgx").
	Postgres Dialect = "postgres"
	// MySQL is MySQL or MariaDB, through github.com/go-sql-driver/mysql.
	MySQL Dialect = "mysql"
)

// DefaultTimeout bounds a lookup whose context has no earlier deadline.
const DefaultTimeout = 2 * time.Second

// DefaultSchemaRefresh is how long the columns read from the database are used before they are read again
// (see [Options].SchemaRefresh).
const DefaultSchemaRefresh = 5 * time.Second

// Names maps Better Auth's model and field names to the tables and columns of your schema, like Better
// Auth's user.modelName, session.modelName and fields options. Its zero value means Better Auth's
// defaults: tables "user", "session", "account" and "verification", each column named as its field.
type Names struct {
	// User and Session are the table names. Empty means "user" and "session". A name with a dot is
	// "schema.table".
	User, Session string
	// Account and Verification are the table names the [Store]'s write methods use. Empty means "account"
	// and "verification". A name with a dot is "schema.table".
	Account, Verification string
	// APIKey is the api-key plugin's table, which [Store.APIKey] reads. Empty means "apikey".
	APIKey string
	// Member and OrganizationRole are the organization plugin's tables, which [Store.Member] and
	// [Store.OrganizationRoles] read. Empty means "member" and "organizationRole".
	Member, OrganizationRole string
	// Columns maps Better Auth field names ("userId") to column names ("user_id"), for every table. A field
	// missing from it is its own column name. It is also read backwards: an extra column found in it is
	// reported in Additional under its field name, any other extra column under its column name.
	Columns map[string]string
}

// withDefaults returns n with its empty table names set to Better Auth's and its own copy of Columns.
func (n Names) withDefaults() Names {
	n.Columns = maps.Clone(n.Columns)
	for _, d := range []struct {
		name *string
		def  string
	}{{&n.User, "user"}, {&n.Session, "session"}, {&n.Account, "account"}, {&n.Verification, "verification"}, {&n.APIKey, "apikey"}, {&n.Member, "member"}, {&n.OrganizationRole, "organizationRole"}} {
		if *d.name == "" {
			*d.name = d.def
		}
	}
	return n
}

// check reports an empty name in Columns.
func (n Names) check() error {
	for f, c := range n.Columns {
		if f == "" || c == "" {
			return fmt.Errorf("sqlstore: empty name in Names.Columns (%q: %q)", f, c)
		}
	}
	return nil
}

// SnakeCase returns the names Drizzle and Prisma schemas commonly use: tables "user" and "session",
// snake_case columns for every field of Better Auth's core schema and of the admin, organization, two
// factor, anonymous, phone number and username plugins. Set User and Session for plural table names:
//
//	n := sqlstore.SnakeCase()
//	n.User, n.Session = "users", "sessions"
func SnakeCase() Names {
	return Names{Columns: map[string]string{
		"userId":               "user_id",
		"expiresAt":            "expires_at",
		"createdAt":            "created_at",
		"updatedAt":            "updated_at",
		"ipAddress":            "ip_address",
		"userAgent":            "user_agent",
		"emailVerified":        "email_verified",
		"banReason":            "ban_reason",
		"banExpires":           "ban_expires",
		"impersonatedBy":       "impersonated_by",
		"activeOrganizationId": "active_organization_id",
		"activeTeamId":         "active_team_id",
		"twoFactorEnabled":     "two_factor_enabled",
		"isAnonymous":          "is_anonymous",
		"phoneNumber":          "phone_number",
		"phoneNumberVerified":  "phone_number_verified",
		"displayUsername":      "display_username",
		"lastLoginMethod":      "last_login_method",
	}}
}

// FieldType is a Better Auth field type. It says how to report a column beyond the core schema.
type FieldType string

// The field types that change how a value is reported.
const (
	// FieldString is reported as a string.
	FieldString FieldType = "string"
	// FieldNumber is reported as a float64.
	FieldNumber FieldType = "number"
	// FieldBoolean is reported as a bool (SQLite and MySQL store 0 or 1).
	FieldBoolean FieldType = "boolean"
	// FieldDate is reported as an ISO-8601 string with milliseconds and "Z", as Better Auth's JSON has it.
	FieldDate FieldType = "date"
	// FieldJSON is parsed (json, string[] and number[] fields).
	FieldJSON FieldType = "json"
)

// DefaultFields are the types of well-known plugin fields whose storage does not tell them apart from
// numbers: the admin plugin's banned and banExpires, twoFactorEnabled, isAnonymous and
// phoneNumberVerified.
func DefaultFields() map[string]FieldType {
	return map[string]FieldType{
		"banned":              FieldBoolean,
		"banExpires":          FieldDate,
		"twoFactorEnabled":    FieldBoolean,
		"isAnonymous":         FieldBoolean,
		"phoneNumberVerified": FieldBoolean,
	}
}

// Options configures a [Store]. A nil *Options means all defaults.
type Options struct {
	// Names maps Better Auth's tables and columns to yours. The zero value means Better Auth's defaults.
	Names Names

	// Fields gives the Better Auth type of extra columns (beyond the core schema), by field name, for both
	// tables, like additionalFields. It is merged over [DefaultFields]. A column not in either is reported
	// by its database type: booleans, dates and JSON where the database says so, numbers and strings
	// otherwise.
	Fields map[string]FieldType

	// Timeout bounds each lookup when its context has no earlier deadline. Zero means [DefaultTimeout].
	Timeout time.Duration

	// SchemaRefresh is how long a table's columns, once read, are used before they are read again, so that
	// columns another server adds while this one runs (a Node Better Auth server's migrations adding the
	// admin plugin's "banned" and "banExpires" or two-factor's "twoFactorEnabled") are seen within that time
	// without a restart. The first call after it has passed reads them again (one query returning no row
	// per table, run by one caller while the others wait for it). A query that fails because a column does
	// not exist (one dropped) also makes the next call read them again. Zero means [DefaultSchemaRefresh];
	// negative is an error.
	SchemaRefresh time.Duration

	// Now returns the current time, by which SchemaRefresh is measured. Nil means time.Now.
	Now func() time.Time

	// Outage configures the breaker and the bound on waiting in front of the database, for [Store.Lookup].
	// The zero value means the defaults ([store.Outage]). The write methods do not go through it.
	Outage store.Outage

	// ReadOnly, when not empty, says db was opened read-only and how to open it for writing (storeurl sets
	// it for the SQLite files it opens with query_only). [Store.ReadOnly] then reports it, and
	// [Store.UpdateAPIKey] fails with it, wrapping [store.ErrReadOnly], without asking the database. Empty
	// means db may write; a write SQLite still refuses as read-only wraps store.ErrReadOnly.
	ReadOnly string
}

// Store looks up Better Auth sessions in SQL tables, and reads and writes Better Auth's user, session,
// account and verification rows as a [store.Database]. It is safe for concurrent use. It does not own the
// *sql.DB: closing that is the caller's job.
type Store struct {
	db      *sql.DB
	dialect Dialect
	names   Names
	fields  map[string]FieldType
	timeout time.Duration
	refresh time.Duration    // how long columns read are used
	now     func() time.Time // the clock refresh is measured by
	breaker *breaker.Breaker // in front of Lookup
	ro      string           // Options.ReadOnly

	sem    chan struct{} // held while reading the schema
	mu     sync.Mutex
	q      *query            // built on first use, replaced when older than refresh
	stmt   *prepared         // the lookup statement of the latest query built
	noPack atomic.Bool       // SQLite cannot run the packed lookup (see packExpr): select columns one by one
	tables map[string]*table // by model, read on first use, replaced when older than refresh
}

var (
	_ store.Store            = (*Store)(nil)
	_ store.Database         = (*Store)(nil)
	_ store.BreakerReporter  = (*Store)(nil)
	_ store.ReadOnlyReporter = (*Store)(nil)
)

// New returns a store reading Better Auth's tables through db, which must have been opened with a driver
// for dialect. It does no I/O: the columns are read on first use (or by [Store.Check]), and again when
// older than [Options].SchemaRefresh. Dates are read
// right whatever the connection's time zone; for MySQL any parseTime and loc work (storeurl sets
// parseTime=true&loc=UTC).
func New(db *sql.DB, dialect Dialect, opts *Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	switch dialect {
	case SQLite, Postgres, MySQL:
	default:
		return nil, fmt.Errorf("sqlstore: unknown dialect %q (want sqlite, postgres or mysql)", dialect)
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.Timeout < 0 {
		return nil, errors.New("sqlstore: negative Timeout")
	}
	if opts.SchemaRefresh < 0 {
		return nil, errors.New("sqlstore: negative SchemaRefresh")
	}
	if err := limits.CheckOutage("sqlstore", opts.Outage); err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: dialect, timeout: opts.Timeout, refresh: opts.SchemaRefresh, now: opts.Now,
		fields: DefaultFields(), sem: make(chan struct{}, 1), ro: opts.ReadOnly, breaker: limits.Breaker("sqlstore "+string(dialect), opts.Outage)}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.refresh == 0 {
		s.refresh = DefaultSchemaRefresh
	}
	if s.now == nil {
		s.now = time.Now
	}
	maps.Copy(s.fields, opts.Fields)
	s.names = opts.Names.withDefaults()
	if err := s.names.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// ReadOnly returns nil when the store may write, else (see [Options].ReadOnly) an error wrapping
// [store.ErrReadOnly] that says how to open the database for writing.
func (s *Store) ReadOnly() error {
	if s.ro == "" {
		return nil
	}
	return fmt.Errorf("%w: %s", store.ErrReadOnly, s.ro)
}

// Check reads the tables' columns and builds the lookup query, if not done yet. It reports a missing table
// or a missing required column (session id, token, userId, expiresAt; user id). Lookup does the same on
// first use; call Check at start-up to fail early.
func (s *Store) Check(ctx context.Context) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	q, err := s.query(ctx)
	if err != nil {
		return err
	}
	s.release(q)
	return nil
}

// Lookup returns the session whose token is token, joined with its user. Expired sessions are returned;
// the caller checks expiry. While the breaker is open (see [Options].Outage) it fails at once without
// asking the database.
func (s *Store) Lookup(ctx context.Context, token string) (*store.Result, error) {
	if !limits.ValidToken(token) {
		return nil, store.ErrNotFound
	}
	var res *store.Result
	err := s.breaker.Do(ctx, func(ctx context.Context) (err error) {
		res, err = s.lookupBounded(ctx, token)
		return err
	})
	return res, err // a refusal reads "sqlstore DIALECT: circuit breaker open"
}

// BreakerStats returns the counts of the breaker in front of the database.
func (s *Store) BreakerStats() store.BreakerStats { return limits.Stats(s.breaker) }

// lookupBounded is Lookup within the store's timeout.
func (s *Store) lookupBounded(ctx context.Context, token string) (*store.Result, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	q, err := s.query(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.lookup(ctx, q, token)
	s.release(q)
	if err != nil && s.schemaChanged(err) {
		// A column was dropped (or changed) since the columns were read: read them again, once.
		s.forgetQuery(q)
		if q, err = s.query(ctx); err != nil {
			return nil, err
		}
		res, err = s.lookup(ctx, q, token)
		s.release(q)
	}
	return res, err
}

// lookup runs the lookup query q for token, through its prepared statement when it has one.
func (s *Store) lookup(ctx context.Context, q *query, token string) (*store.Result, error) {
	var rows *sql.Rows
	var err error
	if q.stmt != nil {
		rows, err = q.stmt.stmt.QueryContext(ctx, token)
	} else {
		rows, err = s.db.QueryContext(ctx, q.sql, token)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lookup: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: lookup: %w", err)
		}
		return nil, store.ErrNotFound
	}
	b := q.buf()
	defer q.putBuf(b)
	if err := rows.Scan(b.ptrs...); err != nil {
		return nil, fmt.Errorf("sqlstore: lookup: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("sqlstore: lookup: %w", err)
	}
	var res *store.Result
	if q.pack {
		var row string
		switch v := b.vals[0].(type) {
		case string:
			row = v
		case []byte: // a driver reporting text as bytes
			row = string(v)
		default:
			return nil, fmt.Errorf("sqlstore: lookup: packed row is %T", b.vals[0])
		}
		if err := unpack(row, b.cells); err != nil {
			return nil, err
		}
		res, err = q.resultCells(b.cells)
	} else {
		res, err = q.result(b.vals)
	}
	if err != nil {
		return nil, err
	}
	// Case-insensitive or space-padding collations (MySQL's defaults) match more than the token itself.
	if res.Session.Token != token {
		return nil, store.ErrNotFound
	}
	return res, nil
}
