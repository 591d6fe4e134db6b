package betterauth

import (
	"reflect"
	"testing"
)

// objectSeeds are objects as Better Auth's JWT plugin and this package write them (users, payloads,
// JWKs), and variants that must leave the flat path.
var objectSeeds = []string{
	`{"name":"Ada","email":"ada@example.com","emailVerified":true,"image":null,"createdAt":"2026-11-28T13:28:59.006Z","updatedAt":"2026-11-28T13:28:59.006Z","role":"user","banned":false,"banReason":null,"banExpires":null,"id":"u1"}`,
	`{"iat":1795872539,"name":"Ada","id":"u1","sub":"u1","exp":1795873439,"iss":"http://localhost:3000","aud":"http://localhost:3000"}`,
	`{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}`,
	`{}`,
	` { "a" : 1.50 , "b" : -0, "c": 1e400, "d": 1E2 } `,
	`{"esc":"tab\there \"q\" \u00e9 \ud83d\ude00 \u2028","k\u0065y":1}`,
	`{"a":1,"a":2}`,
	`{"nested":{"b":[1,2]}}`,
	`{"bad":"\xff"}`,
	`{"lone":"\ud800"}`,
	`[1]`,
	`{"a":1} x`,
	`{"n":123456789012345678901234567890,"f":0.1,"g":5e-324,"h":1.7976931348623157e308}`,
}

// TestParseObject checks the flat path against the tokenizer on the seeds, and that it is taken where it
// should be.
func TestParseObject(t *testing.T) {
	for _, s := range objectSeeds {
		checkParseObject(t, []byte(s))
	}
	for _, tt := range []struct {
		in   string
		flat bool
	}{
		{objectSeeds[0], true},
		{objectSeeds[4], true},
		{objectSeeds[5], true},
		{`{"a":1,"a":2}`, false},
		{`{"nested":{}}`, false},
		{`{"bad":"\xff"}`, false},
	} {
		if _, ok := parseFlat([]byte(tt.in)); ok != tt.flat {
			t.Errorf("parseFlat(%s) took the flat path: %v, want %v", tt.in, ok, tt.flat)
		}
	}
	o, err := ParseObject([]byte(` {"a" : 1.50, "b":"x\u0041", "c":1e400} `))
	if err != nil || string(o.Bytes()) != `{"a":1.5,"b":"xA","c":null}` {
		t.Errorf("ParseObject = %s, %v", o.Bytes(), err)
	}
}

// FuzzParseObjectFlat: whatever the flat path reads, encoding/json's tokenizer reads the same, and the
// flat path's object does not change when its input does.
func FuzzParseObjectFlat(f *testing.F) {
	for _, s := range objectSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkParseObject(t, b)
	})
}

func checkParseObject(t *testing.T, b []byte) {
	t.Helper()
	in := append([]byte(nil), b...)
	flat, ok := parseFlat(in)
	if !ok {
		return
	}
	tok, err := parseTokens(b)
	if err != nil {
		t.Fatalf("%q: flat path read %s, the tokenizer failed: %v", b, flat.Bytes(), err)
	}
	for i := range in {
		in[i] = 'x'
	}
	if len(flat.m) != len(tok.m) || len(flat.m) > 0 && !reflect.DeepEqual(flat.m, tok.m) {
		t.Fatalf("%q:\n flat      %q\n tokenizer %q", b, flat.m, tok.m)
	}
}
