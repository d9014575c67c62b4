package unit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestLoadStates(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		unit      string
		state     LoadState
		loadError string // substring
		fragment  string
		dropIns   []string
	}{
		{"loaded", map[string]string{"lib/a.service": testService}, "a.service", LoadLoaded, "", "lib/a.service", nil},
		{"not found", map[string]string{"lib/nf.service.d/x.conf": testConf}, "nf.service", LoadNotFound, "Unit nf.service not found.", "", nil},
		{"masked", map[string]string{"etc/m.service": "->/dev/null", "lib/m.service.d/x.conf": testConf},
			"m.service", LoadMasked, "Unit m.service is masked.", "etc/m.service", []string{"lib/m.service.d/x.conf"}},
		{"bad section header", map[string]string{"lib/b.service": testService + "[Bad\n", "lib/b.service.d/x.conf": testConf},
			"b.service", LoadError, "Unit b.service failed to load properly, please adjust/correct and reload service manager: Bad message", "lib/b.service", nil},
		{"line too long", map[string]string{"lib/b.service": testService + "Environment=" + strings.Repeat("x", MaxLineLength) + "\n"},
			"b.service", LoadError, "No buffer space available", "lib/b.service", nil},
		{"fragment is a directory", map[string]string{"lib/d.service": "->$ROOT/somedir", "somedir/": ""},
			"d.service", LoadError, "Is a directory", "lib/d.service", nil},
		{"dangling linked unit", map[string]string{"etc/g.service": "->/nonexistent/g.service"},
			"g.service", LoadNotFound, "Unit g.service not found.", "", nil},
		{"slice without fragment", map[string]string{"etc/x.slice.d/a.conf": "[Slice]\n"},
			"x.slice", LoadLoaded, "", "", []string{"etc/x.slice.d/a.conf"}},
		{"target without fragment", map[string]string{}, "t.target", LoadNotFound, "Unit t.target not found.", "", nil},
		{"bad drop-in does not fail the unit", map[string]string{"lib/a.service": testService, "lib/a.service.d/x.conf": "[Unit]\n[Bad\n"},
			"a.service", LoadLoaded, "", "lib/a.service", []string{"lib/a.service.d/x.conf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tt.files)
			l := Loader{Path: testPath(root)}
			u, diags := l.Load(tt.unit)
			if u == nil {
				t.Fatalf("Load = nil, diags:\n%s", diags)
			}
			if u.LoadState != tt.state {
				t.Errorf("LoadState = %q, want %q; diags:\n%s", u.LoadState, tt.state, diags)
			}
			if !strings.Contains(u.LoadError, tt.loadError) || (tt.loadError == "" && u.LoadError != "") {
				t.Errorf("LoadError = %q, want %q", u.LoadError, tt.loadError)
			}
			if got := strings.TrimPrefix(u.FragmentPath, root+"/"); got != tt.fragment {
				t.Errorf("FragmentPath = %q, want %q", got, tt.fragment)
			}
			if got := rel(root, u.DropInPaths); !reflect.DeepEqual(got, tt.dropIns) {
				t.Errorf("DropInPaths = %q, want %q", got, tt.dropIns)
			}
			if u.Name != tt.unit || u.Type == "" {
				t.Errorf("Name, Type = %q, %q", u.Name, u.Type)
			}
		})
	}
}

func TestLoadBadName(t *testing.T) {
	l := Loader{Path: []string{t.TempDir()}}
	for _, name := range []string{"foo@.service", "nope"} {
		u, diags := l.Load(name)
		if u != nil || !diags.HasErrors() || !errors.Is(diags[0], ErrBadName) {
			t.Errorf("Load(%q) = %v, %v; want nil and an ErrBadName error", name, u, diags)
		}
	}
}

