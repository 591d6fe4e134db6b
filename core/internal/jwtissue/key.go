package jwtissue

// Mirrors better-auth src/plugins/jwt/utils.ts (generateExportedKeyPair, createJwk), the key import of
// src/plugins/jwt/sign.ts (resolveSigningKey) and src/plugins/jwt/schema.ts (the jwks table). JWK member
// order is the one Node's jose 6 exportJWK produces.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
)

// DefaultAlg is the JWT plugin's default key algorithm (jwks.keyPairConfig unset): EdDSA with Ed25519.
const DefaultAlg = "EdDSA"

// RSABits is the modulus size of generated RSA keys, Better Auth's default modulusLength.
const RSABits = 2048

// Key is a signing key: a jwks row opened.
type Key struct {
	// ID is the row id, the tokens' "kid".
	ID string
	// Alg is the JWS algorithm: the row's alg, or [DefaultAlg] for a row without one.
	Alg string
	// Crv is the row's crv, or the public JWK's curve when the row has none; "" for RSA.
	Crv string
	// Public is the public key, with KeyID = ID and Algorithm = Alg.
	Public jose.JSONWebKey
	// Private signs. It is nil for a key from [OpenPublic].
	Private crypto.Signer
	// CreatedAt is when the key was created.
	CreatedAt time.Time
	// ExpiresAt is when the key stops signing (a rotation interval), or nil.
	ExpiresAt *time.Time

	// publicJSON is the row's publicKey text, which [JWKS] spreads as Better Auth does.
	publicJSON []byte
}

// Row is a jwks table row as stored. Empty Alg and Crv stand for NULL.
type Row struct {
	// ID is the key id (32 characters from Better Auth's id generator).
	ID string
	// PublicKey is the public JWK as JSON text.
	PublicKey string
	// PrivateKey is the private JWK: JSON text of the envelope string (a JSON string literal) when private
	// keys are encrypted, Better Auth's default; the JWK's JSON text itself with
	// disablePrivateKeyEncryption.
	PrivateKey string
	// Alg is the key's algorithm; "" (NULL, rows from before the column existed) means the configured one.
	Alg string
	// Crv is the key's curve; "" (NULL) for RSA keys.
	Crv string
	// CreatedAt is when the row was created (Better Auth stores whole milliseconds).
	CreatedAt time.Time
	// ExpiresAt is set when a rotation interval is configured; nil means the key never expires.
	ExpiresAt *time.Time
}

// algSpec describes one algorithm: its key type and, for signing, its hash.
type algSpec struct {
	kty   string // "OKP", "EC" or "RSA"
	curve elliptic.Curve
	crv   string
	hash  crypto.Hash
	pss   bool
}

var algs = map[string]algSpec{
	"EdDSA": {kty: "OKP", crv: "Ed25519"},
	"ES256": {kty: "EC", curve: elliptic.P256(), crv: "P-256", hash: crypto.SHA256},
	"ES384": {kty: "EC", curve: elliptic.P384(), crv: "P-384", hash: crypto.SHA384},
	"ES512": {kty: "EC", curve: elliptic.P521(), crv: "P-521", hash: crypto.SHA512},
	"RS256": {kty: "RSA", hash: crypto.SHA256},
	"RS384": {kty: "RSA", hash: crypto.SHA384},
	"RS512": {kty: "RSA", hash: crypto.SHA512},
	"PS256": {kty: "RSA", hash: crypto.SHA256, pss: true},
	"PS384": {kty: "RSA", hash: crypto.SHA384, pss: true},
	"PS512": {kty: "RSA", hash: crypto.SHA512, pss: true},
}

func lookupAlg(alg string) (algSpec, error) {
	s, ok := algs[alg]
	if !ok {
		return algSpec{}, fmt.Errorf("%w %q", ErrAlgorithm, alg)
	}
	return s, nil
}

