package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// MigrateOptions configures [Migrate]. A nil *MigrateOptions means all defaults.
type MigrateOptions struct {
	// Names maps Better Auth's tables and columns to yours, as for [Options]; the jwks table is always
	// "jwks". The zero value means Better Auth's names. Table names with a dot are not supported here.
	Names Names

	// AdditionalUserFields are user columns beyond the core schema, by field name, like Better Auth's
	// user.additionalFields with required: false: nullable columns of the given type, after the core
	// columns, in name order. Nil means none.
	AdditionalUserFields map[string]FieldType

	// Tables are plugin schemas (a Better Auth plugin's schema option): new tables, created after the core
	// ones in the order given, and extra columns of core tables (a Table named "user", "session", …). A
	// field already in the schema is skipped, so a plugin may declare a table Migrate always makes (the
	// JWT plugin's jwks). Nil means none.
	Tables []Table

	// DryRun plans without changing anything: the report says what Migrate would create and add, and
	// which statements it would run.
	DryRun bool
}

// Table is a table of a plugin's schema, or extra columns of a core table, as Better Auth's plugin schema
// declares them (model name and fields; the id column is added).
type Table struct {
	// Name is the model name, which is also the table name: "twoFactor", or a core model ("user",
	// "session", "account", "verification", "jwks") whose table gets Fields as extra columns.
	Name string
	// Fields are the columns after id, in order.
	Fields []Field
}

// Field is a column of a plugin table, Better Auth's DBFieldAttribute as its migrator reads it.
type Field struct {
	// Name is the field (and column) name.
	Name string
	// Type is the field type.
	Type FieldType
	// Required is NOT NULL; Unique adds a unique constraint (an index when the column is added later);
	// Index creates an index.
	Required, Unique, Index bool
	// Sortable is Better Auth's sortable: true. It only changes the MySQL type of a string column
	// (varchar(255) instead of text, so that it can be sorted and indexed).
	Sortable bool
	// References names a model whose id the column references, with on delete cascade ("user"). Empty
	// means none.
	References string
	// DefaultNow is a date column defaulting to the current time (defaultValue: () => new Date()).
	DefaultNow bool
	// Default is a static defaultValue (a bool, a number or a string), which Better Auth's migrator writes
	// only when it adds the column to a table that exists. Nil means none.
	Default any
	// BigInt makes a FieldNumber column bigint instead of integer (Better Auth's bigint: true).
	BigInt bool
}

// MigrateReport is what [Migrate] did, or with DryRun would do.
type MigrateReport struct {
	// Created are the tables created, in creation order.
	Created []string
	// Added are the columns added to tables that existed, table by table.
	Added []AddedColumns
	// Statements are the SQL statements, in order, without a final semicolon. Empty means the database
	// already had every table and column.
	Statements []string
}

// AddedColumns are the columns [Migrate] added to one table.
type AddedColumns struct {
	Table   string
	Columns []string
}

// SQL returns the statements as Better Auth's compileMigrations prints them: separated by ";" and a
// blank line, with a final ";". It is "" when there is nothing to do.
func (r *MigrateReport) SQL() string {
	if len(r.Statements) == 0 {
		return ""
	}
	return strings.Join(r.Statements, ";\n\n") + ";"
}

// mfield is a field of Better Auth's schema, as its migrator sees it.
type mfield struct {
	name       string
	typ        FieldType
	required   bool
	unique     bool
	index      bool
	sortable   bool
	ref        string // the model whose id the column references on delete cascade; "" for none
	defaultNow bool   // a date defaulting to the current time
	defFalse   bool   // a boolean defaulting to false
	def        any    // a plugin field's static default (Field.Default); nil for none
	bigint     bool   // a number column of type bigint
}

// mtable is a table of Better Auth's schema.
type mtable struct {
	model  string
	fields []mfield
}

