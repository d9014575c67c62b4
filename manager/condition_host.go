package manager

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Conditions on the machine, the kernel and the manager's identity.

// condFirstBoot is systemd's first-boot detection, done once when the
// manager starts: systemd.condition-first-boot= on the kernel command line
// if given, else whether /etc/machine-id is missing (unreadable) or says
// "uninitialized". An empty machine-id is not a first boot in 252.
func condFirstBoot(c *condContext) bool {
	if v, ok := c.cmdlineBool("systemd.condition-first-boot"); ok {
		return v
	}
	id, err := c.readLine("/etc/machine-id")
	return err != nil || id == "uninitialized"
}

// condFirstBootTest compares the first-boot state with a boolean. Without
// a state decided at manager start it detects it now, and also honours
// /run/systemd/first-boot, the flag systemd's manager leaves.
func condFirstBootTest(c *condContext, p string) (bool, error) {
	want, err := unit.ParseBool(p)
	if err != nil {
		return false, errCondBadParameter
	}
	var first bool
	if c.firstBoot != nil {
		first = *c.firstBoot
	} else {
		first = c.exists("/run/systemd/first-boot") || condFirstBoot(c)
	}
	return first == want, nil
}

// condArchitectures lists systemd's architecture names.
var condArchitectures = map[string]bool{
	"arm64": true, "arm64-be": true, "arm": true, "arm-be": true, "alpha": true, "arc": true,
	"arc-be": true, "cris": true, "x86-64": true, "x86": true, "ia64": true, "loongarch64": true,
	"m68k": true, "mips64-le": true, "mips64": true, "mips-le": true, "mips": true, "nios2": true,
	"parisc64": true, "parisc": true, "ppc64-le": true, "ppc64": true, "ppc": true, "ppc-le": true,
	"riscv32": true, "riscv64": true, "s390x": true, "s390": true, "sh64": true, "sh": true,
	"sparc64": true, "sparc": true, "tilegx": true,
}

// condNativeArchitecture is the architecture pm was built for, which is
// what "native" means (systemd's native_architecture).
func condNativeArchitecture() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86-64"
	case "386":
		return "x86"
	case "ppc64le":
		return "ppc64-le"
	case "mips64le":
		return "mips64-le"
	case "mipsle":
		return "mips-le"
	case "loong64":
		return "loongarch64"
	}
	return runtime.GOARCH // arm64, arm, ppc64, riscv64, s390x, mips, mips64
}

func condArchitecture(c *condContext, p string) (bool, error) {
	arch := ""
	if c.host != nil {
		arch = c.host.Architecture
	}
	if arch == "" {
		return false, errors.New("unknown architecture")
	}
	want := p
	if p == "native" {
		want = condNativeArchitecture()
	} else if !condArchitectures[p] {
		return false, nil
	}
	return arch == want, nil
}

// condFirmware: "device-tree", "device-tree-compatible(value)", "uefi"
// (never in a container) and "smbios-field(field op value)". Anything
// else is false.
func condFirmware(c *condContext, p string) (bool, error) {
	switch {
	case p == "device-tree":
		return c.exists("/sys/firmware/devicetree/"), nil
	case strings.HasPrefix(p, "device-tree-compatible("):
		arg, ok := condFirmwareArg(p, "device-tree-compatible(")
		if !ok {
			return false, nil
		}
		b, err := os.ReadFile(c.path("/proc/device-tree/compatible"))
		if err != nil || len(b) == 0 || b[len(b)-1] != 0 {
			return false, nil
		}
		for _, s := range bytes.Split(b[:len(b)-1], []byte{0}) {
			if string(s) == arg {
				return true, nil
			}
		}
		return false, nil
	case p == "uefi":
		return c.efiBoot(), nil
	case strings.HasPrefix(p, "smbios-field("):
		arg, ok := condFirmwareArg(p, "smbios-field(")
		if !ok {
			return false, errCondBadParameter
		}
		return condSMBIOSField(c, arg)
	}
	return false, nil
}

