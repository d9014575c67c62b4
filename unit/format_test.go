package unit

import (
	"errors"
	"strings"
	"testing"
)

// opts builds options from "[Section] Key=Value" lines.
func opts(lines ...string) []Option {
	out := make([]Option, len(lines))
	for i, l := range lines {
		sec, rest, _ := strings.Cut(strings.TrimPrefix(l, "["), "] ")
		key, val, _ := strings.Cut(rest, "=")
		out[i] = Option{Section: sec, Key: key, Value: val}
	}
	return out
}

func TestFormatINI(t *testing.T) {
	tests := []struct {
		name string
		in   []Option
		want string
	}{
		{
			name: "sections in the order first seen",
			in:   opts("[Unit] Description=x", "[Service] ExecStart=/bin/true", "[Unit] After=a.service", "[Service] ExecStart=", "[X-PM] AutoStart=yes"),
			want: "[Unit]\nDescription=x\nAfter=a.service\n\n[Service]\nExecStart=/bin/true\nExecStart=\n\n[X-PM]\nAutoStart=yes\n",
		},
		{
			name: "a trailing backslash gets a blank after it",
			in:   opts(`[Unit] Description=a\`, `[Unit] Documentation=b\\`, `[Unit] After=c\\\`),
			want: "[Unit]\nDescription=a\\ \nDocumentation=b\\\\\nAfter=c\\\\\\ \n",
		},
		{
			name: "values a unit file takes as they are",
			in:   opts("[Service] Environment=A=1 # not a comment", "[Service] ExecStart=;x", `[Service] X=[y]`, "[ odd ] K=v"),
			want: "[Service]\nEnvironment=A=1 # not a comment\nExecStart=;x\nX=[y]\n\n[ odd ]\nK=v\n",
		},
		{
			name: "nothing",
			in:   nil,
			want: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FormatINI(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			back, diags := ParseINI("x.service", got)
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if i, ok := sameOptions(GroupSections(tc.in), back); !ok {
				t.Errorf("reads back differently at option %d: %v", i, optLines(back))
			}
		})
	}
}

func TestFormatINIErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Option
		want string
	}{
		{"leading blank", Option{Section: "Unit", Key: "Description", Value: " x"}, "starts or ends with a blank"},
		{"trailing blank", Option{Section: "Unit", Key: "Description", Value: "x\t"}, "starts or ends with a blank"},
		{"line break", Option{Section: "Unit", Key: "Description", Value: "a\nb"}, "line break"},
		{"carriage return", Option{Section: "Unit", Key: "Description", Value: "a\rb"}, "line break"},
		{"NUL", Option{Section: "Unit", Key: "Description", Value: "a\x00b"}, "NUL"},
		{"bad UTF-8", Option{Section: "Unit", Key: "Description", Value: "a\xffb"}, "UTF-8"},
		{"key with =", Option{Section: "Unit", Key: "A=B", Value: "x"}, "key contains '='"},
		{"empty key", Option{Section: "Unit", Key: "", Value: "x"}, "key is empty"},
		{"comment key", Option{Section: "Unit", Key: "#A", Value: "x"}, "key starts with '#'"},
		{"section key", Option{Section: "Unit", Key: "[A", Value: "x"}, "key starts with '#', ';' or '['"},
		{"empty section", Option{Section: "", Key: "A", Value: "x"}, "section name is empty"},
		{"quote in section", Option{Section: `a"b`, Key: "A", Value: "x"}, "section name holds control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Pos = Pos{File: "f.service", Line: 3}
			_, err := FormatINI([]Option{tc.in})
			if err == nil || !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "f.service:3: ") {
				t.Fatalf("got %v, want an ErrBadValue at f.service:3 containing %q", err, tc.want)
			}
			if _, err := FormatYAML(Lowered{Name: "x.service", Options: []Option{tc.in}}); !errors.Is(err, ErrBadValue) {
				t.Errorf("FormatYAML: got %v, want ErrBadValue", err)
			}
		})
	}
}

