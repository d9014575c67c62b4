package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// systemctlUnits are the unit files of the systemctl verb tests.
var systemctlUnits = map[string]string{
	"usr/lib/systemd/system/hello.service": `[Unit]
Description=Hello world

[Service]
ExecStart=/bin/sh -c 'echo hello; exec sleep 1000'
ExecReload=/bin/true

[Install]
WantedBy=multi-user.target
`,
	"usr/lib/systemd/system/quiet.service": `[Unit]
Description=Quiet sleeper

[Service]
ExecStart=/bin/sleep 1000
`,
	"usr/lib/systemd/system/broken.service": `[Unit]
Description=Always fails

[Service]
Type=oneshot
ExecStart=/bin/false
`,
	"usr/lib/systemd/system/multi-user.target": `[Unit]
Description=Multi-User System
`,
	"usr/lib/systemd/system/app.target": `[Unit]
Description=The app
Wants=hello.service quiet.service
`,
}

func TestPmctlSystemctlVerbs(t *testing.T) {
	p := startPmdAPI(t, systemctlUnits)
	unitDir := filepath.Join(p.root, "usr/lib/systemd/system")
	steps := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{args: []string{"daemon-reload"}},
		{args: []string{"start", "hello"}},
		{args: []string{"is-active", "hello"}, stdout: []string{"active\n"}},
		{args: []string{"status", "hello"}, stdout: []string{
			"● hello.service - Hello world\n",
			"     Loaded: loaded (" + unitDir + "/hello.service; disabled",
			"     Active: active (running) since ",
			"   Main PID: ", " (sleep)\n",
			"      Tasks: 1\n", "     Memory: ", "  Processes:\n", "─", " sleep 1000\n",
			"hello[", "]: hello\n"}},
		{args: []string{"status", "quiet"}, code: 3, stdout: []string{"○ quiet.service - Quiet sleeper", "Active: inactive (dead)"}},
		{args: []string{"status", "nosuch"}, code: 4, stderr: []string{"Unit nosuch.service could not be found."}},
		{args: []string{"status", "hello", "quiet"}, code: 3, stdout: []string{"hello.service - Hello world", "\n\n○ quiet.service"}},
		{args: []string{"show", "hello", "-p", "ActiveState,SubState"}, stdout: []string{"ActiveState=active\nSubState=running\n"}},
		{args: []string{"show", "hello", "-p", "ActiveState", "--value"}, stdout: []string{"active\n"}},
		{args: []string{"show", "hello", "quiet", "-p", "Id"}, stdout: []string{"Id=hello.service\n\nId=quiet.service\n"}},
		{args: []string{"show", "nosuch", "-p", "LoadState"}, stdout: []string{"LoadState=not-found\n"}},
		{args: []string{"cat", "hello"}, stdout: []string{"# " + unitDir + "/hello.service\n[Unit]\nDescription=Hello world\n"}},
		{args: []string{"cat", "nosuch"}, code: 1, stderr: []string{"No files found for nosuch.service."}},
		{args: []string{"reload", "hello"}},
		{args: []string{"reload", "quiet"}, code: 3, stderr: []string{"Failed to reload quiet.service: Job type reload is not applicable for unit quiet.service.\n"}},
		{args: []string{"restart", "hello"}},
		{args: []string{"try-restart", "quiet"}},
		{args: []string{"is-active", "quiet"}, code: 3, stdout: []string{"inactive\n"}},
		{args: []string{"reload-or-restart", "quiet"}},
		{args: []string{"is-active", "hello", "quiet"}, stdout: []string{"active\nactive\n"}},
		{args: []string{"list-units"}, stdout: []string{"  UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION",
			"hello.service", "loaded active running Hello world", "quiet.service",
			"LOAD   = Reflects whether the unit definition was properly loaded.",
			"loaded units listed. Pass --all to see loaded but inactive units, too.",
			"To show all installed unit files use 'pmctl list-unit-files'."}},
		{args: []string{"list-units", "--type", "service", "--no-legend", "--plain", "h*"}, stdout: []string{"hello.service loaded active running Hello world\n"}},
		{args: []string{"list-units", "--state", "failed"}, stdout: []string{"0 loaded units listed.\n"}},
		{args: []string{"start", "broken"}, code: 1, stderr: []string{
			"Job for broken.service failed because the control process exited with error code.\n",
			"See \"pmctl status broken.service\" and \"pmctl logs broken.service\" for details.\n"}},
		{args: []string{"is-failed", "broken"}, stdout: []string{"failed\n"}},
		{args: []string{"list-units", "--failed"}, stdout: []string{"● broken.service", "failed failed Always fails", "1 loaded units listed.\n"}},
		{args: []string{"reset-failed", "broken"}},
		{args: []string{"is-failed", "broken"}, code: 1, stdout: []string{"inactive\n"}},
		{args: []string{"start", "nosuch"}, code: 5, stderr: []string{"Failed to start nosuch.service: Unit nosuch.service not found.\n"}},
		{args: []string{"list-unit-files"}, stdout: []string{"UNIT FILE", "STATE", "PRESET", "hello.service", "disabled",
			"quiet.service", "static", "unit files listed."}},
		{args: []string{"is-enabled", "hello"}, code: 1, stdout: []string{"disabled\n"}},
		{args: []string{"enable", "hello"}, stderr: []string{"Created symlink " + p.root + "/etc/systemd/system/multi-user.target.wants/hello.service → /usr/lib/systemd/system/hello.service."}},
		{args: []string{"is-enabled", "hello"}, stdout: []string{"enabled\n"}},
		{args: []string{"enable", "quiet"}, stderr: []string{"The unit files have no installation config"}},
		{args: []string{"list-dependencies", "multi-user.target"}, stdout: []string{"multi-user.target\n", "└─hello.service\n"}},
		{args: []string{"list-dependencies", "--reverse", "hello"}, stdout: []string{"hello.service\n", "multi-user.target"}},
		{args: []string{"list-dependencies", "app.target"}, stdout: []string{"app.target\n● ├─hello.service\n● └─quiet.service\n"}},
		{args: []string{"disable", "--now", "hello"}, stderr: []string{"Removed \"" + p.root + "/etc/systemd/system/multi-user.target.wants/hello.service\"."}},
		{args: []string{"is-active", "hello"}, code: 3, stdout: []string{"inactive\n"}},
		{args: []string{"enable", "--now", "hello"}, stderr: []string{"Created symlink"}},
		{args: []string{"is-active", "hello"}, stdout: []string{"active\n"}},
		{args: []string{"mask", "quiet"}, stderr: []string{"Created symlink " + p.root + "/etc/systemd/system/quiet.service → /dev/null."}},
		{args: []string{"is-enabled", "quiet"}, code: 1, stdout: []string{"masked\n"}},
		{args: []string{"start", "quiet"}, code: 1, stderr: []string{"Failed to start quiet.service: Unit quiet.service is masked."}},
		{args: []string{"unmask", "quiet"}, stderr: []string{"Removed \"" + p.root + "/etc/systemd/system/quiet.service\"."}},
		{args: []string{"kill", "-s", "KILL", "--kill-whom", "main", "quiet"}},
		{args: []string{"kill", "-s", "NOPE", "quiet"}, code: 1, stderr: []string{"Failed to parse signal string NOPE."}},
		{args: []string{"list-jobs"}, stdout: []string{"No jobs running.\n"}},
		{args: []string{"set-default", "app.target"}, stderr: []string{"Created symlink " + p.root + "/etc/systemd/system/default.target → /usr/lib/systemd/system/app.target."}},
		{args: []string{"get-default"}, stdout: []string{"app.target\n"}},
		{args: []string{"is-system-running"}, code: 1, stdout: []string{"degraded\n"}},
		{args: []string{"stop", "hel*"}},
		{args: []string{"is-active", "hello"}, code: 3},
	}
	for _, s := range steps {
		r := p.pmctl(t, s.args...)
		r.want(t, "pmctl "+strings.Join(s.args, " "), s.code, s.stdout, s.stderr)
	}
	// kill -s KILL killed quiet's main process: it is not active any more.
	deadline := time.Now().Add(10 * time.Second)
	for p.pmctl(t, "is-active", "quiet").code == 0 {
		if time.Now().After(deadline) {
			t.Fatal("quiet.service still active after kill -s KILL")
		}
		time.Sleep(20 * time.Millisecond) // polling another process's state
	}
}