// Generate creates a key for alg ("" means [DefaultAlg]; also ES256, ES512, RS256 and PS256, the JWT
// plugin's algorithms, and ES384, RS384, RS512, PS384 and PS512) and the row Better Auth's createJwk
// would store for it: a new id, the public JWK's JSON text, the private JWK's JSON text encrypted with
// [Encrypt] and written as a JSON string (or, when encrypt is false, Better Auth's
// disablePrivateKeyEncryption, the JWK's JSON text), alg, crv (none for RSA), CreatedAt = now in whole
// milliseconds and no ExpiresAt ([Policy.Generate] sets it for a rotation interval).
func Generate(alg string, secrets Secrets, encrypt bool, now time.Time) (*Key, *Row, error) {
	if alg == "" {
		alg = DefaultAlg
	}
	spec, err := lookupAlg(alg)
	if err != nil {
		return nil, nil, err
	}
	var priv crypto.Signer
	switch spec.kty {
	case "OKP":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case "EC":
		priv, err = ecdsa.GenerateKey(spec.curve, rand.Reader)
	default:
		priv, err = rsa.GenerateKey(rand.Reader, RSABits)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("jwtissue: generating a %s key: %w", alg, err)
	}
	pubJSON, err := exportJWK(priv.Public(), nil)
	if err != nil {
		return nil, nil, err
	}
	privJSON, err := exportJWK(priv.Public(), priv)
	if err != nil {
		return nil, nil, err
	}
	stored := string(privJSON)
	if encrypt {
		env, err := Encrypt(secrets, stored)
		if err != nil {
			return nil, nil, err
		}
		stored = string(betterauth.AppendJSString(nil, env))
	}
	row := &Row{
		ID:         betterauth.NewID(),
		PublicKey:  string(pubJSON),
		PrivateKey: stored,
		Alg:        alg,
		Crv:        spec.crv,
		CreatedAt:  time.UnixMilli(now.UnixMilli()).UTC(),
	}
	k, err := newKey(*row, priv.Public(), priv)
	if err != nil {
		return nil, nil, err
	}
	return k, row, nil
}

// Open opens a row whose private key is encrypted (Better Auth's default): PrivateKey must be a JSON
// string holding an envelope, which [Decrypt] opens with secrets. The private JWK must suit the row's alg
// ([DefaultAlg] when the row has none; set Row.Alg to the configured algorithm for such rows under another
// one) and match the row's public key. A row written with disablePrivateKeyEncryption fails, as it does
// in Better Auth; open it with [OpenUnencrypted].
func Open(r Row, secrets Secrets) (*Key, error) {
	var env string
	if err := json.Unmarshal([]byte(r.PrivateKey), &env); err != nil {
		return nil, fmt.Errorf("%w: row %q: privateKey is not a JSON string (an unencrypted key?)", ErrKey, r.ID)
	}
	pt, err := Decrypt(secrets, env)
	if err != nil {
		return nil, fmt.Errorf("%w (row %q, private key)", err, r.ID)
	}
	return openPlain(r, pt)
}

// OpenUnencrypted opens a row written with disablePrivateKeyEncryption: PrivateKey is the private JWK's
// JSON text. Otherwise it is [Open].
func OpenUnencrypted(r Row) (*Key, error) { return openPlain(r, r.PrivateKey) }

// OpenPublic opens the public half of a row, for verification and the key set: the returned Key has no
// Private. The private key is not read, so a row encrypted with a retired secret still opens.
func OpenPublic(r Row) (*Key, error) {
	pub, err := parsePublic(r)
	if err != nil {
		return nil, err
	}
	return newKey(r, pub, nil)
}

