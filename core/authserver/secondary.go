package authserver

// The secondary-storage layer (better-auth src/db/internal-adapter.ts: createSession, findSession,
// updateSession, deleteSession, deleteUserSessions, listSessions, deleteUser, updateUser's
// refreshUserSessions, and the verification values): with Config.SecondaryStorage, the server's Database
// is this wrapper, so every path that reads or writes sessions (the endpoints, the Context helpers, the
// plugins, the verifier) goes through it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Bounds on what is read back from secondary storage, before parsing.
const (
	maxStoredSession = 1 << 20 // one {"session","user"} value
	maxStoredList    = 4 << 20 // one active-sessions list
)

// kvPrefixVerification is the ID the layer gives a verification value read from secondary storage:
// DeleteVerification with it consumes the key (GETDEL) instead of deleting a row.
const kvPrefixVerification = "\x00kv:"

// kvDatabase is a Database whose sessions and verification values live in secondary storage as Better
// Auth keeps them; everything else goes to the wrapped Database.
type kvDatabase struct {
	store.Database
	kv         store.SecondaryStorage
	inDB       bool          // session.storeSessionInDatabase
	preserve   bool          // session.preserveSessionInDatabase
	revokedTTL time.Duration // the TTL of revoked-sessions-before-<userId>
	now        func() time.Time
	log        *slog.Logger
}

var (
	_ store.Database            = (*kvDatabase)(nil)
	_ store.SessionFieldUpdater = (*kvDatabase)(nil)
	_ store.Wrapper             = (*kvDatabase)(nil)
)

// Unwrap returns the wrapped Database.
func (d *kvDatabase) Unwrap() store.Database { return d.Database }

// fallback is Better Auth's databaseSessionFallbackEnabled: the database answers what secondary storage
// does not have.
func (d *kvDatabase) fallback() bool { return d.inDB && !d.preserve }

// sessionRef is one entry of active-sessions-<userId>.
type sessionRef struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expiresAt"` // ms since 1970
}

func activeKey(userID string) string  { return "active-sessions-" + userID }
func revokedKey(userID string) string { return "revoked-sessions-before-" + userID }

// ttlSeconds is Better Auth's getTTLSeconds: whole seconds from now until t, at least 0.
func ttlSeconds(t, now time.Time) time.Duration {
	ms := t.UnixMilli() - now.UnixMilli()
	return time.Duration(max(int64(math.Floor(float64(ms)/1000)), 0)) * time.Second
}

// refs reads active-sessions-<userId> ([] when missing or not a list).
func (d *kvDatabase) refs(ctx context.Context, userID string) ([]sessionRef, error) {
	raw, ok, err := d.kv.Get(ctx, activeKey(userID))
	if err != nil || !ok || len(raw) > maxStoredList {
		return nil, err
	}
	var list []sessionRef
	if json.Unmarshal([]byte(raw), &list) != nil {
		return nil, nil
	}
	return list, nil
}

// setRefs is setActiveSessionReferences: the list sorted by expiry, with the TTL of the furthest; an
// empty or expired list is deleted.
func (d *kvDatabase) setRefs(ctx context.Context, userID string, list []sessionRef, now time.Time) error {
	slices.SortStableFunc(list, func(a, b sessionRef) int { return cmpInt(a.ExpiresAt, b.ExpiresAt) })
	var ttl time.Duration
	if len(list) > 0 {
		ttl = ttlSeconds(time.UnixMilli(list[len(list)-1].ExpiresAt), now)
	}
	if ttl > 0 {
		b, _ := json.Marshal(list)
		return d.kv.Set(ctx, activeKey(userID), string(b), ttl)
	}
	return d.kv.Delete(ctx, activeKey(userID))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sessionValue is the JSON Better Auth stores under a session token.
func sessionValue(s store.Session, u store.User) string {
	return string(sessionOut(&store.Result{Session: s, User: u}))
}

// parseStored reads a {"session","user"} value; ok is false for anything else.
func parseStored(raw string) (*store.Result, bool) {
	if len(raw) > maxStoredSession {
		return nil, false
	}
	var v struct {
		Session map[string]any `json:"session"`
		User    map[string]any `json:"user"`
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil || v.Session == nil || v.User == nil {
		return nil, false
	}
	numbers(v.Session)
	numbers(v.User)
	s, ok := betterauth.SessionFromMap(v.Session)
	if !ok {
		return nil, false
	}
	u, ok := betterauth.UserFromMap(v.User)
	if !ok {
		return nil, false
	}
	return &store.Result{Session: s, User: u}, true
}

// numbers turns json.Numbers back into float64, as the stores hold JSON numbers.
func numbers(m map[string]any) {
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			m[k] = f
		}
	}
}

