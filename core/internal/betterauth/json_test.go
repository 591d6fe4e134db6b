package betterauth

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// Expected outputs were printed by Node 20's JSON.stringify.
func TestJSString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"q\"b\\s", `"q\"b\\s"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<&>\u2028\u2029", "\"<&>\u2028\u2029\""},
		{"zoë 日本 😀", `"zoë 日本 😀"`},
		{"é\u00a0", "\"é\u00a0\""},
		{"bad \xff utf-8 \xed\xa0\x80", "\"bad \uFFFD utf-8 \uFFFD\uFFFD\uFFFD\""},
	}
	for _, tt := range tests {
		if got := string(AppendJSString(nil, tt.in)); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestJSValue(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{0.0, "0"}, {math.Copysign(0, -1), "0"}, {1.5, "1.5"}, {1e21, "1e+21"}, {1e20, "100000000000000000000"},
		{123456789012.0, "123456789012"}, {1e-7, "1e-7"}, {0.000001, "0.000001"}, {-2.5e-10, "-2.5e-10"},
		{5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"}, {0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "null"}, {math.Inf(1), "null"}, {42, "42"}, {int64(-7), "-7"}, {json.Number("1.50"), "1.5"},
		{nil, "null"}, {true, "true"}, {"s", `"s"`},
		{[]any{1.0, "a", nil, map[string]any{"b": 1.0, "a": []any{}}}, `[1,"a",null,{"a":[],"b":1}]`},
		{[]string{"x", "<"}, `["x","<"]`},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), `"0001-01-01T00:00:00.000Z"`},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), `"-000001-01-01T00:00:00.000Z"`},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `"+010000-01-01T00:00:00.000Z"`},
		{time.Date(2026, 11, 28, 14, 29, 38, 626999999, time.FixedZone("CET", 3600)), `"2026-11-28T13:29:38.626Z"`},
		{json.RawMessage(`{"z":"<","a":1e2}`), `{"a":100,"z":"<"}`},
		{struct {
			A string `json:"a"`
		}{"<"}, `{"a":"<"}`},
	}
	for _, tt := range tests {
		if got := string(appendJSValue(nil, tt.in)); got != tt.want {
			t.Errorf("%#v: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

// The captured records come out in Better Auth's key order (the byte-exact cache tests check the real
// ones); these rows cover what the captures do not: extra fields, the admin plugin, a null image.
func TestRecordJSON(t *testing.T) {
	at := time.Date(2026, 11, 28, 13, 29, 38, 626000000, time.UTC)
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"session", SessionJSON(store.Session{ID: "s", Token: "t", UserID: "u", ExpiresAt: at, CreatedAt: at, UpdatedAt: at}),
			`{"expiresAt":"2026-11-28T13:29:38.626Z","token":"t","createdAt":"2026-11-28T13:29:38.626Z","updatedAt":"2026-11-28T13:29:38.626Z","ipAddress":"","userAgent":"","userId":"u","id":"s"}`},
		{"session extras in name order before id; core names in Additional ignored", SessionJSON(store.Session{ID: "s", Token: "t", UserID: "u",
			ExpiresAt: at, CreatedAt: at, UpdatedAt: at, IPAddress: "::1", UserAgent: "ua\"",
			Additional: map[string]any{"impersonatedBy": nil, "activeOrganizationId": "o", "id": "evil", "token": "evil"}}),
			`{"expiresAt":"2026-11-28T13:29:38.626Z","token":"t","createdAt":"2026-11-28T13:29:38.626Z","updatedAt":"2026-11-28T13:29:38.626Z","ipAddress":"::1","userAgent":"ua\"","userId":"u","activeOrganizationId":"o","impersonatedBy":null,"id":"s"}`},
		{"user, image null, dates from Additional", UserJSON(store.User{ID: "u", Email: "e@x", Name: "N",
			Additional: map[string]any{"createdAt": "2026-11-28T13:29:38.624Z", "updatedAt": at}}),
			`{"name":"N","email":"e@x","emailVerified":false,"image":null,"createdAt":"2026-11-28T13:29:38.624Z","updatedAt":"2026-11-28T13:29:38.626Z","id":"u"}`},
		{"user without dates", UserJSON(store.User{ID: "u", Email: "e@x", Name: "N", EmailVerified: true, Image: "https://x/y.png"}),
			`{"name":"N","email":"e@x","emailVerified":true,"image":"https://x/y.png","id":"u"}`},
		{"admin fields first in schema order, then others by name", UserJSON(store.User{ID: "u", Role: "admin,user",
			Additional: map[string]any{"bio": "b", "banExpires": nil, "banned": false, "createdAt": "c", "updatedAt": "d", "age": 3.0}}),
			`{"name":"","email":"","emailVerified":false,"image":null,"createdAt":"c","updatedAt":"d","role":"admin,user","banned":false,"banExpires":null,"age":3,"bio":"b","id":"u"}`},
		{"admin plugin without a role: role null", UserJSON(store.User{ID: "u", Additional: map[string]any{"banned": true}}),
			`{"name":"","email":"","emailVerified":false,"image":null,"role":null,"banned":true,"id":"u"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Fatalf("\n got  %s\n want %s", tt.got, tt.want)
			}
			if !json.Valid(tt.got) {
				t.Fatal("invalid JSON")
			}
		})
	}
}

