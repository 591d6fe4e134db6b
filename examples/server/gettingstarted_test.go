package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// codeBlock returns the first fenced block of the given language in md that contains marker.
func codeBlock(t *testing.T, md, lang, marker string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(md, -1) {
		if strings.Contains(m[1], marker) {
			return m[1]
		}
	}
	t.Fatalf("docs/getting-started.md has no ```%s block with %q", lang, marker)
	return ""
}

// TestGettingStartedModules: the Go API of docs/getting-started.md (setup 1) builds in a fresh module that
// depends on this repository the two ways the page shows before a tagged release: a go.work workspace,
// and go mod edit -replace lines plus go mod tidy. The commands and the program are read from the page, with
// ../gobetterauth standing for this checkout.
func TestGettingStartedModules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "getting-started.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	program := codeBlock(t, md, "go", "package main")
	tests := []struct {
		name     string
		marker   string // the command block to run
		gowork   string // GOWORK for the build
		wantFile string // what the commands must have written
	}{
		{name: "go.work", marker: "go work init", gowork: "", wantFile: "go.work"},
		{name: "replace", marker: "go mod edit -replace", gowork: "off", wantFile: "go.sum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := append(os.Environ(), "GOWORK="+tt.gowork, "GOFLAGS=")
			sh := func(script string) {
				t.Helper()
				cmd := exec.Command("sh", "-ec", script)
				cmd.Dir, cmd.Env = dir, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", script, err, out)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
				t.Fatal(err)
			}
			sh("go mod init example.com/api")
			sh(strings.ReplaceAll(codeBlock(t, md, "sh", tt.marker), "../gobetterauth", root))
			if _, err := os.Stat(filepath.Join(dir, tt.wantFile)); err != nil {
				t.Fatalf("the commands wrote no %s", tt.wantFile)
			}
			sh("go vet . && go build -o api .")
		})
	}
}
