package jwtissue

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzSecrets decrypt the single-secret and the rotated vectors (the rotated ones with their legacy
// secret).
func fuzzSecrets(tb testing.TB) Secrets {
	_, _, _, rotated := vectors(tb)
	return rotated
}

// FuzzDecrypt feeds envelopes (untrusted database text) to Decrypt, seeded with Better Auth's own.
func FuzzDecrypt(f *testing.F) {
	ops, results, _, _ := vectors(f)
	for i, op := range ops {
		switch op.Op {
		case "encrypt":
			var env string
			_ = json.Unmarshal(results[i].Value, &env)
			f.Add(env)
		case "sign":
			var v baSigned
			_ = json.Unmarshal(results[i].Value, &v)
			var env string
			if len(v.Rows) == 1 && json.Unmarshal([]byte(v.Rows[0].PrivateKey), &env) == nil {
				f.Add(env)
			}
		}
	}
	for _, s := range []string{"", "$ba$", "$ba$3$", "$ba$ 3$00", "$ba$-0$", "$ba$1e3$", "$ba$99999999999999999999999$", "0"} {
		f.Add(s)
	}
	secrets := fuzzSecrets(f)
	f.Fuzz(func(t *testing.T, env string) {
		pt, err := Decrypt(secrets, env)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrSecretVersion) && !errors.Is(err, ErrNoLegacySecret) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !utf8.ValidString(pt) {
			t.Fatalf("invalid UTF-8 plaintext %q", pt)
		}
	})
}

// FuzzOpen feeds jwks rows (untrusted database text) to Open, OpenPublic and PublishedJWKS, seeded with
// the rows Better Auth stored. An opened key must sign tokens its own public key verifies.
func FuzzOpen(f *testing.F) {
	ops, results, _, _ := vectors(f)
	for i, op := range ops {
		if op.Op != "sign" {
			continue
		}
		var v baSigned
		_ = json.Unmarshal(results[i].Value, &v)
		for _, r := range v.Rows {
			alg := ""
			if r.Alg != nil {
				alg = *r.Alg
			}
			f.Add(r.PublicKey, r.PrivateKey, alg)
		}
	}
	f.Add(`{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`, `"$ba$3$00"`, "EdDSA")
	f.Add(`{"a":1,"a":{"b":[1e400,-0]}}`, `{}`, "")
	secrets := fuzzSecrets(f)
	now := time.Unix(1795872551, 0)
	f.Fuzz(func(t *testing.T, pub, priv, alg string) {
		r := Row{ID: "fuzz", PublicKey: pub, PrivateKey: priv, Alg: alg, CreatedAt: now}
		if body, err := PublishedJWKS([]Row{r}, Policy{}, now); err == nil && !json.Valid(body) {
			t.Fatalf("PublishedJWKS wrote invalid JSON %s", body)
		}
		if k, err := OpenPublic(r); err == nil {
			if body, err := JWKS([]*Key{k}); err != nil || !json.Valid(body) {
				t.Fatalf("JWKS of an opened key: %s %v", body, err)
			}
		}
		for _, open := range []func(Row) (*Key, error){
			func(r Row) (*Key, error) { return Open(r, secrets) },
			OpenUnencrypted,
		} {
			k, err := open(r)
			if err != nil {
				continue
			}
			tok, err := SignPayload(k, []byte(`{"sub":"x"}`))
			if err != nil {
				t.Fatalf("an opened key does not sign: %v", err)
			}
			checkToken(t, k.Public.Key, k.Alg, k.ID, tok, []byte(`{"sub":"x"}`))
		}
	})
}
