package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/storetest"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Every test in this package runs with time.Local = UTC+05:30, and the database connections the stores
// use are set to that zone too (PostgreSQL TimeZone, MySQL time_zone and loc), while the rows are written
// by a UTC connection, as a Node server in UTC writes them. A timestamp read in the wrong zone is off by
// 5h30.
func TestMain(m *testing.M) {
	storetest.UseNonUTCLocal()
	os.Exit(m.Run())
}

// backend is a database the suite runs against.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	// open creates a fresh, empty database (or schema) for one test and returns a connection that writes
	// like Better Auth (UTC) and one for the store (in the hostile zone). Both are closed and the database
	// dropped at cleanup. variant "naive" asks for the connection settings of the naive-timestamp schema.
	open func(t *testing.T, variant string) (admin, db *sql.DB, dsn string)
	// date and boolean encode values for inserts; variant "naive" is the schema with naive timestamps.
	date    func(variant string, tm time.Time) any
	boolean func(bool) any
	// naive rewrites Better Auth's DDL to a schema without time zones (PostgreSQL timestamp, MySQL
	// datetime(3); SQLite keeps its DDL and gets integer milliseconds).
	naive func(ddl string) string
	// lock holds a lock that blocks reads of the session table until the returned function is called.
	lock func(t *testing.T, admin *sql.DB) (unlock func())
}

// Fixture rows (the first session is from shared/vectors/sample-rows.json).
var (
	userID   = "ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR"
	token    = "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq"
	expired  = "expiredAAAAAAAAAAAAAAAAAAAAAAAA1"
	orphan   = "orphanAAAAAAAAAAAAAAAAAAAAAAAAA1"
	userCA   = ms("2026-11-28T13:28:59.006Z")
	sessCA   = ms("2026-11-28T13:28:59.012Z")
	sessExp  = ms("2026-12-05T13:28:59.012Z")
	banExp   = ms("2026-12-01T00:00:00.500Z")
	pastExp  = ms("2026-11-01T00:00:00.001Z")
	userName = "Zoë \"Alice\" 🚀"
)

