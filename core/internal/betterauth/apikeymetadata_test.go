package betterauth

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestParseAPIKeyMetadata: the metadata column as the plugin writes it (JSON.stringify of the object the
// key's creator sent) reads as that object; what the plugin's safeJSONParse would not turn into an object,
// and what a strict reader must refuse, is no metadata.
func TestParseAPIKeyMetadata(t *testing.T) {
	for _, tt := range []struct {
		name string
		raw  string
		want map[string]any
	}{
		{name: "object", raw: `{"plan":"pro","seats":3,"tags":["a","b"],"owner":{"team":"x"},"trial":false,"note":null}`,
			want: map[string]any{"plan": "pro", "seats": 3.0, "tags": []any{"a", "b"}, "owner": map[string]any{"team": "x"}, "trial": false, "note": nil}},
		{name: "empty object", raw: `{}`, want: map[string]any{}},
		{name: "date stays a string", raw: `{"at":"2026-01-02T03:04:05.000Z"}`, want: map[string]any{"at": "2026-01-02T03:04:05.000Z"}},
		{name: "null column", raw: ``},
		{name: "json null", raw: `null`},
		{name: "legacy double-stringified is a string, not an object", raw: `"{\"plan\":\"pro\"}"`},
		{name: "array", raw: `["a"]`},
		{name: "number", raw: `42`},
		{name: "malformed", raw: `{"plan":`},
		{name: "trailing data", raw: `{"a":1}{"b":2}`},
		{name: "duplicate member", raw: `{"role":"user","role":"admin"}`},
		{name: "nested duplicate", raw: `{"a":{"b":1,"b":2}}`},
		{name: "invalid utf-8", raw: "{\"a\":\"\xff\"}"},
		{name: "lone surrogate", raw: `{"a":"\ud800"}`},
		{name: "too deep", raw: strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40)},
		{name: "too large", raw: `{"a":"` + strings.Repeat("x", MaxAPIKeyMetadata) + `"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAPIKeyMetadata(tt.raw)
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseAPIKeyMetadata(%.60q) = %v, %v; want %v", tt.raw, got, ok, tt.want)
			}
		})
	}
}

func FuzzParseAPIKeyMetadata(f *testing.F) {
	for _, s := range []string{`{"plan":"pro","seats":3,"tags":["a","b"]}`, `{}`, `null`, `"{\"plan\":\"pro\"}"`,
		`{"a":{"b":1,"b":2}}`, `{"a":"\ud800"}`, `[1]`, `{"n":1e400}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		md, ok := ParseAPIKeyMetadata(raw)
		if ok != (md != nil) {
			t.Fatalf("%q: ok %v with %v", raw, ok, md)
		}
		if !ok {
			return
		}
		if len(raw) > MaxAPIKeyMetadata || !json.Valid([]byte(raw)) {
			t.Fatalf("%q: accepted", raw)
		}
		// What was accepted is what encoding/json reads, and round-trips.
		var want map[string]any
		if err := json.Unmarshal([]byte(raw), &want); err != nil || !reflect.DeepEqual(md, want) {
			t.Fatalf("%q: %v, encoding/json %v (%v)", raw, md, want, err)
		}
		if _, err := json.Marshal(md); err != nil {
			t.Fatalf("%q: %v does not marshal: %v", raw, md, err)
		}
	})
}
