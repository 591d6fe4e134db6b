package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var errNull = errors.New("NULL where a value is required")

// isoMillis is how Better Auth's JSON writes dates (JavaScript's Date.prototype.toJSON).
const isoMillis = "2006-01-02T15:04:05.000Z"

// text reads a string column. NULL is "".
func text(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int64: // serial ids
		return strconv.FormatInt(v, 10), nil
	}
	return "", fmt.Errorf("unexpected %T for a string", v)
}

// boolean reads a boolean column: a bool, or 0/1 (SQLite, MySQL). NULL is false.
func boolean(v any) (bool, error) {
	switch v := v.(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case float64:
		return v != 0, nil
	case []byte:
		return parseBool(string(v))
	case string:
		return parseBool(v)
	}
	return false, fmt.Errorf("unexpected %T for a boolean", v)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true":
		return true, nil
	case "0", "f", "false":
		return false, nil
	}
	return false, errors.New("unreadable boolean")
}

// time reads a date column as the instant it stores, in UTC, truncated to milliseconds.
func (c *column) time(v any) (time.Time, error) {
	var t time.Time
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		t = v
		if c.naive {
			t = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
		}
	case int64:
		if c.unix {
			t = epochSeconds(v, 0, 0)
		} else {
			t = epoch(v, 0, 0)
		}
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e15 {
			return time.Time{}, errors.New("unreadable date")
		}
		sec, frac := math.Modf(v)
		t = epoch(int64(sec), int64(math.Round(frac*1e9)), 9)
	case []byte:
		return parseTime(string(v), c.unix)
	case string:
		return parseTime(v, c.unix)
	default:
		return time.Time{}, fmt.Errorf("unexpected %T for a date", v)
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// isISOMillis reports whether s has the shape of isoMillis ("2006-01-02T15:04:05.000Z"); a date of that
// shape that parses is written back by Format as the same text.
func isISOMillis(s string) bool {
	if len(s) != len(isoMillis) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := isoMillis[i]; {
		case c >= '0' && c <= '9':
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		case s[i] != c:
			return false
		}
	}
	return true
}

// Layouts of date text: ISO-8601 as Kysely writes it to SQLite, and the text forms of PostgreSQL and MySQL.
// Those without a zone are UTC.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	// What modernc.org/sqlite also reads in a DATE column: minutes only, and Go's Time.String.
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999 -0700 MST",
}

// parseTime reads date text: one of the layouts, or a decimal count of seconds (milliseconds from 1e11 up,
// unless seconds is set) since 1970.
func parseTime(s string, seconds bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty date")
	}
	if intPart, fracPart, ok := decimal(s); ok {
		n, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil || len(fracPart) > 9 {
			return time.Time{}, errors.New("unreadable date")
		}
		digits := len(fracPart)
		var frac int64
		if digits > 0 {
			frac, _ = strconv.ParseInt(fracPart, 10, 64)
		}
		if strings.HasPrefix(intPart, "-") {
			frac = -frac
		}
		if seconds {
			return epochSeconds(n, frac, digits).UTC().Truncate(time.Millisecond), nil
		}
		return epoch(n, frac, digits).UTC().Truncate(time.Millisecond), nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, errors.New("unreadable date")
}

// decimal splits s if it is a decimal number: an optional "-", digits, optionally "." and digits.
func decimal(s string) (intPart, fracPart string, ok bool) {
	intPart, fracPart, dot := strings.Cut(s, ".")
	digits := strings.TrimPrefix(intPart, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" || dot && (fracPart == "" || strings.Trim(fracPart, "0123456789") != "") {
		return "", "", false
	}
	return intPart, fracPart, true
}

// epoch reads n (with a fraction frac of digits decimal digits) as seconds since 1970, or as milliseconds
// when |n| ≥ 1e11 (1e11 seconds is the year 5138; 1e11 ms is 1973).
func epoch(n, frac int64, digits int) time.Time {
	if n >= 1e11 || n <= -1e11 {
		return time.UnixMilli(n).Add(time.Duration(scale(frac, digits, 6)))
	}
	return epochSeconds(n, frac, digits)
}

func epochSeconds(n, frac int64, digits int) time.Time {
	return time.Unix(n, scale(frac, digits, 9))
}

// scale turns a fraction of digits decimal digits into units of 10^-unit.
func scale(frac int64, digits, unit int) int64 {
	for ; digits < unit; digits++ {
		frac *= 10
	}
	for ; digits > unit; digits-- {
		frac /= 10
	}
	return frac
}

// jsonValue reports an extra column as JSON types: string, float64, bool, nil, []any or map[string]any.
func (c *column) jsonValue(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.typ {
	case FieldBoolean:
		return boolean(v)
	case FieldDate:
		t, err := c.time(v)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok && isISOMillis(s) {
			return v, nil // what Format would write (Better Auth's own text on SQLite), without a copy
		}
		return t.Format(isoMillis), nil
	case FieldNumber:
		switch v := v.(type) {
		case int64:
			return float64(v), nil
		case float64:
			return v, nil
		case []byte:
			return strconv.ParseFloat(string(v), 64)
		case string:
			return strconv.ParseFloat(v, 64)
		}
	case FieldJSON:
		var b []byte
		switch v := v.(type) {
		case []byte:
			b = v
		case string:
			b = []byte(v)
		case map[string]any, []any:
			return v, nil
		}
		var j any
		if b != nil && json.Unmarshal(b, &j) == nil {
			return j, nil
		}
	case FieldString:
		if s, err := text(v); err == nil {
			return s, nil
		}
	}
	switch v := v.(type) {
	case int64:
		return float64(v), nil
	case float64, bool, string, map[string]any, []any:
		return v, nil
	case []byte:
		return string(v), nil
	case time.Time:
		t, _ := c.time(v)
		return t.Format(isoMillis), nil
	}
	return fmt.Sprint(v), nil
}
