package unit

import (
	"fmt"
	"strings"
)

// NameMax is the maximum length of a unit name in bytes, as in systemd
// (UNIT_NAME_MAX less the terminating NUL).
const NameMax = 255

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
// unit_name_is_valid does: at most [NameMax] bytes; the type is what
// follows the last '.' and must be a known unit type; everything before it
// is made of [a-zA-Z0-9:_.\-@\\]; the prefix (before the first '@') is not
// empty. The instance runs from the first '@' to the last '.', so it may
// hold further '@' and '.' characters. Errors wrap [ErrBadName].
func ParseName(s string) (Name, error) {
	if s == "" {
		return Name{}, fmt.Errorf("%w: empty name", ErrBadName)
	}
	if len(s) > NameMax {
		return Name{}, fmt.Errorf("%w %q: longer than %d bytes", ErrBadName, s, NameMax)
	}
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 {
		return Name{}, fmt.Errorf("%w %q: no type suffix", ErrBadName, s)
	}
	if dot == 0 {
		return Name{}, fmt.Errorf("%w %q: empty prefix", ErrBadName, s)
	}
	t := Type(s[dot+1:])
	if !t.Known() {
		return Name{}, fmt.Errorf("%w %q: unknown unit type %q", ErrBadName, s, t)
	}
	for i := 0; i < dot; i++ {
		if c := s[i]; c != '@' && !nameChar(c) {
			return Name{}, fmt.Errorf("%w %q: character %q not allowed", ErrBadName, s, c)
		}
	}
	at := strings.IndexByte(s[:dot], '@')
	if at < 0 {
		return Name{Prefix: s[:dot], Type: t}, nil
	}
	if at == 0 {
		return Name{}, fmt.Errorf("%w %q: empty prefix", ErrBadName, s)
	}
	return Name{Prefix: s[:at], Instance: s[at+1 : dot], Templated: true, Type: t}, nil
}

// ValidName reports whether s is a valid unit name of any kind (plain,
// template or instance); see [ParseName].
func ValidName(s string) bool {
	_, err := ParseName(s)
	return err == nil
}

// ValidPrefix reports whether s can be the prefix of a unit name (systemd's
// unit_prefix_is_valid): not empty, and no character outside
// [a-zA-Z0-9:_.\-\\] ('@' is not allowed).
func ValidPrefix(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameChar(s[i]) {
			return false
		}
	}
	return true
}

// ValidInstance reports whether s can be the instance of a unit name
// (systemd's unit_instance_is_valid): like [ValidPrefix], but '@' is
// allowed. The length limit depends on the rest of the name and is not
// checked here.
func ValidInstance(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '@' && !nameChar(c) {
			return false
		}
	}
	return true
}

// nameChar reports whether c may appear in a unit name's prefix
// (systemd's VALID_CHARS).
func nameChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case ':', '-', '_', '.', '\\':
		return true
	}
	return false
}

// String reassembles the name.
func (n Name) String() string {
	if !n.Templated {
		return n.Prefix + "." + string(n.Type)
	}
	return n.Prefix + "@" + n.Instance + "." + string(n.Type)
}

// IsTemplate reports whether n is a template ("foo@.service").
func (n Name) IsTemplate() bool { return n.Templated && n.Instance == "" }

// IsInstance reports whether n is an instance ("foo@bar.service").
func (n Name) IsInstance() bool { return n.Templated && n.Instance != "" }

// TemplateName returns the template of an instance or template
// ("foo@.service"), and "" for a plain name, which has no template.
func (n Name) TemplateName() string {
	if !n.Templated {
		return ""
	}
	return n.Prefix + "@." + string(n.Type)
}

// WithInstance returns the name of n's template with the given instance, as
// systemd's unit_name_replace_instance does ("foo@.service" and "bar" give
// "foo@bar.service"; an instance name has its instance replaced). It
// returns "" when n is a plain name, when instance is not a valid instance
// (see [ValidInstance]) or when the result would be longer than [NameMax].
func (n Name) WithInstance(instance string) string {
	if !n.Templated || !ValidInstance(instance) {
		return ""
	}
	s := n.Prefix + "@" + instance + "." + string(n.Type)
	if len(s) > NameMax {
		return ""
	}
	return s
}

// NameForType returns the name with n's prefix and instance and type t:
// "foo@bar.socket" with TypeService gives "foo@bar.service". It returns ""
// when t is not a known type or the result is too long, like systemd's
// unit_name_change_suffix.
func (n Name) NameForType(t Type) string {
	if !t.Known() {
		return ""
	}
	n.Type = t
	s := n.String()
	if len(s) > NameMax {
		return ""
	}
	return s
}
