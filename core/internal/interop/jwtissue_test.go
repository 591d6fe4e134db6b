package interop_test

import (
	"bytes"
	"context"
	"crypto"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	_ "modernc.org/sqlite" // the SQLite driver, for the server's DB_FILE

	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
)

// These tests put core/internal/jwtissue next to Better Auth's own JWT-plugin code: interop/jwtissue.mjs
// runs symmetricEncrypt/symmetricDecrypt and the plugin's signJWT and /jwks on a betterAuth instance, and
// the interop server signs /token with keys Go wrote into its SQLite file.

const (
	jiLegacy = "jwtissue-legacy-secret-0123456789abcdefghijkl"
	jiV3     = "jwtissue-secret-version-3-0123456789abcdefghi"
	jiV1     = "jwtissue-secret-version-1-0123456789abcdefghi"
)

var (
	jiRotated = jwtissue.Secrets{Versions: []jwtissue.Versioned{{Version: 3, Value: jiV3}, {Version: 1, Value: jiV1}}, Legacy: jiLegacy}
	jiSingle  = jwtissue.Secrets{Current: jiLegacy}
	// jiNodeRotated is jiRotated as Better Auth's options: secret (the legacy one) and secrets.
	jiNodeRotated = json.RawMessage(`[{"version":3,"value":"` + jiV3 + `"},{"version":1,"value":"` + jiV1 + `"}]`)
)

// jiOp is one op for interop/jwtissue.mjs; Secrets "null" means Better Auth's single secret.
type jiOp map[string]any

type jiResult struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

