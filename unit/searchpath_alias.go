package unit

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
)

// errSelfAlias marks a symlink to a file of its own name elsewhere in the
// search path, which systemd ignores without a word.
var errSelfAlias = errors.New("unit self-alias")

// validateAlias applies systemd's rules for alias symlinks
// (unit_validate_alias_symlink_or_warn): only services, sockets, targets,
// devices, timers and paths may have aliases, and all of them but devices
// may be templated; a plain name aliases a plain name, a template a
// template, and an instance an instance with the same instance or a
// template; the types must match.
func validateAlias(src, dst string) error {
	sn, err := ParseName(src)
	if err != nil {
		return err
	}
	if !mayAlias(sn.Type) {
		return badAlias("symlinks are not allowed for units of type %s, rejecting", sn.Type)
	}
	if sn.Templated && !mayTemplate(sn.Type) {
		return badAlias("templates not allowed for %s units, rejecting", sn.Type)
	}
	if src == dst {
		return errSelfAlias
	}
	dn, err := ParseName(dst)
	if err != nil {
		return badAlias("points to %q, which is not a valid unit name, rejecting", dst)
	}
	if nameKind(sn) != nameKind(dn) && !(sn.IsInstance() && dn.IsTemplate()) {
		return badAlias("symlink target name type %q does not match source, rejecting", dst)
	}
	if dn.IsInstance() && dn.Instance != sn.Instance {
		return badAlias("unit symlink target %q instance name doesn't match, rejecting", dst)
	}
	if dn.Type != sn.Type {
		return badAlias("symlink target %q has incompatible suffix, rejecting", dst)
	}
	return nil
}

// aliasError is a rejected alias symlink; it wraps ErrBadName without
// repeating its text.
type aliasError struct{ msg string }

func (e *aliasError) Error() string { return e.msg }
func (e *aliasError) Unwrap() error { return ErrBadName }

func badAlias(format string, args ...any) error {
	return &aliasError{msg: fmt.Sprintf(format, args...)}
}

// nameKind is 0 for plain names, 1 for templates and 2 for instances.
func nameKind(n Name) int {
	switch {
	case n.IsInstance():
		return 2
	case n.IsTemplate():
		return 1
	}
	return 0
}

// mayAlias and mayTemplate are systemd's unit_type_may_alias and
// unit_type_may_template.
func mayAlias(t Type) bool {
	switch t {
	case TypeService, TypeSocket, TypeTarget, TypeDevice, TypeTimer, TypePath:
		return true
	}
	return false
}

func mayTemplate(t Type) bool {
	switch t {
	case TypeService, TypeSocket, TypeTarget, TypeTimer, TypePath:
		return true
	}
	return false
}

// resolve follows aliases from name to a fragment path, as systemd's
// unit_ids_map_get: an alias to an instance that has no file of its own
// falls back to the instance's template.
func (x *Index) resolve(name string) (string, error) {
	id := ""
	for range aliasFollowMax {
		key := name
		if id != "" {
			key = id
		}
		t, ok := x.ids[key]
		if !ok {
			if id == "" {
				return "", errNoEntry
			}
			n, err := ParseName(id)
			if err != nil || !n.Templated {
				return "", errDangling
			}
			if t, ok = x.ids[n.TemplateName()]; !ok {
				return "", errDangling
			}
		}
		if filepath.IsAbs(t) {
			return t, nil
		}
		id = t
	}
	return "", errAliasLoop
}

// buildAliases fills x.aliases from x.ids: every name is recorded under
// the unit it finally leads to. Masks and names that lead nowhere have no
// aliases. An instance name leading to a template is an alias of the
// template's instance of the same name.
func (x *Index) buildAliases() {
	type group struct {
		dst  string // the fragment path
		srcs []string
	}
	groups := map[string]*group{}
	for src := range x.ids {
		dst, err := x.resolve(src)
		if err != nil {
			continue
		}
		d := filepath.Base(dst)
		if dn, err := ParseName(d); err == nil && dn.IsTemplate() {
			if sn, err := ParseName(src); err == nil && sn.IsInstance() {
				if d = dn.WithInstance(sn.Instance); d == "" {
					continue
				}
			}
		}
		g := groups[d]
		if g == nil {
			g = &group{dst: dst}
			groups[d] = g
		}
		g.srcs = append(g.srcs, src)
	}
	masked := map[string]bool{}
	for d, g := range groups {
		// A name that is only its own alias adds nothing whether or not
		// it is masked, so only real aliases cost a stat.
		if len(g.srcs) > 1 || g.srcs[0] != d {
			m, ok := masked[g.dst]
			if !ok {
				var known bool
				m, known = isMask(g.dst)
				m = m || !known
				masked[g.dst] = m
			}
			if m {
				continue
			}
		}
		sort.Strings(g.srcs)
		x.aliases[d] = g.srcs
	}
}
