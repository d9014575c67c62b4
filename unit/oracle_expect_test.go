// The half of the systemd oracle (oracle_test.go) that renders pm's model
// the way the dump of `systemd --test` shows it.

package unit

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// oracleImplicit reports dependencies systemd adds by itself but marks as
// "origin-file": the slice (system.slice, system-foo.slice for instances
// of foo@.service), the journal sockets of units that log there,
// dbus.socket of Type=dbus, and the mounts and setup services of the
// paths an exec context uses (StateDirectory=, PrivateTmp=, …). The
// manager adds those; they are ignored unless pm has them too.
func oracleImplicit(name string) bool {
	switch name {
	case "systemd-journald.socket", "systemd-journald-dev-log.socket", "dbus.socket",
		"systemd-remount-fs.service", "systemd-tmpfiles-setup.service":
		return true
	}
	return strings.HasSuffix(name, ".slice") || strings.HasSuffix(name, ".mount")
}

// oracleProp is one property to compare: the values systemd's dump should
// show for key, as pm's model says.
type oracleProp struct {
	key         string
	want        []string
	unordered   bool
	ignoreExtra func(string) bool
}

// oracleExpect renders what systemd's dump of u should say, property by
// property, from pm's model.
func oracleExpect(u *Unit, resolve func(string) string, limits map[string]string) []oracleProp {
	var ps []oracleProp
	one := func(k, v string) { ps = append(ps, oracleProp{key: k, want: []string{v}}) }
	list := func(k string, v []string) { ps = append(ps, oracleProp{key: k, want: v}) }
	set := func(k string, v []string) { ps = append(ps, oracleProp{key: k, want: v, unordered: true}) }
	one("Unit Load State", string(u.LoadState))
	if u.LoadState != LoadLoaded && u.LoadState != LoadMasked {
		return ps
	}
	desc := u.Description
	if desc == "" {
		desc = u.Name
	}
	one("Description", desc)
	list("Fragment Path", oracleNonEmpty(u.FragmentPath))
	list("DropIn Path", u.DropInPaths)
	if u.LoadState == LoadMasked {
		return ps
	}
	set("Alias", u.Names[min(1, len(u.Names)):])
	list("Documentation", u.Documentation)
	var conds []string
	for _, c := range u.Conditions {
		conds = append(conds, oracleCondition("Condition", c))
	}
	for _, c := range u.Asserts {
		conds = append(conds, oracleCondition("Assert", c))
	}
	set("Conditions", conds)
	trigger := ""
	if u.Timer != nil {
		trigger = resolve(oracleOr(u.Timer.Unit, strings.TrimSuffix(u.Name, ".timer")+".service"))
	}
	if u.Socket != nil && u.Socket.Service != "" {
		trigger = resolve(u.Socket.Service)
	}
	for _, d := range []struct {
		kind  string
		names []string
	}{
		{"Requires", u.Requires}, {"Requisite", u.Requisite}, {"Wants", u.Wants},
		{"BindsTo", u.BindsTo}, {"PartOf", u.PartOf}, {"Upholds", u.Upholds},
		{"Conflicts", u.Conflicts}, {"Before", u.Before}, {"After", u.After},
		{"OnFailure", u.OnFailure}, {"OnSuccess", u.OnSuccess},
		{"PropagatesReloadTo", u.PropagatesReloadTo}, {"ReloadPropagatedFrom", u.ReloadPropagatedFrom},
		{"PropagatesStopTo", u.PropagatesStopTo}, {"StopPropagatedFrom", u.StopPropagatedFrom},
	} {
		var names []string
		for _, n := range d.names {
			if r := resolve(n); r != u.Name && !slices.Contains(names, r) {
				names = append(names, r)
			}
		}
		ignore := oracleImplicit
		if d.kind == "Before" && trigger != "" {
			// Unit= of a timer and Service= of a socket order the unit
			// before what it triggers; the manager adds that.
			ignore = func(n string) bool { return n == trigger || oracleImplicit(n) }
		}
		ps = append(ps, oracleProp{key: "dep:" + d.kind, want: names, unordered: true, ignoreExtra: ignore})
	}
	action := func(k string, a EmergencyAction) {
		if a != ActionNone && a != "" {
			one(k, string(a))
		} else {
			list(k, nil)
		}
	}
	action("Failure Action", u.FailureAction)
	action("Success Action", u.SuccessAction)
	if u.JobTimeoutSec != Infinity {
		one("Job Timeout", u.JobTimeoutSec.Timespan(0))
	} else {
		list("Job Timeout", nil)
	}
	yn := func(k string, b bool) { one(k, oracleYesNo(b)) }
	yn("StopWhenUnneeded", u.StopWhenUnneeded)
	yn("RefuseManualStart", u.RefuseManualStart)
	yn("RefuseManualStop", u.RefuseManualStop)
	yn("DefaultDependencies", u.DefaultDependencies)
	one("OnFailureJobMode", string(u.OnFailureJobMode))
	if s := u.Service; s != nil {
		one("Type", string(s.Type))
		one("Restart", string(s.Restart))
		one("NotifyAccess", string(s.NotifyAccess))
		yn("RemainAfterExit", s.RemainAfterExit)
		yn("GuessMainPID", s.GuessMainPID)
		yn("PermissionsStartOnly", s.PermissionsStartOnly)
		one("OOMPolicy", s.OOMPolicy)
		list("PIDFile", oracleNonEmpty(s.PIDFile))
		list("BusName", oracleNonEmpty(s.BusName))
		sec := func(k string, d Duration) { one(k, d.Timespan(Duration(time.Second))) }
		sec("RestartSec", s.RestartSec)
		sec("TimeoutStartSec", s.TimeoutStartSec)
		sec("TimeoutStopSec", s.TimeoutStopSec)
		if s.TimeoutAbortSet {
			sec("TimeoutAbortSec", s.TimeoutAbortSec)
		}
		sec("RuntimeMaxSec", s.RuntimeMaxSec)
		sec("WatchdogSec", s.WatchdogSec)
		for _, e := range []struct {
			kind string
			cmds []ExecCommand
		}{
			{"ExecCondition", s.ExecCondition}, {"ExecStartPre", s.ExecStartPre}, {"ExecStart", s.ExecStart},
			{"ExecStartPost", s.ExecStartPost}, {"ExecReload", s.ExecReload}, {"ExecStop", s.ExecStop},
			{"ExecStopPost", s.ExecStopPost},
		} {
			list(e.kind, oracleCommands(e.cmds))
		}
		ps = append(ps, oracleKill(&s.Kill)...)
		ps = append(ps, oracleExecContext(&s.Exec, limits)...)
		ps = append(ps, oracleResources(&s.Resources)...)
	}
	if s := u.Socket; s != nil {
		var ls []string
		for _, l := range s.Listen {
			ls = append(ls, string(l.Kind)+": "+l.Address)
		}
		list("Listen", ls)
		one("BindIPv6Only", s.BindIPv6Only)
		one("Backlog", strconv.FormatUint(uint64(s.Backlog), 10))
		one("SocketMode", s.SocketMode.String())
		one("DirectoryMode", s.DirectoryMode.String())
		yn("KeepAlive", s.KeepAlive)
		yn("NoDelay", s.NoDelay)
		yn("FreeBind", s.FreeBind)
		yn("PassCredentials", s.PassCredentials)
		yn("RemoveOnStop", s.RemoveOnStop)
		yn("Writable", s.Writable)
		fd := s.FileDescriptorName
		if fd == "" {
			fd = u.Name
		}
		one("FileDescriptorName", fd)
		if s.Accept {
			one("MaxConnections", strconv.FormatUint(uint64(s.MaxConnections), 10))
			one("MaxConnectionsPerSource", strconv.FormatUint(uint64(s.MaxConnectionsPerSource), 10))
		} else {
			list("MaxConnections", nil)
		}
		if s.ReusePort {
			one("ReusePort", "yes")
		}
		for _, e := range []struct {
			kind string
			cmds []ExecCommand
		}{
			{"ExecStartPre", s.ExecStartPre}, {"ExecStartPost", s.ExecStartPost},
			{"ExecStopPre", s.ExecStopPre}, {"ExecStopPost", s.ExecStopPost},
		} {
			list(e.kind, oracleCommands(e.cmds))
		}
		ps = append(ps, oracleExecContext(&s.Exec, limits)...)
	}
	if tm := u.Timer; tm != nil {
		unitName := tm.Unit
		if unitName == "" {
			unitName = strings.TrimSuffix(u.Name, ".timer") + ".service"
		}
		one("Unit", resolve(unitName))
		yn("Persistent", tm.Persistent)
		yn("WakeSystem", tm.WakeSystem)
		one("Accuracy", tm.AccuracySec.Timespan(0))
		yn("RemainAfterElapse", tm.RemainAfterElapse)
		var vs []string
		for _, c := range tm.OnCalendar {
			vs = append(vs, "OnCalendar: "+c.String())
		}
		for _, b := range []struct {
			k string
			d []Duration
		}{{"OnActiveSec", tm.OnActiveSec}, {"OnBootSec", tm.OnBootSec}, {"OnStartupSec", tm.OnStartupSec}, {"OnUnitActiveSec", tm.OnUnitActiveSec}, {"OnUnitInactiveSec", tm.OnUnitInactiveSec}} {
			for _, d := range b.d {
				vs = append(vs, b.k+": "+d.Timespan(0))
			}
		}
		set("TimerValues", vs)
	}
	return ps
}

