package unit

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchTree writes 1000 varied unit files into dir: services of several
// types with common directives, drop-ins for every tenth, aliases for
// every fiftieth, templates with instance symlinks, a type-wide drop-in
// and targets with .wants directories.
func benchTree(b *testing.B, dir string) {
	b.Helper()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	link := func(target, name string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			b.Fatal(err)
		}
	}
	types := []string{"simple", "oneshot", "notify", "forking", "exec"}
	for i := range 960 {
		name := fmt.Sprintf("svc-%03d.service", i)
		body := fmt.Sprintf(`[Unit]
Description=Benchmark service %d
Documentation=man:bench(8)
After=network.target svc-%03d.service
Wants=network.target

[Service]
Type=%s
ExecStartPre=-/bin/mkdir -p /run/bench/%d
ExecStart=/usr/bin/bench --id=%d --name=%%n "--label=a b"
ExecReload=/bin/kill -HUP $MAINPID
Environment=ID=%d "MODE=fast and loose"
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30
User=bench
LimitNOFILE=65536
PIDFile=/run/bench/%d.pid

[Install]
WantedBy=multi-user.target
`, i, (i+1)%960, types[i%len(types)], i, i, i, i)
		write(name, body)
		if i%10 == 0 {
			write(name+".d/10-override.conf", "[Service]\nEnvironment=EXTRA=1\nRestart=always\n")
			write(name+".d/20-limits.conf", "[Service]\nLimitCORE=infinity\nNice=5\n")
		}
		if i%50 == 0 {
			link(name, fmt.Sprintf("alias-%03d.service", i))
		}
	}
	for i := range 20 {
		write(fmt.Sprintf("tpl%02d@.service", i), "[Unit]\nDescription=Template %i\n[Service]\nExecStart=/usr/bin/worker %I\n")
		for j := range 5 {
			link(fmt.Sprintf("tpl%02d@.service", i), fmt.Sprintf("tpl%02d@%d.service", i, j))
		}
	}
	for i := range 20 {
		t := fmt.Sprintf("group-%02d.target", i)
		write(t, "[Unit]\nDescription=Group\n")
		for j := range 10 {
			link("../"+fmt.Sprintf("svc-%03d.service", i*10+j), t+".wants/"+fmt.Sprintf("svc-%03d.service", i*10+j))
		}
	}
	write("service.d/50-all.conf", "[Service]\nEnvironment=ALL=1\n")
}

// BenchmarkLoadAll1000 loads a directory of 1000 unit files (plus 100
// instance symlinks and 20 aliases): scan, parse, drop-ins, Build.
func BenchmarkLoadAll1000(b *testing.B) {
	dir := b.TempDir()
	benchTree(b, dir)
	l := Loader{Path: []string{dir}}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		set, _ := l.LoadAll()
		if len(set.Units) < 1000 {
			b.Fatalf("loaded %d names", len(set.Units))
		}
	}
	reportCPU(b, start)
}

// reportCPU reports the process's CPU time per operation since start
// (user and system, garbage collection included).
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkDiscover1000 is the discovery part of BenchmarkLoadAll1000
// alone: the scan and the search for each unit's files, without reading
// or building them.
func BenchmarkDiscover1000(b *testing.B) {
	dir := b.TempDir()
	benchTree(b, dir)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		x, _ := ScanPath([]string{dir})
		for _, n := range x.Names() {
			if pn, err := ParseName(n); err == nil && !pn.IsTemplate() {
				x.Sources(n)
			}
		}
	}
	reportCPU(b, start)
}
