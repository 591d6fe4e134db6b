package auth

import (
	"context"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gobetterauth/gobetterauth/core/internal/jwks"
	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// b64Alphabet marks the base64url characters.
var b64Alphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// b64 is base64url without padding that also refuses non-zero trailing bits. Callers reject '\r' and '\n'
// themselves, since the decoder skips them.
var b64 = base64.RawURLEncoding.Strict()

// Limits on the parts of a compact JWS, before decoding.
const (
	maxHeaderB64 = 1024 // a Better Auth header is about 70 characters
	maxSigBytes  = 1024 // an RSA-8192 signature
)

// Reasons a token is refused. They are logged, never sent to clients.
var (
	errTooLarge     = invalid("token too large")
	errShape        = invalid("not a compact JWS (need three base64url segments)")
	errHeader       = invalid("malformed header")
	errAlgNone      = invalid("unsecured alg refused")
	errAlg          = invalid("algorithm not accepted")
	errAlgMismatch  = invalid("header alg differs from the key's alg")
	errNoKid        = invalid("kid missing or too long")
	errCrit         = invalid("crit, b64 or zip header refused")
	errTyp          = invalid("typ is not JWT")
	errSignature    = invalid("bad signature")
	errPayload      = invalid("malformed payload")
	errUnknownKey   = invalid("unknown kid")
	errNoExp        = invalid("exp missing or not a number")
	errNotYetValid  = invalid("nbf in the future")
	errIssuedFuture = invalid("iat in the future")
	errTooOld       = invalid("iat older than MaxTokenAge")
	errIssuer       = invalid("iss missing or not accepted")
	errAudience     = invalid("aud missing or not accepted")
	errSubject      = invalid("sub missing or empty")
	errExpired      = &reasonError{kind: ErrExpired, reason: "exp passed"}
)

// header is what we read from a JOSE header. kid aliases a caller-owned buffer.
type header struct {
	alg string
	kid []byte
}

// looksLikeJWT reports whether raw has exactly two dots.
func looksLikeJWT(raw string) bool { return strings.Count(raw, ".") == 2 }

// jwsKind says which kind of token a compact JWS must be. The kinds never share acceptance rules
// (RFC 8725 §3.12): an access token is not a cookie cache, and the reverse.
type jwsKind uint8

const (
	// kindAccess is a bearer token: JWT-plugin (JWKS) or, when enabled, HS256 with the secret; typ absent or JWT.
	kindAccess jwsKind = iota
	// kindCacheHS256 is the "jwt" cookie cache: HS256 with the current secret, no typ.
	kindCacheHS256
	// kindCachePlugin is the JWT plugin's cookie cache: a JWKS key, typ better-auth.session-cache+jwt.
	kindCachePlugin
)

const sessionCacheTyp = "better-auth.session-cache+jwt"

// verifyJWT verifies a compact JWS access token and returns its session. It never returns a session
// together with an error.
func (a *Auth) verifyJWT(ctx context.Context, raw string) (*Session, error) {
	if len(raw) > a.s.maxTokenBytes {
		return nil, errTooLarge
	}
	if a.cache != nil {
		if s := a.cache.get(raw, a.s.now()); s != nil {
			return s, nil
		}
	}
	v := new(verified)
	v.s.Claims = &v.c
	p64, buf, err := a.verifySigned(ctx, raw, kindAccess, v)
	if err != nil {
		return nil, err
	}
	if err := a.readClaims(v, p64, buf); err != nil {
		return nil, err
	}
	if a.cache != nil {
		a.cache.put(raw, v, a.s.maxAge, a.s.now())
	}
	return &v.s, nil
}

// verifySigned checks the shape, header and signature of a compact JWS of the given kind, and records the
// algorithm and key in v. It returns the payload segment and a buffer to decode it into.
func (a *Auth) verifySigned(ctx context.Context, raw string, kind jwsKind, v *verified) (string, []byte, error) {
	// One pass checks the alphabet (which also rules out whitespace and padding) and finds the two dots.
	d1, d2 := -1, -1
	for i := 0; i < len(raw); i++ {
		if b64Alphabet[raw[i]] {
			continue
		}
		switch {
		case raw[i] == '.' && d1 < 0:
			d1 = i
		case raw[i] == '.' && d2 < 0:
			d2 = i
		default:
			return "", nil, errShape
		}
	}
	if d1 <= 0 || d2 <= d1+1 || d2 == len(raw)-1 {
		return "", nil, errShape
	}
	h64, p64, s64 := raw[:d1], raw[d1+1:d2], raw[d2+1:]
	if len(h64) > maxHeaderB64 || b64.DecodedLen(len(s64)) > maxSigBytes {
		return "", nil, errShape
	}
	// Header and payload share one allocation; the claims keep it alive as their raw payload.
	hl := b64.DecodedLen(len(h64))
	buf := make([]byte, hl+b64.DecodedLen(len(p64)))
	n, err := b64.Decode(buf[:hl], []byte(h64))
	if err != nil {
		return "", nil, errHeader
	}
	hdr, err := parseHeader(buf[:n], kind)
	if err != nil {
		return "", nil, err
	}
	var sbuf [maxSigBytes]byte
	sn, err := b64.Decode(sbuf[:], []byte(s64))
	if err != nil {
		return "", nil, errShape
	}
	sig := sbuf[:sn]
	// A read-only view of the signing input: the verifiers only read it, so it need not be copied.
	signed := unsafe.Slice(unsafe.StringData(raw), d2)

	switch {
	case hdr.alg == "HS256":
		if (kind == kindAccess && !a.s.hs256) || kind == kindCachePlugin || a.signer == nil {
			return "", nil, errAlg
		}
		if !a.signer.Equal(signed, sig) {
			return "", nil, errSignature
		}
		v.s.Credential, v.c.Algorithm = CredentialHS256, "HS256"
	case kind == kindCacheHS256 || a.keys == nil:
		return "", nil, errAlg
	default:
		if len(hdr.kid) == 0 || len(hdr.kid) > jwks.MaxKeyIDBytes {
			return "", nil, errNoKid
		}
		key := a.keys.Cached(hdr.kid)
		if key == nil {
			if key, err = a.lookupKey(ctx, string(hdr.kid), p64); err != nil {
				return "", nil, err
			}
		}
		if hdr.alg != key.Alg {
			return "", nil, errAlgMismatch
		}
		if !key.Verify(signed, sig) {
			return "", nil, errSignature
		}
		v.s.Credential, v.c.Algorithm, v.c.KeyID = CredentialJWT, key.Alg, key.ID
		v.key = key
	}
	return p64, buf[hl:], nil
}

// verified holds a session and its claims in one allocation.
type verified struct {
	s   Session
	c   Claims
	key *jwks.Key // nil for HS256
}

// lookupKey finds a key that is not cached, which may fetch the key set. The token's unverified iat only
// decides whether a fetch may come sooner than the cooldown; it is not trusted for anything else.
func (a *Auth) lookupKey(ctx context.Context, kid, p64 string) (*jwks.Key, error) {
	var iat time.Time
	if buf, err := b64.DecodeString(p64); err == nil {
		_ = strictjson.Walk(buf, func(m strictjson.Member) error {
			if string(m.Key) == "iat" && m.Kind == strictjson.Number {
				if f, ok := number(buf[m.Start:m.End]); ok {
					iat = floatTime(f)
				}
			}
			return nil
		})
	}
	key, err := a.keys.Lookup(ctx, kid, iat)
	if err != nil {
		if ue, ok := err.(*jwks.UnavailableError); ok {
			return nil, &UnavailableError{RetryAfter: ue.RetryAfter, Err: ue}
		}
		return nil, errUnknownKey
	}
	return key, nil
}

// parseHeader reads alg, kid and typ, refusing duplicates, crit (no extension is understood), b64 and zip.
// typ must fit the kind: absent or "JWT" for access tokens, absent for the HS256 cache, and exactly
// better-auth.session-cache+jwt for the JWT plugin's cache.
func parseHeader(buf []byte, kind jwsKind) (header, error) {
	var h header
	algSeen, typSeen := false, false
	err := strictjson.Walk(buf, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "alg":
			if m.Kind != strictjson.String || m.Escaped {
				return errHeader
			}
			h.alg = internAlg(buf[m.Start:m.End])
			algSeen = true
		case "kid":
			if m.Kind != strictjson.String || m.Escaped {
				return errNoKid
			}
			h.kid = buf[m.Start:m.End]
		case "typ":
			typSeen = true
			typ := string(buf[m.Start:m.End])
			if m.Kind != strictjson.String || m.Escaped ||
				(kind == kindAccess && !strings.EqualFold(typ, "JWT")) ||
				(kind == kindCachePlugin && typ != sessionCacheTyp) || kind == kindCacheHS256 {
				return errTyp
			}
		case "crit", "b64", "zip":
			return errCrit
		}
		return nil
	})
	if err != nil {
		if _, ok := err.(*reasonError); ok {
			return h, err
		}
		return h, errHeader
	}
	if !algSeen {
		return h, errHeader
	}
	if kind == kindCachePlugin && !typSeen {
		return h, errTyp
	}
	if strings.EqualFold(h.alg, "none") {
		return h, errAlgNone
	}
	if h.alg == "" {
		return h, errAlg
	}
	return h, nil
}

