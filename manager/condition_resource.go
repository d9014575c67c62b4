package manager

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Conditions on resources: memory, CPUs, cgroup controllers and pressure.

// condOrderParam splits an order operator (default ">=") off p.
func condOrderParam(p string) (condOp, string) {
	op, rest := condParseOp(p, 0)
	if op == condOpNone {
		return condOpGreaterOrEqual, p
	}
	return op, rest
}

// condMemory compares the machine's memory (MemTotal, lowered to the
// manager's cgroup memory limit as in a container) with a size.
func condMemory(c *condContext, p string) (bool, error) {
	op, v := condOrderParam(p)
	want, err := unit.ParseSize(v)
	if err != nil {
		return false, errCondBadParameter
	}
	have, err := c.physicalMemory()
	if err != nil {
		return false, err
	}
	return condTestOrder(condCmp(have, want), op)
}

// physicalMemory is systemd's physical_memory: MemTotal of /proc/meminfo,
// or the root cgroup's memory limit (rounded down to pages) when lower.
func (c *condContext) physicalMemory() (uint64, error) {
	b, err := os.ReadFile(c.path("/proc/meminfo"))
	if err != nil {
		return 0, err
	}
	var mem uint64
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, err
			}
			mem = kb * 1024
		}
	}
	if mem == 0 {
		return 0, errors.New("no MemTotal in /proc/meminfo")
	}
	root := c.cgroupRoot()
	var limit string
	if c.cgroupUnified() {
		limit, err = c.readLine("/sys/fs/cgroup" + root + "/memory.max")
	} else {
		limit, err = c.readLine("/sys/fs/cgroup/memory" + root + "/memory.limit_in_bytes")
	}
	if err != nil || limit == "max" {
		return mem, nil
	}
	lim, err := strconv.ParseUint(limit, 10, 64)
	if err != nil || lim == ^uint64(0) {
		return mem, nil
	}
	ps := uint64(os.Getpagesize())
	return min(mem, lim/ps*ps), nil
}

// condCPUs compares the number of CPUs in the manager's affinity mask
// with a number.
func condCPUs(c *condContext, p string) (bool, error) {
	op, v := condOrderParam(p)
	want, err := strconv.ParseUint(strings.TrimLeft(v, " \t\n\r"), 10, 32)
	if err != nil {
		return false, errCondBadParameter
	}
	count := condAffinityCPUs
	if c.cpus != nil {
		count = c.cpus
	}
	n, err := count()
	if err != nil {
		return false, err
	}
	return condTestOrder(condCmp(uint64(n), want), op)
}

// condAffinityCPUs counts the CPUs the manager may run on.
func condAffinityCPUs() (int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0, err
	}
	if n := set.Count(); n > 0 {
		return n, nil
	}
	return 0, unix.EINVAL
}

// condCPUFlags maps the names systemd tests with CPUID to the names of
// /proc/cpuinfo flags. systemd knows these and no others; CPUFeature= is
// false on other architectures than x86.
var condCPUFlags = map[string]string{
	"fpu": "fpu", "vme": "vme", "de": "de", "pse": "pse", "tsc": "tsc", "msr": "msr",
	"pae": "pae", "mce": "mce", "cx8": "cx8", "apic": "apic", "sep": "sep", "mtrr": "mtrr",
	"pge": "pge", "mca": "mca", "cmov": "cmov", "pat": "pat", "pse36": "pse36",
	"clflush": "clflush", "mmx": "mmx", "fxsr": "fxsr", "sse": "sse", "sse2": "sse2",
	"ht": "ht", "pni": "pni", "pclmul": "pclmulqdq", "monitor": "monitor", "ssse3": "ssse3",
	"fma3": "fma", "cx16": "cx16", "sse4_1": "sse4_1", "sse4_2": "sse4_2", "movbe": "movbe",
	"popcnt": "popcnt", "aes": "aes", "xsave": "xsave", "osxsave": "xsave", "avx": "avx",
	"f16c": "f16c", "rdrand": "rdrand", "bmi1": "bmi1", "avx2": "avx2", "bmi2": "bmi2",
	"rdseed": "rdseed", "adx": "adx", "sha_ni": "sha_ni", "syscall": "syscall",
	"rdtscp": "rdtscp", "lm": "lm", "lahf_lm": "lahf_lm", "abm": "abm",
	"constant_tsc": "constant_tsc",
}

