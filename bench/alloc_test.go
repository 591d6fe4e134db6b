package bench

import (
	"testing"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
)

// allocBudget is the target for heap allocations per verified request through authhttp.Middleware.
const allocBudget = 10

// TestAllocBudget reports the allocations per verified request through authhttp.Middleware. Missing the budget
// is a finding for docs/performance.md, not a failure; the test fails only if a valid token is refused.
func TestAllocBudget(t *testing.T) {
	tests := []struct {
		name    string
		fixture func(testing.TB) *fixture
	}{
		{name: "EdDSA", fixture: func(tb testing.TB) *fixture { return newJWKSFixture(tb, "EdDSA") }},
		{name: "HS256", fixture: newHS256Fixture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fixture(t)
			hh := newHarness(authhttp.Middleware(f.ours), "Bearer "+f.tok)
			if !hh.accepted() {
				t.Fatalf("authhttp.Middleware refused a valid %s token: status %d", tt.name, hh.w.code)
			}
			hh.served = 0
			const runs = 200
			allocs := testing.AllocsPerRun(runs, hh.serve)
			if hh.served != runs+1 || hh.w.code != 0 { // AllocsPerRun adds one warm-up run
				t.Fatalf("authhttp.Middleware refused a valid %s token: %d of %d served, status %d",
					tt.name, hh.served, runs+1, hh.w.code)
			}
			verdict := "within"
			if allocs > allocBudget {
				verdict = "MISSES"
			}
			t.Logf("%s via authhttp.Middleware: %.0f allocs per verified request (%s the budget of %d)",
				tt.name, allocs, verdict, allocBudget)
		})
	}
}
