//go:build linux && !386 && !arm

package manager

import "golang.org/x/sys/unix"

// System calls the exec helper makes on its own thread only; these are the
// 32-bit-id versions everywhere but 386 and arm.
const (
	execSysSetgroups = unix.SYS_SETGROUPS
	execSysSetresgid = unix.SYS_SETRESGID
	execSysSetresuid = unix.SYS_SETRESUID
)
