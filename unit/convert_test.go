package unit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iniCorpus are unit files for the round trips through YAML.
var iniCorpus = []string{
	`[Unit]
Description=Regular background program processing daemon
Documentation=man:cron(8)
After=remote-fs.target nss-user-lookup.target

[Service]
EnvironmentFile=-/etc/default/cron
ExecStart=/usr/sbin/cron -f -P $EXTRA_OPTS
IgnoreSIGPIPE=false
KillMode=process
Restart=on-failure
SyslogFacility=cron

[Install]
WantedBy=multi-user.target
`,
	`[Unit]
Description=OpenBSD Secure Shell server
After=network.target auditd.service
ConditionPathExists=!/etc/ssh/sshd_not_to_be_run

[Service]
EnvironmentFile=-/etc/default/ssh
ExecStartPre=/usr/sbin/sshd -t
ExecStart=/usr/sbin/sshd -D $SSHD_OPTS
ExecReload=/usr/sbin/sshd -t
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
RestartPreventExitStatus=255
Type=notify
RuntimeDirectory=sshd
RuntimeDirectoryMode=0755

[Install]
WantedBy=multi-user.target
Alias=sshd.service
`,
	`[Unit]
Description=D-Bus System Message Bus Socket

[Socket]
ListenStream=/run/dbus/system_bus_socket
ListenDatagram=/run/x
ListenStream=8000
SocketMode=0666
`,
	`[Unit]
Description=Daily apt download activities

[Timer]
OnCalendar=*-*-* 6,18:00
RandomizedDelaySec=12h
Persistent=true

[Install]
WantedBy=timers.target
`,
	"[Service]\nExecStart=/bin/sh -c \\\n  'echo one; \\\n   echo two'\n# comment\n; other comment\nEnvironment=\"A=1\" B=2\nEnvironment=C=%%n\nExecStartPre=\nExecStartPre=-@/bin/true true\n",
	"[Unit]\nDescription=ends in a backslash\\ \nDocumentation=two\\\\\n[Unit]\nAfter=x\n[Service]\nType=oneshot\n[Unit]\nBefore=y\n",
	"[Unit]\nDescription=null\nDocumentation=~\nAfter=yes\nBefore=0755\nWants=- x\nRequires=a: b\nConflicts=#x\nPartOf=*x\nRequisite=&x\nOnFailure='q'\nOnSuccess=\"q\"\nUpholds=[a]\nBindsTo={a}\nJoinsNamespaceOf=!x\nStopPropagatedFrom=a #b\nPropagatesReloadTo=%n\n",
	"[X-Health]\nHTTPGet=http://localhost:8000/\nIntervalSec=5\n[X-Resources]\nLimitsCPU=1500m\nRequestsMemory=1048576\n[X-PM]\nAutoStart=yes\n",
	"[X-Health]\nTCPSocket=8000\nExec=/bin/a\nExec=/bin/b\n[X-Resources]\nLimitsCPU=1\nLimitsCPU=2\n[X-PM]\nAutoStart=true\nOther=1\n",
	"[X-Foo]\nA=1\n[Path]\nPathExists=/x\n[Slice]\nMemoryMax=1G\n",
	"[Socket]\nListenStream=80\nListenDatagram=53\nListenStream=81\n",
	"[Unit]\nDescription=\xc3\xa9t\xc3\xa9 \xe2\x80\xa8 \xef\xbb\xbf \x01 \x7f tab\tin middle\n<<=merge\nnull=x\n~=y\n",
	"[Service]\nEnvironment=\nEnvironment=A=\nEnvironment=\"B=x y\" \"C=\\n\"\n",
	"",
}

