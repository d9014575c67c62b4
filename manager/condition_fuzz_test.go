package manager

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pm-project/pm/unit"
)

// FuzzCondFnmatch checks that matching never panics and that a pattern
// without special characters matches exactly itself.
func FuzzCondFnmatch(f *testing.F) {
	for _, s := range [][2]string{
		{"*", "abc"}, {"a*b?c", "axxbyc"}, {"[a-z]*", "x"}, {"[!]]", "a"}, {"[[:alpha:]]", "q"},
		{"[[.a.]]", "a"}, {"[[=", "["}, {`\`, `\`}, {"*/*", "a/b"}, {".*", ".x"}, {"[", "["},
	} {
		f.Add(s[0], s[1], uint8(0))
	}
	f.Fuzz(func(t *testing.T, pattern, name string, flags uint8) {
		fl := condMatchFlags(flags) & (condFNMPathname | condFNMPeriod | condFNMCasefold)
		got := condFnmatch(pattern, name, fl)
		if utf8.ValidString(pattern) && !strings.ContainsAny(pattern, `*?[\`) &&
			fl&condFNMCasefold == 0 && got != (pattern == name) {
			t.Errorf("condFnmatch(%q, %q) = %v for a literal pattern", pattern, name, got)
		}
	})
}

// FuzzCondVersionCompare checks that the comparison is antisymmetric and
// never panics.
func FuzzCondVersionCompare(f *testing.F) {
	for _, s := range [][2]string{{"1.2", "1.10"}, {"123~rc1", "123"}, {"", "~"}, {"a-1", "a^1"}, {"0_", "0"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := condVersionCompare(a, b), condVersionCompare(b, a)
		if x != -y || condVersionCompare(a, a) != 0 {
			t.Errorf("compare(%q, %q) = %d, reversed %d", a, b, x, y)
		}
	})
}

// FuzzCondParameter runs every condition type that takes free text on a
// fixture tree with arbitrary parameters: no panics, and errors only as
// results.
func FuzzCondParameter(f *testing.F) {
	for _, s := range []string{
		"ID=debian", "> 1.2 < 3", "'>1' '<9'", "smbios-field(a = b)", "device-tree-compatible(x)",
		"foo.slice:10%/1min", "5‰", "50%/10sec", "CAP_CHOWN", ">=1G", "!=4", "@system", "v2",
		"cpu memory", "web-*", "0123456789abcdef0123456789abcdef", "private-users", "yes", "",
	} {
		f.Add(s)
	}
	c := condFixture(f, map[string]string{
		"etc/os-release":       condOSReleaseFixture,
		"proc/cmdline":         "quiet root=/dev/vda\n",
		"proc/self/status":     "CapBnd:\t00000000000000ff\n",
		"proc/meminfo":         "MemTotal: 1000 kB\n",
		"proc/pressure/cpu":    "some avg10=1.00 avg60=1.00 avg300=1.00 total=1\n",
		"proc/pressure/io":     "some avg10=1.00 avg60=1.00 avg300=1.00 total=1\n",
		"proc/pressure/memory": "some avg10=1.00 avg60=1.00 avg300=1.00 total=1\nfull avg10=1.00 avg60=1.00 avg300=1.00 total=1\n",
		"sys/class/dmi/id/a":   "b\n",
	})
	var types []string
	for _, typ := range unit.ConditionTypes {
		switch typ {
		case "User", "Group", "PathExists", "PathExistsGlob", "PathIsDirectory", "PathIsSymbolicLink",
			"PathIsMountPoint", "PathIsReadWrite", "PathIsEncrypted", "DirectoryNotEmpty", "FileNotEmpty",
			"FileIsExecutable", "NeedsUpdate":
			continue // user database and paths outside the tree
		}
		types = append(types, typ)
	}
	f.Fuzz(func(t *testing.T, p string) {
		for _, typ := range types {
			_, _ = condTest(c, unit.Condition{Type: typ, Parameter: p})
		}
	})
}

// FuzzPIDFileParse checks that parsing never panics and accepts only
// valid pids.
func FuzzPIDFileParse(f *testing.F) {
	for _, s := range []string{"1", " 42", "0x10", "010", "0b1", "0o7", "-1", "+5", "", "2147483648"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pid, err := pidFileParse(s)
		if err == nil && (pid <= 0 || pid > 1<<31-1) {
			t.Errorf("pidFileParse(%q) = %d", s, pid)
		}
	})
}
