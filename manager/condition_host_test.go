package manager

import (
	"runtime"
	"testing"
)

const condOSReleaseFixture = "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n"

func TestCondHostFacts(t *testing.T) {
	c := condFixture(t, map[string]string{
		"etc/os-release":                condOSReleaseFixture,
		"proc/cmdline":                  "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet foo.bar=1 'spaced arg=x y'\n",
		"proc/self/status":              "Name:\tpmd\nTracerPid:\t0\nCapBnd:\t0000000000000001\n",
		"sys/firmware/devicetree/":      "",
		"proc/device-tree/compatible":   "vendor,board\x00vendor,soc\x00",
		"sys/firmware/efi/":             "",
		"sys/class/dmi/id/board_vendor": "Foo Inc\n",
		"sys/class/dmi/id/bios_version": "1.10.2\n",
		"run/creds/token":               "secret",
	})
	c.environ = []string{"FOO=bar", "EMPTY=", "CREDENTIALS_DIRECTORY=/run/creds"}
	groups := []struct {
		typ   string
		cases []condCase
	}{
		{"Architecture", []condCase{
			{"same", "x86-64", true, false},
			{"other", "arm64", false, false},
			{"unknown name", "pdp11", false, false},
			{"uname spelling is not a name", "x86_64", false, false},
		}},
		{"Host", []condCase{
			{"glob", "web-*", true, false},
			{"glob case-insensitive", "WEB-01.*", true, false},
			{"exact", "web-01.example.com", true, false},
			{"other", "db*", false, false},
			{"machine id", "0123456789abcdef0123456789abcdef", true, false},
			{"machine id upper case", "0123456789ABCDEF0123456789ABCDEF", true, false},
			{"machine id as UUID", "01234567-89ab-cdef-0123-456789abcdef", true, false},
			{"other machine id", "fedcba9876543210fedcba9876543210", false, false},
		}},
		{"KernelCommandLine", []condCase{
			{"word", "quiet", true, false},
			{"key of assignment", "root", true, false},
			{"assignment", "root=/dev/vda1", true, false},
			{"other value", "root=/dev/sda1", false, false},
			{"prefix is not a key", "roo", false, false},
			{"dotted key", "foo.bar", true, false},
			{"quoted word", "spaced arg=x y", true, false},
			{"missing", "splash", false, false},
		}},
		{"KernelVersion", []condCase{
			{"glob all", "*", true, false},
			{"empty", "", true, false},
			{"glob no", "*nothere*", false, false},
			{"exact as glob", "6.1.0-18-amd64", true, false},
			{"glob prefix", "6.1.*", true, false},
			{"greater with blank", "> 0.1.2", true, false},
			{"greater", ">0.1.2", true, false},
			{"two quoted", "'>0.1.2' '<9.0.0'", true, false},
			{"two with blanks", "> 0.1.2 < 9.0.0", false, true},
			{"operator alone", ">", false, true},
			{"greater or equal", ">= 6.1", true, false},
			{"lower", "< 0.1.2", false, false},
			{"lower than big", "< 4711.8.15", true, false},
			{"equal by string", "=6.1.0-18-amd64", true, false},
			{"equal with blanks", "=  6.1.0-18-amd64", true, false},
			{"unequal by string", "!=6.1.0-18-amd64", false, false},
			{"order equal", "==6.1.0-18-amd64", true, false},
			{"fnmatch", "$=6.1*", true, false},
			{"not fnmatch", "!$=6.1*", false, false},
			{"newer release", "<6.1.0-9-amd64", false, false},
			{"range", ">=6 <7", true, false},
			{"range fails", ">=6 <6.1", false, false},
		}},
		{"OSRelease", []condCase{
			{"id", "ID=debian", true, false},
			{"id other", "ID=fedora", false, false},
			{"version order", "VERSION_ID>=11", true, false},
			{"version order fails", "VERSION_ID>12", false, false},
			{"fnmatch", "VERSION$=12*", true, false},
			{"not fnmatch", "ID!$=deb*", false, false},
			{"two", "ID=debian VERSION_ID=12", true, false},
			{"missing key compares empty", "_NOPE=01234 56789", false, false},
			{"missing key unequal", "ID_LIKE!=x", true, false},
			{"empty", "", true, false},
			{"no operator", "WRONG FORMAT", false, true},
			{"bad operator", "WRONG!<>=FORMAT", false, true},
			{"no value", "WRONG FORMAT=", false, true},
			{"blank before operator", "WRONG =FORMAT", false, true},
			{"blank after operator", "WRONG = FORMAT", false, true},
			{"blank key", "WRO NG=FORMAT", false, true},
			{"quoted blank value", "'WRONGFORMAT=   '", false, true},
		}},
		{"Firmware", []condCase{
			{"device tree", "device-tree", true, false},
			{"compatible", "device-tree-compatible(vendor,soc)", true, false},
			{"compatible other", "device-tree-compatible(vendor,x)", false, false},
			{"compatible malformed", "device-tree-compatible(vendor,soc", false, false},
			{"uefi", "uefi", true, false},
			{"smbios equal", "smbios-field(board_vendor = Foo Inc)", false, true},
			{"smbios quoted", "smbios-field(board_vendor = \"Foo Inc\")", true, false},
			{"smbios glob", "smbios-field(board_vendor $= Foo*)", true, false},
			{"smbios version", "smbios-field(bios_version >= 1.9)", true, false},
			{"smbios missing field", "smbios-field(board_name = x)", false, false},
			{"smbios no operator", "smbios-field(board_vendor)", false, true},
			{"smbios bad field", "smbios-field(../x = y)", false, true},
			{"smbios unclosed", "smbios-field(board_vendor = x", false, true},
			{"unknown", "bios", false, false},
		}},
		{"Credential", []condCase{
			{"present", "token", true, false},
			{"absent", "nope", false, false},
			{"invalid name", "a/b", false, false},
			{"colon", "a:b", false, false},
		}},
		{"Capability", []condCase{
			{"in set", "CAP_CHOWN", true, false},
			{"lower case", "cap_chown", true, false},
			{"not in set", "CAP_SYS_ADMIN", false, false},
			{"unknown", "CAP_BOGUS", false, true},
		}},
		{"Environment", []condCase{
			{"name", "FOO", true, false},
			{"assignment", "FOO=bar", true, false},
			{"other value", "FOO=baz", false, false},
			{"prefix", "FO", false, false},
			{"empty value name", "EMPTY", true, false},
			{"empty value assignment", "EMPTY=", true, false},
			{"missing", "NOPE", false, false},
		}},
	}
	for _, g := range groups {
		t.Run(g.typ, func(t *testing.T) { condRun(t, c, g.typ, g.cases) })
	}
}

