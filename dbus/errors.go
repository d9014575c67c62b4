package dbus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/manager"
)

// D-Bus error names: systemd's (src/libsystemd/sd-bus/bus-common-errors.h)
// and the standard ones. systemctl turns them into its messages and exit
// statuses (NoSuchUnit 5, AccessDenied 4, JobTypeNotApplicable 3, …).
const (
	errNoSuchUnit               = "org.freedesktop.systemd1.NoSuchUnit"
	errNoUnitForPID             = "org.freedesktop.systemd1.NoUnitForPID"
	errUnitExists               = "org.freedesktop.systemd1.UnitExists"
	errLoadFailed               = "org.freedesktop.systemd1.LoadFailed"
	errBadUnitSetting           = "org.freedesktop.systemd1.BadUnitSetting"
	errJobFailed                = "org.freedesktop.systemd1.JobFailed"
	errNoSuchJob                = "org.freedesktop.systemd1.NoSuchJob"
	errNotSubscribed            = "org.freedesktop.systemd1.NotSubscribed"
	errAlreadySubscribed        = "org.freedesktop.systemd1.AlreadySubscribed"
	errOnlyByDependency         = "org.freedesktop.systemd1.OnlyByDependency"
	errJobTypeNotApplicable     = "org.freedesktop.systemd1.JobTypeNotApplicable"
	errTransactionIsDestructive = "org.freedesktop.systemd1.TransactionIsDestructive"
	errUnitMasked               = "org.freedesktop.systemd1.UnitMasked"
	errUnitGenerated            = "org.freedesktop.systemd1.UnitGenerated"
	errUnitLinked               = "org.freedesktop.systemd1.UnitLinked"
	errUnitBad                  = "org.freedesktop.systemd1.UnitBad"
	errShuttingDown             = "org.freedesktop.systemd1.ShuttingDown"
	errNoSuchProcess            = "org.freedesktop.systemd1.NoSuchProcess"
	errUnitBadPath              = "org.freedesktop.systemd1.UnitBadPath"

	errFailed           = "org.freedesktop.DBus.Error.Failed"
	errAccessDenied     = "org.freedesktop.DBus.Error.AccessDenied"
	errInvalidArgs      = "org.freedesktop.DBus.Error.InvalidArgs"
	errUnknownMethod    = "org.freedesktop.DBus.Error.UnknownMethod"
	errUnknownObject    = "org.freedesktop.DBus.Error.UnknownObject"
	errUnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface"
	errUnknownProperty  = "org.freedesktop.DBus.Error.UnknownProperty"
	errPropertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly"
	errNotSupported     = "org.freedesktop.DBus.Error.NotSupported"
	errFileNotFound     = "org.freedesktop.DBus.Error.FileNotFound"
	errFileExists       = "org.freedesktop.DBus.Error.FileExists"
	errTimeout          = "org.freedesktop.DBus.Error.Timeout"
)

// busError is an error reply: a D-Bus error name and a message.
type busError struct {
	name, msg string
}

func (e *busError) Error() string { return e.name + ": " + e.msg }

func newErr(name, format string, args ...any) *busError {
	return &busError{name: name, msg: fmt.Sprintf(format, args...)}
}