// runJWTIssue runs interop/jwtissue.mjs with ops (the request's secret is jiLegacy, its secrets
// jiNodeRotated) and returns one result per op.
func runJWTIssue(t *testing.T, ops ...jiOp) []jiResult {
	t.Helper()
	interop.Require(t)
	dir, err := interop.Dir()
	if err != nil {
		t.Fatal(err)
	}
	req, err := json.Marshal(map[string]any{"secret": jiLegacy, "secrets": jiNodeRotated, "ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "jwtissue.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node jwtissue.mjs: %v\n%s", err, stderr.String())
	}
	var ans struct{ Results []jiResult }
	if err := json.Unmarshal(out, &ans); err != nil || len(ans.Results) != len(ops) {
		t.Fatalf("node jwtissue.mjs answered %s (%v)\n%s", out, err, stderr.String())
	}
	return ans.Results
}

// value decodes a successful result.
func (r jiResult) value(tb testing.TB, v any) {
	tb.Helper()
	if !r.OK {
		tb.Fatalf("Better Auth: %s", r.Error)
	}
	if err := json.Unmarshal(r.Value, v); err != nil {
		tb.Fatal(err)
	}
}

// TestJWTIssueEnvelopes: envelopes Go writes open in Better Auth's symmetricDecrypt, and the ones Better
// Auth's symmetricEncrypt writes open in Go, for rotated secrets (current and older versions), the legacy
// secret and the single secret.
func TestJWTIssueEnvelopes(t *testing.T) {
	texts := []string{"", `{"crv":"Ed25519","d":"x","x":"y","kty":"OKP"}`, "ünïcødé ✓ 🚀 \u2028 <&>"}
	type goCase struct {
		name    string
		secrets jwtissue.Secrets // Go encrypts with these
		node    string           // Better Auth decrypts with: "rotated" or "single"
		fail    bool             // Better Auth refuses it
	}
	goCases := []goCase{
		{name: "rotated, current version", secrets: jiRotated, node: "rotated"},
		{name: "older version", secrets: jwtissue.Secrets{Versions: []jwtissue.Versioned{{Version: 1, Value: jiV1}}}, node: "rotated"},
		{name: "bare hex, single secret", secrets: jiSingle, node: "single"},
		{name: "bare hex, legacy secret", secrets: jiSingle, node: "rotated"},
		{name: "envelope under the single secret", secrets: jiRotated, node: "single", fail: true},
		{name: "unknown version", secrets: jwtissue.Secrets{Versions: []jwtissue.Versioned{{Version: 7, Value: jiV1}}}, node: "rotated", fail: true},
	}
	var ops []jiOp
	var want []string
	for _, c := range goCases {
		for _, pt := range texts {
			env, err := jwtissue.Encrypt(c.secrets, pt)
			if err != nil {
				t.Fatal(err)
			}
			op := jiOp{"op": "decrypt", "data": env}
			if c.node == "single" {
				op["secrets"] = nil
			}
			ops = append(ops, op)
			want = append(want, pt)
		}
	}
	nGo := len(ops)
	for _, node := range []string{"rotated", "single"} {
		for _, pt := range texts {
			op := jiOp{"op": "encrypt", "data": pt}
			if node == "single" {
				op["secrets"] = nil
			}
			ops = append(ops, op)
		}
	}
	results := runJWTIssue(t, ops...)

	for i, r := range results[:nGo] {
		c := goCases[i/len(texts)]
		t.Run("Go to Node/"+c.name, func(t *testing.T) {
			if c.fail {
				if r.OK {
					t.Errorf("Better Auth decrypted %s", ops[i]["data"])
				}
				return
			}
			var got string
			r.value(t, &got)
			if got != want[i] {
				t.Errorf("Better Auth decrypted %q, want %q", got, want[i])
			}
		})
	}
	for i, r := range results[nGo:] {
		node := []string{"rotated", "single"}[i/len(texts)]
		pt := texts[i%len(texts)]
		t.Run("Node to Go/"+node, func(t *testing.T) {
			var env string
			r.value(t, &env)
			s := jiRotated
			if node == "single" {
				s = jiSingle
				if strings.HasPrefix(env, "$") {
					t.Errorf("single secret wrote %q", env)
				}
			} else if !strings.HasPrefix(env, "$ba$3$") {
				t.Errorf("rotated secrets wrote %q", env)
			}
			if got, err := jwtissue.Decrypt(s, env); err != nil || got != pt {
				t.Errorf("Decrypt = %q, %v; want %q", got, err, pt)
			}
			// The rotated secrets open the single secret's bare hex with the legacy secret; without
			// version 3, an envelope of version 3 does not open.
			if got, err := jwtissue.Decrypt(jiRotated, env); err != nil || got != pt {
				t.Errorf("Decrypt(rotated) = %q, %v", got, err)
			}
			if node == "rotated" {
				old := jwtissue.Secrets{Versions: []jwtissue.Versioned{{Version: 1, Value: jiV1}}, Legacy: jiLegacy}
				if _, err := jwtissue.Decrypt(old, env); !errors.Is(err, jwtissue.ErrSecretVersion) {
					t.Errorf("Decrypt without version 3: %v", err)
				}
			}
		})
	}
}

// nodeRow is a jwks row as interop/jwtissue.mjs reads and writes it (dates as ISO strings).
type nodeRow struct {
	ID         string  `json:"id"`
	PublicKey  string  `json:"publicKey"`
	PrivateKey string  `json:"privateKey"`
	CreatedAt  string  `json:"createdAt"`
	ExpiresAt  *string `json:"expiresAt"`
	Alg        *string `json:"alg"`
	Crv        *string `json:"crv"`
}

// isoDate writes t as Better Auth stores a date in SQLite (Date.prototype.toISOString).
func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func toNodeRow(r jwtissue.Row) nodeRow {
	n := nodeRow{ID: r.ID, PublicKey: r.PublicKey, PrivateKey: r.PrivateKey, CreatedAt: isoDate(r.CreatedAt)}
	if r.ExpiresAt != nil {
		s := isoDate(*r.ExpiresAt)
		n.ExpiresAt = &s
	}
	if r.Alg != "" {
		n.Alg = &r.Alg
	}
	if r.Crv != "" {
		n.Crv = &r.Crv
	}
	return n
}

func (n nodeRow) row(tb testing.TB) jwtissue.Row {
	tb.Helper()
	r := jwtissue.Row{ID: n.ID, PublicKey: n.PublicKey, PrivateKey: n.PrivateKey, CreatedAt: parseISO(tb, n.CreatedAt)}
	if n.ExpiresAt != nil {
		t := parseISO(tb, *n.ExpiresAt)
		r.ExpiresAt = &t
	}
	if n.Alg != nil {
		r.Alg = *n.Alg
	}
	if n.Crv != nil {
		r.Crv = *n.Crv
	}
	return r
}

func parseISO(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// verifyJWS verifies tok with pub and returns its header and payload.
func verifyJWS(tb testing.TB, pub crypto.PublicKey, alg, tok string) (hdr, payload []byte) {
	tb.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		tb.Fatalf("%v: %s", err, tok)
	}
	if payload, err = jws.Verify(pub); err != nil {
		tb.Fatalf("verify %s: %v", alg, err)
	}
	hdr, err = base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		tb.Fatal(err)
	}
	return hdr, payload
}

