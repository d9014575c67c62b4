package unit

import "errors"

// Name is a parsed unit name: "prefix@instance.type". Template names have
// the '@' and an empty instance ("getty@.service").
type Name struct {
	Prefix string
	// Instance is the instance of an instance name; "" otherwise.
	Instance string
	// Templated is true for template and instance names (those with '@').
	Templated bool
	Type      Type
}

// ParseName parses and validates a unit name as systemd's
// unit_name_is_valid does (at most 255 bytes, allowed characters
// [a-zA-Z0-9:_.\-@\\], a known type suffix, at most one '@').
func ParseName(s string) (Name, error) { return Name{}, errors.New("TODO") }

// String reassembles the name.
func (n Name) String() string { return "" }

// IsTemplate reports whether n is a template ("foo@.service").
func (n Name) IsTemplate() bool { return n.Templated && n.Instance == "" }

// IsInstance reports whether n is an instance ("foo@bar.service").
func (n Name) IsInstance() bool { return n.Templated && n.Instance != "" }

// TemplateName returns the template of an instance ("foo@.service").
func (n Name) TemplateName() string { return "" }

// WithInstance returns the instance name of template n.
func (n Name) WithInstance(instance string) string { return "" }

// Escape escapes s for use in a unit name as systemd-escape does: '/'
// becomes '-', and characters outside [a-zA-Z0-9:_.] (and a leading '.')
// become \xNN.
func Escape(s string) string { return "" }

// Unescape reverses Escape.
func Unescape(s string) (string, error) { return "", errors.New("TODO") }

// EscapePath escapes a file system path as systemd-escape --path does
// ("/" → "-", "/dev/sda" → "dev-sda").
func EscapePath(p string) string { return "" }

// UnescapePath reverses EscapePath, returning an absolute path.
func UnescapePath(s string) (string, error) { return "", errors.New("TODO") }
