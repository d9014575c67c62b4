package unit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a systemd time span. It has nanosecond resolution like
// time.Duration; Infinity stands for systemd's "infinity" (USEC_INFINITY).
//
// systemd keeps spans as unsigned microseconds, which reach about 584,000
// years; a Duration reaches about 292 years. Parsed spans that do not fit
// become Infinity, which is what such a span means to a service manager.
type Duration time.Duration

// Infinity is the "infinity" time span.
const Infinity Duration = math.MaxInt64

// spanUnit is a unit suffix of a time span and its length in the parser's
// base unit (microseconds or nanoseconds).
type spanUnit struct {
	suffix string
	n      uint64
}

// usecUnits are parse_time's suffixes, in microseconds. Order matters: the
// first suffix that prefixes the text wins, so "ms" must precede "m", and
// "5mo" is 5m followed by the junk "o".
var usecUnits = [...]spanUnit{
	{"seconds", 1e6}, {"second", 1e6}, {"sec", 1e6}, {"s", 1e6},
	{"minutes", 60e6}, {"minute", 60e6}, {"min", 60e6},
	{"months", 2629800e6}, {"month", 2629800e6}, {"M", 2629800e6},
	{"msec", 1e3}, {"ms", 1e3}, {"m", 60e6},
	{"hours", 3600e6}, {"hour", 3600e6}, {"hr", 3600e6}, {"h", 3600e6},
	{"days", 86400e6}, {"day", 86400e6}, {"d", 86400e6},
	{"weeks", 604800e6}, {"week", 604800e6}, {"w", 604800e6},
	{"years", 31557600e6}, {"year", 31557600e6}, {"y", 31557600e6},
	{"usec", 1}, {"us", 1}, {"\u03bcs", 1}, {"\u00b5s", 1},
}

// nsecUnits are parse_nsec's suffixes, in nanoseconds: parse_time's plus
// "nsec" and "ns".
var nsecUnits = [...]spanUnit{
	{"seconds", 1e9}, {"second", 1e9}, {"sec", 1e9}, {"s", 1e9},
	{"minutes", 60e9}, {"minute", 60e9}, {"min", 60e9},
	{"months", 2629800e9}, {"month", 2629800e9}, {"M", 2629800e9},
	{"msec", 1e6}, {"ms", 1e6}, {"m", 60e9},
	{"hours", 3600e9}, {"hour", 3600e9}, {"hr", 3600e9}, {"h", 3600e9},
	{"days", 86400e9}, {"day", 86400e9}, {"d", 86400e9},
	{"weeks", 604800e9}, {"week", 604800e9}, {"w", 604800e9},
	{"years", 31557600e9}, {"year", 31557600e9}, {"y", 31557600e9},
	{"usec", 1e3}, {"us", 1e3}, {"\u03bcs", 1e3}, {"\u00b5s", 1e3},
	{"nsec", 1}, {"ns", 1},
}

// spanFormatUnits are format_timespan's units, in microseconds, largest
// first.
var spanFormatUnits = [...]spanUnit{
	{"y", 31557600e6}, {"month", 2629800e6}, {"w", 604800e6}, {"d", 86400e6},
	{"h", 3600e6}, {"min", 60e6}, {"s", 1e6}, {"ms", 1e3}, {"us", 1},
}

// spanInfinity is USEC_INFINITY and NSEC_INFINITY.
const spanInfinity = math.MaxUint64