// TestPmctlAsSystemctl: invoked as systemctl, pmctl knows systemctl's
// verbs and only those.
func TestPmctlAsSystemctl(t *testing.T) {
	p := startPmdAPI(t, systemctlUnits)
	steps := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{args: []string{"--version"}, stdout: []string{"pm's systemctl (pmctl "}},
		{args: []string{"start", "hello"}},
		{args: []string{"-q", "is-active", "hello"}},
		{args: []string{"--no-pager", "status", "hello"}, stdout: []string{"● hello.service - Hello world"}},
		{args: []string{}, stdout: []string{"hello.service", "To show all installed unit files use 'systemctl list-unit-files'."}},
		{args: []string{"--all", "--no-legend"}, stdout: []string{"quiet.service"}},
		{args: []string{"--failed"}, stdout: []string{"0 loaded units listed."}},
		{args: []string{"-p", "MainPID", "--value", "show", "quiet"}, stdout: []string{"0\n"}},
		{args: []string{"frob"}, code: 1, stderr: []string{"Unknown command verb 'frob'."}},
		{args: []string{"create", "x", "--", "/bin/true"}, code: 1, stderr: []string{"Unknown command verb 'create'."}},
		{args: []string{"start", "broken"}, code: 1, stderr: []string{"See \"systemctl status broken.service\" for details."}},
		{args: []string{"stop", "hello"}},
		{args: []string{"is-active", "hello"}, code: 3, stdout: []string{"inactive"}},
	}
	for _, s := range steps {
		r := p.systemctl(t, s.args...)
		r.want(t, "systemctl "+strings.Join(s.args, " "), s.code, s.stdout, s.stderr)
	}
}

