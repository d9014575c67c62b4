package e2e

import (
	"slices"
	"syscall"
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/pm-project/pm/api/pmv1"
)

// TestAPIPersistence creates and updates units, kills pmd with SIGKILL
// and starts it again on the same state directory: every unit is back
// with its UUID and settings, and the auto_start one runs.
func TestAPIPersistence(t *testing.T) {
	dir := t.TempDir()
	units := dir + "/units"
	writeUnits(t, units, nil)
	args := []string{"--unit-path", units, "--config-dir", units}
	cmd, out, socket := startPmdIn(t, dir, args...)
	c := dial(t, out, socket)
	yes := true
	specs := map[string]*pmv1.UnitSpec{
		"a": {Command: "/bin/sleep", Args: []string{"1000"}, Description: "first"},
		"b": {Command: "/bin/sleep", Args: []string{"2000"}, AutoStart: &yes, Env: []string{"X=1"}},
		"c": {Command: "/bin/sh", Args: []string{"-c", "echo 'hi there' $X"}, Restart: "no"},
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := c.Create(callCtx(t), &pmv1.CreateRequest{Name: name, Spec: specs[name], Start: name == "a"}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	if _, err := c.Update(callCtx(t), &pmv1.UpdateRequest{Unit: "a", Spec: &pmv1.UnitSpec{Restart: "always", RestartSec: "5s"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Update(callCtx(t), &pmv1.UpdateRequest{Unit: "b", Spec: &pmv1.UnitSpec{Env: []string{"Y=2 3"}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"env"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(callCtx(t), &pmv1.DeleteRequest{Unit: "c"}); err != nil {
		t.Fatal(err)
	}
	before := map[string]*pmv1.Unit{}
	for _, name := range []string{"a", "b"} {
		d, err := c.Describe(callCtx(t), &pmv1.DescribeRequest{Unit: name})
		if err != nil {
			t.Fatal(err)
		}
		before[name] = d.GetUnit()
	}
	// SIGKILL leaves the services' processes behind (a started, b with
	// auto_start): kill them too (they are ours), once pmd is gone.
	var orphans []int
	for _, name := range []string{"a", "b"} {
		if pid := int(before[name].GetMainPid()); pid > 0 {
			orphans = append(orphans, pid)
		}
	}
	if len(orphans) != 2 {
		t.Fatalf("main PIDs %v; want a and b running", orphans)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for _, pid := range orphans {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}

	_, out, socket = startPmdIn(t, dir, args...)
	c = dial(t, out, socket)
	for _, name := range []string{"a", "b"} {
		d, err := c.Describe(callCtx(t), &pmv1.DescribeRequest{Unit: before[name].GetUuid()})
		if err != nil {
			t.Fatalf("%s after the restart: %v", name, err)
		}
		u, w := d.GetUnit(), before[name]
		if u.GetName() != w.GetName() || u.GetOrigin() != "api" || u.GetDescription() != w.GetDescription() ||
			u.GetRestart() != w.GetRestart() || !slices.Equal(u.GetArgs(), w.GetArgs()) ||
			!slices.Equal(u.GetSpec().GetEnv(), w.GetSpec().GetEnv()) {
			t.Errorf("%s after the restart:\n got %v\nwant %v", name, u, w)
		}
	}
	if _, err := c.Describe(callCtx(t), &pmv1.DescribeRequest{Unit: "c"}); describeErr(err) != "NotFound UNIT_NOT_FOUND" {
		t.Errorf("deleted c.service after the restart: %v", err)
	}
	if got := before["b"].GetSpec().GetEnv(); !slices.Equal(got, []string{"Y=2 3"}) {
		t.Errorf("got b's env %q, want the update's", got)
	}
	if got := before["a"].GetSpec().GetRestartSec(); got != "5s" {
		t.Errorf("got a's restart_sec %q, want 5s", got)
	}
	// b starts at boot; it survives a daemon-reload.
	waitActive(t, c, "b.service")
	if _, err := c.ReloadConfig(callCtx(t), &pmv1.ReloadConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	list, err := c.List(callCtx(t), &pmv1.ListRequest{All: true, Patterns: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetUnits()) != 2 {
		t.Errorf("got %d units after ReloadConfig, want a and b", len(list.GetUnits()))
	}
}
