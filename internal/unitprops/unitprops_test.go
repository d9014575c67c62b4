package unitprops

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// testUnits are the units of the tests: one of each kind pm runs, and a
// mount, which it does not.
var testUnits = map[string]string{
	"svc.service": `[Unit]
Description=S
Requires=dep.service
ConditionPathExists=/
[Service]
ExecStartPre=-/bin/true
ExecStart=/bin/sleep 1
ExecReload=/bin/true
RestartPreventExitStatus=3 SIGUSR1
EnvironmentFile=-/nonexistent
`,
	"dep.service": "[Service]\nExecStart=/bin/sleep 1\n",
	"s.socket":    "[Socket]\nListenStream=/tmp/pm-unitprops-test.sock\n",
	"t.timer":     "[Timer]\nOnCalendar=daily\nOnBootSec=5min\n",
	"a.target":    "[Unit]\nDescription=A\n",
	"x.mount":     "[Mount]\nWhat=/a\nWhere=/x\n",
}

// testManager runs a manager on testUnits until the test ends.
func testManager(t *testing.T) *manager.Manager {
	t.Helper()
	dir := t.TempDir()
	for name, content := range testUnits {
		p := filepath.Join(dir, "units", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := manager.New(manager.Config{
		UnitPath:   []string{filepath.Join(dir, "units")},
		RuntimeDir: filepath.Join(dir, "rt"),
		StateDir:   filepath.Join(dir, "state"),
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- m.Run(t.Context()) }() // t.Context ends before the cleanups run
	t.Cleanup(func() { <-stopped })
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	select {
	case <-m.Ready():
		return m
	case err := <-stopped:
		t.Fatalf("the manager stopped: %v", err)
	case <-timeout.C:
		t.Fatal("the manager is not ready after 10s")
	}
	return nil
}

var (
	jobRefType  = reflect.TypeOf(JobRef{})
	unitRefType = reflect.TypeOf(UnitRef{})
)

// signature is the D-Bus signature of a Go type as godbus encodes it,
// with the object paths of JobRef and UnitRef.
func signature(t reflect.Type) string {
	switch t {
	case jobRefType:
		return "(uo)"
	case unitRefType:
		return "(so)"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "b"
	case reflect.Uint8:
		return "y"
	case reflect.Int32:
		return "i"
	case reflect.Uint32:
		return "u"
	case reflect.Int64:
		return "x"
	case reflect.Uint64:
		return "t"
	case reflect.Float64:
		return "d"
	case reflect.String:
		return "s"
	case reflect.Slice:
		return "a" + signature(t.Elem())
	case reflect.Struct:
		var b strings.Builder
		b.WriteByte('(')
		for i := 0; i < t.NumField(); i++ {
			b.WriteString(signature(t.Field(i).Type))
		}
		b.WriteByte(')')
		return b.String()
	}
	return "?" + t.String()
}

func checkTypes[V any](t *testing.T, tb *Table[V], v V) {
	t.Helper()
	for _, p := range tb.Props() {
		val := p.Get(v)
		if val == nil {
			t.Errorf("%s.%s: nil value", tb.Iface, p.Name)
			continue
		}
		if got := signature(reflect.TypeOf(val)); got != p.Sig {
			t.Errorf("%s.%s: value has type %s, table says %s", tb.Iface, p.Name, got, p.Sig)
		}
	}
}

// TestTypes checks that every getter returns a value of the type its
// entry declares, for each kind of unit, a unit that does not exist, the
// manager and a job.
func TestTypes(t *testing.T) {
	m := testManager(t)
	ctx := context.Background()
	for _, name := range []string{"svc.service", "s.socket", "t.timer", "a.target", "x.mount", "nosuch.service"} {
		t.Run(name, func(t *testing.T) {
			st := m.Snapshot().Unit(name)
			if st == nil {
				st = NotFound(name)
			}
			v := NewUnitView(ctx, m, nil, st)
			for _, tb := range UnitTables(st.Type) {
				checkTypes(t, tb, v)
			}
		})
	}
	checkTypes(t, ManagerTable, NewManagerView(m, time.Now(), []string{"/x"}))
	checkTypes(t, JobTable, &JobView{Info: manager.JobInfo{ID: 3, Unit: "a.target", Type: manager.JobStart, State: "waiting"}})
}

// TestOrder spot-checks systemd's order: a unit's type interface comes
// first, the Exec*= properties are each followed by their …Ex form, and
// the dependencies follow Id, Names and Following.
func TestOrder(t *testing.T) {
	tables := UnitTables(unit.TypeService)
	if len(tables) != 2 || tables[0] != ServiceTable || tables[1] != UnitTable {
		t.Fatalf("got %d tables, want Service then Unit", len(tables))
	}
	names := func(tb *Table[*UnitView]) []string {
		var out []string
		for _, p := range tb.Props() {
			out = append(out, p.Name)
		}
		return out
	}
	svc, u := names(ServiceTable), names(UnitTable)
	if svc[0] != "Type" || u[0] != "Id" || u[3] != "Requires" {
		t.Errorf("got Service %v… and Unit %v…, want Type… and Id, Names, Following, Requires…", svc[:3], u[:4])
	}
	i, _ := ServiceTable.Index("ExecStart")
	if svc[i+1] != "ExecStartEx" || svc[i+2] != "ExecStartPost" {
		t.Errorf("got %v after ExecStart, want ExecStartEx, ExecStartPost", svc[i+1:i+3])
	}
	if _, ok := SocketTable.Lookup("ExecStartPreEx"); ok {
		t.Errorf("the Socket interface has ExecStartPreEx; systemd's has no …Ex forms")
	}
	if got := UnitTables(unit.Type("nosuch")); len(got) != 1 || got[0] != UnitTable {
		t.Errorf("an unknown type has %d tables, want Unit alone", len(got))
	}
}

// TestValues spot-checks values that both front doors show.
func TestValues(t *testing.T) {
	m := testManager(t)
	get := func(name, prop string) any {
		t.Helper()
		st := m.Snapshot().Unit(name)
		if st == nil {
			st = NotFound(name)
		}
		v := NewUnitView(context.Background(), m, nil, st)
		for _, tb := range UnitTables(st.Type) {
			if p, ok := tb.Lookup(prop); ok {
				return p.Get(v)
			}
		}
		t.Fatalf("%s has no property %s", name, prop)
		return nil
	}
	for _, tc := range []struct {
		unit, prop string
		want       any
	}{
		{"svc.service", "Id", "svc.service"},
		{"svc.service", "Requires", []string{"basic.target", "dep.service"}},
		{"svc.service", "CanReload", true},
		{"svc.service", "Job", JobRef{0, "/"}},
		{"svc.service", "LoadError", Pair{}},
		{"svc.service", "RestartPreventExitStatus", ExitStatusSet{Status: []int32{3}, Signals: []int32{10}}},
		{"svc.service", "EnvironmentFiles", []EnvFile{{"/nonexistent", true}}},
		{"svc.service", "ExecStartPreEx", []ExecStatusEx{{Path: "/bin/true", Argv: []string{"/bin/true"}, Flags: []string{"ignore-failure"}}}},
		{"svc.service", "Conditions", []Condition{{Type: "ConditionPathExists", Parameter: "/"}}}, // not checked yet
		{"svc.service", "UnitFileState", ""},
		{"svc.service", "UnitFilePreset", ""},
		{"nosuch.service", "LoadState", "not-found"},
		{"nosuch.service", "Description", "nosuch.service"},
		{"nosuch.service", "LoadError", Pair{ErrNoSuchUnit, "Unit nosuch.service not found."}},
		{"nosuch.service", "Type", "simple"},
		{"t.timer", "Unit", "t.service"},
		{"t.timer", "TimersMonotonic", []TimerSpec{{"OnBootUSec", 300e6, 0}}},
		{"s.socket", "Listen", []Pair{{"ListenStream", "/tmp/pm-unitprops-test.sock"}}},
	} {
		if got := get(tc.unit, tc.prop); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s = %#v, want %#v", tc.unit, tc.prop, got, tc.want)
		}
	}
}

func TestFileStates(t *testing.T) {
	withCfg := func(origin string, autoStart bool, fragment string) *manager.UnitStatus {
		return &manager.UnitStatus{Name: "a.service", Origin: origin,
			Config: &unit.Unit{AutoStart: autoStart, FragmentPath: fragment}}
	}
	for _, tc := range []struct {
		name          string
		st            *manager.UnitStatus
		state, preset string
	}{
		{"api autostart", withCfg("api", true, ""), "enabled", ""},
		{"yaml", withCfg("yaml", false, ""), "disabled", ""},
		{"builtin", withCfg("builtin", false, ""), "static", ""},
		{"file without a root", withCfg("file", false, "/etc/systemd/system/a.service"), "", ""},
		{"not found", NotFound("a.service"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewUnitView(context.Background(), nil, nil, tc.st)
			if got := v.unitFileState(); got != tc.state {
				t.Errorf("got UnitFileState %q, want %q", got, tc.state)
			}
			if got := v.unitFilePreset(); got != tc.preset {
				t.Errorf("got UnitFilePreset %q, want %q", got, tc.preset)
			}
		})
	}
}
