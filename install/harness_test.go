package install_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/unit"
)

// A tree describes files below a root: path → content, or "-> target"
// for a symlink, or "dir" for an empty directory.
type tree map[string]string

// installCase is a tree and systemctl commands run on it in order
// (without --root, which the harness adds).
type installCase struct {
	name string
	tree tree
	cmds []string
}

// result is what one command printed (standard output first, then
// standard error, the root shown as ROOT) and its exit status.
type result struct {
	out string
	rc  int
}

// expectation is what a case gives with systemd 252's systemctl: the
// result of each command, and the symlinks below the root at the end
// (path → target).
type expectation struct {
	results []result
	links   map[string]string
}

// Unit file helpers for the tables.
const (
	sysDir = "/usr/lib/systemd/system"
	libDir = "/lib/systemd/system"
	etcDir = "/etc/systemd/system"
	runDir = "/run/systemd/system"
)

// svc is a service unit with the given [Install] lines.
func svc(install ...string) string {
	s := "[Unit]\nDescription=test\n\n[Service]\nExecStart=/bin/true\n"
	if len(install) > 0 {
		s += "\n[Install]\n" + strings.Join(install, "\n") + "\n"
	}
	return s
}

// target is a target unit with the given [Install] lines.
func target(install ...string) string {
	s := "[Unit]\nDescription=test target\n"
	if len(install) > 0 {
		s += "\n[Install]\n" + strings.Join(install, "\n") + "\n"
	}
	return s
}

