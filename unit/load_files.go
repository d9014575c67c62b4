package unit

import (
	"fmt"
	"os"
	"path/filepath"
)

// LoadFiles loads the unit files given by path, as `systemd-analyze verify`
// does: the directory of each file is put in front of the search path, so
// drop-ins next to the file ("FILE.d/*.conf") and its .wants/.requires
// directories apply, and each unit is loaded by its file's base name. A
// template is loaded as its instance "i" ("foo@.service" as
// "foo@i.service"); an instance whose file does not exist is loaded from
// its template in the same directory. Files named "*.yaml" or "*.yml" are
// read as YAML and every unit they describe is loaded.
//
// The result holds one unit per unit file and per YAML unit, in order; it
// is nil where a file's name is not a valid unit name.
func (l *Loader) LoadFiles(files []string) ([]*Unit, Diagnostics) {
	var (
		diags Diagnostics
		names []string // "" for files that cannot be loaded, per file
		dirs  []string
		yamls []string
	)
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			diags.Add(Pos{File: f}, Error, "", err, "%v", err)
			names = append(names, "")
			continue
		}
		if isYAMLName(abs) {
			yamls = append(yamls, abs)
			names = append(names, "")
			continue
		}
		name, dir, err := verifyName(abs)
		if err != nil {
			diags.Add(Pos{File: f}, Error, "", err, "%v", err)
			names = append(names, "")
			continue
		}
		names = append(names, name)
		if dir != "" {
			dirs = append(dirs, dir)
		}
	}
	l2 := *l
	l2.Path = append(dirs, l.Path...)
	l2.ConfigDirs = nil
	x, d := l2.Scan()
	diags = append(diags, d...)
	var units []*Unit
	for _, y := range yamls {
		for _, n := range x.addYAMLFile(y, &diags) {
			u, d := x.Load(verifyInstance(n), l.Host)
			diags = append(diags, d...)
			units = append(units, u)
		}
	}
	out := make([]*Unit, 0, len(names)+len(units))
	for _, n := range names {
		if n == "" {
			out = append(out, nil)
			continue
		}
		u, d := x.Load(n, l.Host)
		diags = append(diags, d...)
		out = append(out, u)
	}
	return append(out, units...), diags
}

// verifyName returns the name to load the unit file p by, and the directory
// to search for it ("" when neither the file nor, for an instance, its
// template exists).
func verifyName(p string) (name, dir string, err error) {
	base := filepath.Base(p)
	n, err := ParseName(base)
	if err != nil {
		return "", "", fmt.Errorf("cannot verify %s: %w", p, err)
	}
	name = verifyInstance(base)
	dir = filepath.Dir(p)
	if _, err := os.Stat(p); err == nil {
		return name, dir, nil
	}
	if n.IsInstance() {
		if _, err := os.Stat(filepath.Join(dir, n.TemplateName())); err == nil {
			return name, dir, nil
		}
	}
	return name, "", nil
}

// verifyInstance gives a template the instance "i", as systemd-analyze
// verify does.
func verifyInstance(name string) string {
	if n, err := ParseName(name); err == nil && n.IsTemplate() {
		return n.WithInstance("i")
	}
	return name
}
