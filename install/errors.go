package install

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// Sentinel errors. Every [*Error] wraps one of them (and its errno), so
// callers test with errors.Is.
var (
	// ErrNotFound marks a unit with no unit file on the search path
	// (systemd's ENOENT).
	ErrNotFound = errors.New("unit file does not exist")
	// ErrMasked marks a masked unit (ERFKILL).
	ErrMasked = errors.New("unit file is masked")
	// ErrExists marks a file in the way of a symlink to create (EEXIST).
	ErrExists = errors.New("file already exists")
	// ErrBadName marks an invalid unit name (EUCLEAN, or EINVAL where
	// systemd checks a name).
	ErrBadName = errors.New("invalid unit name")
	// ErrGenerated marks a transient or generated unit, which cannot be
	// enabled (EADDRNOTAVAIL).
	ErrGenerated = errors.New("unit is transient or generated")
	// ErrInSearchPath marks a file to link that is below the search path
	// already (ETXTBSY).
	ErrInSearchPath = errors.New("file is under the unit search path already")
	// ErrLinked marks a unit reached through a symlink in a configuration
	// directory, which systemd refuses to operate on (ELOOP).
	ErrLinked = errors.New("refusing to operate on linked unit file")
	// ErrBadAlias marks an Alias= that cannot name the unit (EXDEV).
	ErrBadAlias = errors.New("invalid alias")
	// ErrNotTemplate marks a WantedBy= or RequiredBy= of a template without
	// DefaultInstance= that names a non-template unit (EIDRM).
	ErrNotTemplate = errors.New("destination unit is a non-template unit")
	// ErrSpecifier marks an [Install] value whose specifiers cannot be
	// expanded (EBADSLT, EUNATCH, ENAMETOOLONG).
	ErrSpecifier = errors.New("cannot resolve specifiers")
	// ErrDangling marks an alias whose target does not exist (ENOLINK).
	ErrDangling = errors.New("alias to a unit that is not present")
	// ErrInvalid marks any other invalid argument or file (EINVAL and
	// errnos without a class of their own).
	ErrInvalid = errors.New("invalid argument")
)

// Error is a failure as systemd reports it: an errno and the path or unit
// name it concerns, and for some errors a second name (Source): the target
// of the symlink in the way, the unit an alias was meant for.
type Error struct {
	// Errno is the error number systemd would have returned.
	Errno syscall.Errno
	// Path is the file or unit name concerned; "" when there is none.
	Path string
	// Source is the second name some errors carry.
	Source string
	// class is the sentinel wrapped.
	class error
}

// Error describes the failure without systemctl's "Failed to VERB unit"
// prefix (see [Change.Message] for that).
func (e *Error) Error() string {
	switch {
	case e.Path == "":
		return fmt.Sprintf("%v: %s", e.class, strerror(e.Errno))
	case e.class == ErrBadName && e.Errno == syscall.EINVAL:
		return fmt.Sprintf("%v %q", e.class, e.Path)
	}
	text, _ := errorText(e.Errno, e.Path, e.Source)
	return text
}

// Unwrap returns the sentinel and the errno, so that errors.Is works with
// both (and with fs.ErrNotExist and the like through the errno).
func (e *Error) Unwrap() []error { return []error{e.class, e.Errno} }

// Internal result codes follow systemd: a negative value is -errno, zero
// or more is success (often a count). codeBadName is EINVAL for a bad unit
// name, kept apart so that it wraps ErrBadName.
const codeBadName = -(1 << 20)

// errCode returns the code of a failed system call: -errno.
func errCode(err error) int {
	var en syscall.Errno
	if errors.As(err, &en) {
		return -int(en)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return -int(syscall.ENOENT)
	case errors.Is(err, fs.ErrExist):
		return -int(syscall.EEXIST)
	case errors.Is(err, fs.ErrPermission):
		return -int(syscall.EACCES)
	}
	return -int(syscall.EIO)
}

// errnoOf returns the errno of a negative code.
func errnoOf(code int) syscall.Errno {
	if code == codeBadName {
		return syscall.EINVAL
	}
	return syscall.Errno(-code)
}

