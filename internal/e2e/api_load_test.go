package e2e

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/api/pmv1"
)

// TestAPIConcurrentClients: 100 clients, each on its own connection,
// make 100 calls each (reads, and starts of running units); none fails
// and pmd is healthy after.
func TestAPIConcurrentClients(t *testing.T) {
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	files := map[string]string{}
	for i := 0; i < 10; i++ {
		files[fmt.Sprintf("s%d.service", i)] = "[Service]\nExecStart=/bin/sleep 1000\n[X-PM]\nAutoStart=yes\n"
	}
	writeUnits(t, units, files)
	_, out, socket := startPmdIn(t, dir, "--unit-path", units, "--config-dir", units)
	c := dial(t, out, socket)
	for i := 0; i < 10; i++ {
		waitActive(t, c, fmt.Sprintf("s%d.service", i))
	}
	const clients, calls = 100, 100
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cc, err := client.Dial(client.Options{Socket: socket})
			if err != nil {
				errs <- err
				return
			}
			defer cc.Close()
			for j := 0; j < calls; j++ {
				unit := fmt.Sprintf("s%d", (i+j)%10)
				var err error
				switch j % 5 {
				case 0:
					_, err = cc.List(callCtx(t), &pmv1.ListRequest{})
				case 1:
					_, err = cc.Describe(callCtx(t), &pmv1.DescribeRequest{Unit: unit})
				case 2:
					_, err = cc.Show(callCtx(t), &pmv1.ShowRequest{Unit: unit, Properties: []string{"ActiveState", "MainPID"}})
				case 3:
					_, err = cc.Start(callCtx(t), &pmv1.JobRequest{Unit: unit})
				case 4:
					_, err = cc.SystemStatus(callCtx(t), &pmv1.SystemStatusRequest{})
				}
				if err != nil {
					errs <- fmt.Errorf("client %d call %d: %w", i, j, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := c.Ping(callCtx(t)); err != nil {
		t.Fatalf("pmd unhealthy after the load: %v", err)
	}
	st, err := c.SystemStatus(callCtx(t), &pmv1.SystemStatusRequest{})
	if err != nil || st.GetState() != "running" {
		t.Errorf("got %v %v, want running", st.GetState(), err)
	}
}
