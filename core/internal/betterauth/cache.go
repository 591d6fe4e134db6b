package betterauth

// Mirrors better-auth src/cookies/index.ts (decodeCookieCache, the compact branch) and src/cookies/cache.ts
// (parseCookieCachePayload, parseCompactCookieCache).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// ErrCache means a cookie cache value is not valid: malformed, badly signed or undecryptable. Callers fall
// back to the store; it is never a reason to refuse the request by itself.
var ErrCache = errors.New("betterauth: invalid cookie cache")

// Payload is the cookie cache payload: {"session":{…},"user":{…},"updatedAt":ms,"version":"1"}. Its
// session and user are a store.Result, so a caller can answer with &p.Result without copying them.
type Payload struct {
	store.Result
	UpdatedAt int64
	// Version is the payload's version, "1" when absent (Better Auth's default).
	Version string
}

var rawURL = base64.RawURLEncoding.Strict()

// DecodeCompact checks a "compact" cookie cache value: base64url (no padding) of
// {"session":<payload>,"expiresAt":<ms>,"signature":"<sig>"}, where sig = base64url(HMAC-SHA256(secret,
// JSON of payload with "expiresAt" appended)). The signed bytes are the raw payload text with
// ,"expiresAt":<ms> spliced before its closing brace — what JavaScript's JSON.stringify({...session,
// expiresAt}) produces — so nothing is re-marshalled and the bytes checked are the bytes parsed.
// It returns the payload and the outer expiry.
func (s *Signer) DecodeCompact(value string) (*Payload, time.Time, error) {
	// The decoded bytes are only read: the payload's strings are copied out of them (ParsePayload).
	bp := compactBufs.Get().(*[]byte)
	defer compactBufs.Put(bp)
	if n := rawURL.DecodedLen(len(value)); cap(*bp) < n {
		*bp = make([]byte, n)
	}
	outer := (*bp)[:rawURL.DecodedLen(len(value))]
	n, err := rawURL.Decode(outer, []byte(value))
	if err != nil {
		return nil, time.Time{}, ErrCache
	}
	outer = outer[:n]
	if p, t, ok := s.decodeCompactShape(outer); ok {
		return p, t, nil
	}
	return s.decodeCompactWalk(outer)
}

// decodeCompactShape reads the outer object in the one shape Better Auth writes it,
// {"session":<object>,"expiresAt":<integer>,"signature":"<base64url>"} with no whitespace, without walking
// it: the session object is the bytes between the two, and ParsePayload's walk is the only one. It reports
// false for any other text, a failed signature or a payload ParsePayload refuses, and the caller then
// decodes with decodeCompactWalk; so it succeeds only where that walk gives the same answer (the object is
// valid JSON with those three members exactly when the session bytes are one valid object, which
// ParsePayload checks). FuzzDecodeCompactShape compares them.
func (s *Signer) decodeCompactShape(outer []byte) (*Payload, time.Time, bool) {
	const pre, expKey, sigKey = `{"session":`, `,"expiresAt":`, `,"signature":"`
	if len(outer) < len(pre)+2+len(expKey)+1+len(sigKey)+2 || string(outer[:len(pre)]) != pre ||
		outer[len(outer)-1] != '}' || outer[len(outer)-2] != '"' {
		return nil, time.Time{}, false
	}
	rest := outer[:len(outer)-2]
	i := len(rest)
	for i > 0 && base64URLByte(rest[i-1]) {
		i--
	}
	sig := rest[i:]
	if rest = rest[:i]; len(rest) < len(sigKey) || string(rest[len(rest)-len(sigKey):]) != sigKey {
		return nil, time.Time{}, false
	}
	rest = rest[:len(rest)-len(sigKey)]
	i = len(rest)
	for i > 0 && '0' <= rest[i-1] && rest[i-1] <= '9' {
		i--
	}
	exp := rest[i:]
	if len(exp) == 0 || (len(exp) > 1 && exp[0] == '0') {
		return nil, time.Time{}, false // not a JSON integer without a sign or leading zero
	}
	if rest = rest[:i]; len(rest) < len(pre)+2+len(expKey) || string(rest[len(rest)-len(expKey):]) != expKey {
		return nil, time.Time{}, false
	}
	sess := rest[len(pre) : len(rest)-len(expKey)]
	if sess[0] != '{' || sess[len(sess)-1] != '}' {
		return nil, time.Time{}, false
	}
	// Inside the outer object the payload is one level deeper than ParsePayload sees it: leave anything
	// that might reach strictjson.MaxDepth there to the walk (brackets inside strings count too).
	if bytes.Count(sess, openBrace[:])+bytes.Count(sess, openBracket[:]) >= strictjson.MaxDepth-1 {
		return nil, time.Time{}, false
	}
	p, t, err := s.checkCompact(sess, exp, sig)
	return p, t, err == nil
}