// TestPmctlBadInput: unknown units, bad flag values and a daemon that is
// not there each get a clear message and systemctl's exit status.
func TestPmctlBadInput(t *testing.T) {
	p := startPmdAPI(t, nil)
	steps := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"start", "nosuch"}, 5, "Failed to start nosuch.service: Unit nosuch.service not found."},
		{[]string{"stop", "nosuch"}, 5, "Failed to stop nosuch.service: Unit nosuch.service not found."},
		{[]string{"describe", "nosuch"}, 5, "Failed to describe nosuch.service: Unit nosuch.service not found."},
		{[]string{"delete", "nosuch"}, 5, "Failed to delete nosuch.service: Unit nosuch.service not found."},
		{[]string{"update", "nosuch", "--restart", "always"}, 5, "Failed to update nosuch.service: Unit nosuch.service not found."},
		{[]string{"logs", "nosuch"}, 5, "nosuch.service"},
		{[]string{"create", "x", "--restart", "sometimes", "--", "/bin/true"}, 1, `Invalid value "sometimes" for --restart: want no, always,`},
		{[]string{"create", "x", "--restart-sec", "soon", "--", "/bin/true"}, 1, `Invalid value "soon" for --restart-sec`},
		{[]string{"create", "x", "--kill-signal", "SIGNOPE", "--", "/bin/true"}, 1, `Invalid value "SIGNOPE" for --kill-signal`},
		{[]string{"create", "x", "--type", "daemon", "--", "/bin/true"}, 1, `Invalid value "daemon" for --type`},
		{[]string{"create", "x", "--pids-limit", "many", "--", "/bin/true"}, 1, `for --pids-limit`},
		{[]string{"create", "x", "-p", "novalue", "--", "/bin/true"}, 1, `Invalid value "novalue" for --property`},
		{[]string{"create", "x", "-p", "Service.Nice=lots", "--", "/bin/true"}, 1, "Nice"},
		{[]string{"create", "bad/name", "--", "/bin/true"}, 1, "bad/name"},
		{[]string{"status", "--lines", "many"}, 1, `invalid argument "many" for "-n, --lines"`},
		{[]string{"list", "-o", "xml"}, 1, "Unknown output 'xml'."},
		{[]string{"frob"}, 1, `unknown command "frob"`},
	}
	for _, s := range steps {
		r := p.pmctl(t, s.args...)
		r.want(t, "pmctl "+strings.Join(s.args, " "), s.code, nil, []string{s.stderr})
	}
	if r := p.pmctl(t, "list"); strings.Contains(r.stdout, "x.service") {
		t.Errorf("a refused create made a unit:\n%s", r.stdout)
	}

	// No daemon: one line naming the socket, exit 1.
	gone := filepath.Join(t.TempDir(), "pm.sock")
	for _, args := range [][]string{{"list"}, {"status", "x"}, {"start", "x"}, {"is-active", "x"}} {
		r := runCtl(t, filepath.Join(bin, "pmctl"), []string{"PM_SOCKET=" + gone}, args...)
		r.want(t, "no daemon: "+strings.Join(args, " "), 1, nil, []string{"Failed to connect to pmd at " + gone + ": No such file or directory\n"})
		if strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("no daemon: %q: want one line, got:\n%s", args, r.stderr)
		}
	}
	r := runCtl(t, filepath.Join(bin, "pmctl"), []string{"PM_SOCKET=" + gone}, "is-system-running")
	r.want(t, "is-system-running without a daemon", 1, []string{"offline\n"}, nil)
	if _, err := os.Stat(gone); err == nil {
		t.Errorf("pmctl created %s", gone)
	}
}

