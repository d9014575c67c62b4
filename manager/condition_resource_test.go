package manager

import (
	"errors"
	"runtime"
	"testing"
)

func TestCondMemory(t *testing.T) {
	// 16384000 kB is 16777216000 bytes.
	meminfo := "MemTotal:       16384000 kB\nMemFree:         1000 kB\n"
	c := condFixture(t, map[string]string{"proc/meminfo": meminfo})
	condRun(t, c, "Memory", []condCase{
		{"default is at least", "1G", true, false},
		{"at least too much", ">= 32G", false, false},
		{"below", "< 32G", true, false},
		{"exact", "=16384000K", true, false},
		{"not equal", "!=16384000K", false, false},
		{"greater than itself", ">16384000K", false, false},
		{"bad size", "lots", false, true},
		{"fnmatch operator is not allowed", "$=1G", false, true},
	})
	t.Run("cgroup v2 limit", func(t *testing.T) {
		c := condFixture(t, map[string]string{
			"proc/meminfo":                      meminfo,
			"proc/self/cgroup":                  "0::/pm.slice/init.scope\n",
			"sys/fs/cgroup/cgroup.controllers":  "cpu memory\n",
			"sys/fs/cgroup/pm.slice/memory.max": "1073741824\n",
		})
		condRun(t, c, "Memory", []condCase{{"limited", "2G", false, false}, {"within", "1G", true, false}})
	})
	t.Run("cgroup v2 max", func(t *testing.T) {
		c := condFixture(t, map[string]string{
			"proc/meminfo":                     meminfo,
			"proc/self/cgroup":                 "0::/\n",
			"sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
			"sys/fs/cgroup/memory.max":         "max\n",
		})
		condRun(t, c, "Memory", []condCase{{"unlimited", "2G", true, false}})
	})
	t.Run("cgroup v1 limit", func(t *testing.T) {
		c := condFixture(t, map[string]string{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": "4:memory:/x\n1:name=systemd:/\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
		})
		condRun(t, c, "Memory", []condCase{{"limited", "1G", false, false}, {"within", "512M", true, false}})
	})
	t.Run("no meminfo", func(t *testing.T) {
		condRun(t, condFixture(t, nil), "Memory", []condCase{{"error", "1G", false, true}})
	})
}

func TestCondCPUs(t *testing.T) {
	c := condFixture(t, nil)
	condRun(t, c, "CPUs", []condCase{
		{"default is at least", "4", true, false},
		{"at least more", "5", false, false},
		{"greater", ">4", false, false},
		{"lower or equal", "<=4", true, false},
		{"equal", "=4", true, false},
		{"unequal", "!=4", false, false},
		{"bad", "many", false, true},
	})
	c.cpus = func() (int, error) { return 0, errors.New("no affinity") }
	condRun(t, c, "CPUs", []condCase{{"error", "1", false, true}})
	t.Run("real affinity", func(t *testing.T) {
		n, err := condAffinityCPUs()
		if err != nil || n < 1 || n > runtime.NumCPU() {
			t.Errorf("condAffinityCPUs() = %d, %v, want 1..%d", n, err, runtime.NumCPU())
		}
	})
}

func TestCondControlGroupController(t *testing.T) {
	v2 := condFixture(t, map[string]string{
		"proc/self/cgroup":                          "0::/pm.slice/init.scope\n",
		"sys/fs/cgroup/cgroup.controllers":          "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/pm.slice/cgroup.controllers": "cpu memory pids\n",
	})
	condRun(t, v2, "ControlGroupController", []condCase{
		{"v2", "v2", true, false},
		{"v1", "v1", false, false},
		{"available", "memory", true, false},
		{"not delegated", "io", false, false},
		{"several", "cpu memory", true, false},
		{"v1 only", "cpuacct", false, false},
		{"unknown ignored", "bogus memory", true, false},
		{"only unknown", "bogus", true, false},
		{"bpf pseudo controller", "bpf-firewall", false, false},
	})
	v1 := condFixture(t, map[string]string{
		"proc/self/cgroup":                     "4:memory:/\n1:name=systemd:/\n",
		"sys/fs/cgroup/memory/cgroup.procs":    "",
		"sys/fs/cgroup/pids/cgroup.procs":      "",
		"sys/fs/cgroup/cpuset/cgroup.procs":    "",
		"sys/fs/cgroup/systemd/release_agent":  "",
		"sys/fs/cgroup/unified/cgroup.procs":   "",
		"sys/fs/cgroup/unified/cgroup.control": "",
	})
	condRun(t, v1, "ControlGroupController", []condCase{
		{"v1", "v1", true, false},
		{"v2", "v2", false, false},
		{"mounted", "memory pids", true, false},
		{"not mounted", "io", false, false},
		{"cpuset is not a v1 controller for systemd", "cpuset", false, false},
	})
}

