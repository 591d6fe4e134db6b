package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWalk(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error // nil: valid
	}{
		{"empty object", `{}`, nil},
		{"whitespace", " \t\n{ \"a\" : 1 , \"b\":[1, 2.5e-3, -0, \"x\", true, false, null, {}] }\r\n", nil},
		{"unicode", `{"name":"Zoë \u00e9 \ud83d\ude00 😀"}`, nil},
		{"escaped key equal to plain key", `{"a":1,"\u0061":2}`, ErrDuplicate},
		{"duplicate", `{"alg":"EdDSA","alg":"none"}`, ErrDuplicate},
		{"duplicate nested", `{"a":{"b":1,"b":2}}`, ErrDuplicate},
		{"duplicate in array element", `{"a":[{"b":1,"b":2}]}`, ErrDuplicate},
		{"same key at two levels", `{"a":{"a":1}}`, nil},
		{"array top level", `[]`, ErrNotObject},
		{"BOM", "\ufeff{}", ErrNotObject},
		{"trailing comma", `{"a":1,}`, ErrSyntax},
		{"trailing data", `{"a":1}x`, ErrSyntax},
		{"two objects", `{}{}`, ErrSyntax},
		{"single quotes", `{'a':1}`, ErrSyntax},
		{"unquoted key", `{a:1}`, ErrSyntax},
		{"leading zero", `{"a":01}`, ErrSyntax},
		{"plus sign", `{"a":+1}`, ErrSyntax},
		{"bare dot", `{"a":1.}`, ErrSyntax},
		{"NaN", `{"a":NaN}`, ErrSyntax},
		{"control char", "{\"a\":\"\x01\"}", ErrSyntax},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", ErrSyntax},
		{"overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", ErrSyntax},
		{"lone high surrogate", `{"a":"\ud800"}`, ErrSyntax},
		{"lone low surrogate", `{"a":"\udc00"}`, ErrSyntax},
		{"bad escape", `{"a":"\x"}`, ErrSyntax},
		{"truncated", `{"a":"b`, ErrSyntax},
		{"deep", `{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, ErrDepth},
		{"deep enough", `{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`, nil},
		{"too many members", `{` + manyMembers(maxMembers+1) + `}`, ErrTooMany},
		{"many members", `{` + manyMembers(maxMembers) + `}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Walk([]byte(tt.in), func(Member) error { return nil })
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Walk = %v, want %v", err, tt.want)
			}
		})
	}
}

func manyMembers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(string(rune('a' + i/26)))
		b.WriteString(`":0`)
	}
	return b.String()
}

func TestWalkMembers(t *testing.T) {
	in := []byte(`{"s":"a\"b","n":-1.5e3,"t":true,"o":{"x":[1]},"k\u00e9y":null}`)
	var got []string
	err := Walk(in, func(m Member) error {
		v := string(in[m.Start:m.End])
		if m.Escaped {
			b, err := AppendUnescaped(nil, in[m.Start:m.End])
			if err != nil {
				return err
			}
			v = "esc:" + string(b)
		}
		got = append(got, string(m.Key)+"="+v)
		return nil
	})
	want := `s=esc:a"b n=-1.5e3 t=true o={"x":[1]} kéy=null`
	if err != nil || strings.Join(got, " ") != want {
		t.Fatalf("got %q, %v; want %q", strings.Join(got, " "), err, want)
	}
	stop := errors.New("stop")
	if err := Walk(in, func(Member) error { return stop }); err != stop {
		t.Errorf("callback error not returned: %v", err)
	}
}

// FuzzWalk checks Walk against encoding/json: whatever Walk accepts is valid JSON whose top-level members
// Walk reports one by one, with no duplicate names; whatever encoding/json rejects, Walk rejects too.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1,"x",null]}}`, `{"a":"\u00e9\ud83d\ude00"}`, `{"a":1,"a":2}`,
		`{"alg":"EdDSA","kid":"ngdGhj3EOUwjqdjKcPOQmIjlXmI5O9hy"}`, `[1]`, `{"a":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var keys []string
		err := Walk(in, func(m Member) error {
			keys = append(keys, string(m.Key))
			if m.Kind == String && !m.Escaped {
				if _, err := AppendUnescaped(nil, in[m.Start:m.End]); err != nil {
					t.Fatalf("unescape of a plain string failed: %v", err)
				}
			}
			return nil
		})
		if !json.Valid(in) {
			if err == nil {
				t.Fatalf("Walk accepted invalid JSON %q", in)
			}
			return
		}
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if e := json.Unmarshal(in, &m); e != nil {
			t.Fatalf("Walk accepted %q that encoding/json cannot read as an object: %v", in, e)
		}
		if len(m) != len(keys) {
			t.Fatalf("Walk saw %d members, encoding/json %d (a duplicate slipped through?) in %q", len(keys), len(m), in)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Fatalf("key %q not found by encoding/json", k)
			}
		}
	})
}

// FuzzWalkNested: WalkNested accepts exactly what Walk accepts, reports the same top-level members, and
// reports as the members of each top-level object what Walk reports walking that object on its own.
func FuzzWalkNested(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"session":{"id":"s","n":{"x":[1]}},"user":{"id":"u"},"updatedAt":1}`,
		`{"a":{"b":{"c":{}}}}`, `{"a":{"k":1,"k":2}}`, `{"a":{},"b":{"\u00e9":"\ud83d\ude00"}}`, `{"a":1,"a":{}}`} {
		f.Add([]byte(s))
	}
	type rec struct {
		parent string
		m      Member
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var top, nested []rec
		err := WalkNested(in, func(m Member) error {
			top = append(top, rec{m: m})
			return nil
		}, func(parent []byte, m Member) error {
			nested = append(nested, rec{parent: string(parent), m: m})
			return nil
		})
		var wantTop []rec
		werr := Walk(in, func(m Member) error {
			wantTop = append(wantTop, rec{m: m})
			return nil
		})
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: WalkNested %v, Walk %v", in, err, werr)
		}
		if err != nil {
			return
		}
		if fmt.Sprint(top) != fmt.Sprint(wantTop) {
			t.Fatalf("%q: top-level members\n %v\nwant %v", in, top, wantTop)
		}
		var wantNested []rec
		for _, r := range wantTop {
			if r.m.Kind != Object {
				continue
			}
			if err := Walk(in[r.m.Start:r.m.End], func(m Member) error {
				m.Start += r.m.Start
				m.End += r.m.Start
				wantNested = append(wantNested, rec{parent: string(r.m.Key), m: m})
				return nil
			}); err != nil {
				t.Fatalf("%q: Walk refused the object of %q: %v", in, r.m.Key, err)
			}
		}
		if fmt.Sprint(nested) != fmt.Sprint(wantNested) {
			t.Fatalf("%q: nested members\n %v\nwant %v", in, nested, wantNested)
		}
	})
}