// condFirmwareArg returns what is between the prefix and the last ')',
// which must end p.
func condFirmwareArg(p, prefix string) (string, bool) {
	arg := strings.TrimPrefix(p, prefix)
	i := strings.LastIndexByte(arg, ')')
	if i < 0 || i != len(arg)-1 {
		return "", false
	}
	return arg[:i], true
}

// condOpChars are the characters an operator starts with.
const condOpChars = "!<=>$"

func condSMBIOSField(c *condContext, expr string) (bool, error) {
	field, rest, ok, err := unit.ExtractWord(expr, condOpChars, unit.ExtractRetainSeparators)
	if err != nil || !ok || rest == "" {
		return false, errCondBadParameter
	}
	field = strings.TrimRight(field, " \t\n\r")
	op, rest := condParseOp(rest, condOpAllowFnmatch|condOpEqualByString)
	if op == condOpNone {
		return false, errCondBadParameter
	}
	want, rest, ok, err := unit.ExtractWord(rest, "", unit.ExtractUnquote)
	if err != nil || !ok || rest != "" {
		return false, errCondBadParameter
	}
	if !condFilenameValid(field) {
		return false, errCondBadParameter
	}
	b, err := os.ReadFile(c.path("/sys/class/dmi/id/" + field))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return condVersionOrFnmatch(op, strings.TrimRight(string(b), " \t\n\r"), want)
}

// condFilenameValid is systemd's filename_is_valid.
func condFilenameValid(s string) bool {
	return s != "" && s != "." && s != ".." && len(s) <= 255 && !strings.ContainsAny(s, "/\x00")
}

// efiBoot is systemd's is_efi_boot: /sys/firmware/efi exists and this is
// not a container.
func (c *condContext) efiBoot() bool {
	if condVirtIsContainer(c.virtualization()) {
		return false
	}
	return c.exists("/sys/firmware/efi/")
}

// condHost: a machine ID (32 hex digits or a UUID) is compared with
// /etc/machine-id, anything else is a glob matched case-insensitively
// against the host name.
func condHost(c *condContext, p string) (bool, error) {
	if id, ok := condParseID128(p); ok {
		if c.host == nil || c.host.MachineID == "" {
			return false, errors.New("no machine ID")
		}
		return id == c.host.MachineID, nil
	}
	name := ""
	if c.host != nil {
		name = c.host.Hostname
	}
	if name == "" {
		var err error
		if name, err = os.Hostname(); err != nil {
			return false, err
		}
	}
	return condFnmatch(p, name, condFNMCasefold), nil
}

// condParseID128 parses a 128-bit ID as sd_id128_from_string: 32 hex
// digits or the UUID form, returned as 32 lower-case hex digits.
func condParseID128(s string) (string, bool) {
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// cmdline is systemd's proc_cmdline: $SYSTEMD_PROC_CMDLINE, the command
// line of PID 1 in a container, else /proc/cmdline.
func (c *condContext) cmdline() (string, error) {
	if v, ok := c.getenv("SYSTEMD_PROC_CMDLINE"); ok {
		return v, nil
	}
	if condVirtIsContainer(c.virtualization()) {
		b, err := os.ReadFile(c.path("/proc/1/cmdline"))
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})), " "), nil
	}
	b, err := os.ReadFile(c.path("/proc/cmdline"))
	return string(b), err
}

// cmdlineWords splits the command line as systemd does.
func (c *condContext) cmdlineWords() ([]string, error) {
	line, err := c.cmdline()
	if err != nil {
		return nil, err
	}
	return unit.SplitWords(line, "", unit.ExtractUnquote|unit.ExtractRelax)
}

