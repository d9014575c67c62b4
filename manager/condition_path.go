package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Conditions on paths. A missing path makes them false, never an error,
// as in systemd.

func condPathExists(c *condContext, p string) (bool, error) {
	return unix.Access(c.path(p), unix.F_OK) == nil, nil
}

func condPathExistsGlob(c *condContext, p string) (bool, error) {
	return len(condGlob(condGlobEscape(c.root)+p, true)) > 0, nil
}

// condGlobEscape protects a literal path prefix from glob expansion.
func condGlobEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[]{}\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func condPathIsDirectory(c *condContext, p string) (bool, error) {
	fi, err := os.Stat(c.path(p))
	return err == nil && fi.IsDir(), nil
}

func condPathIsSymbolicLink(c *condContext, p string) (bool, error) {
	fi, err := os.Lstat(c.path(p))
	return err == nil && fi.Mode()&os.ModeSymlink != 0, nil
}

// condPathIsMountPoint follows symlinks and looks the resulting path up
// in /proc/self/mountinfo (systemd asks the kernel for mount IDs first;
// the mount table gives the same answer and works on a fixture tree).
// "/" always is one.
func condPathIsMountPoint(c *condContext, p string) (bool, error) {
	if filepath.Clean(p) == "/" {
		return true, nil
	}
	resolved, err := filepath.EvalSymlinks(c.path(p))
	if err != nil {
		return false, nil
	}
	if c.root != "" {
		rel, err := filepath.Rel(c.root, resolved)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return false, nil
		}
		resolved = filepath.Join("/", rel)
	}
	mounts, err := condMountPoints(c.path("/proc/self/mountinfo"))
	if err != nil {
		return false, nil
	}
	return mounts[resolved], nil
}

// condMountPoints returns the mount points of a mountinfo file.
func condMountPoints(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 {
			m[condUnoctal(f[4])] = true
		}
	}
	return m, nil
}

// condUnoctal decodes the \NNN escapes the kernel writes in mount tables.
func condUnoctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// condReadOnlyFS is systemd's path_is_read_only_fs: the file system is
// mounted read-only, or writing is refused with EROFS.
func condReadOnlyFS(path string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false, err
	}
	if st.Flags&unix.ST_RDONLY != 0 {
		return true, nil
	}
	if err := unix.Access(path, unix.W_OK); errors.Is(err, unix.EROFS) {
		return true, nil
	}
	return false, nil
}

// condPathIsReadWrite is true unless the file system is read-only or the
// path is missing; other errors count as writable, as in systemd.
func condPathIsReadWrite(c *condContext, p string) (bool, error) {
	ro, err := condReadOnlyFS(c.path(p))
	if err != nil {
		return !errors.Is(err, unix.ENOENT), nil
	}
	return !ro, nil
}

// condPathIsEncrypted follows the block device of the path's file system
// through sysfs: a dm-crypt device ("CRYPT-" uuid), or one whose
// underlying devices all are. File systems without a block device
// (tmpfs, overlay, and btrfs, whose devices pm does not look up) are not
// encrypted; neither is a symlink.
func condPathIsEncrypted(c *condContext, p string) (bool, error) {
	var st unix.Stat_t
	if err := unix.Lstat(c.path(p), &st); err != nil || st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return false, nil
	}
	major, minor := unix.Major(st.Dev), unix.Minor(st.Dev)
	if major == 0 {
		return false, nil
	}
	ok, err := condBlockEncrypted(c, fmt.Sprintf("/sys/dev/block/%d:%d", major, minor), 10)
	return ok && err == nil, nil
}

