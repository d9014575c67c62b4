package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
)

// renderDescribe prints everything a Unit message holds, as aligned
// "Label: value" lines in groups; empty fields are left out.
func (e *cliEnv) renderDescribe(w io.Writer, u *pmv1.Unit) {
	var rows [][2]string
	add := func(label, value string) {
		if value != "" {
			rows = append(rows, [2]string{label, value})
		}
	}
	when := func(ts *timestamppb.Timestamp) string {
		if !set(ts) {
			return ""
		}
		return e.fmtSince(ts)
	}
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}

	add("Name", u.GetName())
	add("ID", u.GetUuid())
	if len(u.GetNames()) > 1 {
		add("Aliases", strings.Join(u.GetNames()[1:], " "))
	}
	if u.GetDescription() != u.GetName() {
		add("Description", u.GetDescription())
	}
	add("Type", u.GetType())
	add("Origin", u.GetOrigin())
	state := u.GetActiveState()
	if sub := u.GetSubState(); sub != "" && sub != state {
		state += " (" + sub + ")"
	}
	add("State", e.paint(pmStateColor(u.GetState()), u.GetState()))
	add("Active", e.paint(activeColor(u.GetActiveState()), state))
	add("Result", u.GetResult())
	load := u.GetLoadState()
	if le := u.GetLoadError(); le != "" {
		load += " (" + le + ")"
	}
	add("Loaded", load)
	add("Enabled", u.GetUnitFileState())
	add("Main PID", num(int64(u.GetMainPid())))
	add("Control PID", num(int64(u.GetControlPid())))
	add("Runs", strconv.FormatUint(u.GetRuns(), 10))
	add("Restarts", strconv.FormatUint(uint64(u.GetNRestarts()), 10))
	add("Status", u.GetStatusText())
	if n := u.GetStatusErrno(); n > 0 {
		add("Error", fmt.Sprintf("%d (%s)", n, errnoText(syscallErrno(n))))
	}
	add("Failed condition", u.GetFailedCondition())

	add("Command", commandLine(u))
	if ex := u.GetExecStart(); len(ex) > 1 {
		for _, l := range ex[1:] {
			add("ExecStart", l)
		}
	}
	if r := u.GetRestart(); r != "" {
		restart := r
		if d := u.GetRestartSec(); d != nil {
			restart += ", after " + fmtDuration(d)
		}
		if d := u.GetRestartMax(); d != nil && d.AsDuration() > 0 && fmtDuration(d) != "infinity" {
			restart += ", delay up to " + fmtDuration(d)
		}
		add("Restart", restart)
	}
	if u.GetTimeoutStart() != nil || u.GetTimeoutStop() != nil {
		add("Timeouts", fmt.Sprintf("start %s, stop %s", fmtDuration(u.GetTimeoutStart()), fmtDuration(u.GetTimeoutStop())))
	}

	if ex := u.GetExecMain(); ex.GetPid() > 0 {
		last := fmt.Sprintf("PID %d", ex.GetPid())
		if set(ex.GetStartAt()) {
			last += ", started " + e.fmtSince(ex.GetStartAt())
		}
		if c := ex.GetCode(); c != "" {
			last += ", " + exitDetail(c, ex.GetStatus())
			if set(ex.GetExitAt()) {
				last += " at " + e.fmtTimestamp(ex.GetExitAt().AsTime())
			}
		}
		add("Last process", last)
	}
	add("Created", when(u.GetCreatedAt()))
	add("State changed", when(u.GetStateChangeAt()))
	add("Active since", when(u.GetActiveEnterAt()))
	add("Active until", when(u.GetActiveExitAt()))
	add("Inactive since", when(u.GetInactiveEnterAt()))
	add("Condition checked", when(u.GetConditionCheckedAt()))

	add("Unit file", u.GetFragmentPath())
	if u.GetSourcePath() != u.GetFragmentPath() {
		add("Source", u.GetSourcePath())
	}
	for _, p := range u.GetDropInPaths() {
		add("Drop-in", p)
	}
	if u.GetNeedDaemonReload() {
		add("Needs reload", "yes: its files changed on disk (run "+e.prog()+" daemon-reload)")
	}
	if j := u.GetJob(); j != nil {
		add("Job", fmt.Sprintf("%d %s (%s)", j.GetId(), j.GetType(), j.GetState()))
	}
	for _, d := range u.GetDependencies() {
		if len(d.GetUnits()) > 0 {
			add(d.GetKind(), strings.Join(d.GetUnits(), " "))
		}
	}
	if s := u.GetSpec(); s != nil {
		var flags []string
		for _, kv := range specSummary(s) {
			flags = append(flags, "--"+kv[0]+" "+shellQuote(kv[1]))
		}
		add("Created with", strings.Join(flags, " "))
	}

	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s %s\n", width+1, r[0]+":", r[1])
	}
}

// specSummary lists the settings a unit was created with, as the flags
// that set them.
func specSummary(s *pmv1.UnitSpec) [][2]string {
	var out [][2]string
	str := func(flag, v string) {
		if v != "" {
			out = append(out, [2]string{flag, v})
		}
	}
	list := func(flag string, v []string) {
		for _, x := range v {
			out = append(out, [2]string{flag, x})
		}
	}
	if s.AutoStart != nil {
		str("auto-start", strconv.FormatBool(s.GetAutoStart()))
	}
	str("type", s.GetType())
	str("restart", s.GetRestart())
	str("restart-sec", s.GetRestartSec())
	str("restart-max", s.GetRestartMax())
	list("requires", s.GetRequires())
	list("wants", s.GetWants())
	list("binds-to", s.GetBindsTo())
	list("conflicts", s.GetConflicts())
	list("after", s.GetAfter())
	list("before", s.GetBefore())
	list("env", s.GetEnv())
	list("env-file", s.GetEnvFile())
	str("working-dir", s.GetWorkingDir())
	str("user", s.GetUser())
	str("group", s.GetGroup())
	list("runtime-directory", s.GetRuntimeDirectory())
	list("ambient-capability", s.GetAmbientCapability())
	str("kill-mode", s.GetKillMode())
	str("kill-signal", s.GetKillSignal())
	str("timeout-stop-sec", s.GetTimeoutStopSec())
	str("timeout-start-sec", s.GetTimeoutStartSec())
	str("pidfile", s.GetPidfile())
	list("condition-path-exists", s.GetConditionPathExists())
	str("cpu-limit", s.GetCpuLimit())
	str("memory-limit", s.GetMemoryLimit())
	str("pids-limit", s.GetPidsLimit())
	if s.RemainAfterExit != nil {
		str("remain-after-exit", strconv.FormatBool(s.GetRemainAfterExit()))
	}
	str("start-limit-burst", s.GetStartLimitBurst())
	str("start-limit-interval", s.GetStartLimitInterval())
	for _, d := range s.GetDirectives() {
		key := d.GetKey()
		if d.GetSection() != "" {
			key = d.GetSection() + "." + key
		}
		out = append(out, [2]string{"property", key + "=" + d.GetValue()})
	}
	return out
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
