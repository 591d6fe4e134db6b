package jwtissue

// Mirrors the /jwks endpoint of better-auth src/plugins/jwt/index.ts (getJwks): each key is
// {alg: row.alg ?? keyPairConfig.alg, crv: row.crv ?? keyPairConfig.crv, ...JSON.parse(row.publicKey),
// kid: row.id}, and the body is {"keys":[…]}.

import (
	"fmt"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// JWKS renders the /jwks response body for keys, in their order, as Better Auth writes it: each key's alg
// and crv first (crv left out when neither the key nor its public JWK has one), then the members of the
// stored public JWK in their stored order (a member named alg or crv replaces the value in front), then
// kid = the key's id. There is no "use". Keys from [Open], [OpenPublic] or [Generate] spread their row's
// publicKey text; other keys their public key in Node's export order.
func JWKS(keys []*Key) ([]byte, error) {
	b := []byte(`{"keys":[`)
	for i, k := range keys {
		pub := k.publicJSON
		if len(pub) == 0 {
			var err error
			if pub, err = exportJWK(k.Public.Key, nil); err != nil {
				return nil, err
			}
		}
		jwk, err := renderJWK(k.Alg, k.Crv, k.ID, pub)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, jwk...)
	}
	return append(b, "]}"...), nil
}

// PublishedJWKS renders the /jwks body for the rows [Published] keeps, straight from the rows as Better
// Auth does (no key is opened, so only a publicKey that is not a JSON object fails): alg is the row's, or
// p.Alg; crv the row's. Better Auth would also put jwks.keyPairConfig.crv on a row without crv whose
// public JWK has none (an RSA row under an EdDSA configuration); this leaves crv out.
func PublishedJWKS(rows []Row, p Policy, now time.Time) ([]byte, error) {
	b := []byte(`{"keys":[`)
	for i, r := range Published(rows, p, now) {
		alg := r.Alg
		if alg == "" {
			alg = p.alg()
		}
		jwk, err := renderJWK(alg, r.Crv, r.ID, []byte(r.PublicKey))
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, jwk...)
	}
	return append(b, "]}"...), nil
}

func renderJWK(alg, crv, kid string, public []byte) ([]byte, error) {
	pub, err := betterauth.ParseObject(public)
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: publicKey: %v", ErrKey, kid, err)
	}
	o := &betterauth.Object{}
	o.SetString("alg", alg)
	if crv != "" {
		o.SetString("crv", crv)
	} else {
		o.Set("crv", nil) // undefined: keeps the place for a crv in the public JWK
	}
	o.Spread(pub)
	o.SetString("kid", kid)
	return o.Bytes(), nil
}