func oracleKill(k *KillContext) []oracleProp {
	ps := []oracleProp{
		{key: "KillMode", want: []string{string(k.KillMode)}},
		{key: "SendSIGKILL", want: []string{oracleYesNo(k.SendSIGKILL)}},
		{key: "SendSIGHUP", want: []string{oracleYesNo(k.SendSIGHUP)}},
	}
	// systemd prints the three signals with one fprintf, and
	// signal_to_string formats real-time signals into one static buffer:
	// with two of them real-time, the dump shows the last one twice. Such
	// signals cannot be compared.
	sigs := []struct {
		k string
		s Signal
	}{{"KillSignal", k.KillSignal}, {"RestartKillSignal", k.RestartKillSignal}, {"FinalKillSignal", k.FinalKillSignal}}
	rt := 0
	for _, x := range sigs {
		if x.s >= SignalRTMin {
			rt++
		}
	}
	for _, x := range sigs {
		if rt < 2 || x.s < SignalRTMin {
			ps = append(ps, oracleProp{key: x.k, want: []string{x.s.String()}})
		}
	}
	return ps
}

func oracleExecContext(c *ExecContext, defaults map[string]string) []oracleProp {
	var ps []oracleProp
	one := func(k, v string) { ps = append(ps, oracleProp{key: k, want: []string{v}}) }
	list := func(k string, v []string) { ps = append(ps, oracleProp{key: k, want: v}) }
	one("UMask", c.UMask.String())
	wd := c.WorkingDirectory
	if wd == "" || wd == "~" {
		wd = "/"
	}
	one("WorkingDirectory", wd)
	one("RootDirectory", oracleOr(c.RootDirectory, "/"))
	// systemd replaces an earlier assignment of the same variable in place.
	var env []string
	for _, e := range c.Environment {
		k, _, _ := strings.Cut(e, "=")
		if i := slices.IndexFunc(env, func(x string) bool { return strings.HasPrefix(x, k+"=") }); i >= 0 {
			env[i] = e
		} else {
			env = append(env, e)
		}
	}
	list("Environment", env)
	var ef []string
	for _, f := range c.EnvironmentFiles {
		if f.Optional {
			ef = append(ef, "-"+f.Path)
		} else {
			ef = append(ef, f.Path)
		}
	}
	list("EnvironmentFile", ef)
	ps = append(ps, oracleProp{key: "PassEnvironment", want: c.PassEnvironment, unordered: true})
	ps = append(ps, oracleProp{key: "UnsetEnvironment", want: c.UnsetEnvironment, unordered: true})
	// Every Limit*= line: pm's limits over the manager's defaults.
	limits := maps.Clone(defaults)
	for name, l := range c.Limits {
		limits["Limit"+name] = strconv.FormatUint(l.Hard, 10)
		limits["Limit"+name+"Soft"] = strconv.FormatUint(l.Soft, 10)
	}
	var lines []string
	for k, v := range limits {
		lines = append(lines, k+": "+v)
	}
	ps = append(ps, oracleProp{key: "Limits", want: lines, unordered: true})
	if c.Nice != nil {
		one("Nice", strconv.Itoa(*c.Nice))
	}
	if c.OOMScoreAdjust != nil {
		one("OOMScoreAdjust", strconv.Itoa(*c.OOMScoreAdjust))
	}
	one("StandardInput", c.StandardInput.Type)
	one("StandardOutput", c.StandardOutput.Type)
	one("StandardError", c.StandardError.Type)
	for _, io := range []struct {
		k string
		s StdIO
	}{{"StandardInput", c.StandardInput}, {"StandardOutput", c.StandardOutput}, {"StandardError", c.StandardError}} {
		suffix := map[string]string{"file": "File", "append": "FileToAppend", "truncate": "FileToTruncate"}[io.s.Type]
		if suffix != "" {
			one(io.k+suffix, io.s.Path)
		}
	}
	list("User", oracleNonEmpty(c.User))
	list("Group", oracleNonEmpty(c.Group))
	one("DynamicUser", oracleYesNo(c.DynamicUser))
	if len(c.SupplementaryGroups) > 0 {
		one("SupplementaryGroups", strings.Join(c.SupplementaryGroups, " "))
	} else {
		list("SupplementaryGroups", nil)
	}
	if c.CapabilityBoundingSet != CapAll {
		one("CapabilityBoundingSet", c.CapabilityBoundingSet.String())
	} else {
		list("CapabilityBoundingSet", nil)
	}
	if c.AmbientCapabilities != 0 {
		one("AmbientCapabilities", c.AmbientCapabilities.String())
	} else {
		list("AmbientCapabilities", nil)
	}
	for _, d := range []struct {
		k    string
		dirs []string
		mode Mode
	}{
		{"RuntimeDirectory", c.RuntimeDirectory, c.RuntimeDirectoryMode},
		{"StateDirectory", c.StateDirectory, c.StateDirectoryMode},
		{"CacheDirectory", c.CacheDirectory, c.CacheDirectoryMode},
		{"LogsDirectory", c.LogsDirectory, c.LogsDirectoryMode},
		{"ConfigurationDirectory", c.ConfigurationDirectory, c.ConfigurationDirectoryMode},
	} {
		list(d.k, d.dirs)
		one(d.k+"Mode", d.mode.String())
	}
	one("RuntimeDirectoryPreserve", c.RuntimeDirectoryPreserve)
	return ps
}

