//go:build !linux

package install

import "syscall"

// Errnos systemd uses that only Linux defines, with Linux's numbers. They
// only select messages and sentinels here; their strerror text is Linux's
// nowhere else.
const (
	errnoRFKILL = syscall.Errno(132)
	errnoUCLEAN = syscall.Errno(117)
	errnoBADSLT = syscall.Errno(57)
	errnoUNATCH = syscall.Errno(49)
	errnoNOLINK = syscall.Errno(67)
	errnoBADFD  = syscall.Errno(77)
	errnoCHRNG  = syscall.Errno(44)
)
