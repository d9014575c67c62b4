package manager

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Until cgroups land, a unit's processes are tracked by session and process
// group: pm starts every process of a unit as the leader of a session and
// process group of its own, and every process in one of those belongs to
// the unit, also after it was re-parented to pm (a child subreaper). A
// daemon whose main process starts a new session is followed through its
// PID file or MAINPID=. Checking and signalling a whole process group is
// one system call (kill(-pgid)), so pm does not scan /proc on every exit;
// it scans only to list processes (systemctl kill, GuessMainPID=).
// Processes that start a session or process group of their own escape
// this tracking; cgroups will close that gap.

// procInfo is what /proc/PID/stat says about a process.
type procInfo struct {
	state byte
	ppid  int
	pgrp  int
	sid   int
	// Resource use, for Stats: CPU times in clock ticks, threads, and
	// resident pages.
	utime, stime, threads, rssPages uint64
}

// dead reports whether the process is a zombie or dying.
func (pi procInfo) dead() bool { return pi.state == 'Z' || pi.state == 'X' }

// readProcStat reads /proc/pid/stat.
func readProcStat(pid int) (procInfo, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, err
	}
	// The command name may hold blanks and parentheses; it ends at the
	// last ')'. The fields after it: state ppid pgrp session tty tpgid
	// flags minflt cminflt majflt cmajflt utime stime cutime cstime
	// priority nice num_threads itrealvalue starttime vsize rss …
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procInfo{}, os.ErrInvalid
	}
	f := bytes.Fields(b[i+2:])
	if len(f) < 22 {
		return procInfo{}, os.ErrInvalid
	}
	num := func(k int) uint64 {
		v, _ := strconv.ParseUint(string(f[k]), 10, 64)
		return v
	}
	return procInfo{
		state:    f[0][0],
		ppid:     int(num(1)),
		pgrp:     int(num(2)),
		sid:      int(num(3)),
		utime:    num(11),
		stime:    num(12),
		threads:  num(17),
		rssPages: num(21),
	}, nil
}

// addSession records the session of pid as the unit's.
func (l *loop) addSession(rec *unitRec, pid int) {
	pi, err := readProcStat(pid)
	if err != nil || pi.sid <= 0 {
		return
	}
	rec.sessions[pi.sid] = struct{}{}
}

// attribute finds the unit of a process pm did not start (an orphan it
// adopted), from its session, and records it as the unit's member.
func (l *loop) attribute(pid int) *unitRec {
	pi, err := readProcStat(pid)
	if err != nil {
		return nil
	}
	for _, rec := range l.units {
		if _, ok := rec.sessions[pi.sid]; ok {
			l.pids[pid] = rec
			rec.members[pid] = struct{}{}
			return rec
		}
	}
	return nil
}

