package install

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
)

// chaseFlags are the options of chase, as systemd's CHASE_* flags.
type chaseFlags int

const (
	chasePrefixRoot  chaseFlags = 1 << iota // p does not include the root yet
	chaseNonexistent                        // a missing tail is fine
	chaseNoFollow                           // do not follow the last component
)

// chaseMax is how many symlinks chase follows (CHASE_SYMLINKS_MAX).
const chaseMax = 32

// chase resolves symlinks, "." and ".." in p the way systemd's
// chase_symlinks does below root: absolute symlinks start over at the
// root, and ".." never leaves it. p includes the root prefix unless
// chasePrefixRoot is set. The result includes the root prefix; exists is
// false when chaseNonexistent let a missing tail through. code is 0 or
// -errno.
func chase(root, p string, flags chaseFlags) (result string, exists bool, code int) {
	if root == "/" {
		root = ""
	}
	if p == "" {
		return "", false, -einval
	}
	buffer := p
	if flags&chasePrefixRoot != 0 && root != "" {
		buffer = join(root, p)
	}
	if !isAbs(buffer) {
		return "", false, -einval
	}
	var todo, done string
	if root != "" {
		rest, ok := startsWith(buffer, root)
		if !ok {
			return "", false, -echrng
		}
		todo, done = rest, root
	} else {
		todo, done = buffer, "/"
	}
	follows := chaseMax
	for {
		first, rest := firstComponent(todo)
		if first == "" {
			break
		}
		todo = rest
		if first == ".." {
			if done == "/" || done == "" {
				continue
			}
			parent, _ := dirName(done)
			if root != "" {
				_, inRoot := startsWith(done, root)
				_, parentInRoot := startsWith(parent, root)
				if inRoot && !parentInRoot {
					continue
				}
			}
			done = parent
			continue
		}
		child := join(done, first)
		fi, err := os.Lstat(child)
		if err != nil {
			c := errCode(err)
			if c == -enoent && flags&chaseNonexistent != 0 && safeTail(todo) {
				return join(child, todo), false, 0
			}
			return "", false, c
		}
		if fi.Mode()&fs.ModeSymlink != 0 && !(flags&chaseNoFollow != 0 && strings.Trim(todo, "/") == "") {
			follows--
			if follows <= 0 {
				return "", false, -eloop
			}
			dest, err := os.Readlink(child)
			if err != nil {
				return "", false, errCode(err)
			}
			if dest == "" {
				return "", false, -einval
			}
			if isAbs(dest) {
				done = root
				if done == "" {
					done = "/"
				}
			}
			todo = join(dest, todo)
			continue
		}
		done = child
	}
	return done, true, 0
}

// firstComponent splits off the first component of p, skipping slashes
// and "." components.
func firstComponent(p string) (first, rest string) {
	for {
		p = strings.TrimLeft(p, "/")
		if p == "" {
			return "", ""
		}
		i := strings.IndexByte(p, '/')
		if i < 0 {
			first, rest = p, ""
		} else {
			first, rest = p[:i], p[i:]
		}
		if first != "." {
			return first, rest
		}
		p = rest
	}
}

// safeTail reports whether a path tail holds no ".." (systemd's
// path_is_safe, as chase uses it for a missing tail).
func safeTail(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return false
		}
	}
	return true
}

// nullOrEmpty reports whether fi is systemd's idea of a mask: an empty
// regular file or a character device (/dev/null).
func nullOrEmpty(fi fs.FileInfo) bool {
	m := fi.Mode()
	if m.IsRegular() {
		return fi.Size() <= 0
	}
	return m&fs.ModeCharDevice != 0
}

// nullOrEmptyWithRoot is systemd's null_or_empty_path_with_root: is fn,
// a path including the root, a (possibly dangling) link to /dev/null or
// an empty file? It returns 1, 0 or -errno. Like systemd it prefixes the
// root to fn again before resolving it, so below a root anything but
// /dev/null itself is usually not found (-ENOENT).
func (l *Lookup) nullOrEmptyWithRoot(fn string) int {
	if rest, ok := startsWith(fn, l.rootOrSlash()); ok && pathEqual(rest, "dev/null") {
		return 1
	}
	p, _, code := chase(l.Root, fn, chasePrefixRoot)
	if code < 0 {
		return code
	}
	fi, err := os.Stat(p)
	if err != nil {
		return errCode(err)
	}
	if nullOrEmpty(fi) {
		return 1
	}
	return 0
}

// nullOrEmptyPath is systemd's null_or_empty_path: stat p, following
// symlinks on this machine. It returns 1, 0 or -errno.
func nullOrEmptyPath(p string) int {
	fi, err := os.Stat(p)
	if err != nil {
		return errCode(err)
	}
	if nullOrEmpty(fi) {
		return 1
	}
	return 0
}

// mkdirParents creates the directories above p, as systemd's
// mkdir_parents_label (mode 0755); failures show in what follows.
func mkdirParents(p string) {
	if d, ok := dirName(p); ok {
		_ = os.MkdirAll(d, 0o755)
	}
}

// symlinkAtomic replaces p by a symlink to target: it creates the link
// under a temporary name and renames it over p.
func symlinkAtomic(target, p string) error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	d, _ := dirName(p)
	tmp := join(d, "."+baseName(p)+hex.EncodeToString(b[:]))
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// rmdirParents is systemd's rmdir_parents: it removes the directories
// above p that became empty, up to (not including) stop.
func rmdirParents(p, stop string) {
	for {
		d, ok := dirName(p)
		if !ok || d == "/" || d == "" {
			return
		}
		if _, ok := startsWith(stop, d); ok {
			return
		}
		if err := os.Remove(d); err != nil && errCode(err) != -enoent {
			return
		}
		p = d
	}
}

// verifyRegular is systemd's stat_verify_regular on fi: 0, or -EISDIR,
// -ELOOP, -EBADFD.
func verifyRegular(fi fs.FileInfo) int {
	m := fi.Mode()
	switch {
	case m.IsDir():
		return -eisdir
	case m&fs.ModeSymlink != 0:
		return -eloop
	case !m.IsRegular():
		return -ebadfd
	}
	return 0
}
