package unit

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// SystemUnitPath holds the unit directories of the system manager, highest
// precedence first, in systemd 252's order. systemd also searches its
// control (system.control), transient, attached and generator directories,
// which pm does not use.
var SystemUnitPath = []string{
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/local/lib/systemd/system",
	"/lib/systemd/system",
	"/usr/lib/systemd/system",
}

// Loader loads units the way systemd 252 does from a unit search path and
// from pm's YAML configuration directories.
type Loader struct {
	// Path is the unit search path, highest precedence first.
	Path []string
	// ConfigDirs are directories of YAML files (one process per
	// "<name>.yaml", or "processes:"/"sockets:" maps). Units found on Path
	// take precedence over YAML units of the same name.
	ConfigDirs []string
	// Host supplies specifier values; nil means an empty Host.
	Host *Host

	// parseYAML replaces ParseYAML in tests.
	parseYAML func(file string, data []byte) ([]Lowered, Diagnostics)
}

// Set is the result of loading every unit. It is not safe for concurrent
// use while [Set.Load] may add to it.
type Set struct {
	// Units maps every name, aliases included, to its unit.
	Units map[string]*Unit
	// Index is the scan the units were loaded from; Load uses it to load
	// further units (instances, say) without reading the directories again.
	Index *Index

	host *Host
}

// Scan reads the search path and the YAML config dirs once. Load units from
// the result with [Index.Load].
func (l *Loader) Scan() (*Index, Diagnostics) {
	x, diags := ScanPath(l.Path)
	x.parseYAML = l.parseYAML
	if x.parseYAML == nil {
		x.parseYAML = ParseYAML
	}
	x.addYAMLDirs(l.ConfigDirs, &diags)
	return x, diags
}

// Load loads the unit with the given name, instantiating templates. A unit
// that does not exist is returned with LoadState "not-found". Templates and
// invalid names cannot be loaded: Load returns nil and an Error diagnostic
// wrapping [ErrBadName].
func (l *Loader) Load(name string) (*Unit, Diagnostics) {
	x, diags := l.Scan()
	u, d := x.Load(name, l.Host)
	return u, append(diags, d...)
}

// LoadDir loads every unit of dir, used as the only search path.
func LoadDir(dir string, host *Host) (*Set, Diagnostics) {
	l := Loader{Path: []string{dir}, Host: host}
	return l.LoadAll()
}

// Load returns the unit called name, loading it from the set's index and
// recording it under all its names if it is not in the set yet.
func (s *Set) Load(name string) (*Unit, Diagnostics) {
	if u, ok := s.Units[name]; ok {
		return u, nil
	}
	u, diags := s.Index.Load(name, s.host)
	if u == nil {
		return nil, diags
	}
	return s.add(name, u), diags
}

// add records u, loaded by name, under all its names that are free, and
// returns the unit that name now maps to: u, or the unit already recorded
// under u's primary name.
func (s *Set) add(name string, u *Unit) *Unit {
	if have, ok := s.Units[u.Name]; ok {
		// Reached through a name the first load did not know of.
		s.Units[name] = have
		return have
	}
	s.Units[u.Name] = u
	s.Units[name] = u
	for _, n := range u.Names {
		if _, ok := s.Units[n]; !ok {
			s.Units[n] = u
		}
	}
	return u
}

// Load loads the unit called name from the index: it finds its files (see
// [Index.Sources]), parses them and builds the unit. Templates and invalid
// names cannot be loaded: Load returns nil and an Error diagnostic
// wrapping [ErrBadName].
func (x *Index) Load(name string, host *Host) (*Unit, Diagnostics) {
	s, diags := x.sources(name, false)
	if s == nil {
		return nil, diags
	}
	u, d := s.build(host, true)
	return u, append(diags, d...)
}

// build reads and parses the unit's files and builds the unit, giving it
// systemd's load state: "not-found" without a fragment (or when the
// fragment cannot be opened), "masked", "error" when the fragment cannot
// be read or parsed, else what Build says.
func (s *Sources) build(host *Host, reportDropIns bool) (*Unit, Diagnostics) {
	if s.NotFound {
		return s.notFound(host), nil
	}
	var (
		files  []File
		diags  Diagnostics
		masked bool
	)
	switch {
	case s.FragmentPath != "":
		data, isMask, err := readUnitFile(s.FragmentPath)
		if err != nil {
			if errors.Is(err, errOpen) {
				diags.Add(Pos{File: s.FragmentPath}, Warning, s.Name, fmt.Errorf("%w: %w", ErrNotFound, err), "failed to open unit file: %v", err)
				return s.notFound(host), diags
			}
			diags.Add(Pos{File: s.FragmentPath}, Error, s.Name, fmt.Errorf("%w: %w", ErrUnusable, err), "failed to read unit file: %v", err)
			return s.failed(host, nil, err), diags
		}
		masked = isMask
		if !masked {
			opts, d := ParseINI(s.FragmentPath, data)
			diags = append(diags, d...)
			if d.HasErrors() {
				return s.failed(host, opts, fatalINIErrno(d)), diags
			}
			files = append(files, File{Path: s.FragmentPath, Options: opts})
		}
	case s.SourcePath != "":
		files = append(files, File{Path: s.SourcePath, Options: s.yaml})
	}
	for _, p := range s.DropIns {
		files = append(files, s.x.readDropIn(p, s.Name, reportDropIns, &diags))
	}
	u, d := Build(s.Name, files, host)
	if masked {
		d = settingDiags(d)
	}
	diags = append(diags, d...)
	if u == nil {
		u = &Unit{Name: s.Name, Type: s.name.Type, LoadState: LoadLoaded}
	}
	s.fill(u)
	if masked {
		u.LoadState = LoadMasked
		u.LoadError = fmt.Sprintf("Unit %s is masked.", s.Name)
	}
	u.Wants = appendNew(u.Wants, s.Wants)
	u.Requires = appendNew(u.Requires, s.Requires)
	return u, diags
}

