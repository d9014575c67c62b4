package unit

import (
	"errors"
	"math"
	"time"
)

// Duration is a systemd time span. It has nanosecond resolution like
// time.Duration; Infinity stands for systemd's "infinity" (USEC_INFINITY).
type Duration time.Duration

// Infinity is the "infinity" time span.
const Infinity Duration = math.MaxInt64

// ParseDuration parses a time span the way systemd's parse_sec does: a
// sequence of numbers with units ("1min 30s", "2h", "500ms", "1.5s"), a
// bare number meaning seconds, or "infinity".
func ParseDuration(s string) (Duration, error) {
	return ParseDurationUnit(s, time.Second)
}

// ParseDurationUnit parses a time span whose bare numbers are in unit def
// (systemd's parse_time with a default unit; config_parse_nsec uses
// nanoseconds).
func ParseDurationUnit(s string, def time.Duration) (Duration, error) {
	return 0, errors.New("TODO")
}

// Std returns d as a time.Duration (math.MaxInt64 for Infinity).
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d as systemd's format_timespan does with a 1µs accuracy:
// "1min 30s", "100ms", "0", "infinity".
func (d Duration) String() string { return "TODO" }

// MarshalText renders d like String.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a time span.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
