package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Show returns systemctl show's properties of a unit: the properties the
// D-Bus front door serves (internal/unitprops' tables, in the order
// GetAll sends them), formatted from the same typed values as systemctl
// formats them. Properties named in the request are shown even when
// empty, as with systemctl show -p. A unit name that pmd does not know
// shows as not-found, as in systemd.
func (s *Server) Show(ctx context.Context, r *pmv1.ShowRequest) (*pmv1.ShowResponse, error) {
	showEmpty := r.GetAll() || len(r.GetProperties()) > 0
	want := map[string]bool{}
	for _, p := range r.GetProperties() {
		for _, n := range strings.Split(p, ",") {
			if n != "" {
				want[n] = true
			}
		}
	}
	resp := &pmv1.ShowResponse{}
	add := func(name string, value any) {
		if len(want) > 0 && !want[name] {
			return
		}
		for _, line := range formatProperty(name, value, showEmpty) {
			resp.Properties = append(resp.Properties, &pmv1.Property{Name: name, Value: line})
		}
	}
	if r.GetUnit() == "" {
		// systemctl show without a unit: the manager's properties.
		v := unitprops.NewManagerView(s.m, s.opts.StartedAt, s.opts.UnitPath)
		for _, p := range unitprops.ManagerTable.Props() {
			add(p.Name, p.Get(v))
		}
		return resp, nil
	}
	st, err := s.lookupAny(r.GetUnit())
	if err != nil {
		st, err = s.notFoundUnit(r.GetUnit(), err)
		if err != nil {
			return nil, err
		}
	}
	v := unitprops.NewUnitView(ctx, s.m, s.files, st)
	for _, t := range unitprops.UnitTables(st.Type) {
		for _, p := range t.Props() {
			add(p.Name, p.Get(v))
		}
	}
	return resp, nil
}

// dependencyKinds are the dependency properties in systemd's order, the
// order of Describe's dependencies.
var dependencyKinds = unitprops.DependencyKinds()

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
	return unitprops.NotFound(name), nil
}

// The formatting below is systemctl show's: print_property
// (src/systemctl/systemctl-show.c) for the properties it knows by name,
// else bus_print_property (src/shared/bus-print-properties.c) by D-Bus
// type. Both go by the value's type and the property's name, which is why
// they read the typed values of the D-Bus table.

// formatProperty renders a property's value as systemctl show prints it:
// one string per line it prints (Exec*=, Listen= and the like print one a
// list entry), none when it prints nothing. showEmpty is --all or -p:
// systemctl then prints empty values too, and "[unprintable]" for the
// types it cannot print.
func formatProperty(name string, v any, showEmpty bool) []string {
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
		return []string{yesNo(x)}
	case uint64:
		return one(formatUint64(name, x))
	case int64:
		return one(strconv.FormatInt(x, 10))
	case uint32:
		switch {
		case strings.Contains(name, "UMask") || strings.Contains(name, "Mode"):
			return one(fmt.Sprintf("%04o", x))
		case (name == "UID" || name == "GID") && x == unitprops.UndefinedID:
			return one("[not set]")
		}
		return one(strconv.FormatUint(uint64(x), 10))
	case int32:
		if strings.HasSuffix(name, "ActionExitStatus") && (x < 0 || x > 255) {
			if showEmpty {
				return []string{"[not set]"}
			}
			return nil
		}
		return one(strconv.Itoa(int(x)))
	case float64:
		return one(strconv.FormatFloat(x, 'g', 6, 64))
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = shellQuote(s)
		}
		return one(strings.Join(q, " "))
	case []byte:
		switch name {
		case "CPUAffinity", "NUMAMask", "AllowedCPUs", "AllowedMemoryNodes", "EffectiveCPUs", "EffectiveMemoryNodes":
			return one(cpuRanges(x))
		}
		return one(hex.EncodeToString(x))
	case unitprops.JobRef:
		if name == "Job" {
			if x.ID > 0 {
				return one(strconv.FormatUint(uint64(x.ID), 10))
			}
			return one("")
		}
	case unitprops.UnitRef:
		if name == "Unit" {
			return one(x.Name)
		}
	case unitprops.Pair:
		if name == "LoadError" {
			if x.A == "" && x.B == "" {
				return one("")
			}
			return one(x.A + ` "` + x.B + `"`)
		}
	case unitprops.ExitStatusSet:
		if strings.HasSuffix(name, "ExitStatus") {
			return one(formatExitStatus(x))
		}
	case []unitprops.Pair:
		if name == "Listen" || name == "Paths" {
			return lines(x, func(p unitprops.Pair) string { return p.B + " (" + p.A + ")" })
		}
	case []unitprops.EnvFile:
		if name == "EnvironmentFiles" {
			return lines(x, func(f unitprops.EnvFile) string { return f.Path + " (ignore_errors=" + yesNo(f.Optional) + ")" })
		}
	case []unitprops.TimerSpec:
		if name == "TimersMonotonic" {
			return lines(x, func(t unitprops.TimerSpec) string {
				return "{ " + t.Base + "=" + timespan(t.Value) + " ; next_elapse=" + timespan(t.Next) + " }"
			})
		}
	case []unitprops.CalendarSpec:
		if name == "TimersCalendar" {
			return lines(x, func(c unitprops.CalendarSpec) string {
				return "{ " + c.Base + "=" + c.Spec + " ; next_elapse=" + orNull(formatTimestamp(c.Next)) + " }"
			})
		}
	case []unitprops.ExecStatus:
		if strings.HasPrefix(name, "Exec") {
			return lines(x, func(e unitprops.ExecStatus) string {
				return formatExec(e.Path, e.Argv, "ignore_errors="+yesNo(e.Ignore), e.Start, e.Exit, e.PID, e.Code, e.Status)
			})
		}
	case []unitprops.ExecStatusEx:
		if strings.HasPrefix(name, "Exec") {
			return lines(x, func(e unitprops.ExecStatusEx) string {
				return formatExec(e.Path, e.Argv, "flags="+strings.Join(e.Flags, " "), e.Start, e.Exit, e.PID, e.Code, e.Status)
			})
		}
	}
	if showEmpty {
		return []string{"[unprintable]"}
	}
	return nil
}

