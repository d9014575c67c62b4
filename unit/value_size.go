package unit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeSuffix is a suffix of parse_size and its factor.
type sizeSuffix struct {
	suffix string
	factor uint64
}

// iecSuffixes are parse_size's base-1024 suffixes, largest first; "" (no
// suffix) always matches, so it ends the table.
var iecSuffixes = [...]sizeSuffix{
	{"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30},
	{"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}, {"", 1},
}

// ParseSize parses a size with an optional 1024-based suffix (B, K, M, G, T,
// P, E), allowing a decimal fraction ("1.5G"), as systemd's parse_size.
//
// Like systemd it also accepts a sum whose suffixes decrease ("1G 512M"),
// a blank before the suffix ("10 K"), "10." and "10.M"; the suffixes are
// upper case only, and a trailing blank is an error.
func ParseSize(s string) (uint64, error) {
	v, err := parseSize(s)
	if errors.Is(err, errSdRange) {
		return 0, fmt.Errorf("%w: size %q out of range", ErrBadValue, s)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: invalid size %q", ErrBadValue, s)
	}
	return v, nil
}

func parseSize(t string) (uint64, error) {
	var r uint64
	start := 0
	p := 0
	for {
		p += skipCWhitespace(t[p:])
		l, n, err := strtoull(t[p:], 10)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, errSdInvalid
		}
		if t[p] == '-' {
			return 0, errSdRange
		}
		e := p + n
		frac := 0.0
		if e < len(t) && t[e] == '.' {
			e++
			if e < len(t) && isCDigit(t[e]) {
				l2, n2, err := strtoull(t[e:], 10)
				if err != nil {
					return 0, err
				}
				// The fraction is computed in floating point, as systemd does.
				frac = float64(l2)
				for i := 0; i < n2; i++ {
					frac /= 10
				}
				e += n2
			}
		}
		e += skipCWhitespace(t[e:])
		i := start
		for ; i < len(iecSuffixes); i++ {
			if strings.HasPrefix(t[e:], iecSuffixes[i].suffix) {
				break
			}
		}
		if i >= len(iecSuffixes) {
			return 0, errSdInvalid
		}
		f := iecSuffixes[i].factor
		plus := uint64(0)
		if frac > 0 {
			plus = 1
		}
		// Unsigned arithmetic wraps here just as it does in C.
		if l+plus > math.MaxUint64/f {
			return 0, errSdRange
		}
		tmp := l*f + uint64(frac*float64(f))
		if tmp > math.MaxUint64-r {
			return 0, errSdRange
		}
		r += tmp
		p = e + len(iecSuffixes[i].suffix)
		start = i + 1
		if p >= len(t) {
			return r, nil
		}
	}
}

// FormatSize renders n bytes with the largest 1024-based suffix that keeps
// it exact ("1536M", "4K", "1000"), in a form ParseSize reads back.
func FormatSize(n uint64) string {
	for _, s := range iecSuffixes[:len(iecSuffixes)-2] {
		if n != 0 && n%s.factor == 0 {
			return strconv.FormatUint(n/s.factor, 10) + s.suffix
		}
	}
	return strconv.FormatUint(n, 10)
}

// Limit is a resource limit such as MemoryMax= or TasksMax=: a number of
// bytes (or tasks), a percentage of the physical total, or infinity.
type Limit struct {
	// Value is the absolute limit; math.MaxUint64 means infinity.
	Value uint64
	// Permyriad is set (1–10000) when the limit was given as a percentage;
	// Value is then 0 and the manager scales it to the machine. A
	// percentage of 0 is stored as Value 0, which means the same.
	Permyriad uint32
}

// LimitInfinity is the "infinity" limit.
var LimitInfinity = Limit{Value: 1<<64 - 1}

// defaultTasksMax is systemd 252's DefaultTasksMax=, 15% of the system's
// task limit, in ten-thousandths; an empty TasksMax= resets to it.
const defaultTasksMax = 1500

// IsInfinity reports whether l is the "infinity" limit.
func (l Limit) IsInfinity() bool { return l.Permyriad == 0 && l.Value == math.MaxUint64 }

// Resolve returns the absolute limit for a machine with total bytes of
// memory (or tasks), as systemd's physical_memory_scale (granule = the
// page size) and system_tasks_max_scale (granule = 1) do: the share is
// rounded down to a whole granule, and 100% is total itself. A granule of
// 0 counts as 1.
func (l Limit) Resolve(total, granule uint64) uint64 {
	if l.Permyriad == 0 {
		return l.Value
	}
	if l.Permyriad == 10000 {
		return total
	}
	if granule == 0 {
		granule = 1
	}
	units := total / granule
	v := uint64(l.Permyriad)
	if units != 0 && v > math.MaxUint64/units {
		return math.MaxUint64
	}
	m := units * v / 10000
	if m > math.MaxUint64/granule {
		return math.MaxUint64
	}
	return m * granule
}

// String renders the limit the way it would be written in a unit file:
// "infinity", a percentage ("50%", "10.5%", "0.25%") or a plain number,
// which every limit directive reads (use FormatSize for "1536M").
func (l Limit) String() string {
	switch {
	case l.Permyriad != 0:
		p := l.Permyriad
		switch {
		case p%100 == 0:
			return fmt.Sprintf("%d%%", p/100)
		case p%10 == 0:
			return fmt.Sprintf("%d.%d%%", p/100, p%100/10)
		}
		return fmt.Sprintf("%d.%02d%%", p/100, p%100)
	case l.IsInfinity():
		return "infinity"
	}
	return strconv.FormatUint(l.Value, 10)
}

// MarshalText renders the limit like String.
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads what String writes, and any size ParseSize reads.
func (l *Limit) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "infinity" {
		*l = LimitInfinity
		return nil
	}
	if p, err := parsePermyriad(s); err == nil {
		*l = Limit{Permyriad: uint32(p)}
		return nil
	}
	v, err := ParseSize(s)
	if err != nil {
		return err
	}
	*l = Limit{Value: v}
	return nil
}

