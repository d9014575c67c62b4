package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// running guards the one-loop-per-process rule: the loop reaps with
// wait4(-1), which would steal another loop's children.
var running atomic.Bool

// loop is the state owned by the manager's goroutine. Nothing else touches
// it; other goroutines post events.
type loop struct {
	m     *Manager
	log   *slog.Logger
	units map[string]*unitRec // by every name, aliases included
	pids  map[int]*unitRec
	subs  map[*subscriber]struct{}

	notify   *notifySocket
	notifyQ  *notifyQueue
	cond     *condContext
	menv     []string // the manager environment of children
	sigchld  chan os.Signal
	queue    []any // events raised while handling another
	dirty    map[*unitRec]bool
	outbox   []Event // sent to subscribers once the snapshot shows them
	fakePID  int     // synthetic pids of children that failed before execve
	shutdown bool

	jobs      map[uint32]*job
	nextJobID uint32
	runQueued bool // a job may have become runnable
	dirtyJobs bool // the job list changed since the last snapshot

	removed    []string // units dropped by the last reload, for the snapshot
	reloadedAt time.Time
	// results wait for the next snapshot: whoever waits for a job reads
	// the state it left behind.
	results []jobResultFor
}

// jobResultFor is a job result on its way to a waiter.
type jobResultFor struct {
	ch chan<- JobResult
	r  JobResult
}

// Internal events.
type (
	evTimer struct {
		rec *unitRec
		gen uint64
	}
	evWatchdog struct {
		rec *unitRec
		gen uint64
	}
	// evExit is a child that ended (real, or synthetic for a spawn that
	// failed before execve).
	evExit struct {
		pid  int
		info exitInfo
	}
	evJobTimeout struct {
		j   *job
		gen uint64
	}
	// evExecDone is the outcome of execve in an exec helper.
	evExecDone struct {
		rec *unitRec
		pid int
		err error
	}
)

// Run runs the manager's loop until ctx is done. Cancelling ctx stops the
// loop, never the services: use Shutdown to stop them first.
func (m *Manager) Run(ctx context.Context) error {
	if !running.CompareAndSwap(false, true) {
		return ErrBusy
	}
	defer running.Store(false)
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return ErrBusy
	}
	m.running = true
	m.mu.Unlock()
	defer close(m.stopped)

	l := &loop{
		m:       m,
		log:     m.log,
		units:   map[string]*unitRec{},
		pids:    map[int]*unitRec{},
		subs:    map[*subscriber]struct{}{},
		dirty:   map[*unitRec]bool{},
		sigchld: make(chan os.Signal, 1),
		jobs:    map[uint32]*job{},
	}
	signal.Notify(l.sigchld, syscall.SIGCHLD)
	defer signal.Stop(l.sigchld)
	// Orphans of our services (double-forking daemons) must come back to
	// us, not to PID 1.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		l.log.Warn("cannot become a child subreaper; orphaned service processes will not be tracked", "err", err)
	}
	if err := os.MkdirAll(m.cfg.RuntimeDir, 0o755); err != nil {
		return err
	}
	ns, err := notifyListen(m.cfg.NotifySocket)
	if err != nil {
		return err
	}
	l.notify = ns
	ns.log = l.log
	l.notifyQ = newNotifyQueue()
	go ns.serve(l.notifyQ.add)
	defer ns.Close()

	l.loadInitial()
	l.publish()
	close(m.ready)
	defer func() {
		for s := range l.subs {
			close(s.ch)
		}
	}()

	for {
		select {
		case <-ctx.Done():
			l.stopTimers()
			l.deliverResults()
			return nil
		case <-l.sigchld:
			// Notifications sent before a process exited come first:
			// those still on the socket join the queue behind those
			// the reader took, and all are handled before the reaping.
			l.pending()
			l.notify.receiveNow(l.notifyQ.add)
			l.notifications()
			l.reap()
		case <-l.notifyQ.wake:
			l.notifications()
		case ev := <-m.events:
			l.handle(ev)
		}
		l.drain()
		l.publish()
	}
}

// pending handles the events already posted, without waiting.
func (l *loop) pending() {
	for {
		select {
		case ev := <-l.m.events:
			l.handle(ev)
		default:
			return
		}
	}
}

// drain handles the events raised while handling others, and runs the
// jobs that became runnable.
func (l *loop) drain() {
	for {
		for len(l.queue) > 0 {
			ev := l.queue[0]
			l.queue = l.queue[1:]
			l.handle(ev)
		}
		if !l.runQueued {
			return
		}
		l.runJobs()
	}
}

func (l *loop) raise(ev any) { l.queue = append(l.queue, ev) }

func (l *loop) handle(ev any) {
	switch ev := ev.(type) {
	case request:
		err := ev.f(l)
		l.drain()
		// The caller sees the outcome in the snapshot once it returns.
		l.publish()
		ev.reply <- err
	case evTimer:
		if ev.gen == ev.rec.timerGen && ev.rec.svc != nil {
			ev.rec.timer = nil
			l.step(ev.rec, func(s *svc) { s.timerFired() })
		}
	case evWatchdog:
		if ev.gen == ev.rec.wdGen && ev.rec.svc != nil {
			ev.rec.wd = nil
			l.step(ev.rec, func(s *svc) { s.watchdogFired() })
		}
	case evPIDFile:
		if ev.gen == ev.rec.pidWatchGen && ev.rec.svc != nil {
			l.step(ev.rec, func(s *svc) { s.pidFileChanged() })
		}
	case evExit:
		l.processExited(ev.pid, ev.info)
	case evReloaded:
		l.reloaded(ev)
	case evJobTimeout:
		if ev.j.timerGen == ev.gen {
			l.jobTimedOut(ev.j)
		}
	case evExecDone:
		if ev.err != nil {
			l.log.Error(ev.err.Error(), "unit", ev.rec.name, "pid", ev.pid)
		}
		if ev.rec.svc != nil && ev.rec.svc.mainPID == ev.pid {
			l.step(ev.rec, func(s *svc) { s.execDone(ev.err) })
		}
	}
}

