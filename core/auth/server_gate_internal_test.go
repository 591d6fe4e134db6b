package auth

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// TestGateUser reads the admin and two-factor columns as Better Auth's plugins do: JavaScript truthiness for
// banned and twoFactorEnabled, and `new Date(banExpires).getTime() < Date.now()` for an expired ban.
func TestGateUser(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	past, future := "2026-05-01T11:59:59.999Z", "2026-05-01T12:00:00.001Z"
	tests := []struct {
		name string
		add  map[string]any
		path string
		want gateFinding
	}{
		{name: "no plugin columns", want: gateAllow},
		{name: "banned false", add: map[string]any{"banned": false, "banExpires": nil}, want: gateAllow},
		{name: "banned null", add: map[string]any{"banned": nil}, want: gateAllow},
		{name: "banned, no expiry", add: map[string]any{"banned": true, "banExpires": nil}, want: gateBanned},
		{name: "banned, expiry ahead", add: map[string]any{"banned": true, "banExpires": future}, want: gateBanned},
		{name: "banned, expiry now is not passed", add: map[string]any{"banned": true, "banExpires": "2026-05-01T12:00:00.000Z"}, want: gateBanned},
		{name: "banned, expiry passed", add: map[string]any{"banned": true, "banExpires": past}, want: gateBanExpired},
		{name: "banned, expiry as time.Time", add: map[string]any{"banned": true, "banExpires": now.Add(-time.Second)}, want: gateBanExpired},
		{name: "banned, expiry as epoch ms", add: map[string]any{"banned": true, "banExpires": float64(now.UnixMilli() - 1)}, want: gateBanExpired},
		{name: "banned, expiry not a date stays banned", add: map[string]any{"banned": true, "banExpires": "soon"}, want: gateBanned},
		{name: "banned, expiry NaN stays banned", add: map[string]any{"banned": true, "banExpires": math.NaN()}, want: gateBanned},
		{name: "banned as 1 (untyped column)", add: map[string]any{"banned": float64(1)}, want: gateBanned},
		{name: "banned as 0", add: map[string]any{"banned": float64(0)}, want: gateAllow},
		{name: "banned of an unknown type fails closed", add: map[string]any{"banned": []any{}}, want: gateBanned},
		{name: "two-factor on password sign-in", add: map[string]any{"twoFactorEnabled": true}, path: "/sign-in/email", want: gateTwoFactor},
		{name: "two-factor as 1 on password sign-in", add: map[string]any{"twoFactorEnabled": float64(1)}, path: "/sign-in/email", want: gateTwoFactor},
		{name: "two-factor off", add: map[string]any{"twoFactorEnabled": false}, path: "/sign-in/email", want: gateAllow},
		{name: "two-factor on social callback (Better Auth does not ask either)", add: map[string]any{"twoFactorEnabled": true}, path: "/callback/:id", want: gateAllow},
		{name: "two-factor on verify-email", add: map[string]any{"twoFactorEnabled": true}, path: "/verify-email", want: gateAllow},
		{name: "ban before two-factor", add: map[string]any{"banned": true, "twoFactorEnabled": true}, path: "/sign-in/email", want: gateBanned},
		{name: "expired ban, then two-factor", add: map[string]any{"banned": true, "banExpires": past, "twoFactorEnabled": true}, path: "/sign-in/email", want: gateBanExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &store.User{ID: "u1", Additional: tt.add}
			if got := gateUser(u, tt.path, now); got != tt.want {
				t.Fatalf("gateUser = %d, want %d", got, tt.want)
			}
			if got, want := bannedUser(u, now), tt.want == gateBanned; got != want {
				t.Fatalf("bannedUser = %v, want %v", got, want)
			}
		})
	}
}

// gateStore answers every token with one session of user u.
type gateStore struct{ u store.User }

func (s gateStore) Lookup(_ context.Context, token string) (*store.Result, error) {
	return &store.Result{User: s.u, Session: store.Session{ID: "s1", Token: token, UserID: s.u.ID,
		ExpiresAt: time.Now().Add(time.Hour)}}, nil
}

// TestCookieCacheBannedUser: a cookie cache whose user is banned (Better Auth's /admin/update-user can set
// banned without revoking sessions, and the next /get-session writes it into the cache) is not used; the store
// decides, and a banned user in the store is refused with ErrBanned (catalogue B15).
func TestCookieCacheBannedUser(t *testing.T) {
	banned := map[string]any{"banned": true, "banReason": "spam", "banExpires": nil}
	free := map[string]any{"banned": false, "banReason": nil, "banExpires": nil}
	tests := []struct {
		name      string
		cache     map[string]any // the cached user's admin fields
		row       map[string]any // the user row's, in the store
		wantErr   error
		wantCred  Credential
		wantCode  string
		wantState int
	}{
		{name: "cache and row not banned: the cache answers", cache: free, row: free, wantCred: CredentialCookieCache},
		{name: "cache banned, row not banned: the store answers", cache: banned, row: free, wantCred: CredentialCookie},
		{name: "cache not banned, row banned: the cache answers until it expires (B13)", cache: free, row: banned, wantCred: CredentialCookieCache},
		{name: "both banned: refused", cache: banned, row: banned, wantErr: ErrBanned, wantCode: "BANNED_USER", wantState: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := strings.Repeat("s", 40)
			a, err := New(Config{BaseURL: "http://localhost:3000", Secret: Secret(secret), DisableJWKS: true,
				Store:       gateStore{u: store.User{ID: "u1", Email: "ann@example.com", Additional: tt.row}},
				CookieCache: CookieCacheConfig{Strategy: CacheCompact}})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			u := store.User{ID: "u1", Email: "ann@example.com", Additional: tt.cache}
			sess := store.Session{ID: "s1", Token: "tok1", UserID: "u1", ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
			data := a.signer.EncodeCompact(betterauth.CacheInput{Session: betterauth.SessionJSON(sess),
				User: betterauth.UserJSON(u), UpdatedAt: now, MaxAge: 5 * time.Minute, Now: now})
			req := Request{Cookie: []string{"better-auth.session_token=" + a.signer.Sign("tok1") + "; better-auth.session_data=" + data}}
			s, err := a.Authenticate(t.Context(), req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrForbidden) || s != nil {
					t.Fatalf("Authenticate = %v, %v; want %v", s, err, tt.wantErr)
				}
				r := NewErrorResponse(err)
				if r.Status != tt.wantState || r.Code != tt.wantCode || HTTPStatus(err) != 403 {
					t.Fatalf("error response %+v", r)
				}
				return
			}
			if err != nil || s.Credential != tt.wantCred {
				t.Fatalf("Authenticate = %+v, %v; want credential %v", s, err, tt.wantCred)
			}
		})
	}
}
