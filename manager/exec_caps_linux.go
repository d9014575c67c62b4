package manager

import (
	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// The exec helper's capability steps. capget, capset and the PR_CAP*
// prctls act on the calling thread only, which is the locked thread that
// will call execve.

// execCaps are the three capability sets of this thread.
type execCaps struct {
	effective, permitted, inheritable uint64
}

func execCapGet() (execCaps, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var d [2]unix.CapUserData
	if err := unix.Capget(&hdr, &d[0]); err != nil {
		return execCaps{}, err
	}
	return execCaps{
		effective:   uint64(d[0].Effective) | uint64(d[1].Effective)<<32,
		permitted:   uint64(d[0].Permitted) | uint64(d[1].Permitted)<<32,
		inheritable: uint64(d[0].Inheritable) | uint64(d[1].Inheritable)<<32,
	}, nil
}

func execCapSet(c execCaps) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	d := [2]unix.CapUserData{
		{Effective: uint32(c.effective), Permitted: uint32(c.permitted), Inheritable: uint32(c.inheritable)},
		{Effective: uint32(c.effective >> 32), Permitted: uint32(c.permitted >> 32), Inheritable: uint32(c.inheritable >> 32)},
	}
	return unix.Capset(&hdr, &d[0])
}

// execCapLast is the highest capability the kernel knows: the last one
// PR_CAPBSET_READ accepts.
func execCapLast() int {
	for n := 0; n < 64; n++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(n), 0, 0, 0); err != nil {
			return n - 1
		}
	}
	return 63
}

// execInBoundingSet reports whether capability n is in this thread's
// bounding set.
func execInBoundingSet(n int) bool {
	r, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(n), 0, 0, 0)
	return err == nil && r == 1
}

// execDropBoundingSet is systemd's capability_bounding_set_drop: every
// capability not in keep leaves the bounding set and the inheritable set.
// CAP_SETPCAP, needed for that, is raised into the effective set first
// when it is only permitted.
func execDropBoundingSet(keep unit.CapSet) error {
	const setpcap = 1 << unix.CAP_SETPCAP
	before, err := execCapGet()
	if err != nil {
		return err
	}
	after := before
	if after.effective&setpcap == 0 && after.permitted&setpcap != 0 {
		after.effective |= setpcap
		if err := execCapSet(after); err != nil {
			return err
		}
	}
	last := execCapLast()
	for n := 0; n <= last; n++ {
		if keep.Has(n) {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(n), 0, 0, 0); err != nil && execInBoundingSet(n) {
			return err
		}
		after.inheritable &^= 1 << n
	}
	if after != before {
		return execCapSet(after)
	}
	return nil
}

// execApplyAmbient is systemd's capability_ambient_set_apply: capabilities
// not in the bounding set are left out silently; with alsoInherit the
// inheritable set becomes exactly set (raising an ambient capability needs
// it there); then set is raised in the ambient set and everything else
// lowered.
func execApplyAmbient(set unit.CapSet, alsoInherit bool) error {
	last := execCapLast()
	for n := 0; n <= last; n++ {
		if set.Has(n) && !execInBoundingSet(n) {
			set &^= 1 << n
		}
	}
	if alsoInherit {
		c, err := execCapGet()
		if err != nil {
			return err
		}
		c.inheritable = uint64(set) & (1<<(last+1) - 1)
		if err := execCapSet(c); err != nil {
			return err
		}
	}
	for n := 0; n <= last; n++ {
		if set.Has(n) {
			if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(n), 0, 0); err != nil {
				return err
			}
			continue
		}
		on, err := unix.PrctlRetInt(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_IS_SET, uintptr(n), 0, 0)
		if err != nil {
			return err
		}
		if on == 1 {
			if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_LOWER, uintptr(n), 0, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
