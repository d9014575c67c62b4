package unit

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testService = "[Unit]\nDescription=test\n[Service]\nExecStart=/bin/true\n"

// writeTree creates files under root. Keys are slash-separated paths
// relative to root. A value "->TARGET" makes a symlink to TARGET, in which
// "$ROOT" stands for root; a key ending in "/" makes a directory; "" makes
// an empty file.
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(body, "->"); ok {
			if err := os.Symlink(strings.ReplaceAll(target, "$ROOT", root), p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testPath is the search path of the tests: etc, run and lib under root.
func testPath(root string) []string {
	return []string{root + "/etc", root + "/run", root + "/lib"}
}

// rel strips root from paths so that expectations can be written relative.
func rel(root string, ps []string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p, root+"/"))
	}
	return out
}

// srcWant is what a test expects Sources to find; paths are relative to
// the tree's root.
type srcWant struct {
	Name     string
	Names    []string
	Fragment string
	Masked   bool
	NotFound bool
	DropIns  []string
	Wants    []string
	Requires []string
}

func checkSources(t *testing.T, root string, files map[string]string, unit string, want srcWant) {
	t.Helper()
	writeTree(t, root, files)
	x, _ := ScanPath(testPath(root))
	s, diags := x.Sources(unit)
	if s == nil {
		t.Fatalf("Sources(%q) = nil, diags:\n%s", unit, diags)
	}
	got := srcWant{
		Name:     s.Name,
		Names:    s.Names,
		Fragment: strings.TrimPrefix(s.FragmentPath, root+"/"),
		Masked:   s.Masked,
		NotFound: s.NotFound,
		DropIns:  rel(root, s.DropIns),
		Wants:    s.Wants,
		Requires: s.Requires,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sources(%q):\n got %+v\nwant %+v\ndiags:\n%s", unit, got, want, diags)
	}
}

func TestSourcesFragment(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		unit  string
		want  srcWant
	}{
		{"etc beats lib",
			map[string]string{"etc/a.service": testService, "lib/a.service": testService},
			"a.service", srcWant{Name: "a.service", Names: []string{"a.service"}, Fragment: "etc/a.service"}},
		{"lib only",
			map[string]string{"lib/a.service": testService},
			"a.service", srcWant{Name: "a.service", Names: []string{"a.service"}, Fragment: "lib/a.service"}},
		{"not found",
			map[string]string{"lib/a.service": testService, "lib/nf.service.d/x.conf": "[Unit]\n"},
			"nf.service", srcWant{Name: "nf.service", Names: []string{"nf.service"}, NotFound: true}},
		{"mask symlink in etc",
			map[string]string{"etc/a.service": "->/dev/null", "lib/a.service": testService},
			"a.service", srcWant{Name: "a.service", Names: []string{"a.service"}, Fragment: "etc/a.service", Masked: true}},
		{"empty file masks",
			map[string]string{"etc/a.service": "", "lib/a.service": testService},
			"a.service", srcWant{Name: "a.service", Names: []string{"a.service"}, Fragment: "etc/a.service", Masked: true}},
		{"masked unit keeps drop-ins and wants",
			map[string]string{"etc/m.service": "->/dev/null", "etc/m.service.d/a.conf": "[Unit]\n",
				"etc/m.service.wants/x.service": "->/nowhere/x.service"},
			"m.service", srcWant{Name: "m.service", Names: []string{"m.service"}, Fragment: "etc/m.service", Masked: true,
				DropIns: []string{"etc/m.service.d/a.conf"}, Wants: []string{"x.service"}}},
		{"alias gets the target's name",
			map[string]string{"lib/real.service": testService, "lib/al.service": "->real.service"},
			"al.service", srcWant{Name: "real.service", Names: []string{"real.service", "al.service"}, Fragment: "lib/real.service"}},
		{"aliases are collected from every directory",
			map[string]string{"lib/real.service": testService, "lib/al.service": "->real.service",
				"etc/al2.service": "->../lib/al.service"},
			"real.service", srcWant{Name: "real.service", Names: []string{"real.service", "al.service", "al2.service"}, Fragment: "lib/real.service"}},
		{"alias resolves by name, not by path",
			map[string]string{"etc/x.service": "->$ROOT/lib/y.service", "etc/y.service": testService, "lib/y.service": testService},
			"x.service", srcWant{Name: "y.service", Names: []string{"y.service", "x.service"}, Fragment: "etc/y.service"}},
		{"alias in etc shadows the file in lib",
			map[string]string{"etc/s.service": "->real.service", "lib/s.service": testService, "lib/real.service": testService},
			"s.service", srcWant{Name: "real.service", Names: []string{"real.service", "s.service"}, Fragment: "lib/real.service"}},
		{"linked unit keeps its link path",
			map[string]string{"etc/l.service": "->$ROOT/outside/l.service", "outside/l.service": testService},
			"l.service", srcWant{Name: "l.service", Names: []string{"l.service"}, Fragment: "etc/l.service"}},
		{"linked unit with another file name",
			map[string]string{"etc/l.service": "->$ROOT/outside/other.service", "outside/other.service": testService},
			"l.service", srcWant{Name: "l.service", Names: []string{"l.service"}, Fragment: "etc/l.service"}},
		{"self-alias is ignored",
			map[string]string{"etc/s.service": "->$ROOT/lib/s.service", "lib/s.service": testService},
			"s.service", srcWant{Name: "s.service", Names: []string{"s.service"}, Fragment: "lib/s.service"}},
		{"alias to another type is rejected",
			map[string]string{"etc/r.service": "->t.socket", "lib/t.socket": "[Socket]\n", "lib/r.service": testService},
			"r.service", srcWant{Name: "r.service", Names: []string{"r.service"}, Fragment: "lib/r.service"}},
		{"mount units cannot be aliased",
			map[string]string{"etc/n.mount": "->m.mount", "lib/m.mount": "[Mount]\n"},
			"n.mount", srcWant{Name: "n.mount", Names: []string{"n.mount"}, NotFound: true}},
		{"plain name cannot alias a template",
			map[string]string{"etc/p.service": "->t@.service", "lib/t@.service": testService, "lib/p.service": testService},
			"p.service", srcWant{Name: "p.service", Names: []string{"p.service"}, Fragment: "lib/p.service"}},
		{"alias loop is not found",
			map[string]string{"etc/a.service": "->b.service", "etc/b.service": "->a.service"},
			"a.service", srcWant{Name: "a.service", Names: []string{"a.service"}, NotFound: true}},
		{"dangling alias is not found",
			map[string]string{"etc/d.service": "->gone.service"},
			"d.service", srcWant{Name: "d.service", Names: []string{"d.service"}, NotFound: true}},
		{"alias into a subdirectory",
			map[string]string{"etc/d2.service": "->$ROOT/lib/sub/deep.service", "lib/sub/deep.service": testService},
			"d2.service", srcWant{Name: "d2.service", Names: []string{"d2.service"}, NotFound: true}},
		{"relative alias through a symlinked directory",
			map[string]string{"lib/t.service": testService, "else/lnk": "->$ROOT/lib", "etc/r.service": "->../else/lnk/t.service"},
			"r.service", srcWant{Name: "t.service", Names: []string{"t.service", "r.service"}, Fragment: "lib/t.service"}},
		{"hidden file is a unit",
			map[string]string{"lib/.h.service": testService},
			".h.service", srcWant{Name: ".h.service", Names: []string{".h.service"}, Fragment: "lib/.h.service"}},
		{"slice needs no fragment",
			map[string]string{"etc/s.slice.d/x.conf": "[Slice]\n"},
			"s.slice", srcWant{Name: "s.slice", Names: []string{"s.slice"}, DropIns: []string{"etc/s.slice.d/x.conf"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSources(t, t.TempDir(), tt.files, tt.unit, tt.want)
		})
	}
}