// scanGroup returns the live processes of the unit: its known members and
// every process in one of its sessions. Sessions with no process left are
// forgotten.
func (l *loop) scanGroup(rec *unitRec) []int {
	var out []int
	seen := map[int]bool{}
	if len(rec.sessions) > 0 {
		d, err := os.Open("/proc")
		if err == nil {
			names, _ := d.Readdirnames(-1)
			d.Close()
			live := map[int]bool{}
			for _, n := range names {
				pid, err := strconv.Atoi(n)
				if err != nil || pid == os.Getpid() {
					continue
				}
				pi, err := readProcStat(pid)
				if err != nil || pi.dead() {
					continue
				}
				if _, ok := rec.sessions[pi.sid]; ok {
					live[pi.sid] = true
					seen[pid] = true
					out = append(out, pid)
				}
			}
			for sid := range rec.sessions {
				if !live[sid] {
					delete(rec.sessions, sid)
				}
			}
		}
	}
	for pid := range rec.members {
		if !seen[pid] && pidAlive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// killAndCont sends sig, then SIGCONT so that a stopped process can act on
// it (systemd's kill_and_sigcont).
func killAndCont(pid, sig int) error {
	err := unix.Kill(pid, unix.Signal(sig))
	if err == nil && sig != int(unix.SIGCONT) && sig != int(unix.SIGKILL) {
		_ = unix.Kill(pid, unix.SIGCONT)
	}
	return err
}

// killSignal is systemd's operation_to_signal.
func killSignal(kc *unit.KillContext, op killOp) int {
	switch op {
	case killRestart:
		return int(kc.RestartKillSignal)
	case killKill:
		return int(kc.FinalKillSignal)
	case killWatchdog:
		return int(kc.WatchdogSignal)
	}
	return int(kc.KillSignal)
}

// killUnit is systemd's unit_kill_context: signal the main and control
// processes and, by KillMode=, the rest of the unit. It reports whether it
// signalled anything worth waiting for.
func (l *loop) killUnit(rec *unitRec, op killOp, main, control int) bool {
	kc := &rec.u.Service.Kill
	if kc.KillMode == unit.KillNone {
		return false
	}
	sig := killSignal(kc, op)
	hup := kc.SendSIGHUP && op == killTerminate && sig != int(unix.SIGHUP)
	wait := false
	for _, pid := range []int{main, control} {
		if pid <= 0 {
			continue
		}
		err := killAndCont(pid, sig)
		if err == nil || err == unix.ESRCH {
			wait = true
		}
		if err == nil && hup {
			_ = unix.Kill(pid, unix.SIGHUP)
		}
		if err != nil && err != unix.ESRCH {
			l.log.Warn("failed to kill process", "unit", rec.name, "pid", pid, "err", err)
		}
	}
	if kc.KillMode == unit.KillControlGroup || (kc.KillMode == unit.KillMixed && op == killKill) {
		for sid := range rec.sessions {
			if killAndCont(-sid, sig) != nil {
				delete(rec.sessions, sid)
				continue
			}
			wait = true
			if hup {
				_ = unix.Kill(-sid, unix.SIGHUP)
			}
		}
		for pid := range rec.members {
			if pid == main || pid == control || !pidAlive(pid) {
				continue
			}
			if killAndCont(pid, sig) == nil {
				wait = true
			}
		}
	}
	return wait
}

// groupAliveCached reports whether any process of the unit is alive: a
// process in one of its process groups, or a known member. Groups found
// empty are forgotten, so their number is never signalled after it may
// have been reused.
func (r *unitRec) groupAliveCached(l *loop) bool {
	alive := false
	for sid := range r.sessions {
		if unix.Kill(-sid, 0) == unix.ESRCH {
			delete(r.sessions, sid)
			continue
		}
		alive = true
	}
	if alive {
		return true
	}
	for pid := range r.members {
		if pidAlive(pid) {
			return true
		}
	}
	return false
}

// wantsEmpty reports whether the service is in a state where the end of
// its last process matters (systemd's cgroup-empty notification).
func (r *unitRec) wantsEmpty() bool {
	if r.svc == nil {
		return false
	}
	switch r.svc.state {
	case StateStart, StateStartPost, StateRunning, StateStopWatchdog, StateStopSigterm,
		StateStopSigkill, StateStopPost, StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		return true
	}
	return false
}

// svcFacts, answered from /proc.

func (r *unitRec) groupAlive() bool { return r.groupAliveCached(r.l) }

func (r *unitRec) pidAlive(pid int) bool {
	if pid < 0 {
		// Synthetic pid of a child that failed before execve: alive
		// until its exit is processed.
		_, ok := r.l.pids[pid]
		return ok
	}
	return pid > 0 && pidAlive(pid)
}

// loadPIDFile reads PIDFile= with systemd's safety rules: a pid that is
// not one of the service's processes is accepted only from a root-owned
// file reached safely, and never pmd's own or the control process.
func (r *unitRec) loadPIDFile() (int, error) {
	info, err := pidFileLoad(r.u.Service.PIDFile)
	if err != nil {
		return 0, err
	}
	pid := info.PID
	if pid == os.Getpid() || (r.svc != nil && pid == r.svc.controlPID) {
		return 0, fmt.Errorf("PID file names pid %d, which is not a service process: %w", pid, os.ErrInvalid)
	}
	if !pidAlive(pid) {
		return 0, fmt.Errorf("PID %d read from file %s does not exist or is a zombie", pid, r.u.Service.PIDFile)
	}
	if err := pidFileAccept(info, r.owns(pid)); err != nil {
		return 0, err
	}
	r.l.pids[pid] = r
	r.members[pid] = struct{}{}
	r.l.addSession(r, pid)
	return pid, nil
}

// owns reports whether pid is one of the unit's processes.
func (r *unitRec) owns(pid int) bool {
	if _, ok := r.members[pid]; ok {
		return true
	}
	pi, err := readProcStat(pid)
	if err != nil {
		return false
	}
	_, ok := r.sessions[pi.sid]
	return ok
}

func (r *unitRec) guessMainPID() int {
	me := os.Getpid()
	found := 0
	for _, pid := range r.l.scanGroup(r) {
		if r.svc != nil && pid == r.svc.controlPID {
			continue
		}
		pi, err := readProcStat(pid)
		if err != nil || pi.ppid != me {
			continue
		}
		if found != 0 {
			return 0 // ambiguous, as systemd refuses to guess
		}
		found = pid
	}
	if found > 0 {
		r.l.pids[found] = r
		r.members[found] = struct{}{}
	}
	return found
}

func (r *unitRec) now() time.Time { return time.Now() }