// revoked is isRevokedSession: the session was created before its user's revoked-sessions-before mark.
// Number(null) is 0 and NaN compares false: neither revokes.
func (d *kvDatabase) revoked(ctx context.Context, s store.Session, marks map[string]float64) (bool, error) {
	mark, seen := marks[s.UserID]
	if !seen {
		var err error
		if mark, err = d.revokedMark(ctx, s.UserID); err != nil {
			return false, err
		}
		if marks != nil {
			marks[s.UserID] = mark
		}
	}
	return float64(s.CreatedAt.UnixMilli()) < mark, nil
}

// revokedMark reads revoked-sessions-before-<userId> as Number() does (0 when missing or not a number).
func (d *kvDatabase) revokedMark(ctx context.Context, userID string) (float64, error) {
	raw, ok, err := d.kv.Get(ctx, revokedKey(userID))
	if err != nil || !ok {
		return 0, err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(f) {
		return 0, nil
	}
	return f, nil
}

// CreateSession is createSession: the row when StoreSessionInDatabase, then the token's value (with the
// user as the database has it) and the user's active-sessions list.
//
// A session created in the same request that revoked every session of its user (proving an email ends the
// old ones, then signs in) was stamped with the request's start, before the revoked-sessions-before mark
// written meanwhile; its createdAt (and updatedAt) move up to the mark so that it is not born revoked.
func (d *kvDatabase) CreateSession(ctx context.Context, s *store.Session) error {
	mark, err := d.revokedMark(ctx, s.UserID)
	if err != nil {
		return err
	}
	if float64(s.CreatedAt.UnixMilli()) < mark && mark < float64(s.ExpiresAt.UnixMilli()) {
		s.CreatedAt = time.UnixMilli(int64(math.Ceil(mark))).UTC()
		if s.UpdatedAt.Before(s.CreatedAt) {
			s.UpdatedAt = s.CreatedAt
		}
	}
	if d.inDB {
		if err := d.Database.CreateSession(ctx, s); err != nil {
			return err
		}
	}
	now := d.now()
	list, err := d.refs(ctx, s.UserID)
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(r sessionRef) bool { return r.ExpiresAt <= now.UnixMilli() || r.Token == s.Token })
	if err := d.setRefs(ctx, s.UserID, append(list, sessionRef{s.Token, s.ExpiresAt.UnixMilli()}), now); err != nil {
		return err
	}
	u, err := d.Database.UserByID(ctx, s.UserID)
	if err != nil {
		return err
	}
	if ttl := ttlSeconds(s.ExpiresAt, now); ttl > 0 {
		return d.kv.Set(ctx, s.Token, sessionValue(*s, *u), ttl)
	}
	return nil
}

// Lookup is findSession: secondary storage first (a session created before its user's
// revoked-sessions-before mark is gone), then the database only when StoreSessionInDatabase without
// PreserveSessionInDatabase.
func (d *kvDatabase) Lookup(ctx context.Context, token string) (*store.Result, error) {
	raw, ok, err := d.kv.Get(ctx, token)
	if err != nil {
		return nil, err
	}
	if !ok {
		if !d.fallback() {
			return nil, store.ErrNotFound
		}
		return d.Database.Lookup(ctx, token)
	}
	res, ok := parseStored(raw)
	if !ok || res.Session.Token != token {
		return nil, store.ErrNotFound
	}
	if gone, err := d.revoked(ctx, res.Session, nil); err != nil {
		return nil, err
	} else if gone {
		return nil, store.ErrNotFound
	}
	return res, nil
}

