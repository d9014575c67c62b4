package unit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// addYAMLDirs reads every "*.yaml" and "*.yml" file of dirs, in order and
// by file name within each, and records the units they describe.
func (x *Index) addYAMLDirs(dirs []string, diags *Diagnostics) {
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				diags.Add(Pos{File: d}, Warning, "", err, "failed to read config directory, ignoring: %v", err)
			}
			// ReadDir returns what it read before a failure.
		}
		for _, e := range ents {
			n := e.Name()
			if HiddenOrBackup(n) || !isYAMLName(n) || e.IsDir() {
				continue
			}
			x.addYAMLFile(filepath.Join(d, n), diags)
		}
	}
}

// isYAMLName reports whether a file name ends in ".yaml" or ".yml".
func isYAMLName(n string) bool {
	return strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")
}

// addYAMLFile parses one YAML file, records its units and returns the
// names of those it recorded. A unit file (or symlink) of the same name on
// the search path wins; of two YAML files defining a unit, the first read
// wins.
func (x *Index) addYAMLFile(p string, diags *Diagnostics) []string {
	data, err := os.ReadFile(p)
	if err != nil {
		diags.Add(Pos{File: p}, Warning, "", err, "failed to read, ignoring: %v", err)
		return nil
	}
	var added []string
	parse := x.parseYAML
	if parse == nil {
		parse = ParseYAML
	}
	units, d := parse(p, data)
	*diags = append(*diags, d...)
	for _, lu := range units {
		pos := lu.Pos
		if pos.File == "" {
			pos = Pos{File: p}
		}
		if _, err := ParseName(lu.Name); err != nil {
			diags.Add(pos, Error, lu.Name, err, "%v, ignoring", err)
			continue
		}
		if prev, ok := x.yaml[lu.Name]; ok {
			diags.Add(pos, Error, lu.Name, fmt.Errorf("%w: duplicate definition", ErrUnusable),
				"unit %s is already defined in %s, ignoring this definition", lu.Name, prev.file)
			continue
		}
		if e, ok := x.entries[lu.Name]; ok {
			diags.Add(pos, Notice, lu.Name, nil,
				"unit %s is also on the unit search path as %s, which takes precedence; ignoring this definition", lu.Name, e)
			continue
		}
		if x.yaml == nil {
			x.yaml = map[string]yamlUnit{}
		}
		x.yaml[lu.Name] = yamlUnit{file: p, opts: lu.Options}
		added = append(added, lu.Name)
	}
	return added
}
