package unit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Index is one scan of a unit search path: which unit names exist in which
// directory, the aliases between them, and which drop-in, .wants and
// .requires directories exist. It is what systemd 252 builds in
// unit_file_build_name_map (its unit id map, unit name map and unit path
// cache): the directories are read once, so loading many units costs no
// further directory scans.
//
// Loading units from an Index only fills its caches of drop-in listings
// and drop-ins, which a mutex guards: an Index may be used by several
// goroutines at once.
type Index struct {
	// path is the search path, cleaned and without duplicates.
	path []string
	// expanded is path with the directories it resolves to added, to tell
	// aliases (symlinks into the search path) from linked units.
	expanded []string

	// ids maps a unit name to its fragment: an absolute path for a file
	// or linked unit, or, for an alias, the name the alias points to.
	ids map[string]string
	// entries maps a unit name to the directory entry that defined it.
	entries map[string]string
	// aliases maps a unit name to the names that lead to it (itself
	// included when a file of that name exists), systemd's unit name map.
	aliases map[string][]string
	// dirs records the directories "NAME.d", "NAME.wants" and
	// "NAME.requires" of the search directories: by suffix, then by NAME,
	// where they are, in search path order.
	dirs map[string]map[string][]dirAt

	// yaml holds the units of the YAML config dirs, by name.
	yaml map[string]yamlUnit
	// mu guards lists and dropInCache.
	mu sync.Mutex
	// lists caches the results of listDir, by suffix and directories.
	lists map[string][]string
	// dropInCache holds each drop-in read, by path.
	dropInCache map[string]dropIn

	// parseYAML is ParseYAML, or a replacement in tests.
	parseYAML func(file string, data []byte) ([]Lowered, Diagnostics)
}

// yamlUnit is a unit described by a YAML file.
type yamlUnit struct {
	file string
	opts []Option
}

// errNoEntry, errDangling and errAliasLoop are what resolving a name can
// fail with: no such name, an alias whose target does not exist (systemd's
// ENOENT and ENXIO, both "not found"), or too many aliases in a row.
var (
	errNoEntry   = errors.New("no unit file of that name")
	errDangling  = errors.New("alias points to a unit that does not exist")
	errAliasLoop = errors.New("too many levels of aliases")
)

// aliasFollowMax is how many aliases in a row are followed (FOLLOW_MAX).
const aliasFollowMax = 8

// ScanPath reads the directories of a unit search path, highest
// precedence first. Directories that do not exist are skipped; problems
// (unreadable directories, rejected alias symlinks) are reported as
// warnings and the entries concerned are ignored.
func ScanPath(path []string) (*Index, Diagnostics) {
	x := &Index{
		ids:     map[string]string{},
		entries: map[string]string{},
		aliases: map[string][]string{},
		dirs:    map[string]map[string][]dirAt{},
	}
	var diags Diagnostics
	seen := map[string]bool{}
	for _, d := range path {
		if d == "" {
			continue
		}
		if a, err := filepath.Abs(d); err == nil {
			d = a
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		x.path = append(x.path, d)
	}
	// Directories given through symlinks (as on NixOS) must not turn every
	// unit in them into a linked unit, so the resolved directories count
	// as part of the search path too.
	canon := make([]string, len(x.path))
	for i, d := range x.path {
		x.expanded = append(x.expanded, d)
		r, err := filepath.EvalSymlinks(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				diags.Add(Pos{File: d}, Warning, "", err, "failed to resolve unit directory %s, ignoring: %v", d, err)
			}
			continue
		}
		canon[i] = r
		if !seen[r] {
			seen[r] = true
			x.expanded = append(x.expanded, r)
		}
	}
	for i, d := range x.path {
		x.scanDir(i, d, canon[i], &diags)
	}
	x.buildAliases()
	return x, diags
}