// yamlCorpus are pm YAML files for the round trips through unit files.
var yamlCorpus = []struct{ file, src string }{
	{"web.yaml", "description: Web\ncommand: /usr/bin/python3 -m http.server 8000 --bind 127.0.0.1\nrestart: always\nrestart_sec: 1\nrestart_max_delay: 1min\nenv: {PYTHONUNBUFFERED: \"1\", GREETING: hello world}\nhealth_check: {http: {port: 8000}, interval: 10s}\n"},
	{"args.yaml", "command: /bin/sh\nargs: [-c, \"echo \\\"$HOME\\\" 100% ;\\n\\tdone\", \"\", \"\\\\\"]\nenv: [\"A=x y\", \"B=%n\"]\n"},
	{"sock.socket.yaml", "listen_stream: [8000, \"[::1]:8001\"]\naccept: true\nsocket:\n  - ListenFIFO: /run/f\n  - ListenStream: 8002\n"},
	{"stack.yaml", "processes:\n  a: {command: /bin/a, after: b}\n  b: {command: /bin/b}\nsockets:\n  a: {listen_stream: 9000}\ntimers:\n  t: {on_calendar: daily, unit: a}\ntargets:\n  all: {wants: [a, b]}\n"},
	{"full.yaml", "unit: {Description: \"x: y\", After: [a.service, b.service]}\nservice:\n  ExecStart: \"\"\n  Environment: {A: \" spaced \", B: \"\"}\n  UMask: 0027\nx-Custom: {Key: \"#1\"}\ninstall: {WantedBy: multi-user.target}\n"},
	{"res.yaml", "resources:\n  limits: {cpu: 2, memory: 1Gi, pids: 64}\n  requests: {cpu: 100m, memory: 128Mi}\nauto_start: false\n"},
	{"probe.yaml", "health_check:\n  tcp: [8000, \"db:5432\"]\n  exec: [/bin/test, -f, /run/ok]\n  retries: 3\n  restart_after: 5\n"},
	{"mount.mount.yaml", "mount: {What: /dev/sda1, Where: /data}\n"},
	{"backslash.yaml", "unit: {Description: 'trailing\\'}\n"},
}

// checkINIRoundTrip checks that a unit file reads back unchanged through
// FormatINI, and through FormatYAML and ParseYAML.
func checkINIRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	opts, diags := ParseINI("x.service", data)
	if diags.HasErrors() {
		return
	}
	want := GroupSections(opts)
	ini, err := FormatINI(opts)
	if err != nil {
		t.Fatalf("FormatINI: %v", err)
	}
	back, diags := ParseINI("x.service", ini)
	if len(diags) > 0 {
		t.Fatalf("FormatINI output has problems: %v\n%s", diags, ini)
	}
	if i, ok := sameOptions(want, back); !ok {
		t.Fatalf("FormatINI output reads back differently at option %d:\n%s", i, ini)
	}
	y, err := FormatYAML(Lowered{Name: "x.service", Options: opts})
	if err != nil {
		for _, o := range opts {
			if yamlSectionKey(o.Section) == "" && errors.Is(err, ErrUnknownSection) {
				return
			}
		}
		t.Fatalf("FormatYAML: %v", err)
	}
	units, diags := ParseYAML("x.yaml", y)
	if len(diags) > 0 || len(units) != 1 {
		t.Fatalf("FormatYAML output reads back as %v, %v:\n%s", units, diags, y)
	}
	if i, ok := sameOptions(want, units[0].Options); !ok {
		t.Fatalf("FormatYAML output reads back differently at option %d:\n%s\ngot %q\nwant %q", i, y, optLines(units[0].Options), optLines(want))
	}
}

// checkYAMLRoundTrip checks that the units of a YAML file read back
// unchanged through FormatINI and ParseINI, and through FormatYAML.
func checkYAMLRoundTrip(t *testing.T, file string, data []byte) {
	t.Helper()
	units, diags := ParseYAML(file, data)
	if diags.HasErrors() {
		return
	}
	multi := len(units) > 0
	for _, u := range units {
		want := GroupSections(u.Options)
		ini, err := FormatINI(u.Options)
		if err != nil {
			t.Fatalf("%s: FormatINI: %v", u.Name, err)
		}
		back, diags := ParseINI(u.Name, ini)
		if len(diags) > 0 {
			t.Fatalf("%s: FormatINI output has problems: %v\n%s", u.Name, diags, ini)
		}
		if i, ok := sameOptions(want, back); !ok {
			t.Fatalf("%s: FormatINI output reads back differently at option %d:\n%s", u.Name, i, ini)
		}
		y, err := FormatYAML(u)
		if err != nil {
			t.Fatalf("%s: FormatYAML: %v", u.Name, err)
		}
		again, diags := ParseYAML(YAMLFileName(u.Name), y)
		if len(diags) > 0 || len(again) != 1 || again[0].Name != u.Name {
			t.Fatalf("%s: FormatYAML output reads back as %v, %v:\n%s", u.Name, again, diags, y)
		}
		if i, ok := sameOptions(want, again[0].Options); !ok {
			t.Fatalf("%s: FormatYAML output reads back differently at option %d:\n%s", u.Name, i, y)
		}
		if _, ok := unitMapKey(Type(u.Name[strings.LastIndexByte(u.Name, '.')+1:])); !ok {
			multi = false
		}
	}
	if !multi {
		return
	}
	y, err := FormatYAMLUnits(units)
	if err != nil {
		t.Fatalf("FormatYAMLUnits: %v", err)
	}
	again, diags := ParseYAML("all.yaml", y)
	if len(diags) > 0 || len(again) != len(units) {
		t.Fatalf("FormatYAMLUnits output reads back as %v, %v:\n%s", again, diags, y)
	}
}

