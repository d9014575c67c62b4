//go:build !linux

package manager

// execTestChildMain has nothing to do where services are not started.
func execTestChildMain() {}