// scanDir adds the entries of search directory number idx; canon is the
// directory with its symlinks resolved ("" if that failed).
func (x *Index) scanDir(idx int, dir, canon string, diags *Diagnostics) {
	f, err := os.Open(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			diags.Add(Pos{File: dir}, Warning, "", err, "failed to open unit directory, ignoring: %v", err)
		}
		return
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		diags.Add(Pos{File: dir}, Warning, "", err, "failed to read unit directory, ignoring the rest: %v", err)
	}
	for _, e := range ents {
		name := e.Name()
		p := dir + "/" + name
		switch t := e.Type(); {
		case t.IsRegular():
			if !ValidName(name) {
				if !HiddenOrBackup(name) {
					diags.Add(Pos{File: p}, Notice, "", ErrBadName, "%q is not a valid unit name, ignoring", name)
				}
				continue
			}
		case t.IsDir():
			if base, suffix, ok := dropInDirName(name); ok {
				if canon != "" {
					x.addDir(suffix, base, idx, canon+"/"+name)
				}
			} else if hasDropInSuffix(name) && !HiddenOrBackup(name) {
				diags.Add(Pos{File: p}, Notice, "", ErrBadName, "%q does not start with a valid unit name, ignoring", name)
			}
			continue
		case t&fs.ModeSymlink != 0:
			if !ValidName(name) {
				if base, suffix, ok := dropInDirName(name); ok {
					// A symlinked drop-in directory. (systemd 252 tests the
					// raw link target relative to its own working directory;
					// pm resolves it relative to the link, as the kernel does.)
					if r, err := filepath.EvalSymlinks(p); err == nil {
						if st, err := os.Stat(r); err == nil && st.IsDir() {
							x.addDir(suffix, base, idx, r)
						}
					}
				} else if !HiddenOrBackup(name) {
					diags.Add(Pos{File: p}, Notice, "", ErrBadName, "%q is not a valid unit name, ignoring", name)
				}
				continue
			}
		default:
			continue
		}
		// Higher-precedence directories were scanned first.
		if _, ok := x.ids[name]; ok {
			continue
		}
		dst := p
		if e.Type()&fs.ModeSymlink != 0 {
			var ok bool
			if dst, ok = x.resolveSymlink(dir, name, diags); !ok {
				continue
			}
		}
		x.ids[name] = dst
		x.entries[name] = p
	}
}

// resolveSymlink classifies the symlink dir/name as systemd's
// unit_file_resolve_symlink does. A symlink whose target lies in the
// search path is an alias and yields the target's unit name, after the
// alias rules are checked; any other symlink (a linked unit file, or a
// mask to /dev/null) yields its own path, which is opened through the link.
func (x *Index) resolveSymlink(dir, name string, diags *Diagnostics) (string, bool) {
	p := dir + "/" + name
	target, err := os.Readlink(p)
	if err != nil {
		diags.Add(Pos{File: p}, Warning, "", err, "failed to read symlink, ignoring: %v", err)
		return "", false
	}
	if !filepath.IsAbs(target) {
		target = dir + "/" + target
	}
	simplified, err := chaseParents(target)
	if err != nil {
		diags.Add(Pos{File: p}, Warning, "", err, "failed to resolve symlink pointing to %s, ignoring: %v", target, err)
		return "", false
	}
	tail, inPath := "", false
	for _, d := range x.expanded {
		if t, ok := cutPathPrefix(simplified, d); ok {
			tail, inPath = t, true
			break
		}
	}
	if !inPath {
		return p, true // linked unit file or mask
	}
	dst := filepath.Base(simplified)
	if err := validateAlias(name, dst); err != nil {
		if simplified == p {
			diags.Add(Pos{File: p}, Warning, name, err, "symlink points to itself, ignoring")
		} else if !errors.Is(err, errSelfAlias) {
			diags.Add(Pos{File: p}, Warning, name, err, "%v", err)
		}
		return "", false
	}
	if strings.Contains(tail, "/") {
		diags.Add(Pos{File: p}, Warning, name, nil, "suspicious symlink to %s, treating as alias", simplified)
	}
	return dst, true
}

// isMask reports whether the file at p masks a unit (systemd's
// null_or_empty_path): a link to /dev/null, a character device or an empty
// regular file. known is false when p cannot be examined.
func isMask(p string) (masked, known bool) {
	if p == "/dev/null" {
		return true, true
	}
	st, err := os.Stat(p)
	if err != nil {
		return false, false
	}
	return statIsMask(st), true
}