// condCPUFeature tests a CPU flag by the flags line of /proc/cpuinfo
// (systemd executes CPUID; the kernel's list is what pm can read without
// assembly, and it omits features the kernel disabled). The kernel does
// not list osxsave, which it sets whenever it enables xsave.
func condCPUFeature(c *condContext, p string) (bool, error) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		return false, nil
	}
	flag, ok := condCPUFlags[strings.ToLower(p)]
	if !ok {
		return false, nil
	}
	b, err := os.ReadFile(c.path("/proc/cpuinfo"))
	if err != nil {
		return false, nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "flags" {
			continue
		}
		for _, f := range strings.Fields(v) {
			if f == flag {
				return true, nil
			}
		}
		return false, nil
	}
	return false, nil
}

// cgroupUnified reports whether the cgroup v2 hierarchy is mounted alone
// on /sys/fs/cgroup (systemd's cg_all_unified), by its cgroup.controllers
// file, which v1 and hybrid setups have not there.
func (c *condContext) cgroupUnified() bool {
	return c.exists("/sys/fs/cgroup/cgroup.controllers")
}

// cgroupRoot is the manager's cgroup ("" for the root): the unified one
// on v2, else that of the name=systemd hierarchy, without "/init.scope".
func (c *condContext) cgroupRoot() string {
	b, err := os.ReadFile(c.path("/proc/self/cgroup"))
	if err != nil {
		return ""
	}
	unified := c.cgroupUnified()
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if (unified && f[0] == "0" && f[1] == "") || (!unified && f[1] == "name=systemd") {
			p := strings.TrimSuffix(strings.TrimSuffix(f[2], "/init.scope"), "/")
			return p
		}
	}
	return ""
}

// Controllers of cgroup v1 and v2 as systemd supports them.
var (
	condCgroupV1   = []string{"cpu", "cpuacct", "blkio", "memory", "devices", "pids"}
	condCgroupV2   = []string{"cpu", "cpuset", "io", "memory", "pids"}
	condCgroupKnow = map[string]bool{
		"cpu": true, "cpuacct": true, "cpuset": true, "io": true, "blkio": true, "memory": true,
		"devices": true, "pids": true, "bpf-firewall": true, "bpf-devices": true,
		"bpf-foreign": true, "bpf-socket-bind": true, "bpf-restrict-network-interfaces": true,
	}
)

// condControlGroupController: "v1" or "v2" test the hierarchy; otherwise
// all the named controllers must be available to the manager. Unknown
// names are ignored, and a list of only unknown names holds.
func condControlGroupController(c *condContext, p string) (bool, error) {
	switch p {
	case "v2":
		return c.cgroupUnified(), nil
	case "v1":
		return !c.cgroupUnified(), nil
	}
	have, err := c.cgroupControllers()
	if err != nil {
		return false, err
	}
	for _, w := range strings.Fields(p) {
		if condCgroupKnow[w] && !have[w] {
			return false, nil
		}
	}
	return true, nil
}

// cgroupControllers is systemd's cg_mask_supported: on v2 the controllers
// of the manager's cgroup.controllers; on v1 those whose hierarchy has a
// writable cgroup.procs for the manager's cgroup.
func (c *condContext) cgroupControllers() (map[string]bool, error) {
	root := c.cgroupRoot()
	have := map[string]bool{}
	if c.cgroupUnified() {
		line, err := c.readLine("/sys/fs/cgroup" + root + "/cgroup.controllers")
		if err != nil {
			return nil, err
		}
		for _, w := range strings.Fields(line) {
			for _, v2 := range condCgroupV2 {
				if w == v2 {
					have[w] = true
				}
			}
		}
		return have, nil
	}
	for _, v1 := range condCgroupV1 {
		if unix.Access(c.path("/sys/fs/cgroup/"+v1+root+"/cgroup.procs"), unix.W_OK) == nil {
			have[v1] = true
		}
	}
	return have, nil
}