// build creates t below root.
func build(tb testing.TB, root string, t tree) {
	tb.Helper()
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		v := t[p]
		full := filepath.Join(root, p)
		if v == "dir" {
			if err := os.MkdirAll(full, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if target, ok := strings.CutPrefix(v, "-> "); ok {
			if err := os.Symlink(target, full); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(v), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// snapshot describes everything below root: "dir", "-> target" or the
// file's content.
func snapshot(tb testing.TB, root string) map[string]string {
	tb.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, root)
		if rel == "" {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			m[rel] = "-> " + t
		case d.IsDir():
			m[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// links returns the symlinks of a snapshot.
func links(snap map[string]string) map[string]string {
	m := map[string]string{}
	for p, v := range snap {
		if t, ok := strings.CutPrefix(v, "-> "); ok {
			m[p] = t
		}
	}
	return m
}

// diffMaps describes how got differs from want, or "".
func diffMaps(got, want map[string]string) string {
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "  missing %s (want %q)\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "  extra   %s = %q\n", k, g)
		case g != w:
			fmt.Fprintf(&b, "  %s = %q, want %q\n", k, g, w)
		}
	}
	return b.String()
}

// noticeFirst is the first line of systemctl's notice about units without
// installation config; the harness stands the whole notice for it.
const noticeFirst = "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,"

// notice is what the harness prints for that notice.
const notice = "NOTICE no installation config"

// normalize replaces the root by ROOT and the installation notice by
// notice, and drops empty trailing lines.
func normalize(root string, lines []string) []string {
	var out []string
	skipping := false
	for _, l := range lines {
		if skipping {
			if strings.HasSuffix(l, "instance name specified.") {
				skipping = false
			}
			continue
		}
		if l == noticeFirst {
			out = append(out, notice)
			skipping = true
			continue
		}
		out = append(out, strings.ReplaceAll(l, root, "ROOT"))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// canonical sorts each run of consecutive "Removed" lines: disable and
// unmask report removals in the order the file system lists directory
// entries, which differs between file systems (and ext4 file systems).
func canonical(out string) string {
	lines := strings.Split(out, "\n")
	for start := 0; start < len(lines); {
		end := start
		for end < len(lines) && strings.HasPrefix(lines[end], "Removed ") {
			end++
		}
		if end > start {
			sort.Strings(lines[start:end])
			start = end
		} else {
			start++
		}
	}
	return strings.Join(lines, "\n")
}

// fixedHost is the specifier values of the tests: fixed, so that the
// expectations hold everywhere.
var fixedHost = &unit.Host{
	System: true, Hostname: "host.example", ShortHostname: "host",
	MachineID: "0123456789abcdef0123456789abcdef", Architecture: "x86-64",
	KernelRelease: "6.1.0", OSID: "debian", OSVersionID: "12",
	UserName: "root", UID: "0", GroupName: "root", GID: "0",
}

// runPM does what systemctl --root=ROOT CMD does, with this package, and
// returns what systemctl would print (standard output, then standard
// error) and its exit status.
func runPM(tb testing.TB, root, cmd string) ([]string, int) {
	tb.Helper()
	l, err := install.New(root)
	if err != nil {
		tb.Fatal(err)
	}
	l.Host = fixedHost
	var warnings []string
	l.Warn = func(msg string) { warnings = append(warnings, msg) }
	args := strings.Fields(cmd)
	verb := args[0]
	var (
		f     install.Flags
		names []string
	)
	for _, a := range args[1:] {
		switch a {
		case "--runtime":
			f.Runtime = true
		case "--force":
			f.Force = true
		default:
			names = append(names, a)
		}
	}
	var out, errs []string
	rc := 0
	// systemctl looks for SysV scripts first, and fails on some errors.
	if verb == "enable" || verb == "disable" || verb == "is-enabled" {
		for _, n := range names {
			if !strings.HasSuffix(n, ".service") || strings.HasPrefix(n, "/") {
				continue
			}
			_, err := l.Exists(n)
			if err != nil && !errors.Is(err, install.ErrLinked) && !errors.Is(err, install.ErrMasked) && !errors.Is(err, install.ErrGenerated) {
				errs = append(errs, "Failed to look up unit file state: "+strerror(err))
				return normalize(root, append(append(out, warnings...), errs...)), 1
			}
		}
	}
	fail := func(err error) {
		if err != nil {
			rc = 1
		}
	}
	switch verb {
	case "enable", "reenable":
		op := l.Enable
		if verb == "reenable" {
			op = l.Reenable
		}
		ch, info, err := op(names, f)
		errs = install.Messages(verb, ch, err, false)
		fail(err)
		if err == nil && !info {
			errs = append(errs, notice)
		}
	case "disable":
		for k, n := range names {
			if strings.Contains(n, "/") {
				names[k] = filepath.Base(n)
				errs = append(errs, "Warning: Can't execute disable on the unit file path. Proceeding with the unit name.")
			}
		}
		ch, err := l.Disable(names, f)
		errs = append(errs, install.Messages(verb, ch, err, false)...)
		fail(err)
	case "mask", "unmask", "link":
		op := map[string]func([]string, install.Flags) ([]install.Change, error){
			"mask": l.Mask, "unmask": l.Unmask, "link": l.Link,
		}[verb]
		ch, err := op(names, f)
		errs = install.Messages(verb, ch, err, false)
		fail(err)
	case "add-wants", "add-requires":
		dep := install.Wants
		if verb == "add-requires" {
			dep = install.Requires
		}
		ch, err := l.AddDependency(names[0], names[1:], dep, f)
		errs = install.Messages("add dependency on", ch, err, false)
		fail(err)
	case "set-default":
		ch, err := l.SetDefault(names[0], install.Flags{Force: true})
		errs = install.Messages("set default", ch, err, false)
		fail(err)
	case "get-default":
		name, err := l.GetDefault()
		if err != nil {
			errs = append(errs, "Failed to get default target: "+strerror(err))
			rc = 1
		} else {
			out = append(out, name)
		}
	case "is-enabled":
		enabled := false
		for _, n := range names {
			s, err := l.IsEnabled(n)
			if err != nil {
				errs = append(errs, fmt.Sprintf("Failed to get unit file state for %s: %s", n, strerror(err)))
				return normalize(root, append(append(out, warnings...), errs...)), 1
			}
			out = append(out, string(s))
			enabled = enabled || s.EnabledLike()
		}
		if !enabled {
			rc = 1
		}
	case "list-unit-files":
		list, err := l.ListUnitFiles(names, nil)
		if err != nil {
			tb.Fatal(err)
		}
		for _, u := range list {
			out = append(out, filepath.Base(u.Path)+" "+string(u.State))
		}
		if len(list) == 0 {
			rc = 1 // systemctl fails when it lists nothing
		}
	default:
		tb.Fatalf("unknown command %q", cmd)
	}
	return normalize(root, append(append(out, warnings...), errs...)), rc
}

// strerror is the errno text of an install error, as %m prints it.
func strerror(err error) string {
	var ie *install.Error
	if !errors.As(err, &ie) {
		return err.Error()
	}
	s := ie.Errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}
