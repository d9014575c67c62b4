package unit

import (
	"fmt"
	"strings"
)

// The deprecated specifiers %c, %r and %R name cgroup paths. systemd 252
// still expands them (with a warning) from the unit's default cgroup path,
// which at load time rarely is what a unit author expects.

// cgroupControllers are the controller names of systemd 252, which
// cgroupEscape must not let a unit name collide with.
var cgroupControllers = []string{
	"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
	"bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
	"bpf-restrict-network-interfaces",
}

// cgroupSpecifier resolves %c (the unit's cgroup), %r (its slice's cgroup)
// and %R (the manager's cgroup root).
func (e *Expander) cgroupSpecifier(c byte) (string, error) {
	root := e.host().CgroupRoot
	switch c {
	case 'R':
		return root, nil
	case 'r':
		if e.Slice == "" || e.Slice == "-.slice" {
			return root, nil
		}
		// The slice's own path, with its parents (systemd may see fewer of
		// them if the slice is not loaded yet).
		p, err := cgroupSlicePath(e.Slice)
		if err != nil {
			return "", err
		}
		if root == "" {
			root = "/"
		}
		return pathJoin(root, p), nil
	default: // 'c'
		return defaultCgroupPath(root, e.Name, e.Slice)
	}
}

// defaultCgroupPath is systemd's unit_default_cgroup_path for the unit
// called name in slice ("" for none).
func defaultCgroupPath(root, name, slice string) (string, error) {
	if name == "-.slice" {
		return root, nil
	}
	var slicePath string
	if slice != "" && slice != "-.slice" {
		p, err := cgroupSlicePath(slice)
		if err != nil {
			return "", err
		}
		slicePath = p
	}
	if root == "" {
		root = "/"
	}
	return pathJoin(root, slicePath, cgroupEscape(name)), nil
}

// cgroupSlicePath is systemd's cg_slice_to_path: "a-b-c.slice" becomes
// "a.slice/a-b.slice/a-b-c.slice".
func cgroupSlicePath(slice string) (string, error) {
	if slice == "-.slice" {
		return "", nil
	}
	n, err := ParseName(slice)
	if err != nil || n.Templated || n.Type != TypeSlice {
		return "", fmt.Errorf("%w: %q is not a slice name", ErrBadValue, slice)
	}
	p := n.Prefix
	if strings.HasPrefix(p, "-") {
		return "", fmt.Errorf("%w: %q is not a valid slice name", ErrBadValue, slice)
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '-' {
			continue
		}
		if i+1 == len(p) || p[i+1] == '-' {
			return "", fmt.Errorf("%w: %q is not a valid slice name", ErrBadValue, slice)
		}
		parent := p[:i] + ".slice"
		if !ValidName(parent) {
			return "", fmt.Errorf("%w: %q is not a valid slice name", ErrBadValue, slice)
		}
		b.WriteString(cgroupEscape(parent))
		b.WriteByte('/')
	}
	b.WriteString(cgroupEscape(slice))
	return b.String(), nil
}

// cgroupEscape is systemd's cg_escape: a name that could clash with a
// kernel file of the cgroup tree, or starts with '_' or '.', gets a '_'
// in front.
func cgroupEscape(s string) string {
	if s == "" || s[0] == '_' || s[0] == '.' ||
		s == "notify_on_release" || s == "release_agent" || s == "tasks" ||
		strings.HasPrefix(s, "cgroup.") {
		return "_" + s
	}
	if dot := strings.LastIndexByte(s, '.'); dot >= 0 {
		for _, c := range cgroupControllers {
			if s[:dot] == c {
				return "_" + s
			}
		}
	}
	return s
}

// pathJoin is systemd's path_join: empty parts are skipped, and a '/' goes
// between parts unless one is already there.
func pathJoin(parts ...string) string {
	var b strings.Builder
	slash := true
	for _, p := range parts {
		if p == "" {
			continue
		}
		if !slash && p[0] != '/' {
			b.WriteByte('/')
		}
		b.WriteString(p)
		slash = strings.HasSuffix(p, "/")
	}
	return b.String()
}