// TestPmctlCompletion: the shells' scripts, and unit names from the
// daemon (none, silently, without one).
func TestPmctlCompletion(t *testing.T) {
	p := startPmdAPI(t, systemctlUnits)
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := p.pmctl(t, "completion", sh)
		r.want(t, "completion "+sh, 0, []string{"pmctl"}, nil)
	}
	r := p.pmctl(t, "__complete", "start", "hel")
	r.want(t, "complete start hel", 0, []string{"hello.service\tHello world\n"}, nil)
	gone := filepath.Join(t.TempDir(), "pm.sock")
	r = runCtl(t, filepath.Join(bin, "pmctl"), []string{"PM_SOCKET=" + gone}, "__complete", "start", "hel")
	r.want(t, "complete without a daemon", 0, []string{":4\n"}, nil)
	if strings.Contains(r.stdout, "hello") {
		t.Errorf("completions without a daemon:\n%s", r.stdout)
	}
}

// TestPmctlTCP: --address and $PM_ADDRESS reach pmd's loopback TCP
// listener (plaintext there without a flag), where pmctl may only read.
func TestPmctlTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	p := startPmdAPI(t, systemctlUnits, "--tcp", "--grpc-port", strconv.Itoa(port))
	addr := "127.0.0.1:" + strconv.Itoa(port)
	ctl := filepath.Join(bin, "pmctl")
	// A plaintext TCP peer may only read.
	runCtl(t, ctl, nil, "--address", addr, "start", "hello").want(t, "start over plaintext TCP", 4, nil,
		[]string{"Failed to start hello.service: Access denied\n"})
	p.pmctl(t, "start", "hello").want(t, "start over the socket", 0, nil, nil)
	runCtl(t, ctl, []string{"PM_ADDRESS=" + addr}, "is-active", "hello").want(t, "is-active over $PM_ADDRESS", 0, []string{"active\n"}, nil)
	runCtl(t, ctl, nil, "--address", addr, "status", "hello").want(t, "status over TCP", 0, []string{"● hello.service - Hello world"}, nil)
}

// TestPmctlReadOnlyPeer: a user who is neither root nor in pmd's API
// group may read, and gets systemctl's "Access denied" (exit 4) for the
// rest.
func TestPmctlReadOnlyPeer(t *testing.T) {
	setpriv := needSetpriv(t)
	p := startPmdAPI(t, systemctlUnits)
	// nobody must reach the socket and run pmctl: open the test's own
	// directories (below the temporary directory, never it) to others.
	tmp := filepath.Clean(os.TempDir())
	for d := p.dir; strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctl := filepath.Join(p.dir, "pmctl-copy")
	data, err := os.ReadFile(filepath.Join(bin, "pmctl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ctl, data, 0o755); err != nil {
		t.Fatal(err)
	}
	p.pmctl(t, "create", "mine", "--", "/bin/sleep", "1000").want(t, "create as root", 0, nil, nil)
	nobody := func(args ...string) result {
		return runCtl(t, setpriv, []string{"PM_SOCKET=" + p.sock},
			append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", ctl}, args...)...)
	}
	nobody("list").want(t, "list as nobody", 0, []string{"mine.service"}, nil)
	nobody("describe", "mine").want(t, "describe as nobody", 0, []string{"mine.service"}, nil)
	nobody("status", "hello").want(t, "status as nobody", 3, []string{"hello.service - Hello world"}, nil)
	nobody("start", "hello").want(t, "start as nobody", 4, nil, []string{"Failed to start hello.service: Access denied\n"})
	nobody("stop", "mine").want(t, "stop as nobody", 4, nil, []string{"Failed to stop mine.service: Access denied\n"})
	nobody("create", "x", "--", "/bin/true").want(t, "create as nobody", 4, nil, []string{"Failed to create x.service: Access denied\n"})
	nobody("delete", "mine").want(t, "delete as nobody", 4, nil, []string{"Failed to delete mine.service: Access denied\n"})
	nobody("enable", "hello").want(t, "enable as nobody", 1, nil, []string{"Failed to enable unit: Access denied\n"})
}
