package manager

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pm-project/pm/unit"
)

// Config says where a manager finds its units and puts its files. Every
// path is configurable so that tests use temporary directories.
type Config struct {
	// UnitPath is the unit search path, highest precedence first.
	UnitPath []string
	// ConfigDirs are directories of pm YAML files.
	ConfigDirs []string
	// StateDir is pm's state directory: units created over the API are
	// stored in StateDir/units, one YAML file each. "" disables Create.
	StateDir string
	// RuntimeDir is pm's own runtime directory (the notify socket lives
	// there unless NotifySocket is set).
	RuntimeDir string
	// NotifySocket is the path of the sd_notify socket; "" means
	// RuntimeDir/notify.
	NotifySocket string
	// Dirs are the roots of RuntimeDirectory= and friends.
	Dirs DirRoots
	// System is true for the system manager (root's defaults, %u=root).
	System bool
	// Host supplies specifier values; nil reads the running system.
	Host *unit.Host
	// Logger receives pm's log; nil discards it.
	Logger *slog.Logger
	// Output receives the lines services print to the journal (for now
	// pm's own output); nil means os.Stdout.
	Output io.Writer
}

// DirRoots are the directories below which RuntimeDirectory=,
// StateDirectory=, CacheDirectory=, LogsDirectory= and
// ConfigurationDirectory= are created.
type DirRoots struct {
	Runtime, State, Cache, Logs, Configuration string
}

// SystemDirRoots are systemd's roots for the system manager.
var SystemDirRoots = DirRoots{Runtime: "/run", State: "/var/lib", Cache: "/var/cache", Logs: "/var/log", Configuration: "/etc"}

// Manager supervises units. Create it with New, run its loop with Run, and
// drive it with its methods from any goroutine.
type Manager struct {
	cfg    Config
	log    *slog.Logger
	out    *lineWriter
	events chan any
	snap   atomic.Pointer[Snapshot]

	mu      sync.Mutex // guards running
	running bool
	stopped chan struct{} // closed when Run returns
	ready   chan struct{} // closed once the loop published its units

	initial *unit.Set // owned by the loop once it runs
	// diags are the problems of the last load; daemon-reload replaces
	// them from the loop while front doors read them.
	diags   atomic.Pointer[unit.Diagnostics]
	actions chan ActionRequest

	// storeMu serialises Create, Update and Delete: each checks, writes a
	// file and loads it as one step.
	storeMu sync.Mutex
	// stopping is set once Shutdown or KillAll began.
	stopping atomic.Bool
}

// New loads the units of cfg and returns a manager ready to Run.
func New(cfg Config) (*Manager, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Host == nil {
		cfg.Host = unit.ReadHost(cfg.System)
	}
	if cfg.Output == nil {
		cfg.Output = os.Stdout
	}
	if cfg.RuntimeDir == "" {
		return nil, fmt.Errorf("manager: Config.RuntimeDir is required")
	}
	if cfg.NotifySocket == "" {
		cfg.NotifySocket = filepath.Join(cfg.RuntimeDir, "notify")
	}
	if cfg.Dirs == (DirRoots{}) {
		cfg.Dirs = SystemDirRoots
	}
	m := &Manager{
		cfg:     cfg,
		log:     cfg.Logger,
		out:     newLineWriter(cfg.Output),
		events:  make(chan any, 256),
		stopped: make(chan struct{}),
		ready:   make(chan struct{}),
		actions: make(chan ActionRequest, 16),
	}
	m.cleanStore()
	l := m.loader()
	set, diags := l.LoadAll()
	m.initial = set
	m.diags.Store(&diags)
	m.snap.Store(&Snapshot{})
	return m, nil
}

// Ready returns a channel closed once Run has taken the loaded units, so
// that Snapshot shows them.
func (m *Manager) Ready() <-chan struct{} { return m.ready }

// Diagnostics returns the problems found while loading the units.
func (m *Manager) Diagnostics() unit.Diagnostics { return *m.diags.Load() }

// Snapshot returns the state of every unit as of the loop's last step. It
// never blocks and the result is never modified.
func (m *Manager) Snapshot() *Snapshot { return m.snap.Load() }

