package unit

import (
	"errors"
	"fmt"
)

// Mode is a file mode or umask written in octal ("0755", "027").
type Mode uint32

// ParseMode parses an octal mode of at most 07777, as systemd's parse_mode:
// octal digits with an optional leading zero ("755", "0755", "27"), leading
// blanks allowed, no sign, no "0o" prefix, nothing after the digits.
func ParseMode(s string) (Mode, error) {
	m, err := safeAtou(s, 8, true)
	if err == nil && m > 0o7777 {
		err = errSdRange
	}
	if errors.Is(err, errSdRange) {
		return 0, fmt.Errorf("%w: mode %q out of range", ErrBadValue, s)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: invalid mode %q", ErrBadValue, s)
	}
	return Mode(m), nil
}

// String renders the mode as four octal digits, "0755", as systemd's dump
// does.
func (m Mode) String() string { return fmt.Sprintf("%04o", uint32(m)) }

// MarshalText renders the mode like String.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses a mode with ParseMode.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