func TestSourcesTemplates(t *testing.T) {
	tree := map[string]string{
		"lib/foo@.service":             testService,
		"lib/foo@special.service":      testService,
		"lib/fa@.service":              "->foo@.service",
		"etc/ia@one.service":           "->foo@.service",
		"etc/ib@two.service":           "->foo@two.service",
		"lib/bar@inst.service":         testService,
		"lib/bar@.service":             "->foo@.service",
		"lib/base@.service":            testService,
		"lib/other@.service":           "->base@.service",
		"etc/third@q.service":          "->other@q.service",
		"lib/other@.service.d/o.conf":  "[Unit]\n",
		"lib/third@q.service.d/t.conf": "[Unit]\n",
	}
	tests := []struct {
		unit string
		want srcWant
	}{
		{"foo@x.service", srcWant{Name: "foo@x.service", Names: []string{"foo@x.service", "bar@x.service", "fa@x.service"}, Fragment: "lib/foo@.service"}},
		{"fa@x.service", srcWant{Name: "foo@x.service", Names: []string{"foo@x.service", "bar@x.service", "fa@x.service"}, Fragment: "lib/foo@.service"}},
		{"foo@special.service", srcWant{Name: "foo@special.service", Names: []string{"foo@special.service"}, Fragment: "lib/foo@special.service"}},
		// The template's own name counts as an alias, but not as the
		// primary name, when the instance has a file of its own.
		{"fa@special.service", srcWant{Name: "fa@special.service", Names: []string{"fa@special.service", "bar@special.service", "foo@special.service"}, Fragment: "lib/foo@.service"}},
		{"ia@one.service", srcWant{Name: "foo@one.service", Names: []string{"foo@one.service", "bar@one.service", "fa@one.service", "ia@one.service"}, Fragment: "lib/foo@.service"}},
		{"foo@one.service", srcWant{Name: "foo@one.service", Names: []string{"foo@one.service", "bar@one.service", "fa@one.service", "ia@one.service"}, Fragment: "lib/foo@.service"}},
		{"ib@two.service", srcWant{Name: "foo@two.service", Names: []string{"foo@two.service", "bar@two.service", "fa@two.service", "ib@two.service"}, Fragment: "lib/foo@.service"}},
		{"bar@inst.service", srcWant{Name: "bar@inst.service", Names: []string{"bar@inst.service"}, Fragment: "lib/bar@inst.service"}},
		{"foo@inst.service", srcWant{Name: "foo@inst.service", Names: []string{"foo@inst.service", "fa@inst.service"}, Fragment: "lib/foo@.service"}},
		{"third@q.service", srcWant{Name: "base@q.service", Names: []string{"base@q.service", "other@q.service", "third@q.service"}, Fragment: "lib/base@.service",
			DropIns: []string{"lib/other@.service.d/o.conf", "lib/third@q.service.d/t.conf"}}},
		{"other@r.service", srcWant{Name: "base@r.service", Names: []string{"base@r.service", "other@r.service"}, Fragment: "lib/base@.service",
			DropIns: []string{"lib/other@.service.d/o.conf"}}},
		{"nothing@x.service", srcWant{Name: "nothing@x.service", Names: []string{"nothing@x.service"}, NotFound: true}},
	}
	root := t.TempDir()
	writeTree(t, root, tree)
	x, _ := ScanPath(testPath(root))
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			s, diags := x.Sources(tt.unit)
			if s == nil {
				t.Fatalf("nil sources: %s", diags)
			}
			got := srcWant{Name: s.Name, Names: s.Names, Fragment: strings.TrimPrefix(s.FragmentPath, root+"/"),
				Masked: s.Masked, NotFound: s.NotFound, DropIns: rel(root, s.DropIns), Wants: s.Wants, Requires: s.Requires}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSourcesBadNames(t *testing.T) {
	x, _ := ScanPath(nil)
	for _, name := range []string{"foo@.service", "foo", "foo.bar", "", "a b.service", strings.Repeat("a", 250) + ".service"} {
		t.Run(name, func(t *testing.T) {
			s, diags := x.Sources(name)
			if s != nil {
				t.Fatalf("Sources(%q) = %+v, want nil", name, s)
			}
			if len(diags) != 1 || diags[0].Severity != Error || !errors.Is(diags[0], ErrBadName) {
				t.Errorf("diags = %v, want one Error wrapping ErrBadName", diags)
			}
		})
	}
}

func TestChaseParents(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"real/dir/":  "",
		"link":       "->$ROOT/real",
		"rel":        "->real/dir",
		"loop1":      "->$ROOT/loop2",
		"loop2":      "->$ROOT/loop1",
		"real/f":     "",
		"real/flink": "->f",
	})
	tests := []struct {
		in, want string
		err      bool
	}{
		{"/link/dir/x.service", "/real/dir/x.service", false},
		{"/rel/../x.service", "/real/x.service", false},
		{"/link/./dir/../x", "/real/x", false},
		{"/real/flink", "/real/flink", false}, // last component not followed
		{"/missing/../a/./b", "/a/b", false},
		{"/loop1/x", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := chaseParents(root + tt.in)
			if tt.err {
				if err == nil {
					t.Errorf("got %q, want an error", got)
				}
				return
			}
			if err != nil || got != root+tt.want {
				t.Errorf("got %q, %v; want %q", got, err, root+tt.want)
			}
		})
	}
}

