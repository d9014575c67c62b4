//go:build linux && (386 || arm)

package manager

import "golang.org/x/sys/unix"

// System calls the exec helper makes on its own thread only; 386 and arm
// have 16-bit ids in the plain calls, so use the 32-bit ones.
const (
	execSysSetgroups = unix.SYS_SETGROUPS32
	execSysSetresgid = unix.SYS_SETRESGID32
	execSysSetresuid = unix.SYS_SETRESUID32
)
