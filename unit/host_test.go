package unit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHostParseEnvFile(t *testing.T) {
	in := `# comment
; another
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
ID=debian
VERSION_ID="12"
  BUILD_ID = 'a b "c"'
VARIANT_ID=with\ space
IMAGE_ID="q\"uote\\d \$x \n"
IMAGE_VERSION=trailing   
EMPTY=
MIXED=a"b c"'d e'f
noequals
=novalue
`
	want := map[string]string{
		"PRETTY_NAME":   "Debian GNU/Linux 12 (bookworm)",
		"ID":            "debian",
		"VERSION_ID":    "12",
		"BUILD_ID":      `a b "c"`,
		"VARIANT_ID":    "with space",
		"IMAGE_ID":      `q"uote\d $x \n`,
		"IMAGE_VERSION": "trailing",
		"EMPTY":         "",
		// Quotes only count at the start of a value, as in systemd.
		"MIXED": `a"b c"'d e'f`,
	}
	got := parseEnvFile([]byte(in))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d keys %q, want %d", len(got), got, len(want))
	}
}

func TestParseID128(t *testing.T) {
	tests := []struct {
		name, in string
		uuid     bool
		want     string
	}{
		{"plain", "3d1219c7c4c5404aaa1f6d2a48adfda4", false, "3d1219c7c4c5404aaa1f6d2a48adfda4"},
		{"upper", "3D1219C7C4C5404AAA1F6D2A48ADFDA4", false, "3d1219c7c4c5404aaa1f6d2a48adfda4"},
		{"uuid", "a6c30c20-6771-4c00-8f8e-757d7a2bf196", true, "a6c30c2067714c008f8e757d7a2bf196"},
		{"uuid given plain", "a6c30c2067714c008f8e757d7a2bf196", true, ""},
		{"plain given uuid", "a6c30c20-6771-4c00-8f8e-757d7a2bf196", false, ""},
		{"uninitialized", "uninitialized", false, ""},
		{"empty", "", false, ""},
		{"zero", "00000000000000000000000000000000", false, ""},
		{"short", "3d1219c7c4c5404aaa1f6d2a48adfda", false, ""},
		{"not hex", "3d1219c7c4c5404aaa1f6d2a48adfdag", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseID128(tt.in, tt.uuid); got != tt.want {
				t.Errorf("parseID128(%q, %v): got %q, want %q", tt.in, tt.uuid, got, tt.want)
			}
		})
	}
}

func TestReadIDFiles(t *testing.T) {
	dir := t.TempDir()
	mid := filepath.Join(dir, "machine-id")
	bid := filepath.Join(dir, "boot_id")
	os.WriteFile(mid, []byte("3d1219c7c4c5404aaa1f6d2a48adfda4\n"), 0o644)
	os.WriteFile(bid, []byte("a6c30c20-6771-4c00-8f8e-757d7a2bf196\n"), 0o644)
	if got := readMachineID(mid); got != "3d1219c7c4c5404aaa1f6d2a48adfda4" {
		t.Errorf("readMachineID: got %q", got)
	}
	if got := readBootID(bid); got != "a6c30c2067714c008f8e757d7a2bf196" {
		t.Errorf("readBootID: got %q", got)
	}
	if got := readMachineID(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("readMachineID of a missing file: got %q", got)
	}
}

func TestHostnames(t *testing.T) {
	tests := []struct {
		name, node, fallback, full, short string
	}{
		{"plain", "vm", "localhost", "vm", "vm"},
		{"fqdn", "vm.example.org", "localhost", "vm.example.org", "vm"},
		{"none", "(none)", "localhost", "localhost", "localhost"},
		{"empty", "", "fb.example", "fb.example", "fb"},
		{"leading dot", ".x", "localhost", ".x", "localhost"},
		{"localhost kept", "localhost.localdomain", "other", "localhost.localdomain", "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, short := hostnames(tt.node, tt.fallback)
			if full != tt.full || short != tt.short {
				t.Errorf("hostnames(%q, %q): got %q %q, want %q %q", tt.node, tt.fallback, full, short, tt.full, tt.short)
			}
		})
	}
}

