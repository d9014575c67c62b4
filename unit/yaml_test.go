package unit

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// optLines renders options as "[Section] Key=Value" for comparison.
func optLines(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = "[" + o.Section + "] " + o.Key + "=" + o.Value
	}
	return out
}

// diagLines renders diagnostics without their file name.
func diagLines(ds Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		d.Pos.File = ""
		out[i] = d.String()
	}
	return out
}

// checkDiags checks that each wanted substring is in its diagnostic, in
// order, and that there are no others.
func checkDiags(t *testing.T, got Diagnostics, want []string) {
	t.Helper()
	lines := diagLines(got)
	if len(lines) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i := range want {
		if !strings.Contains(lines[i], want[i]) {
			t.Errorf("diagnostic %d: got %q, want it to contain %q", i, lines[i], want[i])
		}
	}
}

func checkOpts(t *testing.T, got []Option, want []string) {
	t.Helper()
	lines := optLines(got)
	if !slices.Equal(lines, want) {
		t.Errorf("got options:\n\t%s\nwant:\n\t%s", strings.Join(lines, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestParseYAMLBody covers the keys of a unit's body, each lowered in a
// single-unit file web.yaml.
func TestParseYAMLBody(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []string
		diags []string
	}{
		{
			name: "command line in Exec syntax",
			src:  `command: /bin/sh -c "echo hi"`,
			want: []string{`[Service] ExecStart=/bin/sh -c "echo hi"`},
		},
		{
			name: "args are quoted literally",
			src:  "command: /bin/echo\nargs: [plain, \"a b\", \"$HOME\", \"${X}\", \"100%\", \";\", \"\", 'q\"', \"back\\\\\", \"\\\\;\", 8000, true]",
			want: []string{`[Service] ExecStart=/bin/echo plain "a b" $$HOME $${X} 100%% ";" "" "q\"" "back\\" "\\;" 8000 true`},
		},
		{
			name: "args keep line breaks as escapes",
			src:  "command: /bin/sh\nargs:\n  - -c\n  - |\n    echo one\n    echo two\n",
			want: []string{`[Service] ExecStart=/bin/sh -c "echo one\necho two\n"`},
		},
		{
			name: "args after a command with the ':' prefix keep '$'",
			src:  "command: \":/bin/echo\"\nargs: [\"$HOME\"]",
			want: []string{`[Service] ExecStart=:/bin/echo $HOME`},
		},
		{
			name: "args before command",
			src:  "args: [x]\ncommand: /bin/echo",
			want: []string{`[Service] ExecStart=/bin/echo x`},
		},
		{
			name: "command as a list of words",
			src:  `command: [/bin/printf, "%s\n", "$1"]`,
			want: []string{`[Service] ExecStart=/bin/printf "%%s\n" $$1`},
		},
		{
			name:  "args without command",
			src:   "args: [x]",
			diags: []string{"1:1: warning: args: extends command:, which is missing"},
		},
		{
			name:  "args as a string",
			src:   "command: /bin/echo\nargs: --port 8000",
			want:  []string{`[Service] ExecStart=/bin/echo`},
			diags: []string{"2:1: warning: args: expected a list of arguments, got a scalar"},
		},
		{
			name: "null command is an empty assignment",
			src:  "command:",
			want: []string{`[Service] ExecStart=`},
		},
		{
			name:  "empty command with args",
			src:   "command: \"\"\nargs: [x]",
			want:  []string{`[Service] ExecStart=`},
			diags: []string{"2:1: warning: args: extends command:, which is empty"},
		},
		{
			name:  "empty lists of words",
			src:   "command: []\nhealth_check: {exec: []}",
			diags: []string{"1:1: warning: command: the list is empty", "2:16: warning: exec: the list is empty"},
		},
		{
			name:  "invalid variable names",
			src:   "env: {\"A=B\": 1, \"\": 2, C: 3}",
			want:  []string{`[Service] Environment=C=3`},
			diags: []string{`1:7: warning: env: invalid variable name "A=B"`, `1:17: warning: env: invalid variable name ""`},
		},
		{
			name: "env mapping keeps order and quotes",
			src:  "env:\n  ZED: last\n  ALPHA: \"two words\"\n  PCT: \"100%\"\n  EMPTY: \"\"\n  NUM: 8080\n  NONE:\n",
			want: []string{
				`[Service] Environment=ZED=last`,
				`[Service] Environment="ALPHA=two words"`,
				`[Service] Environment=PCT=100%%`,
				`[Service] Environment=EMPTY=`,
				`[Service] Environment=NUM=8080`,
				`[Service] Environment=NONE=`,
			},
		},
		{
			name: "env list of assignments",
			src:  `env: ["A=1", "B=x y", 'C="q"']`,
			want: []string{`[Service] Environment=A=1`, `[Service] Environment="B=x y"`, `[Service] Environment="C=\"q\""`},
		},
		{
			name:  "env as a string",
			src:   `env: A=1`,
			diags: []string{"1:1: warning: env: expected a mapping of NAME: value or a list of NAME=value, got a scalar"},
		},
		{
			name: "env null resets",
			src:  "env: ~",
			want: []string{`[Service] Environment=`},
		},
		{
			name: "plain seed keys",
			src: "description: Web server\nworking_dir: /srv\npidfile: /run/web.pid\nuser: www-data\ngroup: www-data\n" +
				"kill_mode: mixed\nkill_signal: SIGINT\ntimeout_stop_sec: 10\nprocess_type: notify\nrestart: on-failure\n" +
				"start_limit_burst: 5\nstart_limit_interval: 1min\n",
			want: []string{
				`[Unit] Description=Web server`,
				`[Service] WorkingDirectory=/srv`,
				`[Service] PIDFile=/run/web.pid`,
				`[Service] User=www-data`,
				`[Service] Group=www-data`,
				`[Service] KillMode=mixed`,
				`[Service] KillSignal=SIGINT`,
				`[Service] TimeoutStopSec=10`,
				`[Service] Type=notify`,
				`[Service] Restart=on-failure`,
				`[Unit] StartLimitBurst=5`,
				`[Unit] StartLimitIntervalSec=1min`,
			},
		},
		{
			name: "string or list keys",
			src:  "environment_file: [-/etc/default/web, /etc/web.env]\nruntime_directory: web\nambient_capabilities: [CAP_NET_BIND_SERVICE]\n",
			want: []string{
				`[Service] EnvironmentFile=-/etc/default/web`,
				`[Service] EnvironmentFile=/etc/web.env`,
				`[Service] RuntimeDirectory=web`,
				`[Service] AmbientCapabilities=CAP_NET_BIND_SERVICE`,
			},
		},
		{
			name: "dependencies get a .service suffix",
			src:  "after: [network.target, db]\nrequires: \"db cache.socket\"\nwants: getty@tty1\nbinds_to: x.service\nconflicts: [y]\nbefore: z\n",
			want: []string{
				`[Unit] After=network.target`,
				`[Unit] After=db.service`,
				`[Unit] Requires=db.service cache.socket`,
				`[Unit] Wants=getty@tty1.service`,
				`[Unit] BindsTo=x.service`,
				`[Unit] Conflicts=y.service`,
				`[Unit] Before=z.service`,
			},
		},
		{
			name: "install targets get a .target suffix",
			src:  "wanted_by: multi-user\nrequired_by: [app.target, other.service]",
			want: []string{`[Install] WantedBy=multi-user.target`, `[Install] RequiredBy=app.target`, `[Install] RequiredBy=other.service`},
		},
		{
			name: "conditions keep their prefixes",
			src:  "condition_path_exists: [\"!/etc/disabled\", \"|/etc/a\", /etc/b]",
			want: []string{`[Unit] ConditionPathExists=!/etc/disabled`, `[Unit] ConditionPathExists=|/etc/a`, `[Unit] ConditionPathExists=/etc/b`},
		},
		{
			name:  "an unquoted '!' is a YAML tag",
			src:   "condition_path_exists: !/etc/disabled",
			diags: []string{`1:24: warning: condition_path_exists: value has the YAML tag "!/etc/disabled"`},
		},
		{
			name: "auto_start",
			src:  "auto_start: true",
			want: []string{`[X-PM] AutoStart=yes`},
		},
		{
			name: "auto_start false, and strings kept as written",
			src:  "auto_start: False\naccept: \"on\"\npersistent: yes",
			want: []string{`[X-PM] AutoStart=no`, `[Socket] Accept=on`, `[Timer] Persistent=yes`},
		},
		{
			name: "restart delay doubling",
			src:  "restart_sec: 1\nrestart_max_delay: 30s",
			want: []string{`[Service] RestartSec=1`, `[Service] RestartMaxDelaySec=30s`, `[Service] RestartSteps=5`},
		},
		{
			name: "restart doubling exactly to the limit",
			src:  "restart_max_delay: 4s\nrestart: always\nrestart_sec: 500ms",
			want: []string{`[Service] RestartMaxDelaySec=4s`, `[Service] Restart=always`, `[Service] RestartSec=500ms`, `[Service] RestartSteps=3`},
		},
		{
			name: "restart steps given",
			src:  "restart_sec: 1\nrestart_max_delay: 8\nrestart_steps: 2",
			want: []string{`[Service] RestartSec=1`, `[Service] RestartMaxDelaySec=8`, `[Service] RestartSteps=2`},
		},
		{
			name: "restart steps given in the full spelling",
			src:  "restart_sec: 1\nrestart_max_delay: 8\nservice: {RestartSteps: 1}",
			want: []string{`[Service] RestartSec=1`, `[Service] RestartMaxDelaySec=8`, `[Service] RestartSteps=1`},
		},
		{
			name: "no steps without room to grow",
			src:  "restart_sec: 10\nrestart_max_delay: 5",
			want: []string{`[Service] RestartSec=10`, `[Service] RestartMaxDelaySec=5`},
		},
		{
			name: "no steps for an infinite or bad limit",
			src:  "restart_sec: 1\nrestart_max_delay: infinity\nrestart_steps:",
			want: []string{`[Service] RestartSec=1`, `[Service] RestartMaxDelaySec=infinity`, `[Service] RestartSteps=`},
		},
		{
			name: "bad delays are left to the directive",
			src:  "restart_sec: soon\nrestart_max_delay: 1min",
			want: []string{`[Service] RestartSec=soon`, `[Service] RestartMaxDelaySec=1min`},
		},
		{
			name: "health check",
			src:  "health_check:\n  http: http://127.0.0.1:8000/health\n  tcp: 8000\n  exec: /bin/true\n  interval: 10s\n  timeout: 2\n  retries: 3\n  restart_after: 5\n",
			want: []string{
				`[X-Health] HTTPGet=http://127.0.0.1:8000/health`,
				`[X-Health] TCPSocket=localhost:8000`,
				`[X-Health] Exec=/bin/true`,
				`[X-Health] IntervalSec=10s`,
				`[X-Health] TimeoutSec=2`,
				`[X-Health] Retries=3`,
				`[X-Health] RestartAfter=5`,
			},
		},
		{
			name: "health check forms",
			src:  "health_check:\n  http: {port: 8080, path: healthz}\n  tcp: [\"db:5432\", \"[::1]:80\"]\n  exec: [/bin/test, -e, \"$F\"]\n",
			want: []string{
				`[X-Health] HTTPGet=http://localhost:8080/healthz`,
				`[X-Health] TCPSocket=db:5432`,
				`[X-Health] TCPSocket=[::1]:80`,
				`[X-Health] Exec=/bin/test -e $$F`,
			},
		},
		{
			name: "health check http mapping",
			src:  "health_check:\n  http: {url: \"https://x/y\"}\n---\n",
			want: []string{`[X-Health] HTTPGet=https://x/y`},
		},
		{
			name: "health check http IPv6 host",
			src:  "health_check:\n  http: {host: \"::1\", port: 80, scheme: https}",
			want: []string{`[X-Health] HTTPGet=https://[::1]:80/`},
		},
		{
			name:  "health check mistakes",
			src:   "health_check:\n  http: {url: x, port: 1}\n  intervall: 5\n  tcp: {a: b}\n",
			diags: []string{"2:9: warning: http: give either url: or port:", `3:3: warning: unknown key "intervall" (did you mean "interval"?)`, "4:8: warning: tcp: expected host:port or a port, got a mapping"},
		},
		{
			name:  "health check as a string",
			src:   "health_check: http://x/",
			diags: []string{"1:1: warning: health_check: expected a mapping of probes"},
		},
		{
			name: "resources",
			src:  "resources:\n  requests: {cpu: 250m, memory: 64Mi}\n  limits: {cpu: 1.5, memory: 1G, pids: 100}\n",
			want: []string{
				`[X-Resources] RequestsCPU=250m`,
				`[X-Resources] RequestsMemory=64M`,
				`[X-Resources] LimitsCPU=1500m`,
				`[X-Resources] LimitsMemory=1G`,
				`[X-Resources] LimitsPids=100`,
			},
		},
		{
			name: "resources normalisation",
			src:  "resources:\n  limits: {cpu: 2, memory: 1.5Gi}\n  requests: {cpu: \"0.1\", memory: 512}\n---\n",
			want: []string{
				`[X-Resources] LimitsCPU=2000m`,
				`[X-Resources] LimitsMemory=1.5G`,
				`[X-Resources] RequestsCPU=100m`,
				`[X-Resources] RequestsMemory=512`,
			},
		},
		{
			name: "resources left for the directive to judge",
			src:  "resources:\n  limits: {cpu: 0.0001, memory: max, pids: infinity}\n  requests: {cpu: lots, memory: 0.5}\n",
			want: []string{
				`[X-Resources] LimitsCPU=0.0001`,
				`[X-Resources] LimitsMemory=max`,
				`[X-Resources] LimitsPids=infinity`,
				`[X-Resources] RequestsCPU=lots`,
				`[X-Resources] RequestsMemory=0.5`,
			},
		},
		{
			name:  "resources mistakes",
			src:   "resources:\n  request: {cpu: 1}\n  limits: {cpus: 1, memory: [1]}\n",
			diags: []string{`2:3: warning: unknown key "request" (did you mean "requests"?)`, `3:12: warning: unknown key "cpus" (did you mean "cpu"?)`, "3:21: warning: memory: expected a scalar, got a list"},
		},
		{
			name: "socket seed keys",
			src:  "listen_stream: [8000, \"127.0.0.1:8001\"]\nlisten_datagram: /run/x.sock\naccept: false\nservice: web\nsocket_mode: 0660\nbacklog: 128\n",
			want: []string{
				`[Socket] ListenStream=8000`,
				`[Socket] ListenStream=127.0.0.1:8001`,
				`[Socket] ListenDatagram=/run/x.sock`,
				`[Socket] Accept=no`,
				`[Socket] Service=web.service`,
				`[Socket] SocketMode=0660`,
				`[Socket] Backlog=128`,
			},
		},
		{
			name: "timer seed keys",
			src:  "on_calendar: [daily, \"Mon *-*-* 03:00\"]\nunit: backup\npersistent: true\nrandomized_delay_sec: 5min\n",
			want: []string{
				`[Timer] OnCalendar=daily`,
				`[Timer] OnCalendar=Mon *-*-* 03:00`,
				`[Timer] Unit=backup.service`,
				`[Timer] Persistent=yes`,
				`[Timer] RandomizedDelaySec=5min`,
			},
		},
		{
			name: "full spelling takes scalars as written",
			src:  "service:\n  RemainAfterExit: yes\n  UMask: 0027\n  CPUQuota: 1.50\n  NoNewPrivileges: true\n  Nice: -5\n  TimeoutSec: 1e3\n  Description: ~\n  ExecStartPre: [\"\", /bin/true, null]\n  Environment: \"A=1 B=2\"\n",
			want: []string{
				`[Service] RemainAfterExit=yes`,
				`[Service] UMask=0027`,
				`[Service] CPUQuota=1.50`,
				`[Service] NoNewPrivileges=true`,
				`[Service] Nice=-5`,
				`[Service] TimeoutSec=1e3`,
				`[Service] Description=`,
				`[Service] ExecStartPre=`,
				`[Service] ExecStartPre=/bin/true`,
				`[Service] ExecStartPre=`,
				`[Service] Environment=A=1 B=2`,
			},
		},
		{
			name: "full spelling strips blanks as a unit file does",
			src:  "unit:\n  Description: \"  spaced  \"\n  Documentation: |\n    man:web(8)\n",
			want: []string{`[Unit] Description=spaced`, `[Unit] Documentation=man:web(8)`},
		},
		{
			name: "folded command line",
			src:  "service:\n  ExecStart: >\n    /bin/sh -c\n    \"echo hi\"\n",
			want: []string{`[Service] ExecStart=/bin/sh -c "echo hi"`},
		},
		{
			name:  "multi-line command line",
			src:   "service:\n  ExecStart: |\n    /bin/true\n    /bin/false\n",
			diags: []string{"2:14: warning: ExecStart: value spans several lines, but a unit file holds one command line per assignment: write several commands as a list"},
		},
		{
			name:  "multi-line description",
			src:   "description: \"a\\nb\"",
			diags: []string{`1:14: warning: description: value spans several lines, which a unit file cannot hold: fold it into one line with ">"`},
		},
		{
			name: "trailing backslash",
			src:  `unit: {Description: 'a\'}`,
			want: []string{`[Unit] Description=a\`},
		},
		{
			name: "environment mapping in the full spelling",
			src:  "service:\n  Environment: {A: x y, B: \"1\"}\nsocket:\n  Environment: {C: z}\n",
			want: []string{`[Service] Environment="A=x y"`, `[Service] Environment=B=1`, `[Socket] Environment=C=z`},
		},
		{
			name: "a section as a list of mappings keeps order",
			src:  "socket:\n  - ListenStream: 80\n    ListenDatagram: 53\n  - ListenStream: 81\n  -\n",
			want: []string{`[Socket] ListenStream=80`, `[Socket] ListenDatagram=53`, `[Socket] ListenStream=81`},
		},
		{
			name: "x- sections",
			src:  "x-health: {HTTPGet: \"http://x/\"}\nx-Foo:\n  Bar: 1\nX-pm: {AutoStart: on}\nx-RESOURCES: {LimitsPids: 5}\n",
			want: []string{`[X-Health] HTTPGet=http://x/`, `[X-Foo] Bar=1`, `[X-PM] AutoStart=on`, `[X-Resources] LimitsPids=5`},
		},
		{
			name:  "x- sections a unit file cannot name",
			src:   "x-\"q: {A: 1}\nx-a\\b: {A: 1}\n",
			diags: []string{`1:1: warning: x-"q: section name "X-\"q" holds control characters, quotes or backslashes`, `2:1: warning: x-a\b: section name`},
		},
		{
			name: "other unit types' sections",
			src:  "path: {PathExists: /x}\nslice: {MemoryMax: 1G}\n",
			want: []string{`[Path] PathExists=/x`, `[Slice] MemoryMax=1G`},
		},
		{
			name: "seed keys and full spelling in document order",
			src:  "description: d\nservice: {Type: oneshot}\ncommand: /bin/true\nunit: {After: x.service}\nrestart: no\n",
			want: []string{`[Unit] Description=d`, `[Service] Type=oneshot`, `[Service] ExecStart=/bin/true`, `[Unit] After=x.service`, `[Service] Restart=no`},
		},
		{
			name:  "unknown keys",
			src:   "comand: /bin/true\nExecStart: /bin/true\nAuto-Start: true\nfrobnicate: 1\n",
			diags: []string{`1:1: warning: unknown key "comand" (did you mean "command"?)`, `2:1: warning: unknown key "ExecStart": directives in systemd's spelling go under their section, as in service: {ExecStart: …}`, `3:1: warning: unknown key "Auto-Start" (did you mean "auto_start"?)`, `4:1: warning: unknown key "frobnicate", ignoring`},
		},
		{
			name:  "wrong shapes",
			src:   "description: [a, b]\nafter: {a: b}\ninstall: 5\nunit: [1]\nrestart: [always]\nwants: [[x]]\nunit_x: 1\n",
			want:  []string{},
			diags: []string{"1:1: warning: description: expected a scalar, got a list", "2:1: warning: after: expected a scalar or a list, got a mapping", "3:1: warning: install: expected a mapping of directives", "4:8: warning: unit: list elements must be mappings of directives", "5:1: warning: restart: expected a scalar, got a list", "6:9: warning: wants: list elements must be scalars", `7:1: warning: unknown key "unit_x"`},
		},
		{
			name:  "bad directive names",
			src:   "service:\n  \"A=B\": 1\n  \"#x\": 2\n  [a]: 3\n  Key: {a: 1}\n",
			diags: []string{`2:3: warning: directive name "A=B" contains '='`, `3:3: warning: directive name "#x" starts with '#'`, "4:3: warning: key must be a scalar, not a list", "5:3: warning: Key: expected a scalar or a list, got a mapping"},
		},
		{
			name: "anchors, aliases and merge keys",
			src: "x-defaults: &defaults\n  Restart: always\n  RestartSec: 2\n" +
				"service:\n  <<: *defaults\n  RestartSec: 5\n  Type: &t simple\n" +
				"user: *t\n",
			want: []string{`[X-defaults] Restart=always`, `[X-defaults] RestartSec=2`, `[Service] Restart=always`, `[Service] RestartSec=5`, `[Service] Type=simple`, `[Service] User=simple`},
		},
		{
			name: "merge of several mappings, the first wins",
			src:  "a: &a {description: A, user: ua}\nb: &b {description: B, group: gb}\n<<: [*a, *b]\n",
			want: []string{`[Unit] Description=A`, `[Service] User=ua`, `[Service] Group=gb`},
			diags: []string{
				`1:1: warning: unknown key "a"`,
				`2:1: warning: unknown key "b"`,
			},
		},
		{
			name:  "duplicate keys",
			src:   "description: a\ndescription: b\n",
			want:  []string{`[Unit] Description=a`},
			diags: []string{"2:1: warning: duplicate key \"description\" (first on line 1), ignoring"},
		},
		{
			name:  "merge of something else",
			src:   "<<: 5\ndescription: x",
			want:  []string{`[Unit] Description=x`},
			diags: []string{`1:1: warning: merge key "<<" takes a mapping or a list of mappings, not a scalar`},
		},
		{
			name:  "merge cycle",
			src:   "service: &s\n  <<: *s\n",
			diags: []string{"2:3: error: merge key includes the mapping that holds it"},
		},
		{
			name: "alias of a whole body part",
			src:  "x-cmd: &c /bin/true\ncommand: *c\nafter: &l [a, b]\nbefore: *l\n",
			want: []string{`[Service] ExecStart=/bin/true`, `[Unit] After=a.service`, `[Unit] After=b.service`, `[Unit] Before=a.service`, `[Unit] Before=b.service`},
			diags: []string{
				`1:1: warning: x-cmd: expected a mapping of directives`,
			},
		},
		{
			name: "empty mappings and nulls",
			src:  "service: {}\nunit:\nhealth_check:\nresources: ~\nenv: {}\n",
			want: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, diags := ParseYAML("web.yaml", []byte(tc.src))
			checkDiags(t, diags, tc.diags)
			if diags.HasErrors() {
				return
			}
			if len(units) != 1 || units[0].Name != "web.service" {
				t.Fatalf("got units %+v, want web.service", units)
			}
			if tc.want != nil || len(units[0].Options) > 0 {
				checkOpts(t, units[0].Options, tc.want)
			}
		})
	}
}

func TestParseYAMLPositions(t *testing.T) {
	src := "description: Web\nafter:\n  - a\n  - b\nenv:\n  FOO: bar\nservice:\n  ExecStart: /bin/true\n"
	units, diags := ParseYAML("/etc/pm/web.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	type pp struct{ key, val string }
	want := []pp{{"1:1", "1:14"}, {"2:1", "3:5"}, {"2:1", "4:5"}, {"6:3", "6:8"}, {"8:3", "8:14"}}
	opts := units[0].Options
	if len(opts) != len(want) {
		t.Fatalf("got %d options, want %d", len(opts), len(want))
	}
	for i, o := range opts {
		if o.Pos.File != "/etc/pm/web.yaml" || o.ValuePos.File != "/etc/pm/web.yaml" {
			t.Errorf("option %d: got files %q, %q", i, o.Pos.File, o.ValuePos.File)
		}
		got := pp{strings.TrimPrefix(o.Pos.String(), "/etc/pm/web.yaml:"), strings.TrimPrefix(o.ValuePos.String(), "/etc/pm/web.yaml:")}
		if got != want[i] {
			t.Errorf("option %d (%s): got positions %v, want %v", i, o.Key, got, want[i])
		}
	}
	if got := units[0].Pos.String(); got != "/etc/pm/web.yaml:1:1" {
		t.Errorf("got unit position %s, want /etc/pm/web.yaml:1:1", got)
	}
}

func TestParseYAMLNames(t *testing.T) {
	tests := []struct {
		file string
		want string // "" for no unit
	}{
		{"web.yaml", "web.service"},
		{"/etc/pm/processes.d/web.yaml", "web.service"},
		{"web.yml", "web.service"},
		{"web.socket.yaml", "web.socket"},
		{"nightly.timer.yaml", "nightly.timer"},
		{"app.target.yaml", "app.target"},
		{"getty@.yaml", "getty@.service"},
		{"getty@tty1.yaml", "getty@tty1.service"},
		{"my.app.yaml", "my.app.service"},
		{"web.service.yaml", "web.service"},
		{"data.mount.yaml", "data.mount"},
		{"web", "web.service"},
		{"my web.yaml", ""},
		{"", ""},
		{".yaml", ""},
		{"..yaml", "..service"},
		{"/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			units, diags := ParseYAML(tc.file, []byte("description: x\n"))
			if tc.want == "" {
				if len(units) != 0 || len(diags) != 1 || !errors.Is(diags[0].Err, ErrBadName) {
					t.Fatalf("got %v, %v; want no unit and an invalid-name warning", units, diags)
				}
				return
			}
			if len(diags) > 0 || len(units) != 1 {
				t.Fatalf("got %v, %v", units, diags)
			}
			if units[0].Name != tc.want {
				t.Errorf("got %s, want %s", units[0].Name, tc.want)
			}
		})
	}
}

func TestYAMLFileName(t *testing.T) {
	tests := map[string]string{
		"web.service":        "web.yaml",
		"web.socket":         "web.socket.yaml",
		"nightly.timer":      "nightly.timer.yaml",
		"getty@.service":     "getty@.yaml",
		"a.socket.service":   "a.socket.service.yaml",
		"my.app.service":     "my.app.yaml",
		"app.target":         "app.target.yaml",
		"web.service.socket": "web.service.socket.yaml",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			got := YAMLFileName(name)
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			units, diags := ParseYAML(got, nil)
			if len(diags) > 0 || len(units) != 1 || units[0].Name != name {
				t.Errorf("file %s reads back as %v, %v; want %s", got, units, diags, name)
			}
		})
	}
}
