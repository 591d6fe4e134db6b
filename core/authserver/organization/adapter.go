package organization

// The plugin's reads and writes (better-auth src/plugins/organization/adapter.ts: getOrgAdapter) over the
// server's store.RowStore, the JSON of its rows as Better Auth's adapter returns them (the schema's fields
// in order, then id), the session's activeOrganizationId, and the body checks zod makes.

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

func eq(field string, v any) store.Where { return store.Where{Field: field, Value: v} }

// nowOf is the request's time, or the wall clock (whole milliseconds) for a server call.
func nowOf(x *authserver.Context) time.Time {
	if x != nil {
		return x.Now()
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// timeOf reads a date value of a row.
func timeOf(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

// findOne returns the first row of model that where selects, or nil.
func (pl *Plugin) findOne(ctx context.Context, model string, where ...store.Where) (store.Row, error) {
	rows, err := pl.db.FindRows(ctx, model, store.RowQuery{Where: where, Limit: 1})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

func (pl *Plugin) orgByID(ctx context.Context, id string) (store.Row, error) {
	return pl.findOne(ctx, "organization", eq("id", id))
}

func (pl *Plugin) orgBySlug(ctx context.Context, slug string) (store.Row, error) {
	return pl.findOne(ctx, "organization", eq("slug", slug))
}

// user returns the user with id, or nil.
func (pl *Plugin) user(ctx context.Context, id string) (*store.User, error) {
	u, err := pl.srv.Database().UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// memberOf is findMemberByOrgId: the member row of userID in orgID with its user, or nil (also when the
// user is gone, as Better Auth's join finds no user).
func (pl *Plugin) memberOf(ctx context.Context, orgID, userID string) (store.Row, *store.User, error) {
	m, err := pl.findOne(ctx, "member", eq("userId", userID), eq("organizationId", orgID))
	if err != nil || m == nil {
		return nil, nil, err
	}
	u, err := pl.user(ctx, userID)
	if err != nil || u == nil {
		return nil, nil, err
	}
	return m, u, nil
}

// memberByID is findMemberById: the member row with id (in any organization) and its user, or nil.
func (pl *Plugin) memberByID(ctx context.Context, id string) (store.Row, *store.User, error) {
	m, err := pl.findOne(ctx, "member", eq("id", id))
	if err != nil || m == nil {
		return nil, nil, err
	}
	u, err := pl.user(ctx, m.String("userId"))
	return m, u, err
}

// memberByEmail is findMemberByEmail: the member row in orgID of the user with email, or nil.
func (pl *Plugin) memberByEmail(ctx context.Context, orgID, email string) (store.Row, *store.User, error) {
	u, err := pl.srv.Database().UserByEmail(ctx, strings.ToLower(email))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := pl.findOne(ctx, "member", eq("organizationId", orgID), eq("userId", u.ID))
	if err != nil || m == nil {
		return nil, nil, err
	}
	return m, u, nil
}

// users returns the users with ids, by id.
func (pl *Plugin) users(ctx context.Context, ids []string) (map[string]*store.User, error) {
	out := make(map[string]*store.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if ul, ok := pl.srv.Database().(store.UserLister); ok {
		us, err := ul.ListUsers(ctx, store.UserQuery{Where: []store.Where{{Field: "id", Operator: "in", Value: ids}}})
		if err != nil {
			return nil, err
		}
		for i := range us {
			out[us[i].ID] = &us[i]
		}
		return out, nil
	}
	for _, id := range ids {
		u, err := pl.user(ctx, id)
		if err != nil {
			return nil, err
		}
		if u != nil {
			out[id] = u
		}
	}
	return out, nil
}

// withUsers pairs member rows with their users; a member whose user is gone is an error, as Better Auth
// throws "Unexpected error: User not found for member".
func (pl *Plugin) withUsers(ctx context.Context, members []store.Row) ([]json.RawMessage, error) {
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.String("userId"))
	}
	us, err := pl.users(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(members))
	for _, m := range members {
		u := us[m.String("userId")]
		if u == nil {
			return nil, errors.New("auth: organization: Unexpected error: User not found for member")
		}
		out = append(out, memberJSON(m, u))
	}
	return out, nil
}

// creatorCount counts the members of orgID holding the creator role.
func (pl *Plugin) creatorCount(ctx context.Context, orgID string) (int, error) {
	rows, err := pl.db.FindRows(ctx, "member", store.RowQuery{Where: []store.Where{eq("organizationId", orgID)}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range rows {
		if slices.Contains(betterauth.ParseRoleList(m.String("role")), pl.cfg.CreatorRole) {
			n++
		}
	}
	return n, nil
}

// deleteMember is deleteMember: the member row (and, with teams, the user's team memberships, which the
// teams extension removes through onMemberDeleted).
func (pl *Plugin) deleteMember(ctx context.Context, memberID, orgID, userID string) error {
	if _, err := pl.db.DeleteRows(ctx, "member", []store.Where{eq("id", memberID)}); err != nil {
		return err
	}
	for _, f := range pl.onMemberDeleted {
		if err := f(ctx, orgID, userID); err != nil {
			return err
		}
	}
	return nil
}

// updateInvitation sets an invitation's status (only from fromStatus when it is not empty) and returns
// the row as it is now, or nil when no row matched.
func (pl *Plugin) updateInvitation(ctx context.Context, id, status, fromStatus string) (store.Row, error) {
	where := []store.Where{eq("id", id)}
	if fromStatus != "" {
		where = append(where, eq("status", fromStatus))
	}
	n, err := pl.db.UpdateRows(ctx, "invitation", where, store.Row{"status": status})
	if err != nil || n == 0 {
		return nil, err
	}
	return pl.findOne(ctx, "invitation", eq("id", id))
}

// activeOrganization returns the session's activeOrganizationId, "" when none.
func activeOrganization(res *store.Result) string {
	s, _ := res.Session.Additional["activeOrganizationId"].(string)
	return s
}

// setActive is setActiveOrganization: it writes session.activeOrganizationId (nil clears it) and returns
// the session as it is now, like internalAdapter.updateSession.
func (pl *Plugin) setActive(x *authserver.Context, res *store.Result, orgID any) (*store.Result, error) {
	up := pl.srv.Database().(store.SessionFieldUpdater) // checked in init
	if err := up.UpdateSessionFields(x.Context(), res.Session.Token, map[string]any{"activeOrganizationId": orgID}, x.Now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	if res.Session.Additional == nil {
		res.Session.Additional = map[string]any{}
	}
	res.Session.Additional["activeOrganizationId"] = orgID
	res.Session.UpdatedAt = x.Now()
	return res, nil
}

// setActiveWithCookie is setActive followed by setSessionCookie (the cookie cache then holds the new
// active organization), as /organization/set-active does.
func (pl *Plugin) setActiveWithCookie(x *authserver.Context, res *store.Result, orgID any) error {
	if _, err := pl.setActive(x, res, orgID); err != nil {
		return err
	}
	updated, err := x.Database().Lookup(x.Context(), res.Session.Token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	x.SetSessionCookie(&store.Result{Session: updated.Session, User: res.User}, x.DontRemember())
	return nil
}

// The JSON of the plugin's rows, field by field in the schema's order, then id.

var (
	orgJSONFields    = []string{"name", "slug", "logo", "createdAt", "metadata"}
	memberJSONFields = []string{"organizationId", "userId", "role", "createdAt"}
)

// metadataMode is how an organization's metadata is answered.
type metadataMode int

const (
	metadataStored metadataMode = iota // as stored: the JSON text, or null
	metadataParsed                     // parsed when set, else left out (create, update)
)

// orgObject is an organization row as Better Auth's adapter returns it.
func orgObject(r store.Row, mode metadataMode) *betterauth.Object {
	o := &betterauth.Object{}
	for _, f := range orgJSONFields {
		v := r[f]
		if f == "metadata" && mode == metadataParsed {
			s, _ := v.(string)
			if s == "" {
				continue
			}
			if j := json.RawMessage(s); json.Valid(j) {
				if po, err := betterauth.ParseObject(j); err == nil {
					o.Set(f, po.Bytes())
					continue
				}
			}
		}
		o.SetValue(f, v)
	}
	o.SetValue("id", r["id"])
	return o
}

func orgJSON(r store.Row, mode metadataMode) json.RawMessage { return orgObject(r, mode).Bytes() }

// memberObject is a member row, with its user ({id, name, email, image}) when u is not nil.
func memberObject(r store.Row, u *store.User) *betterauth.Object {
	o := &betterauth.Object{}
	for _, f := range memberJSONFields {
		o.SetValue(f, r[f])
	}
	o.SetValue("id", r["id"])
	if u != nil {
		uo := &betterauth.Object{}
		uo.SetString("id", u.ID)
		uo.SetString("name", u.Name)
		uo.SetString("email", u.Email)
		if u.Image == "" {
			uo.SetValue("image", nil)
		} else {
			uo.SetString("image", u.Image)
		}
		o.Set("user", uo.Bytes())
	}
	return o
}

func memberJSON(r store.Row, u *store.User) json.RawMessage { return memberObject(r, u).Bytes() }

// invitationObject is an invitation row (teamId only with teams, as the schema has it then).
func (pl *Plugin) invitationObject(r store.Row) *betterauth.Object {
	o := &betterauth.Object{}
	fields := []string{"organizationId", "email", "role", "status", "expiresAt", "createdAt", "inviterId"}
	if pl.cfg.Teams.Enabled {
		fields = slices.Insert(fields, 3, "teamId")
	}
	for _, f := range fields {
		o.SetValue(f, r[f])
	}
	o.SetValue("id", r["id"])
	return o
}

func (pl *Plugin) invitationJSON(r store.Row) json.RawMessage { return pl.invitationObject(r).Bytes() }

// array joins JSON values into an array.
func array(items []json.RawMessage) json.RawMessage {
	b := []byte{'['}
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, ']')
}

// The body and query checks of the endpoints' zod schemas, with zod's messages.

// checks collects zod issues.
type checks struct {
	issues []string
	where  string // "body" or "query"
}

func (c *checks) add(path, msg string) { c.issues = append(c.issues, "["+c.where+"."+path+"] "+msg) }

// str checks a string field: required (missing is an issue), min1 (z.string().min(1)), nullable (null is
// allowed). It returns the value and whether it is a string.
func (c *checks) str(m map[string]any, path, name string, required, min1, nullable bool) (string, bool) {
	v, ok := m[name]
	switch {
	case !ok:
		if required {
			c.add(path, "Invalid input: expected string, received undefined")
		}
		return "", false
	case v == nil && nullable:
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		c.add(path, "Invalid input: expected string, received "+jsType(v))
		return "", false
	}
	if min1 && s == "" {
		c.add(path, "Too small: expected string to have >=1 characters")
	}
	return s, true
}

// boolean checks an optional boolean field.
func (c *checks) boolean(m map[string]any, name string) bool {
	v, ok := m[name]
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		c.add(name, "Invalid input: expected boolean, received "+jsType(v))
	}
	return b
}

// record checks an optional z.record(z.string(), z.any()) field.
func (c *checks) record(m map[string]any, path, name string) (map[string]any, bool) {
	v, ok := m[name]
	if !ok {
		return nil, false
	}
	r, isObj := v.(map[string]any)
	if !isObj {
		got := jsType(v)
		if v == nil {
			got = "null"
		}
		c.add(path, "Invalid input: expected record, received "+got)
	}
	return r, isObj
}

// role checks z.union([z.string(), z.array(z.string())]) and returns the roles given.
func (c *checks) role(m map[string]any, name string, required bool) (any, bool) {
	v, ok := m[name]
	if !ok {
		if required {
			c.add(name, "Invalid input")
		}
		return nil, false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case []any:
		for _, e := range t {
			if _, ok := e.(string); !ok {
				c.add(name, "Invalid input")
				return nil, false
			}
		}
		return t, true
	}
	c.add(name, "Invalid input")
	return nil, false
}

// err returns the VALIDATION_ERROR of the issues, or nil.
func (c *checks) err() error {
	if len(c.issues) == 0 {
		return nil
	}
	return &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: strings.Join(c.issues, "; ")}
}

// body returns the request body, or the VALIDATION_ERROR zod gives a missing one.
func body(x *authserver.Context) (map[string]any, error) {
	if err := x.Validate(); err != nil { // a JSON body that is not an object
		return nil, err
	}
	b := x.Body()
	if b == nil {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[body] Invalid input: expected object, received undefined"}
	}
	return b, nil
}

// storedMetadata is the metadata column for m: its JSON, with the members in the order the client sent
// them when m is still the body's metadata at path (a hook may have changed it).
func storedMetadata(x *authserver.Context, m map[string]any, path ...string) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if x == nil {
		return string(b), nil
	}
	ordered, ok := metadataJSON(x, path...)
	if !ok {
		return string(b), nil
	}
	var a, c any
	if json.Unmarshal(b, &a) != nil || json.Unmarshal([]byte(ordered), &c) != nil || !reflect.DeepEqual(a, c) {
		return string(b), nil
	}
	return ordered, nil
}

// metadataJSON is JSON.stringify of the body's metadata object at path (["metadata"] or ["data",
// "metadata"]): its members in the order the client sent them, as Better Auth stores it. ok is false
// when the raw body cannot say (encoding/json's sorted keys are used then).
func metadataJSON(x *authserver.Context, path ...string) (string, bool) {
	raw := x.RawBody()
	if raw == nil {
		return "", false
	}
	o, err := betterauth.ParseObject(raw)
	for _, k := range path {
		if err != nil {
			return "", false
		}
		v, ok := o.Get(k)
		if !ok || len(v) == 0 || v[0] != '{' {
			return "", false
		}
		o, err = betterauth.ParseObject(v)
	}
	if err != nil {
		return "", false
	}
	return string(o.Bytes()), true
}

// roleList is parseRoleList of a role body value (a string or an array of strings).
func roleList(v any) []string {
	switch t := v.(type) {
	case string:
		return betterauth.ParseRoleList(t)
	case []any:
		var out []string
		for _, e := range t {
			s, _ := e.(string)
			out = append(out, betterauth.ParseRoleList(s)...)
		}
		return out
	}
	return nil
}

// jsType names v's type as zod does.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}
