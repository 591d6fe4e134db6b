package sqlstore

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// On SQLite the lookup selects its row as one text value, each column's value packed after the other
// (see packExpr), and unpack splits it again. modernc.org/sqlite allocates, for every column of every row,
// its name, its declared type, a copy of a text value and the interface holding it: about 45 allocations
// for the 20 columns of Better Auth's session and user, each lookup. One packed column costs four, and the
// record's strings share the packed copy.
//
// Each column's value x is packed by one concat() call as
//
//	typeof(x) ':' octet_length(x) ':' x
//
// that is "text:5:hello", "integer:2:42", "real:3:0.5", "blob:3:<the 3 bytes>", "null::" (concat skips
// NULLs): the type, then the length in bytes of the value as text, then that text. SQLite writes an
// integer in decimal and a real with the digits that read it back exactly ("Inf" and "-Inf" for the
// infinities), and copies text and blobs byte for byte, NUL included. The values come back with the types
// and bytes the driver reports for the columns one by one (string, int64, float64, []byte, nil), but for
// a REAL -0.0, which SQLite writes as "0.0" and comes back as 0 (JavaScript's JSON.stringify writes -0 as
// 0 too).

// packChunk is how many columns one concat() call packs, five arguments each; more go to further calls
// (SQLite limits the arguments of a function, to 127 by default in versions before 3.48).
const packChunk = 25

// concatFunc is the function packExpr calls; a test names a missing one to check the fallback.
var concatFunc = "concat"

// packExpr is the expression selecting the columns exprs (already qualified and quoted) as one text,
// named p.
func packExpr(exprs []string) string {
	var b strings.Builder
	for i, e := range exprs {
		switch {
		case i == 0:
			b.WriteString(concatFunc + "(")
		case i%packChunk == 0:
			b.WriteString(") || " + concatFunc + "(")
		default:
			b.WriteString(", ")
		}
		b.WriteString("typeof(" + e + "), ':', octet_length(" + e + "), ':', " + e)
	}
	// Named, or SQLite would name the column by this whole text, which the driver copies for every row.
	b.WriteString(") AS p")
	return b.String()
}

// cell is one value unpacked from a packed row.
type cell struct {
	kind byte    // 0 NULL, 't' text, 'i' integer, 'r' real, 'b' blob
	s    string  // text
	n    int64   // integer
	f    float64 // real
	b    []byte  // blob
}

// value returns c as database/sql's driver would: nil, string, int64, float64 or []byte.
func (c *cell) value() any {
	switch c.kind {
	case 't':
		return c.s
	case 'i':
		return c.n
	case 'r':
		return c.f
	case 'b':
		return c.b
	}
	return nil
}

var errPacked = errors.New("sqlstore: unreadable packed row")

// unpack splits a packed row into cells, which must be as many as the columns packed.
func unpack(row string, cells []cell) error {
	for i := range cells {
		c := &cells[i]
		*c = cell{}
		typ, rest, ok := strings.Cut(row, ":")
		if !ok {
			return errPacked
		}
		n, rest, ok := strings.Cut(rest, ":")
		if !ok {
			return errPacked
		}
		if typ == "null" {
			if n != "" {
				return errPacked
			}
			row = rest
			continue
		}
		size, err := strconv.Atoi(n)
		if err != nil || size < 0 || size > len(rest) || n[0] == '+' {
			return errPacked
		}
		v := rest[:size]
		row = rest[size:]
		switch typ {
		case "text":
			c.kind, c.s = 't', v
		case "integer":
			if c.n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return errPacked
			}
			c.kind = 'i'
		case "real":
			if c.f, err = strconv.ParseFloat(v, 64); err != nil {
				return errPacked
			}
			c.kind = 'r'
		case "blob":
			c.kind, c.b = 'b', []byte(v)
		default:
			return errPacked
		}
	}
	if row != "" {
		return errPacked
	}
	return nil
}

// resultCells reads a row of cells.
func (q *query) resultCells(cells []cell) (*store.Result, error) {
	res := &store.Result{}
	for i := range q.cols {
		c := &q.cols[i]
		if err := c.readCell(res, &cells[i]); err != nil {
			return nil, columnError(c, err)
		}
	}
	return res, nil
}

// readCell is read for a cell: text and NULL go to the record's strings and dates without being boxed,
// anything else through read.
func (c *column) readCell(res *store.Result, v *cell) error {
	if v.kind != 't' && v.kind != 0 || c.field == "" {
		return c.read(res, v.value())
	}
	if p := c.text(res); p != nil {
		*p = v.s
		return nil
	}
	if p := c.date(res); p != nil {
		switch {
		case v.kind == 't':
			t, err := parseTime(v.s, c.unix)
			*p = t
			return err
		case c.field == "expiresAt":
			return errNull
		}
		*p = time.Time{}
		return nil
	}
	return c.read(res, v.value())
}

// text returns the record's string that c fills, or nil when c fills none.
func (c *column) text(res *store.Result) *string {
	s, u := &res.Session, &res.User
	if c.user {
		switch c.field {
		case "id":
			return &u.ID
		case "email":
			return &u.Email
		case "name":
			return &u.Name
		case "image":
			return &u.Image
		case "role":
			return &u.Role
		}
		return nil
	}
	switch c.field {
	case "id":
		return &s.ID
	case "token":
		return &s.Token
	case "userId":
		return &s.UserID
	case "ipAddress":
		return &s.IPAddress
	case "userAgent":
		return &s.UserAgent
	}
	return nil
}

// date returns the record's date that c fills, or nil when c fills none.
func (c *column) date(res *store.Result) *time.Time {
	if c.user {
		return nil
	}
	switch c.field {
	case "expiresAt":
		return &res.Session.ExpiresAt
	case "createdAt":
		return &res.Session.CreatedAt
	case "updatedAt":
		return &res.Session.UpdatedAt
	}
	return nil
}
