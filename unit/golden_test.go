package unit

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/units/*.txtar")

// goldenHost is the host every golden case is loaded with.
var goldenHost = &Host{
	System: true, Hostname: "testhost.example", ShortHostname: "testhost",
	MachineID: "0123456789abcdef0123456789abcdef", BootID: "fedcba9876543210fedcba9876543210",
	KernelRelease: "6.1.0-test", Architecture: "x86-64", OSID: "debian", OSVersionID: "12",
	UserName: "root", UID: "0", GroupName: "root", GID: "0", Home: "/root", Shell: "/bin/sh",
	RuntimeDir: "/run", StateDir: "/var/lib", CacheDir: "/var/cache", LogsDir: "/var/log",
	ConfigDir: "/etc", TempDir: "/tmp", VarTempDir: "/var/tmp",
}

// searchDirs are the case-relative unit directories of a layered case, in
// systemd's precedence.
var searchDirs = []string{"etc", "run", "lib", "usr/lib"}

// TestGolden loads every case of testdata/units and compares the model
// (fields that differ from the type's defaults) and the diagnostics.
//
// A case is a txtar archive: the comment describes it; files are unit
// files, drop-ins and YAML. Files below etc/, run/, lib/ or usr/lib/ form a
// layered search path (in that precedence); otherwise the case root is the
// only unit directory. Files below config/ are YAML config. Special files:
// "symlinks" (lines "link -> target"; a target starting with "/" other than
// /dev/null is taken relative to the case root), "load" (unit names to
// load instead of every unit), "verify" (paths given to LoadFiles, as
// `pmctl verify` does), "want.json" and "want.diag".
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/units/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden cases in testdata/units")
	}
	for _, f := range files {
		f := f
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, f)
		})
	}
}

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	special := map[string]string{}
	layered := false
	for _, f := range ar.Files {
		switch f.Name {
		case "symlinks", "load", "verify", "want.json", "want.diag":
			special[f.Name] = string(f.Data)
			continue
		}
		for _, d := range searchDirs {
			if strings.HasPrefix(f.Name, d+"/") {
				layered = true
			}
		}
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range strings.Split(special["symlinks"], "\n") {
		link, target, ok := strings.Cut(line, " -> ")
		if !ok {
			continue
		}
		link, target = strings.TrimSpace(link), strings.TrimSpace(target)
		if strings.HasPrefix(target, "/") && target != "/dev/null" {
			target = filepath.Join(root, target)
		}
		p := filepath.Join(root, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	l := Loader{Host: goldenHost}
	if layered {
		for _, d := range searchDirs {
			l.Path = append(l.Path, filepath.Join(root, d))
		}
	} else {
		l.Path = []string{root}
	}
	if _, err := os.Stat(filepath.Join(root, "config")); err == nil {
		l.ConfigDirs = []string{filepath.Join(root, "config")}
	}

	units := map[string]*Unit{}
	var diags Diagnostics
	switch {
	case special["verify"] != "":
		var paths []string
		for _, p := range strings.Fields(special["verify"]) {
			paths = append(paths, filepath.Join(root, p))
		}
		l.Path = nil
		us, d := l.LoadFiles(paths)
		diags = d
		for _, u := range us {
			if u != nil {
				units[u.Name] = u
			}
		}
	case special["load"] != "":
		x, d := l.Scan()
		diags = d
		for _, n := range strings.Fields(special["load"]) {
			u, d := x.Load(n, l.Host)
			diags = append(diags, d...)
			if u != nil {
				units[n] = u
			}
		}
	default:
		set, d := l.LoadAll()
		diags = d
		for n, u := range set.Units {
			if n == u.Name {
				units[n] = u
			}
		}
	}

	gotJSON := modelDiff(t, units, root)
	diags.Sort()
	gotDiag := strings.ReplaceAll(diags.String(), root+"/", "")
	gotDiag = strings.ReplaceAll(gotDiag, root, ".")

	if *update {
		var out []txtar.File
		for _, f := range ar.Files {
			if f.Name != "want.json" && f.Name != "want.diag" {
				out = append(out, f)
			}
		}
		out = append(out, txtar.File{Name: "want.json", Data: []byte(gotJSON)}, txtar.File{Name: "want.diag", Data: []byte(gotDiag)})
		ar.Files = out
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := special["want.json"]; gotJSON != want {
		t.Errorf("model differs from want.json (run go test ./unit -run TestGolden -update to accept)\ngot:\n%s\nwant:\n%s", gotJSON, want)
	}
	if want := special["want.diag"]; gotDiag != want {
		t.Errorf("diagnostics differ from want.diag\ngot:\n%s\nwant:\n%s", gotDiag, want)
	}
}

// modelDiff renders each unit as the JSON fields that differ from a fresh
// unit of its type, with the case root replaced by "$ROOT".
func modelDiff(t *testing.T, units map[string]*Unit, root string) string {
	t.Helper()
	names := make([]string, 0, len(units))
	for n := range units {
		names = append(names, n)
	}
	sort.Strings(names)
	out := map[string]any{}
	for _, n := range names {
		u := units[n]
		got := toJSONValue(t, u)
		base := toJSONValue(t, newUnit(u.Name, u.Type))
		d := diffValue(got, base)
		if d == nil {
			d = map[string]any{}
		}
		out[n] = d
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(buf.String(), root, "$ROOT")
}

func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// diffValue returns the parts of got that differ from base: for objects the
// differing keys (recursively), otherwise got itself, or nil when equal.
func diffValue(got, base any) any {
	gm, ok1 := got.(map[string]any)
	bm, ok2 := base.(map[string]any)
	if ok1 && ok2 {
		out := map[string]any{}
		for k, v := range gm {
			if d := diffValue(v, bm[k]); d != nil {
				out[k] = d
			}
		}
		for k := range bm {
			if _, ok := gm[k]; !ok {
				out[k] = nil
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	gb, _ := json.Marshal(got)
	bb, _ := json.Marshal(base)
	if bytes.Equal(gb, bb) {
		return nil
	}
	if got == nil {
		return "(unset)"
	}
	return got
}
