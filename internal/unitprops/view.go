package unitprops

import (
	"context"
	"time"

	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// UnitView is what the unit properties are read from: a snapshot of one
// unit (or a stand-in for a unit that does not exist), with what costs a
// call to the manager or the file system fetched once, on demand. A view
// serves one call; it is not safe for concurrent use.
type UnitView struct {
	// Status is the unit's snapshot; Config its configuration (never
	// nil: a unit without one gets an empty one).
	Status *manager.UnitStatus
	Config *unit.Unit
	// Clock gives the monotonic readings of the unit's timestamps.
	Clock Clock

	ctx   context.Context
	m     *manager.Manager
	files *install.Lookup

	deps      map[string][]string
	stats     *manager.Stats
	fileState *string
}

// NewUnitView returns the view of st (see NotFound for a unit that is not
// loaded). m answers the dependency and resource queries under ctx; files
// (nil for none) gives the enablement of unit files.
func NewUnitView(ctx context.Context, m *manager.Manager, files *install.Lookup, st *manager.UnitStatus) *UnitView {
	cfg := st.Config
	if cfg == nil {
		cfg = &unit.Unit{Name: st.Name, Type: st.Type}
	}
	return &UnitView{Status: st, Config: cfg, Clock: NewClock(), ctx: ctx, m: m, files: files}
}

// NotFound is the status of a unit that has no unit file: what systemd
// shows for a unit it loaded on lookup and did not find.
func NotFound(name string) *manager.UnitStatus {
	n, _ := unit.ParseName(name)
	return &manager.UnitStatus{
		Name: name, Type: n.Type, Description: name,
		LoadState: unit.LoadNotFound, ActiveState: manager.Inactive, SubState: "dead",
		Result: manager.ResultSuccess,
	}
}

func (v *UnitView) clock() Clock { return v.Clock }

// dep returns the unit's dependencies of one kind (a Unit property name).
func (v *UnitView) dep(kind string) []string {
	if v.deps == nil {
		v.deps = map[string][]string{}
		if v.Status.LoadState != unit.LoadNotFound {
			if d, err := v.m.Dependencies(v.ctx, v.Status.Name); err == nil {
				v.deps = d
			}
		}
	}
	return v.deps[kind]
}

// Stats returns the resource use of the unit's processes (empty when it
// has none or they cannot be read).
func (v *UnitView) Stats() *manager.Stats {
	if v.stats == nil {
		v.stats = &manager.Stats{}
		if v.running() {
			if s, err := v.m.Stats(v.ctx, v.Status.Name); err == nil {
				v.stats = &s
			}
		}
	}
	return v.stats
}

// SetStats gives the view resource use read elsewhere (for many units at
// once), so Stats does not ask again.
func (v *UnitView) SetStats(s manager.Stats) { v.stats = &s }

// running reports whether the unit may have processes.
func (v *UnitView) running() bool {
	switch v.Status.ActiveState {
	case manager.Inactive, manager.Failed:
		return v.Status.MainPID > 0 || v.Status.ControlPID > 0
	}
	return v.Status.Type == unit.TypeService || v.Status.Type == unit.TypeSocket
}

// unitFileState is the UnitFileState property.
func (v *UnitView) unitFileState() string {
	if v.fileState == nil {
		s := FileState(v.files, v.Status)
		v.fileState = &s
	}
	return *v.fileState
}

// unitFilePreset is the UnitFilePreset property. pm reads no preset
// files, so a unit file has systemd's default without them, enabled;
// a unit without a unit file has none.
func (v *UnitView) unitFilePreset() string {
	if v.Status.Origin != "file" || v.unitFileState() == "" {
		return ""
	}
	return "enabled"
}

// FileState is a unit's UnitFileState: what the [Install] logic below the
// root says of its unit file (files nil: nothing), or NonFileState for a
// unit without one.
func FileState(files *install.Lookup, st *manager.UnitStatus) string {
	if alt := NonFileState(st); alt != "" {
		return alt
	}
	if files == nil || st.Config == nil || st.Config.FragmentPath == "" {
		return ""
	}
	state, err := files.IsEnabled(st.Name)
	if err != nil {
		return ""
	}
	return string(state)
}

// NonFileState is the enablement of a unit that has no unit file: a YAML
// or API unit is enabled when it starts at boot, a built-in one static;
// "" for a unit from a unit file.
func NonFileState(st *manager.UnitStatus) string {
	switch st.Origin {
	case "yaml", "api":
		if st.Config != nil && st.Config.AutoStart {
			return "enabled"
		}
		return "disabled"
	case "builtin":
		return "static"
	}
	return ""
}

// ManagerView is what the manager's properties are read from.
type ManagerView struct {
	snap     *manager.Snapshot
	m        *manager.Manager
	started  time.Time
	unitPath []string
	clk      Clock
}

// NewManagerView returns the view of m now; started is when pmd started
// and unitPath its unit search path.
func NewManagerView(m *manager.Manager, started time.Time, unitPath []string) *ManagerView {
	return &ManagerView{snap: m.Snapshot(), m: m, started: started, unitPath: unitPath, clk: NewClock()}
}

func (v *ManagerView) clock() Clock { return v.clk }

// JobView is what a job's properties are read from.
type JobView struct {
	Info manager.JobInfo
}
