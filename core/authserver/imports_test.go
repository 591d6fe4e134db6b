package authserver_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestServerImports: server mode links no social provider library (the adapters, whose Mount takes a
// Server, must not pull x/oauth2 or go-oidc), and it opens no database by URL itself (storeurl, with every
// driver, is the caller's choice).
func TestServerImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		for _, b := range []string{"github.com/gobetterauth/gobetterauth/providers", "golang.org/x/oauth2", "github.com/coreos/go-oidc"} {
			if dep == b || strings.HasPrefix(dep, b+"/") {
				t.Errorf("package authserver links %s", dep)
			}
		}
	}
	out, err = exec.Command("go", "list", "-f", "{{join .Imports \"\\n\"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if imports := strings.Fields(string(out)); slices.Contains(imports, "github.com/gobetterauth/gobetterauth/core/store/storeurl") {
		t.Error("package authserver imports storeurl")
	}
}