func TestCondHostEdges(t *testing.T) {
	t.Run("native architecture", func(t *testing.T) {
		c := condFixture(t, nil)
		c.host.Architecture = condNativeArchitecture()
		condRun(t, c, "Architecture", []condCase{{"native", "native", true, false}})
	})
	t.Run("no machine id", func(t *testing.T) {
		c := condFixture(t, nil)
		c.host.MachineID = ""
		condRun(t, c, "Host", []condCase{{"id", "0123456789abcdef0123456789abcdef", false, true}})
	})
	t.Run("no CapBnd means all", func(t *testing.T) {
		c := condFixture(t, map[string]string{"proc/self/status": "Name:\tx\n"})
		condRun(t, c, "Capability", []condCase{{"any", "CAP_SYS_ADMIN", true, false}})
	})
	t.Run("credentials directory not absolute", func(t *testing.T) {
		c := condFixture(t, nil)
		c.environ = []string{"CREDENTIALS_DIRECTORY=run/creds"}
		condRun(t, c, "Credential", []condCase{{"relative", "token", false, true}})
	})
	t.Run("no credentials directory", func(t *testing.T) {
		c := condFixture(t, nil)
		condRun(t, c, "Credential", []condCase{{"none", "token", false, false}})
	})
	t.Run("no os-release", func(t *testing.T) {
		c := condFixture(t, nil)
		condRun(t, c, "OSRelease", []condCase{{"none", "ID=debian", false, true}})
	})
	t.Run("os-release fallback", func(t *testing.T) {
		c := condFixture(t, map[string]string{"usr/lib/os-release": "ID=arch\n"})
		condRun(t, c, "OSRelease", []condCase{{"usr lib", "ID=arch", true, false}})
	})
	t.Run("uefi not in a container", func(t *testing.T) {
		c := condFixture(t, map[string]string{"sys/firmware/efi/": "", ".dockerenv": ""})
		condRun(t, c, "Firmware", []condCase{{"container", "uefi", false, false}})
	})
	t.Run("command line of PID 1 in a container", func(t *testing.T) {
		c := condFixture(t, map[string]string{
			".dockerenv": "", "proc/cmdline": "quiet\n", "proc/1/cmdline": "pmd\x00--flag\x00debug\x00",
		})
		condRun(t, c, "KernelCommandLine", []condCase{
			{"pid 1 arg", "debug", true, false},
			{"kernel arg", "quiet", false, false},
		})
	})
	t.Run("environment block", func(t *testing.T) {
		c := condFixture(t, nil)
		c.environ = []string{"HOME=/root"}
		c.block = []string{"PATH=/bin"}
		condRun(t, c, "Environment", []condCase{{"block", "PATH", true, false}, {"process only", "HOME", false, false}})
	})
	t.Run("command line override", func(t *testing.T) {
		c := condFixture(t, map[string]string{"proc/cmdline": "quiet\n"})
		c.environ = []string{"SYSTEMD_PROC_CMDLINE=splash"}
		condRun(t, c, "KernelCommandLine", []condCase{{"override", "splash", true, false}, {"file", "quiet", false, false}})
	})
}

