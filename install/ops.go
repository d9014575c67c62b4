package install

import (
	"os"
	"strings"
)

// The operations below are systemd 252's unit_file_* functions of
// src/shared/install.c. Each returns the changes made, in order, failures
// included as Failed changes; and an error when the operation as a whole
// failed. Like systemd, some operations record a failure and carry on
// (disable of a missing unit, say) without failing as a whole.

// Enable enables unit files as systemctl enable does. Names are unit
// names or absolute paths of unit files (below the root); a file outside
// the search path is linked into the configuration directory first. The
// units' [Install] sections are applied, with Also= units in turn.
// installInfo reports whether any unit had something to install (Alias=,
// WantedBy=, RequiredBy=, or a masked Also= unit); when it is false
// systemctl prints a notice that the units are not meant to be enabled.
func (l *Lookup) Enable(names []string, f Flags) (changes []Change, installInfo bool, err error) {
	o := &operation{l: l}
	r := o.enable(names, l.configPath(f), f)
	return o.changes, r > 0, o.result(r)
}

func (o *operation) enable(names []string, configPath string, f Flags) int {
	c := newContext(o.l, o)
	for _, n := range names {
		if _, r := c.discoverAndCheck(n, searchLoad|searchFollowConfigSymlinks); r < 0 {
			return r
		}
	}
	// The count of units with something to install, not of symlinks made.
	return c.apply(configPath, f, searchLoad)
}

// Disable disables units as systemctl disable does: it removes from the
// configuration directory (/run with f.Runtime) every symlink to the units
// and to their Also= units, and every symlink named after them or their
// templates. Names must be unit names (systemctl passes the file name of
// a path). A unit that does not exist is reported as a Failed change, yet
// the symlinks named after it are removed and the call succeeds, as in
// systemd.
func (l *Lookup) Disable(names []string, f Flags) ([]Change, error) {
	o := &operation{l: l}
	r := o.disable(names, l.configPath(f), f.DryRun)
	return o.changes, o.result(r)
}

func (o *operation) disable(names []string, configPath string, dryRun bool) int {
	c := newContext(o.l, o)
	for _, n := range names {
		if !validName(n, classAny) {
			return o.add(-euclean, n, "")
		}
		if _, r := c.add(n, "", false); r < 0 {
			return r
		}
	}
	m := marks{}
	if r := c.markForRemoval(m); r < 0 {
		return r
	}
	return o.removeMarked(m, configPath, dryRun)
}

// markForRemoval is systemd's install_context_mark_for_removal: it marks
// the name of every unit of the context, Also= units included, except
// masked ones and names that are aliases.
func (c *context) markForRemoval(m marks) int {
	for i := c.next(); i != nil; i = c.next() {
		_, r := c.traverse(i, searchLoad|searchFollowConfigSymlinks)
		where := i.path
		if where == "" {
			where = i.name
		}
		switch {
		case r == -enolink:
			c.op.add(int(IsDangling), where, "")
		case r == -enoent:
			if !i.auxiliary {
				// Leftover symlinks go all the same.
				c.op.add(r, where, "")
			}
		case r < 0:
			c.op.add(r, where, "")
		case i.mode == modeMasked:
			c.op.add(int(IsMasked), where, "")
			continue
		case i.mode != modeRegular:
			continue
		}
		m.mark(i.name)
	}
	return 0
}

// Reenable disables and then enables units, as systemctl reenable does.
// Below a root, a unit given by name is enabled by the path of the file it
// was found at, as systemd does (an instance found through its template
// then enables the template).
func (l *Lookup) Reenable(names []string, f Flags) (changes []Change, installInfo bool, err error) {
	o := &operation{l: l}
	configPath := l.configPath(f)
	bare, files, r := l.normalizeLinked(names)
	if r >= 0 {
		r = o.disable(bare, configPath, f.DryRun)
	}
	if r >= 0 {
		r = o.enable(files, configPath, f)
	}
	return o.changes, r > 0, o.result(r)
}

