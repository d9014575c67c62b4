package api

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/internal/unitprops"
)

func TestFormatProperty(t *testing.T) {
	ts := time.Date(2026, 11, 25, 22, 41, 34, 0, time.Local)
	tsText := ts.Format("Mon 2006-01-02 15:04:05 MST")
	const max = uint64(1<<64 - 1)
	tests := []struct {
		name string
		v    any
		all  bool
		want []string
	}{
		{"Id", "a.service", false, []string{"a.service"}},
		{"StatusText", "", false, nil},
		{"StatusText", "", true, []string{""}},
		{"StatusText", "two\nlines", false, []string{"[unprintable]"}},
		{"RemainAfterExit", false, false, []string{"no"}},
		{"CanStart", true, false, []string{"yes"}},
		{"MainPID", uint32(0), false, []string{"0"}},
		{"UID", uint32(unitprops.UndefinedID), false, []string{"[not set]"}},
		{"UMask", uint32(0o22), false, []string{"0022"}},
		{"SocketMode", uint32(0o666), false, []string{"0666"}},
		{"StatusErrno", int32(-2), false, []string{"-2"}},
		{"FailureActionExitStatus", int32(-1), false, nil},
		{"FailureActionExitStatus", int32(-1), true, []string{"[not set]"}},
		{"SuccessActionExitStatus", int32(3), false, []string{"3"}},
		{"MessageQueueMaxMessages", int64(-3), false, []string{"-3"}},
		{"Progress", 1.0, false, []string{"1"}},
		{"ExitCode", byte(0), false, nil},
		{"ExitCode", byte(0), true, []string{"[unprintable]"}},
		{"RestartUSec", uint64(100000), false, []string{"100ms"}},
		{"TimeoutStartUSec", uint64(90000000), false, []string{"1min 30s"}},
		{"TimeoutStopUSec", max, false, []string{"infinity"}},
		{"WatchdogUSec", uint64(0), false, []string{"0"}},
		{"ActiveEnterTimestamp", uint64(ts.UnixMicro()), false, []string{tsText}},
		{"ActiveEnterTimestamp", uint64(0), false, nil},
		{"ActiveEnterTimestamp", uint64(0), true, []string{""}},
		{"ActiveEnterTimestampMonotonic", uint64(0), false, []string{"0"}},
		{"LastTriggerUSec", uint64(0), false, nil},
		{"LastTriggerUSecMonotonic", uint64(0), false, []string{"0"}},
		{"MemoryCurrent", max, false, []string{"[not set]"}},
		{"CPUUsageNSec", max, false, []string{"[not set]"}},
		{"CPUWeight", max, false, []string{"[not set]"}},
		{"CPUWeight", uint64(0), false, []string{"idle"}},
		{"MemoryMax", max, false, []string{"infinity"}},
		{"MemoryAvailable", max, false, []string{"infinity"}},
		{"LimitNOFILE", max, false, []string{"infinity"}},
		{"LimitNOFILE", uint64(1024), false, []string{"1024"}},
		{"TasksMax", max, false, []string{"infinity"}},
		{"IPIngressBytes", max, false, []string{"[no data]"}},
		{"IOReadBytes", max, false, []string{"18446744073709551615"}},
		{"CapabilityBoundingSet", uint64(1<<0 | 1<<12), false, []string{"cap_chown cap_net_admin"}},
		{"AmbientCapabilities", uint64(0), false, nil},
		{"Names", []string{"a.service", "b.service"}, false, []string{"a.service b.service"}},
		{"Environment", []string{"A=b c", `Q="x"`, "P=$HOME"}, false, []string{`"A=b c" "Q=\"x\"" "P=\$HOME"`}},
		{"Wants", []string{}, false, nil},
		{"Wants", []string{}, true, []string{""}},
		{"CPUAffinity", []byte{0b1011_0111, 0b1}, false, []string{"0-2 4-5 7-8"}},
		{"AllowedCPUs", []byte{}, false, nil},
		{"InvocationID", []byte{0xab, 0x01}, false, []string{"ab01"}},
		{"InvocationID", []byte{}, true, []string{""}},
		{"Job", unitprops.JobRef{ID: 7, Path: "/org/freedesktop/systemd1/job/7"}, false, []string{"7"}},
		{"Job", unitprops.JobRef{Path: "/"}, false, nil},
		{"Job", unitprops.JobRef{Path: "/"}, true, []string{""}},
		{"Unit", unitprops.UnitRef{Name: "a.service", Path: "/x"}, false, []string{"a.service"}},
		{"LoadError", unitprops.Pair{A: "org.freedesktop.systemd1.NoSuchUnit", B: "Unit x.service not found."}, false,
			[]string{`org.freedesktop.systemd1.NoSuchUnit "Unit x.service not found."`}},
		{"LoadError", unitprops.Pair{}, false, nil},
		{"RestartPreventExitStatus", unitprops.ExitStatusSet{Status: []int32{3, 4}, Signals: []int32{10}}, false, []string{"3 4 USR1"}},
		{"SuccessExitStatus", unitprops.ExitStatusSet{Status: []int32{}, Signals: []int32{}}, false, nil},
		{"SuccessExitStatus", unitprops.ExitStatusSet{Status: []int32{}, Signals: []int32{}}, true, []string{""}},
		{"Listen", []unitprops.Pair{{A: "ListenStream", B: "/run/a.sock"}, {A: "ListenDatagram", B: "[::]:53"}}, false,
			[]string{"/run/a.sock (ListenStream)", "[::]:53 (ListenDatagram)"}},
		{"ActivationDetails", []unitprops.Pair{}, false, nil},
		{"ActivationDetails", []unitprops.Pair{}, true, []string{"[unprintable]"}},
		{"EnvironmentFiles", []unitprops.EnvFile{{Path: "/etc/a", Optional: true}}, false, []string{"/etc/a (ignore_errors=yes)"}},
		{"EnvironmentFiles", []unitprops.EnvFile{}, true, []string{}},
		{"TimersMonotonic", []unitprops.TimerSpec{{Base: "OnBootUSec", Value: 300e6}}, false, []string{"{ OnBootUSec=5min ; next_elapse=0 }"}},
		{"TimersCalendar", []unitprops.CalendarSpec{{Base: "OnCalendar", Spec: "*-*-* 00:00:00"}}, false,
			[]string{"{ OnCalendar=*-*-* 00:00:00 ; next_elapse=(null) }"}},
		{"Conditions", []unitprops.Condition{{Type: "ConditionPathExists", Parameter: "/x"}}, false, nil},
		{"Conditions", []unitprops.Condition{{Type: "ConditionPathExists", Parameter: "/x"}}, true, []string{"[unprintable]"}},
		{"ExecStart", []unitprops.ExecStatus{{Path: "/bin/sleep", Argv: []string{"/bin/sleep", "1"}}}, false,
			[]string{"{ path=/bin/sleep ; argv[]=/bin/sleep 1 ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }"}},
		{"ExecStartEx", []unitprops.ExecStatusEx{{Path: "/bin/sleep", Argv: []string{"/bin/sleep", "1"}, Flags: []string{"ignore-failure"},
			Start: uint64(ts.UnixMicro()), PID: 9, Code: 1, Status: 3}}, false,
			[]string{"{ path=/bin/sleep ; argv[]=/bin/sleep 1 ; flags=ignore-failure ; start_time=[" + tsText + "] ; stop_time=[n/a] ; pid=9 ; code=exited ; status=3 }"}},
		{"ExecStop", []unitprops.ExecStatus{{Path: "/bin/kill", Argv: []string{"/bin/kill"}, Code: 2, Status: 15}}, false,
			[]string{"{ path=/bin/kill ; argv[]=/bin/kill ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=killed ; status=15/TERM }"}},
		{"ExecStopPost", []unitprops.ExecStatus{}, true, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatProperty(tt.name, tt.v, tt.all)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestShowTypes checks that formatProperty knows the Go type of every
// property of every table, so Show never prints [unprintable] where
// systemctl prints a value.
func TestShowTypes(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{
		"a.service": "[Service]\nExecStart=/bin/sleep 1000\nEnvironmentFile=-/etc/nothing\n",
		"a.socket":  "[Socket]\nListenStream=/run/a-test.sock\n",
		"a.timer":   "[Timer]\nOnCalendar=daily\nOnBootSec=5min\n",
	}})
	// The properties systemctl cannot print either.
	unprintable := map[string]bool{"Conditions": true, "Asserts": true, "ActivationDetails": true}
	for _, name := range []string{"a.service", "a.socket", "a.timer", "nosuch.service"} {
		t.Run(name, func(t *testing.T) {
			resp, err := e.c.Show(e.ctx(), &pmv1.ShowRequest{Unit: name, All: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range resp.GetProperties() {
				if p.GetValue() == "[unprintable]" && !unprintable[p.GetName()] {
					t.Errorf("%s=[unprintable], want a value", p.GetName())
				}
			}
		})
	}
}

func TestShowCatDependencies(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{
		"web.service":                 "[Unit]\nDescription=web server\nWants=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/sleep 1000\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\n",
		"web.service.d/override.conf": "[Service]\nEnvironment=MODE=prod\n",
		"db.service":                  "[Service]\nExecStart=/bin/sleep 1000\n",
		"app.target":                  "[Unit]\nWants=web.service sub.target\n",
		"sub.target":                  "[Unit]\nWants=app.target db.service\n",
	}})
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "web"}); err != nil {
		t.Fatal(err)
	}
	show := func(r *pmv1.ShowRequest) map[string][]string {
		t.Helper()
		resp, err := e.c.Show(e.ctx(), r)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, p := range resp.GetProperties() {
			out[p.GetName()] = append(out[p.GetName()], p.GetValue())
		}
		return out
	}
	p := show(&pmv1.ShowRequest{Unit: "web"})
	st := e.m.Snapshot().Unit("web.service")
	tsRe := regexp.MustCompile(`^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$`)
	checks := map[string]func(v []string) bool{
		"Id":              func(v []string) bool { return slices.Equal(v, []string{"web.service"}) },
		"Description":     func(v []string) bool { return slices.Equal(v, []string{"web server"}) },
		"LoadState":       func(v []string) bool { return slices.Equal(v, []string{"loaded"}) },
		"ActiveState":     func(v []string) bool { return slices.Equal(v, []string{"active"}) },
		"SubState":        func(v []string) bool { return slices.Equal(v, []string{"running"}) },
		"Type":            func(v []string) bool { return slices.Equal(v, []string{"simple"}) },
		"Restart":         func(v []string) bool { return slices.Equal(v, []string{"on-failure"}) },
		"RestartUSec":     func(v []string) bool { return slices.Equal(v, []string{"100ms"}) },
		"TimeoutStopUSec": func(v []string) bool { return slices.Equal(v, []string{"1min 30s"}) },
		"MainPID":         func(v []string) bool { return len(v) == 1 && v[0] == itoa(st.MainPID) && v[0] != "0" },
		"ExecMainPID":     func(v []string) bool { return len(v) == 1 && v[0] == itoa(st.MainPID) },
		"NRestarts":       func(v []string) bool { return slices.Equal(v, []string{"0"}) },
		"Result":          func(v []string) bool { return slices.Equal(v, []string{"success"}) },
		"Wants":           func(v []string) bool { return len(v) == 1 && strings.Contains(v[0], "db.service") },
		"After":           func(v []string) bool { return len(v) == 1 && strings.Contains(v[0], "db.service") },
		"FragmentPath":    func(v []string) bool { return slices.Equal(v, []string{filepath.Join(e.units, "web.service")}) },
		"DropInPaths": func(v []string) bool {
			return slices.Equal(v, []string{filepath.Join(e.units, "web.service.d/override.conf")})
		},
		"Environment":            func(v []string) bool { return slices.Equal(v, []string{"MODE=prod"}) },
		"ActiveEnterTimestamp":   func(v []string) bool { return len(v) == 1 && tsRe.MatchString(v[0]) },
		"ExecMainStartTimestamp": func(v []string) bool { return len(v) == 1 && tsRe.MatchString(v[0]) },
		"ActiveEnterTimestampMonotonic": func(v []string) bool {
			return len(v) == 1 && v[0] != "0"
		},
		"ExecStart": func(v []string) bool {
			return len(v) == 1 && strings.HasPrefix(v[0], "{ path=/bin/sleep ; argv[]=/bin/sleep 1000 ;")
		},
		"CanStart":         func(v []string) bool { return slices.Equal(v, []string{"yes"}) },
		"CanReload":        func(v []string) bool { return slices.Equal(v, []string{"no"}) },
		"NeedDaemonReload": func(v []string) bool { return slices.Equal(v, []string{"no"}) },
		"UID":              func(v []string) bool { return slices.Equal(v, []string{"[not set]"}) },
		"StatusText":       func(v []string) bool { return v == nil },
		"ActiveExitTimestamp": func(v []string) bool {
			return v == nil
		},
	}
	for name, ok := range checks {
		if !ok(p[name]) {
			t.Errorf("%s=%q is not right", name, p[name])
		}
	}
	// Type comes first, Id after the Service properties, as systemd sends
	// them.
	resp, _ := e.c.Show(e.ctx(), &pmv1.ShowRequest{Unit: "web"})
	if resp.GetProperties()[0].GetName() != "Type" {
		t.Errorf("got %s first, want Type", resp.GetProperties()[0].GetName())
	}
	// -p shows what it names, even empty; --all shows empties.
	p = show(&pmv1.ShowRequest{Unit: "web", Properties: []string{"StatusText", "Id,ActiveExitTimestamp"}})
	if len(p) != 3 || !slices.Equal(p["StatusText"], []string{""}) || !slices.Equal(p["ActiveExitTimestamp"], []string{""}) {
		t.Errorf("got %q, want StatusText, Id and ActiveExitTimestamp, empty ones included", p)
	}
	if p = show(&pmv1.ShowRequest{Unit: "web", All: true}); p["StatusText"] == nil {
		t.Errorf("all: StatusText missing")
	}
	// A name pmd cannot load shows as not-found.
	p = show(&pmv1.ShowRequest{Unit: "ghost"})
	if !slices.Equal(p["LoadState"], []string{"not-found"}) || !slices.Equal(p["Id"], []string{"ghost.service"}) ||
		!slices.Equal(p["LoadError"], []string{`org.freedesktop.systemd1.NoSuchUnit "Unit ghost.service not found."`}) {
		t.Errorf("got %q, want ghost.service not-found", p)
	}
	_, err := e.c.Show(e.ctx(), &pmv1.ShowRequest{Unit: "00000000-0000-4000-8000-000000000000"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")

	// Cat: the fragment, then the drop-in.
	cat, err := e.c.Cat(e.ctx(), &pmv1.CatRequest{Unit: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.GetFiles()) != 2 || !strings.HasSuffix(cat.GetFiles()[0].GetPath(), "web.service") ||
		!strings.Contains(cat.GetFiles()[0].GetContent(), "Description=web server") ||
		cat.GetFiles()[1].GetContent() != "[Service]\nEnvironment=MODE=prod\n" {
		t.Errorf("got %v, want web.service and its drop-in", cat.GetFiles())
	}
	_, err = e.c.Cat(e.ctx(), &pmv1.CatRequest{Unit: "nope"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")

	// NeedDaemonReload notices a changed file.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(filepath.Join(e.units, "web.service"), later, later); err != nil {
		t.Fatal(err)
	}
	if p = show(&pmv1.ShowRequest{Unit: "web", Properties: []string{"NeedDaemonReload"}}); !slices.Equal(p["NeedDaemonReload"], []string{"yes"}) {
		t.Errorf("got NeedDaemonReload=%q after touching the file, want yes", p["NeedDaemonReload"])
	}

	// list-dependencies: targets expand, services do not; the cycle
	// app → sub → app is marked.
	tree, err := e.c.ListDependencies(e.ctx(), &pmv1.ListDependenciesRequest{Unit: "app.target"})
	if err != nil {
		t.Fatal(err)
	}
	if got := renderTree(tree.GetRoot(), ""); got != treeWant {
		t.Errorf("got tree\n%s\nwant\n%s", got, treeWant)
	}
	rev, err := e.c.ListDependencies(e.ctx(), &pmv1.ListDependenciesRequest{Unit: "db", Reverse: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := renderTree(rev.GetRoot(), ""); !strings.Contains(got, "web.service") || !strings.Contains(got, "sub.target") {
		t.Errorf("got reverse tree\n%s\nwant web.service and sub.target", got)
	}
	after, err := e.c.ListDependencies(e.ctx(), &pmv1.ListDependenciesRequest{Unit: "web", After: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := renderTree(after.GetRoot(), ""); !strings.Contains(got, "db.service") {
		t.Errorf("got after tree\n%s\nwant db.service", got)
	}
	_, err = e.c.ListDependencies(e.ctx(), &pmv1.ListDependenciesRequest{Unit: "web", After: true, Before: true})
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "reverse")
}

const treeWant = `app.target
  web.service active
  sub.target inactive
    db.service active
    app.target inactive cycle
`

func renderTree(n *pmv1.DependencyNode, indent string) string {
	var b strings.Builder
	b.WriteString(indent + n.GetUnit())
	if indent != "" {
		b.WriteString(" " + n.GetActiveState())
	}
	if n.GetCycle() {
		b.WriteString(" cycle")
	}
	b.WriteString("\n")
	for _, c := range n.GetChildren() {
		b.WriteString(renderTree(c, indent+"  "))
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSystemStatusReload(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{"a.service": "[Service]\nExecStart=/bin/sleep 1000\n"}})
	st, err := e.c.SystemStatus(e.ctx(), &pmv1.SystemStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if st.GetState() != "running" || st.GetVersion() != "test" || st.GetUnits() == 0 || st.GetDefaultTarget() != "default.target" {
		t.Errorf("got %v, want running, version test, some units", st)
	}
	if err := os.WriteFile(filepath.Join(e.units, "bad.service"), []byte("[Service]\nExecStart=/bin/true\nBogus=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := e.c.ReloadConfig(e.ctx(), &pmv1.ReloadConfigRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range rc.GetDiagnostics() {
		if strings.HasSuffix(d.GetFile(), "bad.service") && d.GetLine() == 3 && strings.Contains(d.GetText(), "Bogus") {
			found = true
		}
	}
	if !found {
		t.Errorf("got diagnostics %v, want one about Bogus= at bad.service:3", rc.GetDiagnostics())
	}
	if _, err := e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "bad"}); err != nil {
		t.Errorf("bad.service not loaded after ReloadConfig: %v", err)
	}
}
