package betterauth

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

type vectors struct {
	Secret     string `json:"secret"`
	BaseURL    string `json:"baseURL"`
	Strategies map[string]map[string]json.RawMessage
}

func loadVectors(t testing.TB) (v vectors, get func(strategy, key string) string) {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v, func(strategy, key string) string {
		var s string
		if err := json.Unmarshal(v.Strategies[strategy][key], &s); err != nil {
			t.Fatalf("%s %s: %v", strategy, key, err)
		}
		return s
	}
}

func TestSignedVectors(t *testing.T) {
	v, get := loadVectors(t)
	s := NewSigner(v.Secret)
	for name := range v.Strategies {
		cookie := get(name, "better-auth.session_token")
		tok, ok := s.Verify(cookie)
		if !ok || len(tok) != 32 {
			t.Fatalf("%s: real session cookie refused", name)
		}
		if got, ok := s.Verify(get(name, "set-auth-token")); !ok || got != tok {
			t.Errorf("%s: set-auth-token form refused", name)
		}
		if got := s.Sign(tok); got != cookie {
			t.Errorf("%s: Sign = %q, Better Auth wrote %q", name, got, cookie)
		}
		if _, ok := NewSigner(v.Secret + "x").Verify(cookie); ok {
			t.Errorf("%s: verified with the wrong secret", name)
		}
	}
}

// B1-B6 on one real cookie.
func TestSignedRefusals(t *testing.T) {
	v, get := loadVectors(t)
	s := NewSigner(v.Secret)
	cookie := get("compact", "better-auth.session_token") // token.sig with %2B %2F %3D
	raw := get("compact", "set-auth-token")               // token.sig with + / =
	tok, _, _ := strings.Cut(raw, ".")
	sig := raw[len(tok)+1:]
	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{"encoded", cookie, true},
		{"raw", raw, true},
		{"lower-case hex escapes", strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d").Replace(cookie), true},
		{"B1 one char changed", tok[:5] + "X" + tok[6:] + "." + sig, false},
		{"B1 signature changed", tok + "." + "A" + sig[1:], false},
		{"B2 no dot", tok + sig, false},
		{"B2 dot first", "." + sig, false},
		{"B2 43-char signature", tok + "." + sig[1:], false},
		{"B2 no trailing =", tok + "." + sig[:43] + "A", false},
		{"B2 empty token", "." + sig, false},
		{"B5 double-encoded", strings.ReplaceAll(cookie, "%", "%25"), false},
		{"B5 invalid escape", cookie + "%zz", false},
		{"B5 plus as space", strings.ReplaceAll(raw, "+", " "), false},
		{"B5 base64url signature", tok + "." + strings.NewReplacer("+", "-", "/", "_").Replace(sig), false},
		{"trailing garbage", cookie + "x", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Verify(tt.value)
			if ok != tt.ok || (ok && got != tok) {
				t.Fatalf("Verify = %q, %v; want ok=%v", got, ok, tt.ok)
			}
		})
	}
}

