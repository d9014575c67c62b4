package manager

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/pm-project/pm/unit"
)

// Virtualization detection for ConditionVirtualization=, after
// systemd-detect-virt (src/basic/virt.c). Containers are detected as
// systemd does, from files: /run/host/container-manager, $container of
// PID 1 (the manager's own environment when it is PID 1, else
// /run/systemd/container or /proc/1/environ), /run/.containerenv
// (podman), /.dockerenv (docker), a cgroup namespace (container-other),
// plus OpenVZ, WSL and proot. Virtual machines are detected from DMI
// (/sys/class/dmi/id), Xen's files, /sys/hypervisor/type, the device
// tree and /proc/sysinfo; systemd's CPUID test is replaced by the
// "hypervisor" flag of /proc/cpuinfo, with the kvm-clock or Hyper-V
// clock source telling kvm and microsoft apart (best effort: a VM whose
// hypervisor only CPUID names is reported as vm-other).

// condVirtVMs and condVirtContainers are systemd's virtualization IDs.
var (
	condVirtVMs = map[string]bool{
		"kvm": true, "amazon": true, "qemu": true, "bochs": true, "xen": true, "uml": true,
		"vmware": true, "oracle": true, "microsoft": true, "zvm": true, "parallels": true,
		"bhyve": true, "qnx": true, "acrn": true, "powervm": true, "apple": true, "sre": true,
		"google": true, "vm-other": true,
	}
	condVirtContainers = map[string]bool{
		"systemd-nspawn": true, "lxc-libvirt": true, "lxc": true, "openvz": true, "docker": true,
		"podman": true, "rkt": true, "wsl": true, "proot": true, "pouch": true,
		"container-other": true,
	}
	// condContainerNames are the $container values systemd knows.
	condContainerNames = map[string]bool{
		"lxc": true, "lxc-libvirt": true, "systemd-nspawn": true, "docker": true,
		"podman": true, "rkt": true, "wsl": true, "proot": true, "pouch": true,
	}
)

func condVirtIsVM(v string) bool        { return condVirtVMs[v] }
func condVirtIsContainer(v string) bool { return condVirtContainers[v] }

// condVirtualizationTest: "private-users" tests for a user namespace;
// a boolean for any virtualization; "vm" or "container" for the kind;
// anything else is compared with the detected ID ("docker", "kvm", …).
func condVirtualizationTest(c *condContext, p string) (bool, error) {
	if p == "private-users" {
		return c.inUserNamespace()
	}
	v := c.virtualization()
	if b, err := unit.ParseBool(p); err == nil {
		return b == (v != "none"), nil
	}
	switch p {
	case "vm":
		return condVirtIsVM(v), nil
	case "container":
		return condVirtIsContainer(v), nil
	}
	return v != "none" && p == v, nil
}

// virtualization returns the detected virtualization ID, or "none": a
// container if any, else a VM. It is detected once per context.
func (c *condContext) virtualization() string {
	if c.virt == "" {
		c.virt = c.detectContainer()
		if c.virt == "none" {
			c.virt = c.detectVM()
		}
	}
	return c.virt
}

func (c *condContext) detectContainer() string {
	if c.exists("/proc/vz") && !c.exists("/proc/bc") {
		return "openvz"
	}
	if rel, err := c.readLine("/proc/sys/kernel/osrelease"); err == nil &&
		(strings.Contains(rel, "Microsoft") || strings.Contains(rel, "WSL")) {
		return "wsl"
	}
	if tracer := c.statusField("TracerPid"); tracer != "" && tracer != "0" {
		if comm, err := c.readLine("/proc/" + tracer + "/comm"); err == nil && strings.HasPrefix(comm, "proot") {
			return "proot"
		}
	}
	if m, err := c.readLine("/run/host/container-manager"); err == nil && m != "" {
		return c.containerName(m)
	}
	if c.pid == 1 {
		e, ok := c.getenv("container")
		switch {
		case !ok:
			return c.containerFallback()
		case e == "":
			return "none"
		}
		return c.containerName(e)
	}
	if m, err := c.readLine("/run/systemd/container"); err == nil && m != "" {
		return c.containerName(m)
	}
	if b, err := os.ReadFile(c.path("/proc/1/environ")); err == nil {
		for _, kv := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "container="); ok && v != "" {
				return c.containerName(v)
			}
		}
	}
	return c.containerFallback()
}

// containerName translates a $container value: "oci" names no manager,
// so the well-known files decide.
func (c *condContext) containerName(v string) string {
	if v == "oci" {
		if f := c.containerFiles(); f != "none" {
			return f
		}
		return "container-other"
	}
	if condContainerNames[v] {
		return v
	}
	return "container-other"
}