// internAlg returns a constant string for a known algorithm name, so the header costs no allocation.
func internAlg(b []byte) string {
	switch string(b) {
	case "EdDSA":
		return "EdDSA"
	case "ES256":
		return "ES256"
	case "ES384":
		return "ES384"
	case "ES512":
		return "ES512"
	case "RS256":
		return "RS256"
	case "RS384":
		return "RS384"
	case "RS512":
		return "RS512"
	case "PS256":
		return "PS256"
	case "PS384":
		return "PS384"
	case "PS512":
		return "PS512"
	case "HS256":
		return "HS256"
	}
	if strings.EqualFold(string(b), "none") {
		return "none"
	}
	return "" // unknown: refused
}

// readClaims decodes p64 into buf and checks the claims of a token whose signature is already verified.
func (a *Auth) readClaims(v *verified, p64 string, buf []byte) error {
	n, err := b64.Decode(buf, []byte(p64))
	if err != nil {
		return errPayload
	}
	buf = buf[:n]
	// The payload string shares buf's memory; buf is never written again, so every claim string can be a
	// substring of it instead of a copy.
	payload := unsafe.String(unsafe.SliceData(buf), len(buf))
	c := &v.c
	u := &v.s.User
	c.raw = payload
	var exp, nbf, iat float64
	var hasExp, hasNbf, hasIat, hasID bool
	err = strictjson.Walk(buf, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "exp", "nbf", "iat":
			if m.Kind != strictjson.Number {
				return errNoExp
			}
			f, ok := number(buf[m.Start:m.End])
			if !ok {
				return errNoExp
			}
			switch m.Key[0] {
			case 'e':
				exp, hasExp = f, true
			case 'n':
				nbf, hasNbf = f, true
			default:
				iat, hasIat = f, true
			}
		case "iss":
			if m.Kind != strictjson.String {
				return errIssuer
			}
			c.Issuer = text(payload, m)
		case "sub":
			if m.Kind != strictjson.String {
				return errSubject
			}
			c.Subject = text(payload, m)
		case "aud":
			if m.Kind == strictjson.String {
				c.aud = payload[m.Start-1 : m.End+1]
			} else {
				c.aud = payload[m.Start:m.End]
			}
			if !a.audienceOK(m.Kind, buf[m.Start:m.End]) {
				return errAudience
			}
		case "id":
			if m.Kind == strictjson.String {
				u.ID, hasID = text(payload, m), true
			}
		case "email":
			if m.Kind == strictjson.String {
				u.Email = text(payload, m)
			}
		case "name":
			if m.Kind == strictjson.String {
				u.Name = text(payload, m)
			}
		case "image":
			if m.Kind == strictjson.String {
				u.Image = text(payload, m)
			}
		case "role":
			if m.Kind == strictjson.String {
				u.Role = text(payload, m)
			}
		case "emailVerified":
			u.EmailVerified = m.Kind == strictjson.True
		}
		return nil
	})
	if err != nil {
		if _, ok := err.(*reasonError); ok {
			return err
		}
		return errPayload
	}
	now := a.s.now()
	switch {
	case !hasExp:
		return errNoExp
	case c.Issuer == "" || !contains(a.s.issuers, c.Issuer):
		return errIssuer
	case c.aud == "":
		return errAudience
	case c.Subject == "":
		return errSubject
	}
	c.ExpiresAt = floatTime(exp)
	if now.After(c.ExpiresAt.Add(a.s.expLeeway)) {
		return errExpired
	}
	if hasNbf {
		c.NotBefore = floatTime(nbf)
		if c.NotBefore.After(now.Add(a.s.nbfLeeway)) {
			return errNotYetValid
		}
	}
	if hasIat {
		c.IssuedAt = floatTime(iat)
		if c.IssuedAt.After(now.Add(a.s.iatLeeway)) {
			return errIssuedFuture
		}
	}
	if a.s.maxAge > 0 && (!hasIat || now.Sub(c.IssuedAt) > a.s.maxAge+a.s.iatLeeway) {
		return errTooOld
	}
	if !hasID {
		u.ID = c.Subject
	}
	return nil
}

