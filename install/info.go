package install

import (
	"errors"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/pm-project/pm/unit"
)

// Flags modify the operations.
type Flags struct {
	// Runtime makes enable, disable, reenable, mask, unmask, link and
	// AddDependency work on /run/systemd/system instead of
	// /etc/systemd/system (systemctl --runtime).
	Runtime bool
	// Force lets enable, reenable, mask, link, AddDependency and
	// set-default replace symlinks that point elsewhere (systemctl
	// --force).
	Force bool
	// DryRun makes disable and unmask report what they would remove
	// without removing it.
	DryRun bool
}

// searchFlags are systemd's SearchFlags.
type searchFlags int

const (
	searchLoad                 searchFlags = 1 << iota // parse [Install]
	searchFollowConfigSymlinks                         // follow symlinks in /etc and /run
	searchDropIn                                       // the file is a drop-in
)

// mode is what a unit file turned out to be (systemd's InstallMode).
type mode int

const (
	modeUnknown mode = iota // not looked at yet
	modeRegular             // a unit file
	modeLinked              // a symlink to a file outside the search path
	modeAlias               // a symlink to another name on the search path
	modeMasked              // empty, /dev/null, or a symlink to it
)

// followMax is how many symlinks traverse follows
// (UNIT_FILE_FOLLOW_SYMLINK_MAX).
const followMax = 64

// info is what is known about one unit name (systemd's InstallInfo).
type info struct {
	name string
	path string // including the root; "" until found

	aliases    []string
	wantedBy   []string
	requiredBy []string
	also       []string

	defaultInstance string
	symlinkTarget   string
	mode            mode
	auxiliary       bool // named in Also=, so failures are not errors
}

// hasRules reports whether the [Install] section asks for symlinks.
func (i *info) hasRules() bool {
	return len(i.aliases) > 0 || len(i.wantedBy) > 0 || len(i.requiredBy) > 0
}

// context is one operation's set of units (systemd's InstallContext): the
// ones still to process, in order, and those processed.
type context struct {
	l      *Lookup
	op     *operation
	byName map[string]*info
	will   []*info
}

func newContext(l *Lookup, op *operation) *context {
	return &context{l: l, op: op, byName: map[string]*info{}}
}

// next moves the first unit still to process to the processed ones and
// returns it, or nil.
func (c *context) next() *info {
	if len(c.will) == 0 {
		return nil
	}
	i := c.will[0]
	c.will = c.will[1:]
	return i
}

// add is systemd's install_info_add: it returns the entry for name (or,
// with name "", for path's file name), creating it if needed. The code is
// 1 for a new entry, 0 for a known one, or codeBadName.
func (c *context) add(name, path string, auxiliary bool) (*info, int) {
	if name == "" {
		name = baseName(path)
	}
	if !validName(name, classAny) {
		return nil, codeBadName
	}
	if i, ok := c.byName[name]; ok {
		i.auxiliary = i.auxiliary && auxiliary
		return i, 0
	}
	i := &info{name: name, path: path, auxiliary: auxiliary}
	c.byName[name] = i
	c.will = append(c.will, i)
	return i, 1
}

// expand expands the specifiers of an [Install] value for unit i, and
// returns the result or a negative code as systemd's install_name_printf.
func (c *context) expand(i *info, s string) (string, int) {
	v, err := unit.ExpandInstall(s, i.name, i.defaultInstance, c.l.Host)
	if err == nil {
		return v, 0
	}
	var se *unit.SpecifierError
	switch {
	case errors.Is(err, unit.ErrUnknownSpecifier):
		return "", -ebadslt
	case errors.As(err, &se):
		return "", -eunatch
	}
	return "", -enametoolong
}

// loadFile is systemd's unit_file_load: it looks at the unit file (or
// drop-in) at path and, with searchLoad, reads its [Install] section into
// i. It returns the number of Alias=, WantedBy= and RequiredBy= values so
// far, or -errno; -ELOOP means path is a symlink.
func (c *context) loadFile(i *info, path string, flags searchFlags) int {
	var f *os.File
	if flags&searchDropIn == 0 {
		t := typeOf(i.name)
		if t == "" {
			return -einval
		}
		if validName(i.name, classTemplate|classInstance) && !mayTemplate(t) {
			c.l.warnf("%s: unit type %s cannot be templated, ignoring.", path, t)
			return -einval
		}
		if flags&searchLoad == 0 {
			fi, err := os.Lstat(path)
			if err != nil {
				return errCode(err)
			}
			m := fi.Mode()
			switch {
			case nullOrEmpty(fi):
				i.mode = modeMasked
			case m.IsRegular():
				i.mode = modeRegular
			case m&os.ModeSymlink != 0:
				return -eloop
			case m.IsDir():
				return -eisdir
			default:
				return -enotty
			}
			return 0
		}
		var err error
		f, err = openUnitFile(path)
		if err != nil {
			return errCode(err)
		}
	} else {
		if flags&searchLoad == 0 {
			return 0
		}
		p, _, code := chase(c.l.Root, path, 0)
		if code < 0 {
			return code
		}
		var err error
		f, err = openFile(p)
		if err != nil {
			return errCode(err)
		}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return errCode(err)
	}
	if nullOrEmpty(fi) {
		if flags&searchDropIn == 0 {
			i.mode = modeMasked
		}
		return 0
	}
	if r := verifyRegular(fi); r < 0 {
		return r
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return errCode(err)
	}
	if r := c.parse(i, path, data); r < 0 {
		return r
	}
	if flags&searchDropIn == 0 {
		i.mode = modeRegular
	}
	return len(i.aliases) + len(i.wantedBy) + len(i.requiredBy)
}

