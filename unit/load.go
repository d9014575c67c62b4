package unit

// Default unit directories of the system manager, highest precedence first.
var (
	SystemUnitPath = []string{"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}
)

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
}

// Set is the result of loading every unit.
type Set struct {
	// Units maps every name, aliases included, to its unit.
	Units map[string]*Unit
}

// LoadAll loads every unit found on the search path and in the config dirs.
func (l *Loader) LoadAll() (*Set, Diagnostics) { return &Set{Units: map[string]*Unit{}}, nil }

// Load loads the unit with the given name, instantiating templates. A unit
// that does not exist is returned with LoadState "not-found".
func (l *Loader) Load(name string) (*Unit, Diagnostics) { return nil, nil }
