package api

import (
	"path"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
)

// Watch streams unit state changes (and job events with jobs) until the
// client leaves or pmd stops.
func (s *Server) Watch(r *pmv1.WatchRequest, stream pmv1.PM_WatchServer) error {
	for i, p := range r.GetPatterns() {
		if _, err := path.Match(p, ""); err != nil {
			return invalidField("patterns", "Bad pattern %q (pattern %d).", p, i)
		}
	}
	ctx := stream.Context()
	// Subscribe before reading the snapshot, so that nothing falls
	// between the initial states and the first event.
	events, cancel := s.m.Subscribe()
	defer cancel()
	// The headers tell the client that it is subscribed: whatever changes
	// after it received them reaches it.
	if err := stream.SendHeader(nil); err != nil {
		return err
	}
	match := func(name string) (*manager.UnitStatus, bool) {
		st := s.m.Snapshot().Unit(name)
		if st == nil {
			st = &manager.UnitStatus{Name: name}
		}
		return st, matchAny(r.GetPatterns(), st)
	}
	if r.GetInitial() {
		all := s.m.Snapshot().All()
		sortByUnitName(all, func(st *manager.UnitStatus) string { return st.Name })
		now := timestamppb.Now()
		for _, st := range all {
			if !matchAny(r.GetPatterns(), st) {
				continue
			}
			ev := &pmv1.WatchEvent{Time: now, Event: &pmv1.WatchEvent_Unit{Unit: &pmv1.UnitChanged{
				Unit: st.Name, Uuid: st.UUID, ActiveState: string(st.ActiveState), SubState: st.SubState,
				Result: string(st.Result), State: string(st.Simple), MainPid: int32(st.MainPID),
			}}}
			if err := stream.Send(ev); err != nil {
				return err
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return unitErr(ctx.Err(), "", nil)
		case <-s.stopping:
			return shuttingDown()
		case ev, ok := <-events:
			if !ok {
				return shuttingDown()
			}
			out := &pmv1.WatchEvent{Time: timestamppb.New(ev.Time), Dropped: uint32(ev.Dropped)}
			switch ev.Kind {
			case manager.EventUnit:
				st, ok := match(ev.Unit)
				if !ok {
					continue
				}
				out.Event = &pmv1.WatchEvent_Unit{Unit: &pmv1.UnitChanged{
					Unit: ev.Unit, Uuid: st.UUID, ActiveState: string(ev.ActiveState), SubState: ev.SubState,
					Result: string(ev.Result), State: string(st.Simple), MainPid: int32(ev.MainPID),
				}}
			default:
				if !r.GetJobs() {
					continue
				}
				if _, ok := match(ev.Job.Unit); !ok {
					continue
				}
				kind := map[manager.EventKind]string{manager.EventJobNew: "new", manager.EventJobChanged: "changed",
					manager.EventJobRemoved: "removed"}[ev.Kind]
				out.Event = &pmv1.WatchEvent_Job{Job: &pmv1.JobEvent{Kind: kind, Job: jobProto(ev.Job), Result: string(ev.JobResult)}}
			}
			if err := stream.Send(out); err != nil {
				return err
			}
		}
	}
}

// Logs streams the kept output lines of a unit and, with follow, new
// ones until the client leaves or pmd stops.
func (s *Server) Logs(r *pmv1.LogsRequest, stream pmv1.PM_LogsServer) error {
	if r.GetLines() < 0 {
		return invalidField("lines", "The number of lines cannot be negative.")
	}
	st, err := s.lookup(r.GetUnit())
	if err != nil {
		return err
	}
	lines, more, cancel := s.m.Logs(st.Name, int(r.GetLines()), r.GetFollow())
	// As Watch: the headers mean that every later line will come.
	if err := stream.SendHeader(nil); err != nil {
		cancel()
		return err
	}
	defer cancel()
	send := func(l manager.LogLine) error {
		return stream.Send(&pmv1.LogLine{Unit: st.Name, Pid: int32(l.PID), Time: timestamppb.New(l.Time), Text: l.Text})
	}
	for _, l := range lines {
		if err := send(l); err != nil {
			return err
		}
	}
	if !r.GetFollow() || more == nil {
		return nil
	}
	ctx := stream.Context()
	for {
		select {
		case <-ctx.Done():
			return unitErr(ctx.Err(), "", nil)
		case <-s.stopping:
			return shuttingDown()
		case l, ok := <-more:
			if !ok {
				// The unit was deleted.
				return nil
			}
			if err := send(l); err != nil {
				return err
			}
		}
	}
}
