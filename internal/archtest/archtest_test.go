package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/pm-project/pm"

// allowed lists, for each package (by path below the module), the packages
// of ours it may import. Packages not listed may import anything of ours
// except what rules below forbid.
var allowed = map[string][]string{
	"unit":    {},
	"compat":  {},
	"install": {"unit"},
	"manager": {"unit", "compat", "install", "internal/*"},
	"api":     {"manager", "unit", "compat", "install", "internal/*", "api/*"},
	"dbus":    {"manager", "unit", "compat", "install", "internal/*"},
	// The property table both front doors serve: no wire format of its
	// own, so no api or dbus.
	"internal/unitprops": {"manager", "unit", "compat", "install"},
}

type pkg struct {
	dir     string
	rel     string
	files   []*ast.File
	names   []string
	imports map[string][]string // import path → files
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", dir, err)
	}
	return dir
}

// loadPackages parses the non-test Go files of every package in the tree.
func loadPackages(t *testing.T) []*pkg {
	t.Helper()
	root := repoRoot(t)
	byDir := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.Dir(p)
		k := byDir[dir]
		if k == nil {
			rel, _ := filepath.Rel(root, dir)
			k = &pkg{dir: dir, rel: filepath.ToSlash(rel), imports: map[string][]string{}}
			byDir[dir] = k
		}
		k.files = append(k.files, f)
		k.names = append(k.names, filepath.Base(p))
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			k.imports[ip] = append(k.imports[ip], filepath.Base(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []*pkg
	for _, k := range byDir {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

func matches(pattern, rel string) bool {
	if strings.HasSuffix(pattern, "/*") {
		return strings.HasPrefix(rel, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == rel
}

func TestImportDirection(t *testing.T) {
	for _, p := range loadPackages(t) {
		rules, restricted := allowed[p.rel]
		for ip, files := range p.imports {
			if ip == "testing" || strings.HasPrefix(ip, "testing/") {
				t.Errorf("%s (%s) imports %q outside tests: the daemon must not link testing", p.rel, strings.Join(files, ", "), ip)
			}
			if !strings.HasPrefix(ip, module+"/") {
				continue
			}
			target := strings.TrimPrefix(ip, module+"/")
			if strings.HasPrefix(target, "cmd/") {
				t.Errorf("%s imports %s: nothing may import a command", p.rel, target)
			}
			if !restricted {
				continue
			}
			ok := false
			for _, r := range rules {
				if matches(r, target) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s (%s) imports %s, which DESIGN.md's import direction forbids (allowed: %v)", p.rel, strings.Join(files, ", "), target, rules)
			}
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range loadPackages(t) {
		var with []string
		for i, f := range p.files {
			if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
				with = append(with, p.names[i])
			}
		}
		switch {
		case len(with) == 0:
			t.Errorf("%s has no package doc comment; add a doc.go", p.rel)
		case len(with) > 1:
			t.Errorf("%s has %d package doc comments (%s); keep exactly one, in doc.go", p.rel, len(with), strings.Join(with, ", "))
		case with[0] != "doc.go" && !isMain(p):
			t.Errorf("%s has its package doc comment in %s; put it in doc.go", p.rel, with[0])
		}
	}
}

func isMain(p *pkg) bool {
	return len(p.files) > 0 && p.files[0].Name.Name == "main"
}

// generated matches Go's marker of generated files
// (https://go.dev/s/generatedcode), which may follow other comments.
var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// TestFileSize keeps files small enough to read (house style: under ~600
// lines; generated files are exempt).
func TestFileSize(t *testing.T) {
	root := repoRoot(t)
	const limit = 650
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".go" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if generated.Match(b) {
			return nil
		}
		if n := strings.Count(string(b), "\n"); n > limit {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s has %d lines; split it (limit %d)", rel, n, limit)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
