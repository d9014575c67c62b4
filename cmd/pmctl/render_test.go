package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
)

func ago(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(testNow.Add(-d)) }

func TestRenderStatus(t *testing.T) {
	tests := []struct {
		name string
		info *statusInfo
		want string
	}{
		{
			name: "running with processes and output",
			info: &statusInfo{
				unit: &pmv1.Unit{Name: "web.service", Description: "Web server", LoadState: "loaded",
					ActiveState: "active", SubState: "running", Result: "success", MainPid: 1234,
					FragmentPath: "/etc/systemd/system/web.service", UnitFileState: "enabled",
					ActiveEnterAt: ago(5 * time.Second), ExecMain: &pmv1.ExecStatus{Pid: 1234, StartAt: ago(5 * time.Second)}},
				preset: "enabled",
				stats: &pmv1.UnitStats{Tasks: 3, MemoryRssBytes: 12 << 20, PidsLimit: 100, MemoryLimitBytes: 256 << 20,
					CpuUser: durationpb.New(100 * time.Millisecond), CpuSystem: durationpb.New(23 * time.Millisecond),
					Pids:      []int32{1234, 99},
					Processes: []*pmv1.ProcessInfo{{Pid: 1234, Command: "python3 -m http.server"}, {Pid: 99, Command: "sleep 1"}}},
				logs: []*pmv1.LogLine{{Unit: "web.service", Pid: 1234, Time: ago(4 * time.Second), Text: "Serving HTTP"}},
			},
			want: `● web.service - Web server
     Loaded: loaded (/etc/systemd/system/web.service; enabled; preset: enabled)
     Active: active (running) since Wed 2026-11-25 22:41:34 UTC; 5s ago
   Main PID: 1234 (python3)
      Tasks: 3 (limit: 100)
     Memory: 12.0M (max: 256.0M)
        CPU: 123ms
  Processes:
             ├─  99 sleep 1
             └─1234 python3 -m http.server

Nov 25 22:41:35 web[1234]: Serving HTTP
`,
		},
		{
			name: "failed",
			info: &statusInfo{unit: &pmv1.Unit{Name: "job.service", Description: "job.service", LoadState: "loaded",
				ActiveState: "failed", SubState: "failed", Result: "exit-code", Command: "/bin/false",
				FragmentPath: "/var/lib/pm/units/job.yaml", UnitFileState: "static", ActiveEnterAt: ago(3 * time.Minute),
				ActiveExitAt: ago(90 * time.Second), InactiveEnterAt: ago(90 * time.Second),
				ExecMain: &pmv1.ExecStatus{Pid: 42, Code: "exited", Status: 1}}, preset: "disabled"},
			want: `× job.service
     Loaded: loaded (/var/lib/pm/units/job.yaml; static)
     Active: failed (Result: exit-code) since Wed 2026-11-25 22:40:09 UTC; 1min 30s ago
   Duration: 1min 30s
    Process: 42 ExecStart=/bin/false (code=exited, status=1/FAILURE)
   Main PID: 42 (code=exited, status=1/FAILURE)
`,
		},
		{
			name: "bad setting, drop-ins, condition",
			info: &statusInfo{unit: &pmv1.Unit{Name: "odd.service", LoadState: "bad-setting",
				LoadError: "Unit odd.service has a bad unit file setting.", ActiveState: "inactive", SubState: "dead",
				DropInPaths:     []string{"/etc/systemd/system/odd.service.d/a.conf", "/etc/systemd/system/odd.service.d/b.conf", "/run/systemd/system/odd.service.d/c.conf"},
				FailedCondition: "ConditionPathExists=/nonexistent", ConditionCheckedAt: ago(time.Hour)}},
			want: `○ odd.service
     Loaded: bad-setting (Reason: Unit odd.service has a bad unit file setting.)
    Drop-In: /etc/systemd/system/odd.service.d
             └─a.conf, b.conf
             /run/systemd/system/odd.service.d
             └─c.conf
     Active: inactive (dead)
  Condition: start condition failed at Wed 2026-11-25 21:41:39 UTC; 1h 0min ago
             └─ ConditionPathExists=/nonexistent was not met
`,
		},
		{
			name: "killed by a signal, reloading needed",
			info: &statusInfo{unit: &pmv1.Unit{Name: "x.service", LoadState: "loaded", ActiveState: "inactive",
				SubState: "dead", Command: "/bin/sleep", Args: []string{"100"}, NeedDaemonReload: true,
				ExecMain: &pmv1.ExecStatus{Pid: 7, Code: "killed", Status: 9}}},
			want: `○ x.service
     Loaded: loaded
     Active: inactive (dead)
    Process: 7 ExecStart=/bin/sleep 100 (code=killed, signal=KILL)
   Main PID: 7 (code=killed, signal=KILL)
Warning: The unit file, source configuration file or drop-ins of x.service changed on disk. Run 'pmctl daemon-reload' to reload units.
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv()
			var b bytes.Buffer
			e.renderStatus(&b, tt.info)
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderStatusColors(t *testing.T) {
	e, _, _ := testEnv()
	e.color = true
	var b bytes.Buffer
	e.renderStatus(&b, &statusInfo{unit: &pmv1.Unit{Name: "f.service", LoadState: "loaded", ActiveState: "failed", SubState: "failed"}})
	if !strings.HasPrefix(b.String(), ansiRed+glyphMultiply+ansiNormal+" f.service") {
		t.Errorf("got %q, want a red × first", b.String())
	}
}

func TestRenderTree(t *testing.T) {
	root := &pmv1.DependencyNode{Unit: "default.target", Children: []*pmv1.DependencyNode{
		{Unit: "multi-user.target", ActiveState: "active", Children: []*pmv1.DependencyNode{
			{Unit: "web.service", ActiveState: "active"},
			{Unit: "basic.target", ActiveState: "active", Children: []*pmv1.DependencyNode{
				{Unit: "sysinit.target", ActiveState: "active"},
			}},
			{Unit: "db.service", ActiveState: "failed"},
			{Unit: "default.target", Cycle: true},
		}},
		{Unit: "ad.service", ActiveState: "inactive"},
	}}
	tests := []struct {
		name  string
		plain bool
		want  string
	}{
		{"tree", false, `default.target
○ ├─ad.service
● └─multi-user.target
×   ├─db.service
●   ├─web.service
●   ├─basic.target
●   │ └─sysinit.target
    └─...
`},
		{"plain", true, `default.target
  ad.service
  multi-user.target
  db.service
  web.service
  basic.target
  sysinit.target
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv()
			e.g.plain = tt.plain
			var b bytes.Buffer
			e.renderTree(&b, root)
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUnitsTable(t *testing.T) {
	units := []*pmv1.Unit{
		{Name: "b.target", LoadState: "loaded", ActiveState: "active", SubState: "active", Description: "B"},
		{Name: "web.service", LoadState: "loaded", ActiveState: "failed", SubState: "failed", Description: "Web"},
		{Name: "gone.service", LoadState: "not-found", ActiveState: "inactive", SubState: "dead", Description: "gone.service",
			Job: &pmv1.Job{Id: 3, Type: "start"}},
	}
	sortUnits(units)
	tests := []struct {
		name  string
		plain bool
		want  string
	}{
		{"glyphs", false, `  UNIT         LOAD      ACTIVE   SUB    JOB   DESCRIPTION
● gone.service not-found inactive dead   start gone.service
● web.service  loaded    failed   failed       Web
  b.target     loaded    active   active       B

LOAD   = Reflects whether the unit definition was properly loaded.
ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
SUB    = The low-level unit activation state, values depend on unit type.
JOB    = Pending job for the unit.

3 loaded units listed. Pass --all to see loaded but inactive units, too.
To show all installed unit files use 'pmctl list-unit-files'.
`},
		{"plain", true, `UNIT         LOAD      ACTIVE   SUB    JOB   DESCRIPTION
gone.service not-found inactive dead   start gone.service
web.service  loaded    failed   failed       Web
b.target     loaded    active   active       B

LOAD   = Reflects whether the unit definition was properly loaded.
ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
SUB    = The low-level unit activation state, values depend on unit type.
JOB    = Pending job for the unit.

3 loaded units listed. Pass --all to see loaded but inactive units, too.
To show all installed unit files use 'pmctl list-unit-files'.
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, _ := testEnv()
			e.g.plain = tt.plain
			e.printTable(e.unitsTable(units), true)
			e.unitsLegend(out, len(units), hasJobs(units))
			if got := out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUnitsLegend(t *testing.T) {
	tests := []struct {
		name   string
		all    bool
		states []string
		n      int
		want   string
	}{
		{"empty", false, nil, 0, "0 loaded units listed. Pass --all to see loaded but inactive units, too.\nTo show all installed unit files use 'pmctl list-unit-files'.\n"},
		{"all", true, nil, 0, "0 loaded units listed.\nTo show all installed unit files use 'pmctl list-unit-files'.\n"},
		{"failed", false, []string{"failed"}, 0, "0 loaded units listed.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, _ := testEnv()
			e.g.all, e.g.states = tt.all, tt.states
			e.unitsLegend(out, tt.n, false)
			if got := out.String(); got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestListTable(t *testing.T) {
	e, out, _ := testEnv()
	units := []*pmv1.Unit{
		{Name: "web.service", Uuid: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", MainPid: 4242, State: "running", Runs: 2,
			ExecStart: []string{"/usr/bin/python3 -m http.server"}, CreatedAt: ago(time.Hour),
			ExecMain: &pmv1.ExecStatus{Pid: 4242, StartAt: ago(30 * time.Second)}},
		{Name: "job.service", Uuid: "11111111-2222-3333-4444-555555555555", State: "crashed", Runs: 1,
			Command: "/bin/false", CreatedAt: ago(3 * time.Minute),
			ExecMain: &pmv1.ExecStatus{Pid: 7, StartAt: ago(2 * time.Minute), ExitAt: ago(2 * time.Minute), Code: "killed", Status: 15}},
	}
	e.printTable(e.listTable(units), true)
	want := `NAME        ID                                   PID  STATE   RUNS COMMAND                         CREATED  STARTED  ENDED    EXIT
web.service 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 4242 running 2    /usr/bin/python3 -m http.server 1h ago   30s ago  -        -
job.service 11111111-2222-3333-4444-555555555555 -    crashed 1    /bin/false                      3min ago 2min ago 2min ago SIGTERM
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRenderUpdate(t *testing.T) {
	resp := &pmv1.UpdateResponse{Unit: &pmv1.Unit{Name: "web.service"}, DryRun: true, RestartRequired: true,
		Changes: []*pmv1.FieldChange{
			{Field: "restart", Old: []string{"on-failure"}, New: []string{"always"}, Hot: true},
			{Field: "env", New: []string{"A=1", "B=2"}},
		}}
	var b bytes.Buffer
	renderUpdate(&b, resp, "pmctl")
	want := `Would change web.service (dry run):
  restart: on-failure → always (hot)
  env: (unset) → A=1 B=2 (needs restart)
web.service runs with the old settings until it restarts: run 'pmctl restart web.service', or update with --restart-process.
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	b.Reset()
	renderUpdate(&b, &pmv1.UpdateResponse{Unit: &pmv1.Unit{Name: "web.service"}}, "pmctl")
	if got, want := b.String(), "No changes to web.service.\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestFilterProperties(t *testing.T) {
	props := []*pmv1.Property{{Name: "Id", Value: "a.service"}, {Name: "Description", Value: ""}, {Name: "MainPID", Value: "7"}}
	tests := []struct {
		name  string
		want  []string
		all   bool
		value bool
		out   string
	}{
		{"default drops empty", nil, false, false, "Id=a.service\nMainPID=7\n"},
		{"all keeps empty", nil, true, false, "Id=a.service\nDescription=\nMainPID=7\n"},
		{"-p keeps named empty", []string{"MainPID", "Description"}, false, false, "Description=\nMainPID=7\n"},
		{"--value", []string{"MainPID"}, false, true, "7\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			renderProperties(&b, filterProperties(props, tt.want, tt.all), tt.value)
			if got := b.String(); got != tt.out {
				t.Errorf("got %q want %q", got, tt.out)
			}
		})
	}
}

func TestMangle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"web", "web.service"},
		{"web.service", "web.service"},
		{"multi-user.target", "multi-user.target"},
		{"getty@tty1.service", "getty@tty1.service"},
		{"web*", "web*"},
		{"0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"},
		{"my.app", "my.app.service"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := mangle(tt.in); got != tt.want {
				t.Errorf("mangle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
