package manager

import (
	"context"
	"os"
	"time"

	"github.com/pm-project/pm/unit"
)

// evReloaded carries the units loaded again for daemon-reload.
type evReloaded struct {
	set   *unit.Set
	diags unit.Diagnostics
	done  chan error
}

// DaemonReload reads every unit file and YAML file again, as systemctl
// daemon-reload does, without restarting anything: changed settings apply
// the next time a unit starts (a running service's settings change under
// it, as in systemd); a unit whose files vanished stays loaded while it
// runs. Loading happens off the loop. It returns the problems found.
func (m *Manager) DaemonReload(ctx context.Context) (unit.Diagnostics, error) {
	l := m.loader()
	set, diags := l.LoadAll()
	done := make(chan error, 1)
	select {
	case m.events <- evReloaded{set: set, diags: diags, done: done}:
	case <-m.stopped:
		return diags, ErrStopped
	case <-ctx.Done():
		return diags, ctx.Err()
	}
	select {
	case err := <-done:
		return diags, err
	case <-m.stopped:
		return diags, ErrStopped
	case <-ctx.Done():
		return diags, ctx.Err()
	}
}

// reloaded swaps the units' settings for the new ones and links the
// dependencies again.
func (l *loop) reloaded(ev evReloaded) {
	l.m.initial = ev.set
	l.m.diags.Store(&ev.diags)
	old := map[*unitRec]bool{}
	for n, rec := range l.units {
		if n == rec.name {
			old[rec] = true
		}
	}
	for rec := range old {
		rec.deps = deps{}
	}
	seen := map[*unitRec]bool{}
	for name, u := range ev.set.Units {
		if name != u.Name {
			continue
		}
		rec, ok := l.units[u.Name]
		if !ok {
			l.addUnit(u)
			continue
		}
		seen[rec] = true
		rec.reconfigure(u)
		for _, n := range u.Names {
			l.units[n] = rec
		}
		l.dirty[rec] = true
	}
	for rec := range old {
		if seen[rec] {
			continue
		}
		st := rec.activeState()
		if rec.u.FragmentPath == "" || rec.job != nil || (st != Inactive && st != Failed) {
			// Built-in units stay; units that run keep their settings
			// until they stop.
			continue
		}
		for _, n := range rec.names {
			if l.units[n] == rec {
				delete(l.units, n)
				l.removed = append(l.removed, n)
			}
		}
	}
	l.linkAll()
	l.reloadedAt = time.Now()
	ev.done <- nil
}

// reconfigure gives a unit its newly loaded settings, keeping its state.
func (r *unitRec) reconfigure(u *unit.Unit) {
	r.u = u
	r.names = u.Names
	if len(r.names) == 0 {
		r.names = []string{u.Name}
	}
	r.startLimit.interval, r.startLimit.burst = u.StartLimitIntervalSec.Std(), u.StartLimitBurst
	r.files = fingerprint(u)
	r.uuid = unitUUID(u)
	switch {
	case r.svc != nil && u.Service != nil:
		r.svc.u, r.svc.cfg = u, u.Service
	case r.svc == nil && u.Service != nil && u.LoadState == unit.LoadLoaded:
		r.svc = newSvc(u, r)
	}
}

// fileStamp is what a unit file looked like when it was loaded.
type fileStamp struct {
	path  string
	mtime time.Time
	size  int64
}

// fingerprint records the unit's files, for NeedDaemonReload.
func fingerprint(u *unit.Unit) []fileStamp {
	var out []fileStamp
	add := func(p string) {
		if p == "" {
			return
		}
		fs := fileStamp{path: p}
		if st, err := os.Stat(p); err == nil {
			fs.mtime, fs.size = st.ModTime(), st.Size()
		}
		out = append(out, fs)
	}
	add(u.FragmentPath)
	if u.SourcePath != u.FragmentPath {
		add(u.SourcePath)
	}
	for _, d := range u.DropInPaths {
		add(d)
	}
	return out
}

// changedOnDisk reports whether a unit's files changed since they were
// loaded (systemd's NeedDaemonReload).
func changedOnDisk(files []fileStamp) bool {
	for _, f := range files {
		st, err := os.Stat(f.path)
		if err != nil {
			if !f.mtime.IsZero() {
				return true
			}
			continue
		}
		if !st.ModTime().Equal(f.mtime) || st.Size() != f.size {
			return true
		}
	}
	return false
}