// base64URLByte reports whether c is in the base64url alphabet.
func base64URLByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// decodeCompactWalk reads the outer object of a compact cache with a strict walk: any member order,
// whitespace, other members.
func (s *Signer) decodeCompactWalk(outer []byte) (*Payload, time.Time, error) {
	var sess, exp, sig []byte
	err := strictjson.Walk(outer, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "session":
			if m.Kind != strictjson.Object {
				return ErrCache
			}
			sess = outer[m.Start:m.End]
		case "expiresAt":
			if m.Kind != strictjson.Number {
				return ErrCache
			}
			exp = outer[m.Start:m.End]
		case "signature":
			if m.Kind != strictjson.String || m.Escaped {
				return ErrCache
			}
			sig = outer[m.Start:m.End]
		}
		return nil
	})
	if err != nil || sess == nil || exp == nil || sig == nil {
		return nil, time.Time{}, ErrCache
	}
	return s.checkCompact(sess, exp, sig)
}

// checkCompact checks sig over the session object's text and exp, then parses the payload.
func (s *Signer) checkCompact(sess, exp, sig []byte) (*Payload, time.Time, error) {
	var mac [33]byte
	mn, err := rawURL.Decode(mac[:], sig)
	if err != nil {
		return nil, time.Time{}, ErrCache
	}
	// Signed is {...session, expiresAt}: the session object's members, then "expiresAt".
	comma := expiresAtMember[:]
	if len(sess) <= 2 {
		comma = comma[1:]
	}
	if !s.equalParts(mac[:mn], sess[:len(sess)-1], comma, exp, closeBrace[:]) {
		return nil, time.Time{}, ErrCache
	}
	ms, err := strconv.ParseFloat(string(exp), 64)
	if err != nil || math.IsInf(ms, 0) {
		return nil, time.Time{}, ErrCache
	}
	p, err := ParsePayload(sess)
	if err != nil {
		return nil, time.Time{}, err
	}
	return p, time.UnixMilli(int64(ms)), nil
}

var (
	// compactBufs holds the buffers compact caches are base64-decoded into (at most MaxCacheBytes each).
	compactBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}
	// expiresAtMember and closeBrace end the signed text of a compact cache.
	expiresAtMember = [...]byte{',', '"', 'e', 'x', 'p', 'i', 'r', 'e', 's', 'A', 't', '"', ':'}
	closeBrace      = [...]byte{'}'}
	openBrace       = [...]byte{'{'}
	openBracket     = [...]byte{'['}
)

// ParsePayload reads a cookie cache payload (strict JSON: duplicate names are refused). The session needs
// id, token, userId and expiresAt; the user needs id. Members beyond Better Auth's core fields go to
// Additional. Member names match exactly, as in JavaScript.
//
// It walks the bytes with strictjson instead of decoding through maps: the core fields are read in place
// and their strings share one copy of b; only members beyond the core fields are decoded with
// encoding/json (ParsePayload is on every request served from the cookie cache).
func ParsePayload(b []byte) (*Payload, error) { return ParseClaims(b, nil) }

