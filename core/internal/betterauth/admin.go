package betterauth

// The admin plugin's ban columns as Better Auth reads them (better-auth src/plugins/admin/admin.ts:
// databaseHooks.session.create.before and the get-session check), and JavaScript truthiness for values read
// from a user row's plugin columns.

import (
	"math"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// Banned reports whether the admin plugin's columns ban u at now: banned, and banExpires null, not a
// date, or not yet passed.
func Banned(u *store.User, now time.Time) bool {
	banned, expired := BanState(u, now)
	return banned && !expired
}

// BanState reads banned and banExpires as the admin plugin does: `user.banned` is JavaScript-truthy, and the
// ban has expired when banExpires is set and `new Date(banExpires).getTime() < Date.now()` (a value that is
// not a date never expires).
func BanState(u *store.User, now time.Time) (banned, expired bool) {
	if !Truthy(u.Additional["banned"]) {
		return false, false
	}
	exp := u.Additional["banExpires"]
	if !Truthy(exp) {
		return true, false
	}
	var t time.Time
	switch v := exp.(type) {
	case time.Time:
		t = v
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return true, false
		}
	case float64: // milliseconds since the epoch, as new Date(number) reads it
		if math.IsInf(v, 0) || math.Abs(v) > 8.64e15 {
			return true, false
		}
		t = time.UnixMilli(int64(v))
	default:
		return true, false
	}
	return true, t.Before(now)
}

// Truthy is JavaScript's truthiness for a value read from the database: false, null, 0, NaN and "" are
// false, anything else true (so a column of an unexpected type fails closed).
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case int64:
		return x != 0
	case int:
		return x != 0
	case string:
		return x != ""
	}
	return true
}