// cmdlineBool is systemd's proc_cmdline_get_bool: the last "key" (true)
// or "key=bool" on the command line; '-' and '_' are the same in keys.
// ok is false when the key is missing or its value is not a boolean.
func (c *condContext) cmdlineBool(key string) (value, ok bool) {
	words, err := c.cmdlineWords()
	if err != nil {
		return false, false
	}
	norm := func(s string) string { return strings.ReplaceAll(s, "_", "-") }
	for _, w := range words {
		k, v, hasValue := strings.Cut(w, "=")
		if norm(k) != norm(key) {
			continue
		}
		if !hasValue {
			value, ok = true, true
			continue
		}
		b, err := unit.ParseBool(v)
		if err != nil {
			return false, false
		}
		value, ok = b, true
	}
	return value, ok
}

// condKernelCommandLine: with '=' the word must appear exactly, without it
// as a word or as the key of a key=value word.
func condKernelCommandLine(c *condContext, p string) (bool, error) {
	words, err := c.cmdlineWords()
	if err != nil {
		return false, err
	}
	equal := strings.Contains(p, "=")
	for _, w := range words {
		if equal && w == p {
			return true, nil
		}
		if rest, ok := strings.CutPrefix(w, p); !equal && ok && (rest == "" || rest[0] == '=') {
			return true, nil
		}
	}
	return false, nil
}

// kernelRelease is uname's release.
func (c *condContext) kernelRelease() string {
	if c.host != nil && c.host.KernelRelease != "" {
		return c.host.KernelRelease
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// condKernelVersion: blank-separated expressions, all of which must hold;
// each is an operator and a version (compared as systemd compares
// versions) or, without an operator, a glob. Only the first expression
// may have blanks between operator and value.
func condKernelVersion(c *condContext, p string) (bool, error) {
	release := c.kernelRelease()
	r := unit.NewWordReader(p)
	first := true
	for {
		w, ok, err := r.Next("", unit.ExtractUnquote)
		if err != nil {
			return false, errCondBadParameter
		}
		if !ok {
			return true, nil
		}
		s := strings.Trim(w, " \t\n\r")
		op, v := condParseOp(s, condOpAllowFnmatch|condOpEqualByString)
		if op == condOpNone {
			op = condOpFnmatchEqual
		}
		v = strings.TrimLeft(v, " \t\n\r")
		if v == "" {
			if !first {
				return false, errCondBadParameter
			}
			if v, ok, err = r.Next("", 0); err != nil || !ok {
				return false, errCondBadParameter
			}
		}
		match, err := condVersionOrFnmatch(op, release, v)
		if err != nil || !match {
			return false, err
		}
		first = false
	}
}

// condOSRelease: blank-separated KEY<op>VALUE expressions on os-release(5),
// all of which must hold; a missing key compares as "".
func condOSRelease(c *condContext, p string) (bool, error) {
	var osr map[string]string
	r := unit.NewWordReader(p)
	for {
		w, ok, err := r.Next("", unit.ExtractUnquote)
		if err != nil {
			return false, errCondBadParameter
		}
		if !ok {
			return true, nil
		}
		key, rest, ok, err := unit.ExtractWord(w, condOpChars, unit.ExtractRetainSeparators)
		if err != nil || !ok || rest == "" || !unit.EnvNameValid(key) {
			return false, errCondBadParameter
		}
		op, v := condParseOp(rest, condOpAllowFnmatch|condOpEqualByString)
		if op == condOpNone || v == "" || strings.ContainsAny(v[:1], " \t\n\r") {
			return false, errCondBadParameter
		}
		if osr == nil {
			if osr, err = c.osRelease(); err != nil {
				return false, err
			}
		}
		match, err := condVersionOrFnmatch(op, osr[key], v)
		if err != nil || !match {
			return false, err
		}
	}
}

// osRelease reads os-release(5): $SYSTEMD_OS_RELEASE, else the first of
// /etc/os-release and /usr/lib/os-release.
func (c *condContext) osRelease() (map[string]string, error) {
	paths := []string{"/etc/os-release", "/usr/lib/os-release"}
	if e, ok := c.getenv("SYSTEMD_OS_RELEASE"); ok && e != "" {
		paths = []string{e}
	}
	for _, p := range paths {
		f, err := os.Open(c.path(p))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		env, _, err := unit.ParseEnvFile(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("no os-release file: %w", os.ErrNotExist)
}
