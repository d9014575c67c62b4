package install

import (
	"os"
	"sort"
	"strings"
)

// IsEnabled returns the state of the unit file called name, as systemctl
// is-enabled prints it. A unit without unit file fails with ErrNotFound;
// an invalid name with ErrBadName.
func (l *Lookup) IsEnabled(name string) (State, error) {
	s, r := l.lookupState(name)
	if r < 0 {
		return "", newError(r, name, "")
	}
	return s, nil
}

// Exists reports whether name has a unit file on the search path, as
// systemd's unit_file_exists: the file is found (following aliases, but
// not symlinks in /etc/systemd/system and /run/systemd/system, which make
// it fail with ErrLinked) without being read. Masked units exist.
// systemctl calls this before enable, disable and is-enabled of a service
// to look for a SysV script, and fails with "Failed to look up unit file
// state" on errors other than ErrLinked, ErrMasked and ErrGenerated.
func (l *Lookup) Exists(name string) (bool, error) {
	r := l.unitFileExists(name)
	if r < 0 {
		if r == -einval {
			r = codeBadName
		}
		return false, newError(r, name, "")
	}
	return r > 0, nil
}

// lookupState is systemd's unit_file_lookup_state.
func (l *Lookup) lookupState(name string) (State, int) {
	if !validName(name, classAny) {
		return "", codeBadName
	}
	c := newContext(l, &operation{l: l})
	i, r := c.discover(name, searchLoad|searchFollowConfigSymlinks, false)
	if r < 0 {
		return "", r
	}
	switch i.mode {
	case modeMasked:
		if l.isRuntime(i.path, true) {
			return MaskedRuntime, 0
		}
		return Masked, 0
	case modeRegular:
	default:
		return "", -einval
	}
	if name != baseName(i.path) && !validName(i.name, classInstance) {
		return Alias, 0
	}
	if l.isGenerator(i.path) {
		return Generated, 0
	}
	if l.isTransient(i.path) {
		return Transient, 0
	}
	// Symlinks that enable would make, then any other names.
	if s, ok := l.findSymlinksInScope(i, true); ok {
		return s, 0
	}
	if _, ok := l.findSymlinksInScope(i, false); ok {
		return Indirect, 0
	}
	switch {
	case i.hasRules():
		return Disabled, 0
	case len(i.also) > 0:
		return Indirect, 0
	}
	return Static, 0
}

// findSymlinksInScope is systemd's find_symlinks_in_scope: where on the
// search path is the unit enabled? Symlinks named like the unit file in
// directories of lower precedence than the file itself do not count.
func (l *Lookup) findSymlinksInScope(i *info, matchName bool) (State, bool) {
	var sameConfig, sameRuntime, inRuntime, atAll, ignoreSame bool
	for _, d := range l.SearchPath {
		found, same := l.findSymlinks(i, matchName, ignoreSame, d)
		if found {
			if pathEqual(d, l.PersistentConfig) {
				return Enabled, true
			}
			if l.isRuntime(d, false) {
				inRuntime = true
			} else {
				atAll = true
			}
		} else if same {
			if pathEqual(d, l.PersistentConfig) {
				sameConfig = true
			} else if l.isRuntime(d, false) {
				sameRuntime = true
			}
		}
		if !ignoreSame {
			if _, ok := startsWith(i.path, d); ok {
				ignoreSame = true
			}
		}
	}
	switch {
	case inRuntime:
		return EnabledRuntime, true
	case atAll && validName(i.name, classInstance):
		// An instance symlinked from a vendor directory is a stronger
		// statement than an alias: it is part of the OS.
		return Static, true
	case sameConfig:
		return Linked, true
	case sameRuntime:
		return LinkedRuntime, true
	}
	return "", false
}

// findSymlinks is systemd's find_symlinks for one search path directory:
// first its .wants and .requires directories, then the directory itself.
// same reports a symlink named like the unit in the directory itself.
func (l *Lookup) findSymlinks(i *info, matchName, ignoreSame bool, configPath string) (found, same bool) {
	entries, err := readDir(configPath)
	if err != nil && len(entries) == 0 {
		return false, false
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() {
			continue
		}
		dot := strings.LastIndexByte(n, '.')
		if dot < 0 || (n[dot:] != ".wants" && n[dot:] != ".requires") {
			continue
		}
		p := join(configPath, n)
		sub, err := readDir(p)
		if err != nil && len(sub) == 0 {
			continue
		}
		if l.findInDir(sub, p, i, true, matchName, ignoreSame, configPath, &same) {
			return true, same
		}
	}
	return l.findInDir(entries, configPath, i, false, matchName, ignoreSame, configPath, &same), same
}