// B3: the signature is split at the last dot, so a value containing dots still verifies.
func TestSignedValueWithDots(t *testing.T) {
	s := NewSigner("secret-0123456789abcdefghijklmnopqrstuvwxyz")
	for _, v := range []string{"a.b", "true", "x.y.z"} {
		if got, ok := s.Verify(s.Sign(v)); !ok || got != v {
			t.Errorf("%q: %q %v", v, got, ok)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		prefix    string
		secure    bool
		overrides Names
		want      Names
	}{
		{"", false, Names{}, Names{"better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"}},
		{"", true, Names{}, Names{"__Secure-better-auth.session_token", "__Secure-better-auth.session_data", "__Secure-better-auth.dont_remember"}},
		{"myapp", true, Names{}, Names{"__Secure-myapp.session_token", "__Secure-myapp.session_data", "__Secure-myapp.dont_remember"}},
		{"myapp", false, Names{SessionToken: "sid"}, Names{"sid", "myapp.session_data", "myapp.dont_remember"}},
		{"", true, Names{SessionData: "cache"}, Names{"__Secure-better-auth.session_token", "__Secure-cache", "__Secure-better-auth.dont_remember"}},
	}
	for _, tt := range tests {
		if got := NewNames(tt.prefix, tt.secure, tt.overrides); got != tt.want {
			t.Errorf("NewNames(%q, %v, %+v) = %+v, want %+v", tt.prefix, tt.secure, tt.overrides, got, tt.want)
		}
	}
}

func TestRead(t *testing.T) {
	plain := NewNames("", false, Names{})
	secure := NewNames("", true, Names{})
	tests := []struct {
		name    string
		names   Names
		headers []string
		want    Jar
		err     error
	}{
		{"none", plain, nil, Jar{}, nil},
		{"token", plain, []string{"a=1; better-auth.session_token=T.S%3D; b=2"}, Jar{SessionToken: "T.S%3D"}, nil},
		{"two headers", plain, []string{"better-auth.session_token=T", "better-auth.session_data=D"}, Jar{SessionToken: "T", SessionData: "D"}, nil},
		{"quoted", plain, []string{`better-auth.session_token="T"`}, Jar{SessionToken: "T"}, nil},
		{"spaces", plain, []string{"  better-auth.session_token =  T  ;"}, Jar{SessionToken: "T"}, nil},
		{"B7 plain name in secure mode", secure, []string{"better-auth.session_token=T"}, Jar{}, nil},
		{"B8 both names, secure", secure, []string{"better-auth.session_token=P; __Secure-better-auth.session_token=S"}, Jar{SessionToken: "S"}, nil},
		{"B9 duplicate token", plain, []string{"better-auth.session_token=A; better-auth.session_token=B"}, Jar{}, ErrAmbiguous},
		{"B9 duplicate across headers", plain, []string{"better-auth.session_token=A", "better-auth.session_token=A"}, Jar{}, ErrAmbiguous},
		{"B10 dash variant not read", plain, []string{"better-auth-session_token=T"}, Jar{}, nil},
		{"prefix is not a match", plain, []string{"better-auth.session_token2=T; xbetter-auth.session_token=T"}, Jar{}, nil},
		{"dont remember", plain, []string{"better-auth.dont_remember=true.S"}, Jar{DontRemember: "true.S"}, nil},
		{"B23 chunks in order", plain, []string{"better-auth.session_data.1=b; better-auth.session_data.0=a; better-auth.session_data.2=c"}, Jar{SessionData: "abc"}, nil},
		{"B23 plain wins over chunks", plain, []string{"better-auth.session_data=X; better-auth.session_data.0=a"}, Jar{SessionData: "X"}, nil},
		{"B23 gap", plain, []string{"better-auth.session_data.0=a; better-auth.session_data.2=c"}, Jar{}, nil},
		{"B23 no zero", plain, []string{"better-auth.session_data.1=b"}, Jar{}, nil},
		{"B23 huge index", plain, []string{"better-auth.session_data.0=a; better-auth.session_data.1000000000=z"}, Jar{}, nil},
		{"B23 leading zero", plain, []string{"better-auth.session_data.0=a; better-auth.session_data.01=b"}, Jar{}, nil},
		{"B23 non-numeric", plain, []string{"better-auth.session_data.0=a; better-auth.session_data.x=b"}, Jar{}, nil},
		{"B23 duplicate chunk", plain, []string{"better-auth.session_data.0=a; better-auth.session_data.0=b"}, Jar{}, nil},
		{"B23 too many", plain, []string{chunkHeader(MaxChunks + 1)}, Jar{}, nil},
		{"B23 max chunks", plain, []string{chunkHeader(MaxChunks)}, Jar{SessionData: strings.Repeat("x", MaxChunks)}, nil},
		{"duplicate data ignored", plain, []string{"better-auth.session_data=A; better-auth.session_data=B"}, Jar{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.headers, tt.names)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got != tt.want {
				t.Fatalf("Read = %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func chunkHeader(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, "better-auth.session_data."+itoa(i)+"=x")
	}
	return strings.Join(parts, "; ")
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestCompactVector(t *testing.T) {
	v, get := loadVectors(t)
	s := NewSigner(v.Secret)
	tok, _ := s.Verify(get("compact", "better-auth.session_token"))
	p, exp, err := s.DecodeCompact(get("compact", "better-auth.session_data"))
	if err != nil {
		t.Fatalf("real compact cache refused: %v", err)
	}
	if p.Session.Token != tok || p.Version != "1" || p.User.Email != "compact@example.com" || p.User.ID != p.Session.UserID ||
		p.Session.UserAgent != "curl/7.88.1" || exp.UnixMilli() != 1795872851143 || p.Session.ExpiresAt.Year() != 2026 {
		t.Fatalf("payload %+v exp %v", p, exp)
	}
	if _, ok := p.User.Additional["createdAt"]; !ok {
		t.Errorf("createdAt not kept in Additional: %v", p.User.Additional)
	}
	if _, _, err := NewSigner(v.Secret + "x").DecodeCompact(get("compact", "better-auth.session_data")); err == nil {
		t.Error("compact cache verified with the wrong secret")
	}
}

func TestJWEVector(t *testing.T) {
	v, get := loadVectors(t)
	k, err := NewJWEKeys([]string{v.Secret})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k.Decrypt(get("jwe", "better-auth.session_data"))
	if err != nil {
		t.Fatalf("real JWE cache refused: %v", err)
	}
	p, err := ParsePayload(pt)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := NewSigner(v.Secret).Verify(get("jwe", "better-auth.session_token"))
	if p.Session.Token != tok || p.User.Email != "jwe@example.com" {
		t.Fatalf("payload %+v", p)
	}
	// Rotation: the current secret is new, the old one still decrypts (by kid).
	k2, _ := NewJWEKeys([]string{"new-secret-0123456789abcdefghijklmnopqrstuvwxyz", v.Secret})
	if _, err := k2.Decrypt(get("jwe", "better-auth.session_data")); err != nil {
		t.Errorf("rotated keys: %v", err)
	}
	k3, _ := NewJWEKeys([]string{"other-secret-0123456789abcdefghijklmnopqrstuvwxyz"})
	if _, err := k3.Decrypt(get("jwe", "better-auth.session_data")); err == nil {
		t.Error("decrypted with the wrong secret")
	}
}

// B26: only dir + A256CBC-HS512 with the derived key; other shapes are refused. Tokens are made with
// go-jose, not our code.
func TestJWERefusals(t *testing.T) {
	secret := "jwe-test-secret-0123456789abcdefghijklmnop"
	k, _ := NewJWEKeys([]string{secret})
	var key [64]byte
	copy(key[:], k.keys[0].key[:])
	enc := func(e jose.ContentEncryption, kb []byte, opts *jose.EncrypterOptions) string {
		encr, err := jose.NewEncrypter(e, jose.Recipient{Algorithm: jose.DIRECT, Key: kb}, opts)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := encr.Encrypt([]byte(`{"session":{},"user":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		s, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withKid := (&jose.EncrypterOptions{}).WithHeader("kid", k.KeyID())
	good := enc(jose.A256CBC_HS512, key[:], withKid)
	if _, err := k.Decrypt(good); err != nil {
		t.Fatalf("go-jose token refused: %v", err)
	}
	if _, err := k.Decrypt(enc(jose.A256CBC_HS512, key[:], nil)); err != nil {
		t.Errorf("no kid: %v", err)
	}
	parts := strings.Split(good, ".")
	bad := map[string]string{
		"A256GCM":        enc(jose.A256GCM, key[:32], withKid),
		"wrong kid":      enc(jose.A256CBC_HS512, key[:], (&jose.EncrypterOptions{}).WithHeader("kid", "nope")),
		"zip":            enc(jose.A256CBC_HS512, key[:], (&jose.EncrypterOptions{Compression: jose.DEFLATE}).WithHeader("kid", k.KeyID())),
		"tag flipped":    strings.Join(append(parts[:4:4], flip(parts[4])), "."),
		"ciphertext":     strings.Join([]string{parts[0], parts[1], parts[2], flip(parts[3]), parts[4]}, "."),
		"iv":             strings.Join([]string{parts[0], parts[1], flip(parts[2]), parts[3], parts[4]}, "."),
		"header swapped": strings.Join([]string{b64(`{"alg":"dir","enc":"A256CBC-HS512"}`), parts[1], parts[2], parts[3], parts[4]}, "."),
		"encrypted key":  strings.Join([]string{parts[0], "AAAA", parts[2], parts[3], parts[4]}, "."),
		"four parts":     strings.Join(parts[:4], "."),
		"JWS":            "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
	}
	for name, tok := range bad {
		if _, err := k.Decrypt(tok); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
}

func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func b64(s string) string { return rawURL.EncodeToString([]byte(s)) }

// B18, B22: a tampered compact cache is refused; a valid one with odd characters verifies byte-exact.
func TestCompactTampering(t *testing.T) {
	v, get := loadVectors(t)
	s := NewSigner(v.Secret)
	value := get("compact", "better-auth.session_data")
	outer, _ := rawURL.DecodeString(value)
	for name, edit := range map[string][2]string{
		"email changed":     {`compact@example.com`, `admin@example.com`},
		"whitespace added":  {`{"session":{"session":{`, `{"session":{ "session":{`},
		"escape added":      {`"name":"Probe"`, `"name":"Pr\u006fbe"`},
		"expiresAt changed": {`,"expiresAt":1795872851143`, `,"expiresAt":1795872851144`},
		"duplicate key":     {`"name":"Probe"`, `"name":"Probe","name":"Admin"`},
	} {
		t.Run(name, func(t *testing.T) {
			changed := strings.Replace(string(outer), edit[0], edit[1], 1)
			if changed == string(outer) {
				t.Fatalf("edit %q did not apply", edit[0])
			}
			if _, _, err := s.DecodeCompact(b64(changed)); err == nil {
				t.Fatal("tampered cache accepted")
			}
		})
	}
	// A cache signed the way Better Auth signs, over a payload with characters encoding/json would escape.
	payload := `{"session":{"id":"s","token":"t","userId":"u","expiresAt":"2030-01-01T00:00:00.000Z"},"user":{"id":"u","name":"<Zoë & \u2028>","emailVerified":false},"updatedAt":1,"version":"1"}`
	signed := payload[:len(payload)-1] + `,"expiresAt":1900000000000}`
	cookie := b64(`{"session":` + payload + `,"expiresAt":1900000000000,"signature":"` + rawURL.EncodeToString(s.Sum([]byte(signed))) + `"}`)
	p, exp, err := s.DecodeCompact(cookie)
	if err != nil || p.User.Name != "<Zoë & \u2028>" || exp.UnixMilli() != 1900000000000 {
		t.Fatalf("%+v %v %v", p, exp, err)
	}
	_ = time.Now
}