// newError makes the error of a negative code concerning path.
func newError(code int, path, source string) *Error {
	en := errnoOf(code)
	return &Error{Errno: en, Path: path, Source: source, class: classOf(code)}
}

// classOf picks the sentinel of a negative code.
func classOf(code int) error {
	if code == codeBadName {
		return ErrBadName
	}
	switch errnoOf(code) {
	case syscall.ENOENT:
		return ErrNotFound
	case errnoRFKILL:
		return ErrMasked
	case syscall.EEXIST:
		return ErrExists
	case errnoUCLEAN:
		return ErrBadName
	case syscall.EADDRNOTAVAIL:
		return ErrGenerated
	case syscall.ETXTBSY:
		return ErrInSearchPath
	case syscall.ELOOP:
		return ErrLinked
	case syscall.EXDEV:
		return ErrBadAlias
	case syscall.EIDRM:
		return ErrNotTemplate
	case errnoBADSLT, errnoUNATCH, syscall.ENAMETOOLONG:
		return ErrSpecifier
	case errnoNOLINK:
		return ErrDangling
	}
	return ErrInvalid
}

// strerror renders an errno as glibc's strerror does ("No such file or
// directory").
func strerror(en syscall.Errno) string {
	s := en.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errorText is the part of systemctl's message for a failed change that
// follows "Failed to VERB unit, ", and whether it is the catch-all one.
func errorText(en syscall.Errno, path, source string) (text string, generic bool) {
	switch en {
	case syscall.EEXIST:
		if source != "" {
			return fmt.Sprintf("file %q already exists and is a symlink to %q", path, source), false
		}
		return fmt.Sprintf("file %q already exists", path), false
	case errnoRFKILL:
		return fmt.Sprintf("unit %s is masked", path), false
	case syscall.EADDRNOTAVAIL:
		return fmt.Sprintf("unit %s is transient or generated", path), false
	case syscall.ETXTBSY:
		return fmt.Sprintf("file %s is under the systemd unit hierarchy already", path), false
	case errnoBADSLT:
		return fmt.Sprintf("invalid specifier in %q", path), false
	case syscall.EIDRM:
		return fmt.Sprintf("%s: destination unit %s is a non-template unit", source, path), false
	case errnoUCLEAN:
		return fmt.Sprintf("%q is not a valid unit name", path), false
	case syscall.ELOOP:
		return fmt.Sprintf("refusing to operate on linked unit file %s", path), false
	case syscall.EXDEV:
		if source != "" {
			return fmt.Sprintf("cannot alias %s as %s", source, path), false
		}
		return fmt.Sprintf("invalid unit reference %q", path), false
	case syscall.ENOENT:
		return fmt.Sprintf("unit %s does not exist", path), false
	case errnoUNATCH:
		return fmt.Sprintf("cannot resolve specifiers in %q", path), false
	}
	return fmt.Sprintf("file %q: %s", path, strerror(en)), true
}

// Errnos as ints, for the negative result codes.
const (
	enoent       = int(syscall.ENOENT)
	enotdir      = int(syscall.ENOTDIR)
	eacces       = int(syscall.EACCES)
	eexist       = int(syscall.EEXIST)
	einval       = int(syscall.EINVAL)
	eloop        = int(syscall.ELOOP)
	exdev        = int(syscall.EXDEV)
	eisdir       = int(syscall.EISDIR)
	enotty       = int(syscall.ENOTTY)
	eidrm        = int(syscall.EIDRM)
	ebadmsg      = int(syscall.EBADMSG)
	enobufs      = int(syscall.ENOBUFS)
	enametoolong = int(syscall.ENAMETOOLONG)
	eaddrnotavl  = int(syscall.EADDRNOTAVAIL)
	etxtbsy      = int(syscall.ETXTBSY)
	erfkill      = int(errnoRFKILL)
	euclean      = int(errnoUCLEAN)
	ebadslt      = int(errnoBADSLT)
	eunatch      = int(errnoUNATCH)
	enolink      = int(errnoNOLINK)
	ebadfd       = int(errnoBADFD)
	echrng       = int(errnoCHRNG)
)