func TestValidateAlias(t *testing.T) {
	tests := []struct {
		src, dst string
		ok       bool
	}{
		{"a.service", "b.service", true},
		{"a@.service", "b@.service", true},
		{"a@x.service", "b@x.service", true},
		{"a@x.service", "b@.service", true},
		{"a@x.service", "b@y.service", false},
		{"a.service", "b@.service", false},
		{"a@.service", "b.service", false},
		{"a.service", "b.socket", false},
		{"a.mount", "b.mount", false},
		{"a.device", "b.device", true},
		{"a@.device", "b@.device", false},
		{"a.service", "a.service", false},
		{"a.service", "not-a-unit", false},
	}
	for _, tt := range tests {
		t.Run(tt.src+"->"+tt.dst, func(t *testing.T) {
			err := validateAlias(tt.src, tt.dst)
			if (err == nil) != tt.ok {
				t.Errorf("validateAlias = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, errSelfAlias) && !errors.Is(err, ErrBadName) {
				t.Errorf("error %v does not wrap ErrBadName", err)
			}
		})
	}
}

func TestHiddenOrBackup(t *testing.T) {
	for name, want := range map[string]bool{
		".x.conf": true, "x.conf~": true, "x.conf.bak": true, "x.dpkg-new": true,
		"x.rpmsave": true, "lost+found": true, "x.conf": false, "x.service": false, "README": false,
	} {
		if got := HiddenOrBackup(name); got != want {
			t.Errorf("HiddenOrBackup(%q) = %v, want %v", name, got, want)
		}
	}
}
