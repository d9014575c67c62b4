package unit

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
)

// Sources says which files make up a unit, as systemd 252 finds them on
// the search path before parsing anything.
type Sources struct {
	// Name is the unit's primary name: the name of its fragment (with the
	// instance put in when the fragment is a template), else the name
	// asked for.
	Name string
	// Names are all the unit's names: Name first, then its aliases sorted.
	Names []string
	// FragmentPath is the unit file, as systemd reports it: the path in
	// the search directory (a symlink for linked and masked units, the
	// aliased file for an alias), or "" when there is none.
	FragmentPath string
	// Masked is true when the fragment is a symlink to /dev/null or an
	// empty file.
	Masked bool
	// SourcePath is the YAML file that describes the unit, for units
	// without a unit file of their name (or their template's name).
	SourcePath string
	// DropIns are the "*.conf" drop-ins, in the order they apply.
	DropIns []string
	// Wants and Requires are the units named by the entries of the unit's
	// .wants/ and .requires/ directories, templates instantiated.
	Wants    []string
	Requires []string
	// NotFound is true when the unit has neither fragment nor YAML
	// definition. Units of types that need no fragment (slices, scopes,
	// devices) still load.
	NotFound bool

	name Name
	yaml []Option
	x    *Index
}

// fragmentOptional reports whether units of type t load without a unit
// file, as systemd's slices, scopes and devices do.
func fragmentOptional(t Type) bool {
	return t == TypeSlice || t == TypeScope || t == TypeDevice
}

// checkLoadName validates a name given to load: templates and invalid names
// cannot be loaded (systemd: "Unit name … is missing the instance name.",
// "Unit name … is not valid."). The errors wrap ErrBadName.
func checkLoadName(name string) (Name, error) {
	n, err := ParseName(name)
	if err != nil {
		return Name{}, err
	}
	if n.IsTemplate() {
		return Name{}, fmt.Errorf("%w %q: a template cannot be loaded without an instance name", ErrBadName, name)
	}
	return n, nil
}

// Sources finds the files of the unit called name. It fails (with a nil
// result and an Error diagnostic wrapping [ErrBadName]) for invalid names
// and for templates, which cannot be loaded without an instance.
func (x *Index) Sources(name string) (*Sources, Diagnostics) {
	return x.sources(name, true)
}

// sources is Sources; Masked is only determined if statMask is set (Load
// learns it when it opens the fragment).
func (x *Index) sources(name string, statMask bool) (*Sources, Diagnostics) {
	var diags Diagnostics
	n, err := checkLoadName(name)
	if err != nil {
		diags.Add(Pos{}, Error, name, err, "%v", err)
		return nil, diags
	}
	s := &Sources{Name: name, Names: []string{name}, name: n, x: x}
	frag, names, fromTemplate, err := x.findFragment(n)
	if err != nil {
		// systemd leaves such a unit "not-found" and says why in its log.
		diags.Add(Pos{File: x.entries[name]}, Warning, name, fmt.Errorf("%w: %w", ErrNotFound, err), "cannot load unit %s: %v", name, err)
		s.NotFound = true
		return s, diags
	}
	if y, ok := x.yaml[name]; ok && (frag == "" || fromTemplate) {
		// A YAML unit of this very name beats the template's unit file.
		frag, names = "", []string{name}
		s.SourcePath, s.yaml = y.file, y.opts
	} else if frag == "" && n.IsInstance() {
		if y, ok := x.yaml[n.TemplateName()]; ok {
			s.SourcePath, s.yaml = y.file, y.opts
		}
	}
	s.FragmentPath = frag
	s.setNames(n, frag, names)
	if frag != "" && statMask {
		s.Masked, _ = isMask(frag)
	}
	if frag == "" && s.SourcePath == "" && !fragmentOptional(n.Type) {
		s.NotFound = true
		return s, diags
	}
	primary, _ := ParseName(s.Name)
	s.name = primary
	chains := dropInChains(s.Names)
	s.Wants = x.dependencies(primary, chains, ".wants", &diags)
	s.Requires = x.dependencies(primary, chains, ".requires", &diags)
	s.DropIns = x.dropIns(s.Name, chains, primary.Type, &diags)
	return s, diags
}