func TestLoadAll(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"lib/a.service":                    testService,
		"lib/b.service":                    "->a.service",
		"etc/c.service":                    "->$ROOT/lib/b.service",
		"lib/t@.service":                   testService,
		"lib/t@one.service":                "->t@.service",
		"lib/x.target":                     "[Unit]\n",
		"lib/x.target.wants/t@two.service": "->$ROOT/lib/t@.service",
		"lib/x.target.wants/a.service":     "->$ROOT/lib/a.service",
		"etc/m.service":                    "->/dev/null",
		"lib/m.service":                    testService,
		"lib/README":                       "not a unit",
		"lib/foo.servic.d/":                "",
		"etc/dang.service":                 "->nothere.service",
		"etc/self.service":                 "->self.service",
	})
	set, diags := LoadDirs(t, testPath(root))
	names := make([]string, 0, len(set.Units))
	for n := range set.Units {
		names = append(names, n)
	}
	want := []string{"a.service", "b.service", "c.service", "m.service", "t@one.service", "x.target"}
	if got := sorted(names); !reflect.DeepEqual(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	a := set.Units["a.service"]
	if a == nil || set.Units["b.service"] != a || set.Units["c.service"] != a {
		t.Errorf("aliases do not share the unit: %p %p %p", a, set.Units["b.service"], set.Units["c.service"])
	}
	if a != nil && !reflect.DeepEqual(a.Names, []string{"a.service", "b.service", "c.service"}) {
		t.Errorf("a.Names = %q", a.Names)
	}
	if u := set.Units["t@one.service"]; u == nil || u.FragmentPath != root+"/lib/t@.service" {
		t.Errorf("t@one.service = %+v", u)
	}
	if u := set.Units["m.service"]; u == nil || u.LoadState != LoadMasked {
		t.Errorf("m.service = %+v, want masked", u)
	}
	if u := set.Units["x.target"]; u == nil || !reflect.DeepEqual(u.Wants, []string{"a.service", "t@two.service"}) {
		t.Errorf("x.target Wants = %q", u.Wants)
	}
	if !strings.Contains(diags.String(), root+"/lib/README: notice:") {
		t.Errorf("no notice for README:\n%s", diags)
	}
	if !strings.Contains(diags.String(), root+"/etc/self.service: warning: symlink points to itself") {
		t.Errorf("no warning for self.service:\n%s", diags)
	}
	if !strings.Contains(diags.String(), root+"/lib/foo.servic.d: notice:") {
		t.Errorf("no notice for foo.servic.d:\n%s", diags)
	}

	// Instances are loaded on demand from the same scan.
	u, d := set.Load("t@two.service")
	if u == nil || u.Name != "t@two.service" || u.LoadState != LoadLoaded || set.Units["t@two.service"] != u {
		t.Errorf("Set.Load(t@two.service) = %+v, %s", u, d)
	}
	if again, _ := set.Load("t@two.service"); again != u {
		t.Errorf("second Set.Load returned another unit")
	}
}

// LoadDirs is LoadAll over a search path.
func LoadDirs(t *testing.T, path []string) (*Set, Diagnostics) {
	t.Helper()
	l := Loader{Path: path}
	return l.LoadAll()
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.service": testService, "a.service.d/x.conf": testConf})
	set, diags := LoadDir(dir, nil)
	u := set.Units["a.service"]
	if u == nil || u.FragmentPath != dir+"/a.service" || !reflect.DeepEqual(u.DropInPaths, []string{dir + "/a.service.d/x.conf"}) {
		t.Fatalf("a.service = %+v\n%s", u, diags)
	}
}

func TestScanDiagnostics(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"etc/r.service":        "->t.socket",
		"lib/t.socket":         "[Socket]\n",
		"etc/n.mount":          "->m.mount",
		"lib/m.mount":          "[Mount]\n",
		"etc/deep2.service":    "->$ROOT/lib/sub/deep.service",
		"lib/sub/deep.service": testService,
		"etc/.hidden-junk":     "",
	})
	_, diags := ScanPath(testPath(root))
	for _, want := range []string{
		root + "/etc/r.service: warning: symlink target \"t.socket\" has incompatible suffix, rejecting",
		root + "/etc/n.mount: warning: symlinks are not allowed for units of type mount, rejecting",
		root + "/etc/deep2.service: warning: suspicious symlink",
	} {
		if !strings.Contains(diags.String(), want) {
			t.Errorf("diags lack %q:\n%s", want, diags)
		}
	}
	if strings.Contains(diags.String(), "hidden-junk") {
		t.Errorf("hidden file reported:\n%s", diags)
	}
	for _, d := range diags {
		if strings.Contains(d.Msg, "rejecting") && !errors.Is(d, ErrBadName) {
			t.Errorf("%v does not wrap ErrBadName", d)
		}
	}
}

