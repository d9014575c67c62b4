//go:build linux

package install

import "syscall"

// Errnos systemd uses that only Linux defines.
const (
	errnoRFKILL = syscall.ERFKILL
	errnoUCLEAN = syscall.EUCLEAN
	errnoBADSLT = syscall.EBADSLT
	errnoUNATCH = syscall.EUNATCH
	errnoNOLINK = syscall.ENOLINK
	errnoBADFD  = syscall.EBADFD
	errnoCHRNG  = syscall.ECHRNG
)