// findFragment finds the fragment of the unit n and collects its names, as
// systemd's unit_file_find_fragment: the file (or alias) of the name
// itself, else for an instance that of its template. fromTemplate tells
// which. Names may include templates, to be given n's instance.
func (x *Index) findFragment(n Name) (frag string, names []string, fromTemplate bool, err error) {
	name := n.String()
	var set nameSet
	x.addNames(&set, n, "", name)
	frag, err = x.resolve(name)
	if err != nil && !isNoUnit(err) {
		return "", nil, false, err
	}
	if frag == "" && n.IsInstance() {
		frag, err = x.resolve(n.TemplateName())
		if err != nil && !isNoUnit(err) {
			return "", nil, false, err
		}
		fromTemplate = frag != ""
	}
	if frag != "" {
		if base := filepath.Base(frag); base != name {
			x.addNames(&set, n, base, base)
		}
	}
	return frag, set.list, fromTemplate, nil
}

// isNoUnit reports whether a resolve error just means "no such unit".
func isNoUnit(err error) bool {
	return errors.Is(err, errNoEntry) || errors.Is(err, errDangling)
}

// addNames adds name and its aliases to set, as systemd's add_names. For an
// instance, template aliases get the instance, unless that instance has a
// fragment of its own other than fragBase.
func (x *Index) addNames(set *nameSet, n Name, fragBase, name string) {
	if !n.IsTemplate() {
		set.add(name)
	}
	for _, alias := range x.aliases[name] {
		if n.IsInstance() {
			if an, err := ParseName(alias); err == nil && an.IsTemplate() {
				inst := an.WithInstance(n.Instance)
				if inst == "" {
					continue
				}
				f, err := x.resolve(inst)
				if err != nil && !isNoUnit(err) {
					continue
				}
				if f != "" && fragBase != "" && filepath.Base(f) != fragBase {
					continue // an instance with a unit of its own
				}
				set.add(inst)
				continue
			}
		}
		set.add(alias)
	}
}

// setNames picks the primary name (the fragment's, as systemd's
// merge_by_names) and orders the names. Names systemd could not add to the
// unit (other types, other instances) are dropped.
func (s *Sources) setNames(n Name, frag string, names []string) {
	id := n.String()
	if frag != "" {
		id = filepath.Base(frag)
		if fn, err := ParseName(id); err == nil && fn.IsTemplate() {
			id = fn.WithInstance(n.Instance)
		}
	}
	// systemd makes the fragment's name the primary one only if it is in
	// the set literally: a template's name given its instance does not
	// count.
	literal := false
	for _, a := range names {
		if a == id {
			literal = true
		}
	}
	var set nameSet
	for _, a := range names {
		an, err := ParseName(a)
		if err != nil {
			continue
		}
		if an.IsTemplate() {
			if !n.IsInstance() {
				continue
			}
			a = an.WithInstance(n.Instance)
			an.Instance = n.Instance
		}
		if a == "" || an.Type != n.Type || an.Instance != n.Instance {
			continue
		}
		set.add(a)
	}
	primary := n.String()
	if literal {
		primary = id
	}
	rest := make([]string, 0, len(set.list))
	for _, a := range set.list {
		if a != primary {
			rest = append(rest, a)
		}
	}
	sort.Strings(rest)
	s.Name = primary
	s.Names = append([]string{primary}, rest...)
}

// nameSet is a set of names that keeps their order. Units have few
// names, so a slice beats a map.
type nameSet struct {
	list []string
}

func (s *nameSet) add(n string) {
	for _, have := range s.list {
		if have == n {
			return
		}
	}
	s.list = append(s.list, n)
}
