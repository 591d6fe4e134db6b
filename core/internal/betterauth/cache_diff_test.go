package betterauth

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// parsePayloadReflect is ParsePayload as it was before the walker: encoding/json into maps. The walker
// must read every payload as it did (except names that differ only in case, which encoding/json matched
// and JavaScript does not).
func parsePayloadReflect(b []byte) (*Payload, error) {
	if strictjson.Walk(b, func(strictjson.Member) error { return nil }) != nil {
		return nil, ErrCache
	}
	var raw struct {
		Session   map[string]any `json:"session"`
		User      map[string]any `json:"user"`
		UpdatedAt *float64       `json:"updatedAt"`
		Version   *string        `json:"version"`
	}
	if err := json.Unmarshal(b, &raw); err != nil || raw.Session == nil || raw.User == nil || raw.UpdatedAt == nil {
		return nil, ErrCache
	}
	p := &Payload{UpdatedAt: int64(*raw.UpdatedAt), Version: "1"}
	if raw.Version != nil {
		p.Version = *raw.Version
	}
	var ok bool
	if p.Session, ok = SessionFromMap(raw.Session); !ok {
		return nil, ErrCache
	}
	if p.User, ok = UserFromMap(raw.User); !ok {
		return nil, ErrCache
	}
	return p, nil
}

var payloadSeeds = []string{
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","createdAt":"2026-11-28T13:28:59.012Z","updatedAt":"2026-11-28T13:28:59.012Z","ipAddress":"","userAgent":"curl/7.88.1","impersonatedBy":null,"activeOrganizationId":"o\u00e91"},"user":{"id":"u1","email":"a@example.com","name":"Zo\u00eb \"A\" 🚀","emailVerified":true,"image":null,"role":"admin","banned":false,"banExpires":null,"n":1.5,"tags":["a",{"b":2}]},"updatedAt":1764336539012,"version":"1"}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":1.5e12}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":1,"version":null}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":1,"version":2}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","ipAddress":1e400},"user":{"id":"u1"},"updatedAt":1}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","x":[1e400]},"user":{"id":"u1"},"updatedAt":1}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":1e400}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"soon"},"user":{"id":"u1"},"updatedAt":1}`,
	`{"session":{"id":"","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":1}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":7},"updatedAt":1}`,
	`{"session":null,"user":{"id":"u1"},"updatedAt":1}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"},"updatedAt":"1"}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z"},"user":{"id":"u1"}}`,
	`{"session":{"\u0069d":"s\n1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","\u0078":"\ud83d\ude80"},"user":{"id":"u1"},"updatedAt":-3.7,"exp":5,"iat":{}}`,
	`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","id":"s2"},"user":{"id":"u1"},"updatedAt":1}`,
	`[]`,
	`{}`,
}

// caseVariant reports whether b may name a member that differs only in case from one ParsePayload reads
// (or spells a name with escapes, which this check cannot see through).
func caseVariant(b []byte) bool {
	if bytes.Contains(b, []byte(`\u`)) {
		return true
	}
	lower := bytes.ToLower(b)
	for _, k := range []string{"session", "user", "updatedAt", "version", "id", "token", "userId", "expiresAt",
		"createdAt", "ipAddress", "userAgent", "email", "name", "emailVerified", "image", "role"} {
		if bytes.Count(lower, []byte(`"`+strings.ToLower(k)+`"`)) != bytes.Count(b, []byte(`"`+k+`"`)) {
			return true
		}
	}
	return false
}

func checkSameAsReflect(t *testing.T, b []byte) {
	t.Helper()
	want, werr := parsePayloadReflect(b)
	got, gerr := ParsePayload(b)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: error %v, encoding/json's %v", b, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", b, got, want)
	}
}

func TestParsePayloadAsEncodingJSON(t *testing.T) {
	for _, s := range payloadSeeds {
		t.Run(s, func(t *testing.T) { checkSameAsReflect(t, []byte(s)) })
	}
}

