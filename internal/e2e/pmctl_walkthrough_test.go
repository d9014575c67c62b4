package e2e

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// step is one command line of a walkthrough and what it must print.
type step struct {
	line   string
	code   int
	stdout []string
	stderr []string
}

// walkthrough is the README's pmctl walkthrough, run verbatim by
// TestPmctlWalkthrough (docs/pmctl.md shows it with its output).
var walkthrough = []step{
	{line: `pmctl create ticker --restart on-failure -- /bin/sh -c 'while true; do echo tick; sleep 1; done'`,
		stdout: []string{"Name:  ticker.service", "ID:    ", "State: created"}},
	{line: `pmctl start ticker`},
	{line: `pmctl list`, stdout: []string{"NAME", "ID", "PID", "STATE", "RUNS", "COMMAND", "CREATED", "STARTED", "ENDED", "EXIT",
		"ticker.service", "running"}},
	{line: `pmctl describe ticker`, stdout: []string{"Name:", "ticker.service", "State:", "running", "Restart:", "on-failure"}},
	{line: `pmctl stop ticker`},
	{line: `pmctl start "$(pmctl describe ticker | awk '$1 == "ID:" {print $2}')"`},
	{line: `pmctl is-active ticker`, stdout: []string{"active"}},
	{line: `pmctl logs ticker -n 2`, stdout: []string{"ticker[", "]: tick"}},
	{line: `pmctl stop ticker`},
	{line: `pmctl delete ticker`, stdout: []string{"Deleted ticker.service ("}},
	{line: `pmctl create clock --auto-start -- /bin/sleep 1000`, stdout: []string{"Name:  clock.service", "State: running"}},
	{line: `pmctl create clock -- /bin/sleep 1`, code: 1, stderr: []string{"Failed to create clock.service: Unit clock.service exists already."}},
	{line: `pmctl update clock --restart always --restart-sec 2s --dry-run`,
		stdout: []string{"Would change clock.service (dry run):", "restart: ", "→ always (hot)", "restart_sec: "}},
	{line: `pmctl reload-config`},
	{line: `pmctl status clock`, stdout: []string{"● clock.service", "Active: active (running) since", "Main PID:", "/bin/sleep 1000"}},
	{line: `pmctl delete clock`, code: 1, stderr: []string{"Unit clock.service is active (running). Stop it first, or delete it with --force."}},
	{line: `pmctl delete --force clock`, stdout: []string{"Deleted clock.service ("}},
}

// TestREADMEWalkthrough: the README shows exactly the walkthrough's
// command lines, in order.
func TestREADMEWalkthrough(t *testing.T) {
	b, err := os.ReadFile(repo("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "### Walkthrough")
	if !ok {
		t.Fatal("README.md has no Walkthrough section")
	}
	_, block, _ := strings.Cut(rest, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		got = append(got, strings.TrimPrefix(line, "$ "))
	}
	if len(got) != len(walkthrough) {
		t.Fatalf("README has %d walkthrough lines; the test runs %d", len(got), len(walkthrough))
	}
	for i, s := range walkthrough {
		if got[i] != s.line {
			t.Errorf("README line %d:\n  %s\nthe test runs:\n  %s", i+1, got[i], s.line)
		}
	}
}

func TestPmctlWalkthrough(t *testing.T) {
	p := startPmdAPI(t, nil)
	for _, s := range walkthrough {
		r := p.sh(t, s.line)
		r.want(t, s.line, s.code, s.stdout, s.stderr)
		if t.Failed() {
			t.FailNow()
		}
	}
	// The walkthrough's units are gone, in pmd and on disk.
	p.pmctl(t, "status", "ticker").want(t, "status of a deleted unit", 4, nil, []string{"Unit ticker.service could not be found."})
	if r := p.pmctl(t, "list"); strings.Contains(r.stdout, "ticker") || strings.Contains(r.stdout, "clock") {
		t.Errorf("deleted units are listed:\n%s", r.stdout)
	}
}

// TestPmctlUUID: a unit is reachable by its UUID everywhere a name is.
func TestPmctlUUID(t *testing.T) {
	p := startPmdAPI(t, nil)
	r := p.pmctl(t, "create", "u1", "--", "/bin/sleep", "1000")
	r.want(t, "create", 0, nil, nil)
	m := regexp.MustCompile(`ID: +([0-9a-f-]{36})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no ID in create's output:\n%s", r.stdout)
	}
	id := m[1]
	p.pmctl(t, "start", id).want(t, "start by UUID", 0, nil, nil)
	p.pmctl(t, "is-active", id).want(t, "is-active by UUID", 0, []string{"active"}, nil)
	p.pmctl(t, "describe", id).want(t, "describe by UUID", 0, []string{"u1.service", id}, nil)
	p.pmctl(t, "stop", id).want(t, "stop by UUID", 0, nil, nil)
	p.pmctl(t, "list", id).want(t, "list by UUID", 0, []string{"u1.service"}, nil)
	p.pmctl(t, "delete", id).want(t, "delete by UUID", 0, []string{"Deleted u1.service (" + id + ")."}, nil)
}

// TestPmctlJSON: -o json prints the proto messages, one per line.
func TestPmctlJSON(t *testing.T) {
	p := startPmdAPI(t, nil)
	p.pmctl(t, "create", "j", "--auto-start", "--", "/bin/sleep", "1000").want(t, "create", 0, nil, nil)
	for _, args := range [][]string{
		{"list", "-o", "json"},
		{"describe", "j", "-o", "json"},
		{"status", "j", "-o", "json"},
		{"stats", "j", "-o", "json"},
		{"list-units", "-o", "json"},
		{"show", "j", "-o", "json"},
		{"update", "j", "--restart", "always", "--dry-run", "-o", "json"},
		{"list-dependencies", "j", "-o", "json"},
	} {
		r := p.pmctl(t, args...)
		r.want(t, strings.Join(args, " "), 0, nil, nil)
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var v any
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Errorf("%q: not JSON: %v\n%s", args, err, l)
			}
		}
	}
	r := p.pmctl(t, "describe", "j", "-o", "json")
	var u struct {
		Name  string `json:"name"`
		State string `json:"state"`
		UUID  string `json:"uuid"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &u); err != nil || u.Name != "j.service" || u.State != "running" || u.UUID == "" {
		t.Errorf("describe -o json: %+v (%v), want j.service running with a UUID", u, err)
	}
}
