package unit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// oracleBinary is systemd 252's manager, whose --test mode loads units and
// dumps what it understood without starting anything.
const oracleBinary = "/lib/systemd/systemd"

// oracleProbe is the target the oracle starts: it wants every unit of a
// case, so one run of systemd dumps them all, bad-setting ones included.
const oracleProbe = "pm-oracle-probe.target"

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

// knownOracleDiffs lists the differences between pm and systemd 252 that
// are understood and accepted, keyed "case/unit/Property", with the reason.
// They are logged instead of failing the test.
//
// Entries marked "pm bug" are differences reported to be fixed in pm: they
// are listed here, and in the case's comment as DIFFERS FROM SYSTEMD, so
// that the test passes meanwhile. Remove the entry with the fix.
var knownOracleDiffs = map[string]string{
	"timespan-infinity-zero/foo.service/NotifyAccess": "pm bug: WatchdogSec=infinity is a watchdog (watchdog_usec > 0), so NotifyAccess defaults to main",
	"service-dynamicuser/foo.service/User":            "pm bug: DynamicUser=yes without User= uses the unit's prefix as user name (unit_patch_contexts)",
	"service-dynamicuser/foo.service/Group":           "pm bug: DynamicUser=yes without Group= uses the user name as group name (unit_patch_contexts)",
}

// TestSystemdOracle loads every golden case that has unit files with pm and
// with systemd 252 (`systemd --test --system`, as the nobody user), and
// compares what both understood: load state, paths, dependencies written
// in the files, conditions, the service, socket and timer settings, the
// exec context and every command line. Cases whose comment says
// "no-oracle", and YAML-only cases, are skipped.
func TestSystemdOracle(t *testing.T) {
	if reason, hint := oracleUnavailable(); reason != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("systemd oracle unavailable: %s%s", reason, hint)
		}
		t.Skipf("systemd oracle unavailable: %s", reason)
	}
	files, err := filepath.Glob("../testdata/units/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	host := oracleHost()
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runUnitOracle(t, f, host)
		})
	}
}

// oracleUnavailable says why the oracle cannot run here ("" if it can),
// with a hint on how to fix it.
func oracleUnavailable() (reason, hint string) {
	if _, err := os.Stat(oracleBinary); err != nil {
		return oracleBinary + " is missing", "; run hack/install-deps.sh to install systemd"
	}
	out, err := exec.Command(oracleBinary, "--version").Output()
	if err != nil {
		return fmt.Sprintf("%s --version: %v", oracleBinary, err), ""
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if f := strings.Fields(first); len(f) < 2 || f[0] != "systemd" || f[1] != "252" {
		return fmt.Sprintf("%s is %q, not systemd 252", oracleBinary, first), ""
	}
	if os.Geteuid() != 0 {
		return "not root (systemd --test must be run as nobody, which needs root to switch to)", ""
	}
	return "", ""
}

// oracleHost is the host systemd sees when the oracle runs it: this
// machine, as the system manager, with $HOME and $SHELL set by runSystemd.
func oracleHost() *Host {
	h := ReadHost(true)
	h.Home, h.Shell = "/root", "/bin/sh"
	h.TempDir, h.VarTempDir = "/tmp", "/var/tmp"
	return h
}

// oracleTree is one golden case written out for pm and systemd.
type oracleTree struct {
	root    string   // the case's files
	path    []string // the unit search path
	probe   []string // the names to load
	units   map[string]*Unit
	primary map[string]string // every name pm knows → primary name
}

func runUnitOracle(t *testing.T, file string, host *Host) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ar.Comment), "no-oracle") {
		t.Skip("case is marked no-oracle")
	}
	tree := writeOracleTree(t, ar)
	if tree == nil {
		t.Skip("no unit files (YAML-only case)")
	}
	tree.loadPM(t, ar, host)
	if len(tree.probe) == 0 {
		t.Skip("no unit to load")
	}
	out := runSystemd(t, tree)
	dump, msgs := parseDump(out)
	for _, m := range msgs {
		t.Logf("systemd: %s", m)
	}
	if len(dump) == 0 {
		t.Fatalf("systemd dumped no unit:\n%s", out)
	}
	base := strings.TrimSuffix(filepath.Base(file), ".txtar")
	for _, n := range tree.probe {
		u := tree.units[n]
		if u == nil {
			continue
		}
		id := u.Name
		d := dump[id]
		if d == nil {
			d = dump[n]
		}
		if d == nil {
			t.Errorf("%s: systemd did not dump %s (pm: %s)", n, id, u.LoadState)
			continue
		}
		if os.Getenv("PM_ORACLE_DUMP") != "" {
			for _, kv := range d.lines {
				t.Logf("dump %s: %s: %s", id, kv[0], kv[1])
			}
		}
		props := oracleExpect(u, tree.resolve)
		t.Logf("%s: comparing %d properties (pm: %s)", n, len(props), u.LoadState)
		for _, p := range props {
			got := d.values(p.key)
			want := p.want
			if p.unordered {
				got, want = oracleSorted(got), oracleSorted(want)
			}
			if p.ignoreExtra != nil {
				got = slices.DeleteFunc(got, func(s string) bool { return p.ignoreExtra(s) && !slices.Contains(want, s) })
			}
			if slices.Equal(got, want) {
				continue
			}
			key := base + "/" + id + "/" + p.key
			msg := fmt.Sprintf("%s %s: systemd %q, pm %q", id, p.key, got, want)
			if why, ok := knownOracleDiffs[key]; ok {
				t.Logf("known difference: %s (%s)", msg, why)
				continue
			}
			t.Error(msg)
		}
	}
}