// pressureSupported is systemd's is_pressure_supported: the three files of
// /proc/pressure can be read.
func (c *condContext) pressureSupported() (bool, error) {
	for _, f := range []string{"cpu", "io", "memory"} {
		if _, err := os.ReadFile(c.path("/proc/pressure/" + f)); err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.EOPNOTSUPP) {
				return false, nil
			}
			return false, err
		}
	}
	return true, nil
}

// condPressure tests MemoryPressure=, CPUPressure= or IOPressure=:
// "[SLICE:]PERCENT[/10sec|/1min|/5min]" holds when the pressure average
// (5min unless given) of the system or of the slice is at most PERCENT.
// It holds when pressure information is not available, as in systemd.
func condPressure(kind string) func(*condContext, string) (bool, error) {
	return func(c *condContext, p string) (bool, error) {
		ok, err := c.pressureSupported()
		if err != nil || !ok {
			return !ok && err == nil, err
		}
		first, second, n := condSplit2(p, ":")
		if n == 0 {
			return false, errCondBadParameter
		}
		preferFull := kind != "cpu"
		path, value := "/proc/pressure/"+kind, first
		if n == 2 {
			preferFull = true
			slice := strings.Trim(first, " \t\n\r")
			if !c.cgroupUnified() {
				return true, nil
			}
			have, err := c.cgroupControllers()
			if err != nil {
				return false, err
			}
			if !have[kind] {
				return true, nil
			}
			sp, ok := condSlicePath(slice)
			if !ok {
				return false, errCondBadParameter
			}
			if root := c.cgroupRoot(); root != "" {
				sp = strings.TrimSuffix(root+"/"+sp, "/")
			} else if sp != "" {
				sp = "/" + sp
			}
			path, value = "/sys/fs/cgroup"+sp+"/"+kind+".pressure", second
		}
		third, fourth, n := condSplit2(value, "/")
		if n == 0 {
			return false, errCondBadParameter
		}
		window := "avg300"
		if n == 2 {
			ts := strings.TrimLeft(fourth, " \t\n\r")
			switch {
			case strings.HasPrefix(ts, "10sec"):
				window = "avg10"
			case strings.HasPrefix(ts, "1min"):
				window = "avg60"
			case strings.HasPrefix(ts, "5min"):
			default:
				return false, errCondBadParameter
			}
		}
		limit, ok := condParsePermyriad(strings.Trim(third, " \t\n\r"))
		if !ok {
			return false, errCondBadParameter
		}
		avgs, err := condReadPressure(c.path(path), preferFull)
		if errors.Is(err, os.ErrNotExist) {
			return true, nil // a slice that does not exist (any longer)
		}
		if err != nil {
			return false, err
		}
		return avgs[window] <= limit, nil
	}
}

// condSplit2 is extract_many_words with two results: up to two words
// separated by sep (runs of separators count as one), and how many.
func condSplit2(s, sep string) (string, string, int) {
	a, rest, ok, err := unit.ExtractWord(s, sep, 0)
	if err != nil || !ok {
		return "", "", 0
	}
	b, _, ok, err := unit.ExtractWord(rest, sep, 0)
	if err != nil || !ok {
		return a, "", 1
	}
	return a, b, 2
}