// merge is updateSession's secondary-storage half: edit changes the stored session, which is written back
// with its user and the remaining TTL, and moved in the active-sessions list. It reports whether the
// token had a value.
func (d *kvDatabase) merge(ctx context.Context, token string, edit func(*store.Session)) (bool, error) {
	raw, ok, err := d.kv.Get(ctx, token)
	if err != nil || !ok {
		return false, err
	}
	res, ok := parseStored(raw)
	if !ok {
		return false, nil
	}
	edit(&res.Session)
	now := d.now()
	if ttl := ttlSeconds(res.Session.ExpiresAt, now); ttl > 0 {
		if err := d.kv.Set(ctx, token, sessionValue(res.Session, res.User), ttl); err != nil {
			return true, err
		}
		list, err := d.refs(ctx, res.Session.UserID)
		if err != nil {
			return true, err
		}
		list = slices.DeleteFunc(list, func(r sessionRef) bool { return r.Token == token || r.ExpiresAt <= now.UnixMilli() })
		if err := d.setRefs(ctx, res.Session.UserID, append(list, sessionRef{token, res.Session.ExpiresAt.UnixMilli()}), now); err != nil {
			return true, err
		}
	}
	return true, nil
}

// UpdateSession is updateSession with expiresAt and updatedAt (the sliding refresh).
func (d *kvDatabase) UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) error {
	found, err := d.merge(ctx, token, func(s *store.Session) { s.ExpiresAt, s.UpdatedAt = expiresAt, updatedAt })
	if err != nil {
		return err
	}
	if d.inDB {
		return d.Database.UpdateSession(ctx, token, expiresAt, updatedAt)
	}
	if !found {
		return store.ErrNotFound
	}
	return nil
}

// UpdateSessionFields is updateSession with additional fields (POST /update-session).
func (d *kvDatabase) UpdateSessionFields(ctx context.Context, token string, fields map[string]any, now time.Time) error {
	found, err := d.merge(ctx, token, func(s *store.Session) {
		if s.Additional == nil {
			s.Additional = map[string]any{}
		}
		for k, v := range fields {
			if t, ok := v.(time.Time); ok {
				v = isoTime(t)
			}
			s.Additional[k] = v
		}
		s.UpdatedAt = now
	})
	if err != nil {
		return err
	}
	if d.inDB {
		up, ok := d.Database.(store.SessionFieldUpdater)
		if !ok {
			return errors.New("auth: /update-session: the Database cannot update session fields (store.SessionFieldUpdater)")
		}
		return up.UpdateSessionFields(ctx, token, fields, now)
	}
	if !found {
		return store.ErrNotFound
	}
	return nil
}

// DeleteSession is deleteSession: the token's value and its list entry; then the row, or with
// PreserveSessionInDatabase the row's expiresAt set to now (a live row only).
func (d *kvDatabase) DeleteSession(ctx context.Context, token string) error {
	raw, ok, err := d.kv.Get(ctx, token)
	if err != nil {
		return err
	}
	if ok {
		res, parsed := parseStored(raw)
		if !parsed {
			d.log.Error("auth: session not found in secondary storage")
			return nil
		}
		now := d.now()
		list, err := d.refs(ctx, res.Session.UserID)
		if err != nil {
			return err
		}
		list = slices.DeleteFunc(list, func(r sessionRef) bool { return r.Token == token || r.ExpiresAt <= now.UnixMilli() })
		if err := d.setRefs(ctx, res.Session.UserID, list, now); err != nil {
			return err
		}
	}
	if err := d.kv.Delete(ctx, token); err != nil {
		return err
	}
	if !d.inDB {
		return nil
	}
	if d.preserve {
		return d.endPreserved(ctx, token)
	}
	return d.Database.DeleteSession(ctx, token)
}

