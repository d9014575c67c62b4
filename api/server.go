package api

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Options configure a Server.
type Options struct {
	// Root is the root directory of the unit-file operations (Enable,
	// Disable, Mask, …): "/" for the host, a directory for a tree below
	// it, "" when pmd does not run on systemd's directory layout (the
	// unit-file RPCs then fail with FailedPrecondition).
	Root string
	// Version is pmd's version, reported by SystemStatus.
	Version string
	// DefaultTarget is the unit pmd started at boot.
	DefaultTarget string
	// StartedAt is when pmd started.
	StartedAt time.Time
	// UnitPath is pmd's unit search path, for the manager's properties.
	UnitPath []string
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
}

// Server implements pmv1.PMServer on a manager.
type Server struct {
	pmv1.UnimplementedPMServer

	m     *manager.Manager
	opts  Options
	log   *slog.Logger
	files *install.Lookup // nil without Root

	stopOnce sync.Once
	stopping chan struct{} // closed by BeginShutdown
}

// New returns a server for m.
func New(m *manager.Manager, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.DefaultTarget == "" {
		o.DefaultTarget = "default.target"
	}
	if o.StartedAt.IsZero() {
		o.StartedAt = time.Now()
	}
	s := &Server{m: m, opts: o, log: o.Logger, stopping: make(chan struct{})}
	if o.Root != "" {
		l, err := install.New(o.Root)
		if err != nil {
			return nil, fmt.Errorf("unit files below %s: %w", o.Root, err)
		}
		s.files = l
	}
	return s, nil
}

// BeginShutdown makes the server refuse new calls and end its streams
// with Unavailable (reason SHUTTING_DOWN). Calls waiting for a job end
// the same way.
func (s *Server) BeginShutdown() {
	s.stopOnce.Do(func() { close(s.stopping) })
}

// Stopping returns a channel closed by BeginShutdown.
func (s *Server) Stopping() <-chan struct{} { return s.stopping }

func (s *Server) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// canonicalName turns a reference that is not a loaded unit into the unit
// name it means: "web" is "web.service". It fails for names that cannot
// be unit names.
func canonicalName(ref string) (string, error) {
	if ref == "" {
		return "", invalidField("unit", "A unit name or UUID is required.")
	}
	if _, err := unit.ParseName(ref); err == nil {
		return ref, nil
	}
	if !strings.Contains(ref, ".") || !unit.Type(ref[strings.LastIndexByte(ref, '.')+1:]).Known() {
		if _, err := unit.ParseName(ref + ".service"); err == nil {
			return ref + ".service", nil
		}
	}
	return "", invalidField("unit", "Invalid unit name %q.", ref)
}

// lookup finds a loaded unit by reference (name, alias, name without
// ".service", or UUID). It returns NotFound when there is none, and
// InvalidArgument for a reference that cannot name a unit.
func (s *Server) lookup(ref string) (*manager.UnitStatus, error) {
	st, err := s.lookupAny(ref)
	if err != nil {
		return nil, err
	}
	if st.LoadState == unit.LoadNotFound && st.ActiveState == manager.Inactive && st.Job == nil {
		// A name something referred to: the manager keeps a record of it,
		// but there is no such unit.
		return nil, notFound(st.Name)
	}
	return st, nil
}

// lookupAny is lookup that also returns the records of names without a
// unit (LoadState not-found), as systemctl show reports them.
func (s *Server) lookupAny(ref string) (*manager.UnitStatus, error) {
	if ref == "" {
		return nil, invalidField("unit", "A unit name or UUID is required.")
	}
	snap := s.m.Snapshot()
	if st := snap.Resolve(ref); st != nil {
		return st, nil
	}
	if st := snap.Unit(ref); st != nil {
		return st, nil
	}
	name, err := canonicalName(ref)
	if err != nil {
		return nil, err
	}
	if st := snap.Unit(name); st != nil {
		return st, nil
	}
	return nil, notFound(name)
}

// target returns the unit name a job or query on ref is for: the loaded
// unit's name, or the name ref means (the manager may load it from disk).
func (s *Server) target(ref string) (string, *manager.UnitStatus, error) {
	if ref == "" {
		return "", nil, invalidField("unit", "A unit name or UUID is required.")
	}
	snap := s.m.Snapshot()
	if st := snap.Resolve(ref); st != nil {
		return st.Name, st, nil
	}
	if st := snap.Unit(ref); st != nil {
		return st.Name, st, nil
	}
	name, err := canonicalName(ref)
	if err != nil {
		return "", nil, err
	}
	st := snap.Unit(name)
	if st != nil {
		name = st.Name
	}
	return name, st, nil
}

// unitFiles returns the install lookup, or FailedPrecondition when pmd
// runs without systemd's directory layout.
func (s *Server) unitFiles() (*install.Lookup, error) {
	if s.files == nil {
		return nil, errStatus(codes.FailedPrecondition, ReasonUnitFilesUnavailable,
			"Unit file operations need systemd's directory layout: run pmd as the system manager or with --root DIR.")
	}
	return s.files, nil
}
