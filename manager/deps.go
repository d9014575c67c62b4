package manager

import (
	"github.com/pm-project/pm/unit"
)

// depKind is a dependency type between two units, systemd's
// UnitDependency. Every kind has an inverse, kept on the other unit.
type depKind int

const (
	depRequires depKind = iota
	depRequisite
	depWants
	depBindsTo
	depPartOf
	depUpholds
	depRequiredBy
	depRequisiteOf
	depWantedBy
	depBoundBy
	depUpheldBy
	depConsistsOf
	depConflicts
	depConflictedBy
	depPropagatesStopTo
	depStopPropagatedFrom
	depOnFailure
	depOnSuccess
	depOnFailureOf
	depOnSuccessOf
	depBefore
	depAfter
	depPropagatesReloadTo
	depReloadPropagatedFrom
	depTriggers
	depTriggeredBy
	numDepKinds
)

var depNames = [numDepKinds]string{
	"Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds", "RequiredBy", "RequisiteOf",
	"WantedBy", "BoundBy", "UpheldBy", "ConsistsOf", "Conflicts", "ConflictedBy", "PropagatesStopTo",
	"StopPropagatedFrom", "OnFailure", "OnSuccess", "OnFailureOf", "OnSuccessOf", "Before", "After",
	"PropagatesReloadTo", "ReloadPropagatedFrom", "Triggers", "TriggeredBy",
}

func (k depKind) String() string { return depNames[k] }

// inverse is the kind recorded on the other unit.
func (k depKind) inverse() depKind {
	switch k {
	case depRequires:
		return depRequiredBy
	case depRequisite:
		return depRequisiteOf
	case depWants:
		return depWantedBy
	case depBindsTo:
		return depBoundBy
	case depPartOf:
		return depConsistsOf
	case depUpholds:
		return depUpheldBy
	case depRequiredBy:
		return depRequires
	case depRequisiteOf:
		return depRequisite
	case depWantedBy:
		return depWants
	case depBoundBy:
		return depBindsTo
	case depUpheldBy:
		return depUpholds
	case depConsistsOf:
		return depPartOf
	case depConflicts:
		return depConflictedBy
	case depConflictedBy:
		return depConflicts
	case depPropagatesStopTo:
		return depStopPropagatedFrom
	case depStopPropagatedFrom:
		return depPropagatesStopTo
	case depOnFailure:
		return depOnFailureOf
	case depOnSuccess:
		return depOnSuccessOf
	case depOnFailureOf:
		return depOnFailure
	case depOnSuccessOf:
		return depOnSuccess
	case depBefore:
		return depAfter
	case depAfter:
		return depBefore
	case depPropagatesReloadTo:
		return depReloadPropagatedFrom
	case depReloadPropagatedFrom:
		return depPropagatesReloadTo
	case depTriggers:
		return depTriggeredBy
	}
	return depTriggers
}

// atom is a facet of dependency behaviour (systemd's UnitDependencyAtom);
// the engine acts on atoms, never on kinds.
type atom uint32

const (
	atomPullInStart atom = 1 << iota
	atomPullInStartIgnored
	atomPullInVerify
	atomPullInStop
	atomPullInStopIgnored
	atomPropagateStop
	atomPropagateRestart
	atomPropagateStartFailure
	atomPropagateStopFailure
	atomPropagateInactiveStartAsFailure
	atomRetroactiveStartReplace
	atomRetroactiveStartFail
	atomRetroactiveStopOnStart
	atomRetroactiveStopOnStop
	atomCannotBeActiveWithout
	atomPinsStopWhenUnneeded
	atomStartSteadily
	atomOnFailure
	atomOnSuccess
	atomBefore
	atomAfter
	atomPropagatesReloadTo
	atomDefaultTargetDependencies
	atomAddDefaultTargetDependencyQueue
)