func (c *condContext) containerFiles() string {
	switch {
	case c.exists("/run/.containerenv"):
		return "podman"
	case c.exists("/.dockerenv"):
		return "docker"
	}
	return "none"
}

func (c *condContext) containerFallback() string {
	if f := c.containerFiles(); f != "none" {
		return f
	}
	if c.inCgroupNamespace() {
		return "container-other"
	}
	return "none"
}

// inCgroupNamespace is systemd's running_in_cgroupns: the cgroup root we
// see is not the host's, which shows in files only the root cgroup has
// (or lacks).
func (c *condContext) inCgroupNamespace() bool {
	if !c.exists("/proc/self/ns/cgroup") {
		return false
	}
	if c.cgroupUnified() {
		if !c.exists("/sys/fs/cgroup/cgroup.events") {
			return false
		}
		if c.exists("/sys/fs/cgroup/cgroup.type") {
			return true
		}
		return !c.exists("/sys/kernel/cgroup/features")
	}
	if !c.exists("/sys/fs/cgroup/systemd") {
		return false
	}
	return !c.exists("/sys/fs/cgroup/systemd/release_agent")
}

// statusField returns a field of /proc/self/status.
func (c *condContext) statusField(name string) string {
	b, err := os.ReadFile(c.path("/proc/self/status"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// inUserNamespace is systemd's running_in_userns.
func (c *condContext) inUserNamespace() (bool, error) {
	for _, f := range []string{"/proc/self/uid_map", "/proc/self/gid_map"} {
		b, err := os.ReadFile(c.path(f))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, err
		}
		fields := strings.Fields(string(b))
		if len(fields) == 0 {
			return true, nil // an uninitialized user namespace
		}
		if len(fields) < 3 {
			return false, errors.New("bad " + f)
		}
		if !(fields[0] == "0" && fields[1] == "0" && fields[2] == "4294967295") {
			return true, nil
		}
	}
	line, err := c.readLine("/proc/self/setgroups")
	if err != nil {
		return false, nil
	}
	return strings.TrimSpace(line) == "deny", nil
}

// condDMIVendors maps the start of a DMI vendor or product string to a VM.
var condDMIVendors = []struct{ prefix, id string }{
	{"KVM", "kvm"}, {"OpenStack", "kvm"}, {"KubeVirt", "kvm"}, {"Amazon EC2", "amazon"},
	{"QEMU", "qemu"}, {"VMware", "vmware"}, {"VMW", "vmware"}, {"innotek GmbH", "oracle"},
	{"VirtualBox", "oracle"}, {"Oracle Corporation", "oracle"}, {"Xen", "xen"},
	{"Bochs", "bochs"}, {"Parallels", "parallels"}, {"BHYVE", "bhyve"},
	{"Hyper-V", "microsoft"}, {"Apple Virtualization", "apple"},
	{"Google Compute Engine", "google"},
}

func (c *condContext) detectVM() string {
	other := false
	dmi := c.detectDMI()
	switch dmi {
	case "oracle", "xen", "amazon", "parallels", "google":
		return dmi
	}
	if strings.HasPrefix(c.cpuinfoField("vendor_id"), "User Mode Linux") {
		return "uml"
	}
	xenDom0 := false
	if c.exists("/proc/xen") {
		if !c.xenDom0() {
			return "xen"
		}
		xenDom0 = true
	}
	switch v := c.detectHypervisorFlag(); v {
	case "none":
	case "vm-other":
		other = true
	default:
		return v
	}
	if xenDom0 {
		return condVMOther("none", other)
	}
	switch dmi {
	case "none":
	case "vm-other":
		other = true
	default:
		return dmi
	}
	if t, err := c.readLine("/sys/hypervisor/type"); err == nil {
		if t == "xen" {
			return "xen"
		}
		other = true
	}
	switch v := c.detectDeviceTree(); v {
	case "none":
	case "vm-other":
		other = true
	default:
		return v
	}
	if runtime.GOARCH == "s390x" {
		if cp := c.sysinfoField("VM00 Control Program"); cp != "" {
			if cp == "z/VM" {
				return "zvm"
			}
			return "kvm"
		}
	}
	return condVMOther("none", other)
}

func condVMOther(v string, other bool) string {
	if v == "none" && other {
		return "vm-other"
	}
	return v
}

// detectDMI looks the DMI strings up in the vendor table; Amazon's
// metal instances are no VM, and a BIOS flagging a VM is vm-other.
func (c *condContext) detectDMI() string {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" && runtime.GOARCH != "arm64" &&
		runtime.GOARCH != "arm" && runtime.GOARCH != "loong64" {
		return "none"
	}
	v := "none"
	for _, f := range []string{"product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"} {
		s, err := c.readLine("/sys/class/dmi/id/" + f)
		if err != nil {
			continue
		}
		for _, e := range condDMIVendors {
			if strings.HasPrefix(s, e.prefix) {
				v = e.id
				break
			}
		}
		if v != "none" {
			break
		}
	}
	bit := c.smbiosVMBit()
	if v == "amazon" {
		switch bit {
		case 1:
			return "amazon"
		case 0:
			return "none"
		}
		name, err := c.readLine("/sys/class/dmi/id/product_name")
		if err != nil {
			return "amazon"
		}
		if i := strings.Index(name, ".metal"); i >= 0 {
			if rest := name[i+len(".metal"):]; rest == "" || rest[0] == '-' {
				return "none"
			}
		}
		return "amazon"
	}
	if v == "none" && bit == 1 {
		return "vm-other"
	}
	return v
}

// smbiosVMBit reads the "virtual machine" bit of the SMBIOS BIOS
// characteristics: 1 set, 0 unset, -1 unknown.
func (c *condContext) smbiosVMBit() int {
	b, err := os.ReadFile(c.path("/sys/firmware/dmi/entries/0-0/raw"))
	if err != nil || len(b) < 20 || b[1] < 20 {
		return -1
	}
	if b[19]&(1<<4) != 0 {
		return 1
	}
	return 0
}

// xenDom0 reports whether this is Xen's control domain.
func (c *condContext) xenDom0() bool {
	if f, err := c.readLine("/sys/hypervisor/properties/features"); err == nil {
		if v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(f), "0x"), 16, 64); err == nil {
			return v&(1<<11) != 0
		}
	}
	caps, err := c.readLine("/proc/xen/capabilities")
	if err != nil {
		return false
	}
	for _, cp := range strings.Split(caps, ",") {
		if strings.TrimSpace(cp) == "control_d" {
			return true
		}
	}
	return false
}