// TestJWTIssueNodeSignsGoKeys: the JWT plugin's signJWT signs with keys Go generated and encrypted (each
// algorithm; rotated secrets, the single secret, unencrypted), its /jwks lists them exactly as Go renders
// them, Go's tokens verify against that key set with jose, and the plugin picks the same signing key as
// jwtissue.Current among rows of several ages, algorithms and expiries.
func TestJWTIssueNodeSignsGoKeys(t *testing.T) {
	now := time.Now()
	type signCase struct {
		name    string
		policy  jwtissue.Policy
		secrets jwtissue.Secrets
		single  bool
	}
	var cases []signCase
	for _, alg := range algorithms {
		cases = append(cases, signCase{name: alg, policy: jwtissue.Policy{Alg: alg}, secrets: jiRotated})
	}
	cases = append(cases,
		signCase{name: "EdDSA/single secret", policy: jwtissue.Policy{}, secrets: jiSingle, single: true},
		signCase{name: "ES256/unencrypted", policy: jwtissue.Policy{Alg: "ES256", DisablePrivateKeyEncryption: true}, secrets: jiRotated},
		signCase{name: "PS256/rotation interval", policy: jwtissue.Policy{Alg: "PS256", RotationInterval: time.Hour}, secrets: jiRotated},
	)
	type prepared struct {
		key *jwtissue.Key
		row jwtissue.Row
	}
	var ops []jiOp
	var keys []prepared
	for _, c := range cases {
		k, r, err := c.policy.Generate(c.secrets, now)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, prepared{k, *r})
		op := jiOp{"op": "sign", "alg": c.policy.Alg, "rows": []nodeRow{toNodeRow(*r)}, "payload": map[string]any{"sub": "user-1", "name": "Ada"},
			"disablePrivateKeyEncryption": c.policy.DisablePrivateKeyEncryption, "rotationInterval": int(c.policy.RotationInterval / time.Second)}
		if op["alg"] == "" {
			op["alg"] = "EdDSA"
		}
		if c.single {
			op["secrets"] = nil
		}
		ops = append(ops, op)
	}
	// Go's tokens, verified by jose against Go's key set.
	goTokens := make([]string, len(cases))
	for i, p := range keys {
		payload, err := jwtissue.Claims(jwtissue.Session{User: []byte(`{"name":"Ada","id":"user-1"}`)},
			jwtissue.ClaimsOptions{BaseURL: "http://localhost:3000"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if goTokens[i], err = jwtissue.SignPayload(p.key, payload); err != nil {
			t.Fatal(err)
		}
		body, err := jwtissue.JWKS([]*jwtissue.Key{p.key})
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, jiOp{"op": "verify", "token": goTokens[i], "jwks": json.RawMessage(body),
			"issuer": "http://localhost:3000", "audience": "http://localhost:3000"})
	}
	results := runJWTIssue(t, ops...)

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := keys[i]
			var v struct {
				Token string          `json:"token"`
				Rows  []nodeRow       `json:"rows"`
				JWKS  json.RawMessage `json:"jwks"`
			}
			results[i].value(t, &v)
			if len(v.Rows) != 1 || v.Rows[0].ID != p.row.ID {
				t.Fatalf("Better Auth did not sign with Go's key: rows %+v", v.Rows)
			}
			hdr, payload := verifyJWS(t, p.key.Public.Key, p.key.Alg, v.Token)
			if want := `{"alg":"` + p.key.Alg + `","kid":"` + p.row.ID + `"}`; string(hdr) != want {
				t.Errorf("header %s, want %s", hdr, want)
			}
			if p.key.Alg == "EdDSA" {
				// Deterministic: Go signs Better Auth's payload into Better Auth's token.
				if tok, err := jwtissue.SignPayload(p.key, payload); err != nil || tok != v.Token {
					t.Errorf("Go's token %s %v\nBetter Auth's %s", tok, err, v.Token)
				}
			}
			var buf bytes.Buffer
			_ = json.Compact(&buf, v.JWKS)
			got, err := jwtissue.PublishedJWKS([]jwtissue.Row{p.row}, c.policy, now)
			if err != nil || !bytes.Equal(got, buf.Bytes()) {
				t.Errorf("/jwks\n Go  %s %v\n Node %s", got, err, buf.Bytes())
			}

			var verified struct {
				Header  map[string]any `json:"header"`
				Payload map[string]any `json:"payload"`
			}
			results[len(cases)+i].value(t, &verified)
			if verified.Header["kid"] != p.row.ID || verified.Payload["sub"] != "user-1" || len(verified.Header) != 2 {
				t.Errorf("jose verified %+v", verified)
			}
		})
	}

	// Key choice: Better Auth and Current agree.
	t.Run("choice", func(t *testing.T) {
		gen := func(alg string, created time.Time, expires *time.Time) jwtissue.Row {
			_, r, err := jwtissue.Generate(alg, jiRotated, true, created)
			if err != nil {
				t.Fatal(err)
			}
			r.ExpiresAt = expires
			return *r
		}
		past, future := now.Add(-time.Minute), now.Add(time.Hour)
		choices := []struct {
			name string
			alg  string
			rows []jwtissue.Row
		}{
			{name: "newest live of the primary alg", alg: "EdDSA", rows: []jwtissue.Row{
				gen("EdDSA", now.Add(-3*time.Hour), nil), gen("EdDSA", now.Add(-2*time.Hour), &future),
				gen("EdDSA", now.Add(-time.Hour), &past), gen("ES256", now.Add(-time.Minute), nil)}},
			{name: "fallback to another alg", alg: "ES256", rows: []jwtissue.Row{
				gen("EdDSA", now.Add(-3*time.Hour), nil), gen("RS256", now.Add(-2*time.Hour), nil)}},
			{name: "all expired: a new key", alg: "EdDSA", rows: []jwtissue.Row{
				gen("EdDSA", now.Add(-3*time.Hour), &past)}},
		}
		var ops []jiOp
		for _, c := range choices {
			var rows []nodeRow
			for _, r := range c.rows {
				rows = append(rows, toNodeRow(r))
			}
			ops = append(ops, jiOp{"op": "sign", "alg": c.alg, "rows": rows, "payload": map[string]any{"sub": "x"}})
		}
		results := runJWTIssue(t, ops...)
		for i, c := range choices {
			var v struct {
				Token string    `json:"token"`
				Rows  []nodeRow `json:"rows"`
			}
			results[i].value(t, &v)
			var h struct{ Kid string }
			hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(v.Token, ".")[0])
			_ = json.Unmarshal(hb, &h)
			want, ok := jwtissue.Current(c.rows, jwtissue.Policy{Alg: c.alg}, time.Now())
			switch {
			case ok && h.Kid != want.ID:
				t.Errorf("%s: Better Auth signed with %s, Current chose %s", c.name, h.Kid, want.ID)
			case !ok && (len(v.Rows) != len(c.rows)+1 || h.Kid != v.Rows[len(v.Rows)-1].ID):
				t.Errorf("%s: Current wants a new key; Better Auth signed with %s, rows %d", c.name, h.Kid, len(v.Rows))
			}
			// Go opens the key Better Auth made, too.
			if !ok {
				if _, err := jwtissue.Open(v.Rows[len(v.Rows)-1].row(t), jiRotated); err != nil {
					t.Errorf("%s: Open of Better Auth's new key: %v", c.name, err)
				}
			}
		}
	})
}