// toBusError maps an error of the manager or of install to the reply
// systemd would give. name is the unit concerned, for the messages.
func toBusError(err error, name string) *busError {
	var be *busError
	var ie *install.Error
	switch {
	case errors.As(err, &be):
		return be
	case errors.Is(err, manager.ErrNoSuchUnit):
		return newErr(errNoSuchUnit, "Unit %s not found.", name)
	case errors.Is(err, manager.ErrUnitMasked):
		return newErr(errUnitMasked, "Unit %s is masked.", name)
	case errors.Is(err, manager.ErrBadSetting):
		return newErr(errBadUnitSetting, "Unit %s has a bad unit file setting.", name)
	case errors.Is(err, manager.ErrUnsupported):
		return newErr(errJobTypeNotApplicable, "Job type not applicable for unit %s.", name)
	case errors.Is(err, manager.ErrNoReload):
		return newErr(errJobTypeNotApplicable, "Job type reload is not applicable for unit %s.", name)
	case errors.Is(err, manager.ErrNotActive):
		return newErr(errJobTypeNotApplicable, "Unit %s is not active.", name)
	case errors.Is(err, manager.ErrRefused):
		return newErr(errOnlyByDependency, "Operation refused, unit %s may be requested by dependency only (it is configured to refuse manual start/stop).", name)
	case errors.Is(err, manager.ErrShuttingDown), errors.Is(err, manager.ErrStopped):
		return newErr(errShuttingDown, "Refusing activation, D-Bus is shutting down.")
	case errors.Is(err, manager.ErrStartLimit):
		return newErr(errFailed, "Start request repeated too quickly.")
	case errors.Is(err, manager.ErrNoSuchJob):
		return newErr(errNoSuchJob, "Job %s does not exist.", name)
	case errors.Is(err, context.DeadlineExceeded):
		return newErr(errTimeout, "Timed out.")
	case errors.As(err, &ie):
		return installError(ie)
	}
	return newErr(errFailed, "%v", err)
}

// installError is systemd's install_error (src/core/dbus-manager.c):
// the reply to a failed unit-file operation, by its errno.
func installError(e *install.Error) *busError {
	p, src := e.Path, e.Source
	switch e.Errno {
	case syscall.EEXIST:
		if src != "" {
			return newErr(errUnitExists, "File %s already exists and is a symlink to %s.", p, src)
		}
		return newErr(errUnitExists, "File %s already exists.", p)
	case errnoRFKILL:
		return newErr(errUnitMasked, "Unit file %s is masked.", p)
	case syscall.EADDRNOTAVAIL:
		return newErr(errUnitGenerated, "Unit %s is transient or generated.", p)
	case syscall.ETXTBSY:
		return newErr(errUnitBadPath, "File %s is under the systemd unit hierarchy already.", p)
	case errnoBADSLT:
		return newErr(errBadUnitSetting, "Invalid specifier in %s.", p)
	case syscall.EIDRM:
		return newErr(errBadUnitSetting, "Destination unit %s is a non-template unit.", p)
	case errnoUCLEAN:
		return newErr(errBadUnitSetting, "\"%s\" is not a valid unit name.", p)
	case syscall.ELOOP:
		return newErr(errUnitLinked, "Refusing to operate on alias name or linked unit file: %s", p)
	case syscall.EXDEV:
		if src != "" {
			return newErr(errBadUnitSetting, "Cannot alias %s as %s.", src, p)
		}
		return newErr(errBadUnitSetting, "Invalid unit reference %s.", p)
	case syscall.ENOENT:
		return newErr(errNoSuchUnit, "Unit file %s does not exist.", p)
	case errnoUNATCH:
		return newErr(errBadUnitSetting, "Cannot resolve specifiers in %s.", p)
	}
	return errnoError(e.Errno, "File %s: %s", p, strerror(e.Errno))
}

// Errnos syscall does not name on every architecture.
const (
	errnoRFKILL = syscall.Errno(132)
	errnoBADSLT = syscall.Errno(57)
	errnoUCLEAN = syscall.Errno(117)
	errnoUNATCH = syscall.Errno(49)
)

// errnoError is sd_bus_error_set_errnof: the D-Bus error name of an
// errno (bus-error.c's errno_map, the common ones), with a message.
func errnoError(en syscall.Errno, format string, args ...any) *busError {
	name := errFailed
	switch en {
	case syscall.ENOENT:
		name = errFileNotFound
	case syscall.EEXIST:
		name = errFileExists
	case syscall.EACCES, syscall.EPERM:
		name = errAccessDenied
	case syscall.EINVAL:
		name = errInvalidArgs
	case syscall.ENOMEM:
		name = "org.freedesktop.DBus.Error.NoMemory"
	case syscall.EOPNOTSUPP:
		name = errNotSupported
	case syscall.ETIMEDOUT:
		name = errTimeout
	case syscall.ESRCH:
		name = "org.freedesktop.DBus.Error.UnixProcessIdUnknown"
	}
	return newErr(name, format, args...)
}

// strerror is glibc's message for an errno ("No such file or directory").
func strerror(en syscall.Errno) string {
	s := en.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