func oracleResources(r *Resources) []oracleProp {
	var ps []oracleProp
	one := func(k, v string) { ps = append(ps, oracleProp{key: k, want: []string{v}}) }
	one("CPUWeight", strconv.FormatUint(r.CPUWeight, 10))
	one("IOWeight", strconv.FormatUint(r.IOWeight, 10))
	one("CPUQuotaPerSecSec", r.CPUQuotaPerSecSec.Timespan(0))
	one("Delegate", oracleYesNo(r.Delegate))
	for _, l := range []struct {
		k string
		v Limit
	}{{"MemoryMin", r.MemoryMin}, {"MemoryLow", r.MemoryLow}, {"MemoryHigh", r.MemoryHigh}, {"MemoryMax", r.MemoryMax}, {"MemorySwapMax", r.MemorySwapMax}, {"MemoryLimit", r.MemoryLimit}, {"TasksMax", r.TasksMax}} {
		// Percentages scale with the machine; only absolute limits compare.
		if l.v.Permyriad == 0 {
			one(l.k, strconv.FormatUint(l.v.Value, 10))
		}
	}
	return ps
}

// oracleCondition renders a condition as systemd's dump does.
func oracleCondition(kind string, c Condition) string {
	s := kind + c.Type + ": "
	if c.Trigger {
		s += "|"
	}
	if c.Negate {
		s += "!"
	}
	return s + c.Parameter + " untested"
}