// reap collects every child that ended. Children we do not know (orphans
// of services) are attributed to a unit while they are still zombies.
func (l *loop) reap() {
	for {
		var si unix.Siginfo
		err := unix.Waitid(unix.P_ALL, 0, &si, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err != nil || siginfoPID(&si) == 0 {
			if err != nil && !errors.Is(err, unix.ECHILD) && !errors.Is(err, unix.EINTR) {
				l.log.Warn("waitid failed", "err", err)
			}
			return
		}
		pid := siginfoPID(&si)
		if _, ok := l.pids[pid]; !ok {
			l.attribute(pid)
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil); err != nil {
			l.log.Warn("wait4 failed", "pid", pid, "err", err)
			return
		}
		var info exitInfo
		switch {
		case ws.Exited():
			info = exitInfo{Code: exitExited, Status: ws.ExitStatus()}
		case ws.Signaled() && ws.CoreDump():
			info = exitInfo{Code: exitDumped, Status: int(ws.Signal())}
		case ws.Signaled():
			info = exitInfo{Code: exitKilled, Status: int(ws.Signal())}
		default:
			continue
		}
		l.processExited(pid, info)
	}
}

// processExited dispatches the end of a process to its unit.
func (l *loop) processExited(pid int, info exitInfo) {
	rec := l.pids[pid]
	if rec == nil {
		return
	}
	delete(l.pids, pid)
	delete(rec.members, pid)
	rec.closeOutput(pid)
	s := rec.svc
	if s == nil {
		return
	}
	switch {
	case pid == s.mainPID:
		rec.execMain.ExitAt = time.Now()
		rec.execMain.Code, rec.execMain.Status = info.CodeName(), info.Status
		l.step(rec, func(s *svc) { s.exited(roleMain, info) })
	case pid == s.controlPID:
		l.step(rec, func(s *svc) { s.exited(roleControl, info) })
	}
	if rec.wantsEmpty() && !rec.groupAliveCached(l) {
		l.step(rec, func(s *svc) { s.groupEmpty() })
	}
}

func (l *loop) stopTimers() {
	for _, rec := range l.units {
		rec.disarm()
		rec.disarmWatchdog()
		l.unwatchPIDFile(rec)
	}
}

// publish stores a new snapshot with the units that changed.
func (l *loop) publish() {
	defer l.deliverResults()
	if len(l.dirty) == 0 && len(l.removed) == 0 && len(l.outbox) == 0 {
		return
	}
	changed := make(map[string]*UnitStatus, len(l.dirty))
	for _, n := range l.removed {
		changed[n] = nil
	}
	l.removed = l.removed[:0]
	for rec := range l.dirty {
		st := rec.status()
		for _, n := range rec.names {
			changed[n] = st
		}
	}
	clear(l.dirty)
	l.m.snap.Store(l.m.snap.Load().with(changed, time.Now()))
	for _, ev := range l.outbox {
		for sub := range l.subs {
			sub.send(ev)
		}
	}
	l.outbox = l.outbox[:0]
}

// deliverResults hands job results to their waiters; the channels have
// room for them (Enqueue makes them buffered, one result each).
func (l *loop) deliverResults() {
	for _, jr := range l.results {
		jr.ch <- jr.r
	}
	clear(l.results)
	l.results = l.results[:0]
}

// loadInitial takes the units the manager loaded.
func (l *loop) loadInitial() {
	set := l.m.initial
	if set == nil {
		return
	}
	for name, u := range set.Units {
		if name != u.Name {
			continue
		}
		l.addUnit(u)
	}
	l.linkAll()
}

// addUnit creates the record of a loaded unit.
func (l *loop) addUnit(u *unit.Unit) *unitRec {
	rec := newUnitRec(u, l)
	for _, n := range rec.names {
		l.units[n] = rec
	}
	l.dirty[rec] = true
	return rec
}

// lookup returns the record of name, loading the unit (an instance of a
// template, a built-in target) on demand. A name without a unit is
// ErrNoSuchUnit.
func (l *loop) lookup(name string) (*unitRec, error) {
	if rec, ok := l.units[name]; ok {
		return rec, nil
	}
	n, err := unit.ParseName(name)
	if err != nil {
		return nil, err
	}
	if n.IsTemplate() {
		return nil, fmt.Errorf("%w: %s is a template; name an instance", ErrNoSuchUnit, name)
	}
	rec := l.ref(name)
	if rec.u.LoadState == unit.LoadNotFound {
		return rec, ErrNoSuchUnit
	}
	return rec, nil
}

// siginfoPID returns si_pid of a SIGCHLD siginfo (x/sys exposes only the
// common header): it follows si_signo, si_errno, si_code and padding on
// every 64-bit Linux architecture, and directly follows si_code on 32-bit
// ones.
func siginfoPID(si *unix.Siginfo) int {
	off := uintptr(16)
	if unsafe.Sizeof(uintptr(0)) == 4 {
		off = 12
	}
	return int(*(*int32)(unsafe.Add(unsafe.Pointer(si), off)))
}