// ParseClaims is ParsePayload for a payload that is also a JWT's claims (the jwt and jwe caches): in the
// same walk it calls top, when not nil, with each top-level member other than session, user, updatedAt and
// version (iat, exp, nbf, jti…); an error from top refuses the payload.
func ParseClaims(b []byte, top func(m strictjson.Member) error) (*Payload, error) {
	var updated, version strictjson.Member
	var haveSess, haveUser, haveUpdated, haveVersion bool
	p := &Payload{Version: "1"}
	d := payloadDecoder{b: b, s: string(b)}
	var ss sessionState
	var us userState
	// One walk: the members of "session" and "user" are read as the walk meets them (if either is not an
	// object, or is there twice, the payload is refused below or by the walk).
	err := strictjson.WalkNested(b, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "session":
			haveSess = m.Kind == strictjson.Object
		case "user":
			haveUser = m.Kind == strictjson.Object
		case "updatedAt":
			updated, haveUpdated = m, true
		case "version":
			version, haveVersion = m, true
		default:
			if top != nil {
				return top(m)
			}
		}
		return nil
	}, func(parent []byte, m strictjson.Member) error {
		switch string(parent) {
		case "session":
			d.sessionMember(&p.Session, &ss, m)
		case "user":
			d.userMember(&p.User, &us, m)
		}
		return nil
	})
	if err != nil || !haveSess || !haveUser || !haveUpdated || updated.Kind != strictjson.Number {
		return nil, ErrCache
	}
	ms, err := strconv.ParseFloat(string(b[updated.Start:updated.End]), 64)
	if err != nil {
		return nil, ErrCache
	}
	p.UpdatedAt = int64(ms)
	if haveVersion && version.Kind != strictjson.Null {
		if version.Kind != strictjson.String {
			return nil, ErrCache
		}
		if p.Version, err = d.str(version); err != nil {
			return nil, ErrCache
		}
	}
	if !ss.ok(&p.Session) || !us.ok(&p.User) {
		return nil, ErrCache
	}
	return p, nil
}

// payloadDecoder reads the members of a payload's objects; s is b as one string, which the strings read
// share.
type payloadDecoder struct {
	b []byte
	s string
}

// str returns a string member's text.
func (d *payloadDecoder) str(m strictjson.Member) (string, error) {
	if !m.Escaped {
		return d.s[m.Start:m.End], nil
	}
	u, err := strictjson.AppendUnescaped(nil, d.b[m.Start:m.End])
	return string(u), err
}

// decodable reports whether encoding/json would decode m's value into an interface: a number (also inside
// an object or array) beyond float64 makes it fail, and with it the whole payload, whatever the member.
func (d *payloadDecoder) decodable(m strictjson.Member) bool {
	switch m.Kind {
	case strictjson.Number, strictjson.Object, strictjson.Array:
		_, ok := d.any(m)
		return ok
	}
	return true
}

// any decodes a value as encoding/json does into an interface (numbers float64, objects map[string]any).
func (d *payloadDecoder) any(m strictjson.Member) (any, bool) {
	switch m.Kind {
	case strictjson.String:
		s, err := d.str(m)
		return s, err == nil
	case strictjson.True:
		return true, true
	case strictjson.False:
		return false, true
	case strictjson.Null:
		return nil, true
	case strictjson.Number:
		// What encoding/json does for a number into an interface, failing on a range error as it does.
		f, err := strconv.ParseFloat(string(d.b[m.Start:m.End]), 64)
		return f, err == nil
	}
	var v any
	if err := json.Unmarshal(d.b[m.Start:m.End], &v); err != nil {
		return nil, false
	}
	return v, true
}

// text reads a string member into *dst; it reports false for a value of another type.
func (d *payloadDecoder) text(m strictjson.Member, dst *string) bool {
	if m.Kind != strictjson.String {
		return false
	}
	s, err := d.str(m)
	*dst = s
	return err == nil
}

// sessionState is what reading a session object's members found, as SessionFromMap checks it.
type sessionState struct{ id, token, userID, expires, bad bool }

func (st *sessionState) ok(s *store.Session) bool {
	return !st.bad && st.id && st.token && st.userID && st.expires && s.ID != "" && s.Token != "" && s.UserID != ""
}

// sessionMember reads one member of the session object, as SessionFromMap does.
func (d *payloadDecoder) sessionMember(s *store.Session, st *sessionState, m strictjson.Member) {
	if !d.decodable(m) {
		st.bad = true
	}
	switch string(m.Key) {
	case "id":
		st.id = d.text(m, &s.ID)
	case "token":
		st.token = d.text(m, &s.Token)
	case "userId":
		st.userID = d.text(m, &s.UserID)
	case "expiresAt":
		s.ExpiresAt, st.expires = d.date(m)
	case "createdAt":
		s.CreatedAt, _ = d.date(m)
	case "updatedAt":
		s.UpdatedAt, _ = d.date(m)
	case "ipAddress":
		d.text(m, &s.IPAddress)
	case "userAgent":
		d.text(m, &s.UserAgent)
	default:
		st.bad = st.bad || !d.extra(&s.Additional, m)
	}
}

