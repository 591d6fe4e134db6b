package interop

import (
	"context"
	"os"
	"testing"
)

// Require skips tb when the interop server cannot run here (see [Available]), telling the reader to run
// `make interop-deps`. When the environment variable CI is "true" it fails tb instead: CI must never pass
// by skipping the interop tests.
func Require(tb testing.TB) {
	tb.Helper()
	err := Available()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("interop: %v (CI=true: a missing interop server is a failure, not a skip)", err)
	}
	tb.Skipf("interop: %v", err)
}

// NewServer calls [Require], starts a server with env for tb, and closes it when tb ends.
func NewServer(tb testing.TB, env map[string]string) *Server {
	tb.Helper()
	Require(tb)
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	s, err := Start(ctx, env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}