func TestCondPressure(t *testing.T) {
	pressure := map[string]string{
		"proc/pressure/memory": "some avg10=1.00 avg60=2.00 avg300=3.00 total=10\nfull avg10=0.50 avg60=0.60 avg300=0.70 total=5\n",
		"proc/pressure/cpu":    "some avg10=5.00 avg60=6.00 avg300=7.00 total=9\n",
		"proc/pressure/io":     "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	}
	c := condFixture(t, pressure)
	condRun(t, c, "MemoryPressure", []condCase{
		{"full average within", "1%", true, false},
		{"full average above", "0.5%", false, false},
		{"equal is within", "0.70%", true, false},
		{"one decimal", "0.7%", true, false},
		{"one minute", "0.60%/1min", true, false},
		{"one minute above", "0.59%/1min", false, false},
		{"ten seconds", "0.5%/10sec", true, false},
		{"five minutes", "0.69%/5min", false, false},
		{"permille", "7‰", true, false},
		{"permyriad", "69‱", false, false},
		{"bad window", "5%/2min", false, true},
		{"bad value", "lots", false, true},
		{"over 100%", "101%", false, true},
		{"three decimals", "0.701%", false, true},
	})
	condRun(t, c, "CPUPressure", []condCase{
		{"some average", "7%", true, false},
		{"some average above", "6.99%", false, false},
	})
	condRun(t, c, "IOPressure", []condCase{{"idle", "0%", true, false}})

	t.Run("not supported", func(t *testing.T) {
		condRun(t, condFixture(t, nil), "MemoryPressure", []condCase{{"holds", "0%", true, false}})
	})
	t.Run("slice", func(t *testing.T) {
		files := map[string]string{
			"proc/self/cgroup":                                      "0::/\n",
			"sys/fs/cgroup/cgroup.controllers":                      "cpu io memory pids\n",
			"sys/fs/cgroup/foo.slice/foo-bar.slice/memory.pressure": "some avg10=9.00 avg60=9.00 avg300=9.00 total=1\nfull avg10=4.00 avg60=4.00 avg300=4.00 total=1\n",
		}
		for k, v := range pressure {
			files[k] = v
		}
		c := condFixture(t, files)
		condRun(t, c, "MemoryPressure", []condCase{
			{"within", "foo-bar.slice:5%", true, false},
			{"above", "foo-bar.slice:3%", false, false},
			{"missing slice holds", "other.slice:0%", true, false},
			{"bad slice", "foo--bar.slice:5%", false, true},
			{"not a slice", "foo.service:5%", false, true},
		})
	})
	t.Run("slice on cgroup v1 holds", func(t *testing.T) {
		condRun(t, c, "MemoryPressure", []condCase{{"v1", "foo.slice:0%", true, false}})
	})
}

func TestCondSlicePath(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"-.slice", "", true},
		{"foo.slice", "foo.slice", true},
		{"foo-bar-baz.slice", "foo.slice/foo-bar.slice/foo-bar-baz.slice", true},
		{"cpu.slice", "_cpu.slice", true},
		{"foo-.slice", "", false},
		{"-foo.slice", "", false},
		{"foo--bar.slice", "", false},
		{"foo.service", "", false},
		{"foo@bar.slice", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := condSlicePath(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("condSlicePath(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCondVirtualization(t *testing.T) {
	x86 := runtime.GOARCH == "amd64" || runtime.GOARCH == "386"
	tests := []struct {
		name  string
		files map[string]string
		pid1  bool
		env   []string
		want  string
		skip  bool
	}{
		{"none", nil, false, nil, "none", false},
		{"docker", map[string]string{".dockerenv": ""}, false, nil, "docker", false},
		{"podman wins over docker", map[string]string{".dockerenv": "", "run/.containerenv": ""}, false, nil, "podman", false},
		{"container manager file", map[string]string{"run/host/container-manager": "systemd-nspawn\n", ".dockerenv": ""}, false, nil, "systemd-nspawn", false},
		{"systemd's container file", map[string]string{"run/systemd/container": "lxc\n"}, false, nil, "lxc", false},
		{"oci means the files decide", map[string]string{"run/systemd/container": "oci\n", ".dockerenv": ""}, false, nil, "docker", false},
		{"oci alone", map[string]string{"run/systemd/container": "oci\n"}, false, nil, "container-other", false},
		{"unknown manager", map[string]string{"run/systemd/container": "garden\n"}, false, nil, "container-other", false},
		{"pid 1 environment", map[string]string{".dockerenv": ""}, true, []string{"container=lxc"}, "lxc", false},
		{"pid 1 empty container", map[string]string{".dockerenv": ""}, true, []string{"container="}, "none", false},
		{"pid 1 no variable", map[string]string{".dockerenv": ""}, true, nil, "docker", false},
		{"pid 1 environ file", map[string]string{"proc/1/environ": "PATH=/bin\x00container=podman\x00"}, false, nil, "podman", false},
		{"openvz", map[string]string{"proc/vz/": ""}, false, nil, "openvz", false},
		{"openvz host", map[string]string{"proc/vz/": "", "proc/bc/": ""}, false, nil, "none", false},
		{"wsl", map[string]string{"proc/sys/kernel/osrelease": "5.15.90.1-microsoft-standard-WSL2\n"}, false, nil, "wsl", false},
		{"cgroup namespace v2", map[string]string{
			"proc/self/ns/cgroup": "", "sys/fs/cgroup/cgroup.controllers": "", "sys/fs/cgroup/cgroup.events": "", "sys/fs/cgroup/cgroup.type": "",
		}, false, nil, "container-other", false},
		{"host cgroup v2", map[string]string{
			"proc/self/ns/cgroup": "", "sys/fs/cgroup/cgroup.controllers": "", "sys/fs/cgroup/cgroup.events": "", "sys/kernel/cgroup/features": "",
		}, false, nil, "none", false},
		{"cgroup namespace v1", map[string]string{"proc/self/ns/cgroup": "", "sys/fs/cgroup/systemd/": ""}, false, nil, "container-other", false},
		{"dmi qemu", map[string]string{"sys/class/dmi/id/sys_vendor": "QEMU\n"}, false, nil, "qemu", !x86 && runtime.GOARCH != "arm64"},
		{"dmi kvm product", map[string]string{"sys/class/dmi/id/product_name": "KVM\n", "sys/class/dmi/id/sys_vendor": "QEMU\n"}, false, nil, "kvm", !x86 && runtime.GOARCH != "arm64"},
		{"dmi virtualbox", map[string]string{"sys/class/dmi/id/sys_vendor": "innotek GmbH\n"}, false, nil, "oracle", !x86 && runtime.GOARCH != "arm64"},
		{"amazon metal", map[string]string{"sys/class/dmi/id/sys_vendor": "Amazon EC2\n", "sys/class/dmi/id/product_name": "m5.metal\n"}, false, nil, "none", !x86 && runtime.GOARCH != "arm64"},
		{"amazon vm", map[string]string{"sys/class/dmi/id/sys_vendor": "Amazon EC2\n", "sys/class/dmi/id/product_name": "m5.large\n"}, false, nil, "amazon", !x86 && runtime.GOARCH != "arm64"},
		{"hypervisor kvm clock", map[string]string{
			"proc/cpuinfo": "flags\t\t: fpu hypervisor\n",
			"sys/devices/system/clocksource/clocksource0/available_clocksource": "tsc kvm-clock \n",
			"sys/class/dmi/id/sys_vendor":                                       "QEMU\n",
		}, false, nil, "kvm", !x86},
		{"hypervisor unknown", map[string]string{"proc/cpuinfo": "flags\t\t: fpu hypervisor\n"}, false, nil, "vm-other", !x86},
		{"xen domU", map[string]string{"proc/xen/": ""}, false, nil, "xen", false},
		{"xen dom0", map[string]string{"proc/xen/capabilities": "control_d\n"}, false, nil, "none", false},
		{"uml", map[string]string{"proc/cpuinfo": "vendor_id\t: User Mode Linux\n"}, false, nil, "uml", false},
		{"hypervisor type", map[string]string{"sys/hypervisor/type": "xen\n"}, false, nil, "xen", false},
		{"container beats vm", map[string]string{".dockerenv": "", "proc/xen/": ""}, false, nil, "docker", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skipf("not tested on %s", runtime.GOARCH)
			}
			c := condFixture(t, tt.files)
			c.environ = tt.env
			if tt.pid1 {
				c.pid = 1
			}
			if got := c.virtualization(); got != tt.want {
				t.Errorf("virtualization() = %q, want %q", got, tt.want)
			}
		})
	}

	docker := condFixture(t, map[string]string{".dockerenv": ""})
	condRun(t, docker, "Virtualization", []condCase{
		{"yes", "yes", true, false},
		{"no", "no", false, false},
		{"container", "container", true, false},
		{"vm", "vm", false, false},
		{"id", "docker", true, false},
		{"other id", "podman", false, false},
	})
	none := condFixture(t, nil)
	condRun(t, none, "Virtualization", []condCase{
		{"no", "no", true, false},
		{"container", "container", false, false},
		{"none is no id", "none", false, false},
	})
	users := condFixture(t, map[string]string{"proc/self/uid_map": "         0       1000          1\n"})
	hostns := condFixture(t, map[string]string{
		"proc/self/uid_map": "         0          0 4294967295\n", "proc/self/gid_map": "         0          0 4294967295\n",
		"proc/self/setgroups": "allow\n",
	})
	condRun(t, users, "Virtualization", []condCase{{"private users", "private-users", true, false}})
	condRun(t, hostns, "Virtualization", []condCase{{"no private users", "private-users", false, false}})
}
