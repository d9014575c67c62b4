//go:build !linux

package install

import "syscall"

// Errnos systemd uses that only Linux defines. Elsewhere they get numbers
// no system uses: they only select messages and sentinels here.
const (
	errnoRFKILL = syscall.Errno(10132)
	errnoUCLEAN = syscall.Errno(10117)
	errnoBADSLT = syscall.Errno(10057)
	errnoUNATCH = syscall.Errno(10049)
	errnoNOLINK = syscall.Errno(10067)
	errnoBADFD  = syscall.Errno(10077)
	errnoCHRNG  = syscall.Errno(10044)
)
