package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// marshalJSONAsMaps is MarshalJSON as it was before appendSessionJSON: maps, then json.Marshal.
func marshalJSONAsMaps(s *Session) ([]byte, error) {
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	var sess map[string]any
	switch {
	case s.Record != nil:
		r := s.Record
		sess = make(map[string]any, len(r.Additional)+7)
		for k, v := range r.Additional {
			sess[k] = v
		}
		sess["id"], sess["userId"], sess["ipAddress"], sess["userAgent"] = r.ID, r.UserID, r.IPAddress, r.UserAgent
		sess["expiresAt"], sess["createdAt"], sess["updatedAt"] = iso(r.ExpiresAt), iso(r.CreatedAt), iso(r.UpdatedAt)
	case s.APIKey != nil:
		k := s.APIKey
		sess = map[string]any{"id": k.ID, "userId": k.ReferenceID, "keyId": k.ID}
		if k.ExpiresAt != nil {
			sess["expiresAt"] = iso(*k.ExpiresAt)
		}
	case s.Claims != nil:
		c := s.Claims
		sess = map[string]any{"expiresAt": iso(c.ExpiresAt), "algorithm": c.Algorithm}
		if !c.IssuedAt.IsZero() {
			sess["issuedAt"] = iso(c.IssuedAt)
		}
		if c.KeyID != "" {
			sess["keyId"] = c.KeyID
		}
	default:
		sess = map[string]any{}
	}
	sess["credential"] = s.Credential.String()
	return json.Marshal(map[string]any{"session": sess, "user": userObject(s.User)})
}

// sessionFromFuzz builds a session of the given kind (0 record, 1 API key, 2 claims, 3 none) from the
// fuzzer's values; the additional members take keys that collide with typed fields too.
func sessionFromFuzz(kind uint8, str, key string, n int64, f float64, flag bool) *Session {
	at := time.Unix(0, n).In(time.FixedZone("x", 3600))
	add := func() map[string]any {
		return map[string]any{key: str, "id": "shadowed", "x" + key: n, "f": f, "flag": flag, "nil": nil,
			"nested": map[string]any{key: []any{str, f, nil}}}
	}
	s := &Session{Credential: Credential(kind % 25),
		User: store.User{ID: str, Email: key + "@example.com", Name: str, EmailVerified: flag, Additional: add()}}
	if flag {
		s.User.Image, s.User.Role = key, str
	}
	switch kind % 4 {
	case 0:
		s.Record = &store.Session{ID: key, UserID: str, IPAddress: str, UserAgent: key, ExpiresAt: at,
			CreatedAt: at.Add(-time.Hour), UpdatedAt: at.Add(time.Duration(n % 1e9)), Additional: add()}
	case 1:
		s.APIKey = &store.APIKey{ID: key, ReferenceID: str}
		if flag {
			s.APIKey.ExpiresAt = &at
		}
	case 2:
		s.Claims = &Claims{ExpiresAt: at, Algorithm: str, KeyID: key}
		if flag {
			s.Claims.IssuedAt = at.Add(-time.Minute)
		}
	}
	return s
}

// FuzzSessionJSONAsMaps: MarshalJSON writes exactly the bytes (or the error) the map-building code wrote.
func FuzzSessionJSONAsMaps(f *testing.F) {
	f.Add(uint8(0), "Ann", "ipAddress", int64(1_700_000_000_123_456_789), 1.5, true)
	f.Add(uint8(1), "<b>&\"\\\u2028\xff\x01", "role", int64(-1), math.Inf(1), false)
	f.Add(uint8(2), "é", "", int64(0), 0.1, true)
	f.Add(uint8(3), "", "user", int64(math.MaxInt64), -0.0, false)
	f.Fuzz(func(t *testing.T, kind uint8, str, key string, n int64, x float64, flag bool) {
		s := sessionFromFuzz(kind, str, key, n, x, flag)
		want, wantErr := marshalJSONAsMaps(s)
		got, gotErr := s.MarshalJSON()
		if (wantErr == nil) != (gotErr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("MarshalJSON:\n got %s (%v)\nwant %s (%v)", got, gotErr, want, wantErr)
		}
	})
}

// TestSessionJSONAllocations: a cookie session with a few additional fields is written with one
// allocation (the answer's buffer).
func TestSessionJSONAllocations(t *testing.T) {
	at := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	s := &Session{Credential: CredentialCookie,
		User: store.User{ID: "u1", Email: "ann@example.com", Name: "Ann", Additional: map[string]any{
			"createdAt": "2026-12-07T21:00:00.000Z", "updatedAt": "2026-12-07T21:00:00.000Z", "banned": false, "banReason": nil}},
		Record: &store.Session{ID: "s1", UserID: "u1", UserAgent: "test", ExpiresAt: at, CreatedAt: at, UpdatedAt: at,
			Additional: map[string]any{"impersonatedBy": nil}}}
	if n := testing.AllocsPerRun(100, func() { _, _ = s.MarshalJSON() }); n > 1 {
		t.Errorf("MarshalJSON: %v allocations, want 1", n)
	}
}

// BenchmarkSessionMarshalJSON: a cookie session as examples/nethttp's /api/me writes it, through
// json.Encoder (asMaps: the code before appendSessionJSON).
func BenchmarkSessionMarshalJSON(b *testing.B) {
	at := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	s := &Session{Credential: CredentialCookie,
		User: store.User{ID: "u1234567890", Email: "ann@example.com", Name: "Ann", EmailVerified: true, Additional: map[string]any{
			"createdAt": "2026-12-07T21:00:00.000Z", "updatedAt": "2026-12-07T21:00:00.000Z", "banned": nil, "banReason": nil, "banExpires": nil}},
		Record: &store.Session{ID: "s123", UserID: "u1234567890", UserAgent: "bench", ExpiresAt: at, CreatedAt: at, UpdatedAt: at,
			Additional: map[string]any{"impersonatedBy": nil}}}
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = s.MarshalJSON()
		}
	})
	b.Run("asMaps", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = marshalJSONAsMaps(s)
		}
	})
	b.Run("Encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = json.NewEncoder(io.Discard).Encode(s)
		}
	})
}
