package jwtissue

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// baRow is a jwks row as Better Auth's SQLite adapter returns it (dates as ISO strings).
type baRow struct {
	ID         string  `json:"id"`
	PublicKey  string  `json:"publicKey"`
	PrivateKey string  `json:"privateKey"`
	CreatedAt  string  `json:"createdAt"`
	ExpiresAt  *string `json:"expiresAt"`
	Alg        *string `json:"alg"`
	Crv        *string `json:"crv"`
}

func (r baRow) row(tb testing.TB) Row {
	tb.Helper()
	out := Row{ID: r.ID, PublicKey: r.PublicKey, PrivateKey: r.PrivateKey, CreatedAt: parseDate(tb, r.CreatedAt)}
	if r.ExpiresAt != nil {
		t := parseDate(tb, *r.ExpiresAt)
		out.ExpiresAt = &t
	}
	if r.Alg != nil {
		out.Alg = *r.Alg
	}
	if r.Crv != nil {
		out.Crv = *r.Crv
	}
	return out
}

func parseDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// baOp and baResult are one op of testdata/ba-request.json and Better Auth's answer in ba-vectors.json.
type baOp struct {
	Op                          string          `json:"op"`
	Data                        string          `json:"data"`
	Alg                         string          `json:"alg"`
	Payload                     json.RawMessage `json:"payload"`
	Secrets                     json.RawMessage `json:"secrets"`
	DisablePrivateKeyEncryption bool            `json:"disablePrivateKeyEncryption"`
	RotationInterval            int             `json:"rotationInterval"`
}

type baResult struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

type baSigned struct {
	Token string          `json:"token"`
	Rows  []baRow         `json:"rows"`
	JWKS  json.RawMessage `json:"jwks"`
}

