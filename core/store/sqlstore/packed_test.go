package sqlstore

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
)

// packedDB is a SQLite table t whose n columns c0… have no declared type, so that the driver reports each
// value as SQLite stores it.
func packedDB(tb testing.TB, n int) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "packed.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	if _, err := db.Exec("CREATE TABLE t (" + strings.Join(cols, ", ") + ")"); err != nil {
		tb.Fatal(err)
	}
	return db
}

// checkPacked inserts vals as one row of t and checks that the packed row unpacks to what the driver
// reports for each column: the same type and the same value, bit for bit.
func checkPacked(tb testing.TB, db *sql.DB, vals []any) {
	tb.Helper()
	if _, err := db.Exec("DELETE FROM t"); err != nil {
		tb.Fatal(err)
	}
	exprs := make([]string, len(vals))
	for i := range exprs {
		exprs[i] = fmt.Sprintf("c%d", i)
	}
	if _, err := db.Exec("INSERT INTO t VALUES (?"+strings.Repeat(", ?", len(vals)-1)+")", vals...); err != nil {
		tb.Fatal(err)
	}
	want := make([]any, len(vals))
	ptrs := make([]any, len(vals))
	for i := range want {
		ptrs[i] = &want[i]
	}
	if err := db.QueryRow("SELECT " + strings.Join(exprs, ", ") + " FROM t").Scan(ptrs...); err != nil {
		tb.Fatal(err)
	}
	var row string
	if err := db.QueryRow("SELECT " + packExpr(exprs) + " FROM t").Scan(&row); err != nil {
		tb.Fatal(err)
	}
	cells := make([]cell, len(vals))
	if err := unpack(row, cells); err != nil {
		tb.Fatalf("unpack(%q): %v", row, err)
	}
	for i, w := range want {
		got := cells[i].value()
		same := fmt.Sprintf("%T", got) == fmt.Sprintf("%T", w)
		switch w := w.(type) {
		case float64:
			if w == 0 && math.Signbit(w) {
				w = 0 // SQLite writes -0.0 as "0.0"
			}
			same = same && math.Float64bits(got.(float64)) == math.Float64bits(w)
		case []byte:
			same = same && bytes.Equal(got.([]byte), w)
		default:
			same = same && got == w
		}
		if !same {
			tb.Errorf("column %d (inserted %#v): unpacked %#v, the driver reads %#v", i, vals[i], got, w)
		}
	}
}

// TestPackedRow checks that the lookup's packed row (packExpr, unpack) reads every kind of SQLite value
// as the driver reads the column itself.
func TestPackedRow(t *testing.T) {
	vals := []any{
		"", "plain", "t3:abc", "1,2", "NULL", "X'00'", "it's", "a\x00b", "\x00", "\xff\xfeinvalid", "é∂", "2026-11-28T13:28:59.006Z",
		strings.Repeat("long ", 2000),
		int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), int64(1795872539006),
		0.1, 1.0 / 3, 1.0, -0.5, math.Copysign(0, -1), 1e308, -1e-300, 5e-324, 2.5e-320, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64,
		[]byte{}, []byte{0}, []byte("blob"), []byte{0xff, 0x00, 0x27},
		nil, true, false,
	}
	checkPacked(t, packedDB(t, len(vals)), vals)

	// More columns than one concat() call packs.
	many := make([]any, 2*packChunk+7)
	for i := range many {
		switch i % 4 {
		case 0:
			many[i] = fmt.Sprintf("v%d", i)
		case 1:
			many[i] = int64(i)
		case 2:
			many[i] = nil
		default:
			many[i] = float64(i) + 0.25
		}
	}
	checkPacked(t, packedDB(t, len(many)), many)
}

// FuzzPackedRow checks the packed row against the driver on arbitrary text, integers, reals and blobs.
func FuzzPackedRow(f *testing.F) {
	f.Add("t1:x,", int64(7), 0.1, []byte("X'"))
	f.Add("\x00NULL", int64(-9), math.Inf(-1), []byte{})
	db := packedDB(f, 5)
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, b []byte) {
		if math.IsNaN(x) {
			x = 0 // SQLite stores NaN as NULL
		}
		checkPacked(t, db, []any{s, n, x, b, s + s})
	})
}

func TestUnpackMalformed(t *testing.T) {
	for _, row := range []string{"", "text", "text:5:abc", "text:-1:", "text:+1:a", "text:x:a", "text::", "integer:2:1x", "integer:0:",
		"real:3:1ex", "blob:2:a", "null:1:x", "null::extra", "float:1:1", "integer:20:99999999999999999999"} {
		if err := unpack(row, make([]cell, 1)); err == nil {
			t.Errorf("unpack(%q) succeeded", row)
		}
	}
	if err := unpack("null::null::", make([]cell, 1)); err == nil {
		t.Error("unpack of two values into one cell succeeded")
	}
}

// TestPackedFallback: where SQLite has no concat() (before 3.44), the lookup selects the columns one by one.
func TestPackedFallback(t *testing.T) {
	old := concatFunc
	concatFunc = "no_such_concat"
	t.Cleanup(func() { concatFunc = old })
	db, _ := testdb.SQLite(t)
	iso := testdb.ISO(time.Now())
	if _, err := db.Exec(`insert into "user" values ('u1','U','u@example.com',1,null,?,?,null,null,null,null)`, iso, iso); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`insert into "session" values ('s1',?,'tok1',?,?,null,null,'u1',null)`, iso, iso, iso); err != nil {
		t.Fatal(err)
	}
	st, err := New(db, SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Lookup(t.Context(), "tok1")
	if err != nil || res.User.Email != "u@example.com" || res.Session.ExpiresAt.Format(isoMillis) != iso {
		t.Fatalf("Lookup = %+v, %v", res, err)
	}
	if !st.noPack.Load() || st.q.pack || strings.Contains(st.q.sql, "no_such_concat") {
		t.Fatalf("still packing: %s", st.q.sql)
	}
}

// TestLookupAllocationsSQLite keeps the SQLite lookup's allocations where the packed row brought them: 39 for
// the test schema's 20 columns, against about 90 when the columns come one by one (docs/performance.md, third
// pass). Most of the rest are database/sql's, the driver's and the timeout context's.
func TestLookupAllocationsSQLite(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops values at random")
	}
	db, _ := testdb.SQLite(t)
	iso := testdb.ISO(time.Now())
	if _, err := db.Exec(`insert into "user" values ('u1','U','u@example.com',1,null,?,?,null,null,null,null)`, iso, iso); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`insert into "session" values ('s1',?,'tok1',?,?,null,null,'u1',null)`, iso, iso, iso); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	allocs := func(pack bool) float64 {
		st, err := New(db, SQLite, nil)
		if err != nil {
			t.Fatal(err)
		}
		st.noPack.Store(!pack)
		return testing.AllocsPerRun(200, func() {
			if _, err := st.Lookup(ctx, "tok1"); err != nil {
				t.Fatal(err)
			}
		})
	}
	packed, unpacked := allocs(true), allocs(false)
	t.Logf("allocations per lookup: %.0f packed, %.0f column by column", packed, unpacked)
	if packed > 44 || packed > unpacked-30 {
		t.Errorf("%.0f allocations per lookup (%.0f column by column), want at most 44", packed, unpacked)
	}
}
