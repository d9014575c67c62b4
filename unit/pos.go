package unit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Pos is a position in a source file. Line and Col count from 1; a zero Line
// means the position is unknown (a built-in default, say).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String renders the position as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Severity says how bad a diagnostic is.
type Severity int

const (
	// Notice reports something pm understood but does not act on, such as a
	// sandboxing directive it parses and ignores.
	Notice Severity = iota
	// Warning reports a setting that was ignored (unknown key, bad value),
	// exactly where systemd would log a warning and go on.
	Warning
	// Error reports a problem that makes the unit unusable.
	Error
)

func (s Severity) String() string {
	switch s {
	case Notice:
		return "notice"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText renders the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic is one problem found while reading units.
type Diagnostic struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	// Unit names the unit the problem belongs to, when there is one.
	Unit string `json:"unit,omitempty"`
	Msg  string `json:"msg"`
	// Err is the underlying error, for errors.Is/As; it is not rendered.
	Err error `json:"-"`
}

func (d Diagnostic) String() string {
	p := d.Pos.String()
	if p == "" {
		p = d.Unit
	}
	if p == "" {
		return d.Severity.String() + ": " + d.Msg
	}
	return p + ": " + d.Severity.String() + ": " + d.Msg
}

func (d Diagnostic) Error() string { return d.String() }

// Unwrap returns the underlying error.
func (d Diagnostic) Unwrap() error { return d.Err }

// Diagnostics collects every problem found, not just the first.
type Diagnostics []Diagnostic

// Add appends a diagnostic built from a format string.
func (ds *Diagnostics) Add(pos Pos, sev Severity, unit string, err error, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: sev, Unit: unit, Msg: fmt.Sprintf(format, args...), Err: err})
}

// HasErrors reports whether any diagnostic is an Error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity >= Error {
			return true
		}
	}
	return false
}

// Filter returns the diagnostics of at least the given severity.
func (ds Diagnostics) Filter(min Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity >= min {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by file, line and column, keeping the order of
// those at the same position.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// String renders one diagnostic per line.
func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}
