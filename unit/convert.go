package unit

import (
	"fmt"
	"path/filepath"
)

// Converted is one file written by a conversion.
type Converted struct {
	// Name is the file's base name: "web.yaml", or a unit name such as
	// "web.service".
	Name string
	Data []byte
}

// INIToYAML converts a unit file to a single-unit pm YAML file named
// after the unit ([YAMLFileName]). file names the unit file, as for
// [ParseINI], whose diagnostics are returned. On an error the result is
// empty.
func INIToYAML(file string, data []byte) (Converted, Diagnostics) {
	opts, diags := ParseINI(file, data)
	if diags.HasErrors() {
		return Converted{}, diags
	}
	name := filepath.Base(file)
	out, err := FormatYAML(Lowered{Name: name, Options: opts})
	if err != nil {
		diags.Add(Pos{File: file}, Error, name, err, "cannot convert to YAML: %v", err)
		return Converted{}, diags
	}
	return Converted{Name: YAMLFileName(name), Data: out}, diags
}

// YAMLToINI converts a pm YAML file to unit files, one per unit it
// describes, each named after its unit. file names the YAML file, as for
// [ParseYAML], whose diagnostics are returned. On an error the result is
// empty.
func YAMLToINI(file string, data []byte) ([]Converted, Diagnostics) {
	units, diags := ParseYAML(file, data)
	if diags.HasErrors() {
		return nil, diags
	}
	out := make([]Converted, 0, len(units))
	for _, u := range units {
		b, err := FormatINI(u.Options)
		if err != nil {
			// ParseYAML only lowers what a unit file can hold, so this is
			// a bug; report it rather than write a wrong file.
			diags.Add(u.Pos, Error, u.Name, fmt.Errorf("%w: %w", ErrUnusable, err), "cannot convert to a unit file: %v", err)
			return nil, diags
		}
		out = append(out, Converted{Name: u.Name, Data: b})
	}
	return out, diags
}