// endPreserved ends a preserved row: a live one gets expiresAt = now, its updatedAt unchanged.
func (d *kvDatabase) endPreserved(ctx context.Context, token string) error {
	res, err := d.Database.Lookup(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := d.now()
	if !res.Session.ExpiresAt.After(now) {
		return nil
	}
	err = d.Database.UpdateSession(ctx, token, now, res.Session.UpdatedAt)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// DeleteSessions is deleteUserSessions: every session of the user ends, in secondary storage through the
// revoked-sessions-before-<userId> mark (so a session another server is creating at that moment ends too)
// and by deleting the tokens of the active-sessions list.
func (d *kvDatabase) DeleteSessions(ctx context.Context, userID string) error {
	refs, err := d.refs(ctx, userID)
	if err != nil {
		return err
	}
	if d.inDB {
		if d.preserve {
			rows, err := d.Database.Sessions(ctx, userID)
			if err != nil {
				return err
			}
			for _, s := range rows {
				if err := d.endPreserved(ctx, s.Token); err != nil {
					return err
				}
			}
		} else if err := d.Database.DeleteSessions(ctx, userID); err != nil {
			return err
		}
		more, err := d.refs(ctx, userID)
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	return d.deleteCached(ctx, userID, refs)
}

// deleteCached is deleteCachedUserSessions.
func (d *kvDatabase) deleteCached(ctx context.Context, userID string, refs []sessionRef) error {
	now := d.now()
	revokedAt := float64(now.UnixMilli())
	prev, err := d.revokedMark(ctx, userID)
	if err != nil {
		return err
	}
	revokedAt = max(revokedAt, prev)
	if err := d.kv.Set(ctx, revokedKey(userID), strconv.FormatFloat(revokedAt, 'f', -1, 64), d.revokedTTL); err != nil {
		return err
	}
	gone := map[string]bool{}
	for _, r := range refs {
		if gone[r.Token] {
			continue
		}
		gone[r.Token] = true
		if err := d.kv.Delete(ctx, r.Token); err != nil {
			return err
		}
	}
	cur, err := d.refs(ctx, userID)
	if err != nil {
		return err
	}
	now = d.now()
	cur = slices.DeleteFunc(cur, func(r sessionRef) bool { return gone[r.Token] || r.ExpiresAt <= now.UnixMilli() })
	return d.setRefs(ctx, userID, cur, now)
}

// Sessions is listSessions: from the database when StoreSessionInDatabase without
// PreserveSessionInDatabase, else the live, unrevoked sessions of the active-sessions list.
func (d *kvDatabase) Sessions(ctx context.Context, userID string) ([]store.Session, error) {
	if d.fallback() {
		return d.Database.Sessions(ctx, userID)
	}
	list, err := d.refs(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := d.now().UnixMilli()
	seen, marks := map[string]bool{}, map[string]float64{}
	var out []store.Session
	for _, r := range list {
		if r.ExpiresAt <= now || seen[r.Token] {
			continue
		}
		seen[r.Token] = true
		raw, ok, err := d.kv.Get(ctx, r.Token)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		res, ok := parseStored(raw)
		if !ok {
			continue
		}
		if gone, err := d.revoked(ctx, res.Session, marks); err != nil {
			return nil, err
		} else if gone {
			continue
		}
		out = append(out, res.Session)
	}
	return out, nil
}

// DeleteUser is deleteUser: the user, its accounts (and its session rows), then its sessions in secondary
// storage. The wrapped Database deletes session rows too; its session table must exist (Migrate creates
// it) even when sessions are not stored in the database.
func (d *kvDatabase) DeleteUser(ctx context.Context, id string) error {
	refs, err := d.refs(ctx, id)
	if err != nil {
		return err
	}
	if err := d.Database.DeleteUser(ctx, id); err != nil {
		return err
	}
	return d.deleteCached(ctx, id, refs)
}

// UpdateUser updates the user, then rewrites the user of each of its live sessions in secondary storage
// (refreshUserSessions). Better Auth logs a failure of that second step; so does this.
func (d *kvDatabase) UpdateUser(ctx context.Context, id string, fields map[string]any, now time.Time) (*store.User, error) {
	u, err := d.Database.UpdateUser(ctx, id, fields, now)
	if err != nil {
		return u, err
	}
	if err := d.refreshUser(ctx, *u); err != nil {
		d.log.Error("auth: failed to refresh committed user sessions in secondary storage", "user", id, "err", err)
	}
	return u, nil
}

func (d *kvDatabase) refreshUser(ctx context.Context, u store.User) error {
	list, err := d.refs(ctx, u.ID)
	if err != nil {
		return err
	}
	now := d.now()
	user := betterauth.UserJSON(u)
	for _, r := range list {
		if r.ExpiresAt <= now.UnixMilli() {
			continue
		}
		raw, ok, err := d.kv.Get(ctx, r.Token)
		if err != nil {
			return err
		}
		if !ok || len(raw) > maxStoredSession {
			continue
		}
		var v struct {
			Session json.RawMessage `json:"session"`
		}
		if json.Unmarshal([]byte(raw), &v) != nil || len(v.Session) == 0 {
			continue
		}
		var exp struct {
			ExpiresAt any `json:"expiresAt"`
		}
		_ = json.Unmarshal(v.Session, &exp)
		t, ok := jsDate(exp.ExpiresAt)
		if !ok {
			continue
		}
		var b bytes.Buffer
		b.WriteString(`{"session":`)
		b.Write(v.Session)
		b.WriteString(`,"user":`)
		b.Write(user)
		b.WriteByte('}')
		// Better Auth sets it with the TTL floored to seconds, even 0 (no expiry): only a positive one here.
		if ttl := ttlSeconds(t, now); ttl > 0 {
			if err := d.kv.Set(ctx, r.Token, b.String(), ttl); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsDate reads a date as new Date(v) does for an ISO string or a number of milliseconds.
func jsDate(v any) (time.Time, bool) {
	switch v := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		return t, err == nil
	case float64:
		return time.UnixMilli(int64(v)), true
	}
	return time.Time{}, false
}

// verificationKey is the key of a verification value: verification:<identifier> (identifiers stored
// plain, Better Auth's default storeIdentifier).
func verificationKey(identifier string) string { return "verification:" + identifier }

// CreateVerification is createVerificationValue: the value goes to verification:<identifier> with the TTL
// until its expiresAt (not stored at all when already expired), and not to the database, as Better Auth
// does without verification.storeInDatabase.
func (d *kvDatabase) CreateVerification(ctx context.Context, v *store.Verification) error {
	ttl := ttlSeconds(v.ExpiresAt, d.now())
	if ttl <= 0 {
		return nil
	}
	b := []byte(`{"createdAt":"` + isoTime(v.CreatedAt) + `","updatedAt":"` + isoTime(v.UpdatedAt) + `","identifier":`)
	b = betterauth.AppendJSString(b, v.Identifier)
	b = append(b, `,"value":`...)
	b = betterauth.AppendJSString(b, v.Value)
	b = append(b, `,"expiresAt":"`+isoTime(v.ExpiresAt)+`","id":`...)
	b = betterauth.AppendJSString(b, v.ID)
	return d.kv.Set(ctx, verificationKey(v.Identifier), string(append(b, '}')), ttl)
}

// Verification is findVerificationValue: the value under verification:<identifier>. Its ID is one
// [kvDatabase.DeleteVerification] consumes atomically.
func (d *kvDatabase) Verification(ctx context.Context, identifier string) (*store.Verification, error) {
	raw, ok, err := d.kv.Get(ctx, verificationKey(identifier))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	v, ok := parseVerification(raw)
	if !ok {
		return nil, store.ErrNotFound
	}
	v.ID = kvPrefixVerification + identifier
	return v, nil
}

func parseVerification(raw string) (*store.Verification, bool) {
	if len(raw) > maxStoredSession {
		return nil, false
	}
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil {
		return nil, false
	}
	v := &store.Verification{}
	v.Identifier, _ = m["identifier"].(string)
	v.Value, _ = m["value"].(string)
	var ok bool
	if v.ExpiresAt, ok = jsDate(m["expiresAt"]); !ok {
		return nil, false
	}
	v.CreatedAt, _ = jsDate(m["createdAt"])
	v.UpdatedAt, _ = jsDate(m["updatedAt"])
	return v, true
}

// DeleteVerification consumes a value [kvDatabase.Verification] returned (GETDEL: of two requests racing
// for one value, the second gets [store.ErrNotFound]); other IDs are rows of the database.
func (d *kvDatabase) DeleteVerification(ctx context.Context, id string) error {
	identifier, ok := strings.CutPrefix(id, kvPrefixVerification)
	if !ok {
		return d.Database.DeleteVerification(ctx, id)
	}
	_, found, err := d.kv.GetAndDelete(ctx, verificationKey(identifier))
	if err != nil {
		return err
	}
	if !found {
		return store.ErrNotFound
	}
	return nil
}
