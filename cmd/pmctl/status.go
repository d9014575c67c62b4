package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/unit"
)

func (e *cliEnv) newStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status [UNIT…]",
		Short: "Show the runtime status of units (or of pmd without one)",
		Long: `Shows systemctl's status block of each unit: state, main process, tasks,
memory, processes and the last output lines (-n). Exits 0 when every unit is
active, 3 when one is not, 4 when one does not exist.`,
		ValidArgsFunction: e.unitArgs,
		RunE:              func(_ *cobra.Command, args []string) error { return e.status(args) },
	}
	e.cmdFlags(cmd, flagLines|flagOutput)
	return cmd
}

// statusInfo is what the status block shows of a unit.
type statusInfo struct {
	unit   *pmv1.Unit
	stats  *pmv1.UnitStats
	preset string
	logs   []*pmv1.LogLine
}

func (e *cliEnv) status(args []string) error {
	if len(args) == 0 && len(e.g.states) == 0 && len(e.g.types) == 0 {
		return e.systemStatus()
	}
	var names []string
	if len(args) == 0 {
		resp, err := e.list(nil)
		if err != nil {
			return err
		}
		for _, u := range resp {
			names = append(names, u.GetName())
		}
	} else {
		var err error
		if names, _, err = e.expand(args); err != nil {
			return err
		}
	}
	code := 0
	printed := false
	for _, n := range names {
		info, err := e.statusInfo(n)
		if err != nil {
			if isNotFound(err) {
				fmt.Fprintf(e.stderr, "Unit %s could not be found.\n", n)
				if code == 0 {
					code = exitNoPermission
				}
				continue
			}
			return e.callError("get properties of", n, err)
		}
		if e.json() {
			if err := e.printProto(info.unit); err != nil {
				return err
			}
		} else {
			if printed {
				fmt.Fprintln(e.stdout)
			}
			e.renderStatus(e.stdout, info)
		}
		printed = true
		if !isActive(info.unit.GetActiveState()) && code == 0 {
			code = exitNotRunning
		}
	}
	return exitCode(code)
}

// statusInfo gathers a unit's status: Describe, then Stats, IsEnabled
// (for the preset) and Logs at once.
func (e *cliEnv) statusInfo(name string) (*statusInfo, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	d, err := c.Describe(ctx, &pmv1.DescribeRequest{Unit: name})
	if err != nil {
		return nil, err
	}
	u := d.GetUnit()
	if u.GetLoadState() == "not-found" && u.GetActiveState() == "inactive" {
		return nil, errNotFound
	}
	info := &statusInfo{unit: u}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if s, err := c.Stats(ctx, &pmv1.StatsRequest{Units: []string{u.GetName()}}); err == nil && len(s.GetUnits()) > 0 {
			info.stats = s.GetUnits()[0]
		}
	}()
	go func() {
		defer wg.Done()
		if s, err := c.IsEnabled(ctx, &pmv1.IsEnabledRequest{Units: []string{u.GetName()}}); err == nil && len(s.GetStates()) > 0 {
			info.preset = s.GetStates()[0].GetPreset()
		}
	}()
	if e.g.lines > 0 {
		info.logs, _ = e.logLines(ctx, u.GetName(), e.g.lines)
	}
	wg.Wait()
	return info, nil
}

// errNotFound stands for a unit pmd knows nothing of.
var errNotFound = errors.New("unit not found")