// writeOracleTree writes the unit files of a case below a fresh directory
// that the nobody user can read, and the stub targets systemd needs. It
// returns nil when the case has no unit files.
func writeOracleTree(t *testing.T, ar *txtar.Archive) *oracleTree {
	parent, err := os.MkdirTemp("", "pm-oracle-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(parent, "case")
	tree := &oracleTree{root: root}
	layered, unitFiles := false, 0
	mkdir := func(p string) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mkdir(root)
	var links string
	for _, f := range ar.Files {
		switch f.Name {
		case "symlinks":
			links = string(f.Data)
			continue
		case "load", "verify", "want.json", "want.diag":
			continue
		}
		if !strings.HasPrefix(f.Name, "config/") {
			unitFiles++
		}
		for _, d := range searchDirs {
			if strings.HasPrefix(f.Name, d+"/") {
				layered = true
			}
		}
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		mkdir(filepath.Dir(p))
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range strings.Split(links, "\n") {
		link, target, ok := strings.Cut(line, " -> ")
		if !ok {
			continue
		}
		link, target = strings.TrimSpace(link), strings.TrimSpace(target)
		if strings.HasPrefix(target, "/") && target != "/dev/null" {
			target = filepath.Join(root, target)
		}
		unitFiles++
		p := filepath.Join(root, link)
		mkdir(filepath.Dir(p))
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	if unitFiles == 0 {
		return nil
	}
	if layered {
		for _, d := range searchDirs {
			tree.path = append(tree.path, filepath.Join(root, d))
		}
	} else {
		tree.path = []string{root}
	}
	// The directories of a case are world-readable already (0755 and
	// 0644 under a 0755 parent).
	return tree
}

// loadPM loads the case with pm as the golden test does, and records the
// names systemd must load.
func (tr *oracleTree) loadPM(t *testing.T, ar *txtar.Archive, host *Host) {
	special := map[string]string{}
	for _, f := range ar.Files {
		special[f.Name] = string(f.Data)
	}
	if _, err := os.Stat(filepath.Join(tr.root, "config")); err == nil {
		t.Skip("case has YAML config, which systemd does not read")
	}
	tr.units = map[string]*Unit{}
	add := func(n string, u *Unit) {
		if u == nil {
			return
		}
		if pn, err := ParseName(n); err == nil && pn.IsTemplate() {
			return
		}
		tr.units[n] = u
		tr.probe = append(tr.probe, n)
	}
	if v := special["verify"]; v != "" {
		var paths []string
		for _, p := range strings.Fields(v) {
			paths = append(paths, filepath.Join(tr.root, p))
		}
		l := Loader{Host: host}
		us, _ := l.LoadFiles(paths)
		var dirs []string
		for i, p := range paths {
			dirs = appendNew(dirs, []string{filepath.Dir(p)})
			if i < len(us) && us[i] != nil {
				add(verifyInstance(filepath.Base(p)), us[i])
			}
		}
		tr.path = dirs
	} else if n := special["load"]; n != "" {
		l := Loader{Host: host, Path: tr.path}
		x, _ := l.Scan()
		for _, name := range strings.Fields(n) {
			u, _ := x.Load(name, host)
			add(name, u)
		}
	}
	l := Loader{Host: host, Path: tr.path}
	set, _ := l.LoadAll()
	tr.primary = map[string]string{}
	for n, u := range set.Units {
		tr.primary[n] = u.Name
	}
	if special["verify"] == "" && special["load"] == "" {
		names := make([]string, 0, len(set.Units))
		for n, u := range set.Units {
			if n == u.Name {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			add(n, set.Units[n])
		}
	}
	for _, u := range tr.units {
		for _, n := range u.Names {
			tr.primary[n] = u.Name
		}
	}
}

// resolve maps a unit name to the primary name of the unit pm loaded for
// it, as systemd's dependencies name units by their id.
func (tr *oracleTree) resolve(n string) string {
	if p, ok := tr.primary[n]; ok {
		return p
	}
	return n
}

// runSystemd writes the probe target and runs systemd --test on the tree
// as nobody; it returns what systemd printed.
func runSystemd(t *testing.T, tr *oracleTree) string {
	stubs := filepath.Join(filepath.Dir(tr.root), "stubs")
	if err := os.MkdirAll(stubs, 0o755); err != nil {
		t.Fatal(err)
	}
	var wants []string
	for _, n := range tr.probe {
		wants = append(wants, strings.ReplaceAll(n, "%", "%%"))
	}
	files := map[string]string{
		oracleProbe: "[Unit]\nDefaultDependencies=no\nWants=" + strings.Join(wants, " ") + "\n",
	}
	// What DefaultDependencies=yes pulls in, so that those units load.
	for _, n := range []string{"sysinit.target", "basic.target", "shutdown.target"} {
		files[n] = "[Unit]\nDefaultDependencies=no\n"
	}
	for n, data := range files {
		if err := os.WriteFile(filepath.Join(stubs, n), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, oracleBinary, "--test", "--system", "--unit="+oracleProbe, "--no-pager")
	cmd.Dir = filepath.Dir(tr.root)
	cmd.Env = []string{
		"SYSTEMD_UNIT_PATH=" + strings.Join(append(slices.Clone(tr.path), stubs), ":"),
		"SYSTEMD_LOG_TARGET=console", "SYSTEMD_LOG_COLOR=0", "SYSTEMD_LOG_LOCATION=0",
		"HOME=/root", "SHELL=/bin/sh", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil && buf.Len() == 0 {
		t.Fatalf("systemd --test: %v", err)
	}
	return buf.String()
}

// dumpUnit is one "-> Unit NAME:" block of systemd's dump.
type dumpUnit struct {
	lines [][2]string // key, value in order; exec commands as "ExecStart", line
}

func (d *dumpUnit) values(key string) []string {
	var out []string
	for _, kv := range d.lines {
		if kv[0] == key || (key == "Conditions" && (strings.HasPrefix(kv[0], "Condition") || strings.HasPrefix(kv[0], "Assert"))) {
			v := kv[1]
			if key == "Conditions" {
				v = kv[0] + ": " + v
			}
			out = append(out, v)
		}
		if key == "Listen" && strings.HasPrefix(kv[0], "Listen") {
			out = append(out, kv[0]+": "+kv[1])
		}
		if key == "TimerValues" && (kv[0] == "OnCalendar" || (strings.HasPrefix(kv[0], "On") && strings.HasSuffix(kv[0], "Sec"))) {
			out = append(out, kv[0]+": "+kv[1])
		}
	}
	if strings.HasPrefix(key, "dep:") {
		out = nil
		for _, kv := range d.lines {
			if kv[0] != key[len("dep:"):] {
				continue
			}
			name, origin, _ := strings.Cut(kv[1], " (")
			if strings.Contains(origin, "origin-file") {
				out = append(out, name)
			}
		}
	}
	return out
}

// parseDump reads the "-> By units:" part of the output of systemd --test
// and returns the units by id, and the other lines systemd printed (its
// warnings and errors).
func parseDump(out string) (map[string]*dumpUnit, []string) {
	units := map[string]*dumpUnit{}
	var msgs []string
	var cur *dumpUnit
	sub, inUnits, done := "", false, false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case done:
			continue
		case line == "-> By units:":
			inUnits = true
			continue
		case line == "-> By jobs:":
			done = true
			continue
		case !inUnits:
			if line != "" && !oracleNoise(line) {
				msgs = append(msgs, line)
			}
			continue
		}
		tabs := len(line) - len(strings.TrimLeft(line, "\t"))
		text := line[tabs:]
		switch {
		case tabs == 1 && strings.HasPrefix(text, "-> Unit "):
			cur = &dumpUnit{}
			units[strings.TrimSuffix(strings.TrimPrefix(text, "-> Unit "), ":")] = cur
			sub = ""
		case cur == nil:
		case tabs == 2 && strings.HasPrefix(text, "-> "):
			sub = strings.TrimSuffix(strings.TrimPrefix(text, "-> "), ":")
		case tabs == 2:
			sub = ""
			k, v, _ := strings.Cut(text, ":")
			cur.lines = append(cur.lines, [2]string{k, strings.TrimPrefix(v, " ")})
		case tabs == 3 && strings.HasPrefix(sub, "Exec") && strings.HasPrefix(text, "Command Line: "):
			cur.lines = append(cur.lines, [2]string{sub, strings.TrimPrefix(text, "Command Line: ")})
		}
	}
	return units, msgs
}

// oracleNoise reports lines of systemd --test that say nothing about the
// units.
func oracleNoise(line string) bool {
	for _, p := range []string{
		"systemd 252", "Detected virtualization", "Detected architecture",
		"Failed to parse $SYSTEMD_GETTY_AUTO", "Loaded units and determined",
		"Failed to create /init.scope", "Failed to allocate manager object",
		"Failed to open configuration file '/root/.config/systemd/",
	} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
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
func oracleExpect(u *Unit, resolve func(string) string) []oracleProp {
	var ps []oracleProp
	one := func(k, v string) { ps = append(ps, oracleProp{key: k, want: []string{v}}) }
	list := func(k string, v []string) { ps = append(ps, oracleProp{key: k, want: v}) }
	set := func(k string, v []string) { ps = append(ps, oracleProp{key: k, want: v, unordered: true}) }
	one("Unit Load State", string(u.LoadState))
	if u.LoadState != LoadLoaded {
		return ps
	}
	desc := u.Description
	if desc == "" {
		desc = u.Name
	}
	one("Description", desc)
	list("Fragment Path", oracleNonEmpty(u.FragmentPath))
	list("DropIn Path", u.DropInPaths)
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
		ps = append(ps, oracleProp{key: "dep:" + d.kind, want: names, unordered: true, ignoreExtra: oracleImplicit})
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
		ps = append(ps, oracleExecContext(&s.Exec)...)
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
		ps = append(ps, oracleExecContext(&s.Exec)...)
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
	return []oracleProp{
		{key: "KillMode", want: []string{string(k.KillMode)}},
		{key: "KillSignal", want: []string{k.KillSignal.String()}},
		{key: "RestartKillSignal", want: []string{k.RestartKillSignal.String()}},
		{key: "FinalKillSignal", want: []string{k.FinalKillSignal.String()}},
		{key: "SendSIGKILL", want: []string{oracleYesNo(k.SendSIGKILL)}},
		{key: "SendSIGHUP", want: []string{oracleYesNo(k.SendSIGHUP)}},
	}
}

func oracleExecContext(c *ExecContext) []oracleProp {
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
	for _, name := range RlimitNames {
		if l, ok := c.Limits[name]; ok {
			one("Limit"+name, strconv.FormatUint(l.Hard, 10))
			one("Limit"+name+"Soft", strconv.FormatUint(l.Soft, 10))
		}
	}
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

// shellQuote quotes a word as systemd's shell_maybe_quote does without
// SHELL_ESCAPE_POSIX.
func oracleQuote(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\n\r\"\\`$*?['()<>|&;!") && !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < ' ' || c == 0x7f:
			b.WriteString(oracleCEscape(c))
		case strings.IndexByte("\"\\`$", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
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
