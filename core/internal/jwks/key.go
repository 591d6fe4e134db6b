// Package jwks keeps the remote JSON Web Key Set of a Better Auth server (the JWT plugin's /jwks endpoint):
// parsing with per-key validation, a lock-free lookup, and refreshes that are bounded in size, time and rate.
package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"
)

// MaxKeyIDBytes bounds the length of a key id, in the set and in token headers.
const MaxKeyIDBytes = 256

// RSA moduli accepted, in bits.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// DefaultAlgorithms are the JWT plugin's algorithms (plugins/jwt/types.ts).
var DefaultAlgorithms = []string{"EdDSA", "ES256", "ES512", "RS256", "PS256"}

// Supported lists every algorithm this package can verify.
var Supported = map[string]bool{
	"EdDSA": true, "ES256": true, "ES384": true, "ES512": true,
	"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
}

// Key is one verification key, pinned to exactly one algorithm.
type Key struct {
	// ID is the key's kid.
	ID string
	// Alg is the only algorithm this key verifies.
	Alg string

	ed  ed25519.PublicKey
	ec  *ecdsa.PublicKey
	rsa *rsa.PublicKey
	// hash is the digest for ECDSA/RSA algorithms; ecSize is the byte length of r and s.
	hash   crypto.Hash
	ecSize int
}

var errKeyMismatch = errors.New("jwks: key type does not fit its algorithm")

// newKey pins pub to alg, refusing pairs that cannot work together (RFC 8725 §3.1: one key, one algorithm).
func newKey(kid, alg string, pub any) (*Key, error) {
	k := &Key{ID: kid, Alg: alg}
	switch alg {
	case "EdDSA":
		p, ok := pub.(ed25519.PublicKey)
		if !ok || len(p) != ed25519.PublicKeySize {
			return nil, errKeyMismatch
		}
		k.ed = p
	case "ES256", "ES384", "ES512":
		p, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, errKeyMismatch
		}
		want, hash := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg],
			map[string]crypto.Hash{"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512}[alg]
		if p.Curve != want {
			return nil, errKeyMismatch
		}
		k.ec, k.hash, k.ecSize = p, hash, (want.Params().BitSize+7)/8
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		p, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, errKeyMismatch
		}
		if bits := p.N.BitLen(); bits < minRSABits || bits > maxRSABits || p.E < 3 || p.E%2 == 0 {
			return nil, errKeyMismatch
		}
		k.rsa = p
		k.hash = map[byte]crypto.Hash{'2': crypto.SHA256, '3': crypto.SHA384, '5': crypto.SHA512}[alg[2]]
	default:
		return nil, errKeyMismatch
	}
	return k, nil
}

// Verify reports whether sig is a valid signature of msg under the key's own algorithm.
func (k *Key) Verify(msg, sig []byte) bool {
	switch {
	case k.ed != nil:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, msg, sig)
	case k.ec != nil:
		if len(sig) != 2*k.ecSize { // JWS uses fixed-size r||s, never DER (RFC 7518 §3.4)
			return false
		}
		var buf [sha512.Size]byte
		digest := sum(k.hash, msg, buf[:0])
		r := new(big.Int).SetBytes(sig[:k.ecSize])
		s := new(big.Int).SetBytes(sig[k.ecSize:])
		return ecdsa.Verify(k.ec, digest, r, s)
	case k.rsa != nil:
		if len(sig) != k.rsa.Size() {
			return false
		}
		var buf [sha512.Size]byte
		digest := sum(k.hash, msg, buf[:0])
		if k.Alg[0] == 'P' {
			return rsa.VerifyPSS(k.rsa, k.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(k.rsa, k.hash, digest, sig) == nil
	}
	return false
}

// Public returns the key's public key.
func (k *Key) Public() crypto.PublicKey {
	switch {
	case k.ed != nil:
		return k.ed
	case k.ec != nil:
		return k.ec
	}
	return k.rsa
}

func sum(h crypto.Hash, msg, dst []byte) []byte {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(msg)
		return append(dst, s[:]...)
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		return append(dst, s[:]...)
	default:
		s := sha512.Sum512(msg)
		return append(dst, s[:]...)
	}
}