// parseSpan is systemd's parse_time (and parse_nsec): a sum of numbers, each
// with an optional fraction and unit, in the base unit of units; def is the
// length of a number without unit. It returns spanInfinity for "infinity".
func parseSpan(t string, units []spanUnit, def uint64) (uint64, error) {
	p := skipCWhitespace(t)
	if rest, ok := strings.CutPrefix(t[p:], "infinity"); ok {
		if skipCWhitespace(rest) != len(rest) {
			return 0, errSdInvalid
		}
		return spanInfinity, nil
	}
	var r uint64
	something := false
	for {
		p += skipCWhitespace(t[p:])
		if p == len(t) {
			if !something {
				return 0, errSdInvalid
			}
			return r, nil
		}
		if t[p] == '-' { // "-0" is refused too
			return 0, errSdRange
		}
		l, n, err := strtoll(t[p:], 10)
		if err != nil {
			return 0, err
		}
		if l < 0 {
			return 0, errSdRange
		}
		e := p + n
		if n == 0 {
			e = p // strtoll leaves its end pointer at the start then
		}
		hasDot := e < len(t) && t[e] == '.'
		switch {
		case hasDot:
			p = e + 1
			for p < len(t) && isCDigit(t[p]) {
				p++
			}
		case e == p:
			return 0, errSdInvalid
		default:
			p = e
		}
		mult := def
		q := p + skipCWhitespace(t[p:])
		s := q
		for _, u := range units {
			if strings.HasPrefix(t[q:], u.suffix) {
				mult, s = u.n, q+len(u.suffix)
				break
			}
		}
		// "12.34.56" is refused, "12.34 .56" and "12.34s.56" are not.
		if s == p && s < len(t) {
			return 0, errSdInvalid
		}
		p = s
		if uint64(l) >= spanInfinity/mult {
			return 0, errSdRange
		}
		k := uint64(l) * mult
		if k >= spanInfinity-r {
			return 0, errSdRange
		}
		r += k
		something = true
		if hasDot {
			m := mult / 10
			b := e + 1
			for ; b < len(t) && isCDigit(t[b]); b, m = b+1, m/10 {
				k = uint64(t[b]-'0') * m
				if k >= spanInfinity-r {
					return 0, errSdRange
				}
				r += k
			}
			if b == e+1 { // "3.", "3.s", "3. 1"
				return 0, errSdInvalid
			}
		}
	}
}

// spanError wraps a parse failure of a time span with ErrBadValue.
func spanError(s string, err error) error {
	if errors.Is(err, errSdRange) {
		return fmt.Errorf("%w: time span %q out of range", ErrBadValue, s)
	}
	return fmt.Errorf("%w: invalid time span %q", ErrBadValue, s)
}

// ParseDuration parses a time span the way systemd's parse_sec does: a
// sequence of numbers with units ("1min 30s", "2h", "500ms", "1.5s"), a
// bare number meaning seconds, or "infinity".
//
// Like systemd it keeps microseconds: "1.0000005s" is 1s. Spans of more than
// about 292 years become Infinity.
func ParseDuration(s string) (Duration, error) {
	return ParseDurationUnit(s, time.Second)
}

// ParseDurationUnit parses a time span whose bare numbers are in unit def
// (systemd's parse_time with a default unit; config_parse_nsec uses
// nanoseconds).
//
// When def is a whole number of microseconds the grammar and precision are
// parse_time's, as in ParseDuration; otherwise they are parse_nsec's, which
// also knows the units "ns" and "nsec" and keeps nanoseconds. def must be
// positive.
func ParseDurationUnit(s string, def time.Duration) (Duration, error) {
	if def <= 0 {
		return 0, fmt.Errorf("%w: default unit %v of time span %q is not positive", ErrBadValue, def, s)
	}
	if def%time.Microsecond == 0 {
		v, err := parseSpan(s, usecUnits[:], uint64(def/time.Microsecond))
		if err != nil {
			return 0, spanError(s, err)
		}
		return usecDuration(v), nil
	}
	v, err := parseSpan(s, nsecUnits[:], uint64(def))
	if err != nil {
		return 0, spanError(s, err)
	}
	return nsecDuration(v), nil
}

// usecDuration converts systemd microseconds to a Duration, saturating at
// Infinity.
func usecDuration(v uint64) Duration {
	if v > math.MaxInt64/1000 {
		return Infinity
	}
	return Duration(v * 1000)
}

// nsecDuration converts systemd nanoseconds to a Duration, saturating at
// Infinity.
func nsecDuration(v uint64) Duration {
	if v >= math.MaxInt64 {
		return Infinity
	}
	return Duration(v)
}

// Std returns d as a time.Duration (math.MaxInt64 for Infinity).
func (d Duration) Std() time.Duration { return time.Duration(d) }

