package manager

import (
	"github.com/pm-project/pm/unit"
)

// ref returns the record of a unit another unit refers to, loading it if
// needed. A unit without a file (and without a built-in definition) gets
// a record with LoadState not-found, so that ordering and requirement
// dependencies on it behave as in systemd.
func (l *loop) ref(name string) *unitRec {
	if rec, ok := l.units[name]; ok {
		return rec
	}
	if target, ok := builtinAliases[name]; ok {
		rec := l.ref(target)
		if rec.u.LoadState == unit.LoadLoaded && rec.u.FragmentPath == "" {
			// A built-in alias: record the name.
			rec.names = append(rec.names, name)
			l.units[name] = rec
			l.dirty[rec] = true
			return rec
		}
	}
	var u *unit.Unit
	if set := l.m.initial; set != nil {
		u, _ = set.Load(name)
	}
	if u == nil || u.LoadState == unit.LoadNotFound {
		if b := builtinUnit(name, l.m.cfg.Host); b != nil {
			u = b
		}
	}
	if u == nil {
		n, _ := unit.ParseName(name)
		u = &unit.Unit{Name: name, Type: n.Type, Names: []string{name}, LoadState: unit.LoadNotFound,
			LoadError: "Unit " + name + " not found.", DefaultDependencies: true}
	}
	rec := l.addUnit(u)
	l.linkDeps(rec)
	return rec
}

// linkDeps records the dependencies of a unit: those its settings name,
// the implicit ones of its type, and the default ones
// (DefaultDependencies=yes).
func (l *loop) linkDeps(rec *unitRec) {
	u := rec.u
	if u.LoadState != unit.LoadLoaded {
		return
	}
	for _, d := range fileDeps(u) {
		for _, n := range d.names {
			addDep(rec, d.kind, l.ref(n))
		}
	}
	if u.AutoStart {
		addDep(l.ref("default.target"), depWants, rec)
	}
	// Implicit dependencies of sockets and timers on what they trigger.
	switch {
	case u.Socket != nil && u.Socket.Service != "":
		svc := l.ref(u.Socket.Service)
		addDep(rec, depBefore, svc)
		addDep(rec, depTriggers, svc)
	case u.Timer != nil && u.Timer.Unit != "":
		t := l.ref(u.Timer.Unit)
		addDep(rec, depBefore, t)
		addDep(rec, depTriggers, t)
	case u.Service != nil:
		for _, s := range u.Service.Sockets {
			so := l.ref(s)
			addDep(rec, depWants, so)
			addDep(rec, depAfter, so)
		}
	}
	if !u.DefaultDependencies {
		return
	}
	sysinit := func() {
		if l.m.cfg.System {
			addDep(rec, depAfter, l.ref("sysinit.target"))
			addDep(rec, depRequires, l.ref("sysinit.target"))
		}
	}
	shutdown := func() {
		addDep(rec, depBefore, l.ref("shutdown.target"))
		addDep(rec, depConflicts, l.ref("shutdown.target"))
	}
	switch u.Type {
	case unit.TypeService:
		if l.m.cfg.System {
			sysinit()
		} else {
			addDep(rec, depRequires, l.ref("basic.target"))
		}
		addDep(rec, depAfter, l.ref("basic.target"))
		shutdown()
	case unit.TypeSocket:
		addDep(rec, depBefore, l.ref("sockets.target"))
		sysinit()
		shutdown()
	case unit.TypeTimer:
		addDep(rec, depBefore, l.ref("timers.target"))
		sysinit()
		if len(u.Timer.OnCalendar) > 0 {
			addDep(rec, depAfter, l.ref("time-sync.target"))
			addDep(rec, depAfter, l.ref("time-set.target"))
		}
		shutdown()
	case unit.TypeTarget:
		l.targetDefaultDeps(rec)
		if rec.name != "shutdown.target" {
			shutdown()
		}
	}
}

// targetDefaultDeps orders a target after the units it pulls in
// (systemd's unit_add_default_target_dependency), unless that would make
// a loop or either side has DefaultDependencies=no.
func (l *loop) targetDefaultDeps(t *unitRec) {
	t.withAtom(atomAddDefaultTargetDependencyQueue, func(o *unitRec) {
		if o.u.LoadState != unit.LoadLoaded || !o.u.DefaultDependencies || hasDep(t, depBefore, o) {
			return
		}
		addDep(t, depAfter, o)
	})
}

// linkAll records the dependencies of every loaded unit, then orders the
// targets after what they pull in (which needs every unit's file
// dependencies first).
func (l *loop) linkAll() {
	var recs []*unitRec
	for n, rec := range l.units {
		if n == rec.name {
			recs = append(recs, rec)
		}
	}
	for _, rec := range recs {
		l.linkDeps(rec)
	}
	for n, rec := range l.units {
		if n == rec.name && rec.u.Type == unit.TypeTarget && rec.u.LoadState == unit.LoadLoaded && rec.u.DefaultDependencies {
			l.targetDefaultDeps(rec)
		}
	}
}