// readJWKSRows reads the jwks table of a Better Auth SQLite file.
func readJWKSRows(t *testing.T, db *sql.DB) []jwtissue.Row {
	t.Helper()
	rs, err := db.Query(`select "id", "publicKey", "privateKey", cast("createdAt" as text), cast("expiresAt" as text),
		"alg", "crv" from "jwks" order by rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []jwtissue.Row
	for rs.Next() {
		var n nodeRow
		if err := rs.Scan(&n.ID, &n.PublicKey, &n.PrivateKey, &n.CreatedAt, &n.ExpiresAt, &n.Alg, &n.Crv); err != nil {
			t.Fatal(err)
		}
		out = append(out, n.row(t))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func getJWKSBody(t *testing.T, s *interop.Server) []byte {
	t.Helper()
	resp, err := http.Get(s.AuthURL("/jwks"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/jwks: %s %v %s", resp.Status, err, b)
	}
	return b
}

// kidOf returns the kid of a token's header.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	var h struct{ Kid string }
	hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// TestJWTIssueServerSignsGoKey runs the real server on a SQLite file: Go opens the key the server made;
// then Go adds its own key to the jwks table, and after a restart the server's /token signs with it (kid =
// Go's id), byte for byte the token Go signs for the same claims; /jwks lists both keys exactly as Go
// renders the table, and Go's tokens from either key verify against it with jose.
func TestJWTIssueServerSignsGoKey(t *testing.T) {
	interop.Require(t)
	file := filepath.Join(t.TempDir(), "auth.db")
	env := map[string]string{"DB_FILE": file, "BETTER_AUTH_SECRET": jiLegacy}
	s1 := interop.NewServer(t, env)
	ctx := context.Background()
	cookie, err := s1.SignUp(ctx, "jwtissue@example.com", "correct horse battery staple", "Zoë <Go>")
	if err != nil {
		t.Fatal(err)
	}
	tok1, err := s1.Token(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := readJWKSRows(t, db)
	if len(rows) != 1 || kidOf(t, tok1) != rows[0].ID {
		t.Fatalf("rows %+v, token kid %s", rows, kidOf(t, tok1))
	}
	k1, err := jwtissue.Open(rows[0], jwtissue.Secrets{Current: s1.Secret})
	if err != nil {
		t.Fatal(err)
	}
	verifyJWS(t, k1.Public.Key, k1.Alg, tok1)

	// Go's key, newer than the server's, in the server's table.
	k2, r2, err := jwtissue.Policy{}.Generate(jwtissue.Secrets{Current: s1.Secret}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := toNodeRow(*r2)
	if _, err := db.Exec(`insert into "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv")
		values (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.PublicKey, n.PrivateKey, n.CreatedAt, nil, n.Alg, n.Crv); err != nil {
		t.Fatal(err)
	}
	s1.Close()
	s2 := interop.NewServer(t, env)

	tok2, err := s2.Token(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, tok2) != k2.ID {
		t.Fatalf("the server signed with %s, not Go's key %s", kidOf(t, tok2), k2.ID)
	}
	_, payload := verifyJWS(t, k2.Public.Key, k2.Alg, tok2)

	// The same claims from Go: the user object as /get-session shows it, at the token's iat.
	sess, err := s2.GetSession(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	var iat struct{ Iat int64 }
	_ = json.Unmarshal(payload, &iat)
	claims, err := jwtissue.Claims(jwtissue.Session{Session: sess.Session, User: sess.UserJSON},
		jwtissue.ClaimsOptions{BaseURL: s2.BaseURL}, time.Unix(iat.Iat, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(claims, payload) {
		t.Errorf("claims\n Go   %s\n Node %s", claims, payload)
	}
	if goTok, err := jwtissue.SignPayload(k2, payload); err != nil || goTok != tok2 {
		t.Errorf("Go's token %s %v\nthe server's %s", goTok, err, tok2)
	}

	// /jwks: both keys, as Go renders the table.
	body := getJWKSBody(t, s2)
	rows = readJWKSRows(t, db)
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	if got, err := jwtissue.PublishedJWKS(rows, jwtissue.Policy{}, time.Now()); err != nil || !bytes.Equal(got, body) {
		t.Errorf("/jwks\n Go   %s %v\n Node %s", got, err, body)
	}

	// Go's tokens from the server's key and from Go's verify against the server's /jwks.
	var ops []jiOp
	for _, k := range []*jwtissue.Key{k1, k2} {
		tok, err := jwtissue.SignPayload(k, claims)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, jiOp{"op": "verify", "token": tok, "jwks": json.RawMessage(body),
			"issuer": jwtissue.Origin(s2.BaseURL), "audience": jwtissue.Origin(s2.BaseURL)})
	}
	for i, r := range runJWTIssue(t, ops...) {
		var v struct{ Header map[string]any }
		r.value(t, &v)
		if want := []string{k1.ID, k2.ID}[i]; v.Header["kid"] != want {
			t.Errorf("jose verified kid %v, want %s", v.Header["kid"], want)
		}
	}
}