func TestCondFirstBoot(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name  string
		files map[string]string
		fixed *bool
		param string
		want  bool
		err   bool
	}{
		{"machine id set", map[string]string{"etc/machine-id": "0123456789abcdef0123456789abcdef\n"}, nil, "yes", false, false},
		{"machine id set, asking no", map[string]string{"etc/machine-id": "0123456789abcdef0123456789abcdef\n"}, nil, "no", true, false},
		{"machine id missing", nil, nil, "yes", true, false},
		{"uninitialized", map[string]string{"etc/machine-id": "uninitialized\n"}, nil, "true", true, false},
		{"empty is not first boot", map[string]string{"etc/machine-id": ""}, nil, "yes", false, false},
		{"flag file", map[string]string{"etc/machine-id": "0123456789abcdef0123456789abcdef\n", "run/systemd/first-boot": ""}, nil, "yes", true, false},
		{"command line", map[string]string{"proc/cmdline": "systemd.condition-first-boot=1\n", "etc/machine-id": "0123456789abcdef0123456789abcdef\n"}, nil, "yes", true, false},
		{"decided at start yes", nil, &yes, "yes", true, false},
		{"decided at start no", nil, &no, "yes", false, false},
		{"bad parameter", nil, nil, "maybe", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := condFixture(t, tt.files)
			c.firstBoot = tt.fixed
			condRun(t, c, "FirstBoot", []condCase{{tt.name, tt.param, tt.want, tt.err}})
		})
	}
}

func TestCondSecurity(t *testing.T) {
	secureBoot := "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	tests := []struct {
		name  string
		files map[string]string
		param string
		want  bool
	}{
		{"selinux", map[string]string{"sys/fs/selinux/enforce": "1"}, "selinux", true},
		{"no selinux", nil, "selinux", false},
		{"apparmor", map[string]string{"sys/module/apparmor/parameters/enabled": "Y\n"}, "apparmor", true},
		{"apparmor off", map[string]string{"sys/module/apparmor/parameters/enabled": "N\n"}, "apparmor", false},
		{"smack", map[string]string{"sys/fs/smackfs/": ""}, "smack", true},
		{"ima", map[string]string{"sys/kernel/security/ima/": ""}, "ima", true},
		{"tomoyo", map[string]string{"sys/kernel/security/tomoyo/version": "2.6"}, "tomoyo", true},
		{"audit not probed on a fixture", nil, "audit", false},
		{"secure boot", map[string]string{secureBoot: "\x06\x00\x00\x00\x01"}, "uefi-secureboot", true},
		{"secure boot off", map[string]string{secureBoot: "\x06\x00\x00\x00\x00"}, "uefi-secureboot", false},
		{"no efi", nil, "uefi-secureboot", false},
		{"tpm2", map[string]string{"sys/class/tpmrm/": "", "sys/firmware/efi/": "", "sys/firmware/acpi/tables/TPM2": ""}, "tpm2", true},
		{"tpm2 without firmware", map[string]string{"sys/class/tpmrm/": ""}, "tpm2", false},
		{"unknown", nil, "bogus", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			condRun(t, condFixture(t, tt.files), "Security", []condCase{{tt.name, tt.param, tt.want, false}})
		})
	}
}

