package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/api/pmv1"
)

// BenchmarkPmctlList measures the wall time of pmctl commands, process
// start included, against pmd with 500 and 1000 loaded services, beside
// the minimal unix-socket status query: `pmctl is-system-running` (a
// process, a connection, one SystemStatus call) and the same call from a
// client already running (dial + SystemStatus, in process).
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkPmctlList
func BenchmarkPmctlList(b *testing.B) {
	for _, n := range []int{500, 1000} {
		files := map[string]string{}
		for i := range n {
			files[fmt.Sprintf("usr/lib/systemd/system/s%04d.service", i)] =
				"[Unit]\nDescription=Sleeper " + fmt.Sprint(i) + "\n[Service]\nExecStart=/bin/sleep 1000\n"
		}
		p := startPmdAPI(b, files)
		ctl := filepath.Join(bin, "pmctl")
		env := []string{"PM_SOCKET=" + p.sock}
		b.Run(fmt.Sprintf("units=%d/list", n), func(b *testing.B) {
			for b.Loop() {
				if r := runCtl(b, ctl, env, "list"); r.code != 0 {
					b.Fatalf("pmctl list: exit %d: %s", r.code, r.stderr)
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/list-units-all", n), func(b *testing.B) {
			for b.Loop() {
				if r := runCtl(b, ctl, env, "list-units", "--all"); r.code != 0 {
					b.Fatalf("pmctl list-units: exit %d: %s", r.code, r.stderr)
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/is-system-running", n), func(b *testing.B) {
			for b.Loop() {
				if r := runCtl(b, ctl, env, "is-system-running"); r.stdout == "" {
					b.Fatalf("pmctl is-system-running: exit %d: %s", r.code, r.stderr)
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/status-in-process", n), func(b *testing.B) {
			for b.Loop() {
				c, err := client.Dial(client.Options{Socket: p.sock})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.SystemStatus(context.Background(), &pmv1.SystemStatusRequest{}); err != nil {
					b.Fatal(err)
				}
				_ = c.Close()
			}
		})
		b.Run(fmt.Sprintf("units=%d/list-in-process", n), func(b *testing.B) {
			c, err := client.Dial(client.Options{Socket: p.sock})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for b.Loop() {
				if _, err := c.List(context.Background(), &pmv1.ListRequest{All: true, Types: []string{"service"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