// loadOrReadlink is systemd's unit_file_load_or_readlink: it loads the
// file at path, or when it is a symlink records where it leads and
// whether that makes the name a mask, a linked unit file or an alias.
func (c *context) loadOrReadlink(i *info, path string, flags searchFlags) int {
	r := c.loadFile(i, path, flags)
	if r != -eloop || flags&searchDropIn != 0 {
		return r
	}
	target, linked, r := c.l.resolveSymlink(path)
	if r < 0 {
		return r
	}
	i.symlinkTarget = target
	r = c.l.nullOrEmptyWithRoot(target)
	if r < 0 && r != -enoent {
		return r
	}
	switch {
	case r > 0:
		i.mode = modeMasked
	case linked:
		i.mode = modeLinked
	default:
		i.mode = modeAlias
	}
	return 0
}

// resolveSymlink is systemd's unit_file_resolve_symlink for installation:
// the absolute destination of the symlink at path (root included), and
// whether it leads outside the search path (a linked unit file) rather
// than to another name on it (an alias, which must be a valid one).
func (l *Lookup) resolveSymlink(path string) (string, bool, int) {
	target, err := os.Readlink(path)
	if err != nil {
		code := errCode(err)
		l.warnf("Failed to read symlink %s: %s", path, strerror(errnoOf(code)))
		return "", false, code
	}
	dir, ok := dirName(path)
	if !ok {
		return "", false, -einval
	}
	filename := baseName(path)
	abs := isAbs(target)
	if l.Root != "" || !abs {
		base := dir
		if abs {
			base = l.Root
		}
		target = join(base, target)
	}
	simplified, _, code := chase(l.Root, target, chaseNoFollow|chaseNonexistent)
	if code < 0 {
		l.warnf("Failed to resolve symlink %s/%s pointing to %s: %s", dir, filename, target, strerror(errnoOf(code)))
		return "", false, code
	}
	tail, alias := "", false
	for _, d := range l.SearchPath {
		if rest, ok := startsWith(simplified, d); ok {
			tail, alias = rest, true
			break
		}
	}
	if !alias {
		return simplified, true, 0
	}
	if r, msg := validateAliasSymlink(filename, simplified); r < 0 {
		if msg != "" {
			l.warnf("%s", msg)
		}
		return "", false, r
	}
	if isPath(tail) {
		l.warnf("Suspicious symlink %s/%s → %s, treating as alias.", dir, filename, simplified)
	}
	return simplified, false, 0
}

// search is systemd's unit_file_search: it finds i's unit file on the
// search path (an instance falls back to its template) and loads it and
// its drop-ins. It does nothing for a unit already looked at.
func (c *context) search(i *info, flags searchFlags) int {
	if i.mode != modeUnknown {
		return 0
	}
	if i.path != "" {
		return c.loadOrReadlink(i, i.path, flags)
	}
	var template string
	if validName(i.name, classInstance) {
		template, _ = templateOf(i.name)
	}
	result, found := 0, false
	for _, name := range []string{i.name, template} {
		if name == "" || found {
			continue
		}
		for _, d := range c.l.SearchPath {
			p := join(d, name)
			r := c.loadOrReadlink(i, p, flags)
			if r >= 0 {
				i.path, result, found = p, r, true
				break
			}
			if r != -enoent && r != -enotdir && r != -eacces {
				return r
			}
		}
	}
	if !found {
		return -enoent
	}
	if i.mode == modeMasked {
		return result
	}
	var dirs []string
	for _, name := range []string{i.name, template} {
		if name == "" {
			continue
		}
		for _, d := range c.l.SearchPath {
			dirs = append(dirs, join(d, name+".d"))
		}
	}
	for _, p := range dropIns(dirs) {
		if r := c.loadOrReadlink(i, p, flags|searchDropIn); r < 0 {
			return r
		}
	}
	return result
}

// dropIns lists the *.conf files of dirs, the first of each name only,
// sorted by name (systemd's conf_files_list_strv).
func dropIns(dirs []string) []string {
	seen := map[string]string{}
	for _, d := range dirs {
		entries, _ := readDir(d)
		for _, e := range entries {
			n := e.Name()
			if !strings.HasSuffix(n, ".conf") {
				continue
			}
			if _, ok := seen[n]; !ok {
				seen[n] = join(d, n)
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for k, n := range names {
		out[k] = seen[n]
	}
	return out
}
