package jwks

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// Errors for a key set that is unusable as a whole. The previous set stays in use.
var (
	ErrMalformedSet = errors.New("jwks: malformed key set")
	ErrTooManyKeys  = errors.New("jwks: too many keys")
)

// Parsed is the result of parsing a key set body.
type Parsed struct {
	// Keys maps kid to key. Only usable keys are present.
	Keys map[string]*Key
	// Skipped counts entries that were ignored: unknown or symmetric kty, private or malformed keys, no kid,
	// an algorithm outside the allowlist, a key too weak, or a kid listed more than once.
	Skipped int
}

// Parse reads a JWK Set (RFC 7517 §5). The body must be strict JSON (no duplicate member names) with a
// "keys" array of at most maxKeys entries; otherwise the whole set is refused. Entries that are not usable
// verification keys for an algorithm in allowed are skipped, never fatal. A kid that appears more than once is
// ambiguous, so every entry with it is dropped.
func Parse(body []byte, allowed map[string]bool, maxKeys int) (*Parsed, error) {
	var keysStart, keysEnd int
	found := false
	err := strictjson.Walk(body, func(m strictjson.Member) error {
		if string(m.Key) == "keys" {
			if m.Kind != strictjson.Array {
				return ErrMalformedSet
			}
			found, keysStart, keysEnd = true, m.Start, m.End
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedSet, err)
	}
	if !found {
		return nil, fmt.Errorf("%w: no keys array", ErrMalformedSet)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body[keysStart:keysEnd], &raws); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedSet, err)
	}
	if len(raws) > maxKeys {
		return nil, fmt.Errorf("%w: %d > %d", ErrTooManyKeys, len(raws), maxKeys)
	}
	p := &Parsed{Keys: make(map[string]*Key, len(raws))}
	count := make(map[string]int, len(raws))
	keys := make([]*Key, len(raws))
	kids := make([]string, len(raws))
	for i, raw := range raws {
		keys[i], kids[i] = parseKey(raw, allowed)
		count[kids[i]]++
	}
	for i, k := range keys {
		if k == nil || count[kids[i]] > 1 {
			p.Skipped++
			continue
		}
		p.Keys[kids[i]] = k
	}
	return p, nil
}

// parseKey returns the usable key in raw, or nil. kid is returned whenever the entry names one, so that a
// duplicate kid is noticed even when one of its entries is unusable.
func parseKey(raw []byte, allowed map[string]bool) (k *Key, kid string) {
	var hdr struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
	}
	if json.Unmarshal(raw, &hdr) != nil || hdr.Kid == "" || len(hdr.Kid) > MaxKeyIDBytes {
		return nil, ""
	}
	kid = hdr.Kid
	if hdr.Kty == "oct" || (hdr.Use != "" && hdr.Use != "sig") {
		return nil, kid // symmetric keys in a remote set would open HMAC confusion; encryption keys are not ours
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil || !jwk.Valid() || !jwk.IsPublic() {
		return nil, kid
	}
	alg := hdr.Alg
	if alg == "" {
		alg = inferAlg(jwk.Key)
	}
	if alg == "" || !allowed[alg] {
		return nil, kid
	}
	k, err := newKey(kid, alg, jwk.Key)
	if err != nil {
		return nil, kid
	}
	return k, kid
}

// inferAlg names the algorithm of a key without an "alg" member when only one can apply. RSA keys can serve
// RS* and PS* alike, so they need an explicit "alg".
func inferAlg(pub any) string {
	k, err := newKey("", "EdDSA", pub)
	if err == nil && k != nil {
		return "EdDSA"
	}
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		if _, err := newKey("", alg, pub); err == nil {
			return alg
		}
	}
	return ""
}
