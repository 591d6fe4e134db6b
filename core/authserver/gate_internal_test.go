package authserver

import (
	"math"
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
			if got, want := betterauth.Banned(u, now), tt.want == gateBanned; got != want {
				t.Fatalf("bannedUser = %v, want %v", got, want)
			}
		})
	}
}
