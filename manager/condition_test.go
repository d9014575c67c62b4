package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// condTree writes a fixture tree below a new temporary directory and
// returns it. A name ending in "/" is a directory; content starting with
// "->" makes a symlink to the rest.
func condTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			err := os.MkdirAll(p, 0o755)
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(content[2:], p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// condFixture is a context on a fixture tree: an unprivileged manager
// (uid 1000) that is not PID 1.
func condFixture(t testing.TB, files map[string]string) *condContext {
	t.Helper()
	return &condContext{
		root: condTree(t, files),
		host: &unit.Host{
			Hostname: "web-01.example.com", MachineID: "0123456789abcdef0123456789abcdef",
			KernelRelease: "6.1.0-18-amd64", Architecture: "x86-64",
		},
		pid: 4242, uid: 1000, euid: 1000, gid: 1000, egid: 1000, groups: []int{27, 100},
		cpus: func() (int, error) { return 4, nil },
	}
}

// condCase is one test of one condition type.
type condCase struct {
	name    string
	param   string
	want    bool
	wantErr bool
}

func condRun(t *testing.T, c *condContext, typ string, cases []condCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := condTests[typ](c, tt.param)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Condition%s=%s: error %v, want error %v", typ, tt.param, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Condition%s=%s = %v, want %v", typ, tt.param, got, tt.want)
			}
		})
	}
}

func TestCondCheck(t *testing.T) {
	c := condFixture(t, map[string]string{"yes": "", "also": ""})
	cond := func(p string, trigger, negate bool) unit.Condition {
		return unit.Condition{Type: "PathExists", Parameter: p, Trigger: trigger, Negate: negate}
	}
	bad := unit.Condition{Type: "FirstBoot", Parameter: "maybe"}
	tests := []struct {
		name       string
		list       []unit.Condition
		wantOK     bool
		wantStates []condState
		wantFailed int
		wantTrig   bool
		wantErrAt  int // -1: no error
	}{
		{"empty", nil, true, []condState{}, -1, false, -1},
		{"all hold", []unit.Condition{cond("/yes", false, false), cond("/no", false, true)},
			true, []condState{condSucceeded, condSucceeded}, -1, false, -1},
		{"first failure stops", []unit.Condition{cond("/yes", false, false), cond("/no", false, false), cond("/yes", false, false)},
			false, []condState{condSucceeded, condFailed, condUntested}, 1, false, -1},
		{"negated failure", []unit.Condition{cond("/yes", false, true)},
			false, []condState{condFailed}, 0, false, -1},
		{"one trigger holds", []unit.Condition{cond("/no", true, false), cond("/yes", true, false), cond("/no", true, false)},
			true, []condState{condFailed, condSucceeded, condFailed}, -1, false, -1},
		{"no trigger holds", []unit.Condition{cond("/yes", false, false), cond("/no", true, false), cond("/nope", true, false)},
			false, []condState{condSucceeded, condFailed, condFailed}, 1, true, -1},
		{"plain failure after trigger", []unit.Condition{cond("/yes", true, false), cond("/no", false, false)},
			false, []condState{condSucceeded, condFailed}, 1, false, -1},
		{"plain failure before failed trigger", []unit.Condition{cond("/no", true, false), cond("/no", false, false), cond("/yes", true, false)},
			false, []condState{condFailed, condFailed, condUntested}, 1, false, -1},
		{"error fails", []unit.Condition{bad}, false, []condState{condFailed}, 0, false, 0},
		{"error fails negated too", []unit.Condition{{Type: "FirstBoot", Parameter: "maybe", Negate: true}},
			false, []condState{condFailed}, 0, false, 0},
		{"error in trigger", []unit.Condition{{Type: "FirstBoot", Parameter: "maybe", Trigger: true}, cond("/also", true, false)},
			true, []condState{condFailed, condSucceeded}, -1, false, 0},
		{"unknown type", []unit.Condition{{Type: "Bogus", Parameter: "x"}}, false, []condState{condFailed}, 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := condCheck(tt.list, c)
			if r.OK != tt.wantOK || r.Failed != tt.wantFailed || r.FailedTrigger != tt.wantTrig {
				t.Errorf("got OK=%v Failed=%d FailedTrigger=%v, want %v %d %v", r.OK, r.Failed, r.FailedTrigger, tt.wantOK, tt.wantFailed, tt.wantTrig)
			}
			if !reflect.DeepEqual(r.States, tt.wantStates) {
				t.Errorf("got states %v, want %v", r.States, tt.wantStates)
			}
			for i, err := range r.Errors {
				if (err != nil) != (i == tt.wantErrAt) {
					t.Errorf("error %d: got %v, want error only at %d", i, err, tt.wantErrAt)
				}
			}
		})
	}
	t.Run("unknown type wraps sentinel", func(t *testing.T) {
		r := condCheck([]unit.Condition{{Type: "Bogus"}}, c)
		if !errors.Is(r.Errors[0], errCondUnsupported) {
			t.Errorf("got %v, want errCondUnsupported", r.Errors[0])
		}
	})
}