// FuzzParsePayloadAsEncodingJSON: the walker reads every payload as encoding/json did.
func FuzzParsePayloadAsEncodingJSON(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if caseVariant(b) {
			t.Skip()
		}
		checkSameAsReflect(t, b)
	})
}

// compactValue builds a compact cache value around payload text as Better Auth's shape does, signed over
// payload and exp (whether or not either is valid), with between inserted after the session member.
func compactValue(s *Signer, payload, exp, between string) string {
	signed := payload
	if len(payload) > 0 && payload[len(payload)-1] == '}' {
		if strings.TrimSpace(payload[:len(payload)-1]) == "{" {
			signed = payload[:len(payload)-1] + `"expiresAt":` + exp + "}"
		} else {
			signed = payload[:len(payload)-1] + `,"expiresAt":` + exp + "}"
		}
	}
	sig := rawURL.EncodeToString(s.Sum([]byte(signed)))
	return rawURL.EncodeToString([]byte(`{"session":` + payload + between + `,"expiresAt":` + exp + `,"signature":"` + sig + `"}`))
}

// FuzzDecodeCompactShape: DecodeCompact (the shape Better Auth writes read without the outer walk, the
// walk otherwise) answers every value as decodeCompactWalk alone does: values built around fuzzed payload
// text, expiry text and members between, signed or not, and raw fuzzed text.
func FuzzDecodeCompactShape(f *testing.F) {
	s := NewSigner("better-auth-secret-123456789012345678901234567890")
	for _, p := range payloadSeeds {
		f.Add(p, "1764336539012", "", "")
	}
	f.Add(payloadSeeds[0], "1.5e12", "", "")
	f.Add(payloadSeeds[0], "01", "", "")
	f.Add(payloadSeeds[0], "1764336539012", `,"x":1`, "")
	f.Add(`{}`, "1", "", "")
	f.Add(`{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","x":`+
		strings.Repeat("[", 30)+"1"+strings.Repeat("]", 30)+`},"user":{"id":"u1"},"updatedAt":1}`, "1", "", "")
	f.Add(`{"session":{"id":"s1"},"user":{"id":"u1"},"updatedAt":1},"expiresAt":1,"signature":"x"}`, "1", "", "eyJzZXNzaW9uIjp7fX0")
	f.Fuzz(func(t *testing.T, payload, exp, between, raw string) {
		for _, v := range []string{compactValue(s, payload, exp, between), raw} {
			p1, t1, err1 := s.DecodeCompact(v)
			var p2 *Payload
			var t2 time.Time
			var err2 error
			if outer, err := rawURL.DecodeString(v); err != nil {
				err2 = ErrCache
			} else {
				p2, t2, err2 = s.decodeCompactWalk(outer)
			}
			if (err1 == nil) != (err2 == nil) || !t1.Equal(t2) || !reflect.DeepEqual(p1, p2) {
				t.Fatalf("%q: DecodeCompact %+v, %v, %v; walk %+v, %v, %v", v, p1, t1, err1, p2, t2, err2)
			}
		}
	})
}

// TestDecodeCompactShapeUsed: values Better Auth's shape has take the shape path (so the fuzz target above
// compares something), and one a level too deep for the outer walk does not.
func TestDecodeCompactShapeUsed(t *testing.T) {
	s := NewSigner("better-auth-secret-123456789012345678901234567890")
	deep := `{"session":{"id":"s1","token":"t1","userId":"u1","expiresAt":"2026-12-05T13:28:59.012Z","x":` +
		strings.Repeat("[", 30) + "1" + strings.Repeat("]", 30) + `},"user":{"id":"u1"},"updatedAt":1}`
	for _, tt := range []struct {
		name    string
		payload string
		shape   bool
	}{
		{"better-auth", payloadSeeds[0], true},
		{"minimal", payloadSeeds[1], true},
		{"too-deep", deep, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			outer, err := rawURL.DecodeString(compactValue(s, tt.payload, "1764336539012", ""))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, ok := s.decodeCompactShape(outer); ok != tt.shape {
				t.Errorf("shape path %v, want %v", ok, tt.shape)
			}
		})
	}
}
