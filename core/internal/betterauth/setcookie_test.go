package betterauth

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func intp(n int) *int { return &n }

// Every Set-Cookie header Better Auth wrote is rendered byte for byte from its name, value and Better
// Auth's default attributes (with Max-Age as the header says); signed values are Sign's output.
func TestSetCookieCaptures(t *testing.T) {
	v, _ := loadVectors(t)
	s := NewSigner(v.Secret)
	signed := 0
	for _, c := range loadSetCookies(t) {
		a := DefaultAttrs(false, "") // Secure comes from the __Secure- name
		if _, rest, ok := strings.Cut(c.attrs, "; Max-Age="); ok {
			n := int(maxAgeOf(t, c) / time.Second)
			if n == 0 && !strings.HasPrefix(rest, "0;") {
				t.Fatalf("%s: Max-Age %q", c.source, rest)
			}
			a.MaxAge = intp(n)
		}
		if got := SetCookie(c.name, c.value, a); got != c.header {
			t.Errorf("%s:\n got  %s\n want %s", c.source, got, c.header)
		}
		if c.value == "" {
			if got := DeleteCookie(c.name, DefaultAttrs(false, "")); got != c.header {
				t.Errorf("%s: DeleteCookie = %s, want %s", c.source, got, c.header)
			}
		}
		if strings.HasSuffix(c.name, ".session_token") || strings.HasSuffix(c.name, ".dont_remember") {
			if val, ok := s.Verify(c.value); ok {
				signed++
				if got := SetCookie(c.name, s.Sign(val), a); got != c.header {
					t.Errorf("%s: signed cookie\n got  %s\n want %s", c.source, got, c.header)
				}
			}
		}
	}
	if signed < 20 {
		t.Fatalf("only %d signed cookies re-signed", signed)
	}
}

// Named captures, spelled out.
func TestSetCookieExamples(t *testing.T) {
	v, _ := loadVectors(t)
	s := NewSigner(v.Secret)
	week := DefaultAttrs(false, "")
	week.MaxAge = intp(604800)
	tests := []struct {
		name, cookie, value string
		a                   CookieAttrs
		want                string
	}{
		{"session_token (tour signup-ok)", "better-auth.session_token", s.Sign("WQY0957DJTu9VtCpSJwOzm1CPEr8sMEV"), week,
			"better-auth.session_token=WQY0957DJTu9VtCpSJwOzm1CPEr8sMEV.xiIRwKBEcbwfdLg9nxY22XI4K2VSVnVTwcfCq41KQR4%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"},
		{"dont_remember (tour signin-norem)", "better-auth.dont_remember", s.Sign("true"), DefaultAttrs(false, ""),
			"better-auth.dont_remember=true.R9UFwPjzvyZHxom%2FtZy%2FJWWkgrF1F38DbI%2FKaYXJI04%3D; Path=/; HttpOnly; SameSite=Lax"},
		{"session_token without Max-Age (tour signin-norem)", "better-auth.session_token", s.Sign("bjUPsrTW98WJsW8Pb96hchDPJmx23y8V"), DefaultAttrs(false, ""),
			"better-auth.session_token=bjUPsrTW98WJsW8Pb96hchDPJmx23y8V.PxBXLzJm90LXXfejEe%2FSnM2CHpsXmSjmnNYCmJY5svs%3D; Path=/; HttpOnly; SameSite=Lax"},
		{"deletion (tour sign-out)", "better-auth.session_data", "", CookieAttrs{MaxAge: intp(0), Path: "/", HttpOnly: true, SameSite: "Lax"},
			"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"},
		{"__Secure- (tour2 c-signin)", "__Secure-myapp.session_token", s.Sign("apsWKZxS393vw9z5KnRIKrcEYQVwEWtv"),
			func() CookieAttrs { a := DefaultAttrs(true, ""); a.MaxAge = intp(604800); return a }(),
			"__Secure-myapp.session_token=apsWKZxS393vw9z5KnRIKrcEYQVwEWtv.icl3jwdYOZiwwY%2BEX3Mu3lpgExSKt8mBy6kQlrGMvJ0%3D; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SetCookie(tt.cookie, tt.value, tt.a); got != tt.want {
				t.Fatalf("\n got  %s\n want %s", got, tt.want)
			}
		})
	}
}