// renderStatus prints systemctl's status block.
func (e *cliEnv) renderStatus(w io.Writer, info *statusInfo) {
	u := info.unit
	active := u.GetActiveState()
	on := activeColor(active)
	fmt.Fprintf(w, "%s %s", e.paint(on, activeGlyph(active)), u.GetName())
	if d := u.GetDescription(); d != "" && d != u.GetName() {
		fmt.Fprintf(w, " - %s", d)
	}
	fmt.Fprintln(w)

	loadColor := ""
	switch u.GetLoadState() {
	case "error", "not-found", "bad-setting":
		loadColor = ansiRed
	}
	load := e.paint(loadColor, u.GetLoadState())
	path := u.GetSourcePath()
	if path == "" {
		path = u.GetFragmentPath()
	}
	switch ufs := u.GetUnitFileState(); {
	case u.GetLoadError() != "":
		fmt.Fprintf(w, "     Loaded: %s (Reason: %s)\n", load, u.GetLoadError())
	case path != "" && ufs != "":
		preset := ""
		switch ufs {
		case "alias", "static", "generated", "transient":
		default:
			if info.preset != "" {
				preset = "; preset: " + e.paint(enableColor(info.preset), info.preset)
			}
		}
		fmt.Fprintf(w, "     Loaded: %s (%s; %s%s)\n", load, path, e.paint(enableColor(ufs), ufs), preset)
	case path != "":
		fmt.Fprintf(w, "     Loaded: %s (%s)\n", load, path)
	default:
		fmt.Fprintf(w, "     Loaded: %s\n", load)
	}
	e.renderDropIns(w, u.GetDropInPaths())

	state := active
	if sub := u.GetSubState(); sub != "" && sub != active {
		state += " (" + sub + ")"
	}
	fmt.Fprintf(w, "     Active: %s", e.paint(on, state))
	if r := u.GetResult(); r != "" && r != "success" {
		fmt.Fprintf(w, " (Result: %s)", r)
	}
	ts := u.GetActiveExitAt()
	switch active {
	case "active", "reloading":
		ts = u.GetActiveEnterAt()
	case "inactive", "failed":
		ts = u.GetInactiveEnterAt()
	case "activating":
		ts = u.GetInactiveExitAt()
	}
	if set(ts) {
		fmt.Fprintf(w, " since %s\n", e.fmtSince(ts))
		enter, exit := u.GetActiveEnterAt(), u.GetActiveExitAt()
		if !strings.HasSuffix(u.GetName(), ".target") && (active == "inactive" || active == "failed") &&
			set(enter) && set(exit) && !exit.AsTime().Before(enter.AsTime()) {
			fmt.Fprintf(w, "   Duration: %s\n", fmtTimespan(exit.AsTime().Sub(enter.AsTime()), time.Millisecond))
		}
	} else {
		fmt.Fprintln(w)
	}
	if fc := u.GetFailedCondition(); fc != "" {
		when := ""
		if set(u.GetConditionCheckedAt()) {
			when = " at " + e.fmtSince(u.GetConditionCheckedAt())
		}
		fmt.Fprintf(w, "  Condition: start %s%s\n", e.paint(ansiYellow, "condition failed"), when)
		fmt.Fprintf(w, "             %s %s was not met\n", glyphTreeRight, fc)
	}
	e.renderMainPID(w, info)
	if s := u.GetStatusText(); s != "" {
		fmt.Fprintf(w, "     Status: \"%s\"\n", s)
	}
	if n := u.GetStatusErrno(); n > 0 {
		fmt.Fprintf(w, "      Error: %d (%s)\n", n, errnoText(syscallErrno(n)))
	}
	if st := info.stats; st != nil && (len(st.GetPids()) > 0 || len(st.GetProcesses()) > 0 || st.GetTasks() > 0) {
		fmt.Fprintf(w, "      Tasks: %d", st.GetTasks())
		if l := st.GetPidsLimit(); l > 0 {
			fmt.Fprintf(w, "%s", e.paint(ansiGrey, fmt.Sprintf(" (limit: %d)", l)))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "     Memory: %s", fmtBytes(st.GetMemoryRssBytes()))
		if l := st.GetMemoryLimitBytes(); l > 0 {
			fmt.Fprintf(w, " (max: %s)", fmtBytes(l))
		}
		fmt.Fprintln(w)
		cpu := st.GetCpuUser().AsDuration() + st.GetCpuSystem().AsDuration()
		fmt.Fprintf(w, "        CPU: %s\n", fmtTimespan(cpu, time.Millisecond))
		e.renderProcesses(w, st.GetProcesses())
	}
	if len(info.logs) > 0 {
		fmt.Fprintln(w)
		for _, l := range info.logs {
			fmt.Fprintln(w, e.fmtLogLine(l, true))
		}
	}
	if u.GetNeedDaemonReload() {
		fmt.Fprintf(w, "Warning: The unit file, source configuration file or drop-ins of %s changed on disk. Run '%s daemon-reload' to reload units.\n", u.GetName(), e.prog())
	}
}

// enableColor is systemd's colour of an enablement state.
func enableColor(state string) string {
	switch state {
	case "disabled":
		return ansiYellow
	case "enabled":
		return ansiGreen
	}
	return ""
}

// renderDropIns prints the "Drop-In:" lines: each directory, then its
// files.
func (e *cliEnv) renderDropIns(w io.Writer, paths []string) {
	dir := ""
	for i, p := range paths {
		d := filepath.Dir(p)
		if d != dir {
			if dir == "" {
				fmt.Fprintf(w, "    Drop-In: %s\n", d)
			} else {
				fmt.Fprintf(w, "             %s\n", d)
			}
			fmt.Fprintf(w, "             %s", glyphTreeRight)
			dir = d
		}
		last := i == len(paths)-1 || filepath.Dir(paths[i+1]) != d
		sep := ", "
		if last {
			sep = "\n"
		}
		fmt.Fprintf(w, "%s%s", filepath.Base(p), sep)
	}
}