func condBlockEncrypted(c *condContext, sysfs string, depth int) (bool, error) {
	if depth == 0 {
		return false, errCondBadParameter
	}
	uuid, err := c.readLine(sysfs + "/dm/uuid")
	switch {
	case err == nil && strings.HasPrefix(uuid, "CRYPT-"):
		return true, nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return false, err
	}
	entries, err := os.ReadDir(c.path(sysfs + "/slaves"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	found := false
	for _, e := range entries {
		ok, err := condBlockEncrypted(c, sysfs+"/slaves/"+e.Name(), depth-1)
		if err != nil || !ok {
			return false, err
		}
		found = true
	}
	return found, nil
}

// condDirectoryNotEmpty: a directory with an entry that is neither hidden
// nor a backup file. A missing path or a non-directory is false; any
// other error counts as not empty, as in systemd.
func condDirectoryNotEmpty(c *condContext, p string) (bool, error) {
	entries, err := os.ReadDir(c.path(p))
	if err != nil {
		return !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR), nil
	}
	for _, e := range entries {
		if !condHiddenOrBackup(e.Name()) {
			return true, nil
		}
	}
	return false, nil
}

// condHiddenOrBackup is systemd's hidden_or_backup_file.
func condHiddenOrBackup(name string) bool {
	switch {
	case strings.HasPrefix(name, "."), name == "lost+found", name == "aquota.user",
		name == "aquota.group", strings.HasSuffix(name, "~"):
		return true
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return false
	}
	switch name[i+1:] {
	case "rpmnew", "rpmsave", "rpmorig", "dpkg-old", "dpkg-new", "dpkg-tmp", "dpkg-dist",
		"dpkg-bak", "dpkg-backup", "dpkg-remove", "ucf-new", "ucf-old", "ucf-dist",
		"swp", "bak", "old", "new":
		return true
	}
	return false
}

func condFileNotEmpty(c *condContext, p string) (bool, error) {
	fi, err := os.Stat(c.path(p))
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0, nil
}

func condFileIsExecutable(c *condContext, p string) (bool, error) {
	fi, err := os.Stat(c.path(p))
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0, nil
}

// condNeedsUpdate is true when /usr was modified after p/.updated
// (systemd's update-done stamp), unless the kernel command line says
// otherwise (systemd.condition-needs-update=), this is an initrd, or p is
// on a read-only file system. Whatever cannot be read counts as needing an
// update, so that update tools rather run too often than too rarely.
func condNeedsUpdate(c *condContext, p string) (bool, error) {
	if v, ok := c.cmdlineBool("systemd.condition-needs-update"); ok {
		return v, nil
	}
	if c.inInitrd() {
		return false, nil
	}
	if !strings.HasPrefix(p, "/") {
		return true, nil
	}
	if ro, err := condReadOnlyFS(c.path(p)); err == nil && ro {
		return false, nil
	}
	stamp := strings.TrimSuffix(p, "/") + "/.updated"
	var other, usr unix.Stat_t
	if err := unix.Lstat(c.path(stamp), &other); err != nil {
		return true, nil
	}
	if err := unix.Lstat(c.path("/usr/"), &usr); err != nil {
		return true, nil
	}
	if usr.Mtim.Sec != other.Mtim.Sec {
		return usr.Mtim.Sec > other.Mtim.Sec, nil
	}
	// Equal seconds: a false positive is only possible when the stamp's
	// file system has no nanoseconds; the stamp then records them.
	if usr.Mtim.Nsec == 0 || other.Mtim.Nsec > 0 {
		return usr.Mtim.Nsec > other.Mtim.Nsec, nil
	}
	f, err := os.Open(c.path(stamp))
	if err != nil {
		return true, nil
	}
	defer f.Close()
	env, _, err := unit.ParseEnvFile(f)
	if err != nil {
		return true, nil
	}
	var ts string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "TIMESTAMP_NSEC="); ok {
			ts = v
		}
	}
	n, err := strconv.ParseUint(ts, 10, 64)
	if err != nil {
		return true, nil
	}
	return uint64(usr.Mtim.Sec)*1e9+uint64(usr.Mtim.Nsec) > n, nil
}

// inInitrd is systemd's in_initrd: $SYSTEMD_IN_INITRD, else whether
// /etc/initrd-release exists.
func (c *condContext) inInitrd() bool {
	if v, ok := c.getenv("SYSTEMD_IN_INITRD"); ok {
		if b, err := unit.ParseBool(v); err == nil {
			return b
		}
	}
	return c.exists("/etc/initrd-release")
}
