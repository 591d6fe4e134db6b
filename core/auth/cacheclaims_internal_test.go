package auth

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
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

// cacheExpiryThenPayload is how the jwt and jwe caches were read before one walk did both: a walk for exp
// and nbf, then betterauth.ParsePayload.
func cacheExpiryThenPayload(claims []byte, now time.Time, leeway time.Duration) (*betterauth.Payload, time.Time, error) {
	var exp, nbf float64
	var hasExp, hasNbf bool
	err := strictjson.Walk(claims, func(m strictjson.Member) error {
		switch string(m.Key) {
		case "exp", "nbf":
			if m.Kind != strictjson.Number {
				return betterauth.ErrCache
			}
			f, ok := number(claims[m.Start:m.End])
			if !ok {
				return betterauth.ErrCache
			}
			if m.Key[0] == 'e' {
				exp, hasExp = f, true
			} else {
				nbf, hasNbf = f, true
			}
		}
		return nil
	})
	if err != nil || !hasExp {
		return nil, time.Time{}, betterauth.ErrCache
	}
	t := floatTime(exp)
	if !now.Before(t.Add(leeway)) || (hasNbf && floatTime(nbf).After(now.Add(leeway))) {
		return nil, time.Time{}, betterauth.ErrCache
	}
	p, err := betterauth.ParsePayload(claims)
	if err != nil {
		return nil, time.Time{}, err
	}
	return p, t, nil
}

// FuzzParseCacheClaims: parseCacheClaims (one walk) reads every jwt/jwe cache's claims as the exp walk
// followed by ParsePayload did: the same payload, expiry and outcome.
func FuzzParseCacheClaims(f *testing.F) {
	const payload = `"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1","createdAt":"2026-11-28T13:28:59.012Z"},"updatedAt":1764336539012,"version":"1"`
	now := int64(1764336539)
	for _, s := range []string{
		`{` + payload + `,"iat":1764336539,"exp":1764336839,"jti":"0b7f"}`,
		`{` + payload + `,"iat":1764336539,"exp":1764336539}`,
		`{` + payload + `,"exp":1764336839,"nbf":1764336600}`,
		`{` + payload + `,"exp":"1764336839"}`,
		`{` + payload + `,"exp":1e400}`,
		`{` + payload + `,"exp":1764336839,"exp":1764336839}`,
		`{` + payload + `}`,
		`{"exp":1764336839}`,
	} {
		f.Add([]byte(s), now, int64(15))
	}
	f.Fuzz(func(t *testing.T, claims []byte, nowSec, leewaySec int64) {
		at := time.Unix(nowSec%(1<<40), 0)
		leeway := time.Duration(leewaySec%3600) * time.Second
		p1, e1, err1 := parseCacheClaims(claims, at, leeway)
		p2, e2, err2 := cacheExpiryThenPayload(claims, at, leeway)
		if (err1 == nil) != (err2 == nil) || !e1.Equal(e2) || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("%q at %v: one walk %+v, %v, %v; two walks %+v, %v, %v", claims, at, p1, e1, err1, p2, e2, err2)
		}
	})
}
