package betterauth

import (
	"strings"
	"testing"
)

func TestRandomString(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		s := NewID()
		if len(s) != 32 || strings.Trim(s, idAlphabet) != "" || seen[s] {
			t.Fatalf("id %q", s)
		}
		seen[s] = true
		for _, c := range s {
			counts[c]++
		}
	}
	// 64 000 characters over 62 symbols: about 1032 each. A biased generator (b%62 without rejection)
	// would give the first symbols about 1.2x the others; allow ±20 %.
	for _, c := range idAlphabet {
		if n := counts[c]; n < 825 || n > 1240 {
			t.Errorf("character %q drawn %d times", c, n)
		}
	}
	if got := RandomString(24); len(got) != 24 {
		t.Errorf("len %d", len(got))
	}
}
