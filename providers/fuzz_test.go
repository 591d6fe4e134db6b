package providers

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzAppleName feeds AppleName the "user" form field Apple posts to the callback: untrusted bytes.
func FuzzAppleName(f *testing.F) {
	for _, s := range []string{
		`{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"x7@privaterelay.appleid.com"}`,
		`{"name":{"firstName":"Ada"}}`, `{"email":"a@b"}`, `{"name":null}`, `{"name":"x"}`, ``, `{`, `null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		name := AppleName(field)
		if name != strings.TrimSpace(name) {
			t.Errorf("AppleName(%q) = %q, not trimmed", field, name)
		}
		if name != "" && !json.Valid([]byte(field)) {
			t.Errorf("AppleName(%q) = %q from invalid JSON", field, name)
		}
	})
}

// FuzzTokenResponseFields feeds the token response's scope and the claims' email_verified decoding.
func FuzzTokenResponseFields(f *testing.F) {
	for _, s := range []string{
		`"openid email profile"`, `"read:user,user:email"`, `["openid","email"]`, `""`, `null`, `42`, `[1,"a",null]`,
		`true`, `"true"`, `"false"`, `"yes"`, `{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var v any
		if json.Unmarshal([]byte(raw), &v) == nil {
			for _, s := range parseScopes(v) {
				if s == "" || strings.ContainsAny(s, " ,\t\n") {
					t.Errorf("parseScopes(%s) gave %q", raw, s)
				}
			}
		}
		var c struct {
			V flexBool `json:"email_verified"`
		}
		if json.Unmarshal([]byte(`{"email_verified":`+raw+`}`), &c) == nil && c.V.Value {
			var plain any
			if err := json.Unmarshal([]byte(raw), &plain); err != nil || (plain != true && plain != "true") {
				t.Errorf("email_verified %s read as true", raw)
			}
		}
	})
}
