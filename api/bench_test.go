package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/pm-project/pm/api/pmv1"
)

// The benchmarks go through the real server and a unix socket, as a
// client in another process would.
//
//	go test ./api -run '^$' -bench . -benchtime 2s

func benchmarkList(b *testing.B, n int, view pmv1.UnitView) {
	units := map[string]string{}
	for i := 0; i < n; i++ {
		units[fmt.Sprintf("s%04d.service", i)] = "[Unit]\nDescription=service number " + fmt.Sprint(i) + "\n[Service]\nExecStart=/bin/sleep 1000\n"
	}
	e := newEnv(b, envOpts{units: units})
	req := &pmv1.ListRequest{All: true, Types: []string{"service"}, View: view}
	resp, err := e.c.List(e.ctx(), req)
	if err != nil {
		b.Fatal(err)
	}
	if len(resp.GetUnits()) < n {
		b.Fatalf("got %d units, want at least %d", len(resp.GetUnits()), n)
	}
	ctx := e.ctx()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.c.List(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkList500(b *testing.B)  { benchmarkList(b, 500, pmv1.UnitView_UNIT_VIEW_FULL) }
func BenchmarkList1000(b *testing.B) { benchmarkList(b, 1000, pmv1.UnitView_UNIT_VIEW_FULL) }
func BenchmarkList1000Basic(b *testing.B) {
	benchmarkList(b, 1000, pmv1.UnitView_UNIT_VIEW_BASIC)
}

// BenchmarkStart measures a blocking Start of a /bin/sleep service: the
// call, the fork and exec, and the reply once it runs. Stopping it again
// is not measured.
func BenchmarkStart(b *testing.B) {
	e := newEnv(b, envOpts{units: map[string]string{"a.service": "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 1000\n"}})
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		resp, err := e.c.Start(ctx, &pmv1.JobRequest{Unit: "a"})
		if err != nil {
			b.Fatal(err)
		}
		if resp.GetActiveState() != "active" {
			b.Fatalf("got %s, want active", resp.GetActiveState())
		}
		b.StopTimer()
		if _, err := e.c.Stop(ctx, &pmv1.JobRequest{Unit: "a"}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkDescribe measures a Describe of a running unit.
func BenchmarkDescribe(b *testing.B) {
	e := newEnv(b, envOpts{units: map[string]string{"a.service": "[Service]\nExecStart=/bin/sleep 1000\n"}})
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.c.Describe(ctx, &pmv1.DescribeRequest{Unit: "a"}); err != nil {
			b.Fatal(err)
		}
	}
}