// fill records what the search found in u.
func (s *Sources) fill(u *Unit) {
	u.Name = s.Name
	u.Type = s.name.Type
	u.Names = append([]string(nil), s.Names...)
	u.FragmentPath = s.FragmentPath
	// A YAML unit's file is both its fragment (what systemctl status and
	// cat show) and its source, as for the output of a systemd generator.
	u.SourcePath = s.SourcePath
	if u.FragmentPath == "" {
		u.FragmentPath = s.SourcePath
	}
	u.DropInPaths = append([]string(nil), s.DropIns...)
}

// notFound makes the unit of a name without unit file: systemd's defaults,
// LoadState "not-found". Its drop-ins and dependencies do not apply.
func (s *Sources) notFound(host *Host) *Unit {
	u, _ := Build(s.Name, nil, host)
	if u == nil {
		u = &Unit{}
	}
	s.fill(u)
	u.FragmentPath, u.SourcePath, u.DropInPaths = "", "", nil
	u.LoadState = LoadNotFound
	u.LoadError = fmt.Sprintf("Unit %s not found.", s.Name)
	return u
}

// failed makes the unit of a fragment that could not be read or parsed:
// the settings read before the problem, LoadState "error". Its drop-ins and
// dependencies do not apply.
func (s *Sources) failed(host *Host, opts []Option, err error) *Unit {
	var files []File
	if opts != nil {
		files = []File{{Path: s.FragmentPath, Options: opts}}
	}
	u, _ := Build(s.Name, files, host)
	if u == nil {
		u = &Unit{}
	}
	s.fill(u)
	u.DropInPaths = nil
	u.LoadState = LoadError
	u.LoadError = fmt.Sprintf("Unit %s failed to load properly, please adjust/correct and reload service manager: %s", s.Name, errnoText(err))
	return u
}

// readDropIn reads and parses one drop-in. A drop-in that cannot be read,
// or has a fatal syntax error, does not stop the unit from loading (systemd
// ignores what config_parse returns for drop-ins), so its problems are
// warnings; it stays in DropInPaths. Type-wide and prefix drop-ins serve
// many units: each file is read once per index, and its problems are
// kept with it and, if report is set, reported the first time only.
func (x *Index) readDropIn(p, unit string, report bool, diags *Diagnostics) File {
	x.mu.Lock()
	c, ok := x.dropInCache[p]
	x.mu.Unlock()
	if !ok {
		var d Diagnostics
		data, _, err := readUnitFile(p)
		if err != nil {
			d.Add(Pos{File: p}, Warning, unit, err, "failed to read drop-in, ignoring: %v", err)
		} else {
			c.opts, d = ParseINI(p, data)
			for i := range d {
				d[i].Unit = unit
				if d[i].Severity > Warning {
					d[i].Severity = Warning
					d[i].Msg += " (rest of drop-in ignored)"
				}
			}
		}
		c.diags = d
		x.mu.Lock()
		if _, raced := x.dropInCache[p]; !raced {
			if x.dropInCache == nil {
				x.dropInCache = map[string]dropIn{}
			}
			x.dropInCache[p] = c
			if report {
				*diags = append(*diags, d...)
			}
		}
		x.mu.Unlock()
	}
	// Each unit gets its own copy, so that nothing one Build does can
	// reach another unit.
	return File{Path: p, DropIn: true, Options: append([]Option(nil), c.opts...)}
}

// dropIn is a parsed drop-in and the problems found in it.
type dropIn struct {
	opts  []Option
	diags Diagnostics
}

// settingDiags keeps, for a masked unit, the diagnostics about lines of
// its drop-ins (systemd parses them), and drops checks of the unit as a
// whole, which systemd does not make for masked units.
func settingDiags(ds Diagnostics) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Pos.Line == 0 {
			continue
		}
		if d.Severity > Warning {
			d.Severity = Warning
		}
		out = append(out, d)
	}
	return out
}

// errOpen marks a unit file that could not be opened, as opposed to one
// that could not be read.
var errOpen = errors.New("cannot open")

// fatalINIErrno is the errno systemd's parser fails with for the fatal
// problem in ds: ENOBUFS for an over-long line, EBADMSG for a bad section
// header.
func fatalINIErrno(ds Diagnostics) error {
	for _, d := range ds {
		if d.Severity >= Error && strings.Contains(d.Msg, "too long") {
			return syscall.ENOBUFS
		}
	}
	return syscall.EBADMSG
}

// errnoText renders err's errno as strerror does ("Bad message").
func errnoText(err error) string {
	var en syscall.Errno
	if !errors.As(err, &en) {
		return err.Error()
	}
	s := en.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// appendNew appends the names of add not yet in list.
func appendNew(list, add []string) []string {
	for _, a := range add {
		found := false
		for _, l := range list {
			if l == a {
				found = true
				break
			}
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
}
