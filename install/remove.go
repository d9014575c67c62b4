package install

import (
	"os"
)

// marks is the set of unit names and paths (without the root) whose
// symlinks are to be removed, compared as paths (systemd's
// remove_symlinks_to set).
type marks map[string]bool

// mark adds p and reports whether it was new.
func (m marks) mark(p string) bool {
	p = simplify(p)
	if m[p] {
		return false
	}
	m[p] = true
	return true
}

func (m marks) has(p string) bool { return m[simplify(p)] }

// removeMarked is systemd's remove_marked_symlinks: it removes, anywhere
// below configPath, every symlink named after a marked unit or its
// template, or whose destination is a marked path or has a marked name.
// Each removed symlink is marked in turn, and the scan repeated until
// nothing new is marked, so symlinks to removed symlinks go too. It returns
// 0 or the first failure.
func (o *operation) removeMarked(m marks, configPath string, dryRun bool) int {
	if len(m) == 0 {
		return 0
	}
	fi, err := os.Stat(configPath)
	if err != nil {
		if code := errCode(err); code != -enoent {
			return code
		}
		return 0
	}
	if !fi.IsDir() {
		return -enotdir
	}
	r := 0
	for {
		restart := false
		q := o.removeMarkedIn(m, configPath, configPath, dryRun, &restart)
		if r == 0 {
			r = q
		}
		if !restart {
			return r
		}
	}
}

// removeMarkedIn does removeMarked's work in one directory and the
// directories below it.
func (o *operation) removeMarkedIn(m marks, dir, configPath string, dryRun bool, restart *bool) int {
	entries, err := readDir(dir)
	if err != nil && len(entries) == 0 {
		return errCode(err)
	}
	r := 0
	for _, e := range entries {
		name := e.Name()
		p := join(dir, name)
		switch t := e.Type(); {
		case t.IsDir():
			sub, err := os.Lstat(p)
			if err != nil || !sub.IsDir() {
				if err != nil && errCode(err) != -enoent && r == 0 {
					r = errCode(err)
				}
				continue
			}
			if q := o.removeMarkedIn(m, p, configPath, dryRun, restart); q < 0 && r == 0 {
				r = q
			}
		case t&os.ModeSymlink != 0:
			if !validName(name, classAny) {
				continue
			}
			p = simplify(p)
			found := m.has(name)
			if !found {
				if tmpl, ok := templateOf(name); ok {
					found = m.has(tmpl)
				}
			}
			if !found {
				dest, _, q := chase(o.l.Root, p, chaseNonexistent)
				if q == -enoent {
					continue
				}
				if q < 0 {
					o.add(q, p, "")
					if r == 0 {
						r = q
					}
					continue
				}
				found = m.has(dest) || m.has(baseName(dest))
			}
			if !found {
				continue
			}
			if !dryRun {
				if err := os.Remove(p); err != nil && errCode(err) != -enoent {
					q := errCode(err)
					if r == 0 {
						r = q
					}
					o.add(q, p, "")
					continue
				}
				rmdirParents(p, configPath)
			}
			o.add(int(Unlink), p, "")
			// Symlinks to the symlink just removed go too.
			rp, ok := o.l.skipRoot(p)
			if !ok {
				rp = p
			}
			if m.mark(rp) && !dryRun {
				*restart = true
			}
		}
	}
	return r
}