// lines formats each entry of a list on a line of its own; an empty list
// prints nothing, even with --all.
func lines[T any](list []T, f func(T) string) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, f(e))
	}
	return out
}

// formatUint64 is the treatment of a "t" value: timestamps, time spans,
// capability sets and the values that mean "unset" or "no limit".
func formatUint64(name string, v uint64) string {
	const max = 1<<64 - 1
	switch {
	case strings.HasSuffix(name, "Timestamp"), name == "NextElapseUSecRealtime", name == "LastTriggerUSec",
		name == "TimeUSec", name == "RTCTimeUSec":
		return formatTimestamp(v)
	case strings.Contains(name, "USec"):
		return timespan(v)
	case name == "CoredumpFilter":
		return "0x" + strconv.FormatUint(v, 16)
	case name == "CapabilityBoundingSet" || name == "AmbientCapabilities":
		return unit.CapSet(v).String()
	case (name == "CPUWeight" || name == "StartupCPUWeight") && v == 0:
		return "idle"
	case v == max && (oneOf(name, "CPUWeight", "StartupCPUWeight", "IOWeight", "StartupIOWeight", "CPUShares",
		"StartupCPUShares", "BlockIOWeight", "StartupBlockIOWeight", "MemoryCurrent", "TasksCurrent") ||
		strings.HasSuffix(name, "NSec")):
		return "[not set]"
	case v == max && (oneOf(name, "DefaultMemoryLow", "DefaultMemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax",
		"MemorySwapMax", "MemoryLimit", "MemoryAvailable", "TasksMax", "DefaultTasksMax") ||
		strings.HasPrefix(name, "Limit") || strings.HasPrefix(name, "DefaultLimit")):
		return "infinity"
	case v == max && oneOf(name, "IPIngressBytes", "IPIngressPackets", "IPEgressBytes", "IPEgressPackets"):
		return "[no data]"
	}
	return strconv.FormatUint(v, 10)
}

func oneOf(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// timespan is systemd's format_timespan with no rounding: "1min 30s",
// "100ms", "0", "infinity".
func timespan(usec uint64) string { return unit.DurationFromUSec(usec).String() }

// formatTimestamp is systemd's format_timestamp: local time with the
// weekday and zone, "" for 0 and infinity.
func formatTimestamp(usec uint64) string {
	const formattableMax = 253402214399000000 // the end of year 9999
	switch {
	case usec == 0 || usec == 1<<64-1:
		return ""
	case usec > formattableMax:
		return "--- XXXX-XX-XX XX:XX:XX"
	}
	return time.Unix(int64(usec/1e6), 0).Format("Mon 2006-01-02 15:04:05 MST")
}

// orNull is how C's printf shows a NULL string.
func orNull(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

// formatExitStatus is an (aiai) of exit statuses and signals: the
// numbers, then the signals' names.
func formatExitStatus(x unitprops.ExitStatusSet) string {
	var f []string
	for _, n := range x.Status {
		f = append(f, strconv.Itoa(int(n)))
	}
	for _, n := range x.Signals {
		f = append(f, signalName(int(n)))
	}
	return strings.Join(f, " ")
}

// cpuRanges is systemd's cpu_set_to_range_string of an ay bitmask:
// "0-3 6".
func cpuRanges(mask []byte) string {
	var f []string
	for i := 0; i < len(mask)*8; {
		if mask[i/8]&(1<<(i%8)) == 0 {
			i++
			continue
		}
		j := i
		for j+1 < len(mask)*8 && mask[(j+1)/8]&(1<<((j+1)%8)) != 0 {
			j++
		}
		if j > i {
			f = append(f, strconv.Itoa(i)+"-"+strconv.Itoa(j))
		} else {
			f = append(f, strconv.Itoa(i))
		}
		i = j + 1
	}
	return strings.Join(f, " ")
}

// formatExec is one command of an Exec*= property; mid is its
// ignore_errors= or flags= field.
func formatExec(path string, argv []string, mid string, start, exit uint64, pid uint32, code, status int32) string {
	na := func(s string) string {
		if s == "" {
			return "n/a"
		}
		return s
	}
	codeName := "(null)"
	switch code {
	case 1:
		codeName = "exited"
	case 2:
		codeName = "killed"
	case 3:
		codeName = "dumped"
	}
	st := strconv.Itoa(int(status))
	if code != 1 {
		st += "/" + signalName(int(status))
	}
	return fmt.Sprintf("{ path=%s ; argv[]=%s ; %s ; start_time=[%s] ; stop_time=[%s] ; pid=%d ; code=%s ; status=%s }",
		path, strings.Join(argv, " "), mid, na(formatTimestamp(start)), na(formatTimestamp(exit)), pid, codeName, st)
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