// statIsMask is systemd's null_or_empty.
func statIsMask(st fs.FileInfo) bool {
	if st.Mode().IsRegular() {
		return st.Size() <= 0
	}
	return st.Mode()&fs.ModeCharDevice != 0
}

// cutPathPrefix reports whether p lies in (or is) directory dir, comparing
// whole components, and returns the rest of p.
func cutPathPrefix(p, dir string) (string, bool) {
	if dir == "/" {
		return strings.TrimPrefix(p, "/"), strings.HasPrefix(p, "/")
	}
	if p == dir {
		return "", true
	}
	if strings.HasPrefix(p, dir) && p[len(dir)] == '/' {
		return p[len(dir)+1:], true
	}
	return "", false
}

// chaseSymlinksMax bounds the symlinks followed while resolving one path,
// as the kernel's and systemd's limit.
const chaseSymlinksMax = 32

// chaseParents resolves the symlinks in the directories of the absolute
// path p, but not in its last component, and removes "." and ".."
// components: systemd's chase_symlinks with CHASE_NOFOLLOW and
// CHASE_NONEXISTENT. From the first component that does not exist on, the
// path is cleaned lexically.
func chaseParents(p string) (string, error) {
	done := "/"
	todo := p
	hops := 0
	for {
		todo = strings.TrimLeft(todo, "/")
		if todo == "" {
			return done, nil
		}
		comp, rest, _ := strings.Cut(todo, "/")
		todo = rest
		switch comp {
		case ".":
			continue
		case "..":
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, comp)
		if strings.TrimLeft(todo, "/") == "" {
			return next, nil // the last component is not followed
		}
		st, err := os.Lstat(next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.Join(next, todo), nil
			}
			return "", err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if hops++; hops > chaseSymlinksMax {
			return "", fmt.Errorf("resolving %s: too many levels of symbolic links", p)
		}
		t, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(t) {
			done = "/"
		}
		todo = t + "/" + todo
	}
}

// HiddenOrBackup is systemd's hidden_or_backup_file: names of files that
// directory listings of configuration skip.
func HiddenOrBackup(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	switch name {
	case "lost+found", "aquota.user", "aquota.group":
		return true
	}
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return false
	}
	switch name[dot+1:] {
	case "rpmnew", "rpmsave", "rpmorig", "dpkg-old", "dpkg-new", "dpkg-tmp",
		"dpkg-dist", "dpkg-bak", "dpkg-backup", "dpkg-remove", "ucf-new",
		"ucf-old", "ucf-dist", "swp", "bak", "old", "new":
		return true
	}
	return false
}

// dirSuffixes are the suffixes of the directories a unit directory may
// hold.
var dirSuffixes = [...]string{".wants", ".requires", ".d"}

// dropInDirName reports whether name is a unit name or type followed by
// ".wants", ".requires" or ".d" (systemd's directory_name_is_valid), and
// returns the two parts.
func dropInDirName(name string) (base, suffix string, ok bool) {
	for _, s := range dirSuffixes {
		if base, ok := strings.CutSuffix(name, s); ok {
			if ValidName(base) || Type(base).Known() {
				return base, s, true
			}
		}
	}
	return "", "", false
}

// dirAt is a drop-in or dependency directory: in which search directory
// (by index) it was found, and the path it resolves to.
type dirAt struct {
	idx  int
	path string
}

// addDir records the directory base+suffix of search directory idx.
func (x *Index) addDir(suffix, base string, idx int, path string) {
	m := x.dirs[suffix]
	if m == nil {
		m = map[string][]dirAt{}
		x.dirs[suffix] = m
	}
	m[base] = append(m[base], dirAt{idx, path})
}

// hasDropInSuffix reports whether name ends in one of dirSuffixes.
func hasDropInSuffix(name string) bool {
	for _, s := range dirSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// Path returns the search path the index was built from, cleaned and
// without duplicates, highest precedence first.
func (x *Index) Path() []string { return append([]string(nil), x.path...) }

// Names returns every unit name found, sorted: the names of unit files
// (templates included), of alias and mask symlinks, and of YAML units.
func (x *Index) Names() []string {
	out := make([]string, 0, len(x.ids)+len(x.yaml))
	for n := range x.ids {
		out = append(out, n)
	}
	for n := range x.yaml {
		if _, ok := x.ids[n]; !ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