// migrationSchema returns Better Auth 1.7.25's tables for the options, in its order: user, session, account,
// verification, and the JWT plugin's jwks.
func migrationSchema(opts *MigrateOptions) ([]mtable, error) {
	str := func(name string, required bool) mfield {
		return mfield{name: name, typ: FieldString, required: required}
	}
	date := func(name string, required, now bool) mfield {
		return mfield{name: name, typ: FieldDate, required: required, defaultNow: now}
	}
	user := mtable{model: "user", fields: []mfield{
		{name: "name", typ: FieldString, required: true, sortable: true},
		{name: "email", typ: FieldString, required: true, unique: true, sortable: true},
		{name: "emailVerified", typ: FieldBoolean, required: true, defFalse: true},
		str("image", false),
		date("createdAt", true, true),
		date("updatedAt", true, true),
	}}
	for _, name := range slices.Sorted(maps.Keys(opts.AdditionalUserFields)) {
		typ := opts.AdditionalUserFields[name]
		switch typ {
		case FieldString, FieldNumber, FieldBoolean, FieldDate, FieldJSON:
		default:
			return nil, fmt.Errorf("sqlstore: additional user field %q: unknown type %q", name, typ)
		}
		if name == "" || name == "id" || slices.ContainsFunc(user.fields, func(f mfield) bool { return f.name == name }) {
			return nil, fmt.Errorf("sqlstore: additional user field %q: not a new field name", name)
		}
		user.fields = append(user.fields, mfield{name: name, typ: typ})
	}
	userID := mfield{name: "userId", typ: FieldString, required: true, index: true, ref: "user"}
	return pluginTables([]mtable{
		user,
		{model: "session", fields: []mfield{
			date("expiresAt", true, false),
			{name: "token", typ: FieldString, required: true, unique: true},
			date("createdAt", true, true),
			date("updatedAt", true, false),
			str("ipAddress", false),
			str("userAgent", false),
			userID,
		}},
		{model: "account", fields: []mfield{
			str("accountId", true),
			str("providerId", true),
			userID,
			str("accessToken", false),
			str("refreshToken", false),
			str("idToken", false),
			date("accessTokenExpiresAt", false, false),
			date("refreshTokenExpiresAt", false, false),
			str("scope", false),
			str("password", false),
			date("createdAt", true, true),
			date("updatedAt", true, false),
		}},
		{model: "verification", fields: []mfield{
			{name: "identifier", typ: FieldString, required: true, index: true},
			str("value", true),
			date("expiresAt", true, false),
			date("createdAt", true, true),
			date("updatedAt", true, true),
		}},
		{model: "jwks", fields: []mfield{
			str("publicKey", true),
			str("privateKey", true),
			date("createdAt", true, false),
			date("expiresAt", false, false),
			str("alg", false),
			str("crv", false),
		}},
	}, opts.Tables)
}

// pluginTables adds the plugin schemas to the core tables.
func pluginTables(tables []mtable, plugins []Table) ([]mtable, error) {
	for _, pt := range plugins {
		if pt.Name == "" || strings.Contains(pt.Name, ".") {
			return nil, fmt.Errorf("sqlstore: plugin table name %q is empty or has a dot", pt.Name)
		}
		i := slices.IndexFunc(tables, func(t mtable) bool { return t.model == pt.Name })
		if i < 0 {
			tables = append(tables, mtable{model: pt.Name})
			i = len(tables) - 1
		}
		for _, f := range pt.Fields {
			switch f.Type {
			case FieldString, FieldNumber, FieldBoolean, FieldDate, FieldJSON:
			default:
				return nil, fmt.Errorf("sqlstore: plugin table %q field %q: unknown type %q", pt.Name, f.Name, f.Type)
			}
			if f.Name == "" || f.Name == "id" {
				return nil, fmt.Errorf("sqlstore: plugin table %q: field name %q", pt.Name, f.Name)
			}
			if slices.ContainsFunc(tables[i].fields, func(g mfield) bool { return g.name == f.Name }) {
				continue
			}
			tables[i].fields = append(tables[i].fields, mfield{name: f.Name, typ: f.Type, required: f.Required,
				unique: f.Unique, index: f.Index, sortable: f.Sortable, ref: f.References, defaultNow: f.DefaultNow && f.Type == FieldDate, def: f.Default,
				bigint: f.BigInt})
		}
	}
	return tables, nil
}

