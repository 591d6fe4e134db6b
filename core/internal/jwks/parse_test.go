package jwks

import (
	"strings"
	"testing"
)

var allowAll = map[string]bool{"EdDSA": true, "ES256": true, "ES384": true, "ES512": true, "RS256": true, "PS256": true}

const edKey = `{"alg":"EdDSA","crv":"Ed25519","x":"g9mZcIGc8krg26QHY5gpyuAJNW6Yqy9q40p0udNBFDk","kty":"OKP","kid":"ngdGhj3EOUwjqdjKcPOQmIjlXmI5O9hy"}`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		keys    []string
		skipped int
		err     bool
	}{
		{"better auth", `{"keys":[` + edKey + `]}`, []string{"ngdGhj3EOUwjqdjKcPOQmIjlXmI5O9hy"}, 0, false},
		{"no alg inferred from curve", `{"keys":[` + strings.Replace(edKey, `"alg":"EdDSA",`, ``, 1) + `]}`, []string{"ngdGhj3EOUwjqdjKcPOQmIjlXmI5O9hy"}, 0, false},
		{"alg not allowed", `{"keys":[` + edKey + `]}`, nil, 1, false},
		{"alg does not fit key", `{"keys":[` + strings.Replace(edKey, `"EdDSA"`, `"ES256"`, 1) + `]}`, nil, 1, false},
		{"no kid", `{"keys":[` + strings.Replace(edKey, `,"kid":"ngdGhj3EOUwjqdjKcPOQmIjlXmI5O9hy"`, ``, 1) + `]}`, nil, 1, false},
		{"oct", `{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0","kid":"h","alg":"HS256"}]}`, nil, 1, false},
		{"private key published", `{"keys":[` + strings.Replace(edKey, `"kty"`, `"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kty"`, 1) + `]}`, nil, 1, false},
		{"duplicate kid", `{"keys":[` + edKey + `,` + edKey + `]}`, nil, 2, false},
		{"not JSON", `<html>`, nil, 0, true},
		{"keys missing", `{}`, nil, 0, true},
		{"keys null", `{"keys":null}`, nil, 0, true},
		{"too many", `{"keys":[` + strings.TrimSuffix(strings.Repeat(edKey+",", 3), ",") + `]}`, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowed := allowAll
			if tt.name == "alg not allowed" {
				allowed = map[string]bool{"ES256": true}
			}
			p, err := Parse([]byte(tt.body), allowed, 2)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if len(p.Keys) != len(tt.keys) || p.Skipped != tt.skipped {
				t.Fatalf("keys %v skipped %d; want %v, %d", p.Keys, p.Skipped, tt.keys, tt.skipped)
			}
			for _, k := range tt.keys {
				if p.Keys[k] == nil || p.Keys[k].Alg != "EdDSA" {
					t.Errorf("key %s: %+v", k, p.Keys[k])
				}
			}
		})
	}
}

// FuzzParse: any body parses without panicking into usable keys only.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"keys":[` + edKey + `]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec","alg":"ES256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r","alg":"RS256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AA","kid":"o"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Parse(body, allowAll, 10)
		if err != nil {
			return
		}
		if len(p.Keys) > 10 {
			t.Fatalf("%d keys", len(p.Keys))
		}
		for kid, k := range p.Keys {
			if kid == "" || len(kid) > MaxKeyIDBytes || k.ID != kid || !allowAll[k.Alg] || k.Public() == nil {
				t.Fatalf("bad key %q: %+v", kid, k)
			}
		}
	})
}