// atoms is systemd 252's table of the atoms of each dependency kind
// (src/core/unit-dependency-atom.c).
var atoms = [numDepKinds]atom{
	depRequires:   atomPullInStart | atomRetroactiveStartReplace | atomAddDefaultTargetDependencyQueue,
	depRequisite:  atomPullInVerify | atomAddDefaultTargetDependencyQueue,
	depWants:      atomPullInStartIgnored | atomRetroactiveStartFail | atomAddDefaultTargetDependencyQueue,
	depBindsTo:    atomPullInStart | atomRetroactiveStartReplace | atomCannotBeActiveWithout | atomAddDefaultTargetDependencyQueue,
	depPartOf:     atomAddDefaultTargetDependencyQueue,
	depUpholds:    atomPullInStartIgnored | atomRetroactiveStartReplace | atomAddDefaultTargetDependencyQueue,
	depRequiredBy: atomPropagateStop | atomPropagateRestart | atomPropagateStartFailure | atomPinsStopWhenUnneeded | atomDefaultTargetDependencies,
	depRequisiteOf: atomPropagateStop | atomPropagateRestart | atomPropagateStartFailure |
		atomPropagateInactiveStartAsFailure | atomPinsStopWhenUnneeded | atomDefaultTargetDependencies,
	depWantedBy:           atomDefaultTargetDependencies | atomPinsStopWhenUnneeded,
	depBoundBy:            atomRetroactiveStopOnStop | atomPropagateStop | atomPropagateRestart | atomPropagateStartFailure | atomPinsStopWhenUnneeded | atomDefaultTargetDependencies,
	depUpheldBy:           atomStartSteadily | atomDefaultTargetDependencies | atomPinsStopWhenUnneeded,
	depConsistsOf:         atomPropagateStop | atomPropagateRestart,
	depConflicts:          atomPullInStop | atomRetroactiveStopOnStart,
	depConflictedBy:       atomPullInStopIgnored | atomRetroactiveStopOnStart | atomPropagateStopFailure,
	depPropagatesStopTo:   atomRetroactiveStopOnStop | atomPropagateStop,
	depOnFailure:          atomOnFailure,
	depOnSuccess:          atomOnSuccess,
	depBefore:             atomBefore,
	depAfter:              atomAfter,
	depPropagatesReloadTo: atomPropagatesReloadTo,
}

// deps are the dependencies of one unit, by kind.
type deps [numDepKinds]map[*unitRec]struct{}

// addDep records "a kind b" and its inverse on b.
func addDep(a *unitRec, kind depKind, b *unitRec) {
	if a == b {
		return
	}
	put := func(r *unitRec, k depKind, o *unitRec) {
		if r.deps[k] == nil {
			r.deps[k] = map[*unitRec]struct{}{}
		}
		r.deps[k][o] = struct{}{}
	}
	put(a, kind, b)
	put(b, kind.inverse(), a)
}

// hasDep reports whether a has a dependency of kind on b.
func hasDep(a *unitRec, kind depKind, b *unitRec) bool {
	_, ok := a.deps[kind][b]
	return ok
}

// withAtom calls f for every unit a has a dependency with one of the atoms
// on, once each.
func (a *unitRec) withAtom(at atom, f func(o *unitRec)) {
	seen := map[*unitRec]bool{}
	for k := depKind(0); k < numDepKinds; k++ {
		if atoms[k]&at == 0 {
			continue
		}
		for o := range a.deps[k] {
			if !seen[o] {
				seen[o] = true
				f(o)
			}
		}
	}
}

// fileDeps lists the dependencies a unit's settings name.
func fileDeps(u *unit.Unit) []struct {
	kind  depKind
	names []string
} {
	return []struct {
		kind  depKind
		names []string
	}{
		{depRequires, u.Requires}, {depRequisite, u.Requisite}, {depWants, u.Wants},
		{depBindsTo, u.BindsTo}, {depPartOf, u.PartOf}, {depUpholds, u.Upholds},
		{depConflicts, u.Conflicts}, {depBefore, u.Before}, {depAfter, u.After},
		{depOnFailure, u.OnFailure}, {depOnSuccess, u.OnSuccess},
		{depPropagatesReloadTo, u.PropagatesReloadTo}, {depReloadPropagatedFrom, u.ReloadPropagatedFrom},
		{depPropagatesStopTo, u.PropagatesStopTo}, {depStopPropagatedFrom, u.StopPropagatedFrom},
	}
}