// migrator writes Better Auth's DDL for one dialect and set of names.
type migrator struct {
	s *Store // for quoting and names only
}

func (m *migrator) tableName(model string) string {
	switch model {
	case "user":
		return m.s.names.User
	case "session":
		return m.s.names.Session
	case "account":
		return m.s.names.Account
	case "verification":
		return m.s.names.Verification
	}
	return model
}

// typ is the column type Better Auth's getType gives a field.
func (m *migrator) typ(f mfield) string {
	d := m.s.dialect
	if f.ref != "" {
		if d == MySQL {
			return "varchar(36)"
		}
		return "text"
	}
	switch f.typ {
	case FieldBoolean:
		return map[Dialect]string{SQLite: "integer", Postgres: "boolean", MySQL: "boolean"}[d]
	case FieldNumber:
		if f.bigint {
			return "bigint"
		}
		return "integer"
	case FieldDate:
		return map[Dialect]string{SQLite: "date", Postgres: "timestamptz", MySQL: "timestamp(3)"}[d]
	case FieldJSON:
		return map[Dialect]string{SQLite: "text", Postgres: "jsonb", MySQL: "json"}[d]
	}
	if d == MySQL && (f.unique || f.sortable || f.index) {
		return "varchar(255)"
	}
	return "text"
}

// idColumn is the primary key column of a new table.
func (m *migrator) idColumn() string {
	t := "text"
	if m.s.dialect == MySQL {
		t = "varchar(36)"
	}
	return m.s.quote(m.s.column("id")) + " " + t + " not null primary key"
}

// column is a field's column definition, as Kysely compiles it: name, type, default, not null, unique,
// references. adding selects the rules of alter table … add column (static defaults, no unique: an
// index is created instead).
func (m *migrator) column(f mfield, adding bool) string {
	var b strings.Builder
	b.WriteString(m.s.quote(m.s.column(f.name)) + " " + m.typ(f))
	if f.defaultNow && m.s.dialect != SQLite {
		if m.s.dialect == MySQL {
			b.WriteString(" default CURRENT_TIMESTAMP(3)")
		} else {
			b.WriteString(" default CURRENT_TIMESTAMP")
		}
	} else if adding && f.defFalse {
		if m.s.dialect == SQLite {
			b.WriteString(" default 0")
		} else {
			b.WriteString(" default false")
		}
	} else if adding && f.def != nil {
		b.WriteString(" default " + m.literal(f.def))
	}
	if f.required {
		b.WriteString(" not null")
	}
	if !adding && f.unique {
		b.WriteString(" unique")
	}
	if f.ref != "" {
		b.WriteString(" references " + m.s.quote(m.tableName(f.ref)) + " (" + m.s.quote(m.s.column("id")) + ") on delete cascade")
	}
	return b.String()
}

// hasDefault reports whether adding the field's column fills existing rows (Better Auth's timestamp and
// static defaults).
func (m *migrator) hasDefault(f mfield) bool {
	return f.defaultNow && m.s.dialect != SQLite || f.defFalse || f.def != nil
}

