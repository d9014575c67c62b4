package unit

import (
	"fmt"
	"strings"
)

// File is one source of options for a unit: its fragment, a drop-in, or the
// part of a YAML file that describes it.
type File struct {
	Path    string
	Options []Option
	// DropIn is true for drop-ins (recorded in Unit.DropInPaths).
	DropIn bool
}

// Build makes a unit named name from its files, fragment first and then
// drop-ins in the order they apply. Specifiers are expanded with host (nil
// means an empty Host). The unit's LoadState is "loaded", or "bad-setting"
// when a problem makes it unusable; every problem is in the diagnostics.
func Build(name string, files []File, host *Host) (*Unit, Diagnostics) {
	if host == nil {
		host = &Host{}
	}
	b := &builder{}
	n, err := ParseName(name)
	if err != nil {
		u := &Unit{Name: name, LoadState: LoadError, LoadError: err.Error()}
		pos := Pos{}
		if len(files) > 0 {
			pos.File = files[0].Path
		}
		b.diags.Add(pos, Error, name, err, "%v", err)
		return u, b.diags
	}
	if n.IsTemplate() {
		// systemd loads templates only to instantiate them; verify still
		// checks them, with the empty instance.
		b.template = true
	}
	b.u = newUnit(name, n.Type)
	for _, f := range files {
		if f.DropIn {
			b.u.DropInPaths = append(b.u.DropInPaths, f.Path)
		} else if b.u.FragmentPath == "" {
			b.u.FragmentPath = f.Path
		}
	}
	b.ex = &Expander{Name: name, FragmentPath: b.u.FragmentPath, Host: host}
	for _, f := range files {
		b.file = f.Path
		for _, o := range f.Options {
			b.apply(o)
		}
	}
	b.finish()
	return b.u, b.diags
}

// builder holds the state of one Build call.
type builder struct {
	u        *Unit
	ex       *Expander
	file     string
	diags    Diagnostics
	template bool

	// warnedSections records unknown sections already reported.
	warnedSections map[string]bool
	// set records which directives were given explicitly, for defaults
	// that depend on it (TimeoutStartSec= of oneshot services).
	set map[string]bool
	// broken is set once a problem makes the unit unusable.
	broken bool
}

func (b *builder) warnf(pos Pos, err error, format string, args ...any) {
	b.diags.Add(pos, Warning, b.u.Name, err, format, args...)
}

func (b *builder) noticef(pos Pos, format string, args ...any) {
	b.diags.Add(pos, Notice, b.u.Name, nil, format, args...)
}

func (b *builder) errorf(pos Pos, err error, format string, args ...any) {
	b.diags.Add(pos, Error, b.u.Name, err, format, args...)
	b.broken = true
}

// sectionAllowed reports whether the unit's type has the section.
func (b *builder) sectionAllowed(section string) bool {
	for _, s := range sectionsFor(b.u.Type) {
		if s == section {
			return true
		}
	}
	switch section {
	case SectionPM, SectionResources:
		return true
	case SectionHealth:
		return b.u.Type == TypeService
	}
	return false
}

func (b *builder) apply(o Option) {
	if !b.sectionAllowed(o.Section) {
		b.unknownSection(o)
		return
	}
	d, ok := table[sectionKey{o.Section, o.Key}]
	if !ok {
		if strings.HasPrefix(o.Key, "X-") {
			return
		}
		b.warnf(o.Pos, ErrUnknownKey, "unknown key %q in section [%s], ignoring", o.Key, o.Section)
		return
	}
	if b.set == nil {
		b.set = map[string]bool{}
	}
	key := d.Key
	if d.Alias != "" {
		key = d.Alias
	}
	b.set[o.Section+"."+key] = true
	switch d.Support {
	case Ignored:
		b.u.Ignored = append(b.u.Ignored, IgnoredSetting{Section: o.Section, Key: o.Key, Value: o.Value, Pos: o.Pos, Reason: d.Note})
		b.noticef(o.Pos, "%s= is parsed but not enforced: %s", o.Key, d.Note)
		return
	case Later:
		b.noticef(o.Pos, "%s= is not enforced yet: %s", o.Key, d.Note)
	}
	if d.set == nil {
		return
	}
	if err := d.set(b, o); err != nil {
		msg := strings.TrimSuffix(strings.TrimPrefix(err.Error(), ErrBadValue.Error()+": "), ", ignoring")
		if isUnusable(err) {
			msg = strings.TrimPrefix(msg, ErrUnusable.Error()+": ")
			b.errorf(o.ValuePos, err, "%s=%s: %s", o.Key, o.Value, msg)
			return
		}
		b.warnf(o.ValuePos, err, "%s=%s: %s, ignoring", o.Key, o.Value, msg)
	}
}

func (b *builder) unknownSection(o Option) {
	if b.warnedSections[o.Section] {
		return
	}
	if b.warnedSections == nil {
		b.warnedSections = map[string]bool{}
	}
	b.warnedSections[o.Section] = true
	switch {
	case strings.HasPrefix(o.Section, "X-"):
		// Extension sections are for other programs; systemd ignores them.
	case !b.u.Type.Supported() && o.Section == typeSection(b.u.Type):
		// Reported once by finish.
	default:
		pos := o.SectionPos
		if pos.Line == 0 {
			pos = o.Pos
		}
		b.warnf(pos, ErrUnknownSection, "unknown section [%s] in a %s unit, ignoring", o.Section, b.u.Type)
	}
}

// expand replaces specifiers in s.
func (b *builder) expand(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	r, err := b.ex.Expand(s)
	if err != nil {
		return "", fmt.Errorf("%w: failed to resolve unit specifiers in %q: %w", ErrBadValue, s, err)
	}
	return r, nil
}

// exec, kill and resources return the contexts of the unit's type, nil for
// types without them.
func (b *builder) exec() *ExecContext {
	switch {
	case b.u.Service != nil:
		return &b.u.Service.Exec
	case b.u.Socket != nil:
		return &b.u.Socket.Exec
	}
	return nil
}

func (b *builder) kill() *KillContext {
	switch {
	case b.u.Service != nil:
		return &b.u.Service.Kill
	case b.u.Socket != nil:
		return &b.u.Socket.Kill
	}
	return nil
}

func (b *builder) resources() *Resources {
	switch {
	case b.u.Service != nil:
		return &b.u.Service.Resources
	case b.u.Socket != nil:
		return &b.u.Socket.Resources
	}
	return nil
}
