package manager

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Until cgroups land, a unit's resource use is the sum over its processes
// as /proc shows them: resident memory, CPU time and threads.

// Stats is the resource use of a unit's processes.
type Stats struct {
	// PIDs are the unit's live processes, the main process first.
	PIDs      []int
	Tasks     uint64 // threads of every process
	RSS       uint64 // resident memory, bytes
	CPUUser   time.Duration
	CPUSystem time.Duration
}

// clockTick is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture pm builds for.
const clockTick = 10 * time.Millisecond

// Stats reads the resource use of the unit's processes.
func (m *Manager) Stats(ctx context.Context, name string) (Stats, error) {
	all, err := m.StatsAll(ctx, []string{name})
	if err != nil {
		return Stats{}, err
	}
	return all[name], nil
}

// unitProcs is what the loop knows of a unit's processes.
type unitProcs struct {
	main     int
	members  []int
	sessions map[int]bool
}

// StatsAll reads the resource use of the named units (every unit with
// processes when names is empty), scanning /proc once.
func (m *Manager) StatsAll(ctx context.Context, names []string) (map[string]Stats, error) {
	want := map[string]*unitProcs{}
	err := m.call(ctx, func(l *loop) error {
		add := func(rec *unitRec) {
			up := &unitProcs{main: rec.mainPID(), sessions: map[int]bool{}}
			for pid := range rec.members {
				up.members = append(up.members, pid)
			}
			for sid := range rec.sessions {
				up.sessions[sid] = true
			}
			want[rec.name] = up
		}
		if len(names) == 0 {
			for n, rec := range l.units {
				if n == rec.name && (len(rec.members) > 0 || len(rec.sessions) > 0) {
					add(rec)
				}
			}
			return nil
		}
		for _, n := range names {
			rec, ok := l.units[n]
			if !ok {
				return fmt.Errorf("%w: %s", ErrNoSuchUnit, n)
			}
			add(rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	bySession := map[int]string{}
	for n, up := range want {
		for sid := range up.sessions {
			bySession[sid] = n
		}
	}
	procs := map[string]map[int]procInfo{}
	self := os.Getpid()
	if len(bySession) > 0 {
		d, err := os.Open("/proc")
		if err != nil {
			return nil, err
		}
		entries, _ := d.Readdirnames(-1)
		d.Close()
		for _, e := range entries {
			pid, err := strconv.Atoi(e)
			if err != nil || pid == self {
				continue
			}
			ps, err := readProcStat(pid)
			if err != nil || ps.dead() {
				continue
			}
			if n, ok := bySession[ps.sid]; ok {
				if procs[n] == nil {
					procs[n] = map[int]procInfo{}
				}
				procs[n][pid] = ps
			}
		}
	}
	out := make(map[string]Stats, len(want))
	for n, up := range want {
		found := procs[n]
		for _, pid := range append(up.members, up.main) {
			if _, ok := found[pid]; ok || pid <= 0 {
				continue
			}
			if ps, err := readProcStat(pid); err == nil && !ps.dead() {
				if found == nil {
					found = map[int]procInfo{}
				}
				found[pid] = ps
			}
		}
		var st Stats
		for pid, ps := range found {
			st.PIDs = append(st.PIDs, pid)
			st.Tasks += ps.threads
			st.RSS += ps.rssPages * uint64(os.Getpagesize())
			st.CPUUser += time.Duration(ps.utime) * clockTick
			st.CPUSystem += time.Duration(ps.stime) * clockTick
		}
		sort.Slice(st.PIDs, func(a, b int) bool {
			pa, pb := st.PIDs[a], st.PIDs[b]
			if (pa == up.main) != (pb == up.main) {
				return pa == up.main
			}
			return pa < pb
		})
		out[n] = st
	}
	return out, nil
}

// ProcessCommand is a process's command line as ps shows it: the
// arguments joined by spaces, or the name in brackets for a process
// without one (a kernel thread, a zombie); "" when it is gone.
func ProcessCommand(pid int) string {
	p := "/proc/" + strconv.Itoa(pid)
	if b, err := os.ReadFile(p + "/cmdline"); err == nil && len(b) > 0 {
		return strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")
	}
	if b, err := os.ReadFile(p + "/comm"); err == nil {
		return "[" + strings.TrimSpace(string(b)) + "]"
	}
	return ""
}
