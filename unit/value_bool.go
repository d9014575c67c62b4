package unit

import "fmt"

// ParseBool parses a systemd boolean: 1/yes/y/true/t/on and 0/no/n/false/f/off,
// case-insensitively (ASCII letters only, as strcasecmp in the C locale).
// Blanks around the word are not allowed; unit file values arrive trimmed.
func ParseBool(s string) (bool, error) {
	for _, w := range [...]string{"1", "yes", "y", "true", "t", "on"} {
		if cStrCaseEq(s, w) {
			return true, nil
		}
	}
	for _, w := range [...]string{"0", "no", "n", "false", "f", "off"} {
		if cStrCaseEq(s, w) {
			return false, nil
		}
	}
	return false, fmt.Errorf("%w: invalid boolean %q", ErrBadValue, s)
}
