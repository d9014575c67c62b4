package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Conditions on the manager's identity, credentials and environment, and
// on the security frameworks and power supply of the machine.

// condCredential: the credential exists in $CREDENTIALS_DIRECTORY or
// $ENCRYPTED_CREDENTIALS_DIRECTORY of the manager. pm passes no
// credentials to itself, so this is false unless its environment names
// such a directory.
func condCredential(c *condContext, p string) (bool, error) {
	if !condFilenameValid(p) || strings.ContainsAny(p, ":") || !condPrintableASCII(p) {
		return false, nil
	}
	for _, name := range []string{"CREDENTIALS_DIRECTORY", "ENCRYPTED_CREDENTIALS_DIRECTORY"} {
		dir, ok := c.getenv(name)
		if !ok {
			continue
		}
		if !strings.HasPrefix(dir, "/") || filepath.Clean(dir) != dir {
			return false, fmt.Errorf("$%s is not a normalized absolute path", name)
		}
		_, err := os.Lstat(c.path(filepath.Join(dir, p)))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return false, err
		}
	}
	return false, nil
}

func condPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 127 {
			return false
		}
	}
	return true
}

// condSecurity tests for a security framework by the files systemd looks
// at: selinux (/sys/fs/selinux), smack, apparmor, audit (a netlink audit
// socket, not probed when the context has a root), ima, tomoyo,
// uefi-secureboot (the SecureBoot EFI variable) and tpm2. Other names are
// false.
func condSecurity(c *condContext, p string) (bool, error) {
	switch p {
	case "selinux":
		return c.exists("/sys/fs/selinux/enforce"), nil
	case "smack":
		return c.exists("/sys/fs/smackfs/"), nil
	case "apparmor":
		v, err := c.readLine("/sys/module/apparmor/parameters/enabled")
		b, perr := unit.ParseBool(v)
		return err == nil && perr == nil && b, nil
	case "audit":
		return c.root == "" && condAuditAvailable(), nil
	case "ima":
		return c.exists("/sys/kernel/security/ima/"), nil
	case "tomoyo":
		return c.exists("/sys/kernel/security/tomoyo/version"), nil
	case "uefi-secureboot":
		if !c.efiBoot() {
			return false, nil
		}
		b, err := os.ReadFile(c.path("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"))
		// 4 bytes of attributes, then the one-byte value.
		return err == nil && len(b) == 5 && b[4] != 0, nil
	case "tpm2":
		return c.hasTPM2(), nil
	}
	return false, nil
}

// hasTPM2 is systemd's has_tpm2: the kernel's TPM subsystem (a
// /sys/class/tpmrm directory; never in a container) and a TPM2 the EFI
// firmware knows (the ACPI TPM2 table).
func (c *condContext) hasTPM2() bool {
	subsystem := !condVirtIsContainer(c.virtualization()) && c.exists("/sys/class/tpmrm")
	firmware := c.efiBoot() && c.exists("/sys/firmware/acpi/tables/TPM2")
	return subsystem && firmware
}

// condAuditAvailable is systemd's use_audit: a netlink audit socket can be
// opened.
func condAuditAvailable() bool {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_AUDIT)
	if err != nil {
		return !errors.Is(err, unix.EAFNOSUPPORT) && !errors.Is(err, unix.EPROTONOSUPPORT) && !errors.Is(err, unix.EPERM)
	}
	unix.Close(fd)
	return true
}

// condCapability: the capability is in the manager's bounding set
// (CapBnd of /proc/self/status).
func condCapability(c *condContext, p string) (bool, error) {
	n, err := unit.ParseCapability(p)
	if err != nil {
		return false, errCondBadParameter
	}
	b, err := os.ReadFile(c.path("/proc/self/status"))
	if err != nil {
		return false, err
	}
	caps := ^uint64(0)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			if caps, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64); err != nil {
				return false, fmt.Errorf("bad CapBnd line: %w", err)
			}
			break
		}
	}
	return caps&(1<<uint(n)) != 0, nil
}

// condACPower compares a boolean with "on AC power": an online power
// supply that is not a battery, or no discharging battery (so machines
// without power supply information are on AC).
func condACPower(c *condContext, p string) (bool, error) {
	want, err := unit.ParseBool(p)
	if err != nil {
		return false, errCondBadParameter
	}
	return c.onACPower() == want, nil
}

func (c *condContext) onACPower() bool {
	dir := "/sys/class/power_supply"
	entries, err := os.ReadDir(c.path(dir))
	if err != nil {
		return true
	}
	online, discharging := false, false
	for _, e := range entries {
		d := dir + "/" + e.Name()
		typ, err := c.readLine(d + "/type")
		if err != nil {
			continue
		}
		if typ == "Battery" {
			if st, err := c.readLine(d + "/status"); err == nil && st == "Discharging" {
				discharging = true
			}
			continue
		}
		v, err := c.readLine(d + "/online")
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil && n > 0 {
			online = true
		}
	}
	return online || !discharging
}

// condEnvironment: NAME=value must be in the manager's environment block
// exactly; NAME must be set.
func condEnvironment(c *condContext, p string) (bool, error) {
	equal := strings.Contains(p, "=")
	block := c.block
	if block == nil {
		block = c.environ
	}
	for _, e := range block {
		if equal && e == p {
			return true, nil
		}
		if rest, ok := strings.CutPrefix(e, p); !equal && ok && (rest == "" || rest[0] == '=') {
			return true, nil
		}
	}
	return false, nil
}

// condUser: the manager runs as (real or effective) root, nobody, a
// system user ("@system"), a numeric uid or a user name.
func condUser(c *condContext, p string) (bool, error) {
	is := func(id int) bool { return c.uid == id || c.euid == id }
	switch p {
	case "root":
		return is(0), nil
	case "nobody":
		return is(userNobody), nil
	case "@system":
		return c.uid <= userSystemMax || c.euid <= userSystemMax, nil
	}
	if id, ok := userParseID(p); ok {
		return is(id), nil
	}
	if c.pid == 1 {
		return false, nil // PID 1 runs as root, checked above
	}
	me, ok := c.getenv("USER")
	if !ok {
		if u, err := userLookup(strconv.Itoa(c.uid)); err == nil {
			me = u.Name
		} else {
			me = strconv.Itoa(c.uid)
		}
	}
	if me == p {
		return true, nil
	}
	u, err := userLookup(p)
	if err != nil {
		return false, nil
	}
	return is(u.UID), nil
}

// condGroup: the manager's real, effective or a supplementary group is
// the numeric gid or the named group. PID 1 looks up no names but root.
func condGroup(c *condContext, p string) (bool, error) {
	gid, ok := userParseID(p)
	if !ok {
		if c.pid == 1 {
			return p == "root", nil
		}
		_, id, err := groupLookup(p)
		if err != nil {
			return false, nil
		}
		gid = id
	}
	if c.gid == gid || c.egid == gid {
		return true, nil
	}
	for _, g := range c.groups {
		if g == gid {
			return true, nil
		}
	}
	return false, nil
}
