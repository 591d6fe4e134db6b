//go:build !race

package authserver_test

// raceEnabled is true under the race detector, which makes scrypt about 15 times slower.
const raceEnabled = false