// audienceOK reports whether an "aud" value (a string, or an array of only strings) names an accepted
// audience.
func (a *Auth) audienceOK(kind strictjson.Kind, val []byte) bool {
	switch kind {
	case strictjson.String:
		return contains(a.s.audiences, string(val))
	case strictjson.Array:
		ok, bad := false, false
		// Walk the array by wrapping it as an object member so strictjson validates it; arrays are short.
		_ = walkArrayStrings(val, func(s string, isString bool) {
			if !isString {
				bad = true
			} else if contains(a.s.audiences, s) {
				ok = true
			}
		})
		return ok && !bad
	}
	return false
}

// walkArrayStrings calls fn for each element of a JSON array of scalars (already validated by strictjson).
func walkArrayStrings(arr []byte, fn func(s string, isString bool)) error {
	i := 1
	for i < len(arr)-1 {
		switch c := arr[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '"':
			j := i + 1
			esc := false
			for j < len(arr) && arr[j] != '"' {
				if arr[j] == '\\' {
					esc = true
					j++
				}
				j++
			}
			if esc {
				b, err := strictjson.AppendUnescaped(nil, arr[i+1:j])
				if err != nil {
					return err
				}
				fn(string(b), true)
			} else {
				fn(string(arr[i+1:j]), true)
			}
			i = j + 1
		default: // a number, literal, object or array: not a string
			fn("", false)
			return nil
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// text returns a string member's text: a substring of the payload, or an unescaped copy.
func text(payload string, m strictjson.Member) string {
	if !m.Escaped {
		return payload[m.Start:m.End]
	}
	b, err := strictjson.AppendUnescaped(nil, []byte(payload[m.Start:m.End]))
	if err != nil {
		return ""
	}
	return string(b)
}

// number parses a JSON number as a finite float64. Plain integers take a fast path.
func number(b []byte) (float64, bool) {
	if len(b) > 0 && len(b) <= 15 {
		var n int64
		neg := b[0] == '-'
		digits := b
		if neg {
			digits = b[1:]
		}
		ok := len(digits) > 0
		for _, c := range digits {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok {
			if neg {
				n = -n
			}
			return float64(n), true
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// floatTime converts NumericDate seconds to a time, clamping values outside ±2^53 seconds.
func floatTime(f float64) time.Time {
	const limit = 1 << 53
	f = math.Max(-limit, math.Min(limit, f))
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}
