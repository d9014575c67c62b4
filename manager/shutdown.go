package manager

import (
	"context"

	"github.com/pm-project/pm/unit"
)

// Shutdown stops every unit and returns once all of them are down or ctx
// is done. New starts are refused from then on. The loop keeps running
// (cancel Run's context afterwards).
func (m *Manager) Shutdown(ctx context.Context) error {
	m.stopping.Store(true)
	events, cancel := m.Subscribe()
	defer cancel()
	err := m.call(ctx, func(l *loop) error {
		l.shutdown = true
		// Stop jobs for everything that runs: they run in reverse order
		// of After=/Before=.
		for n, rec := range l.units {
			if n != rec.name {
				continue
			}
			if st := rec.activeState(); st == Inactive || st == Failed {
				continue
			}
			rec.manualStop = true
			if rec.svc != nil {
				rec.svc.forbidRestart = true
			}
			if _, err := l.enqueue(JobStop, rec, unit.JobReplace, false); err != nil {
				l.log.Warn("cannot stop unit", "unit", rec.name, "err", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for {
		if m.allDown() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case _, ok := <-events:
			if !ok {
				return ErrStopped
			}
		}
	}
}

// allDown reports whether no unit has a process or is going down.
func (m *Manager) allDown() bool {
	for _, st := range m.Snapshot().All() {
		switch st.ActiveState {
		case Inactive, Failed:
		default:
			return false
		}
	}
	return true
}

// KillAll sends sig to every process of every unit, for an exit that does
// not wait for the units to stop.
func (m *Manager) KillAll(ctx context.Context, sig int) {
	m.stopping.Store(true)
	_ = m.call(ctx, func(l *loop) error {
		l.shutdown = true
		for n, rec := range l.units {
			if n != rec.name || rec.svc == nil {
				continue
			}
			rec.svc.forbidRestart = true
			for sid := range rec.sessions {
				_ = killAndCont(-sid, sig)
			}
			for pid := range rec.members {
				_ = killAndCont(pid, sig)
			}
		}
		return nil
	})
}
