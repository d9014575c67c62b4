package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// The D-Bus benchmarks time the stock systemctl against pmd, process
// start included, as a user sees it. Each command runs through nsenter
// into the test's mount namespace; BenchmarkDBusNsenter times that
// overhead alone, to subtract.
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkDBus

// BenchmarkDBusNsenter is nsenter running /bin/true: the cost every
// other benchmark here includes.
func BenchmarkDBusNsenter(b *testing.B) {
	needDBusTools(b)
	n := newNS(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n.mustRun(0, "true")
	}
}

// BenchmarkDBusIsActive is `systemctl is-active X` on a running service.
func BenchmarkDBusIsActive(b *testing.B) {
	needDBusTools(b)
	n := newNS(b)
	n.writeUnit("x.service", "[Service]\nExecStart=/bin/sleep infinity\n")
	n.startPmd()
	n.mustRun(0, "systemctl", "start", "x")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out := n.mustRun(0, "systemctl", "is-active", "x"); out != "active\n" {
			b.Fatalf("is-active printed %q", out)
		}
	}
}

// BenchmarkDBusListUnits1000 is `systemctl list-units --all` with 1000
// services loaded.
func BenchmarkDBusListUnits1000(b *testing.B) {
	needDBusTools(b)
	n := newNS(b)
	for i := 0; i < 1000; i++ {
		n.writeUnit(fmt.Sprintf("s%04d.service", i), "[Service]\nExecStart=/bin/sleep infinity\n")
	}
	n.startPmd()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := n.mustRun(0, "systemctl", "list-units", "--all", "--no-legend")
		if c := strings.Count(out, ".service"); c < 1000 {
			b.Fatalf("list-units showed %d services", c)
		}
	}
}