// findInDir is systemd's find_symlinks_in_directory. In .wants and
// .requires directories (ignoreDest) only the symlinks' names count: the
// unit's or an instance of it. Elsewhere a symlink counts by name too, and
// by the name of its destination.
func (l *Lookup) findInDir(entries []os.DirEntry, dir string, i *info, ignoreDest, matchName, ignoreSame bool, configPath string, same *bool) bool {
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		n := e.Name()
		var foundPath, foundDest bool
		if !ignoreDest {
			dest, err := os.Readlink(join(dir, n))
			if err != nil {
				continue
			}
			if !isAbs(dest) {
				dest = join(dir, dest)
			}
			foundDest = baseName(dest) == i.name
		}
		if ignoreDest || !ignoreSame {
			foundPath = n == i.name
		}
		if !foundPath && ignoreDest {
			if tmpl, ok := templateOf(n); ok {
				foundDest = tmpl == i.name
			}
		}
		b := foundPath && foundDest && pathEqual(join(dir, n), join(configPath, i.name))
		switch {
		case b:
			*same = true
		case foundPath || foundDest:
			if !matchName || i.knownSymlinkName(n) {
				return true
			}
		}
	}
	return false
}

// knownSymlinkName is systemd's is_symlink_with_known_name: is name one
// that enable would give a symlink to this unit? Alias= values are taken
// as written, without expanding specifiers, as systemd does.
func (i *info) knownSymlinkName(name string) bool {
	if name == i.name || contains(i.aliases, name) {
		return true
	}
	if i.defaultInstance != "" && validName(i.name, classTemplate) {
		if s, ok := replaceInstance(i.name, i.defaultInstance); ok && s == name {
			return true
		}
	}
	return false
}

// UnitFile is one line of list-unit-files.
type UnitFile struct {
	// Path is the unit file's path, root included; its base name is the
	// unit name.
	Path  string
	State State
}

// ListUnitFiles lists the unit files on the search path, as systemctl
// list-unit-files does: every file or symlink with a valid unit name, the
// first of each name in search path order, with its state (Bad when it
// cannot be determined). patterns are shell globs matched against the
// names (none means all); states, if any, filter by state. The list is
// sorted as systemctl prints it: by type suffix, then by name, ignoring
// case.
func (l *Lookup) ListUnitFiles(patterns []string, states []State) ([]UnitFile, error) {
	seen := map[string]bool{}
	var out []UnitFile
	for _, d := range l.SearchPath {
		entries, err := readDir(d)
		if err != nil && len(entries) == 0 {
			if code := errCode(err); code != -enoent && code != -enotdir && code != -eacces {
				return nil, newError(code, d, "")
			}
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if !validName(n, classAny) || !matchAny(patterns, n) || seen[n] {
				continue
			}
			if t := e.Type(); !t.IsRegular() && t&os.ModeSymlink == 0 {
				continue
			}
			s, r := l.lookupState(n)
			if r < 0 {
				s = Bad
			}
			if len(states) > 0 && !containsState(states, s) {
				continue
			}
			seen[n] = true
			out = append(out, UnitFile{Path: join(d, n), State: s})
		}
	}
	sort.Slice(out, func(a, b int) bool { return lessUnitFile(out[a].Path, out[b].Path) })
	return out, nil
}

// lessUnitFile orders list-unit-files output as systemctl does: by the
// suffix from the last dot, then by name, both ignoring case.
func lessUnitFile(a, b string) bool {
	if da, db := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.'); da >= 0 && db >= 0 {
		if c := compareFold(a[da:], b[db:]); c != 0 {
			return c < 0
		}
	}
	na, nb := baseName(a), baseName(b)
	if c := compareFold(na, nb); c != 0 {
		return c < 0
	}
	return na < nb
}

// compareFold compares ASCII strings ignoring case, as strcasecmp.
func compareFold(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func containsState(list []State, s State) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matchAny reports whether name matches one of patterns, or patterns is
// empty (systemd's strv_fnmatch_or_empty with FNM_NOESCAPE).
func matchAny(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if fnmatch(p, name) {
			return true
		}
	}
	return false
}
