package unit

import "syscall"

// readUname calls uname(2); on failure every field is empty.
func readUname() uname {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return uname{}
	}
	return uname{
		nodename: utsString(u.Nodename[:]),
		release:  utsString(u.Release[:]),
		machine:  utsString(u.Machine[:]),
	}
}

// utsString converts a NUL-terminated utsname field.
func utsString[T int8 | uint8](f []T) string {
	b := make([]byte, 0, len(f))
	for _, c := range f {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}