func TestFormatYAML(t *testing.T) {
	tests := []struct {
		name string
		in   []Option
		want string
	}{
		{
			name: "full spelling",
			in: opts("[Unit] Description=Web server", "[Unit] After=network.target", "[Unit] After=db.service",
				"[Service] Type=simple", "[Service] ExecStartPre=", "[Service] ExecStartPre=-/bin/mkdir -p /run/web",
				"[Service] ExecStart=/usr/bin/python3 -m http.server 8000", "[Install] WantedBy=multi-user.target"),
			want: `unit:
  Description: Web server
  After:
    - network.target
    - db.service
service:
  Type: simple
  ExecStartPre:
    - ""
    - -/bin/mkdir -p /run/web
  ExecStart: /usr/bin/python3 -m http.server 8000
install:
  WantedBy: multi-user.target
`,
		},
		{
			name: "values YAML would read otherwise",
			in: opts("[Service] A=null", "[Service] B=~", "[Service] C=yes", "[Service] D=0755", "[Service] E=- x",
				"[Service] F=a: b", "[Service] G=#x", "[Service] H=*x", "[Service] I=&x", "[Service] J='q'", `[Service] K="q"`,
				"[Service] L=[a]", "[Service] M={a}", "[Service] N=!x", "[Service] O=a #b", "[Service] P=%n", "[Service] Q=@x",
				"[Service] R=|x", "[Service] S=>x", "[Service] T=\x01", "[Service] U=\u2028", "[Service] <<=x", "[Service] V=1.50",
				"[Service] W\x01=1", "[Service] Environment=\"\x01=1\""),
			want: `service:
  A: "null"
  B: "~"
  C: yes
  D: 0755
  E: '- x'
  F: 'a: b'
  G: '#x'
  H: '*x'
  I: '&x'
  J: '''q'''
  K: '"q"'
  L: '[a]'
  M: '{a}'
  N: '!x'
  O: 'a #b'
  P: '%n'
  Q: '@x'
  R: '|x'
  S: '>x'
  T: "\x01"
  U: "\L"
  "<<": x
  V: 1.50
  "W\x01": 1
  Environment: "\"\x01=1\""
`,
		},
		{
			name: "order across directives is kept with a list of mappings",
			in:   opts("[Socket] ListenStream=80", "[Socket] ListenDatagram=53", "[Socket] ListenStream=81", "[Socket] Accept=no"),
			want: `socket:
  - ListenStream: 80
    ListenDatagram: 53
  - ListenStream: 81
    Accept: no
`,
		},
		{
			name: "environment as a mapping",
			in:   opts("[Service] Environment=A=1", `[Service] Environment="B=x y"`, "[Service] Environment=C=100%%", `[Service] Environment="D=a\nb"`),
			want: `service:
  Environment:
    A: 1
    B: x y
    C: 100%
    D: "a\nb"
`,
		},
		{
			name: "environment that is not one assignment each",
			in:   opts("[Service] Environment=A=1 B=2", "[Service] Environment=C=3"),
			want: `service:
  Environment:
    - A=1 B=2
    - C=3
`,
		},
		{
			name: "pm's sections in the friendly form",
			in: opts("[X-PM] AutoStart=yes", "[X-Health] HTTPGet=http://localhost:8000/", "[X-Health] IntervalSec=5s",
				"[X-Resources] LimitsCPU=500m", "[X-Resources] LimitsMemory=1048576", "[X-Resources] RequestsCPU=100m"),
			want: `auto_start: true
health_check:
  http: http://localhost:8000/
  interval: 5s
resources:
  limits:
    cpu: 500m
    memory: 1048576
  requests:
    cpu: 100m
`,
		},
		{
			name: "pm's sections that the friendly form would change",
			in: opts("[X-PM] AutoStart=true", "[X-Health] TCPSocket=8000", "[X-Resources] LimitsCPU=2",
				"[X-Health] Exec=/bin/a", "[X-Health] Exec=/bin/b"),
			want: `x-pm:
  AutoStart: true
x-health:
  TCPSocket: 8000
  Exec:
    - /bin/a
    - /bin/b
x-resources:
  LimitsCPU: 2
`,
		},
		{
			name: "other sections",
			in:   opts("[X-Foo] Bar=1", "[Path] PathExists=/x"),
			want: "x-Foo:\n  Bar: 1\npath:\n  PathExists: /x\n",
		},
		{
			name: "nothing",
			in:   nil,
			want: "{}\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FormatYAML(Lowered{Name: "web.service", Options: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			units, diags := ParseYAML("web.yaml", got)
			if len(diags) > 0 || len(units) != 1 {
				t.Fatalf("reads back as %v, %v", units, diags)
			}
			if i, ok := sameOptions(GroupSections(tc.in), units[0].Options); !ok {
				t.Errorf("reads back differently at option %d: %v", i, optLines(units[0].Options))
			}
		})
	}
}

func TestFormatYAMLErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []Option
		want error
	}{
		{"unknown section", opts("[Foo] A=1"), ErrUnknownSection},
		{"lower-case x section", opts("[x-foo] A=1"), ErrUnknownSection},
		{"pm section in another case", opts("[X-health] A=1"), ErrUnknownSection},
		{"blank around a value", opts("[Unit] Description= x"), ErrBadValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FormatYAML(Lowered{Name: "x.service", Options: tc.in}); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFormatYAMLUnits(t *testing.T) {
	units := []Lowered{
		{Name: "web.service", Options: opts("[Service] ExecStart=/bin/true")},
		{Name: "web.socket", Options: opts("[Socket] ListenStream=8000")},
		{Name: "a.socket.service", Options: opts("[Unit] Description=odd name")},
		{Name: "app.target", Options: nil},
		{Name: "nightly.timer", Options: opts("[Timer] OnCalendar=daily")},
	}
	want := `processes:
  web:
    service:
      ExecStart: /bin/true
  a.socket.service:
    unit:
      Description: odd name
sockets:
  web:
    socket:
      ListenStream: 8000
targets:
  app: {}
timers:
  nightly:
    timer:
      OnCalendar: daily
`
	got, err := FormatYAMLUnits(units)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	back, diags := ParseYAML("stack.yaml", got)
	if len(diags) > 0 || len(back) != len(units) {
		t.Fatalf("reads back as %v, %v", back, diags)
	}

	for _, bad := range [][]Lowered{
		{{Name: "data.mount"}},
		{{Name: "a.service"}, {Name: "a.service"}},
		{{Name: "no suffix"}},
		{{Name: "a.service", Options: opts("[Foo] A=1")}},
	} {
		if _, err := FormatYAMLUnits(bad); err == nil {
			t.Errorf("FormatYAMLUnits(%v): got no error", bad)
		}
	}
}
