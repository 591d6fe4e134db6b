package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// The fields of the core schema that have a place in the records. Others go to Additional.
var (
	sessionFields = []string{"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"}
	userFields    = []string{"id", "email", "name", "emailVerified", "image", "role"}
	required      = map[string]bool{"session.id": true, "session.token": true, "session.userId": true,
		"session.expiresAt": true, "user.id": true, "account.id": true, "account.accountId": true,
		"account.providerId": true, "account.userId": true, "verification.id": true,
		"verification.identifier": true, "verification.value": true, "verification.expiresAt": true,
		"twoFactor.id": true, "twoFactor.secret": true, "twoFactor.backupCodes": true, "twoFactor.userId": true,

		"apikey.id": true, "apikey.key": true, "apikey.referenceId": true, "member.organizationId": true,
		"member.userId": true, "member.role": true, "organizationRole.organizationId": true,
		"organizationRole.role": true, "organizationRole.permission": true, "passkey.id": true,
		"organization.id": true, "organization.slug": true, "invitation.id": true,
		"invitation.organizationId": true, "invitation.email": true, "invitation.status": true, "team.id": true,
		"team.organizationId": true, "teamMember.id": true, "teamMember.teamId": true, "teamMember.userId": true,
		"passkey.publicKey": true, "passkey.userId": true, "passkey.credentialID": true}
	coreDates = map[string]bool{"expiresAt": true, "createdAt": true, "updatedAt": true}
)

// column is one selected column.
type column struct {
	user  bool      // of the user table, else of the session table
	field string    // the core field it fills, or "" for Additional
	key   string    // the Additional key (field name, or the column name when unmapped)
	name  string    // the column name
	db    string    // the database type name, upper case
	typ   FieldType // how to report it ("" = by the Go type)
	unix  bool      // selected through UNIX_TIMESTAMP (MySQL TIMESTAMP): seconds since 1970
	naive bool      // a date without zone: its wall clock is UTC
}

// query is the lookup query and how to read its row.
type query struct {
	sql  string
	cols []column
	at   time.Time // when its columns were read
	stmt *prepared // sql prepared (SQLite and MySQL), nil to send the text (PostgreSQL)
	pack bool      // the row is one packed text (SQLite, see packExpr)
	scan sync.Pool // of *scanBuf, len(cols) wide (one value and len(cols) cells when pack is set)
}

// prepared is a lookup statement prepared once and run by every lookup whose query has the same text:
// database/sql prepares it again on each connection the first time it runs there and keeps it (SQLite
// then skips parsing and planning the join, a third of a lookup's CPU; MySQL skips a round trip to prepare
// and one to close the statement). users and retired are guarded by Store.mu: a statement replaced by
// one with another text is closed by the last lookup still running it.
type prepared struct {
	sql     string
	stmt    *sql.Stmt
	users   int
	retired bool
}

// scanBuf is what a lookup scans a row into, reused across lookups.
type scanBuf struct {
	vals  []any
	ptrs  []any
	cells []cell // the packed row's values
}

// buf returns a scan buffer for q's columns.
func (q *query) buf() *scanBuf {
	if b, ok := q.scan.Get().(*scanBuf); ok {
		return b
	}
	n := len(q.cols)
	if q.pack {
		n = 1
	}
	b := &scanBuf{vals: make([]any, n), ptrs: make([]any, n)}
	if q.pack {
		b.cells = make([]cell, len(q.cols))
	}
	for i := range b.vals {
		b.ptrs[i] = &b.vals[i]
	}
	return b
}

// putBuf gives b back, forgetting the values it holds.
func (q *query) putBuf(b *scanBuf) {
	clear(b.vals)
	clear(b.cells)
	q.scan.Put(b)
}

type dbColumn struct{ name, typ string }

