package unit

// Lowered is one unit described by a YAML file, lowered to options.
type Lowered struct {
	Name    string
	Options []Option
}

// ParseYAML reads one of pm's YAML files and lowers each unit it describes
// to options in systemd's spelling. file names the file in positions and
// supplies the unit name of single-process files ("web.yaml" is
// web.service).
func ParseYAML(file string, data []byte) ([]Lowered, Diagnostics) { return nil, nil }
