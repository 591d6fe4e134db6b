package auth_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// TestVerifierImportsNoServer: the verifier links nothing of server mode (package authserver, the social
// providers and their OAuth and OpenID Connect libraries), and a verifier is not an http.Handler, so it
// cannot be mounted as a server.
func TestVerifierImportsNoServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []string{
		"github.com/gobetterauth/gobetterauth/core/authserver",
		"github.com/gobetterauth/gobetterauth/providers",
		"github.com/gobetterauth/gobetterauth/core/mail",
		"golang.org/x/oauth2",
		"github.com/coreos/go-oidc",
	}
	for dep := range strings.FieldsSeq(string(out)) {
		for _, b := range banned {
			if dep == b || strings.HasPrefix(dep, b+"/") {
				t.Errorf("package auth imports %s", dep)
			}
		}
	}
	if _, ok := any(&auth.Auth{}).(http.Handler); ok {
		t.Error("*auth.Auth is an http.Handler")
	}
}
