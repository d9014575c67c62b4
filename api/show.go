package api

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Show returns systemctl show's properties of a unit. Properties named
// in the request are shown even when empty, as with systemctl show -p.
// A unit name that pmd does not know shows as not-found, as in systemd.
func (s *Server) Show(ctx context.Context, r *pmv1.ShowRequest) (*pmv1.ShowResponse, error) {
	st, err := s.lookupAny(r.GetUnit())
	if err != nil {
		st, err = s.notFoundUnit(r.GetUnit(), err)
		if err != nil {
			return nil, err
		}
	}
	c := &PropContext{Status: st, Now: time.Now(), MonoNow: monotonicNow()}
	if st.LoadState != unit.LoadNotFound {
		if deps, err := s.m.Dependencies(ctx, st.Name); err == nil {
			c.Deps = deps
		}
		c.UnitFileState = s.unitFileState(st)
		c.UnitFilePreset = s.unitFilePreset(st, c.UnitFileState)
	}
	showEmpty := r.GetAll() || len(r.GetProperties()) > 0
	want := map[string]bool{}
	for _, p := range r.GetProperties() {
		for _, n := range strings.Split(p, ",") {
			if n != "" {
				want[n] = true
			}
		}
	}
	isService := st.Type == unit.TypeService && st.LoadState != unit.LoadNotFound
	resp := &pmv1.ShowResponse{}
	for _, p := range properties {
		if p.Service && !isService {
			continue
		}
		if len(want) > 0 && !want[p.Name] {
			continue
		}
		for _, v := range FormatProperty(p.Name, p.Sig, p.Get(c), showEmpty) {
			resp.Properties = append(resp.Properties, &pmv1.Property{Name: p.Name, Value: v})
		}
	}
	return resp, nil
}

// notFoundUnit is the status systemd shows for a unit name it cannot
// load. UUIDs and bad names keep the lookup's error.
func (s *Server) notFoundUnit(ref string, lookupErr error) (*manager.UnitStatus, error) {
	if _, ok := unit.ParseUUID(ref); ok {
		return nil, lookupErr
	}
	name, err := canonicalName(ref)
	if err != nil {
		return nil, err
	}
	n, _ := unit.ParseName(name)
	return &manager.UnitStatus{Name: name, Description: name, Type: n.Type, LoadState: unit.LoadNotFound,
		ActiveState: manager.Inactive, SubState: "dead", UUID: ""}, nil
}

// monotonicNow reads CLOCK_MONOTONIC.
func monotonicNow() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// FormatProperty renders a property value as systemctl show prints it:
// one string per line (several for Exec*= properties), none when
// systemctl would print nothing (empty values without showEmpty).
func FormatProperty(name, sig string, v any, showEmpty bool) []string {
	one := func(s string) []string {
		if s == "" && !showEmpty {
			return nil
		}
		return []string{s}
	}
	switch x := v.(type) {
	case string:
		if strings.Contains(x, "\n") {
			return one("[unprintable]")
		}
		return one(x)
	case bool:
		if x {
			return []string{"yes"}
		}
		return []string{"no"}
	case uint64:
		return one(formatUint64(name, x))
	case uint32:
		switch {
		case strings.Contains(name, "UMask") || strings.Contains(name, "Mode"):
			return one(fmt.Sprintf("%04o", x))
		case (name == "UID" || name == "GID") && x == uidInvalid:
			return one("[not set]")
		}
		return one(strconv.FormatUint(uint64(x), 10))
	case int32:
		if strings.HasSuffix(name, "ActionExitStatus") {
			if x >= 0 && x <= 255 {
				return one(strconv.Itoa(int(x)))
			}
			if showEmpty {
				return []string{"[not set]"}
			}
			return nil
		}
		return one(strconv.Itoa(int(x)))
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = shellQuote(s)
		}
		return one(strings.Join(q, " "))
	case JobRef:
		if x.ID > 0 {
			return one(strconv.FormatUint(uint64(x.ID), 10))
		}
		return one("")
	case [2]string:
		if x[0] == "" && x[1] == "" {
			return one("")
		}
		return one(fmt.Sprintf("%s %q", x[0], x[1]))
	case []ExecInfo:
		var out []string
		for _, e := range x {
			out = append(out, formatExec(e, strings.HasSuffix(name, "Ex")))
		}
		return out
	}
	if showEmpty {
		return []string{"[unprintable]"}
	}
	return nil
}

