package auth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

func TestVerifyTokenAcceptsEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{"EdDSA", "ES256", "ES512", "RS256", "PS256"} {
		t.Run(alg, func(t *testing.T) {
			is := newIssuer(t, alg)
			a := newAuth(t, is, nil)
			img := "https://example.com/a.png"
			tok := is.MustMint(authtest.Claims{ID: "u1", Email: "a@example.com", Name: "Ada", EmailVerified: true, Image: &img,
				Extra: map[string]any{"role": "admin", "permissions": []string{"read", "write"}}})
			c, err := verify(a, tok)
			checkErr(t, err)
			if c.Subject != "u1" || c.Issuer != is.URL() || c.Algorithm != alg || c.KeyID != is.KeyID() {
				t.Errorf("claims = %+v", c)
			}
			if got := c.Audience(); len(got) != 1 || got[0] != is.URL() {
				t.Errorf("Audience() = %q", got)
			}
			if !c.ExpiresAt.Equal(testNow.Add(15*time.Minute)) || !c.IssuedAt.Equal(testNow) {
				t.Errorf("exp %v iat %v", c.ExpiresAt, c.IssuedAt)
			}
			s, err := a.Authenticate(t.Context(), auth.Request{Authorization: []string{"Bearer " + tok}})
			checkErr(t, err)
			want := auth.User{ID: "u1", Email: "a@example.com", Name: "Ada", EmailVerified: true, Image: img, Role: "admin"}
			if !reflect.DeepEqual(s.User, want) || s.Credential != auth.CredentialJWT {
				t.Errorf("session = %+v, want user %+v", s, want)
			}
			var extra struct {
				Permissions []string `json:"permissions"`
			}
			if err := s.Decode(&extra); err != nil || strings.Join(extra.Permissions, ",") != "read,write" {
				t.Errorf("Decode: %v %v", extra, err)
			}
			if perms, ok := auth.Claim[[]string](s, "permissions"); !ok || len(perms) != 2 {
				t.Errorf("Claim[[]string] = %v %v", perms, ok)
			}
			if _, ok := auth.Claim[int](s, "permissions"); ok {
				t.Error("Claim[int] of an array reported ok")
			}
		})
	}
}