func TestLoadFiles(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"w/a.service":           testService,
		"w/a.service.d/x.conf":  testConf,
		"w/t@.service":          testService,
		"w/t@.service.d/y.conf": testConf,
		"v/b.service":           testService,
	})
	l := Loader{Path: []string{root + "/v"}}
	units, diags := l.LoadFiles([]string{root + "/w/a.service", root + "/w/t@.service", root + "/w/t@x.service", root + "/w/bad.name", root + "/v/b.service"})
	if len(units) != 5 {
		t.Fatalf("got %d units, want 5; diags:\n%s", len(units), diags)
	}
	check := func(i int, name, frag string, dropIns ...string) {
		t.Helper()
		u := units[i]
		if u == nil {
			t.Errorf("unit %d is nil", i)
			return
		}
		if u.Name != name || u.FragmentPath != frag || !reflect.DeepEqual(u.DropInPaths, dropIns) {
			t.Errorf("unit %d = %q %q %q, want %q %q %q", i, u.Name, u.FragmentPath, u.DropInPaths, name, frag, dropIns)
		}
	}
	check(0, "a.service", root+"/w/a.service", root+"/w/a.service.d/x.conf")
	check(1, "t@i.service", root+"/w/t@.service", root+"/w/t@.service.d/y.conf")
	check(2, "t@x.service", root+"/w/t@.service", root+"/w/t@.service.d/y.conf")
	if units[3] != nil {
		t.Errorf("unit 3 = %+v, want nil", units[3])
	}
	check(4, "b.service", root+"/v/b.service")
	if !diags.HasErrors() || !strings.Contains(diags.String(), "bad.name") {
		t.Errorf("no error for bad.name:\n%s", diags)
	}
}

func TestLoadFilesMissing(t *testing.T) {
	dir := t.TempDir()
	l := Loader{}
	units, _ := l.LoadFiles([]string{filepath.Join(dir, "gone.service")})
	if len(units) != 1 || units[0] == nil || units[0].LoadState != LoadNotFound {
		t.Errorf("got %+v, want one not-found unit", units)
	}
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{"lib/u.service": testService, "lib/v.service": testService, "lib/v.service.d/x.conf": testConf})
	for _, p := range []string{"lib/u.service", "lib/v.service.d/x.conf"} {
		if err := os.Chmod(filepath.Join(root, p), 0); err != nil {
			t.Fatal(err)
		}
	}
	l := Loader{Path: testPath(root)}
	u, diags := l.Load("u.service")
	if u.LoadState != LoadNotFound || !strings.Contains(diags.String(), "u.service: warning:") {
		t.Errorf("u.service: %q\n%s", u.LoadState, diags)
	}
	v, diags := l.Load("v.service")
	if v.LoadState != LoadLoaded || len(v.DropInPaths) != 1 || !strings.Contains(diags.String(), "x.conf: warning:") {
		t.Errorf("v.service: %q %q\n%s", v.LoadState, v.DropInPaths, diags)
	}
}

// TestIndexConcurrentLoad backs the promise that an Index may be shared:
// run with -race.
func TestIndexConcurrentLoad(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"lib/a.service": testService, "lib/b.service": testService,
		"lib/service.d/x.conf": testConf, "lib/a.service.d/y.conf": testConf,
	})
	x, _ := ScanPath(testPath(root))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, n := range []string{"a.service", "b.service"} {
				if u, _ := x.Load(n, nil); u == nil || len(u.DropInPaths) == 0 {
					t.Errorf("Load(%s) = %+v", n, u)
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadMaskedDiagnostics(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"etc/m.service":          "->/dev/null",
		"lib/m.service.d/x.conf": "[Service]\nRestart=bogus\n",
	})
	l := Loader{Path: testPath(root)}
	u, diags := l.Load("m.service")
	if u == nil || u.LoadState != LoadMasked {
		t.Fatalf("got %+v, want masked", u)
	}
	// The drop-in's bad line is reported; checks of the unit as a whole
	// (a service without ExecStart=) are not, as systemd skips them.
	if diags.HasErrors() {
		t.Errorf("errors for a masked unit:\n%s", diags)
	}
	if !strings.Contains(diags.String(), root+"/lib/m.service.d/x.conf:2:") {
		t.Errorf("no warning for the drop-in's bad line:\n%s", diags)
	}
}

func TestLoadAllDeterministic(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"lib/service.d/bad.conf": "[Unit]\n[Bad\n"}
	for i := range 30 {
		files[fmt.Sprintf("lib/u%02d.service", i)] = testService
	}
	writeTree(t, root, files)
	var first string
	for i := range 5 {
		set, diags := LoadDirs(t, testPath(root))
		if len(set.Units) != 30 {
			t.Fatalf("got %d units", len(set.Units))
		}
		got := diags.String()
		if n := strings.Count(got, "bad.conf"); n != 1 {
			t.Errorf("bad.conf reported %d times, want once:\n%s", n, got)
		}
		if len(diags) > 0 && diags[0].Unit != "u00.service" {
			t.Errorf("reported for %q, want the first unit", diags[0].Unit)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Errorf("run %d: diagnostics differ:\n%s\nvs\n%s", i, got, first)
		}
	}
}
