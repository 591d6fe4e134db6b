// Package bench holds gobetterauth's benchmarks side by side with peer libraries. Peers are imported only
// here. Run them with `make bench` or `cd bench && go test -bench . -benchmem`; docs/performance.md has the
// latest numbers.
package bench