// normalizeLinked is systemd's normalize_linked_files: the unit names to
// disable and the names or paths to enable.
func (l *Lookup) normalizeLinked(args []string) (names, files []string, code int) {
	for _, a := range args {
		if strings.HasSuffix(a, "/") {
			return nil, nil, -eisdir
		}
		n := baseName(a)
		var found *info
		if !isPath(a) {
			c := newContext(l, &operation{l: l})
			if i, r := c.discover(n, searchLoad|searchFollowConfigSymlinks, false); r >= 0 {
				found = i
			}
		}
		names = append(names, n)
		file := a
		if found != nil && found.path != "" && l.Root != "" {
			if rest, ok := strings.CutPrefix(found.path, l.Root); ok {
				file = rest
			}
		}
		files = append(files, file)
	}
	return names, files, 0
}

// Mask masks units: a symlink to /dev/null in the configuration directory
// (/run with f.Runtime) under each name. Whether the unit exists does not
// matter. A file in the way is an error unless f.Force is set and it is a
// symlink. An invalid name fails the call (ErrBadName) after the others
// are masked.
func (l *Lookup) Mask(names []string, f Flags) ([]Change, error) {
	o := &operation{l: l}
	configPath := l.configPath(f)
	r := 0
	var bad string
	for _, n := range names {
		if !validName(n, classAny) {
			if r == 0 {
				r, bad = codeBadName, n
			}
			continue
		}
		if q := o.createSymlink("/dev/null", makeAbsolute(n, configPath), f.Force); q < 0 && r >= 0 {
			r = q
		}
	}
	if r == codeBadName {
		return o.changes, newError(r, bad, "")
	}
	return o.changes, o.result(r)
}

// Unmask removes masks from the configuration directory (/run with
// f.Runtime): each name that is a symlink to /dev/null or an empty file
// there is removed, and then every symlink to it. Masks elsewhere are
// left alone; without a root, a mask made by a generator is reported as
// IsMaskedGenerator.
func (l *Lookup) Unmask(names []string, f Flags) ([]Change, error) {
	o := &operation{l: l}
	configPath := l.configPath(f)
	var todo []string
	for _, n := range names {
		if !validName(n, classAny) {
			return o.changes, newError(codeBadName, n, "")
		}
		if l.Root == "" {
			c := newContext(l, o)
			i := &info{name: n}
			if r := c.search(i, 0); r >= 0 && i.mode == modeMasked && l.isGenerator(i.path) {
				o.add(int(IsMaskedGenerator), n, i.path)
			}
		}
		r := nullOrEmptyPath(makeAbsolute(n, configPath))
		if r == -enoent || r == 0 {
			continue
		}
		if r < 0 {
			return o.changes, o.result(r)
		}
		if !contains(todo, n) {
			todo = append(todo, n)
		}
	}
	m := marks{}
	r := 0
	for _, n := range todo {
		p := makeAbsolute(n, configPath)
		if !f.DryRun {
			if err := os.Remove(p); err != nil {
				if q := errCode(err); q != -enoent {
					if r >= 0 {
						r = q
					}
					o.add(q, p, "")
				}
				continue
			}
		}
		o.add(int(Unlink), p, "")
		rp, ok := l.skipRoot(p)
		if !ok {
			rp = p
		}
		m.mark(rp)
	}
	if q := o.removeMarked(m, configPath, f.DryRun); r >= 0 {
		r = q
	}
	return o.changes, o.result(r)
}

