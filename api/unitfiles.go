package api

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/unit"
)

// Enable creates the symlinks of the units' [Install] sections.
func (s *Server) Enable(ctx context.Context, r *pmv1.UnitFilesRequest) (*pmv1.UnitFilesResponse, error) {
	return s.unitFilesOp("enable", r, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		return l.Enable(names, f)
	})
}

// Disable removes them.
func (s *Server) Disable(ctx context.Context, r *pmv1.UnitFilesRequest) (*pmv1.UnitFilesResponse, error) {
	return s.unitFilesOp("disable", r, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		c, err := l.Disable(names, f)
		return c, true, err
	})
}

// Reenable disables and enables again.
func (s *Server) Reenable(ctx context.Context, r *pmv1.UnitFilesRequest) (*pmv1.UnitFilesResponse, error) {
	return s.unitFilesOp("reenable", r, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		return l.Reenable(names, f)
	})
}

// Mask links the units to /dev/null.
func (s *Server) Mask(ctx context.Context, r *pmv1.UnitFilesRequest) (*pmv1.UnitFilesResponse, error) {
	return s.unitFilesOp("mask", r, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		c, err := l.Mask(names, f)
		return c, true, err
	})
}

// Unmask removes the masks.
func (s *Server) Unmask(ctx context.Context, r *pmv1.UnitFilesRequest) (*pmv1.UnitFilesResponse, error) {
	return s.unitFilesOp("unmask", r, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		c, err := l.Unmask(names, f)
		return c, true, err
	})
}

// SetDefault makes default.target lead to a target.
func (s *Server) SetDefault(ctx context.Context, r *pmv1.SetDefaultRequest) (*pmv1.UnitFilesResponse, error) {
	if r.GetUnit() == "" {
		return nil, invalidField("unit", "A target is required.")
	}
	req := &pmv1.UnitFilesRequest{Units: []string{r.GetUnit()}, Force: true}
	return s.unitFilesOp("set default", req, func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error) {
		c, err := l.SetDefault(names[0], f)
		return c, true, err
	})
}

type unitFilesFunc func(l *install.Lookup, names []string, f install.Flags) ([]install.Change, bool, error)

// unitFilesOp runs an [Install] operation. A failure is a status whose
// details carry, beside the ErrorInfo, a UnitFilesResponse with the
// changes made before it.
func (s *Server) unitFilesOp(verb string, r *pmv1.UnitFilesRequest, op unitFilesFunc) (*pmv1.UnitFilesResponse, error) {
	l, err := s.unitFiles()
	if err != nil {
		return nil, err
	}
	if len(r.GetUnits()) == 0 {
		return nil, invalidField("units", "At least one unit is required.")
	}
	var names []string
	for _, n := range r.GetUnits() {
		names = append(names, fileName(n))
	}
	changes, info, err := op(l, names, install.Flags{Runtime: r.GetRuntime(), Force: r.GetForce()})
	resp := &pmv1.UnitFilesResponse{CarriesInstallInfo: info}
	for _, c := range changes {
		resp.Changes = append(resp.Changes, &pmv1.UnitFileChange{
			Type: c.Type.String(), Path: c.Path, Destination: c.Source, Message: c.Message(verb)})
	}
	if err == nil {
		for _, c := range changes {
			if c.Type == install.Failed {
				err = c.Err
				break
			}
		}
	}
	if err != nil {
		msg := strings.Join(install.Messages(verb, changes, err, true), "\n")
		st := installStatus(err, msg)
		if d, derr := st.WithDetails(resp); derr == nil {
			st = d
		}
		return nil, st.Err()
	}
	return resp, nil
}

// fileName is a unit name as a unit file is called: "web" is
// "web.service"; paths (for link) are kept.
func fileName(n string) string {
	if strings.Contains(n, "/") {
		return n
	}
	if name, err := canonicalName(n); err == nil {
		return name
	}
	return n
}