// ParseMemoryLimit parses MemoryMax= and friends: a size, "N%", "N.N%",
// "N.NN%", "N‰", "N.N‰", "N‱" or "infinity". It applies MemoryMax='s
// rules: an empty value is infinity, 0 and a size of 2^64-1 or more are
// out of range. Use ParseMemoryLimitFor for the other directives.
func ParseMemoryLimit(s string) (Limit, error) {
	return ParseMemoryLimitFor("MemoryMax", s)
}

// ParseMemoryLimitFor parses the value of the memory directive key
// (MemoryMin, MemoryLow, MemoryHigh, MemoryMax, MemorySwapMax, MemoryLimit,
// DefaultMemoryMin, DefaultMemoryLow) as systemd's
// config_parse_memory_limit: an empty value resets MemoryMin=, MemoryLow=
// and their Default forms to 0 and the others to infinity; 0 is allowed
// only for those four and MemorySwapMax=. "infinity" is infinity for every
// key (for MemoryLow= it protects all memory).
func ParseMemoryLimitFor(key, s string) (Limit, error) {
	zeroOK := false
	switch key {
	case "MemoryMin", "MemoryLow", "DefaultMemoryMin", "DefaultMemoryLow":
		if s == "" {
			return Limit{}, nil
		}
		zeroOK = true
	case "MemorySwapMax":
		zeroOK = true
	}
	if s == "" || s == "infinity" {
		return LimitInfinity, nil
	}
	var l Limit
	if p, err := parsePermyriad(s); err == nil {
		if p != 0 {
			l.Permyriad = uint32(p)
		}
	} else {
		v, err := ParseSize(s)
		if err != nil {
			return Limit{}, fmt.Errorf("%w: invalid memory limit %q", ErrBadValue, s)
		}
		l.Value = v
	}
	if l.Value == math.MaxUint64 || (l.Permyriad == 0 && l.Value == 0 && !zeroOK) {
		return Limit{}, fmt.Errorf("%w: memory limit %q out of range", ErrBadValue, s)
	}
	return l, nil
}

// ParseTasksLimit parses TasksMax=: a number, a percentage or "infinity", as
// systemd's config_parse_tasks_max. An empty value is the manager's default,
// 15% ({Permyriad: 1500}); an absolute 0 is out of range, while "0%" is
// accepted and means 0.
func ParseTasksLimit(s string) (Limit, error) {
	switch s {
	case "":
		return Limit{Permyriad: defaultTasksMax}, nil
	case "infinity":
		return LimitInfinity, nil
	}
	if p, err := parsePermyriad(s); err == nil {
		return Limit{Permyriad: uint32(p)}, nil
	}
	v, err := safeAtou64(s, 0, false)
	if err != nil {
		return Limit{}, fmt.Errorf("%w: invalid tasks limit %q", ErrBadValue, s)
	}
	if v == 0 || v == math.MaxUint64 {
		return Limit{}, fmt.Errorf("%w: tasks limit %q out of range", ErrBadValue, s)
	}
	return Limit{Value: v}, nil
}

// parsePermyriad is systemd's parse_permyriad: "N‱", "N‰", "N.N‰", "N%",
// "N.N%" or "N.NN%", at most 100%, as a number of ten-thousandths.
func parsePermyriad(s string) (int, error) {
	var v int
	var err error
	switch {
	case strings.HasSuffix(s, "‱"):
		v, err = parseScaledPart(strings.TrimSuffix(s, "‱"), 0)
	case strings.HasSuffix(s, "‰"):
		v, err = parseScaledPart(strings.TrimSuffix(s, "‰"), 1)
	case strings.HasSuffix(s, "%"):
		v, err = parseScaledPart(strings.TrimSuffix(s, "%"), 2)
	default:
		return 0, errSdInvalid
	}
	if err != nil {
		return 0, err
	}
	if v > 10000 {
		return 0, errSdRange
	}
	return v, nil
}

// parseScaledPart parses "N" or "N.D…" with up to places decimals (one or
// exactly places digits after the dot) and returns it times 10^places, as
// parse_parts_value_with_tenths_place and _hundredths_place do. The integer
// part is read with safe_atoi, so it may be written in hex or octal.
func parseScaledPart(s string, places int) (int, error) {
	scale := 1
	for i := 0; i < places; i++ {
		scale *= 10
	}
	q := 0
	if places > 0 {
		if dot := strings.IndexByte(s, '.'); dot >= 0 {
			frac := s[dot+1:]
			if len(frac) < 1 || len(frac) > places {
				return 0, errSdInvalid
			}
			for i := 0; i < len(frac); i++ {
				if !isCDigit(frac[i]) {
					return 0, errSdInvalid
				}
			}
			// One digit after the dot is tenths whatever the scale.
			for i := 0; i < places; i++ {
				q *= 10
				if i < len(frac) {
					q += int(frac[i] - '0')
				}
			}
			s = s[:dot]
		}
	}
	v, err := safeAtoi(s)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, errSdRange
	}
	if v > (math.MaxInt32-q)/scale {
		return 0, errSdRange
	}
	return v*scale + q, nil
}