// condSlicePath is systemd's cg_slice_to_path: "a-b.slice" is
// "a.slice/a-b.slice", "-.slice" is the root ("").
func condSlicePath(name string) (string, bool) {
	if name == "-.slice" {
		return "", true
	}
	prefix, ok := strings.CutSuffix(name, ".slice")
	if !unit.ValidName(name) || !ok || strings.Contains(name, "@") || prefix == "" || prefix[0] == '-' {
		return "", false
	}
	var parts []string
	for i := 0; i < len(prefix); i++ {
		if prefix[i] != '-' {
			continue
		}
		if i+1 == len(prefix) || prefix[i+1] == '-' {
			return "", false
		}
		parts = append(parts, condCgroupEscape(prefix[:i]+".slice"))
	}
	parts = append(parts, condCgroupEscape(name))
	return strings.Join(parts, "/"), true
}

// condCgroupEscape is systemd's cg_escape: names that could clash with the
// kernel's files get a '_' prefix.
func condCgroupEscape(s string) string {
	switch {
	case s == "", s[0] == '_', s[0] == '.', s == "notify_on_release", s == "release_agent",
		s == "tasks", strings.HasPrefix(s, "cgroup."):
		return "_" + s
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 && condCgroupKnow[s[:i]] {
		return "_" + s
	}
	return s
}

// condParsePermyriad is systemd's parse_permyriad: "N‱", "N.N‰" or
// "N.NN%", at most 100%, in hundredths of a percent.
func condParsePermyriad(s string) (int, bool) {
	num := func(s string) (int, bool) {
		if s == "" {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		v, err := strconv.Atoi(s)
		return v, err == nil && v <= 1<<31/100
	}
	frac := func(s, suffix string, places int) (int, bool) {
		body := strings.TrimSuffix(s, suffix)
		whole, f, hasDot := strings.Cut(body, ".")
		v, ok := num(whole)
		if !ok {
			return 0, false
		}
		q := 0
		if hasDot {
			if len(f) == 0 || len(f) > places {
				return 0, false
			}
			q, ok = num(f)
			if !ok {
				return 0, false
			}
			if len(f) < places {
				q *= 10
			}
		}
		scale := 10
		if places == 2 {
			scale = 100
		}
		return v*scale + q, true
	}
	var v int
	var ok bool
	switch {
	case strings.HasSuffix(s, "‱"):
		v, ok = num(strings.TrimSuffix(s, "‱"))
	case strings.HasSuffix(s, "‰"):
		v, ok = frac(s, "‰", 1)
	case strings.HasSuffix(s, "%"):
		v, ok = frac(s, "%", 2)
	}
	return v, ok && v <= 10000
}

// condReadPressure reads the averages of a PSI file in hundredths of a
// percent, from its "full" line when preferFull (falling back to "some",
// which older kernels alone have for cpu), else from "some".
func condReadPressure(path string, preferFull bool) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(b), "\n")
	find := func(kind string) string {
		for _, l := range lines {
			if rest, ok := strings.CutPrefix(l, kind); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
				return rest
			}
		}
		return ""
	}
	line := ""
	if preferFull {
		line = find("full")
	}
	if line == "" {
		line = find("some")
	}
	if line == "" {
		return nil, errors.New("no pressure data in " + path)
	}
	avgs := map[string]int{}
	total := false
	for _, w := range strings.Fields(line) {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "avg10", "avg60", "avg300":
			if _, dup := avgs[k]; dup {
				return nil, errCondBadParameter
			}
			whole, f, ok := strings.Cut(v, ".")
			i, err1 := strconv.ParseUint(whole, 10, 32)
			q, err2 := strconv.ParseUint(f, 10, 32)
			if !ok || err1 != nil || err2 != nil || q >= 100 {
				return nil, errors.New("bad pressure value " + w)
			}
			avgs[k] = int(i)*100 + int(q)
		case "total":
			if total {
				return nil, errCondBadParameter
			}
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				return nil, errors.New("bad pressure value " + w)
			}
			total = true
		}
	}
	if len(avgs) != 3 || !total {
		return nil, errors.New("incomplete pressure data in " + path)
	}
	return avgs, nil
}
