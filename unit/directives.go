package unit

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Support says what pm does with a directive.
type Support int

const (
	// Enforced directives are parsed into the model and acted on.
	Enforced Support = iota
	// Later directives are parsed into the model and will be acted on by a
	// part of pm that is not there yet (its Note says which).
	Later
	// Ignored directives are recognised and kept in Unit.Ignored, but pm
	// does not act on them (its Note says why).
	Ignored
)

func (s Support) String() string {
	switch s {
	case Enforced:
		return "enforced"
	case Later:
		return "later"
	case Ignored:
		return "ignored"
	}
	return fmt.Sprintf("support(%d)", int(s))
}

// Directive describes one directive pm recognises.
type Directive struct {
	Section string
	Key     string
	Support Support
	// Note says why a directive is ignored, what enforces it later, or
	// how pm departs from systemd.
	Note string
	// Alias names the directive this one is an old spelling of.
	Alias string

	set setter
}

// setter applies one option to the unit being built. A returned error is
// reported as a warning and the option is ignored, unless it wraps
// ErrUnusable, which makes the unit unusable.
type setter func(b *builder, o Option) error

type sectionKey struct{ section, key string }

// table maps (section, key) to its directive. It is built once and only read.
var table = buildTable()

// Directives returns every directive pm recognises, sorted by section and
// key. It is what docs/directives.md is generated from.
func Directives() []Directive {
	out := make([]Directive, 0, len(table))
	for _, d := range table {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Section != out[j].Section {
			return sectionOrder(out[i].Section) < sectionOrder(out[j].Section)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// LookupDirective returns the directive for section and key.
func LookupDirective(section, key string) (Directive, bool) {
	d, ok := table[sectionKey{section, key}]
	if !ok {
		return Directive{}, false
	}
	return *d, true
}

func sectionOrder(s string) int {
	for i, n := range []string{SectionUnit, SectionService, SectionSocket, SectionTimer, SectionInstall, SectionHealth, SectionResources, SectionPM} {
		if n == s {
			return i
		}
	}
	return 100
}

// tableBuilder collects directives while the table is built.
type tableBuilder map[sectionKey]*Directive

func (t tableBuilder) add(section, key string, sup Support, note string, set setter) {
	k := sectionKey{section, key}
	if _, dup := t[k]; dup {
		panic("unit: duplicate directive " + section + "." + key) // programming error in the table
	}
	t[k] = &Directive{Section: section, Key: key, Support: sup, Note: note, set: set}
}

// enforced, later and ignored register directives with their support level.
func (t tableBuilder) enforced(section, key string, set setter) {
	t.add(section, key, Enforced, "", set)
}

func (t tableBuilder) later(section, key, note string, set setter) {
	t.add(section, key, Later, note, set)
}

// ignored registers directives that are kept in Unit.Ignored.
func (t tableBuilder) ignored(section, note string, keys ...string) {
	for _, k := range keys {
		t.add(section, k, Ignored, note, nil)
	}
}

// alias registers an old spelling of a directive in the same section.
func (t tableBuilder) alias(section, old, current string) {
	d, ok := t[sectionKey{section, current}]
	if !ok {
		panic("unit: alias of unknown directive " + section + "." + current)
	}
	c := *d
	c.Key = old
	c.Alias = current
	t[sectionKey{section, old}] = &c
}

func buildTable() map[sectionKey]*Directive {
	t := tableBuilder{}
	addUnitDirectives(t)
	addInstallDirectives(t)
	addServiceDirectives(t)
	for _, s := range []string{SectionService, SectionSocket} {
		addExecDirectives(t, s)
		addKillDirectives(t, s)
		addResourceDirectives(t, s)
	}
	addSocketDirectives(t)
	addTimerDirectives(t)
	addPMDirectives(t)
	return t
}

// sectionsFor lists the sections a unit of type ty may have.
func sectionsFor(ty Type) []string {
	switch ty {
	case TypeService:
		return []string{SectionUnit, SectionService, SectionInstall}
	case TypeSocket:
		return []string{SectionUnit, SectionSocket, SectionInstall}
	case TypeTimer:
		return []string{SectionUnit, SectionTimer, SectionInstall}
	}
	return []string{SectionUnit, SectionInstall}
}

// typeSection is the section of unit types pm does not run ("Mount" for
// mounts), which it accepts without parsing.
func typeSection(ty Type) string {
	if ty == "" {
		return ""
	}
	return strings.ToUpper(string(ty[:1])) + string(ty[1:])
}

// badValue builds the error of a value a directive cannot use.
func badValue(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadValue, fmt.Sprintf(format, args...))
}

// unusable builds an error that makes the unit unusable.
func unusable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnusable, fmt.Sprintf(format, args...))
}

func isUnusable(err error) bool { return errors.Is(err, ErrUnusable) }