// vectors loads the Better Auth vectors: each op with its answer, and the secrets the op ran with.
func vectors(tb testing.TB) (ops []baOp, results []baResult, single, rotated Secrets) {
	tb.Helper()
	var req struct {
		Secret  string      `json:"secret"`
		Secrets []Versioned `json:"secrets"`
		Ops     []baOp      `json:"ops"`
	}
	var ans struct {
		Results []baResult `json:"results"`
	}
	readJSON(tb, "testdata/ba-request.json", &req)
	readJSON(tb, "testdata/ba-vectors.json", &ans)
	if len(req.Ops) != len(ans.Results) || len(req.Ops) == 0 {
		tb.Fatalf("%d ops, %d results", len(req.Ops), len(ans.Results))
	}
	return req.Ops, ans.Results, Secrets{Current: req.Secret}, Secrets{Versions: req.Secrets, Legacy: req.Secret}
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

func secretsFor(op baOp, single, rotated Secrets) Secrets {
	if string(op.Secrets) == "null" {
		return single
	}
	return rotated
}

func compact(tb testing.TB, raw []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestProbeRow opens the jwks row the real Better Auth server of the probe stored (Ed25519, private key
// encrypted as bare hex under its single secret).
func TestProbeRow(t *testing.T) {
	var v struct {
		Secret string `json:"secret"`
		Row    baRow  `json:"row"`
	}
	readJSON(t, "testdata/probe-jwks.json", &v)
	row := v.Row.row(t)
	tests := []struct {
		name    string
		secrets Secrets
		err     error
	}{
		{name: "single secret", secrets: Secrets{Current: v.Secret}},
		{name: "single secret as Legacy", secrets: Secrets{Legacy: v.Secret}},
		{name: "rotated, legacy secret", secrets: Secrets{Versions: []Versioned{{1, "a-newer-secret-0123456789abcdefghijklmnop"}}, Legacy: v.Secret}},
		{name: "rotated, no legacy secret", secrets: Secrets{Versions: []Versioned{{1, "a-newer-secret-0123456789abcdefghijklmnop"}}}, err: ErrNoLegacySecret},
		{name: "wrong secret", secrets: Secrets{Current: v.Secret + "x"}, err: ErrDecrypt},
		{name: "no secret", err: ErrSecrets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Open(row, tt.secrets)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Open: %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if k.ID != row.ID || k.Alg != "EdDSA" || k.Crv != "Ed25519" || !k.CreatedAt.Equal(row.CreatedAt) || k.ExpiresAt != nil {
				t.Errorf("key %+v", k)
			}
			pub, err := exportJWK(k.Private.Public(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(pub) != row.PublicKey {
				t.Errorf("private key's public JWK %s, row has %s", pub, row.PublicKey)
			}
			var env string
			if err := json.Unmarshal([]byte(row.PrivateKey), &env); err != nil {
				t.Fatal(err)
			}
			pt, err := Decrypt(tt.secrets, env)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := exportJWK(k.Private.Public(), k.Private)
			if err != nil {
				t.Fatal(err)
			}
			if string(priv) != pt {
				t.Errorf("re-exported private JWK %s, Better Auth stored %s", priv, pt)
			}
		})
	}
}

// TestBAEnvelopes decrypts what Better Auth's symmetricEncrypt wrote, with the single secret (bare hex)
// and with rotated secrets ("$ba$3$…"), and checks the other configuration refuses it.
func TestBAEnvelopes(t *testing.T) {
	ops, results, single, rotated := vectors(t)
	n := 0
	for i, op := range ops {
		if op.Op != "encrypt" {
			continue
		}
		n++
		var env string
		if err := json.Unmarshal(results[i].Value, &env); err != nil || !results[i].OK {
			t.Fatalf("op %d: %s %v", i, results[i].Value, err)
		}
		s := secretsFor(op, single, rotated)
		wantPrefix := string(op.Secrets) != "null"
		if strings.HasPrefix(env, "$ba$3$") != wantPrefix {
			t.Fatalf("op %d: envelope %q", i, env)
		}
		got, err := Decrypt(s, env)
		if err != nil || got != op.Data {
			t.Errorf("op %d: Decrypt = %q, %v; want %q", i, got, err, op.Data)
		}
		// A bare-hex payload also opens under the rotated secrets, with the legacy secret; an envelope
		// does not open under the single secret.
		got, err = Decrypt(rotated, env)
		if err != nil || got != op.Data {
			t.Errorf("op %d: Decrypt(rotated) = %q, %v", i, got, err)
		}
		if wantPrefix {
			if _, err := Decrypt(single, env); !errors.Is(err, ErrDecrypt) {
				t.Errorf("op %d: envelope under the single secret: %v", i, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no encrypt vectors")
	}
}

// TestBAKeys opens every key Better Auth created (each algorithm, single and rotated secrets, plain and
// with a rotation interval), and checks that this package writes the same public and private JWK text,
// the same /jwks body, verifies Better Auth's token and signs it again (byte for byte for EdDSA).
func TestBAKeys(t *testing.T) {
	ops, results, single, rotated := vectors(t)
	n := 0
	for i, op := range ops {
		if op.Op != "sign" {
			continue
		}
		n++
		name := op.Alg
		if string(op.Secrets) == "null" {
			name += "/single"
		}
		if op.DisablePrivateKeyEncryption {
			name += "/unencrypted"
		}
		if op.RotationInterval != 0 {
			name += "/rotation"
		}
		t.Run(name, func(t *testing.T) {
			var v baSigned
			if err := json.Unmarshal(results[i].Value, &v); err != nil || !results[i].OK || len(v.Rows) != 1 {
				t.Fatalf("result %s %v", results[i].Value, err)
			}
			row := v.Rows[0].row(t)
			s := secretsFor(op, single, rotated)
			p := Policy{Alg: op.Alg, DisablePrivateKeyEncryption: op.DisablePrivateKeyEncryption,
				RotationInterval: time.Duration(op.RotationInterval) * time.Second}
			k, err := p.Open(row, s)
			if err != nil {
				t.Fatal(err)
			}
			if (row.ExpiresAt != nil) != (op.RotationInterval != 0) {
				t.Errorf("expiresAt %v", row.ExpiresAt)
			}
			if row.ExpiresAt != nil && row.ExpiresAt.Sub(row.CreatedAt).Round(time.Second) != p.RotationInterval {
				t.Errorf("createdAt %v expiresAt %v", row.CreatedAt, row.ExpiresAt)
			}

			// The JWK text, member for member.
			pub, err := exportJWK(k.Private.Public(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(pub) != row.PublicKey {
				t.Errorf("public JWK\n got %s\nwant %s", pub, row.PublicKey)
			}
			plain := row.PrivateKey
			if !op.DisablePrivateKeyEncryption {
				var env string
				if err := json.Unmarshal([]byte(row.PrivateKey), &env); err != nil {
					t.Fatal(err)
				}
				if plain, err = Decrypt(s, env); err != nil {
					t.Fatal(err)
				}
			}
			priv, err := exportJWK(k.Private.Public(), k.Private)
			if err != nil {
				t.Fatal(err)
			}
			if string(priv) != plain {
				t.Errorf("private JWK\n got %s\nwant %s", priv, plain)
			}

			// The /jwks body.
			want := compact(t, v.JWKS)
			if got, err := JWKS([]*Key{k}); err != nil || !bytes.Equal(got, want) {
				t.Errorf("JWKS\n got %s %v\nwant %s", got, err, want)
			}
			if got, err := PublishedJWKS([]Row{row}, p, row.CreatedAt); err != nil || !bytes.Equal(got, want) {
				t.Errorf("PublishedJWKS\n got %s %v\nwant %s", got, err, want)
			}

			// Better Auth's token verifies with the key, and signing its payload again verifies too.
			parts := strings.Split(v.Token, ".")
			if len(parts) != 3 {
				t.Fatalf("token %q", v.Token)
			}
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, k.Private.Public(), k.Alg, k.ID, v.Token, payload)
			tok, err := SignPayload(k, payload)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, k.Private.Public(), k.Alg, k.ID, tok, payload)
			if k.Alg == "EdDSA" && tok != v.Token {
				t.Errorf("EdDSA token\n got %s\nwant %s", tok, v.Token)
			}
			if !strings.HasPrefix(tok, parts[0]+".") {
				t.Errorf("header %s, Better Auth's %s", strings.Split(tok, ".")[0], parts[0])
			}
		})
	}
	if n == 0 {
		t.Fatal("no sign vectors")
	}
}

// checkToken verifies tok with go-jose and checks its header and payload.
func checkToken(tb testing.TB, pub crypto.PublicKey, alg, kid, tok string, payload []byte) {
	tb.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		tb.Fatal(err)
	}
	got, err := jws.Verify(pub)
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	if !bytes.Equal(got, payload) {
		tb.Errorf("payload %s, want %s", got, payload)
	}
	h := jws.Signatures[0].Protected
	if h.KeyID != kid || h.Algorithm != alg || len(h.ExtraHeaders) != 0 {
		tb.Errorf("header %+v", h)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if want := `{"alg":"` + alg + `","kid":"` + kid + `"}`; string(hdr) != want {
		tb.Errorf("header %s, want %s", hdr, want)
	}
}