func TestCondEveryTypeHasATest(t *testing.T) {
	for _, typ := range unit.ConditionTypes {
		if condTests[typ] == nil {
			t.Errorf("Condition%s= has no test", typ)
		}
	}
}

func TestCondMessages(t *testing.T) {
	list := []unit.Condition{
		{Type: "PathExists", Parameter: "/x", Negate: true},
		{Type: "Host", Parameter: "a*", Trigger: true},
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"condition", condString(list[0], false), "ConditionPathExists=!/x"},
		{"assert trigger", condString(list[1], true), "AssertHost=|a*"},
		{"skip", condSkipMessage(list, condResult{Failed: 0}, "Foo"), "Foo was skipped because of an unmet condition check (ConditionPathExists=!/x)."},
		{"skip trigger", condSkipMessage(list, condResult{Failed: 1, FailedTrigger: true}, "Foo"), "Foo was skipped because no trigger condition checks were met."},
		{"ok", condSkipMessage(list, condResult{OK: true, Failed: -1}, "Foo"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestCondPaths(t *testing.T) {
	c := condFixture(t, map[string]string{
		"etc/file":                "data",
		"etc/empty":               "",
		"etc/dir/":                "",
		"etc/link":                "->file",
		"etc/dangling":            "->nowhere",
		"etc/dirlink":             "->dir",
		"var/full/a":              "",
		"var/hidden/.a":           "",
		"var/hidden/b~":           "",
		"var/hidden/c.dpkg-old":   "",
		"var/hidden/lost+found/":  "",
		"var/hidden2/.x":          "",
		"var/hidden2/real.conf":   "",
		"var/globs/x.conf":        "",
		"var/globs/.y.conf":       "",
		"usr/bin/tool":            "#!/bin/sh\n",
		"proc/self/mountinfo":     "22 1 254:0 / / rw - ext4 /dev/vda rw\n30 22 0:40 / /mnt/data rw - tmpfs tmpfs rw\n31 22 0:41 / /mnt/with\\040space rw - tmpfs tmpfs rw\n",
		"mnt/data/":               "",
		"mnt/with space/":         "",
		"mnt/plain/":              "",
		"datalink":                "->mnt/data",
		"var/globs/[literal]/":    "",
		"var/globs/[literal]/z.c": "",
	})
	if err := os.Chmod(filepath.Join(c.root, "usr/bin/tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	groups := []struct {
		typ   string
		cases []condCase
	}{
		{"PathExists", []condCase{
			{"file", "/etc/file", true, false},
			{"dir", "/etc/dir", true, false},
			{"missing", "/etc/missing", false, false},
			{"symlink followed", "/etc/link", true, false},
			{"dangling symlink", "/etc/dangling", false, false},
		}},
		{"PathExistsGlob", []condCase{
			{"match", "/var/globs/*.conf", true, false},
			{"hidden not matched", "/var/globs/.z*", false, false},
			{"hidden literal dot", "/var/globs/.y*", true, false},
			{"brace", "/etc/{nope,file}", true, false},
			{"no match", "/var/globs/*.txt", false, false},
			{"bracket escaped", `/var/globs/\[literal\]/*.c`, true, false},
		}},
		{"PathIsDirectory", []condCase{
			{"dir", "/etc/dir", true, false},
			{"dir through symlink", "/etc/dirlink", true, false},
			{"file", "/etc/file", false, false},
			{"missing", "/nope", false, false},
		}},
		{"PathIsSymbolicLink", []condCase{
			{"symlink", "/etc/link", true, false},
			{"dangling symlink", "/etc/dangling", true, false},
			{"file", "/etc/file", false, false},
			{"missing", "/nope", false, false},
		}},
		{"PathIsMountPoint", []condCase{
			{"root", "/", true, false},
			{"mount", "/mnt/data", true, false},
			{"escaped space", "/mnt/with space", true, false},
			{"trailing slash", "/mnt/data/", true, false},
			{"plain dir", "/mnt/plain", false, false},
			{"through symlink", "/datalink", true, false},
			{"missing", "/mnt/nope", false, false},
		}},
		{"PathIsReadWrite", []condCase{
			{"writable", "/etc/dir", true, false},
			{"missing", "/etc/nope", false, false},
		}},
		{"DirectoryNotEmpty", []condCase{
			{"entry", "/var/full", true, false},
			{"only hidden and backups", "/var/hidden", false, false},
			{"one real entry", "/var/hidden2", true, false},
			{"empty", "/etc/dir", false, false},
			{"file", "/etc/file", false, false},
			{"missing", "/nope", false, false},
		}},
		{"FileNotEmpty", []condCase{
			{"data", "/etc/file", true, false},
			{"empty", "/etc/empty", false, false},
			{"through symlink", "/etc/link", true, false},
			{"dir", "/etc/dir", false, false},
			{"missing", "/nope", false, false},
		}},
		{"FileIsExecutable", []condCase{
			{"executable", "/usr/bin/tool", true, false},
			{"not executable", "/etc/file", false, false},
			{"dir", "/etc/dir", false, false},
			{"missing", "/nope", false, false},
		}},
	}
	for _, g := range groups {
		t.Run(g.typ, func(t *testing.T) { condRun(t, c, g.typ, g.cases) })
	}
}

func TestCondPathIsEncrypted(t *testing.T) {
	var st unix.Stat_t
	dir := t.TempDir()
	if err := unix.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	major, minor := unix.Major(st.Dev), unix.Minor(st.Dev)
	if major == 0 {
		condNeed(t, "the temporary directory is on a file system without a block device")
	}
	dev := fmt.Sprintf("sys/dev/block/%d:%d", major, minor)
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"no sysfs entry", map[string]string{}, false},
		{"dm-crypt", map[string]string{dev + "/dm/uuid": "CRYPT-LUKS2-abc-luks\n"}, true},
		{"lvm", map[string]string{dev + "/dm/uuid": "LVM-xyz\n"}, false},
		{"lvm on dm-crypt", map[string]string{
			dev + "/dm/uuid": "LVM-xyz\n", dev + "/slaves/dm-0/dm/uuid": "CRYPT-LUKS2-abc\n",
		}, true},
		{"one slave not encrypted", map[string]string{
			dev + "/slaves/dm-0/dm/uuid": "CRYPT-LUKS2-abc\n", dev + "/slaves/sda2/": "",
		}, false},
		{"no slaves", map[string]string{dev + "/slaves/": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := condFixture(t, tt.files)
			// The fixture root is on the same file system as dir.
			got, err := condPathIsEncrypted(c, "/")
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v, want %v", got, err, tt.want)
			}
		})
	}
	t.Run("symlink", func(t *testing.T) {
		c := condFixture(t, map[string]string{"l": "->.", dev + "/dm/uuid": "CRYPT-x"})
		if got, _ := condPathIsEncrypted(c, "/l"); got {
			t.Error("got true for a symlink, want false")
		}
	})
}

func TestCondNeedsUpdate(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		param   string
		usr     time.Time
		stamp   time.Time // zero: no stamp
		content string
		cmdline string
		want    bool
	}{
		{"no stamp", "/etc", base, time.Time{}, "", "", true},
		{"usr newer", "/etc", base.Add(time.Second), base, "", "", true},
		{"usr older", "/etc", base, base.Add(time.Second), "", "", false},
		{"same time", "/etc", base, base, "", "", false},
		{"usr newer by nanoseconds", "/etc", base.Add(5), base.Add(3), "", "", true},
		{"stamp without nanoseconds, recorded", "/etc", base.Add(500), base, "TIMESTAMP_NSEC=" + fmt.Sprint(base.Add(400).UnixNano()) + "\n", "", true},
		{"stamp without nanoseconds, recorded newer", "/etc", base.Add(500), base, "TIMESTAMP_NSEC=" + fmt.Sprint(base.Add(600).UnixNano()) + "\n", "", false},
		{"stamp without nanoseconds, nothing recorded", "/etc", base.Add(500), base, "", "", true},
		{"not absolute", "etc", base, base.Add(time.Second), "", "", true},
		{"kernel command line says no", "/etc", base.Add(time.Second), base, "", "quiet systemd.condition_needs_update=0", false},
		{"kernel command line says yes", "/etc", base, base.Add(time.Second), "", "systemd.condition-needs-update", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"usr/": "", "etc/": ""}
			if !tt.stamp.IsZero() {
				files["etc/.updated"] = tt.content
			}
			if tt.cmdline != "" {
				files["proc/cmdline"] = tt.cmdline + "\n"
			}
			c := condFixture(t, files)
			if !tt.stamp.IsZero() {
				if err := os.Chtimes(filepath.Join(c.root, "etc/.updated"), tt.stamp, tt.stamp); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chtimes(filepath.Join(c.root, "usr"), tt.usr, tt.usr); err != nil {
				t.Fatal(err)
			}
			got, err := condNeedsUpdate(c, tt.param)
			if err != nil || got != tt.want {
				t.Errorf("NeedsUpdate=%s = %v, %v, want %v", tt.param, got, err, tt.want)
			}
		})
	}
	t.Run("initrd", func(t *testing.T) {
		c := condFixture(t, map[string]string{"usr/": "", "etc/initrd-release": ""})
		if got, _ := condNeedsUpdate(c, "/etc"); got {
			t.Error("got true in an initrd, want false")
		}
	})
}

// condNeed skips a test that needs something this machine lacks, or fails
// it under CI, where everything must run.
func condNeed(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: %s", reason)
	}
	t.Skip(reason)
}
