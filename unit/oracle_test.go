package unit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// oracleReference is a plain service the probe also wants: its dump shows
// the manager's defaults that depend on the machine (the Limit*= systemd
// sets for every unit), against which units that set nothing compare.
const oracleReference = "pm-oracle-reference.service"

// knownOracleDiffs lists the differences between pm and systemd 252 that
// are understood and accepted, keyed "case/unit/Property", with the reason.
// They are logged instead of failing the test.
//
// Entries marked "pm bug" are differences reported to be fixed in pm: they
// are listed here, and in the case's comment as DIFFERS FROM SYSTEMD, so
// that the test passes meanwhile. Remove the entry with the fix.
var knownOracleDiffs = map[string]string{
	"alias-template-instance/foo@x.service/Description": "pm differs: systemd parses the fragment with the name the unit was loaded by (bar@x.service) before renaming it, so %n %p expand to the alias; pm always uses the primary name",
}

// TestSystemdOracle loads every golden case that has unit files with pm and
// with systemd 252 (`systemd --test --system`, as the nobody user), and
// compares what both understood: load state, paths, dependencies written
// in the files, conditions, the service, socket and timer settings, the
// exec context and every command line. Cases whose comment says
// "no-oracle", and YAML-only cases, are skipped.
//
// PM_ORACLE_CASES=GLOB runs other txtar cases instead (say, a directory of
// unit files being explored); PM_ORACLE_DUMP=1 logs systemd's whole dump of
// each unit. See docs/testing.md.
func TestSystemdOracle(t *testing.T) {
	if reason, hint := oracleUnavailable(); reason != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("systemd oracle unavailable: %s%s", reason, hint)
		}
		t.Skipf("systemd oracle unavailable: %s", reason)
	}
	glob := "../testdata/units/*.txtar"
	if g := os.Getenv("PM_ORACLE_CASES"); g != "" {
		// Other cases, for exploring: the txtar format of TestGolden.
		glob = g
	}
	files, err := filepath.Glob(glob)
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
		props := oracleExpect(u, tree.resolve, oracleLimits(dump[oracleReference]))
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
		oracleProbe:     "[Unit]\nDefaultDependencies=no\nWants=" + strings.Join(append(wants, oracleReference), " ") + "\n",
		oracleReference: "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/bin/true\n",
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
		if key == "Limits" && strings.HasPrefix(kv[0], "Limit") {
			out = append(out, kv[0]+": "+kv[1])
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

// oracleLimits returns the Limit*= lines of the reference unit's dump.
func oracleLimits(d *dumpUnit) map[string]string {
	m := map[string]string{}
	if d == nil {
		return m
	}
	for _, kv := range d.lines {
		if strings.HasPrefix(kv[0], "Limit") {
			m[kv[0]] = kv[1]
		}
	}
	return m
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
