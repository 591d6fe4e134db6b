// Package depcheck holds one test: what a verify-only program links. A user pays only for what they
// import, so the verifier, the adapters and a JWT-only example must link no database or Redis driver
// and no OAuth client; those come in only through storeurl, the store packages and providers.
package depcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are the import-path prefixes a verify-only build must not link.
var forbidden = []string{
	"github.com/jackc/pgx",
	"github.com/go-sql-driver/mysql",
	"modernc.org/sqlite",
	"github.com/redis/go-redis",
	"golang.org/x/oauth2",
	"github.com/coreos/go-oidc",
	"go.opentelemetry.io", // the core calls an auth.Observer; only adapters/authotel links OpenTelemetry
}

func TestVerifierLinksNoDriver(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("go is not on PATH")
		}
		t.Skip("go is not on PATH")
	}
	root, err := filepath.Abs("../../..") // the repository root
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		dir  string // relative to the repository root
		pkg  string
	}{
		{name: "auth", dir: "core", pkg: "./auth"},
		{name: "authserver", dir: "core", pkg: "./authserver"},
		{name: "authhttp", dir: "adapters/authhttp", pkg: "."},
		{name: "authchi", dir: "adapters/authchi", pkg: "."},
		{name: "authgin", dir: "adapters/authgin", pkg: "."},
		{name: "authfiber", dir: "adapters/authfiber", pkg: "."},
		{name: "authecho", dir: "adapters/authecho", pkg: "."},
		{name: "authgrpc", dir: "adapters/authgrpc", pkg: "."},
		{name: "authconnect", dir: "adapters/authconnect", pkg: "."},
		{name: "examples/gin (JWT only)", dir: "examples", pkg: "./gin"},
		{name: "examples/fiber (JWT only)", dir: "examples", pkg: "./fiber"},
		{name: "examples/echo (JWT only)", dir: "examples", pkg: "./echo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(root, tt.dir)
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("module %s not found: %v", tt.dir, err)
				}
				t.Skipf("module %s not found (core alone?): %v", tt.dir, err)
			}
			cmd := exec.Command(goBin, "list", "-deps", tt.pkg)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				msg := ""
				if ee, ok := err.(*exec.ExitError); ok {
					msg = string(ee.Stderr)
				}
				t.Fatalf("go list -deps %s in %s: %v\n%s", tt.pkg, tt.dir, err, msg)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 10 {
				t.Fatalf("go list -deps %s in %s listed only %v", tt.pkg, tt.dir, deps)
			}
			for _, d := range deps {
				for _, f := range forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s links %s (a verify-only build must not; see docs/stores.md)", tt.name, d)
					}
				}
			}
		})
	}
}