// renderMainPID prints the "Process:" line of an exited main process and
// the "Main PID:" line.
func (e *cliEnv) renderMainPID(w io.Writer, info *statusInfo) {
	u := info.unit
	ex := u.GetExecMain()
	running := u.GetMainPid() > 0
	pid := u.GetMainPid()
	if ex.GetPid() > 0 {
		pid = ex.GetPid()
	}
	exitText := ""
	if code := ex.GetCode(); code != "" && !running {
		good := code == "exited" && ex.GetStatus() == 0
		if code == "killed" {
			switch ex.GetStatus() {
			case 1, 2, 13, 15: // SIGHUP, SIGINT, SIGPIPE, SIGTERM: clean for a daemon
				good = true
			}
		}
		color := ""
		if !good {
			color = ansiRed
		}
		exitText = e.paint(color, "(code="+code+", "+exitDetail(code, ex.GetStatus())+")")
		argv := strings.TrimSpace(strings.Join(append([]string{u.GetCommand()}, u.GetArgs()...), " "))
		fmt.Fprintf(w, "    Process: %d ExecStart=%s %s\n", pid, argv, exitText)
	}
	ctl := u.GetControlPid()
	if pid <= 0 && ctl <= 0 {
		return
	}
	if pid > 0 {
		fmt.Fprintf(w, "   Main PID: %d", pid)
		if running {
			if comm := e.comm(pid, info.stats); comm != "" {
				fmt.Fprintf(w, " (%s)", comm)
			}
		} else if exitText != "" {
			fmt.Fprintf(w, " %s", exitText)
		}
	}
	if ctl > 0 {
		if pid > 0 {
			fmt.Fprint(w, "; Control PID: ")
		} else {
			fmt.Fprint(w, "  Cntrl PID: ")
		}
		fmt.Fprintf(w, "%d", ctl)
		if comm := e.comm(ctl, info.stats); comm != "" {
			fmt.Fprintf(w, " (%s)", comm)
		}
	}
	fmt.Fprintln(w)
}

// exitDetail is "status=1/FAILURE" or "signal=TERM".
func exitDetail(code string, status int32) string {
	if code == "exited" {
		s := fmt.Sprintf("status=%d", status)
		// systemctl names only libc's and systemd's own statuses here.
		if status <= 1 || status >= 200 {
			if n := unit.ExitStatusName(int(status)); n != "" {
				s += "/" + n
			}
		}
		return s
	}
	return "signal=" + strings.TrimPrefix(unit.Signal(status).String(), "SIG")
}

// comm is a process's name: /proc/PID/comm when pmd is local, else the
// first word of its command line from Stats.
func (e *cliEnv) comm(pid int32, st *pmv1.UnitStats) string {
	if e.local {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	for _, p := range st.GetProcesses() {
		if p.GetPid() == pid {
			if f := strings.Fields(p.GetCommand()); len(f) > 0 {
				return filepath.Base(f[0])
			}
		}
	}
	return ""
}

// renderProcesses prints the unit's processes as systemctl prints a
// cgroup's: sorted by PID, in a tree below the block. pm does not put
// units in cgroups yet, so the heading says "Processes:".
func (e *cliEnv) renderProcesses(w io.Writer, procs []*pmv1.ProcessInfo) {
	if len(procs) == 0 {
		return
	}
	ps := slices.Clone(procs)
	slices.SortFunc(ps, func(a, b *pmv1.ProcessInfo) int { return int(a.GetPid() - b.GetPid()) })
	pw := len(strconv.Itoa(int(ps[len(ps)-1].GetPid())))
	fmt.Fprintln(w, "  Processes:")
	for i, p := range ps {
		g := glyphTreeBranch
		if i == len(ps)-1 {
			g = glyphTreeRight
		}
		line := fmt.Sprintf("%*d %s", pw, p.GetPid(), p.GetCommand())
		if e.width > 0 && !e.g.full {
			line = ellipsize(line, max(e.width-15, 20))
		}
		fmt.Fprintf(w, "             %s%s\n", g, e.paint(ansiGrey, line))
	}
}

// systemStatus is "status" without a unit: pmd's state.
func (e *cliEnv) systemStatus() error {
	c, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	st, err := c.SystemStatus(ctx, &pmv1.SystemStatusRequest{})
	if err != nil {
		return e.callError("read server status", "", err)
	}
	if e.json() {
		return e.printProto(st)
	}
	e.renderSystemStatus(e.stdout, st)
	return nil
}

func (e *cliEnv) renderSystemStatus(w io.Writer, st *pmv1.SystemStatusResponse) {
	on := ansiYellow
	switch st.GetState() {
	case "degraded":
		on = ansiRed
	case "running":
		on = ansiGreen
	}
	host, _ := os.Hostname()
	if !e.local {
		host, _, _ = strings.Cut(e.g.address, ":")
	}
	fmt.Fprintf(w, "%s %s\n", e.paint(on, glyphBlackCircle), host)
	fmt.Fprintf(w, "    State: %s\n", e.paint(on, st.GetState()))
	fmt.Fprintf(w, "    Units: %d loaded\n", st.GetUnits())
	fmt.Fprintf(w, "     Jobs: %d queued\n", st.GetJobs())
	fmt.Fprintf(w, "   Failed: %d units\n", st.GetFailedUnits())
	if set(st.GetStartedAt()) {
		fmt.Fprintf(w, "    Since: %s\n", e.fmtSince(st.GetStartedAt()))
	}
	fmt.Fprintf(w, "       pm: %s\n", st.GetVersion())
	if d := st.GetDefaultTarget(); d != "" {
		fmt.Fprintf(w, "  Default: %s\n", d)
	}
}
