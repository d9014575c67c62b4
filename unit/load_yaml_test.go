package unit

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// fakeYAML is a stand-in for ParseYAML: each line "NAME [DESCRIPTION]"
// describes one unit.
func fakeYAML(file string, data []byte) ([]Lowered, Diagnostics) {
	var out []Lowered
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		name, desc, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if name == "" {
			continue
		}
		pos := Pos{File: file, Line: line, Col: 1}
		out = append(out, Lowered{Name: name, Pos: pos, Options: []Option{
			{Section: SectionUnit, Key: "Description", Value: desc, Pos: pos, ValuePos: pos},
			{Section: SectionService, Key: "ExecStart", Value: "/bin/true", Pos: pos, ValuePos: pos},
		}})
	}
	return out, nil
}

func TestLoadYAML(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"lib/file.service":         testService,
		"lib/tpl@.service":         testService,
		"lib/masked.service":       "->/dev/null",
		"lib/web.service.d/x.conf": testConf,
		"lib/web.service.wants/":   "",
		"conf/10-a.yaml":           "web.service from-a\nfile.service shadowed\ntpl@special.service yaml-instance\nmasked.service m\nbad..name x\n",
		"conf/20-b.yml":            "web.service from-b\nyt@.service yaml-template\n",
		"conf/.hidden.yaml":        "hidden.service h\n",
		"conf/notes.txt":           "txt.service t\n",
		"conf2/c.yaml":             "other.service o\n",
	})
	l := Loader{Path: testPath(root), ConfigDirs: []string{root + "/conf", root + "/missing", root + "/conf2"}, parseYAML: fakeYAML}
	set, diags := l.LoadAll()
	tests := []struct {
		unit, source, fragment string
		state                  LoadState
		dropIns                int
	}{
		{"web.service", "conf/10-a.yaml", "conf/10-a.yaml", LoadLoaded, 1},
		{"file.service", "", "lib/file.service", LoadLoaded, 0},
		{"masked.service", "", "lib/masked.service", LoadMasked, 0},
		{"other.service", "conf2/c.yaml", "conf2/c.yaml", LoadLoaded, 0},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			u := set.Units[tt.unit]
			if u == nil {
				t.Fatalf("no unit; diags:\n%s", diags)
			}
			if got := strings.TrimPrefix(u.SourcePath, root+"/"); got != tt.source {
				t.Errorf("SourcePath = %q, want %q", got, tt.source)
			}
			if got := strings.TrimPrefix(u.FragmentPath, root+"/"); got != tt.fragment {
				t.Errorf("FragmentPath = %q, want %q", got, tt.fragment)
			}
			if u.LoadState != tt.state || len(u.DropInPaths) != tt.dropIns {
				t.Errorf("LoadState, DropInPaths = %q, %q", u.LoadState, u.DropInPaths)
			}
		})
	}
	if u := set.Units["web.service"]; u != nil && u.Description != "from-a" {
		t.Errorf("web.service Description = %q, want the first file's", u.Description)
	}
	for _, n := range []string{"hidden.service", "txt.service"} {
		if set.Units[n] != nil {
			t.Errorf("%s loaded from a file that is not read", n)
		}
	}
	for _, want := range []string{
		root + "/conf/20-b.yml:1:1: error: unit web.service is already defined in " + root + "/conf/10-a.yaml",
		root + "/conf/10-a.yaml:2:1: notice: unit file.service is also on the unit search path as " + root + "/lib/file.service",
		root + "/conf/10-a.yaml:4:1: notice: unit masked.service is also on the unit search path",
		root + "/conf/10-a.yaml:5:1: error: ",
	} {
		if !strings.Contains(diags.String(), want) {
			t.Errorf("diags lack %q:\n%s", want, diags)
		}
	}

	// A YAML instance beats the template's unit file; a YAML template
	// serves instances.
	for unit, want := range map[string]string{
		"tpl@special.service": "conf/10-a.yaml",
		"tpl@other.service":   "",
		"yt@x.service":        "conf/20-b.yml",
	} {
		u, d := set.Load(unit)
		if u == nil || strings.TrimPrefix(u.SourcePath, root+"/") != want || u.LoadState != LoadLoaded {
			t.Errorf("%s: %+v\n%s", unit, u, d)
		}
	}
}

func TestLoadRealYAML(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"conf/web.yaml":            "command: /bin/true\n",
		"lib/web.service.d/x.conf": testConf,
	})
	l := Loader{Path: testPath(root), ConfigDirs: []string{root + "/conf"}}
	set, diags := l.LoadAll()
	u := set.Units["web.service"]
	if u == nil || u.SourcePath != root+"/conf/web.yaml" || len(u.DropInPaths) != 1 {
		t.Fatalf("web.service = %+v\n%s", u, diags)
	}
}

func TestLoadFilesYAML(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"y/procs.yaml": "a.service\nb@.service\n"})
	l := Loader{parseYAML: fakeYAML}
	units, diags := l.LoadFiles([]string{root + "/y/procs.yaml"})
	if len(units) != 3 || units[0] != nil || units[1] == nil || units[1].Name != "a.service" || units[2] == nil || units[2].Name != "b@i.service" {
		t.Errorf("units = %+v\n%s", units, diags)
	}
}
