//go:build race

package betterauth

// raceEnabled is true under the race detector, whose sync.Pool drops values at random: allocation counts
// are then not checked.
const raceEnabled = true