// better-call's serializer rules (src/cookies.ts resolveCookie, serializeCookieValue).
func TestSetCookieRules(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	tests := []struct {
		name, cookie, value string
		a                   CookieAttrs
		want                string
	}{
		{"bare", "n", "v", CookieAttrs{}, "n=v"},
		{"all, in better-call's order", "n", "v", CookieAttrs{MaxAge: intp(10), Domain: "example.com", Path: "/p", Expires: exp,
			HttpOnly: true, Secure: true, SameSite: "strict", Partitioned: true},
			"n=v; Max-Age=10; Domain=example.com; Path=/p; Expires=Wed, 02 Jan 2030 02:04:05 GMT; HttpOnly; Secure; SameSite=Strict; Partitioned"},
		{"__Host- forces Secure, Path=/, no Domain", "__Host-n", "v", CookieAttrs{Domain: "example.com", Path: "/x"}, "__Host-n=v; Path=/; Secure"},
		{"__host- in any case", "__HOST-n", "v", CookieAttrs{}, "__HOST-n=v; Path=/; Secure"},
		{"__Secure- forces Secure", "__Secure-n", "v", CookieAttrs{Path: "/"}, "__Secure-n=v; Path=/; Secure"},
		{"__secure- in any case", "__secure-n", "v", CookieAttrs{}, "__secure-n=v; Secure"},
		{"SameSite none forces Secure", "n", "v", CookieAttrs{SameSite: "none"}, "n=v; Secure; SameSite=None"},
		{"Partitioned forces Secure", "n", "v", CookieAttrs{Partitioned: true}, "n=v; Secure; Partitioned"},
		{"SameSite first letter only", "n", "v", CookieAttrs{SameSite: "LAX"}, "n=v; SameSite=LAX"},
		{"Max-Age 0", "n", "", CookieAttrs{MaxAge: intp(0)}, "n=; Max-Age=0"},
		{"negative Max-Age left out", "n", "v", CookieAttrs{MaxAge: intp(-1)}, "n=v"},
		{"Max-Age capped at 400 days", "n", "v", CookieAttrs{MaxAge: intp(MaxCookieAge + 1)}, "n=v; Max-Age=34560000"},
		{"value escaped as encodeURIComponent, % kept", "n", "a b;c=d,é%2B-_.!~*'()", CookieAttrs{},
			"n=a%20b%3Bc%3Dd%2C%C3%A9%2B-_.!~*'()"},
		{"base64url and JWS pass", "n", "eyJhbGciOiJIUzI1NiJ9.e30.AbC-_9", CookieAttrs{}, "n=eyJhbGciOiJIUzI1NiJ9.e30.AbC-_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SetCookie(tt.cookie, tt.value, tt.a); got != tt.want {
				t.Fatalf("\n got  %s\n want %s", got, tt.want)
			}
		})
	}
	a := CookieAttrs{MaxAge: intp(300), Path: "/", HttpOnly: true, SameSite: "Lax"}
	if got, want := DeleteCookie("n", a), "n=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"; got != want || *a.MaxAge != 300 {
		t.Fatalf("DeleteCookie = %s (caller's attrs %d)", got, *a.MaxAge)
	}
}