// formatUint64 is bus_print_property's treatment of a "t" value.
func formatUint64(name string, v uint64) string {
	switch {
	case strings.HasSuffix(name, "Timestamp"):
		return FormatTimestamp(v)
	case strings.Contains(name, "USec"):
		return unit.DurationFromUSec(v).String()
	case (strings.HasPrefix(name, "Limit") || name == "TasksMax" || strings.HasPrefix(name, "Memory")) && v == 1<<64-1:
		return "infinity"
	}
	return strconv.FormatUint(v, 10)
}

// FormatTimestamp is systemd's format_timestamp: local time with the
// weekday and zone, "" for 0 and infinity.
func FormatTimestamp(usec uint64) string {
	if usec == 0 || usec == 1<<64-1 {
		return ""
	}
	return time.UnixMicro(int64(usec)).Format("Mon 2006-01-02 15:04:05 MST")
}

// formatExec is one line of an Exec*= property.
func formatExec(e ExecInfo, ex bool) string {
	na := func(s string) string {
		if s == "" {
			return "n/a"
		}
		return s
	}
	code := "(null)"
	switch e.Code {
	case 1:
		code = "exited"
	case 2:
		code = "killed"
	case 3:
		code = "dumped"
	}
	st := strconv.Itoa(int(e.Status))
	if e.Code != 1 {
		st += "/" + signalName(int(e.Status))
	}
	mid := "ignore_errors=" + yesNo(e.Ignore)
	if ex {
		mid = "flags=" + strings.Join(e.Flags, " ")
	}
	return fmt.Sprintf("{ path=%s ; argv[]=%s ; %s ; start_time=[%s] ; stop_time=[%s] ; pid=%d ; code=%s ; status=%s }",
		na(e.Path), na(strings.Join(e.Argv, " ")), mid, na(FormatTimestamp(e.StartUSec)), na(FormatTimestamp(e.ExitUSec)),
		e.PID, code, st)
}

// signalName is systemd's signal_to_string: the name without "SIG", or
// the number.
func signalName(n int) string {
	s := unit.Signal(n).String()
	if t, ok := strings.CutPrefix(s, "SIG"); ok {
		return t
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// shellQuote is systemd's shell_maybe_quote without flags: the string as
// it is unless it holds blanks, control characters, invalid UTF-8 or
// characters special to the shell; then double-quoted with \ " ` $
// escaped.
func shellQuote(s string) string {
	const needQuotes = " \t\n\r\"\\`$*?['()<>|&;!"
	i := 0
	for i < len(s) {
		c := s[i]
		if c < ' ' || c == 0x7f || strings.IndexByte(needQuotes, c) >= 0 {
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(s[:i])
	for j := i; j < len(s); j++ {
		if strings.IndexByte("\"\\`$", s[j]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[j])
	}
	b.WriteByte('"')
	return b.String()
}

// Cat returns the unit's fragment and drop-ins, in the order systemctl
// cat prints them.
func (s *Server) Cat(ctx context.Context, r *pmv1.CatRequest) (*pmv1.CatResponse, error) {
	st, err := s.lookup(r.GetUnit())
	if err != nil {
		return nil, err
	}
	c := st.Config
	var paths []string
	if c != nil {
		if c.FragmentPath != "" {
			paths = append(paths, c.FragmentPath)
		}
		if c.SourcePath != "" && c.SourcePath != c.FragmentPath {
			paths = append(paths, c.SourcePath)
		}
		paths = append(paths, c.DropInPaths...)
	}
	if len(paths) == 0 {
		return nil, errStatus(codes.NotFound, ReasonUnitNotFound,
			fmt.Sprintf("No files found for %s.", st.Name), "unit", st.Name)
	}
	resp := &pmv1.CatResponse{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, errStatus(codes.FailedPrecondition, ReasonUnitFileError,
				fmt.Sprintf("Failed to read %s: %v", p, err), "unit", st.Name, "path", p)
		}
		resp.Files = append(resp.Files, &pmv1.UnitFile{Path: p, Content: string(b)})
	}
	return resp, nil
}