// query returns the lookup query, reading the schema the first time and again when the columns are older
// than s.refresh. Concurrent callers needing it wait for one another, each no longer than its context
// allows, and one of them reads the schema. The caller holds the query's statement until it calls
// s.release(q).
func (s *Store) query(ctx context.Context) (*query, error) {
	if q := s.loaded(); q != nil {
		return q, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("sqlstore: reading the schema: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	if q := s.loaded(); q != nil {
		return q, nil
	}
	at := s.now()
	sess, err := s.columns(ctx, s.names.Session)
	if err != nil {
		return nil, err
	}
	user, err := s.columns(ctx, s.names.User)
	if err != nil {
		return nil, err
	}
	q, err := s.build(sess, user)
	if err != nil {
		return nil, err
	}
	q.at = at
	s.mu.Lock()
	cur := s.stmt
	s.mu.Unlock()
	var fresh *prepared
	var st *sql.Stmt
	if s.dialect != Postgres && (cur == nil || cur.sql != q.sql) {
		// pgx already keeps each query's prepared statement per connection, and a server behind a
		// pooler in transaction mode may refuse named statements; the other drivers prepare per query.
		st, err = s.db.PrepareContext(ctx, q.sql)
		if err != nil && q.pack && strings.Contains(err.Error(), "no such function") {
			// An SQLite older than 3.44 (another driver's) has no concat() or octet_length(): select the
			// columns one by one from now on.
			s.noPack.Store(true)
			if q, err = s.build(sess, user); err != nil {
				return nil, err
			}
			q.at = at
			st = nil
			if cur == nil || cur.sql != q.sql {
				st, err = s.db.PrepareContext(ctx, q.sql)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: preparing the lookup: %w", err)
		}
	}
	if st != nil {
		fresh = &prepared{sql: q.sql, stmt: st}
	}
	s.mu.Lock()
	if fresh != nil {
		if cur := s.stmt; cur != nil {
			cur.retired = true
			if cur.users == 0 {
				cur.stmt.Close()
			}
		}
		s.stmt = fresh
	}
	q.stmt = s.stmt
	if q.stmt != nil {
		q.stmt.users++
	}
	s.q = q
	s.mu.Unlock()
	return q, nil
}

// loaded returns the lookup query while its columns are fresh, else nil. The caller holds its statement
// until it calls s.release.
func (s *Store) loaded() *query {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.q == nil || !s.fresh(s.q.at) {
		return nil
	}
	if s.q.stmt != nil {
		s.q.stmt.users++
	}
	return s.q
}

// release says the caller is done with q's statement, which is closed if it was replaced and q was its
// last user.
func (s *Store) release(q *query) {
	p := q.stmt
	if p == nil {
		return
	}
	s.mu.Lock()
	p.users--
	last := p.retired && p.users == 0
	s.mu.Unlock()
	if last {
		p.stmt.Close()
	}
}

// fresh reports whether columns read at at may still be used (a clock that went back makes them stale).
func (s *Store) fresh(at time.Time) bool {
	age := s.now().Sub(at)
	return age >= 0 && age < s.refresh
}

// forgetQuery makes the next lookup read the columns again, unless q was already replaced.
func (s *Store) forgetQuery(q *query) {
	s.mu.Lock()
	if s.q == q {
		s.q = nil
	}
	s.mu.Unlock()
}

// columns returns a table's columns and their database types, from a query that returns no row. It runs
// on one connection and once more there when the first try says the schema changed: pgx caches that
// statement per connection, and PostgreSQL refuses to run a cached SELECT * whose columns have changed
// ("cached plan must not change result type"); the failure drops it from that connection's cache.
func (s *Store) columns(ctx context.Context, table string) ([]dbColumn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading the columns of table %q: %w", table, err)
	}
	defer conn.Close()
	cols, err := s.columnsOn(ctx, conn, table)
	if err != nil && s.schemaChanged(err) {
		cols, err = s.columnsOn(ctx, conn, table)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading the columns of table %q: %w", table, err)
	}
	return cols, nil
}

func (s *Store) columnsOn(ctx context.Context, conn *sql.Conn, table string) ([]dbColumn, error) {
	rows, err := conn.QueryContext(ctx, "SELECT * FROM "+s.quoteTable(table)+" WHERE 1=0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := make([]dbColumn, len(cts))
	for i, ct := range cts {
		out[i] = dbColumn{name: ct.Name(), typ: strings.ToUpper(ct.DatabaseTypeName())}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// build makes the lookup query from the tables' columns.
func (s *Store) build(sess, user []dbColumn) (*query, error) {
	q := &query{}
	sc, err := s.pick("session", s.names.Session, false, sess, sessionFields)
	if err != nil {
		return nil, err
	}
	uc, err := s.pick("user", s.names.User, true, user, userFields)
	if err != nil {
		return nil, err
	}
	q.cols = append(sc, uc...)
	var token, userID, id string
	for _, c := range q.cols {
		switch {
		case !c.user && c.field == "token":
			token = c.name
		case !c.user && c.field == "userId":
			userID = c.name
		case c.user && c.field == "id":
			id = c.name
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.dialect == SQLite && !s.noPack.Load() {
		exprs := make([]string, len(q.cols))
		for i, c := range q.cols {
			exprs[i] = s.qualified(c)
		}
		b.WriteString(packExpr(exprs))
		q.pack = true
	} else {
		for i, c := range q.cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s.expr(c))
		}
	}
	b.WriteString(" FROM " + s.quoteTable(s.names.Session) + " s JOIN " + s.quoteTable(s.names.User) + " u ON u." +
		s.quote(id) + " = s." + s.quote(userID) + " WHERE s." + s.quote(token) + " = ")
	switch s.dialect {
	case Postgres:
		b.WriteString("$1")
	case SQLite:
		// +? is the same value with no affinity, as ? is, but not a bare parameter: SQLite built with
		// STAT4 (modernc.org/sqlite is) marks a statement whose bare parameter meets an indexed column for
		// re-preparing whenever that parameter's value changes, once ANALYZE (or PRAGMA optimize) has
		// written sqlite_stat4: then every lookup would parse and plan the join again. The token is unique:
		// no value can change the plan.
		b.WriteString("+?")
	default:
		b.WriteString("?")
	}
	q.sql = b.String()
	return q, nil
}

// pick matches a table's columns to the core fields, in order, followed by every other column.
func (s *Store) pick(model, table string, user bool, cols []dbColumn, fields []string) ([]column, error) {
	used := make([]bool, len(cols))
	var out []column
	for _, f := range fields {
		name := s.column(f)
		i := find(cols, name)
		if i < 0 {
			if required[model+"."+f] {
				return nil, fmt.Errorf("sqlstore: table %q has no column %q (Better Auth's %s.%s; see Names)", table, name, model, f)
			}
			continue
		}
		used[i] = true
		out = append(out, s.describe(user, f, f, cols[i]))
	}
	for i, c := range cols {
		if !used[i] {
			out = append(out, s.describe(user, "", s.field(c.name), c))
		}
	}
	return out, nil
}

// describe says how to select and read a column.
func (s *Store) describe(user bool, field, key string, c dbColumn) column {
	col := column{user: user, field: field, key: key, name: c.name, db: c.typ}
	if field == "" {
		col.typ = s.fields[key]
		if col.typ == "" && coreDates[key] {
			col.typ = FieldDate
		}
		if col.typ == "" {
			col.typ = typeOf(c.typ)
		}
	}
	switch s.dialect {
	case Postgres:
		col.naive = c.typ == "TIMESTAMP" || c.typ == "DATE"
	case MySQL:
		col.unix = c.typ == "TIMESTAMP"
		col.naive = !col.unix
		if col.unix && field == "" {
			col.typ = FieldDate
		}
	}
	return col
}

// typeOf is the field type a database type implies, or "" when it implies none.
func typeOf(db string) FieldType {
	switch db {
	case "BOOL", "BOOLEAN":
		return FieldBoolean
	case "TIMESTAMPTZ", "TIMESTAMP", "DATETIME", "DATE":
		return FieldDate
	case "JSON", "JSONB":
		return FieldJSON
	}
	return ""
}

// find returns the index of the column called name: an exact match, or else the only case-insensitive
// one; -1 when there is none.
func find(cols []dbColumn, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	at := -1
	for i, c := range cols {
		if strings.EqualFold(c.name, name) {
			if at >= 0 {
				return -1
			}
			at = i
		}
	}
	return at
}

// column returns the column name of a field.
func (s *Store) column(field string) string {
	if c, ok := s.names.Columns[field]; ok {
		return c
	}
	return field
}

// field returns the field name of an extra column: the field mapped to it, or the column name itself.
func (s *Store) field(column string) string {
	for f, c := range s.names.Columns {
		if c == column {
			return f
		}
	}
	return column
}

func (s *Store) expr(c column) string {
	return s.exprIn(c.alias(), c)
}

// qualified is column c as the lookup query names it: its table's alias and its quoted name.
func (s *Store) qualified(c column) string {
	return c.alias() + "." + s.quote(c.name)
}

// alias is the lookup query's alias of c's table.
func (c *column) alias() string {
	if c.user {
		return "u"
	}
	return "s"
}

// exprIn is how the query selects column c of the table called alias.
func (s *Store) exprIn(alias string, c column) string {
	e := alias + "." + s.quote(c.name)
	if c.unix {
		e = "UNIX_TIMESTAMP(" + e + ")"
	}
	if s.dialect == SQLite && typeOf(c.db) == FieldDate {
		// Unary + is SQLite's no-op: the same value, but no declared type, so that modernc.org/sqlite
		// hands over the text instead of trying its seven time layouts on it (each miss allocates an
		// error; 55 allocations per lookup). parseTime reads the text, in every layout the driver did.
		e = "+" + e
	}
	return e
}

// quote quotes an identifier for the dialect.
func (s *Store) quote(name string) string {
	if s.dialect == MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteTable quotes a table name, "schema.table" as two identifiers.
func (s *Store) quoteTable(name string) string {
	if schema, table, ok := strings.Cut(name, "."); ok && schema != "" && table != "" {
		return s.quote(schema) + "." + s.quote(table)
	}
	return s.quote(name)
}

// result reads a row.
func (q *query) result(vals []any) (*store.Result, error) {
	res := &store.Result{}
	for i, c := range q.cols {
		if err := c.read(res, vals[i]); err != nil {
			return nil, columnError(&c, err)
		}
	}
	return res, nil
}

// columnError says which column err is about.
func columnError(c *column, err error) error {
	table := "session"
	if c.user {
		table = "user"
	}
	return fmt.Errorf("sqlstore: column %q of %s: %w", c.name, table, err)
}

func (c *column) read(res *store.Result, v any) error {
	var err error
	s, u := &res.Session, &res.User
	switch {
	case c.field == "":
		var j any
		if j, err = c.jsonValue(v); err != nil {
			return err
		}
		m := &s.Additional
		if c.user {
			m = &u.Additional
		}
		if *m == nil {
			*m = map[string]any{}
		}
		(*m)[c.key] = j
	case c.user:
		switch c.field {
		case "id":
			u.ID, err = text(v)
		case "email":
			u.Email, err = text(v)
		case "name":
			u.Name, err = text(v)
		case "emailVerified":
			u.EmailVerified, err = boolean(v)
		case "image":
			u.Image, err = text(v)
		case "role":
			u.Role, err = text(v)
		}
	default:
		switch c.field {
		case "id":
			s.ID, err = text(v)
		case "token":
			s.Token, err = text(v)
		case "userId":
			s.UserID, err = text(v)
		case "expiresAt":
			if v == nil {
				return errNull
			}
			s.ExpiresAt, err = c.time(v)
		case "createdAt":
			s.CreatedAt, err = c.time(v)
		case "updatedAt":
			s.UpdatedAt, err = c.time(v)
		case "ipAddress":
			s.IPAddress, err = text(v)
		case "userAgent":
			s.UserAgent, err = text(v)
		}
	}
	return err
}
