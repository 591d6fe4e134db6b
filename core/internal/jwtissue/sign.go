package jwtissue

// Mirrors better-auth src/plugins/jwt/sign.ts (getJwtToken, signJWT) with jose 6's SignJWT: the payload
// object is {iat, ...user, sub}, then exp, iss and aud are set on it (existing members keep their place),
// and the protected header is {alg, kid}.

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// DefaultExpirationTime is the JWT plugin's default token lifetime (jwt.expirationTime "15m").
const DefaultExpirationTime = 15 * time.Minute

// Session is what the plugin's getJwtToken reads: the session and its user, as JSON objects.
type Session struct {
	// Session is the session object (betterauth.SessionJSON writes it). Only the hooks read it.
	Session []byte
	// User is the user object as the session holds it (betterauth.UserJSON writes it). Its members become
	// top-level claims, in its order, and its "id" is the default subject.
	User []byte
}

// ClaimsOptions are the JWT plugin's jwt options. The zero value means Better Auth's defaults, given
// BaseURL.
type ClaimsOptions struct {
	// BaseURL is Better Auth's baseURL; its origin is the default issuer and audience.
	BaseURL string
	// Issuer is jwt.issuer. "" means the origin of BaseURL.
	Issuer string
	// Audience is jwt.audience as a string. "" means the origin of BaseURL.
	Audience string
	// Audiences is jwt.audience as an array; when not nil it wins over Audience and "aud" is an array.
	Audiences []string
	// ExpirationTime is jwt.expirationTime, counted from iat and rounded to whole seconds. Zero means
	// DefaultExpirationTime.
	ExpirationTime time.Duration
	// DefinePayload is jwt.definePayload: it returns the JSON object that takes the user's place. Nil means
	// the user object.
	DefinePayload func(Session) ([]byte, error)
	// Subject is jwt.getSubject: the "sub" claim. Nil, or "" returned, means the user's id.
	Subject func(Session) (string, error)
}

// Claims builds the payload Better Auth's getJwtToken signs, as JSON text in its member order: "iat" (now,
// in whole seconds), the members of the user object (or of DefinePayload's object), "sub", then "exp"
// (iat + ExpirationTime), "iss" and "aud". A member of that object named like one of these keeps its
// place; its value stands, except that sub is always set and a null exp, iss or aud gets the default.
// Values are written as JSON.stringify writes them. It fails with [ErrClaims] when an object is not a JSON
// object, the user has no id and there is no Subject, iat is not a number, or there is no issuer or
// audience (neither the option nor BaseURL).
func Claims(s Session, o ClaimsOptions, now time.Time) ([]byte, error) {
	user, err := betterauth.ParseObject(s.User)
	if err != nil {
		return nil, fmt.Errorf("%w: user: %v", ErrClaims, err)
	}
	fields := user
	if o.DefinePayload != nil {
		b, err := o.DefinePayload(s)
		if err != nil {
			return nil, fmt.Errorf("jwtissue: DefinePayload: %w", err)
		}
		if fields, err = betterauth.ParseObject(b); err != nil {
			return nil, fmt.Errorf("%w: DefinePayload: %v", ErrClaims, err)
		}
	}
	var sub []byte
	if o.Subject != nil {
		v, err := o.Subject(s)
		if err != nil {
			return nil, fmt.Errorf("jwtissue: Subject: %w", err)
		}
		if v != "" {
			sub = betterauth.AppendJSString(nil, v)
		}
	}
	if sub == nil {
		id, ok := user.Get("id")
		if !ok || string(id) == "null" {
			return nil, fmt.Errorf("%w: the user has no id", ErrClaims)
		}
		sub = id
	}

	iss, aud := o.Issuer, o.Audience
	if iss == "" || aud == "" {
		origin := Origin(o.BaseURL)
		iss, aud = cmp.Or(iss, origin), cmp.Or(aud, origin)
	}
	if iss == "" || (aud == "" && o.Audiences == nil) {
		return nil, fmt.Errorf("%w: no issuer or audience: set BaseURL", ErrClaims)
	}
	audJSON := betterauth.AppendJSString(nil, aud)
	if o.Audiences != nil {
		audJSON = append(audJSON[:0], '[')
		for i, a := range o.Audiences {
			if i > 0 {
				audJSON = append(audJSON, ',')
			}
			audJSON = betterauth.AppendJSString(audJSON, a)
		}
		audJSON = append(audJSON, ']')
	}

	p := &betterauth.Object{}
	p.Set("iat", strconv.AppendInt(nil, now.Unix(), 10))
	p.Spread(fields)
	p.Set("sub", sub)

	// signJWT: exp = payload.exp ?? (payload.iat ?? now) + expirationTime.
	base := float64(now.Unix())
	if v, ok := p.Get("iat"); ok && string(v) != "null" {
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: iat %s is not a number", ErrClaims, v)
		}
		base = f
	}
	ttl := o.ExpirationTime
	if ttl == 0 {
		ttl = DefaultExpirationTime
	}
	// Better Auth's sec() rounds a time span to whole seconds with Math.round.
	setDefault(p, "exp", betterauth.AppendNumber(nil, base+math.Floor(ttl.Seconds()+0.5)))
	setDefault(p, "iss", betterauth.AppendJSString(nil, iss))
	setDefault(p, "aud", audJSON)
	return p.Bytes(), nil
}