// literal writes a static default as Kysely's defaultTo does: booleans as 1/0 in SQLite, else true/false;
// numbers as they are; strings quoted.
func (m *migrator) literal(v any) string {
	switch x := v.(type) {
	case bool:
		switch {
		case m.s.dialect == SQLite && x:
			return "1"
		case m.s.dialect == SQLite:
			return "0"
		}
		return strconv.FormatBool(x)
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	return fmt.Sprint(v)
}

// index is the create index statement for a field of a table.
func (m *migrator) index(table string, f mfield) string {
	col := m.s.column(f.name)
	kw := "create index "
	if f.unique {
		kw = "create unique index "
	}
	return kw + m.s.quote(indexName(table, col, f.unique)) + " on " + m.s.quote(table) + " (" + m.s.quote(col) + ")"
}

// indexName is Better Auth's getDatabaseFieldIndexName: table_column_idx (uidx when unique), and when that
// is longer than 63 bytes, a prefix of it with an FNV-1a hash of the whole.
func indexName(table, column string, unique bool) string {
	kind := "idx"
	if unique {
		kind = "uidx"
	}
	name := table + "_" + column + "_" + kind
	if len(name) <= 63 {
		return name
	}
	h := uint32(2166136261)
	for _, u := range utf16.Encode([]rune(name)) {
		h ^= uint32(u)
		h *= 16777619
	}
	suffix := fmt.Sprintf("_%08x_%s", h, kind)
	prefix := name[:len(name)-len(kind)-1]
	n := 0
	for _, r := range prefix { // whole UTF-8 characters only
		size := len(string(r))
		if n+size > 63-len(suffix) {
			break
		}
		n += size
	}
	return prefix[:n] + suffix
}

// Migrate creates Better Auth 1.7.25's tables in db, as its getMigrations and runMigrations do with the
// Kysely adapter: the core tables user, session, account and verification, and the JWT plugin's jwks, with
// the same names, column types, NOT NULL, defaults, unique constraints, foreign keys and indexes, for
// SQLite, PostgreSQL (in the connection's current schema) and MySQL or MariaDB (in the connection's
// database). Like Better Auth's migrator it only creates: missing tables, and missing columns of existing
// tables (with their indexes); it never drops, renames or alters a column, and it leaves columns of other
// types alone. Adding a required column without a default to a table that has rows is refused, as Better
// Auth refuses it. The statements are not run in a transaction: a failure leaves the ones before it done,
// and running Migrate again completes the work. ctx bounds the whole migration.
//
// Several servers may start at once on an empty database: on PostgreSQL and MySQL, Migrate holds a lock of
// the database (pg_advisory_lock for the connection's schema, GET_LOCK for the database) from reading the
// schema to the last statement, so the others wait, then find nothing left to do. That lock needs a second
// connection: with db.SetMaxOpenConns(1) it is not taken. SQLite is not locked.
func Migrate(ctx context.Context, db *sql.DB, dialect Dialect, opts *MigrateOptions) (*MigrateReport, error) {
	if opts == nil {
		opts = &MigrateOptions{}
	}
	s, err := New(db, dialect, &Options{Names: opts.Names})
	if err != nil {
		return nil, err
	}
	if !opts.DryRun {
		unlock, err := lockMigrations(ctx, db, dialect)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: taking the migration lock: %w", err)
		}
		defer unlock()
	}
	for _, n := range []string{s.names.User, s.names.Session, s.names.Account, s.names.Verification} {
		if strings.Contains(n, ".") {
			return nil, fmt.Errorf("sqlstore: migrate: table name %q with a schema is not supported", n)
		}
	}
	tables, err := migrationSchema(opts)
	if err != nil {
		return nil, err
	}
	existing, err := s.introspect(ctx)
	if err != nil {
		return nil, err
	}
	m := &migrator{s: s}
	rep := &MigrateReport{}
	var alters, creates, indexes []string
	for _, t := range tables {
		name := m.tableName(t.model)
		cols, ok := existing[name]
		if !ok {
			continue
		}
		var added []string
		populated := -1
		for _, f := range t.fields {
			col := s.column(f.name)
			if slices.Contains(cols, col) {
				continue
			}
			if f.required && !m.hasDefault(f) {
				if populated < 0 {
					populated = 0
					if has, err := s.hasRows(ctx, name); err != nil {
						return nil, err
					} else if has {
						populated = 1
					}
				}
				if populated == 1 {
					return nil, fmt.Errorf("sqlstore: migrate: cannot add required column %q to table %q, which has rows: "+
						"there is no default to fill them with (add it as nullable, fill it, then make it NOT NULL)", col, name)
				}
			}
			added = append(added, col)
			alters = append(alters, "alter table "+s.quote(name)+" add column "+m.column(f, true))
			if f.index || f.unique {
				indexes = append(indexes, m.index(name, f))
			}
		}
		if len(added) > 0 {
			rep.Added = append(rep.Added, AddedColumns{Table: name, Columns: added})
		}
	}
	for _, t := range tables {
		name := m.tableName(t.model)
		if _, ok := existing[name]; ok {
			continue
		}
		defs := []string{m.idColumn()}
		for _, f := range t.fields {
			defs = append(defs, m.column(f, false))
			if f.index && !f.unique {
				indexes = append(indexes, m.index(name, f))
			}
		}
		rep.Created = append(rep.Created, name)
		creates = append(creates, "create table "+s.quote(name)+" ("+strings.Join(defs, ", ")+")")
	}
	rep.Statements = slices.Concat(alters, creates, indexes)
	if opts.DryRun {
		return rep, nil
	}
	for i, stmt := range rep.Statements {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return rep, fmt.Errorf("sqlstore: migrate: statement %d of %d (%s): %w", i+1, len(rep.Statements), stmt, err)
		}
	}
	return rep, nil
}

