package unit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// dropInDirs returns the existing directories "NAME"+suffix that hold
// drop-ins (suffix ".d") or dependencies (".wants", ".requires") of a unit,
// in systemd 252's order (unit_file_find_dropin_paths): for the primary
// name and then for each alias, every search directory in turn with the
// names of [DropInNames] (the name, its template, its dash prefixes); last
// the type-wide directory ("service.d") in every search directory.
// Directories are returned resolved, each once. chains holds DropInNames
// of each name, without the type-wide name.
func (x *Index) dropInDirs(chains [][]string, typ Type, suffix string) []string {
	m := x.dirs[suffix]
	if len(m) == 0 {
		return nil
	}
	var out []string
	add := func(p string) {
		for _, o := range out {
			if o == p {
				return
			}
		}
		out = append(out, p)
	}
	type hit struct {
		idx, pos int
		path     string
	}
	var hits []hit
	for _, chain := range chains {
		hits = hits[:0]
		for pos, c := range chain {
			for _, d := range m[c] {
				hits = append(hits, hit{d.idx, pos, d.path})
			}
		}
		// Search directory first, then position in the chain.
		slices.SortFunc(hits, func(a, b hit) int {
			if a.idx != b.idx {
				return a.idx - b.idx
			}
			return a.pos - b.pos
		})
		for _, h := range hits {
			add(h.path)
		}
	}
	for _, d := range m[string(typ)] {
		add(d.path)
	}
	return out
}

// dropInChains returns DropInNames of each name, without the type-wide
// name at the end.
func dropInChains(names []string) [][]string {
	out := make([][]string, 0, len(names))
	for _, n := range names {
		if c := DropInNames(n); len(c) > 0 {
			out = append(out, c[:len(c)-1])
		}
	}
	return out
}

// listDir lists the entries of dirs whose names end in suffix, as
// systemd's conf_files_list: hidden and backup files are skipped, a file
// name found in an earlier directory hides the same name in later ones, and
// the result is sorted by file name. Type-wide and prefix directories
// serve many units, so results are kept; the caller must not modify them.
func (x *Index) listDir(dirs []string, suffix string, unit string, diags *Diagnostics) []string {
	key := suffix + "\x00" + strings.Join(dirs, "\x00")
	x.mu.Lock()
	out, ok := x.lists[key]
	x.mu.Unlock()
	if ok {
		return out
	}
	byName := map[string]string{}
	failed := false
	for _, d := range dirs {
		names, err := x.readDir(d)
		if err != nil {
			failed = true
			diags.Add(Pos{File: d}, Warning, unit, err, "failed to read directory, ignoring: %v", err)
		}
		for _, n := range names {
			if !strings.HasSuffix(n, suffix) {
				continue
			}
			if _, ok := byName[n]; !ok {
				byName[n] = d + "/" + n
			}
		}
	}
	keys := make([]string, 0, len(byName))
	for n := range byName {
		keys = append(keys, n)
	}
	sort.Strings(keys)
	out = make([]string, len(keys))
	for i, n := range keys {
		out[i] = byName[n]
	}
	if !failed {
		x.mu.Lock()
		if x.lists == nil {
			x.lists = map[string][]string{}
		}
		x.lists[key] = out
		x.mu.Unlock()
	}
	return out
}

// readDir returns the names in directory d, without hidden and backup
// files. A directory that vanished since the scan lists as empty.
func (x *Index) readDir(d string) ([]string, error) {
	f, err := os.Open(d)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return nil, err
	}
	all, err := f.Readdirnames(-1)
	f.Close()
	names := all[:0]
	for _, n := range all {
		if !HiddenOrBackup(n) {
			names = append(names, n)
		}
	}
	return names, err
}

// dropIns returns the "*.conf" drop-ins of the unit, in the order they
// apply. A drop-in that is a symlink to /dev/null or an empty file is kept:
// it applies nothing, and it hides drop-ins of the same name in
// directories of lower precedence.
func (x *Index) dropIns(unit string, chains [][]string, typ Type, diags *Diagnostics) []string {
	dirs := x.dropInDirs(chains, typ, ".d")
	if len(dirs) == 0 {
		return nil
	}
	return x.listDir(dirs, ".conf", unit, diags)
}

// dependencies returns the units that the entries of the unit's
// "NAME.wants/" (suffix ".wants") or "NAME.requires/" directories add as
// dependencies, as systemd's process_deps does. Each entry must be a
// symlink named after a unit; its target does not matter, except that a
// symlink to /dev/null (or an empty file) masks the entry. An entry naming
// a template gets the unit's instance, or, for a unit without one, the
// unit's prefix: "foo@.service" in "bar.target.wants/" is
// "foo@bar.service".
func (x *Index) dependencies(primary Name, chains [][]string, suffix string, diags *Diagnostics) []string {
	dirs := x.dropInDirs(chains, primary.Type, suffix)
	if len(dirs) == 0 {
		return nil
	}
	unit := primary.String()
	kind := "Wants"
	if suffix == ".requires" {
		kind = "Requires"
	}
	var out []string
	for _, p := range x.listDir(dirs, "", unit, diags) {
		entry := filepath.Base(p)
		if m, _ := isMask(p); m {
			continue // masked dependency
		}
		st, err := os.Lstat(p)
		if err != nil {
			diags.Add(Pos{File: p}, Warning, unit, err, "%s dependency entry unreadable, ignoring: %v", kind, err)
			continue
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			diags.Add(Pos{File: p}, Warning, unit, nil, "%s dependency entry is not a symlink, ignoring", kind)
			continue
		}
		en, err := ParseName(entry)
		if err != nil {
			diags.Add(Pos{File: p}, Warning, unit, err, "%s dependency entry is not a valid unit name, ignoring", kind)
			continue
		}
		target, err := os.Readlink(p)
		if err != nil {
			diags.Add(Pos{File: p}, Warning, unit, err, "reading %s dependency symlink failed, ignoring: %v", kind, err)
			continue
		}
		if !symlinkNameCompatible(en, filepath.Base(target), primary.IsInstance()) {
			diags.Add(Pos{File: p}, Warning, unit, nil, "%s dependency entry points to %s, which has a different name", kind, target)
		}
		dep := entry
		if en.IsTemplate() {
			inst := primary.Instance
			if !primary.IsInstance() {
				inst = primary.Prefix
			}
			if dep = en.WithInstance(inst); dep == "" {
				diags.Add(Pos{File: p}, Warning, unit, ErrBadName, "cannot add %s dependency on %s with instance %q, ignoring", kind, entry, inst)
				continue
			}
		}
		out = append(out, dep)
	}
	return out
}

// symlinkNameCompatible is systemd's unit_symlink_name_compatible: whether
// the entry name of a .wants/.requires symlink agrees with the name of its
// target. Only a warning depends on it.
func symlinkNameCompatible(entry Name, target string, instancePropagation bool) bool {
	if entry.String() == target && !entry.IsTemplate() {
		return true
	}
	if !entry.Templated {
		return false
	}
	tn, err := ParseName(target)
	if err != nil || !tn.IsTemplate() || entry.TemplateName() != target {
		return false
	}
	return entry.IsInstance() || instancePropagation
}