// SessionJSON and UserJSON read back through the decoder's SessionFromMap and UserFromMap unchanged.
func TestRecordJSONRoundTrip(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.UTC)
	sess, user := sampleRecords(now)
	var m map[string]any
	if err := json.Unmarshal(SessionJSON(sess), &m); err != nil {
		t.Fatal(err)
	}
	s2, ok := SessionFromMap(m)
	if !ok || s2.ID != sess.ID || s2.Token != sess.Token || s2.UserID != sess.UserID || !s2.ExpiresAt.Equal(sess.ExpiresAt) ||
		!s2.CreatedAt.Equal(sess.CreatedAt) || s2.IPAddress != sess.IPAddress || s2.UserAgent != sess.UserAgent ||
		len(s2.Additional) != 2 || s2.Additional["activeOrganizationId"] != "org" {
		t.Fatalf("session %+v", s2)
	}
	m = nil
	if err := json.Unmarshal(UserJSON(user), &m); err != nil {
		t.Fatal(err)
	}
	u2, ok := UserFromMap(m)
	if !ok || u2.ID != user.ID || u2.Email != user.Email || u2.Name != user.Name || u2.EmailVerified != user.EmailVerified ||
		u2.Image != "" || u2.Role != user.Role || u2.Additional["createdAt"] != user.Additional["createdAt"] || u2.Additional["bio"] != "x" {
		t.Fatalf("user %+v", u2)
	}
}

func BenchmarkRecordJSON(b *testing.B) {
	sess, user := sampleRecords(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		_ = SessionJSON(sess)
		_ = UserJSON(user)
	}
}

// TestAppendDateAsAppendFormat: the hand-written ISO-8601 writer gives time.Format's text for every year
// from 0 to 9999 (JavaScript's toISOString form there), in any zone and with sub-millisecond digits.
func TestAppendDateAsAppendFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() / 1e3
	hi := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC).UnixNano() / 1e3
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 28, 18, 58, 59, 6999999, time.FixedZone("IST", 5*3600+1800)),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for range 100000 {
		us := lo + r.Int64N(hi-lo)
		times = append(times, time.UnixMicro(us).Add(time.Duration(r.IntN(1000))))
	}
	for _, tm := range times {
		want := `"` + tm.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z") + `"`
		if got := string(appendDate(nil, tm)); got != want {
			t.Fatalf("appendDate(%v) = %s, want %s", tm, got, want)
		}
	}
}