// Link makes unit files outside the search path available, as systemctl
// link does: a symlink to each file, which must be an absolute path below
// the root, in the configuration directory (/run with f.Runtime). A file
// directly in a search path directory is skipped; one deeper below it is
// refused (ErrInSearchPath).
func (l *Lookup) Link(files []string, f Flags) ([]Change, error) {
	o := &operation{l: l}
	configPath := l.configPath(f)
	var todo []string
	for _, file := range files {
		if !isAbs(file) {
			return o.changes, o.result(o.add(-einval, file, ""))
		}
		if !validName(baseName(file), classAny) {
			return o.changes, o.result(o.add(-euclean, file, ""))
		}
		fi, err := os.Lstat(join(l.Root, file))
		if err != nil {
			return o.changes, o.result(o.add(errCode(err), file, ""))
		}
		if r := verifyRegular(fi); r < 0 {
			return o.changes, o.result(o.add(r, file, ""))
		}
		// Like systemd, compare the path without the root with the search
		// path, which has it.
		if l.inSearchPath(file) {
			continue
		}
		if startsWithAny(file, l.SearchPath) {
			return o.changes, o.result(o.add(-etxtbsy, file, ""))
		}
		if !contains(todo, file) {
			todo = append(todo, file)
		}
	}
	r := 0
	for _, file := range todo {
		if q := o.createSymlink(file, makeAbsolute(baseName(file), configPath), f.Force); q < 0 && r >= 0 {
			r = q
		}
	}
	return o.changes, o.result(r)
}

// Dependency is a kind of dependency AddDependency adds, named as in
// systemd's D-Bus API.
type Dependency string

// The dependencies AddDependency can add.
const (
	Wants    Dependency = "Wants"
	Requires Dependency = "Requires"
)

// AddDependency makes units wanted or required by a target, as systemctl
// add-wants and add-requires do: a symlink to each unit file in
// TARGET.wants/ or TARGET.requires/ of the configuration directory (/run
// with f.Runtime), as if the unit's [Install] section said so (and only
// that). The target and the units must exist and not be masked.
func (l *Lookup) AddDependency(target string, names []string, dep Dependency, f Flags) ([]Change, error) {
	o := &operation{l: l}
	if !validName(target, classAny) {
		return o.changes, o.result(o.add(-euclean, target, ""))
	}
	if dep != Wants && dep != Requires {
		return nil, newError(-einval, string(dep), "")
	}
	c := newContext(l, o)
	t, r := c.discoverAndCheck(target, searchFollowConfigSymlinks)
	if r < 0 {
		return o.changes, o.result(r)
	}
	for _, n := range names {
		i, r := c.discoverAndCheck(n, searchFollowConfigSymlinks)
		if r < 0 {
			return o.changes, o.result(r)
		}
		// Nothing was read from the unit file: these are its only rules.
		if dep == Wants {
			i.wantedBy = []string{t.name}
		} else {
			i.requiredBy = []string{t.name}
		}
	}
	r = c.apply(l.configPath(f), f, searchFollowConfigSymlinks)
	return o.changes, o.result(r)
}

// defaultTarget is the name of the default target's alias.
const defaultTarget = "default.target"

// SetDefault makes default.target in /etc/systemd/system a symlink to the
// target unit's file. systemctl set-default always passes f.Force;
// f.Runtime does not apply.
func (l *Lookup) SetDefault(name string, f Flags) ([]Change, error) {
	o := &operation{l: l}
	if typeOf(name) != "target" {
		code := codeBadName
		if validName(name, classAny) {
			code = -einval
		}
		return nil, newError(code, name, "")
	}
	if name == defaultTarget {
		return nil, newError(-einval, name, "")
	}
	c := newContext(l, o)
	i, r := c.discoverAndCheck(name, 0)
	if r < 0 {
		return o.changes, o.result(r)
	}
	r = o.createSymlink(i.path, join(l.PersistentConfig, defaultTarget), f.Force)
	return o.changes, o.result(r)
}

// GetDefault returns the name of the unit default.target leads to.
func (l *Lookup) GetDefault() (string, error) {
	o := &operation{l: l}
	c := newContext(l, o)
	i, r := c.discover(defaultTarget, searchFollowConfigSymlinks, false)
	if r < 0 {
		return "", newError(r, defaultTarget, "")
	}
	return i.name, nil
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
