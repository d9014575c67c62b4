package dbus

import (
	"errors"
	"syscall"

	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/internal/unitprops"
)

// The Manager's unit-file methods, backed by package install on the
// configured root: what systemctl enable, disable, mask, is-enabled,
// list-unit-files and set-default call once /run/systemd/system exists.
// Like systemd they only change files; systemctl calls Reload next.

// change is a unit-file change, (sss): its type, the path and the
// symlink's target.
type change struct{ Type, Path, Source string }

func (s *Server) unitFileMethods() []method {
	flags := func(runtime, force bool) install.Flags { return install.Flags{Runtime: runtime, Force: force} }
	ms := []method{
		{name: "ListUnitFiles", out: "a(ss)", fn: func(r *request) (reply, error) { return s.listUnitFiles(nil, nil) }},
		{name: "ListUnitFilesByPatterns", in: "asas", out: "a(ss)", fn: func(r *request) (reply, error) {
			return s.listUnitFiles(r.strs(0), r.strs(1))
		}},
		{name: "GetUnitFileState", in: "s", out: "s", fn: s.getUnitFileState},
		{name: "EnableUnitFiles", in: "asbb", out: "ba(sss)", write: true, fn: func(r *request) (reply, error) {
			list, info, err := s.install.Enable(r.strs(0), flags(r.boolean(1), r.boolean(2)))
			return s.withInfo(r, list, info, err)
		}},
		{name: "EnableUnitFilesWithFlags", in: "ast", out: "ba(sss)", write: true, fn: func(r *request) (reply, error) {
			f := r.body[1].(uint64)
			list, info, err := s.install.Enable(r.strs(0), flags(f&1 != 0, f&2 != 0))
			return s.withInfo(r, list, info, err)
		}},
		{name: "DisableUnitFiles", in: "asb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.Disable(r.strs(0), flags(r.boolean(1), false))
			return s.changes(r, list, err)
		}},
		{name: "DisableUnitFilesWithFlags", in: "ast", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			f := r.body[1].(uint64)
			list, err := s.install.Disable(r.strs(0), flags(f&1 != 0, false))
			return s.changes(r, list, err)
		}},
		{name: "ReenableUnitFiles", in: "asbb", out: "ba(sss)", write: true, fn: func(r *request) (reply, error) {
			list, info, err := s.install.Reenable(r.strs(0), flags(r.boolean(1), r.boolean(2)))
			return s.withInfo(r, list, info, err)
		}},
		{name: "LinkUnitFiles", in: "asbb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.Link(r.strs(0), flags(r.boolean(1), r.boolean(2)))
			return s.changes(r, list, err)
		}},
		{name: "MaskUnitFiles", in: "asbb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.Mask(r.strs(0), flags(r.boolean(1), r.boolean(2)))
			return s.changes(r, list, err)
		}},
		{name: "UnmaskUnitFiles", in: "asb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.Unmask(r.strs(0), flags(r.boolean(1), false))
			return s.changes(r, list, err)
		}},
		{name: "AddDependencyUnitFiles", in: "asssbb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.AddDependency(r.str(1), r.strs(0), install.Dependency(r.str(2)), flags(r.boolean(3), r.boolean(4)))
			return s.changes(r, list, err)
		}},
		{name: "SetDefaultTarget", in: "sb", out: "a(sss)", write: true, fn: func(r *request) (reply, error) {
			list, err := s.install.SetDefault(r.str(0), flags(false, r.boolean(1)))
			return s.changes(r, list, err)
		}},
		{name: "GetDefaultTarget", out: "s", fn: func(r *request) (reply, error) {
			name, err := s.install.GetDefault()
			if err != nil {
				return reply{}, s.installFailure(nil, err)
			}
			return ret("s", name), nil
		}},
	}
	if s.install == nil {
		// No unit-file root: the methods exist, and say they cannot work.
		for i := range ms {
			ms[i].fn = func(*request) (reply, error) {
				return reply{}, newErr(errNotSupported, "pmd manages no unit-file tree (start it with --root, or in system mode on systemd's unit path).")
			}
		}
	}
	return ms
}

// changes answers an operation that returns a change list, and tells
// every client the unit files changed.
func (s *Server) changes(r *request, list []install.Change, err error) (reply, error) {
	if err != nil {
		return reply{}, s.installFailure(list, err)
	}
	r.after = append(r.after, func() { s.broadcast(signalMsg(managerPath, ifaceManager, "UnitFilesChanged", "")) })
	return ret("a(sss)", changeList(list)), nil
}

// withInfo answers enable and reenable: whether the units had [Install]
// rules, and the changes.
func (s *Server) withInfo(r *request, list []install.Change, info bool, err error) (reply, error) {
	if err != nil {
		return reply{}, s.installFailure(list, err)
	}
	r.after = append(r.after, func() { s.broadcast(signalMsg(managerPath, ifaceManager, "UnitFilesChanged", "")) })
	return ret("ba(sss)", info, changeList(list)), nil
}

func changeList(list []install.Change) []change {
	out := []change{}
	for _, c := range list {
		if c.Type == install.Failed {
			continue
		}
		out = append(out, change{c.Type.String(), c.Path, c.Source})
	}
	return out
}

// installFailure is the error reply of a failed operation: the first
// failed change's, as systemd's install_error picks it.
func (s *Server) installFailure(list []install.Change, err error) error {
	for _, c := range list {
		if c.Type == install.Failed && c.Err != nil {
			return installError(c.Err)
		}
	}
	var ie *install.Error
	if errors.As(err, &ie) {
		return installError(ie)
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return errnoError(en, "%s", strerror(en))
	}
	return newErr(errFailed, "%v", err)
}

// unitFile is a ListUnitFiles entry, (ss): the path and its state.
type unitFile struct{ Path, State string }

func (s *Server) listUnitFiles(states, patterns []string) (reply, error) {
	var st []install.State
	for _, x := range states {
		st = append(st, install.State(x))
	}
	files, err := s.install.ListUnitFiles(patterns, st)
	if err != nil {
		return reply{}, s.installFailure(nil, err)
	}
	out := make([]unitFile, 0, len(files))
	for _, f := range files {
		out = append(out, unitFile{f.Path, string(f.State)})
	}
	return ret("a(ss)", out), nil
}

func (s *Server) getUnitFileState(r *request) (reply, error) {
	name := r.str(0)
	state, err := s.install.IsEnabled(name)
	if err == nil {
		return ret("s", string(state)), nil
	}
	if st := s.m.Snapshot().Unit(name); st != nil {
		if alt := unitprops.NonFileState(st); alt != "" {
			return ret("s", alt), nil
		}
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return reply{}, errnoError(en, "%s", strerror(en))
	}
	return reply{}, newErr(errFailed, "%v", err)
}
