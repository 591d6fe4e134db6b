package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

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