// introspect returns the tables (and views) of the connection's schema or database, with their columns in
// order.
func (s *Store) introspect(ctx context.Context) (map[string][]string, error) {
	var q string
	switch s.dialect {
	case SQLite:
		q = `SELECT m.name, p.name FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p
			WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY m.name, p.cid`
	case Postgres:
		q = `SELECT c.relname, a.attname FROM pg_catalog.pg_class c
			JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE n.nspname = COALESCE(pg_catalog.current_schema(), 'public') AND c.relkind IN ('r', 'v', 'p')
			ORDER BY c.relname, a.attnum`
	case MySQL:
		q = `SELECT t.TABLE_NAME, c.COLUMN_NAME FROM information_schema.TABLES t
			LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
			WHERE t.TABLE_SCHEMA = DATABASE() ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: reading the schema: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table string
		var col sql.NullString
		if err := rows.Scan(&table, &col); err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: reading the schema: %w", err)
		}
		if _, ok := out[table]; !ok {
			out[table] = nil // the table exists, even without columns
		}
		if col.Valid {
			out[table] = append(out[table], col.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: reading the schema: %w", err)
	}
	return out, nil
}

// hasRows reports whether a table has a row.
func (s *Store) hasRows(ctx context.Context, table string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, "SELECT 1 FROM "+s.quote(table)+" LIMIT 1").Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sqlstore: migrate: reading table %q: %w", table, err)
	}
	return true, nil
}

// lockMigrations takes the database's migration lock on a connection of its own and returns what releases
// it (see [Migrate]).
func lockMigrations(ctx context.Context, db *sql.DB, dialect Dialect) (unlock func(), err error) {
	var lock, release string
	switch {
	case db.Stats().MaxOpenConnections == 1:
		return func() {}, nil
	case dialect == Postgres:
		lock = `SELECT 1 FROM (SELECT pg_advisory_lock(hashtextextended('gobetterauth migrate ' || current_schema(), 0))) l`
		release = `SELECT pg_advisory_unlock(hashtextextended('gobetterauth migrate ' || current_schema(), 0))`
	case dialect == MySQL:
		// GET_LOCK waits at most its timeout; ctx usually ends first.
		lock = `SELECT GET_LOCK(CONCAT('gobetterauth migrate ', DATABASE()), 600)`
		release = `SELECT RELEASE_LOCK(CONCAT('gobetterauth migrate ', DATABASE()))`
	default:
		return func() {}, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, lock).Scan(&got); err != nil {
		conn.Close()
		return nil, err
	}
	if got.Int64 != 1 {
		conn.Close()
		return nil, errors.New("another server held it for 10 minutes")
	}
	return func() {
		// Released even when ctx is done; a connection that cannot release it is closed, which releases it.
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(rctx, release); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
