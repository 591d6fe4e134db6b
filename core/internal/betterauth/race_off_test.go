//go:build !race

package betterauth

const raceEnabled = false