func TestCondACPower(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		onAC  bool
	}{
		{"no power supplies", nil, true},
		{"discharging battery", map[string]string{
			"sys/class/power_supply/BAT0/type": "Battery\n", "sys/class/power_supply/BAT0/status": "Discharging\n",
		}, false},
		{"charging battery", map[string]string{
			"sys/class/power_supply/BAT0/type": "Battery\n", "sys/class/power_supply/BAT0/status": "Charging\n",
		}, true},
		{"mains online beats battery", map[string]string{
			"sys/class/power_supply/BAT0/type": "Battery\n", "sys/class/power_supply/BAT0/status": "Discharging\n",
			"sys/class/power_supply/AC/type": "Mains\n", "sys/class/power_supply/AC/online": "1\n",
		}, true},
		{"mains offline", map[string]string{
			"sys/class/power_supply/BAT0/type": "Battery\n", "sys/class/power_supply/BAT0/status": "Discharging\n",
			"sys/class/power_supply/AC/type": "Mains\n", "sys/class/power_supply/AC/online": "0\n",
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := condFixture(t, tt.files)
			condRun(t, c, "ACPower", []condCase{
				{"true", "true", tt.onAC, false},
				{"false", "false", !tt.onAC, false},
				{"bad", "maybe", false, true},
			})
		})
	}
}

func TestCondUserGroup(t *testing.T) {
	c := condFixture(t, nil)
	c.environ = []string{"USER=alice"}
	condRun(t, c, "User", []condCase{
		{"uid", "1000", true, false},
		{"other uid", "1001", false, false},
		{"root", "root", false, false},
		{"nobody", "nobody", false, false},
		{"system", "@system", false, false},
		{"name from $USER", "alice", true, false},
		{"unknown name", "no-such-user-pm", false, false},
		{"leading zero is a name", "01000", false, false},
	})
	condRun(t, c, "Group", []condCase{
		{"primary", "1000", true, false},
		{"supplementary", "27", true, false},
		{"other", "4", false, false},
		{"root by name", "root", false, false},
		{"unknown name", "no-such-group-pm", false, false},
	})
	root := condFixture(t, nil)
	root.uid, root.euid, root.gid, root.egid, root.groups, root.pid = 0, 0, 0, 0, nil, 1
	condRun(t, root, "User", []condCase{
		{"root", "root", true, false},
		{"zero", "0", true, false},
		{"system", "@system", true, false},
		{"pid 1 looks up no names", "daemon", false, false},
	})
	condRun(t, root, "Group", []condCase{
		{"root", "root", true, false},
		{"pid 1 looks up no names", "daemon", false, false},
	})
	nobody := condFixture(t, nil)
	nobody.uid, nobody.euid = 1000, 65534
	condRun(t, nobody, "User", []condCase{{"effective nobody", "nobody", true, false}})
}

func TestCondCPUFeature(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		condRun(t, condFixture(t, nil), "CPUFeature", []condCase{{"not x86", "sse2", false, false}})
		return
	}
	c := condFixture(t, map[string]string{
		"proc/cpuinfo": "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2 pclmulqdq fma hypervisor\n\nprocessor\t: 1\nflags\t\t: fpu\n",
	})
	condRun(t, c, "CPUFeature", []condCase{
		{"flag", "sse2", true, false},
		{"upper case", "SSE2", true, false},
		{"systemd name pclmul", "pclmul", true, false},
		{"systemd name fma3", "fma3", true, false},
		{"absent", "avx2", false, false},
		{"not in systemd's table", "hypervisor", false, false},
	})
}