func ms(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func want() *store.Result {
	return &store.Result{
		Session: store.Session{
			ID: "pa2HfNEH46c23R0oPavCVSOz3KCHJz2W", Token: token, UserID: userID,
			ExpiresAt: sessExp, CreatedAt: sessCA, UpdatedAt: sessCA, IPAddress: "", UserAgent: "curl/7.88.1",
			Additional: map[string]any{"impersonatedBy": nil},
		},
		User: store.User{
			ID: userID, Email: "alice@example.com", Name: userName, EmailVerified: true, Image: "", Role: "admin",
			Additional: map[string]any{
				"createdAt": "2026-11-28T13:28:59.006Z", "updatedAt": "2026-11-28T13:28:59.006Z",
				"banned": false, "banReason": nil, "banExpires": "2026-12-01T00:00:00.500Z",
			},
		},
	}
}

// schema is one fresh database holding Better Auth's tables, rewritten by variant.
type schema struct {
	b       backend
	variant string
	admin   *sql.DB
	db      *sql.DB
	dsn     string
	names   sqlstore.Names
}

// newSchema creates Better Auth's tables (from testdata/schema.<dialect>.sql, the DDL Better Auth's
// getMigrations produces) in a fresh database. Variants: "" (as generated, with the admin plugin), "nofk"
// (no foreign keys, so a user can vanish under its sessions), "snake" (snake_case columns, plural
// tables), "naive" (timestamps without zone).
func newSchema(t *testing.T, b backend, variant string) *schema {
	t.Helper()
	raw, err := os.ReadFile("testdata/schema." + string(b.dialect) + ".sql")
	if err != nil {
		t.Fatal(err)
	}
	ddl := string(raw)
	s := &schema{b: b, variant: variant}
	q := `"`
	if b.dialect == sqlstore.MySQL {
		q = "`"
	}
	switch variant {
	case "nofk":
		ddl = regexp.MustCompile(` references \S+ \(\S+\) on delete cascade`).ReplaceAllString(ddl, "")
	case "snake":
		s.names = sqlstore.SnakeCase()
		s.names.User, s.names.Session = "users", "sessions"
		for f, c := range s.names.Columns {
			ddl = strings.ReplaceAll(ddl, q+f+q, q+c+q)
		}
		ddl = strings.ReplaceAll(ddl, q+"user"+q, q+"users"+q)
		ddl = strings.ReplaceAll(ddl, q+"session"+q, q+"sessions"+q)
	case "naive":
		ddl = b.naive(ddl)
	}
	s.admin, s.db, s.dsn = b.open(t, variant)
	for _, stmt := range strings.Split(ddl, ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			if _, err := s.admin.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	return s
}

func (s *schema) table(model string) string {
	switch {
	case model == "user" && s.names.User != "":
		return s.names.User
	case model == "session" && s.names.Session != "":
		return s.names.Session
	}
	return model
}

// insert writes a row the way Better Auth does: dates and booleans encoded for the dialect.
func (s *schema) insert(t *testing.T, model string, row map[string]any) {
	t.Helper()
	q := `"`
	if s.b.dialect == sqlstore.MySQL {
		q = "`"
	}
	var cols, marks []string
	var args []any
	for _, f := range slices.Sorted(maps.Keys(row)) {
		c := f
		if m, ok := s.names.Columns[f]; ok {
			c = m
		}
		cols = append(cols, q+c+q)
		if s.b.dialect == sqlstore.Postgres {
			marks = append(marks, fmt.Sprintf("$%d", len(marks)+1))
		} else {
			marks = append(marks, "?")
		}
		switch v := row[f].(type) {
		case time.Time:
			args = append(args, s.b.date(s.variant, v))
		case bool:
			args = append(args, s.b.boolean(v))
		default:
			args = append(args, v)
		}
	}
	stmt := "INSERT INTO " + q + s.table(model) + q + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if _, err := s.admin.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// fill inserts the fixture: Alice with a live and an expired session.
func (s *schema) fill(t *testing.T) {
	t.Helper()
	s.insert(t, "user", map[string]any{"id": userID, "name": userName, "email": "alice@example.com",
		"emailVerified": true, "image": nil, "createdAt": userCA, "updatedAt": userCA, "role": "admin",
		"banned": false, "banReason": nil, "banExpires": banExp})
	s.insert(t, "session", map[string]any{"id": "pa2HfNEH46c23R0oPavCVSOz3KCHJz2W", "expiresAt": sessExp,
		"token": token, "createdAt": sessCA, "updatedAt": sessCA, "ipAddress": "", "userAgent": "curl/7.88.1",
		"userId": userID})
	s.insert(t, "session", map[string]any{"id": "expiredSessionAAAAAAAAAAAAAAAAAA", "expiresAt": pastExp,
		"token": expired, "createdAt": pastExp, "updatedAt": pastExp, "ipAddress": "203.0.113.9",
		"userAgent": "", "userId": userID})
}

func (s *schema) store(t *testing.T, opts *sqlstore.Options) *sqlstore.Store {
	t.Helper()
	if opts == nil {
		opts = &sqlstore.Options{}
	}
	opts.Names = s.names
	st, err := sqlstore.New(s.db, s.b.dialect, opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func checkResult(t *testing.T, got, want *store.Result) {
	t.Helper()
	if got == nil {
		t.Fatal("nil result")
	}
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{
		{"session.expiresAt", got.Session.ExpiresAt, want.Session.ExpiresAt},
		{"session.createdAt", got.Session.CreatedAt, want.Session.CreatedAt},
		{"session.updatedAt", got.Session.UpdatedAt, want.Session.UpdatedAt},
	} {
		if !tm.got.Equal(tm.want) || tm.got.Location() != time.UTC {
			t.Errorf("%s = %s, want %s (UTC)", tm.name, tm.got.Format(time.RFC3339Nano), tm.want.Format(time.RFC3339Nano))
		}
	}
	g, w := *got, *want
	g.Session.ExpiresAt, g.Session.CreatedAt, g.Session.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	w.Session.ExpiresAt, w.Session.CreatedAt, w.Session.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g.Session, w.Session) {
		t.Errorf("session:\n got %#v\nwant %#v", g.Session, w.Session)
	}
	if !reflect.DeepEqual(g.User, w.User) {
		t.Errorf("user:\n got %#v\nwant %#v", g.User, w.User)
	}
}

func notFound(t *testing.T, st store.Store, tok string) {
	t.Helper()
	res, err := st.Lookup(context.Background(), tok)
	if !errors.Is(err, store.ErrNotFound) || res != nil {
		t.Errorf("Lookup(%q) = %v, %v; want ErrNotFound", tok, res, err)
	}
}

// unavailable checks that a lookup fails with an error that is not ErrNotFound.
func unavailable(t *testing.T, st store.Store, tok string) error {
	t.Helper()
	res, err := st.Lookup(context.Background(), tok)
	if err == nil || errors.Is(err, store.ErrNotFound) || res != nil {
		t.Fatalf("Lookup = %v, %v; want an error other than ErrNotFound", res, err)
	}
	return err
}

// runSuite runs the cases every dialect must pass.
func runSuite(t *testing.T, b backend) {
	t.Run("found", func(t *testing.T) {
		s := newSchema(t, b, "")
		s.fill(t)
		st := s.store(t, nil)
		res, err := st.Lookup(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res, want())
		if err := st.Check(context.Background()); err != nil {
			t.Fatal(err)
		}

		t.Run("expired row returned", func(t *testing.T) {
			res, err := st.Lookup(context.Background(), expired)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Session.ExpiresAt.Equal(pastExp) || res.Session.IPAddress != "203.0.113.9" {
				t.Errorf("got expiresAt %s, ip %q", res.Session.ExpiresAt, res.Session.IPAddress)
			}
		})
		t.Run("not found", func(t *testing.T) {
			for _, tok := range []string{
				"unknownAAAAAAAAAAAAAAAAAAAAAAAAA",
				strings.ToLower(token), strings.ToUpper(token), // case-insensitive collations
				token + " ", " " + token, token + "\t", token[:31], // padding collations, prefixes
				"' OR '1'='1", `x" OR 1=1 --`, "'; DROP TABLE \"session\"; --", "` OR 1=1 #",
				"%", "_", "*", `\`, "?", "$1", strings.Repeat("a", 256),
				"", strings.Repeat("a", 257), "a\x00b", "\xff\xfe", "tok\nen",
			} {
				notFound(t, st, tok)
			}
		})
		t.Run("concurrent first use", func(t *testing.T) {
			fresh := s.store(t, nil)
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for i := range 64 {
				wg.Go(func() {
					tok := token
					if i%2 == 1 {
						tok = "unknownAAAAAAAAAAAAAAAAAAAAAAAAA"
					}
					res, err := fresh.Lookup(context.Background(), tok)
					switch {
					case i%2 == 1 && !errors.Is(err, store.ErrNotFound):
						errs <- fmt.Errorf("unknown token: %v", err)
					case i%2 == 0 && (err != nil || res.Session.Token != token):
						errs <- fmt.Errorf("known token: %v", err)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
		t.Run("tables intact", func(t *testing.T) {
			if _, err := st.Lookup(context.Background(), token); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("closed db", func(t *testing.T) {
			db2 := reopen(t, b, s.dsn)
			st2, err := sqlstore.New(db2, b.dialect, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st2.Lookup(context.Background(), token); err != nil {
				t.Fatal(err)
			}
			db2.Close()
			unavailable(t, st2, token)
		})
		t.Run("deadline", func(t *testing.T) {
			slow := s.store(t, &sqlstore.Options{Timeout: 300 * time.Millisecond})
			if err := slow.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			unlock := b.lock(t, s.admin)
			defer unlock()
			start := time.Now()
			unavailable(t, slow, token) // Options.Timeout
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := s.store(t, nil).Lookup(ctx, token) // the caller's deadline, schema not read yet
			if err == nil || errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v, want an error", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("lookups took %s with deadlines of 300 ms and 100 ms", d)
			}
		})
	})

	t.Run("user deleted without cascade", func(t *testing.T) {
		s := newSchema(t, b, "nofk")
		s.fill(t)
		s.insert(t, "user", map[string]any{"id": "goneUserAAAAAAAAAAAAAAAAAAAAAAAA", "name": "Gone",
			"email": "gone@example.com", "emailVerified": false, "createdAt": userCA, "updatedAt": userCA})
		s.insert(t, "session", map[string]any{"id": "orphanSessionAAAAAAAAAAAAAAAAAAA", "expiresAt": sessExp,
			"token": orphan, "createdAt": sessCA, "updatedAt": sessCA, "userId": "goneUserAAAAAAAAAAAAAAAAAAAAAAAA"})
		st := s.store(t, nil)
		if _, err := st.Lookup(context.Background(), orphan); err != nil {
			t.Fatal(err)
		}
		q := `"`
		if b.dialect == sqlstore.MySQL {
			q = "`"
		}
		if _, err := s.admin.Exec("DELETE FROM " + q + "user" + q + " WHERE id = 'goneUserAAAAAAAAAAAAAAAAAAAAAAAA'"); err != nil {
			t.Fatal(err)
		}
		notFound(t, st, orphan)
		if _, err := st.Lookup(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("snake_case plural", func(t *testing.T) {
		s := newSchema(t, b, "snake")
		s.fill(t)
		res, err := s.store(t, nil).Lookup(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res, want())
		// Without the mapping, the tables are not there: an error, not "not found".
		st, err := sqlstore.New(s.db, b.dialect, nil)
		if err != nil {
			t.Fatal(err)
		}
		unavailable(t, st, token)
		n := sqlstore.SnakeCase() // tables right, columns camelCase: a required column is missing
		n.User, n.Session, n.Columns = "users", "sessions", nil
		st, _ = sqlstore.New(s.db, b.dialect, &sqlstore.Options{Names: n})
		if err := st.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "no column") {
			t.Errorf("Check = %v, want a missing column", err)
		}
	})

	t.Run("naive timestamps", func(t *testing.T) {
		s := newSchema(t, b, "naive")
		s.fill(t)
		res, err := s.store(t, nil).Lookup(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res, want())
	})
}

// reopen opens another pool on the store's DSN.
func reopen(t *testing.T, b backend, dsn string) *sql.DB {
	t.Helper()
	driver := map[sqlstore.Dialect]string{sqlstore.SQLite: "sqlite", sqlstore.Postgres: "pgx", sqlstore.MySQL: "mysql"}[b.dialect]
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLocalZone(t *testing.T) {
	if _, off := time.Now().Zone(); off != 5*3600+1800 {
		t.Fatalf("time.Local offset %d, want +05:30: the timezone tests would prove nothing", off)
	}
}
