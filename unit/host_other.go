//go:build !linux

package unit

import "os"

// readUname knows only the host name where there is no uname(2).
func readUname() uname {
	n, _ := os.Hostname()
	return uname{nodename: n}
}