// post sends an event into the loop; it never blocks the sender for long
// (the channel is buffered, and the loop drains it continuously).
func (m *Manager) post(ev any) {
	select {
	case m.events <- ev:
	case <-m.stopped:
	}
}

// call runs f on the loop and waits for its result.
func (m *Manager) call(ctx context.Context, f func(l *loop) error) error {
	reply := make(chan error, 1)
	req := request{f: f, reply: reply}
	select {
	case m.events <- req:
	case <-m.stopped:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-m.stopped:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

type request struct {
	f     func(l *loop) error
	reply chan error
}

// Enqueue queues a job of type typ for the named unit in mode (systemd's
// job modes: replace, fail, isolate, ignore-dependencies,
// ignore-requirements, replace-irreversibly) and returns it once queued,
// with a channel that receives its result when it ends. A job that the
// transaction found unnecessary is reported done at once.
func (m *Manager) Enqueue(ctx context.Context, name string, typ JobType, mode unit.JobMode) (JobInfo, <-chan JobResult, error) {
	res := make(chan JobResult, 1)
	var info JobInfo
	err := m.call(ctx, func(l *loop) error {
		j, err := l.request(name, typ, mode)
		if err != nil {
			return err
		}
		if j == nil {
			res <- JobDone
			return nil
		}
		j.waiters = append(j.waiters, res)
		info = j.info()
		return nil
	})
	if err != nil {
		return JobInfo{}, nil, err
	}
	return info, res, nil
}

// Start queues a start job in mode replace, as `systemctl --no-block start`
// does. A unit whose conditions fail stays inactive and its job succeeds,
// as in systemd.
func (m *Manager) Start(ctx context.Context, name string) error {
	_, _, err := m.Enqueue(ctx, name, JobStart, unit.JobReplace)
	return err
}

// Stop queues a stop job.
func (m *Manager) Stop(ctx context.Context, name string) error {
	_, _, err := m.Enqueue(ctx, name, JobStop, unit.JobReplace)
	return err
}

// Restart queues a restart job: stop if running, then start.
func (m *Manager) Restart(ctx context.Context, name string) error {
	_, _, err := m.Enqueue(ctx, name, JobRestart, unit.JobReplace)
	return err
}

// Reload queues a reload job (ExecReload=).
func (m *Manager) Reload(ctx context.Context, name string) error {
	_, _, err := m.Enqueue(ctx, name, JobReload, unit.JobReplace)
	return err
}

// Jobs lists the queued jobs.
func (m *Manager) Jobs(ctx context.Context) ([]JobInfo, error) {
	var out []JobInfo
	err := m.call(ctx, func(l *loop) error {
		out = l.jobList()
		return nil
	})
	return out, err
}

// CancelJob cancels a queued job.
func (m *Manager) CancelJob(ctx context.Context, id uint32) error {
	return m.call(ctx, func(l *loop) error { return l.cancelJob(id) })
}

// Kill sends sig to the unit's processes: who is "main", "control" or
// "all" (as systemctl kill --kill-whom).
func (m *Manager) Kill(ctx context.Context, name, who string, sig int) error {
	return m.call(ctx, func(l *loop) error { return l.killByName(name, who, sig) })
}

// ResetFailed resets the failed state and the start rate limit of a unit,
// or of every unit when name is "".
func (m *Manager) ResetFailed(ctx context.Context, name string) error {
	return m.call(ctx, func(l *loop) error { return l.resetFailed(name) })
}

// Subscribe returns a channel of state changes. The channel is closed when
// the manager stops or cancel is called. A subscriber that does not keep
// up loses events (Event.Dropped counts them).
func (m *Manager) Subscribe() (events <-chan Event, cancel func()) {
	ch := make(chan Event, 1024)
	sub := &subscriber{ch: ch}
	err := m.call(context.Background(), func(l *loop) error {
		l.subs[sub] = struct{}{}
		return nil
	})
	if err != nil {
		close(ch)
		return ch, func() {}
	}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			_ = m.call(context.Background(), func(l *loop) error {
				if _, ok := l.subs[sub]; ok {
					delete(l.subs, sub)
					close(sub.ch)
				}
				return nil
			})
		})
	}
}

// Units lists the names of the loaded units, sorted.
func (m *Manager) Units() []string {
	out := m.Snapshot().Names()
	sort.Strings(out)
	return out
}