// oracleCommands renders command lines as systemd's dump does: argv words
// quoted for a shell where needed (quote_command_line with
// SHELL_ESCAPE_EMPTY). The path and prefixes are not in the dump.
func oracleCommands(cmds []ExecCommand) []string {
	var out []string
	for _, c := range cmds {
		words := make([]string, len(c.Argv))
		for i, w := range c.Argv {
			words[i] = oracleQuote(w)
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

// oracleQuote quotes a word as systemd's shell_maybe_quote does without
// SHELL_ESCAPE_POSIX: left alone unless it holds blanks, shell
// metacharacters, control characters or invalid UTF-8; otherwise put in
// double quotes, with " \ ` $ backslash-escaped and control characters and
// invalid bytes C-escaped.
func oracleQuote(s string) string {
	if s == "" {
		return `""`
	}
	if utf8.ValidString(s) && !strings.ContainsAny(s, " \t\n\r\"\\`$*?['()<>|&;!") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		c := s[i]
		switch {
		case r == utf8.RuneError && n == 1, c < ' ', c == 0x7f:
			b.WriteString(oracleCEscape(c))
		case n == 1 && strings.IndexByte("\"\\`$", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

func oracleCEscape(c byte) string {
	switch c {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	return fmt.Sprintf(`\x%02x`, c)
}

func oracleYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oracleNonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func oracleOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func oracleSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestOracleQuote(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "/bin/true", "/bin/true"},
		{"empty", "", `""`},
		{"blank", "a b", `"a b"`},
		{"dollar", "$A", `"\$A"`},
		{"quote and backslash", `x"y\z`, `"x\"y\\z"`},
		{"semicolon", ";", `";"`},
		{"tab", "a\tb", `"a\tb"`},
		{"utf8", "é", "é"},
		{"invalid utf8", "a\xffb", `"a\xffb"`},
		{"percent", "100%", "100%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oracleQuote(tc.in); got != tc.want {
				t.Errorf("oracleQuote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseDump(t *testing.T) {
	out := "systemd 252 running in test system mode\n" +
		"/x/foo.service:3: Unknown key 'Bar' in section [Unit], ignoring.\n" +
		"-> By units:\n" +
		"\t-> Unit foo.service:\n" +
		"\t\tAlias: bar.service\n" +
		"\t\tDescription: Foo: the daemon\n" +
		"\t\tAfter: a.service (origin-file)\n" +
		"\t\tAfter: b.service (origin-default)\n" +
		"\t\tAllowedCPUs: \n" +
		"\t\t-> ExecStart:\n" +
		"\t\t\tCommand Line: /bin/echo \"a b\"\n" +
		"\t\t-> Job 1:\n" +
		"\t\t\tAction: foo.service -> start\n" +
		"\t-> Unit bar.target:\n" +
		"\t\tUnit Load State: not-found\n" +
		"-> By jobs:\n" +
		"\t-> Job 1:\n"
	units, msgs := parseDump(out)
	if len(units) != 2 {
		t.Fatalf("got %d units, want 2", len(units))
	}
	if want := []string{"/x/foo.service:3: Unknown key 'Bar' in section [Unit], ignoring."}; !slices.Equal(msgs, want) {
		t.Errorf("got messages %q, want %q", msgs, want)
	}
	foo := units["foo.service"]
	for _, tc := range []struct {
		key  string
		want []string
	}{
		{"Description", []string{"Foo: the daemon"}},
		{"Alias", []string{"bar.service"}},
		{"dep:After", []string{"a.service"}},
		{"AllowedCPUs", []string{""}},
		{"ExecStart", []string{`/bin/echo "a b"`}},
		{"Action", nil},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := foo.values(tc.key); !slices.Equal(got, tc.want) {
				t.Errorf("values(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
	if got := units["bar.target"].values("Unit Load State"); !slices.Equal(got, []string{"not-found"}) {
		t.Errorf("bar.target load state = %q, want not-found", got)
	}
}
