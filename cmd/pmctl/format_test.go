package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
)

// testNow is the fixed "now" of the formatting tests.
var testNow = time.Date(2026, 11, 25, 22, 41, 39, 0, time.UTC)

// testEnv is a cliEnv writing to buffers, at testNow, in UTC, without
// colours or a terminal.
func testEnv() (*cliEnv, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	e := newEnv("pmctl", &out, &errb)
	e.now = func() time.Time { return testNow }
	e.loc = time.UTC
	e.color, e.width = false, 0
	return e, &out, &errb
}

func TestFmtRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "now"},
		{500 * time.Microsecond, "500us ago"},
		{20 * time.Millisecond, "20ms ago"},
		{5 * time.Second, "5s ago"},
		{90 * time.Second, "1min 30s ago"},
		{7 * time.Minute, "7min ago"},
		{time.Hour, "1h 0min ago"},
		{7 * time.Hour, "7h ago"},
		{26 * time.Hour, "1 day 2h ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{9 * 24 * time.Hour, "1 week 2 days ago"},
		{-5 * time.Second, "5s left"},
		{400 * 24 * time.Hour, "1 year 1 month ago"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmtRelative(testNow.Add(-tt.d), testNow); got != tt.want {
				t.Errorf("fmtRelative(now-%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestFmtAgo(t *testing.T) {
	tests := []struct {
		ts   *timestamppb.Timestamp
		want string
	}{
		{nil, "-"},
		{&timestamppb.Timestamp{}, "-"},
		{timestamppb.New(testNow.Add(-3 * time.Second)), "3s ago"},
		{timestamppb.New(testNow.Add(-3 * time.Minute)), "3min ago"},
		{timestamppb.New(testNow.Add(-30 * time.Hour)), "30h ago"},
		{timestamppb.New(testNow.Add(-72 * time.Hour)), "3d ago"},
		{timestamppb.New(testNow.Add(time.Minute)), "0s ago"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmtAgo(tt.ts, testNow); got != tt.want {
				t.Errorf("fmtAgo(%v) = %q, want %q", tt.ts, got, tt.want)
			}
		})
	}
}

func TestFmtBytes(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0B"},
		{1023, "1023B"},
		{1024, "1.0K"},
		{1536, "1.5K"},
		{3 << 20, "3.0M"},
		{(12 << 20) + (300 << 10), "12.2M"},
		{5 << 30, "5.0G"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmtBytes(tt.n); got != tt.want {
				t.Errorf("fmtBytes(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestFmtTimespan(t *testing.T) {
	tests := []struct {
		d, acc time.Duration
		want   string
	}{
		{0, time.Millisecond, "0"},
		{1234 * time.Millisecond, time.Millisecond, "1.234s"},
		{90 * time.Second, time.Millisecond, "1min 30s"},
		{15 * time.Millisecond, time.Millisecond, "15ms"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmtTimespan(tt.d, tt.acc); got != tt.want {
				t.Errorf("fmtTimespan(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestPrintTable(t *testing.T) {
	tests := []struct {
		name   string
		width  int
		full   bool
		header bool
		want   string
	}{
		{"header", 0, false, true, "NAME  STATE DESCRIPTION\n" +
			"a     ok    short\n" +
			"bbbbb bad   a rather long description\n"},
		{"no legend", 0, false, false, "a     ok  short\n" +
			"bbbbb bad a rather long description\n"},
		{"narrow terminal", 24, false, true, "NAME  STATE DESCRIPTION\n" +
			"a     ok    short\n" +
			"bbbbb bad   a rather lo…\n"},
		{"narrow but full", 24, true, true, "NAME  STATE DESCRIPTION\n" +
			"a     ok    short\n" +
			"bbbbb bad   a rather long description\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, _ := testEnv()
			e.width, e.g.full = tt.width, tt.full
			tb := &table{cols: []column{{name: "name"}, {name: "state"}, {name: "description", elastic: true}}}
			tb.add(plain("a", "ok", "short")...)
			tb.add(plain("bbbbb", "bad", "a rather long description")...)
			e.printTable(tb, tt.header)
			if got := out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestTableJSON(t *testing.T) {
	e, out, _ := testEnv()
	e.g.output = "json"
	tb := &table{cols: []column{{json: "-"}, {name: "unit file"}, {name: "state"}}}
	tb.add(plain("●", "web.service", "enabled")...)
	if err := e.tableJSON(tb); err != nil {
		t.Fatal(err)
	}
	want := `[{"state":"enabled","unit_file":"web.service"}]` + "\n"
	if got := out.String(); got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestTerminal(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"not a terminal", nil, false},
		{"forced by SYSTEMD_COLORS", map[string]string{"SYSTEMD_COLORS": "1"}, true},
		{"NO_COLOR wins", map[string]string{"SYSTEMD_COLORS": "1", "NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			color, width := terminal(&bytes.Buffer{}, func(k string) string { return tt.env[k] })
			if color != tt.want || width != 0 {
				t.Errorf("terminal() = %v, %d, want %v, 0", color, width, tt.want)
			}
		})
	}
}

func TestPaint(t *testing.T) {
	e, _, _ := testEnv()
	if got := e.paint(ansiRed, "x"); got != "x" {
		t.Errorf("without colours got %q, want %q", got, "x")
	}
	e.color = true
	if got, want := e.paint(ansiRed, "x"), ansiRed+"x"+ansiNormal; got != want {
		t.Errorf("with colours got %q, want %q", got, want)
	}
	if strings.Contains(e.paint("", "x"), "\x1b") {
		t.Errorf("no colour asked, got an escape")
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		u    *pmv1.Unit
		want string
	}{
		{"plain", &pmv1.Unit{Command: "/bin/sleep", Args: []string{"1000"}}, "/bin/sleep 1000"},
		{"script", &pmv1.Unit{Command: "/bin/sh", Args: []string{"-c", "while :; do\n  echo \"tick\"\ndone\n"}},
			`/bin/sh -c "while :; do\n  echo \"tick\"\ndone\n"`},
		{"empty arg", &pmv1.Unit{Command: "/bin/echo", Args: []string{""}}, `/bin/echo ""`},
		{"exec line wins", &pmv1.Unit{Command: "/bin/x", ExecStart: []string{"-/bin/x 'a b'"}}, "/bin/x 'a b'"},
		{"none", &pmv1.Unit{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commandLine(tt.u); got != tt.want {
				t.Errorf("commandLine = %q; want %q", got, tt.want)
			}
		})
	}
}