// installStatus maps an install error to a status with msg.
func installStatus(err error, msg string) *status.Status {
	var ie *install.Error
	errno := ""
	if errors.As(err, &ie) {
		errno = ie.Errno.Error()
	}
	switch {
	case errors.Is(err, install.ErrNotFound):
		return newStatus(codes.NotFound, ReasonUnitNotFound, msg, "errno", errno)
	case errors.Is(err, install.ErrBadName), errors.Is(err, install.ErrInvalid):
		return newStatus(codes.InvalidArgument, ReasonInvalidField, msg, "field", "units", "errno", errno)
	case errors.Is(err, install.ErrMasked):
		return newStatus(codes.FailedPrecondition, ReasonUnitMasked, msg, "errno", errno)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EROFS):
		return newStatus(codes.PermissionDenied, ReasonUnitFileError, msg, "errno", errno)
	}
	return newStatus(codes.FailedPrecondition, ReasonUnitFileError, msg, "errno", errno)
}

// IsEnabled returns the unit file state of units. Units created over
// the API or from YAML are enabled when they start at boot.
func (s *Server) IsEnabled(ctx context.Context, r *pmv1.IsEnabledRequest) (*pmv1.IsEnabledResponse, error) {
	if len(r.GetUnits()) == 0 {
		return nil, invalidField("units", "At least one unit is required.")
	}
	resp := &pmv1.IsEnabledResponse{}
	for _, ref := range r.GetUnits() {
		if st, err := s.lookup(ref); err == nil && st.Origin != "file" && st.Origin != "" {
			fs := &pmv1.UnitFileState{Unit: st.Name, State: unitprops.FileState(s.files, st)}
			if st.Config != nil {
				fs.Path = st.Config.FragmentPath
			}
			resp.States = append(resp.States, fs)
			continue
		}
		l, err := s.unitFiles()
		if err != nil {
			return nil, err
		}
		name := fileName(ref)
		state, err := l.IsEnabled(name)
		fs := &pmv1.UnitFileState{Unit: name, State: string(state)}
		switch {
		case errors.Is(err, install.ErrNotFound):
			fs.State = "not-found"
		case err != nil:
			return nil, installStatus(err, strings.TrimSuffix(err.Error(), ".")+".").Err()
		}
		if files, err := l.ListUnitFiles([]string{name}, nil); err == nil && len(files) > 0 {
			fs.Path = files[0].Path
			// pm reads no preset files: systemd's default is enabled.
			fs.Preset = "enabled"
		}
		resp.States = append(resp.States, fs)
	}
	return resp, nil
}

// ListUnitFiles lists the unit files on the search path.
func (s *Server) ListUnitFiles(ctx context.Context, r *pmv1.ListUnitFilesRequest) (*pmv1.ListUnitFilesResponse, error) {
	l, err := s.unitFiles()
	if err != nil {
		return nil, err
	}
	for _, t := range r.GetTypes() {
		if !unit.Type(t).Known() {
			return nil, invalidField("types", "Unknown unit type %q.", t)
		}
	}
	var states []install.State
	for _, st := range r.GetStates() {
		states = append(states, install.State(st))
	}
	files, err := l.ListUnitFiles(r.GetPatterns(), states)
	if err != nil {
		return nil, installStatus(err, "Failed to list unit files: "+err.Error()+".").Err()
	}
	resp := &pmv1.ListUnitFilesResponse{}
	for _, f := range files {
		name := filepath.Base(f.Path)
		if ts := r.GetTypes(); len(ts) > 0 && !contains(ts, name[strings.LastIndexByte(name, '.')+1:]) {
			continue
		}
		resp.Files = append(resp.Files, &pmv1.UnitFileState{Unit: name, Path: f.Path, State: string(f.State)})
	}
	return resp, nil
}

// GetDefault returns the target default.target leads to; without the
// system layout, the unit pmd started at boot.
func (s *Server) GetDefault(ctx context.Context, _ *pmv1.GetDefaultRequest) (*pmv1.GetDefaultResponse, error) {
	if s.files == nil {
		return &pmv1.GetDefaultResponse{Unit: s.opts.DefaultTarget}, nil
	}
	name, err := s.files.GetDefault()
	if err != nil {
		return nil, installStatus(err, "Failed to get default target: "+err.Error()+".").Err()
	}
	return &pmv1.GetDefaultResponse{Unit: name}, nil
}
