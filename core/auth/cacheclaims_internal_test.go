package auth

import (
	"encoding/json"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// pluginCacheClaimsReflect is the check pluginCacheClaims replaced: encoding/json into a struct.
func pluginCacheClaimsReflect(claims []byte, iss, sub, sid string) bool {
	var c struct {
		Iss, Sub, Sid *string
		Aud           any
	}
	return json.Unmarshal(claims, &c) == nil && c.Iss != nil && *c.Iss == iss && c.Aud == pluginCacheAudience &&
		c.Sub != nil && *c.Sub == sub && c.Sid != nil && *c.Sid == sid
}

var cacheClaimSeeds = []string{
	`{"session":{"id":"s"},"user":{"id":"u1"},"updatedAt":1,"version":"1","iat":1,"iss":"http://localhost:3000","aud":"better-auth:session-cache","sub":"u1","sid":"tok","exp":2}`,
	`{"iss":"http://localhost:3000","aud":"better-auth:session-cache","sub":"u1","sid":"tok"}`,
	`{"ISS":"http://localhost:3000","Aud":"better-auth:session-cache","SUB":"u1","sId":"tok"}`,
	`{"iss":"http://localhost:3000","aud":"better-auth:session-cache","sub":"u1","sid":"tok","Sid":null}`,
	`{"iss":"http://localhost:3000","aud":["better-auth:session-cache"],"sub":"u1","sid":"tok"}`,
	`{"iss":"http://localhost:3000","aud":[1e400],"AUD":"better-auth:session-cache","sub":"u1","sid":"tok"}`,
	`{"iss":"http://localhost:3000","aud":"better-auth:session-cache","sub":1,"sid":"tok","Sub":"u1"}`,
	`{"iss":"http://localhost:3000","aud":"better-auth:session-cache","\u017fub":"u1","sid":"tok"}`,
	`{"iss":"http:\/\/localhost:3000","aud":"better-auth:session-cache","sub":"u\u0031","sid":"tok"}`,
	`{"iss":"http://localhost:3000","aud":1e400,"Aud":"better-auth:session-cache","sub":"u1","sid":"tok"}`,
}

// TestPluginCacheClaims checks the walker against encoding/json on the seeds, and that the seeds cover
// both answers.
func TestPluginCacheClaims(t *testing.T) {
	var yes, no int
	for _, s := range cacheClaimSeeds {
		got := pluginCacheClaims([]byte(s), "http://localhost:3000", "u1", "tok")
		if want := pluginCacheClaimsReflect([]byte(s), "http://localhost:3000", "u1", "tok"); got != want {
			t.Errorf("%s: walker %v, encoding/json %v", s, got, want)
		}
		if got {
			yes++
		} else {
			no++
		}
	}
	if yes < 3 || no < 3 {
		t.Errorf("seeds accepted %d, refused %d: want both", yes, no)
	}
}

// FuzzPluginCacheClaims: for claims strictjson accepts (as ParsePayload has by then), the walker answers
// as encoding/json did.
func FuzzPluginCacheClaims(f *testing.F) {
	for _, s := range cacheClaimSeeds {
		f.Add([]byte(s), "http://localhost:3000", "u1", "tok")
	}
	f.Fuzz(func(t *testing.T, claims []byte, iss, sub, sid string) {
		if strictjson.Walk(claims, func(strictjson.Member) error { return nil }) != nil {
			t.Skip()
		}
		if got, want := pluginCacheClaims(claims, iss, sub, sid), pluginCacheClaimsReflect(claims, iss, sub, sid); got != want {
			t.Fatalf("%q (iss %q sub %q sid %q): walker %v, encoding/json %v", claims, iss, sub, sid, got, want)
		}
	})
}
