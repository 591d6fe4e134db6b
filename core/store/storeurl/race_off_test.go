//go:build !race

package storeurl

// raceEnabled is true under the race detector, which slows every call several times: the outage tests
// then check their latency bound loosely.
const raceEnabled = false
