package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 28, 13, 28, 59, 6e6, time.UTC)
	for _, tt := range []struct {
		name    string
		in      string
		seconds bool
		want    time.Time
		err     bool
	}{
		{name: "kysely sqlite", in: "2026-11-28T13:28:59.006Z", want: want},
		{name: "offset", in: "2026-11-28T18:58:59.006+05:30", want: want},
		{name: "postgres text", in: "2026-11-28 13:28:59.006+00", want: want},
		{name: "postgres text minutes", in: "2026-11-28 19:58:59.006+06:30", want: want},
		{name: "no zone is UTC", in: "2026-11-28 13:28:59.006", want: want},
		{name: "T no zone is UTC", in: "2026-11-28T13:28:59.006", want: want},
		{name: "microseconds truncated", in: "2026-11-28T13:28:59.006999Z", want: want},
		{name: "date only", in: "2026-11-28", want: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)},
		{name: "epoch ms", in: "1795872539006", want: want},
		{name: "epoch s", in: "1795872539", want: want.Truncate(time.Second)},
		{name: "unix_timestamp decimal", in: "1795872539.006000", seconds: true, want: want},
		{name: "unix_timestamp ms digits", in: "1795872539.006", seconds: true, want: want},
		{name: "negative", in: "-1.5", want: time.Unix(-2, 5e8).UTC()},
		{name: "spaces trimmed", in: " 2026-11-28T13:28:59.006Z ", want: want},
		{name: "empty", in: "", err: true},
		{name: "garbage", in: "yesterday", err: true},
		{name: "dangling dot", in: "17.", err: true},
		{name: "too many fraction digits", in: "1.0000000001", err: true},
		{name: "bad month", in: "2026-13-28T13:28:59.006Z", err: true},
		{name: "overflow", in: "99999999999999999999", err: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTime(tt.in, tt.seconds)
			if tt.err {
				if err == nil {
					t.Fatalf("got %s, want an error", got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestColumnTime(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	instant := time.Date(2026, 11, 28, 18, 58, 59, 6e6, ist)
	want := time.Date(2026, 11, 28, 13, 28, 59, 6e6, time.UTC)
	for _, tt := range []struct {
		name string
		col  column
		in   any
		want time.Time
	}{
		{name: "aware time", in: instant, want: want},
		{name: "naive time: wall clock is UTC", col: column{naive: true}, in: time.Date(2026, 11, 28, 13, 28, 59, 6e6, ist), want: want},
		{name: "int ms", in: int64(1795872539006), want: want},
		{name: "int s", in: int64(1795872539), want: want.Truncate(time.Second)},
		{name: "unix int", col: column{unix: true}, in: int64(1795872539), want: want.Truncate(time.Second)},
		{name: "float s", in: float64(1795872539.006), want: want},
		{name: "bytes", in: []byte("2026-11-28T13:28:59.006Z"), want: want},
		{name: "nil", in: nil, want: time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.col.time(tt.in)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := (&column{}).time(true); err == nil {
		t.Error("bool read as a date")
	}
}

func TestValidToken(t *testing.T) {
	for tok, ok := range map[string]bool{
		"sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq": true,
		"with.dot-and_underscore~":         true,
		"ünïcode":                          true,
		"' OR '1'='1":                      false, // spaces
		strings.Repeat("a", 256):           true,
		strings.Repeat("a", 257):           false,
		"":                                 false,
		"a\x00":                            false,
		"a\x7f":                            false,
		"a\tb":                             false,
		"\xff":                             false,
	} {
		if limits.ValidToken(tok) != ok {
			t.Errorf("ValidToken(%q) = %v", tok, !ok)
		}
	}
}

func TestJSONValue(t *testing.T) {
	for _, tt := range []struct {
		name string
		col  column
		in   any
		want any
	}{
		{name: "sqlite boolean", col: column{typ: FieldBoolean}, in: int64(1), want: true},
		{name: "mysql boolean text", col: column{typ: FieldBoolean}, in: []byte("0"), want: false},
		{name: "date", col: column{typ: FieldDate}, in: "2026-11-28T13:28:59.006Z", want: "2026-11-28T13:28:59.006Z"},
		{name: "date from epoch ms", col: column{typ: FieldDate}, in: int64(1795872539006), want: "2026-11-28T13:28:59.006Z"},
		{name: "date in another zone", col: column{typ: FieldDate}, in: "2026-11-28T18:58:59.006+05:30", want: "2026-11-28T13:28:59.006Z"},
		{name: "date with microseconds", col: column{typ: FieldDate}, in: "2026-11-28T13:28:59.006999Z", want: "2026-11-28T13:28:59.006Z"},
		{name: "date padded", col: column{typ: FieldDate}, in: " 2026-11-28T13:28:59.006Z", want: "2026-11-28T13:28:59.006Z"},
		{name: "number text", col: column{typ: FieldNumber}, in: []byte("1.5"), want: 1.5},
		{name: "json", col: column{typ: FieldJSON}, in: []byte(`["a",1]`), want: []any{"a", float64(1)}},
		{name: "json invalid kept as text", col: column{typ: FieldJSON}, in: []byte(`[`), want: "["},
		{name: "string", col: column{typ: FieldString}, in: []byte("x"), want: "x"},
		{name: "int", in: int64(7), want: float64(7)},
		{name: "bytes", in: []byte("x"), want: "x"},
		{name: "time", in: time.Date(2026, 11, 28, 13, 28, 59, 6e6, time.UTC), want: "2026-11-28T13:28:59.006Z"},
		{name: "null", col: column{typ: FieldBoolean}, in: nil, want: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.col.jsonValue(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestQuerySQL(t *testing.T) {
	sess := []dbColumn{{"id", "TEXT"}, {"expiresAt", "TIMESTAMP"}, {"token", "TEXT"}, {"userId", "TEXT"}, {"impersonatedBy", "TEXT"}}
	user := []dbColumn{{"id", "TEXT"}, {"email", "TEXT"}, {"banned", "TINYINT"}}
	for _, tt := range []struct {
		dialect Dialect
		names   Names
		want    string
	}{
		{SQLite, Names{}, `SELECT ` + packExpr([]string{`s."id"`, `s."token"`, `s."userId"`, `s."expiresAt"`, `s."impersonatedBy"`, `u."id"`, `u."email"`, `u."banned"`}) + ` FROM "session" s JOIN "user" u ON u."id" = s."userId" WHERE s."token" = +?`},
		{Postgres, Names{User: "auth.user"}, `SELECT s."id", s."token", s."userId", s."expiresAt", s."impersonatedBy", u."id", u."email", u."banned" FROM "session" s JOIN "auth"."user" u ON u."id" = s."userId" WHERE s."token" = $1`},
		{MySQL, Names{}, "SELECT s.`id`, s.`token`, s.`userId`, UNIX_TIMESTAMP(s.`expiresAt`), s.`impersonatedBy`, u.`id`, u.`email`, u.`banned` FROM `session` s JOIN `user` u ON u.`id` = s.`userId` WHERE s.`token` = ?"},
	} {
		st := &Store{dialect: tt.dialect, names: Names{User: "user", Session: "session"}, fields: DefaultFields()}
		if tt.names.User != "" {
			st.names.User = tt.names.User
		}
		q, err := st.build(sess, user)
		if err != nil {
			t.Fatal(err)
		}
		if q.sql != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.dialect, q.sql, tt.want)
		}
		for _, c := range q.cols {
			if c.key == "banned" && c.typ != FieldBoolean {
				t.Errorf("banned has type %q", c.typ)
			}
		}
	}
	if got, want := packExpr([]string{`s."id"`}), `concat(typeof(s."id"), ':', octet_length(s."id"), ':', s."id") AS p`; got != want {
		t.Errorf("packExpr:\n got %s\nwant %s", got, want)
	}
	if got := (&Store{dialect: Postgres}).quote(`we"ird`); got != `"we""ird"` {
		t.Errorf("quote = %s", got)
	}
	if got := (&Store{dialect: MySQL}).quote("we`ird"); got != "`we``ird`" {
		t.Errorf("quote = %s", got)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-28T13:28:59.006Z", "2026-11-28 13:28:59.006+00", "1795872539006", "1795872539.006", "-1.5", "2026-11-28"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, seconds bool) {
		tm, err := parseTime(s, seconds)
		if err == nil && tm.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
	})
}

func TestNew(t *testing.T) {
	db := &sql.DB{}
	for _, tt := range []struct {
		name    string
		db      *sql.DB
		dialect Dialect
		opts    *Options
	}{
		{name: "nil db", dialect: SQLite},
		{name: "unknown dialect", db: db, dialect: "oracle"},
		{name: "negative timeout", db: db, dialect: SQLite, opts: &Options{Timeout: -1}},
		{name: "negative schema refresh", db: db, dialect: SQLite, opts: &Options{SchemaRefresh: -1}},
		{name: "empty column name", db: db, dialect: SQLite, opts: &Options{Names: Names{Columns: map[string]string{"userId": ""}}}},
	} {
		if _, err := New(tt.db, tt.dialect, tt.opts); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	st, err := New(db, Postgres, &Options{Fields: map[string]FieldType{"banned": FieldString, "tags": FieldJSON}})
	if err != nil {
		t.Fatal(err)
	}
	if st.timeout != DefaultTimeout || st.refresh != DefaultSchemaRefresh || st.now == nil || st.fields["banned"] != FieldString || st.fields["tags"] != FieldJSON || st.fields["isAnonymous"] != FieldBoolean {
		t.Errorf("defaults not applied: %v %v", st.timeout, st.fields)
	}
}

// TestLookupStatement checks the prepared lookup statement's life: prepared once, kept when the columns
// are read again and give the same query, replaced when they give another, and closed only once the last
// lookup still running the replaced one is done.
func TestLookupStatement(t *testing.T) {
	ctx := t.Context()
	db, _ := testdb.SQLite(t)
	now := time.Now()
	iso := testdb.ISO(now)
	if _, err := db.Exec(`insert into "user" values ('u1','U','u@example.com',1,null,?,?,null,null,null,null)`, iso, iso); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`insert into "session" values ('s1',?,'tok1',?,?,null,null,'u1',null)`, testdb.ISO(now.Add(time.Hour)), iso, iso); err != nil {
		t.Fatal(err)
	}
	clock := now
	st, err := New(db, SQLite, &Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	held, err := st.query(ctx) // a lookup that started before the changes below and is still running
	if err != nil {
		t.Fatal(err)
	}
	first := held.stmt
	if first == nil || first.users != 1 {
		t.Fatalf("statement %+v, want one prepared with one user", first)
	}
	lookup := func() {
		t.Helper()
		res, err := st.Lookup(ctx, "tok1")
		if err != nil || res.User.Email != "u@example.com" {
			t.Fatalf("Lookup = %+v, %v", res, err)
		}
	}
	lookup()
	clock = clock.Add(DefaultSchemaRefresh + time.Second) // columns read again, same query
	lookup()
	if st.stmt != first || first.users != 1 {
		t.Fatalf("same query prepared again (%p, was %p) or a user leaked (%d)", st.stmt, first, first.users)
	}
	if _, err := db.Exec(`alter table "user" add column "nickname" text`); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(DefaultSchemaRefresh + time.Second) // columns read again, another query
	lookup()
	if st.stmt == first || !first.retired {
		t.Fatal("the statement of the old query was not replaced")
	}
	if _, err := st.lookup(ctx, held, "tok1"); err != nil {
		t.Fatalf("a replaced statement closed while still in use: %v", err)
	}
	st.release(held)
	if _, err := first.stmt.QueryContext(ctx, "tok1"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("replaced statement still open after its last user: %v", err)
	}
	if n := st.stmt.users; n != 0 {
		t.Fatalf("current statement has %d users after every lookup ended", n)
	}
}

// TestLookupPlanSQLite checks that SQLite runs the lookup query through the token's and the user id's
// indexes, also once ANALYZE has written statistics (the query compares the token with +?, see build).
func TestLookupPlanSQLite(t *testing.T) {
	ctx := t.Context()
	db, _ := testdb.SQLite(t)
	iso := testdb.ISO(time.Now())
	for i := range 200 {
		id := fmt.Sprintf("u%03d", i)
		if _, err := db.Exec(`insert into "user" values (?,'U',?,1,null,?,?,null,null,null,null)`, id, id+"@example.com", iso, iso); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`insert into "session" values (?,?,?,?,?,null,null,?,null)`, "s"+id, iso, "tok"+id, iso, iso, id); err != nil {
			t.Fatal(err)
		}
	}
	st, err := New(db, SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := st.query(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.release(q)
	for _, analyze := range []bool{false, true} {
		if analyze {
			if _, err := db.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q.sql, "tokU001")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		if !strings.Contains(p, "SEARCH s USING INDEX") || !strings.Contains(p, "SEARCH u USING INDEX") || strings.Contains(p, "SCAN") {
			t.Fatalf("ANALYZE %v: the lookup does not use the indexes:\n%s", analyze, p)
		}
		if res, err := st.Lookup(ctx, "tokU001"); err == nil || !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Lookup of an unknown token = %v, %v", res, err)
		}
		if res, err := st.Lookup(ctx, "toku001"); err != nil || res.User.ID != "u001" {
			t.Fatalf("Lookup = %+v, %v", res, err)
		}
	}
}
