package manager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/pm-project/pm/unit"
)

// applyStored loads the stored unit name from path into the loop, or,
// with remove, deletes its file and drops it. Callers hold storeMu.
func (m *Manager) applyStored(ctx context.Context, name, path string, remove *string) error {
	var gone []string
	if remove != nil {
		err := m.call(ctx, func(l *loop) error {
			rec := l.units[name]
			if rec == nil {
				return fmt.Errorf("%w: %s", ErrNoSuchUnit, name)
			}
			if st := rec.activeState(); rec.job != nil || (st != Inactive && st != Failed) {
				return fmt.Errorf("%w: %s is %s", ErrActive, name, st)
			}
			rec.deleting = true
			return nil
		})
		if err != nil {
			return err
		}
		if err := os.Remove(*remove); err != nil && !errors.Is(err, fs.ErrNotExist) {
			_ = m.call(context.Background(), func(l *loop) error {
				if rec := l.units[name]; rec != nil {
					rec.deleting = false
				}
				return nil
			})
			return fmt.Errorf("delete %s: %w", name, err)
		}
		if err := syncDir(filepath.Dir(*remove)); err != nil {
			m.log.Warn("deleted unit file, but syncing its directory failed", "unit", name, "err", err)
		}
		gone = []string{name}
	}
	ld := m.loader()
	x, _ := ld.Scan()
	var units []*unit.Unit
	if remove == nil {
		u, _ := x.Load(name, m.cfg.Host)
		if u == nil || u.SourcePath != path {
			return fmt.Errorf("%w: %s is defined by another file", ErrExists, name)
		}
		units = []*unit.Unit{u}
	}
	// Not ctx: the file is written, so the loop must follow it.
	return m.call(context.Background(), func(l *loop) error {
		l.apply(x, units, gone)
		return nil
	})
}

// apply loads units and drops the units named in gone, as daemon-reload
// does for every unit: states are kept, dependencies linked again. A unit
// to drop that became active meanwhile stays loaded until it stops and the
// next daemon-reload.
func (l *loop) apply(x *unit.Index, units []*unit.Unit, gone []string) {
	set := l.m.initial
	if set == nil {
		set = &unit.Set{Units: map[string]*unit.Unit{}}
		l.m.initial = set
	}
	set.Index = x
	var drop []*unitRec
	for _, n := range gone {
		rec := l.units[n]
		if rec == nil {
			continue
		}
		rec.deleting = false
		if st := rec.activeState(); rec.job != nil || (st != Inactive && st != Failed) {
			continue
		}
		drop = append(drop, rec)
		for _, a := range rec.names {
			delete(set.Units, a)
		}
		delete(set.Units, rec.name)
	}
	for _, u := range units {
		set.Units[u.Name] = u
		for _, a := range u.Names {
			set.Units[a] = u
		}
	}
	for n, rec := range l.units {
		if n == rec.name {
			rec.deps = deps{}
		}
	}
	for _, rec := range drop {
		rec.disarm()
		rec.disarmWatchdog()
		for _, n := range rec.names {
			if l.units[n] == rec {
				delete(l.units, n)
				l.removed = append(l.removed, n)
			}
		}
	}
	for _, u := range units {
		rec, ok := l.units[u.Name]
		if !ok {
			l.addUnit(u)
			continue
		}
		rec.reconfigure(u)
		for _, n := range u.Names {
			l.units[n] = rec
		}
		l.dirty[rec] = true
	}
	l.linkAll()
}

// hotDirectives apply to a running unit at once: the manager reads them
// when it decides (to restart, to time out, to kill, to pull in), not
// when it spawns.
var hotDirectives = map[string][]string{
	unit.SectionService: {"Restart", "RestartSec", "RestartSteps", "RestartMaxDelaySec",
		"RestartPreventExitStatus", "RestartForceExitStatus", "SuccessExitStatus",
		"TimeoutSec", "TimeoutStartSec", "TimeoutStopSec", "TimeoutAbortSec", "RuntimeMaxSec",
		"KillMode", "KillSignal", "FinalKillSignal", "RestartKillSignal", "SendSIGKILL", "SendSIGHUP",
		"WatchdogSignal", "OOMPolicy",
		// Resource control: recorded now, enforced once cgroups land.
		"CPUQuota", "CPUWeight", "MemoryMax", "MemoryHigh", "MemoryLow", "MemoryMin", "TasksMax", "IOWeight"},
	unit.SectionUnit: {"Description", "Documentation", "StartLimitIntervalSec", "StartLimitBurst",
		"StartLimitAction", "FailureAction", "SuccessAction", "JobTimeoutSec", "JobRunningTimeoutSec",
		"JobTimeoutAction", "Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds",
		"Conflicts", "Before", "After", "OnFailure", "OnSuccess", "StopWhenUnneeded",
		"RefuseManualStart", "RefuseManualStop"},
	unit.SectionInstall:   nil, // nil: the whole section
	unit.SectionResources: nil,
	unit.SectionPM:        nil,
	unit.SectionHealth:    nil,
}

func isHot(section, key string) bool {
	keys, ok := hotDirectives[section]
	if !ok {
		return false
	}
	return keys == nil || slices.Contains(keys, key)
}

// diffOptions lists the directives whose values differ between two option
// lists, in the order they first appear, UUID= aside.
func diffOptions(old, cur []unit.Option) []DirectiveChange {
	type key struct{ section, key string }
	values := func(opts []unit.Option) (map[key][]string, []key) {
		m := map[key][]string{}
		var order []key
		for _, o := range opts {
			k := key{o.Section, o.Key}
			if k.section == unit.SectionPM && k.key == "UUID" {
				continue
			}
			if _, ok := m[k]; !ok {
				order = append(order, k)
			}
			m[k] = append(m[k], o.Value)
		}
		return m, order
	}
	ov, order := values(old)
	nv, norder := values(cur)
	for _, k := range norder {
		if _, ok := ov[k]; !ok {
			order = append(order, k)
		}
	}
	var out []DirectiveChange
	for _, k := range order {
		if slices.Equal(ov[k], nv[k]) {
			continue
		}
		out = append(out, DirectiveChange{Section: k.section, Key: k.key, Old: ov[k], New: nv[k], Hot: isHot(k.section, k.key)})
	}
	return out
}
