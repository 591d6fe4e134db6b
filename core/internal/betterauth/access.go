package betterauth

// Better Auth's access control (better-auth src/plugins/access/access.ts: role().authorize), the role lists
// of the organization and admin plugins (src/plugins/organization/roles.ts: parseRoleList; src/plugins/admin/
// has-permission.ts) and the JSON reading of stored permissions (@better-auth/core src/utils/json.ts:
// safeJSONParse, which turns ISO-8601 strings into Dates).

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// ErrAccessThrows means Better Auth's authorize would throw a TypeError for this input (a resource whose
// stored value is a number, an object or a date, or a resource named like a member of Object.prototype):
// Node answers such a check with an error, never with success. Callers refuse.
var ErrAccessThrows = errors.New("betterauth: access control check throws in Better Auth")

// actionsKind is how authorize reads one resource's stored value.
type actionsKind uint8

const (
	actionsNone   actionsKind = iota // missing or falsy (null, false, 0, ""): an unknown resource
	actionsList                      // an array: Array.prototype.includes, strict equality
	actionsString                    // a non-empty string: String.prototype.includes, a substring test
	actionsThrows                    // anything else: .includes is not a function
)

type actions struct {
	kind actionsKind
	list []string // actionsList: the string elements; elements that are not strings never match
	s    string   // actionsString
}

// Role is one role of Better Auth's access control: the actions it may take on each resource, as
// ac.newRole(statements) holds them. The zero Role allows nothing.
type Role struct {
	m map[string]actions
}

// NewRole returns the role ac.newRole(statements) makes.
func NewRole(statements map[string][]string) Role {
	r := Role{m: make(map[string]actions, len(statements))}
	for res, acts := range statements {
		r.m[res] = actions{kind: actionsList, list: append([]string(nil), acts...)}
	}
	return r
}

// Statements returns the role's statements as lists of actions (resources whose stored value is not a
// list of strings are left out).
func (r Role) Statements() map[string][]string {
	out := make(map[string][]string, len(r.m))
	for res, a := range r.m {
		if a.kind == actionsList {
			out[res] = append([]string(nil), a.list...)
		}
	}
	return out
}

// objectPrototype lists the names an object literal inherits from Object.prototype: looking one of them up
// on statements that do not have it finds a function (or Object.prototype itself), whose .includes is not
// a function.
var objectPrototype = map[string]bool{
	"constructor": true, "__defineGetter__": true, "__defineSetter__": true, "hasOwnProperty": true,
	"__lookupGetter__": true, "__lookupSetter__": true, "isPrototypeOf": true, "propertyIsEnumerable": true,
	"toString": true, "valueOf": true, "__proto__": true, "toLocaleString": true,
}

// Authorize answers role(statements).authorize(request) with the default "AND" connector: every requested
// resource must be known and allow every requested action (an empty action list is never allowed), and at
// least one resource must be requested. It returns [ErrAccessThrows] where Better Auth would throw. A Go
// map has no order, so where Better Auth's answer depends on the order of the request's resources (one
// would throw, an earlier one is refused), Authorize throws: both are refusals.
func (r Role) Authorize(request map[string][]string) (bool, error) {
	if len(request) == 0 {
		return false, nil
	}
	for res, want := range request {
		have, ok := r.m[res]
		if (!ok && objectPrototype[res] || have.kind == actionsThrows) && len(want) > 0 {
			return false, ErrAccessThrows
		}
	}
	for res, want := range request {
		have := r.m[res]
		if have.kind == actionsNone || len(want) == 0 {
			return false, nil
		}
		for _, w := range want {
			if !have.allows(w) {
				return false, nil
			}
		}
	}
	return true, nil
}

func (a actions) allows(action string) bool {
	if a.kind == actionsString {
		return strings.Contains(a.s, action)
	}
	for _, h := range a.list {
		if h == action {
			return true
		}
	}
	return false
}

// ParseKeyPermissions reads the api-key plugin's permissions column as its verify route does:
// safeJSONParse(permissions), then role(parsed). ok is false when that yields nothing Better Auth would use
// (not JSON, or null, false, 0 or ""): the plugin then answers KEY_NOT_FOUND. A JSON value that is not an
// object allows nothing.
func ParseKeyPermissions(raw string) (r Role, ok bool) {
	b := bytes.TrimSpace([]byte(raw))
	if len(b) == 0 || !json.Valid(b) {
		return Role{}, false
	}
	if !truthyJSON(b) {
		return Role{}, false
	}
	if b[0] != '{' {
		return Role{}, true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return Role{}, false
	}
	r.m = make(map[string]actions, len(m))
	for res, v := range m {
		r.m[res] = readActions(v)
	}
	return r, true
}

// readActions reads one resource's value after safeJSONParse.
func readActions(v json.RawMessage) actions {
	if !truthyJSON(v) {
		return actions{}
	}
	switch v[0] {
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) != nil {
			return actions{kind: actionsThrows}
		}
		a := actions{kind: actionsList}
		for _, e := range elems {
			var s string
			if len(e) > 0 && e[0] == '"' && json.Unmarshal(e, &s) == nil && !IsJSDate(s) {
				a.list = append(a.list, s)
			}
		}
		return a
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil || IsJSDate(s) {
			return actions{kind: actionsThrows} // a Date has no .includes
		}
		return actions{kind: actionsString, s: s}
	}
	return actions{kind: actionsThrows}
}

// truthyJSON is JavaScript truthiness of a JSON value.
func truthyJSON(v []byte) bool {
	switch v[0] {
	case 'n', 'f':
		return false
	case '"':
		return len(v) > 2
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		f, err := strconv.ParseFloat(string(v), 64)
		return err != nil || f != 0 // out of range is ±Infinity: truthy
	}
	return true
}

// IsJSDate reports whether safeJSONParse turns the string s into a Date: it matches
// /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/ and V8 parses it to a valid time (month 1-12, day
// 1-31 whatever the month, hour 0-23 or 24:00:00 exactly, minute and second 0-59).
func IsJSDate(s string) bool {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return false
	}
	digits := func(t string) (int, bool) {
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			n = n*10 + int(t[i]-'0')
		}
		return n, true
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	_, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return false
	}
	rest := s[19 : len(s)-1]
	frac := 0
	if rest != "" {
		if rest[0] != '.' || len(rest) < 2 {
			return false
		}
		f, ok := digits(rest[1:])
		if !ok {
			return false
		}
		frac = f
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || mi > 59 || sec > 59 || h > 24 {
		return false
	}
	return h < 24 || mi == 0 && sec == 0 && frac == 0
}

// ParseRoleList splits a role value as the organization plugin does (parseRoleList): on commas, each name
// trimmed, empty ones dropped. "admin, owner" is ["admin", "owner"].
func ParseRoleList(roles string) []string {
	var out []string
	for r := range strings.SplitSeq(roles, ",") {
		if r = strings.TrimFunc(r, isJSSpace); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// isJSSpace reports whether String.prototype.trim removes r: ECMAScript's WhiteSpace and LineTerminator.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// AdminRoleList splits a user's role as the admin plugin's hasPermission does: (role || defaultRole ||
// "user").split(","), with no trimming, so "admin, user" holds "admin" and " user".
func AdminRoleList(role, defaultRole string) []string {
	if role == "" {
		role = defaultRole
	}
	if role == "" {
		role = "user"
	}
	return strings.Split(role, ",")
}