// setDefault is `payload[key] = payload[key] ?? def` followed by jose's setter: a value that is there and
// not null stays, in its place.
func setDefault(o *betterauth.Object, key string, def []byte) {
	if v, ok := o.Get(key); ok && string(v) != "null" {
		return
	}
	o.Set(key, def)
}

// Origin returns the origin of a URL as JavaScript's URL.origin writes it (scheme and host in lower case,
// no default port), or "" when u is not an absolute http(s) URL.
func Origin(u string) string {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || pu.Host == "" {
		return ""
	}
	scheme := strings.ToLower(pu.Scheme)
	host := strings.ToLower(pu.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := pu.Port()
	switch {
	case scheme != "http" && scheme != "https":
		return ""
	case port == "", scheme == "http" && port == "80", scheme == "https" && port == "443":
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}

// Sign signs claims with k, as [SignPayload] does. The claims are written as JSON.stringify would write
// a Go map (members in key order; nil is {}); use [Claims] and [SignPayload] for Better Auth's member
// order.
func Sign(k *Key, claims map[string]any) (string, error) {
	if claims == nil {
		claims = map[string]any{}
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrClaims, err)
	}
	o, err := betterauth.ParseObject(b)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrClaims, err)
	}
	return SignPayload(k, o.Bytes())
}

// SignPayload signs payload, a JSON object used byte for byte, with k's private key, as a compact JWS
// with the protected header {"alg":<k.Alg>,"kid":<k.ID>} (no "typ"), as the JWT plugin's signJWT does.
// ECDSA signatures are r || s; PS* use a salt as long as the hash. EdDSA tokens are deterministic: the
// same key and payload give Better Auth's token.
func SignPayload(k *Key, payload []byte) (string, error) {
	spec, err := signingSpec(k)
	if err != nil {
		return "", err
	}
	if _, err := betterauth.ParseObject(payload); err != nil {
		return "", fmt.Errorf("%w: payload: %v", ErrClaims, err)
	}
	return sign(k, spec, payload)
}

// SignClaims is [SignPayload] for a payload [Claims] built: a JSON object by construction, so it is not
// parsed again (get-session's set-auth-jwt header signs one on every answer).
func SignClaims(k *Key, payload []byte) (string, error) {
	spec, err := signingSpec(k)
	if err != nil {
		return "", err
	}
	return sign(k, spec, payload)
}

// sign writes the compact JWS of payload.
func sign(k *Key, spec algSpec, payload []byte) (string, error) {
	// The protected header {"alg":…,"kid":…}, written as JSON.stringify writes it.
	var hb [128]byte
	hdr := append(hb[:0], `{"alg":`...)
	hdr = betterauth.AppendJSString(hdr, k.Alg)
	hdr = append(hdr, `,"kid":`...)
	hdr = betterauth.AppendJSString(hdr, k.ID)
	hdr = append(hdr, '}')

	b := make([]byte, 0, b64.EncodedLen(len(hdr))+1+b64.EncodedLen(len(payload))+1+b64.EncodedLen(512))
	b = b64.AppendEncode(b, hdr)
	b = append(b, '.')
	b = b64.AppendEncode(b, payload)
	sig, err := signInput(spec, k.Private, b)
	if err != nil {
		return "", err
	}
	b = append(b, '.')
	b = b64.AppendEncode(b, sig)
	return string(b), nil
}

// signingSpec returns k's algorithm once k can sign with it: a private key of the algorithm's type.
func signingSpec(k *Key) (algSpec, error) {
	if k == nil || k.Private == nil {
		return algSpec{}, fmt.Errorf("%w: no private key", ErrKey)
	}
	spec, err := lookupAlg(k.Alg)
	if err != nil {
		return algSpec{}, err
	}
	if err := checkSigner(spec, k); err != nil {
		return algSpec{}, err
	}
	return spec, nil
}

// checkSigner is checkKey on k's public key, read without copying it where the private key's type allows
// (ed25519.PrivateKey.Public allocates a copy on every call).
func checkSigner(spec algSpec, k *Key) error {
	var pub crypto.PublicKey
	switch p := k.Private.(type) {
	case ed25519.PrivateKey:
		pub = ed25519.PublicKey(nil) // checkKey looks only at the type
	case *ecdsa.PrivateKey:
		pub = &p.PublicKey
	case *rsa.PrivateKey:
		pub = &p.PublicKey
	default:
		pub = k.Private.Public()
	}
	if err := checkKey(spec, pub); err != nil {
		return fmt.Errorf("%w: %s key: %v", ErrAlgorithm, k.Alg, err)
	}
	return nil
}

// signInput returns the JWS signature of input.
func signInput(spec algSpec, priv crypto.Signer, input []byte) ([]byte, error) {
	if spec.kty == "OKP" {
		sig, err := priv.Sign(rand.Reader, input, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("jwtissue: signing: %w", err)
		}
		return sig, nil
	}
	hh := spec.hash.New()
	hh.Write(input)
	digest := hh.Sum(nil)
	var opts crypto.SignerOpts = spec.hash
	if spec.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: spec.hash}
	}
	sig, err := priv.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("jwtissue: signing: %w", err)
	}
	if spec.kty != "EC" {
		return sig, nil
	}
	// crypto.Signer gives ECDSA signatures in ASN.1; JWS wants r || s, each the curve's size.
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("jwtissue: signing: malformed ECDSA signature")
	}
	size := (spec.curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}
