package organization

import "testing"

// TestMembershipKey: the teamMember.membershipKey of Better Auth's adapter (computeTeamMembershipKey),
// vectors from @better-auth/utils' createHash and base64Url over JSON.stringify([teamId, userId]) as the
// adapter calls them, so a row either server writes is found by the other's key.
func TestMembershipKey(t *testing.T) {
	for _, v := range []struct{ team, user, key string }{
		{"team1", "user1", "mS9qjHTGRz06ArNtq21MAZ50vJ4vZT0OXIoFN_L6MGA"},
		{"tëam\"\u2028", `ü/\x`, "A4T9i4ej0Ml8vPrr3iVWEdT3x7eIaVxBzUd6rFnTc_M"},
	} {
		if got := membershipKey(v.team, v.user); got != v.key {
			t.Errorf("membershipKey(%q, %q) = %s, want %s", v.team, v.user, got, v.key)
		}
	}
}
