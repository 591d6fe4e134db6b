package authgin_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippet: the Go snippet at the top of README.md is the body of Example_readme, which the
// compiler checks, so the README cannot show code that does not compile as pasted.
func TestREADMESnippet(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(src), "\t// README begin\n")
	body, _, ok2 := strings.Cut(body, "\t// README end\n")
	if !ok || !ok2 {
		t.Fatal("example_test.go has no README begin/end markers")
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	want := "```go\n" + strings.Join(lines, "\n") + "\n```"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not show Example_readme's body; want:\n%s", want)
	}
}