// userState is what reading a user object's members found, as UserFromMap checks it.
type userState struct{ id, bad bool }

func (st *userState) ok(u *store.User) bool { return !st.bad && st.id && u.ID != "" }

// userMember reads one member of the user object, as UserFromMap does.
func (d *payloadDecoder) userMember(u *store.User, st *userState, m strictjson.Member) {
	if !d.decodable(m) {
		st.bad = true
	}
	switch string(m.Key) {
	case "id":
		st.id = d.text(m, &u.ID)
	case "email":
		d.text(m, &u.Email)
	case "name":
		d.text(m, &u.Name)
	case "emailVerified":
		u.EmailVerified = m.Kind == strictjson.True
	case "image":
		d.text(m, &u.Image)
	case "role":
		d.text(m, &u.Role)
	default:
		st.bad = st.bad || !d.extra(&u.Additional, m)
	}
}

// extra puts a member beyond the core fields into *m.
func (d *payloadDecoder) extra(m *map[string]any, mem strictjson.Member) bool {
	v, ok := d.any(mem)
	if !ok {
		return false
	}
	if *m == nil {
		*m = map[string]any{}
	}
	(*m)[d.key(mem.Key)] = v
	return true
}

// key returns a member name as a string: a substring of d.s when the name aliases d.b (it has no escapes),
// so the names of the extra members cost no allocation; a copy otherwise.
func (d *payloadDecoder) key(k []byte) string {
	if len(k) > 0 && len(d.b) > 0 {
		// Pointer arithmetic only: off is k's offset in d.b when k points into it (a pointer before d.b wraps
		// around to a large value and fails the bound).
		off := uintptr(unsafe.Pointer(unsafe.SliceData(k))) - uintptr(unsafe.Pointer(unsafe.SliceData(d.b)))
		if off < uintptr(len(d.b)) && uintptr(len(k)) <= uintptr(len(d.b))-off {
			return d.s[off : int(off)+len(k)]
		}
	}
	return string(k)
}

// date reads an ISO-8601 date string member as date does.
func (d *payloadDecoder) date(m strictjson.Member) (time.Time, bool) {
	if m.Kind != strictjson.String {
		return time.Time{}, false
	}
	s, err := d.str(m)
	if err != nil {
		return time.Time{}, false
	}
	return date(s)
}

// SessionFromMap converts a session object as Better Auth serialises it (dates as ISO strings) to a record.
// It reports false when id, token, userId or expiresAt is missing or of the wrong type.
func SessionFromMap(m map[string]any) (store.Session, bool) {
	var s store.Session
	var ok1, ok2, ok3, ok4 bool
	s.ID, ok1 = m["id"].(string)
	s.Token, ok2 = m["token"].(string)
	s.UserID, ok3 = m["userId"].(string)
	s.ExpiresAt, ok4 = date(m["expiresAt"])
	if !ok1 || !ok2 || !ok3 || !ok4 || s.ID == "" || s.Token == "" || s.UserID == "" {
		return s, false
	}
	s.CreatedAt, _ = date(m["createdAt"])
	s.UpdatedAt, _ = date(m["updatedAt"])
	s.IPAddress, _ = m["ipAddress"].(string)
	s.UserAgent, _ = m["userAgent"].(string)
	s.Additional = rest(m, "id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent")
	return s, true
}

// UserFromMap converts a user object as Better Auth serialises it. It reports false without a string id.
func UserFromMap(m map[string]any) (store.User, bool) {
	var u store.User
	var ok bool
	if u.ID, ok = m["id"].(string); !ok || u.ID == "" {
		return u, false
	}
	u.Email, _ = m["email"].(string)
	u.Name, _ = m["name"].(string)
	u.EmailVerified, _ = m["emailVerified"].(bool)
	u.Image, _ = m["image"].(string)
	u.Role, _ = m["role"].(string)
	u.Additional = rest(m, "id", "email", "name", "emailVerified", "image", "role")
	return u, true
}

func rest(m map[string]any, known ...string) map[string]any {
	var out map[string]any
	for k, v := range m {
		skip := false
		for _, kn := range known {
			if k == kn {
				skip = true
				break
			}
		}
		if !skip {
			if out == nil {
				out = make(map[string]any, len(m)-len(known))
			}
			out[k] = v
		}
	}
	return out
}

// date reads an ISO-8601 date string as JavaScript's Date does for the strings Better Auth writes.
func date(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