func TestRoundTripINI(t *testing.T) {
	for i, src := range iniCorpus {
		t.Run(fmt.Sprintf("corpus-%d", i), func(t *testing.T) {
			checkINIRoundTrip(t, []byte(src))
		})
	}
}

// exampleFiles returns the example configuration shipped with pm.
func exampleFiles(t testing.TB) map[string][]byte {
	dir := filepath.Join("..", "examples", "processes.d")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestRoundTripYAML(t *testing.T) {
	for _, c := range yamlCorpus {
		t.Run(c.file, func(t *testing.T) {
			if _, diags := ParseYAML(c.file, []byte(c.src)); len(diags) > 0 {
				t.Fatal(diags)
			}
			checkYAMLRoundTrip(t, c.file, []byte(c.src))
		})
	}
}

// TestExamples checks that the example configuration reads without a
// single complaint and converts both ways.
func TestExamples(t *testing.T) {
	files := exampleFiles(t)
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			units, diags := ParseYAML(name, data)
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			for _, u := range units {
				if _, diags := Build(u.Name, []File{{Path: name, Options: u.Options}}, &Host{System: true}); len(diags.Filter(Warning)) > 0 {
					t.Errorf("%s: %v", u.Name, diags)
				}
			}
			checkYAMLRoundTrip(t, name, data)
			out, diags := YAMLToINI(name, data)
			if len(diags) > 0 || len(out) != len(units) {
				t.Fatalf("YAMLToINI: %v, %v", out, diags)
			}
			for _, c := range out {
				y, diags := INIToYAML("/etc/systemd/system/"+c.Name, c.Data)
				if len(diags) > 0 || y.Name != YAMLFileName(c.Name) {
					t.Fatalf("INIToYAML(%s): %v, %v", c.Name, y.Name, diags)
				}
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	if _, diags := INIToYAML("x.service", []byte("[Unit\n")); !diags.HasErrors() {
		t.Errorf("INIToYAML of a broken file: got %v, want an error", diags)
	}
	if _, diags := INIToYAML("x.service", []byte("[Foo]\nA=1\n")); !diags.HasErrors() {
		t.Errorf("INIToYAML of an unknown section: got %v, want an error", diags)
	}
	if _, diags := YAMLToINI("x.yaml", []byte("a: [")); !diags.HasErrors() {
		t.Errorf("YAMLToINI of broken YAML: got %v, want an error", diags)
	}
}

func FuzzConvertRoundTrip(f *testing.F) {
	for _, s := range iniCorpus {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkINIRoundTrip(t, data)
	})
}

func FuzzParseYAML(f *testing.F) {
	for _, c := range yamlCorpus {
		f.Add(c.src)
	}
	for _, b := range exampleFiles(f) {
		f.Add(string(b))
	}
	f.Add("a: &a [*a]\nb: &b {<<: *b}\n")
	f.Add("service:\n  ExecStart: |\n    a\n    b\n")
	f.Add("--- !foo\n? [a]\n: b\n")
	f.Fuzz(func(t *testing.T, src string) {
		for _, file := range []string{"web.yaml", "web.socket.yaml"} {
			checkYAMLRoundTrip(t, file, []byte(src))
		}
	})
}