func TestChunk(t *testing.T) {
	const name = "better-auth.session_data"
	a := DefaultAttrs(false, "")
	a.MaxAge = intp(300)
	// Better Auth's size: 4050 minus "better-auth.session_data.99=; Max-Age=300; Path=/; HttpOnly; SameSite=Lax".
	size := MaxCookieSize - len("better-auth.session_data.99=; Max-Age=300; Path=/; HttpOnly; SameSite=Lax")
	noAge := DefaultAttrs(true, "")
	sizeNoAge := MaxCookieSize - len("__Secure-better-auth.session_data.99=; Path=/; HttpOnly; Secure; SameSite=Lax")
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name      string
		cookie    string
		value     string
		a         CookieAttrs
		existing  []string
		wantSizes []int // value lengths of name.0, name.1, … ; nil = one cookie named name
		wantClear []string
		skipped   bool
	}{
		{"small", name, "abc", a, nil, nil, nil, false},
		{"empty", name, "", a, nil, nil, nil, false},
		{"exactly one chunk", name, x(size), a, nil, nil, nil, false},
		{"one byte more", name, x(size + 1), a, nil, []int{size, 1}, nil, false},
		{"three", name, x(2*size + 5), a, nil, []int{size, size, 5}, nil, false},
		{"attributes change the size", "__Secure-" + name, x(sizeNoAge + 1), noAge, nil, []int{sizeNoAge, 1}, nil, false},
		{"100 chunks", name, x(100 * size), a, nil, slices.Repeat([]int{size}, 100), nil, false},
		{"101 chunks: skipped, old ones cleared", name, x(100*size + 1), a, []string{name, name + ".0"}, []int{}, []string{name, name + ".0"}, true},
		{"attributes too long: skipped", name, "v", CookieAttrs{Path: x(MaxCookieSize)}, nil, []int{}, nil, true},
		{"small value clears old chunks", name, "abc", a,
			[]string{"theme", name + ".1", name + ".0", name + ".1", name + ".x", name + ".01", name + ".-1", name + "2", "__Secure-" + name},
			nil, []string{name + ".1", name + ".0"}, false},
		{"chunks clear the plain cookie and extra chunks, keep what they set", name, x(size + 1), a,
			[]string{name, name + ".0", name + ".1", name + ".2", name + ".10"},
			[]int{size, 1}, []string{name, name + ".2", name + ".10"}, false},
		{"plain cookie set again is not cleared", name, "abc", a, []string{name}, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, clear := Chunk(tt.cookie, tt.value, tt.a, tt.existing)
			if !slices.Equal(clear, tt.wantClear) {
				t.Errorf("clear = %q, want %q", clear, tt.wantClear)
			}
			switch {
			case tt.skipped:
				if len(set) != 0 {
					t.Fatalf("set %d cookies, want none", len(set))
				}
				return
			case tt.wantSizes == nil:
				if len(set) != 1 || set[0].Name != tt.cookie || set[0].Value != tt.value {
					t.Fatalf("set = %v", set)
				}
			default:
				var sizes []int
				var joined strings.Builder
				for i, p := range set {
					if p.Name != tt.cookie+"."+itoa(i) {
						t.Fatalf("chunk %d named %q", i, p.Name)
					}
					if l := len(SetCookie(p.Name, p.Value, tt.a)); l > MaxCookieSize {
						t.Fatalf("chunk %d serialises to %d bytes", i, l)
					}
					sizes = append(sizes, len(p.Value))
					joined.WriteString(p.Value)
				}
				if !slices.Equal(sizes, tt.wantSizes) || joined.String() != tt.value {
					t.Fatalf("chunk sizes %v, want %v", sizes, tt.wantSizes)
				}
			}
		})
	}
}

// Chunks written by Chunk are joined by Read, in any order, and a stale longer chunk set is cleared.
func TestChunkRead(t *testing.T) {
	v, get := loadVectors(t)
	s := NewSigner(v.Secret)
	names := NewNames("", false, Names{})
	a := DefaultAttrs(false, "")
	a.MaxAge = intp(300)
	p, _, err := s.DecodeCompact(get("compact", "better-auth.session_data"))
	if err != nil {
		t.Fatal(err)
	}
	p.User.Additional["bio"] = strings.Repeat("long bio ", 1500) // about 13.5 kB of JSON, 18 kB base64
	value := s.EncodeCompact(CacheInput{Session: SessionJSON(p.Session), User: UserJSON(p.User), MaxAge: 300 * time.Second})
	set, clear := Chunk(names.SessionData, value, a, []string{names.SessionData})
	if len(set) < 4 || len(set) > MaxChunks || !slices.Equal(clear, []string{names.SessionData}) {
		t.Fatalf("%d chunks, clear %q", len(set), clear)
	}
	var pairs []string
	for _, p := range set {
		pairs = append(pairs, p.Name+"="+p.Value)
	}
	slices.Reverse(pairs)
	jar, err := Read([]string{names.SessionToken + "=" + get("compact", "better-auth.session_token") + "; " + strings.Join(pairs, "; ")}, names)
	if err != nil || jar.SessionData != value {
		t.Fatalf("Read joined %d bytes of %d (%v)", len(jar.SessionData), len(value), err)
	}
	got, _, err := s.DecodeCompact(jar.SessionData)
	if err != nil || got.User.Additional["bio"] != p.User.Additional["bio"] {
		t.Fatalf("joined cache: %v", err)
	}

	// The next, shorter cache clears every old chunk.
	small := s.EncodeCompact(CacheInput{Session: SessionJSON(p.Session), User: []byte(`{"id":"u"}`), MaxAge: time.Minute})
	var existing []string
	for _, p := range set {
		existing = append(existing, p.Name)
	}
	set2, clear2 := Chunk(names.SessionData, small, a, existing)
	if len(set2) != 1 || len(clear2) != len(set) {
		t.Fatalf("set %v clear %v", set2, clear2)
	}
}