func TestDefaultHostname(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		osr  map[string]string
		want string
	}{
		{"env", map[string]string{"SYSTEMD_DEFAULT_HOSTNAME": "box"}, map[string]string{"DEFAULT_HOSTNAME": "os"}, "box"},
		{"bad env", map[string]string{"SYSTEMD_DEFAULT_HOSTNAME": "b@d"}, map[string]string{"DEFAULT_HOSTNAME": "os"}, "os"},
		{"os-release", nil, map[string]string{"DEFAULT_HOSTNAME": "os"}, "os"},
		{"fallback", nil, nil, "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultHostname(env(tt.env), tt.osr); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestArchitectureName(t *testing.T) {
	tests := map[string]string{
		"x86_64": "x86-64", "i686": "x86", "aarch64": "arm64", "armv7l": "arm",
		"armv7b": "arm-be", "ppc64le": "ppc64-le", "s390x": "s390x", "riscv64": "riscv64",
		"loongarch64": "loongarch64", "mips64": "mips64", "sh4": "sh", "": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := architectureName(in); got != want {
				t.Errorf("architectureName(%q): got %q, want %q", in, got, want)
			}
		})
	}
}

func TestCgroupRoot(t *testing.T) {
	tests := []struct {
		name, content string
		system        bool
		want          string
	}{
		{"unified root", "0::/\n", true, ""},
		{"init scope", "0::/init.scope\n", true, ""},
		{"user manager", "0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", false, "/user.slice/user-1000.slice/user@1000.service"},
		{"system slice legacy", "0::/system.slice\n", true, ""},
		{"system slice user", "0::/system.slice\n", false, "/system.slice"},
		{"container", "0::/docker/abc\n", true, "/docker/abc"},
		{"hybrid", "12:pids:/x\n1:name=systemd:/sd/init.scope\n0::/uni\n", true, "/sd"},
		{"empty", "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cgroup")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := cgroupRoot(p, tt.system); got != tt.want {
				t.Errorf("cgroupRoot: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTempDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		def  string
		want string
	}{
		{"TMPDIR", map[string]string{"TMPDIR": dir}, "/nonexistent", dir},
		{"TEMP after bad TMPDIR", map[string]string{"TMPDIR": "relative", "TEMP": dir}, "/nonexistent", dir},
		{"not normalized", map[string]string{"TMPDIR": dir + "/."}, dir, dir},
		{"a file", map[string]string{"TMP": file}, dir, dir},
		{"default", nil, dir, dir},
		{"nothing", nil, filepath.Join(dir, "missing"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tempDir(env(tt.env), tt.def); got != tt.want {
				t.Errorf("tempDir: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHomeAndShell(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got := homeDir(env(map[string]string{"HOME": "//home//u/"}), 1000, false); got != "/home/u" {
		t.Errorf("homeDir from $HOME: got %q, want /home/u", got)
	}
	if got := homeDir(env(map[string]string{"HOME": "/"}), 0, true); got != "/root" {
		t.Errorf("homeDir of PID 1 with HOME=/: got %q, want /root", got)
	}
	if got := homeDir(env(map[string]string{"HOME": "rel"}), 0, false); got != "/root" {
		t.Errorf("homeDir with relative $HOME: got %q, want /root", got)
	}
	if got := shell(env(map[string]string{"SHELL": "/bin/zsh"}), 0); got != "/bin/zsh" {
		t.Errorf("shell from $SHELL: got %q, want /bin/zsh", got)
	}
	if got := shell(env(nil), 0); got != "/bin/bash" && got != "/bin/sh" {
		t.Errorf("shell of root: got %q, want /bin/bash or /bin/sh", got)
	}
}

func TestReadHost(t *testing.T) {
	// ReadHost must not fail anywhere; on Linux some facts are always there.
	for _, system := range []bool{true, false} {
		h := ReadHost(system)
		if h.System != system {
			t.Errorf("ReadHost(%v).System = %v", system, h.System)
		}
		if h.KernelRelease == "" || h.Architecture == "" || h.Hostname == "" || h.UID == "" {
			t.Errorf("ReadHost(%v): missing uname or user facts: %+v", system, h)
		}
		if system && (h.UserName != "root" || h.RuntimeDir != "/run" || h.StateDir != "/var/lib") {
			t.Errorf("ReadHost(true): got user %q, %%t %q, %%S %q", h.UserName, h.RuntimeDir, h.StateDir)
		}
		if !system && h.ConfigDir != "" && h.StateDir != h.ConfigDir {
			t.Errorf("ReadHost(false): %%S %q is not %%E %q as in systemd 252", h.StateDir, h.ConfigDir)
		}
	}
}