// TestVerifyTokenAttacks is part A of the security catalogue (shared/spec/security.md) as a table.
func TestVerifyTokenAttacks(t *testing.T) {
	is := newIssuer(t, "EdDSA")
	hdr := kidHeader(is)
	kid := is.KeyID()
	valid := forge(t, is, hdr, payload(t, is))
	parts := strings.Split(valid, ".")
	exp := testNow.Add(15 * time.Minute).Unix()
	hmacSign := func(key []byte, header, body string) string {
		in := b64(header) + "." + b64(body)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	pubX := base64.RawURLEncoding.EncodeToString([]byte(is.PrivateKey().Public().(ed25519.PublicKey)))

	tests := []struct {
		name  string
		token func() string
		edit  func(*auth.Config)
		want  []error // nil means accepted
	}{
		{name: "valid", token: func() string { return valid }},
		// A1
		{name: "A1 alg none no signature", token: func() string { return b64(`{"alg":"none"}`) + "." + parts[1] + "." }, want: []error{auth.ErrInvalidToken}},
		{name: "A1 alg None with signature", token: func() string { return b64(`{"alg":"None","kid":"`+kid+`"}`) + "." + parts[1] + "." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		{name: "A1 alg nOnE", token: func() string { return forge(t, is, `{"alg":"nOnE","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		// A2
		{name: "A2 HS256 keyed with public x, HS256 off", token: func() string { return hmacSign([]byte(pubX), `{"alg":"HS256","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A2 HS256 keyed with public key bytes, HS256 on", edit: func(c *auth.Config) { c.AcceptHS256 = true }, token: func() string {
			return hmacSign([]byte(is.PrivateKey().Public().(ed25519.PublicKey)), `{"alg":"HS256","kid":"`+kid+`"}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A2 HS256 keyed with JWKS JSON, HS256 on", edit: func(c *auth.Config) { c.AcceptHS256 = true }, token: func() string {
			return hmacSign(is.JWKS(), `{"alg":"HS256"}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		// A3
		{name: "A3 header ES256 on an EdDSA key", token: func() string { return forge(t, is, `{"alg":"ES256","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A3 header RS256 on an EdDSA key", token: func() string { return forge(t, is, `{"alg":"RS256","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A3 unknown alg", token: func() string { return forge(t, is, `{"alg":"Ed448","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A3 EdDSA allowed by key but not by config", edit: func(c *auth.Config) { c.Algorithms = []string{"ES256"} }, token: func() string { return valid }, want: []error{auth.ErrInvalidToken}},
		// A4, A5
		{name: "A4 missing kid", token: func() string { return forge(t, is, `{"alg":"EdDSA"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A4 empty kid", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":""}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid path", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"../../etc/passwd"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid sql", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"' OR 1=1--"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid 10 KB", token: func() string {
			return forge(t, is, `{"alg":"EdDSA","kid":"`+strings.Repeat("k", 10<<10)+`"}`, payload(t, is))
		}, edit: func(c *auth.Config) { c.MaxTokenBytes = 1 << 20 }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid number", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":7}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid object", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":{"a":1}}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A5 kid with escaped NUL", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`\u0000"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		// A6: jku/x5u/jwk are never used to find a key; a token signed by the real key with them still verifies,
		// one signed by the embedded key does not.
		{name: "A6 jku and x5u ignored", token: func() string {
			return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","jku":"https://evil.example/jwks","x5u":"https://evil.example/c"}`, payload(t, is))
		}},
		{name: "A6 embedded jwk not trusted", token: func() string {
			other := newIssuer(t, "EdDSA")
			x := base64.RawURLEncoding.EncodeToString([]byte(other.PrivateKey().Public().(ed25519.PublicKey)))
			return forge(t, other, `{"alg":"EdDSA","kid":"`+kid+`","jwk":{"kty":"OKP","crv":"Ed25519","x":"`+x+`"}}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		// A7
		{name: "A7 crit exp", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","crit":["exp"]}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A7 crit empty", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","crit":[]}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A7 crit unknown", token: func() string {
			return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","crit":["x-unknown"],"x-unknown":1}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A7 crit not an array", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","crit":"exp"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A7 b64 false", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","b64":false}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A7 zip", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","zip":"DEF"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		// A8
		{name: "A8 typ JWT accepted", token: func() string { return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","typ":"JWT"}`, payload(t, is)) }},
		{name: "A8 typ session cache", token: func() string {
			return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","typ":"better-auth.session-cache+jwt"}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A8 typ logout", token: func() string {
			return forge(t, is, `{"alg":"EdDSA","kid":"`+kid+`","typ":"logout+jwt"}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A8 session cache audience", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":"better-auth:session-cache"`))
		}, want: []error{auth.ErrInvalidToken}},
		// A9, A10
		{name: "A9 1 MiB token", token: func() string { return valid + strings.Repeat("A", 1<<20) }, want: []error{auth.ErrInvalidToken}},
		{name: "A10 1e6 dots", token: func() string { return strings.Repeat(".", 1_000_000) }, want: []error{auth.ErrInvalidToken}},
		{name: "A10 four segments", token: func() string { return valid + ".AAAA" }, want: []error{auth.ErrInvalidToken}},
		{name: "A10 JWE shape", token: func() string { return parts[0] + "..AAAA.AAAA.AAAA" }, want: []error{auth.ErrInvalidToken}},
		{name: "A10 empty signature", token: func() string { return parts[0] + "." + parts[1] + "." }, want: []error{auth.ErrInvalidToken}},
		{name: "A10 empty header", token: func() string { return "." + parts[1] + "." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		// A11
		{name: "A11 padding", token: func() string { return parts[0] + "=." + parts[1] + "." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		{name: "A11 std alphabet", token: func() string { return parts[0] + "." + parts[1] + ".+/" + parts[2][2:] }, want: []error{auth.ErrInvalidToken}},
		{name: "A11 newline", token: func() string { return parts[0] + "\n." + parts[1] + "." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		{name: "A11 space", token: func() string { return parts[0] + "." + parts[1] + " ." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		{name: "A11 non-canonical trailing bits", token: func() string { return parts[0] + "." + parts[1] + "." + flipLastBits(parts[2]) }, want: []error{auth.ErrInvalidToken}},
		// A12
		{name: "A12 header not JSON", token: func() string { return forge(t, is, `alg=EdDSA`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A12 header array", token: func() string { return forge(t, is, `["EdDSA"]`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A12 header with BOM", token: func() string { return forge(t, is, "\ufeff"+hdr, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A12 payload invalid UTF-8", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"name":"Test User"`, "\"name\":\"Test \xff\""))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A12 payload deep nesting", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"name":"Test User"`, `"name":`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)))
		}, edit: func(c *auth.Config) { c.MaxTokenBytes = 1 << 20 }, want: []error{auth.ErrInvalidToken}},
		{name: "A12 payload lone surrogate", token: func() string { return forge(t, is, hdr, payload(t, is, `"name":"Test User"`, `"name":"\ud800"`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A12 payload trailing garbage", token: func() string { return forge(t, is, hdr, payload(t, is)+"x") }, want: []error{auth.ErrInvalidToken}},
		// A13
		{name: "A13 duplicate alg", token: func() string { return forge(t, is, `{"alg":"EdDSA","alg":"none","kid":"`+kid+`"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A13 duplicate sub", token: func() string { return forge(t, is, hdr, payload(t, is, `"sub":"`, `"sub":"admin","sub":"`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A13 duplicate exp", token: func() string { return forge(t, is, hdr, payload(t, is, `"exp":`, `"exp":1,"exp":`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A13 duplicate via escape", token: func() string { return forge(t, is, hdr, payload(t, is, `"sub":"`, `"\u0073ub":"admin","sub":"`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A13 duplicate nested", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"name":"Test User"`, `"name":"x","meta":{"a":1,"a":2}`))
		}, want: []error{auth.ErrInvalidToken}},
		// A14 (leeway is 30 s by default; expired means now > exp + leeway)
		{name: "A14 exp 31 s ago", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), fmtInt(testNow.Unix()-31))) }, want: []error{auth.ErrExpired}},
		{name: "A14 exp 30 s ago (boundary accepted)", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), fmtInt(testNow.Unix()-30))) }},
		{name: "A14 exp now, no leeway", edit: func(c *auth.Config) { c.ExpLeeway = auth.NoLeeway }, token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), fmtInt(testNow.Unix()))) }},
		{name: "A14 exp 1 s ago, no leeway", edit: func(c *auth.Config) { c.ExpLeeway = auth.NoLeeway }, token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), fmtInt(testNow.Unix()-1))) }, want: []error{auth.ErrExpired}},
		{name: "A14 exp missing", token: func() string { return forge(t, is, hdr, payload(t, is, `,"exp":`+fmtInt(exp), ``)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A14 exp string", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `"9999999999"`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A14 exp float accepted", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), fmtInt(exp)+".5")) }},
		{name: "A14 exp exponent accepted", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `1.9e9`)) }},
		{name: "A14 exp negative", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `-1`)) }, want: []error{auth.ErrExpired}},
		{name: "A14 exp 1e400", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `1e400`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A14 exp bool", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `true`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A14 exp null", token: func() string { return forge(t, is, hdr, payload(t, is, fmtInt(exp), `null`)) }, want: []error{auth.ErrInvalidToken}},
		// A15, A16
		{name: "A15 nbf 31 s ahead", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"sub"`, `"nbf":`+fmtInt(testNow.Unix()+31)+`,"sub"`))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A15 nbf 30 s ahead accepted", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"sub"`, `"nbf":`+fmtInt(testNow.Unix()+30)+`,"sub"`))
		}},
		{name: "A15 nbf string", token: func() string { return forge(t, is, hdr, payload(t, is, `"sub"`, `"nbf":"0","sub"`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A16 iat 31 s ahead", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"iat":`+fmtInt(testNow.Unix()), `"iat":`+fmtInt(testNow.Unix()+31)))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A16 iat older than MaxTokenAge", edit: func(c *auth.Config) { c.MaxTokenAge = time.Minute }, token: func() string {
			return forge(t, is, hdr, payload(t, is, `"iat":`+fmtInt(testNow.Unix()), `"iat":`+fmtInt(testNow.Unix()-91)))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A16 iat within MaxTokenAge", edit: func(c *auth.Config) { c.MaxTokenAge = time.Minute }, token: func() string {
			return forge(t, is, hdr, payload(t, is, `"iat":`+fmtInt(testNow.Unix()), `"iat":`+fmtInt(testNow.Unix()-60)))
		}},
		// A18
		{name: "A18 iss trailing slash", token: func() string { return forge(t, is, hdr, payload(t, is, `"iss":"`+is.URL(), `"iss":"`+is.URL()+`/`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A18 iss https", token: func() string { return forge(t, is, hdr, payload(t, is, `"iss":"http:`, `"iss":"https:`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A18 iss case", token: func() string { return forge(t, is, hdr, payload(t, is, `"iss":"http:`, `"iss":"HTTP:`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A18 iss missing", token: func() string { return forge(t, is, hdr, payload(t, is, `,"iss":"`+is.URL()+`"`, ``)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A18 iss number", token: func() string { return forge(t, is, hdr, payload(t, is, `"iss":"`+is.URL()+`"`, `"iss":1`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A18 second configured issuer", edit: func(c *auth.Config) { c.Issuers = []string{"https://other.example", is.URL()} }, token: func() string { return valid }},
		{name: "A18 issuer not configured", edit: func(c *auth.Config) { c.Issuers = []string{"https://other.example"} }, token: func() string { return valid }, want: []error{auth.ErrInvalidToken}},
		// A19
		{name: "A19 aud wrong", token: func() string { return forge(t, is, hdr, payload(t, is, `"aud":"http:`, `"aud":"https:`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud missing", token: func() string { return forge(t, is, hdr, payload(t, is, `,"aud":"`+is.URL()+`"`, ``)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud empty array", token: func() string { return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":[]`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud empty string in array", token: func() string { return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":[""]`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud array with ours", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":["x","`+is.URL()+`"]`))
		}},
		{name: "A19 aud array with a number", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":["`+is.URL()+`",1]`))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud number", token: func() string { return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":1`)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A19 aud object", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"aud":"`+is.URL()+`"`, `"aud":{"a":"`+is.URL()+`"}`))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A19 audience not configured", edit: func(c *auth.Config) { c.Audiences = []string{"api://other"} }, token: func() string { return valid }, want: []error{auth.ErrInvalidToken}},
		// A20
		{name: "A20 sub missing", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"sub":"user_0123456789abcdefghijklmnopq",`, ``))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A20 sub empty", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"sub":"user_0123456789abcdefghijklmnopq"`, `"sub":""`))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A20 sub number", token: func() string {
			return forge(t, is, hdr, payload(t, is, `"sub":"user_0123456789abcdefghijklmnopq"`, `"sub":12`))
		}, want: []error{auth.ErrInvalidToken}},
		// A21
		{name: "A21 signature bit flip", token: func() string { return parts[0] + "." + parts[1] + "." + flipFirst(parts[2]) }, want: []error{auth.ErrInvalidToken}},
		{name: "A21 payload bit flip", token: func() string { return parts[0] + "." + flipFirst(parts[1]) + "." + parts[2] }, want: []error{auth.ErrInvalidToken}},
		{name: "A21 truncated signature", token: func() string { return parts[0] + "." + parts[1] + "." + parts[2][:40] }, want: []error{auth.ErrInvalidToken}},
		{name: "A21 signature from another key", token: func() string { return forge(t, newIssuer(t, "EdDSA"), hdr, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		// A34 with a valid secret: HS256 only when switched on
		{name: "A34 HS256 off", token: func() string { return hmacSign([]byte(testSecret), `{"alg":"HS256"}`, payload(t, is)) }, want: []error{auth.ErrInvalidToken}},
		{name: "A34 HS256 on", edit: func(c *auth.Config) { c.AcceptHS256 = true }, token: func() string { return hmacSign([]byte(testSecret), `{"alg":"HS256"}`, payload(t, is)) }},
		{name: "A34 HS256 wrong secret", edit: func(c *auth.Config) { c.AcceptHS256 = true }, token: func() string {
			return hmacSign([]byte(testSecret+"x"), `{"alg":"HS256"}`, payload(t, is))
		}, want: []error{auth.ErrInvalidToken}},
		{name: "A34 HS256 expired", edit: func(c *auth.Config) { c.AcceptHS256 = true }, token: func() string {
			return hmacSign([]byte(testSecret), `{"alg":"HS256"}`, payload(t, is, fmtInt(exp), fmtInt(testNow.Unix()-3600)))
		}, want: []error{auth.ErrExpired}},
		{name: "A34 HS256 with JWKS off", edit: func(c *auth.Config) { c.AcceptHS256, c.DisableJWKS = true, true }, token: func() string {
			return hmacSign([]byte(testSecret), `{"alg":"HS256"}`, payload(t, is))
		}},
		{name: "A34 EdDSA with JWKS off", edit: func(c *auth.Config) { c.AcceptHS256, c.DisableJWKS = true, true }, token: func() string { return valid }, want: []error{auth.ErrInvalidToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAuth(t, is, tt.edit)
			c, err := verify(a, tt.token())
			t.Log(err)
			checkErr(t, err, tt.want...)
			if err != nil && c != nil {
				t.Error("claims returned together with an error")
			}
			if err != nil && auth.HTTPStatus(err) != 401 {
				t.Errorf("HTTPStatus = %d, want 401", auth.HTTPStatus(err))
			}
		})
	}
}

func TestVerifyTokenDERSignatureRefused(t *testing.T) {
	is := newIssuer(t, "ES256")
	a := newAuth(t, is, nil)
	tok := is.MustMint(authtest.Claims{})
	if _, err := verify(a, tok); err != nil {
		t.Fatal(err)
	}
	in := tok[:strings.LastIndex(tok, ".")]
	digest := sha256.Sum256([]byte(in))
	der, err := ecdsa.SignASN1(rand.Reader, is.PrivateKey().(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	_, err = verify(a, in+"."+base64.RawURLEncoding.EncodeToString(der))
	checkErr(t, err, auth.ErrInvalidToken)
}

func flipFirst(s string) string {
	c := s[0]
	if c == 'A' {
		c = 'B'
	} else {
		c = 'A'
	}
	return string(c) + s[1:]
}

// flipLastBits changes the last character so only its unused low bits differ: the same bytes decode under a
// lenient decoder, but a strict one refuses it.
func flipLastBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i^1])
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
