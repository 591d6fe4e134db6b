//go:build race

package betterauth

// raceEnabled is true under the race detector, whose sync.Pool drops items at random (allocation counts
// are then not exact).
const raceEnabled = true