func openPlain(r Row, privJSON string) (*Key, error) {
	pub, err := parsePublic(r)
	if err != nil {
		return nil, err
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON([]byte(privJSON)); err != nil {
		return nil, fmt.Errorf("%w: row %q: private JWK: %v", ErrKey, r.ID, err)
	}
	priv, ok := jwk.Key.(crypto.Signer)
	if !ok || jwk.IsPublic() {
		return nil, fmt.Errorf("%w: row %q: private JWK holds no private key", ErrKey, r.ID)
	}
	eq, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(pub) {
		return nil, fmt.Errorf("%w: row %q: private key does not match the public key", ErrKey, r.ID)
	}
	return newKey(r, pub, priv)
}

// parsePublic reads the row's public JWK.
func parsePublic(r Row) (crypto.PublicKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON([]byte(r.PublicKey)); err != nil {
		return nil, fmt.Errorf("%w: row %q: public JWK: %v", ErrKey, r.ID, err)
	}
	if !jwk.IsPublic() {
		return nil, fmt.Errorf("%w: row %q: publicKey holds a private key", ErrKey, r.ID)
	}
	return jwk.Key, nil
}

// newKey checks that pub suits the row's algorithm and builds the Key.
func newKey(r Row, pub crypto.PublicKey, priv crypto.Signer) (*Key, error) {
	alg := r.Alg
	if alg == "" {
		alg = DefaultAlg
	}
	spec, err := lookupAlg(alg)
	if err != nil {
		return nil, fmt.Errorf("%w (row %q)", err, r.ID)
	}
	if err := checkKey(spec, pub); err != nil {
		return nil, fmt.Errorf("%w: row %q: %s key: %v", ErrAlgorithm, r.ID, alg, err)
	}
	crv := r.Crv
	if crv == "" {
		crv = spec.crv
	}
	k := &Key{
		ID:         r.ID,
		Alg:        alg,
		Crv:        crv,
		Public:     jose.JSONWebKey{Key: pub, KeyID: r.ID, Algorithm: alg},
		Private:    priv,
		CreatedAt:  r.CreatedAt,
		publicJSON: []byte(r.PublicKey),
	}
	if r.ExpiresAt != nil {
		t := *r.ExpiresAt
		k.ExpiresAt = &t
	}
	return k, nil
}

// checkKey reports whether pub is a key for spec, as jose's importJWK and sign require: Ed25519 for EdDSA,
// the algorithm's curve for ES*, RSA of at least 2048 bits for RS* and PS*.
func checkKey(spec algSpec, pub crypto.PublicKey) error {
	switch p := pub.(type) {
	case ed25519.PublicKey:
		if spec.kty == "OKP" {
			return nil
		}
	case *ecdsa.PublicKey:
		if spec.kty == "EC" && p.Curve == spec.curve {
			return nil
		}
	case *rsa.PublicKey:
		if spec.kty == "RSA" {
			if p.N.BitLen() < RSABits {
				return fmt.Errorf("modulus of %d bits, want at least %d", p.N.BitLen(), RSABits)
			}
			return nil
		}
	}
	return fmt.Errorf("wrong key type %T", pub)
}

var b64 = base64.RawURLEncoding

// exportJWK writes pub (and priv, when not nil) as a JWK in the member order of Node's jose 6
// exportJWK: OKP crv, (d,) x, kty; EC kty, x, y, crv(, d); RSA kty, n, e(, d, p, q, dp, dq, qi).
// Integers are big-endian without leading zeros; EC coordinates and d have the curve's full size.
func exportJWK(pub crypto.PublicKey, priv crypto.Signer) ([]byte, error) {
	o := &betterauth.Object{}
	switch p := pub.(type) {
	case ed25519.PublicKey:
		o.SetString("crv", "Ed25519")
		if priv != nil {
			sk, ok := priv.(ed25519.PrivateKey)
			if !ok {
				return nil, errors.New("jwtissue: exportJWK: mismatched key types")
			}
			o.SetString("d", b64.EncodeToString(sk.Seed()))
		}
		o.SetString("x", b64.EncodeToString(p))
		o.SetString("kty", "OKP")
	case *ecdsa.PublicKey:
		point, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("jwtissue: exportJWK: %w", err)
		}
		size := (len(point) - 1) / 2
		o.SetString("kty", "EC")
		o.SetString("x", b64.EncodeToString(point[1:1+size]))
		o.SetString("y", b64.EncodeToString(point[1+size:]))
		o.SetString("crv", p.Curve.Params().Name)
		if priv != nil {
			sk, ok := priv.(*ecdsa.PrivateKey)
			if !ok {
				return nil, errors.New("jwtissue: exportJWK: mismatched key types")
			}
			d, err := sk.Bytes()
			if err != nil {
				return nil, fmt.Errorf("jwtissue: exportJWK: %w", err)
			}
			o.SetString("d", b64.EncodeToString(d))
		}
	case *rsa.PublicKey:
		o.SetString("kty", "RSA")
		o.SetString("n", b64.EncodeToString(p.N.Bytes()))
		o.SetString("e", b64.EncodeToString(big.NewInt(int64(p.E)).Bytes()))
		if priv != nil {
			sk, ok := priv.(*rsa.PrivateKey)
			if !ok || len(sk.Primes) != 2 {
				return nil, errors.New("jwtissue: exportJWK: want a two-prime RSA key")
			}
			if sk.Precomputed.Dp == nil || sk.Precomputed.Dq == nil || sk.Precomputed.Qinv == nil {
				sk.Precompute()
			}
			for _, m := range []struct {
				name string
				v    *big.Int
			}{
				{"d", sk.D}, {"p", sk.Primes[0]}, {"q", sk.Primes[1]},
				{"dp", sk.Precomputed.Dp}, {"dq", sk.Precomputed.Dq}, {"qi", sk.Precomputed.Qinv},
			} {
				o.SetString(m.name, b64.EncodeToString(m.v.Bytes()))
			}
		}
	default:
		return nil, fmt.Errorf("%w: key type %T", ErrAlgorithm, pub)
	}
	return o.Bytes(), nil
}
