package unit

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const testConf = "[Unit]\nDocumentation=man:test\n"

func TestDropIns(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		unit  string
		want  []string
	}{
		{"sorted by file name across directories",
			map[string]string{"lib/a.service": testService,
				"lib/a.service.d/20-b.conf": testConf, "etc/a.service.d/10-a.conf": testConf, "run/a.service.d/30-c.conf": testConf},
			"a.service", []string{"etc/a.service.d/10-a.conf", "lib/a.service.d/20-b.conf", "run/a.service.d/30-c.conf"}},
		{"same name: higher directory wins",
			map[string]string{"lib/a.service": testService,
				"lib/a.service.d/x.conf": testConf, "etc/a.service.d/x.conf": testConf, "run/a.service.d/x.conf": testConf},
			"a.service", []string{"etc/a.service.d/x.conf"}},
		{"a /dev/null drop-in masks, and is listed",
			map[string]string{"lib/a.service": testService,
				"lib/a.service.d/x.conf": testConf, "etc/a.service.d/x.conf": "->/dev/null"},
			"a.service", []string{"etc/a.service.d/x.conf"}},
		{"only .conf, no hidden or backup files",
			map[string]string{"lib/a.service": testService,
				"lib/a.service.d/ok.conf": testConf, "lib/a.service.d/.h.conf": testConf,
				"lib/a.service.d/x.conf.bak": testConf, "lib/a.service.d/README": "x", "lib/a.service.d/x.conf~": testConf},
			"a.service", []string{"lib/a.service.d/ok.conf"}},
		{"type-wide drop-in",
			map[string]string{"lib/a.service": testService, "lib/service.d/all.conf": testConf, "lib/socket.d/no.conf": testConf},
			"a.service", []string{"lib/service.d/all.conf"}},
		{"specific name beats the type-wide one of the same name",
			map[string]string{"lib/a.service": testService, "etc/service.d/x.conf": testConf, "lib/a.service.d/x.conf": testConf},
			"a.service", []string{"lib/a.service.d/x.conf"}},
		{"prefix drop-ins, instance and template",
			map[string]string{"lib/foo-bar-baz@i.service": testService,
				"lib/foo-bar-baz@i.service.d/1.conf": testConf, "lib/foo-bar-baz@.service.d/2.conf": testConf,
				"lib/foo-bar-.service.d/3.conf": testConf, "lib/foo-.service.d/4.conf": testConf,
				"lib/foo-bar-@i.service.d/5.conf": testConf, "lib/foo-@.service.d/6.conf": testConf,
				"lib/foo-@i.service.d/7.conf": testConf, "lib/service.d/8.conf": testConf,
				"lib/foo-bar-baz@j.service.d/no.conf": testConf},
			"foo-bar-baz@i.service", []string{
				"lib/foo-bar-baz@i.service.d/1.conf", "lib/foo-bar-baz@.service.d/2.conf", "lib/foo-bar-.service.d/3.conf",
				"lib/foo-.service.d/4.conf", "lib/foo-bar-@i.service.d/5.conf", "lib/foo-@.service.d/6.conf",
				"lib/foo-@i.service.d/7.conf", "lib/service.d/8.conf"}},
		{"template drop-in for an instance",
			map[string]string{"lib/g@.service": testService, "lib/g@.service.d/t.conf": testConf, "etc/g@x.service.d/i.conf": testConf},
			"g@x.service", []string{"etc/g@x.service.d/i.conf", "lib/g@.service.d/t.conf"}},
		{"precedence walks directories before prefixes",
			// etc's prefix dir outranks run's own-name dir for the same file name.
			map[string]string{"lib/a-b.service": testService, "etc/a-.service.d/same.conf": testConf,
				"run/a-b.service.d/same.conf": "->/dev/null"},
			"a-b.service", []string{"etc/a-.service.d/same.conf"}},
		{"drop-ins of aliases",
			map[string]string{"lib/a-b.service": testService, "lib/alias-x.service": "->a-b.service",
				"lib/alias-x.service.d/q.conf": testConf, "etc/alias-.service.d/r.conf": testConf,
				"lib/a-b.service.d/q.conf": testConf},
			"alias-x.service", []string{"lib/a-b.service.d/q.conf", "etc/alias-.service.d/r.conf"}},
		{"symlinked drop-in directory",
			map[string]string{"lib/x.service": testService, "shared/x.service.d/s.conf": testConf,
				"lib/x.service.d": "->$ROOT/shared/x.service.d"},
			"x.service", []string{"shared/x.service.d/s.conf"}},
		{"no drop-ins for a unit that is not found",
			map[string]string{"lib/nf.service.d/x.conf": testConf},
			"nf.service", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tt.files)
			x, _ := ScanPath(testPath(root))
			s, diags := x.Sources(tt.unit)
			if s == nil {
				t.Fatalf("nil sources: %s", diags)
			}
			if got := rel(root, s.DropIns); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("drop-ins:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDependencyDirs(t *testing.T) {
	tree := map[string]string{
		"lib/multi.target":                           "[Unit]\n",
		"lib/multi-alias.target":                     "->multi.target",
		"lib/g@.target":                              "[Unit]\n",
		"lib/w1.service":                             testService,
		"lib/w@.service":                             testService,
		"etc/multi.target.wants/w1.service":          "->$ROOT/lib/w1.service",
		"etc/multi.target.wants/w@.service":          "->$ROOT/lib/w@.service",
		"etc/multi.target.wants/w@inst.service":      "->$ROOT/lib/w@.service",
		"etc/multi.target.wants/masked.service":      "->/dev/null",
		"lib/multi.target.wants/masked.service":      "->$ROOT/lib/w1.service",
		"lib/multi.target.wants/regular.service":     "x",
		"lib/multi.target.wants/not-a-unit":          "->$ROOT/lib/w1.service",
		"lib/multi.target.wants/mismatch.service":    "->$ROOT/lib/w1.service",
		"lib/multi.target.wants/.hidden.service":     "->$ROOT/lib/w1.service",
		"lib/multi-alias.target.requires/r1.service": "->$ROOT/lib/w1.service",
		"etc/multi.target.requires/dangling.service": "->/nonexistent/dangling.service",
		"lib/g@.target.wants/w@.service":             "->$ROOT/lib/w@.service",
		"etc/g@x.target.wants/gx.service":            "->$ROOT/lib/w1.service",
		"lib/target.wants/everyone.service":          "->$ROOT/lib/w1.service",
	}
	tests := []struct {
		unit            string
		wants, requires []string
		warnings        []string // substrings of expected warnings
	}{
		{"multi.target",
			[]string{"everyone.service", "mismatch.service", "w1.service", "w@inst.service", "w@multi.service"},
			[]string{"dangling.service", "r1.service"},
			[]string{"regular.service: warning: Wants dependency entry is not a symlink",
				"not-a-unit: warning: Wants dependency entry is not a valid unit name",
				"mismatch.service: warning: Wants dependency entry points to"}},
		{"multi-alias.target",
			[]string{"everyone.service", "mismatch.service", "w1.service", "w@inst.service", "w@multi.service"},
			[]string{"dangling.service", "r1.service"}, nil},
		{"g@x.target", []string{"everyone.service", "gx.service", "w@x.service"}, nil, nil},
		{"g@y.target", []string{"everyone.service", "w@y.service"}, nil, nil},
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
			if !reflect.DeepEqual(sorted(s.Wants), tt.wants) {
				t.Errorf("Wants: got %q, want %q", s.Wants, tt.wants)
			}
			if !reflect.DeepEqual(sorted(s.Requires), tt.requires) {
				t.Errorf("Requires: got %q, want %q", s.Requires, tt.requires)
			}
			for _, w := range tt.warnings {
				if !strings.Contains(diags.String(), w) {
					t.Errorf("diags lack %q:\n%s", w, diags)
				}
			}
		})
	}
}

func TestDependencyTemplateTooLong(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("p", 200)
	writeTree(t, root, map[string]string{
		"lib/" + long + ".target":                                  "[Unit]\n",
		"lib/" + long + ".target.wants/" + long[:60] + "@.service": "->/x/" + long[:60] + "@.service",
	})
	x, _ := ScanPath(testPath(root))
	s, diags := x.Sources(long + ".target")
	if s == nil || len(s.Wants) != 0 {
		t.Fatalf("got %+v, want no Wants", s)
	}
	// systemd also warns that a template entry of a unit without instance
	// "has a different name" than its target.
	if len(diags) != 2 || diags[1].Severity != Warning || !errors.Is(diags[1], ErrBadName) {
		t.Errorf("diags = %v, want a second warning wrapping ErrBadName", diags)
	}
}

func sorted(s []string) []string {
	return slices.Sorted(slices.Values(s))
}