// USec returns d in microseconds as systemd's D-Bus properties carry it
// ("TimeoutStopUSec"): Infinity is 2^64-1 (USEC_INFINITY), finer parts are
// dropped and negative spans are 0.
func (d Duration) USec() uint64 {
	switch {
	case d == Infinity:
		return spanInfinity
	case d < 0:
		return 0
	}
	return uint64(d / Duration(time.Microsecond))
}

// DurationFromUSec converts systemd microseconds back to a Duration:
// USEC_INFINITY, and spans too long for a Duration, are Infinity.
func DurationFromUSec(v uint64) Duration { return usecDuration(v) }

// String formats d as systemd's format_timespan does with a 1µs accuracy:
// "1min 30s", "100ms", "1.500000s", "0", "infinity". That is the text of
// `systemctl show` and of the "Human:" line of `systemd-analyze timespan`.
// It is exact, so ParseDuration reads it back to the same value.
//
// A span with a part finer than a microsecond, which only nanosecond
// directives such as TimerSlackNSec= produce, ends in that many
// nanoseconds ("1s 500ns"); UnmarshalText reads that back. Negative
// durations are not systemd spans and format as "0".
func (d Duration) String() string {
	s := d.Timespan(0)
	if d <= 0 || d == Infinity || d%Duration(time.Microsecond) == 0 {
		return s
	}
	ns := strconv.FormatInt(int64(d%Duration(time.Microsecond)), 10) + "ns"
	if d < Duration(time.Microsecond) {
		return ns
	}
	return s + " " + ns
}

// Timespan formats d as systemd's format_timespan(d, accuracy) does. Parts
// below accuracy are dropped once a larger unit has been written, and a
// span under a minute shows its fraction only down to accuracy; an
// accuracy under 1µs is 1µs, and what is finer than a microsecond is
// dropped, since systemd counts in microseconds.
//
// The dump of `systemd --test` formats timeouts and RestartSec= with a 1s
// accuracy (RestartSec=1.5s dumps as "1s", TimeoutStopSec=90.5 as
// "1min 30s"); `systemctl show` uses no accuracy, which is String.
func (d Duration) Timespan(accuracy Duration) string {
	if d == Infinity {
		return "infinity"
	}
	t := uint64(0)
	if d > 0 {
		t = uint64(d / Duration(time.Microsecond))
	}
	if t == 0 {
		return "0"
	}
	acc := uint64(1)
	if accuracy > Duration(time.Microsecond) {
		acc = uint64(accuracy / Duration(time.Microsecond))
	}
	var out []byte
	something := false
	for _, u := range spanFormatUnits {
		if t == 0 || (t < acc && something) {
			break
		}
		if t < u.n {
			continue
		}
		a, b := t/u.n, t%u.n
		if len(out) > 0 {
			out = append(out, ' ')
		}
		done := false
		if t < 60e6 && b > 0 {
			// Dot notation with as many decimals as the accuracy allows.
			j := 0
			for c := u.n; c > 1; c /= 10 {
				j++
			}
			for c := acc; c > 1; c /= 10 {
				b /= 10
				j--
			}
			if j > 0 {
				out = strconv.AppendUint(out, a, 10)
				out = append(out, '.')
				frac := strconv.FormatUint(b, 10)
				for i := len(frac); i < j; i++ {
					out = append(out, '0')
				}
				out = append(out, frac...)
				out = append(out, u.suffix...)
				t, done = 0, true
			}
		}
		if !done {
			out = strconv.AppendUint(out, a, 10)
			out = append(out, u.suffix...)
			// systemd carries on with the remainder as scaled above.
			t = b
		}
		something = true
	}
	return string(out)
}

// MarshalText renders d like String.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a time span as ParseDuration does. So that every
// String reads back, what ParseDuration refuses is tried once more with
// nanosecond precision and the units "ns" and "nsec" (parse_nsec's
// grammar with seconds for bare numbers).
func (d *Duration) UnmarshalText(b []byte) error {
	s := string(b)
	v, err := ParseDuration(s)
	if err == nil {
		*d = v
		return nil
	}
	ns, nsErr := parseSpan(s, nsecUnits[:], uint64(time.Second))
	if nsErr != nil {
		return err
	}
	*d = nsecDuration(ns)
	return nil
}