// detectHypervisorFlag stands in for systemd's CPUID test on x86.
func (c *condContext) detectHypervisorFlag() string {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		return "none"
	}
	hv := false
	for _, f := range strings.Fields(c.cpuinfoField("flags")) {
		if f == "hypervisor" {
			hv = true
			break
		}
	}
	if !hv {
		return "none"
	}
	cs, _ := c.readLine("/sys/devices/system/clocksource/clocksource0/available_clocksource")
	for _, s := range strings.Fields(cs) {
		switch {
		case s == "kvm-clock":
			return "kvm"
		case strings.HasPrefix(s, "hyperv_clocksource"):
			return "microsoft"
		case s == "xen":
			return "xen"
		}
	}
	return "vm-other"
}

// detectDeviceTree is systemd's device-tree test, on the architectures
// that have one.
func (c *condContext) detectDeviceTree() string {
	switch runtime.GOARCH {
	case "arm", "arm64", "ppc64", "ppc64le", "riscv64":
	default:
		return "none"
	}
	hv, err := c.readLine("/proc/device-tree/hypervisor/compatible")
	if err == nil {
		hv = strings.TrimRight(hv, "\x00")
		switch {
		case hv == "linux,kvm":
			return "kvm"
		case strings.Contains(hv, "xen"):
			return "xen"
		case strings.Contains(hv, "vmware"):
			return "vmware"
		}
		return "vm-other"
	}
	if c.exists("/proc/device-tree/ibm,partition-name") && c.exists("/proc/device-tree/hmc-managed?") &&
		!c.exists("/proc/device-tree/chosen/qemu,graphic-width") {
		return "powervm"
	}
	entries, err := os.ReadDir(c.path("/proc/device-tree"))
	if err != nil {
		return "none"
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "fw-cfg") {
			return "qemu"
		}
	}
	if compat, err := c.readLine("/proc/device-tree/compatible"); err == nil && strings.TrimRight(compat, "\x00") == "qemu,pseries" {
		return "qemu"
	}
	return "none"
}

// cpuinfoField returns the first value of a field of /proc/cpuinfo.
func (c *condContext) cpuinfoField(name string) string {
	b, err := os.ReadFile(c.path("/proc/cpuinfo"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// sysinfoField returns a field of /proc/sysinfo (s390).
func (c *condContext) sysinfoField(name string) string {
	b, err := os.ReadFile(c.path("/proc/sysinfo"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
