package api

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/pmv1"
)

// recv reads a stream into a channel until it ends; the last value sent
// is the stream's error.
func recv[T any](next func() (T, error)) (<-chan T, <-chan error) {
	ch, errc := make(chan T, 1024), make(chan error, 1)
	go func() {
		for {
			v, err := next()
			if err != nil {
				errc <- err
				close(ch)
				return
			}
			ch <- v
		}
	}()
	return ch, errc
}

// until reads events until ok returns true, failing after d.
func until[T any](t *testing.T, ch <-chan T, d time.Duration, what string, ok func(T) bool) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case v, open := <-ch:
			if !open {
				t.Fatalf("stream ended before %s", what)
			}
			if ok(v) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s within %v", what, d)
		}
	}
}

func TestWatch(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{
		"a.service": "[Service]\nExecStart=/bin/sleep 1000\n",
		"b.service": "[Service]\nExecStart=/bin/sleep 1000\n",
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := e.c.Watch(ctx, &pmv1.WatchRequest{Patterns: []string{"a*"}, Jobs: true, Initial: true})
	if err != nil {
		t.Fatal(err)
	}
	events, errc := recv(stream.Recv)
	until(t, events, 5*time.Second, "initial state of a.service", func(ev *pmv1.WatchEvent) bool {
		u := ev.GetUnit()
		if u != nil && u.GetUnit() != "a.service" {
			t.Fatalf("got event for %s, want only a*", u.GetUnit())
		}
		return u.GetUnit() == "a.service" && u.GetActiveState() == "inactive" && u.GetState() == "created"
	})
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a", NoBlock: true}); err != nil {
		t.Fatal(err)
	}
	until(t, events, 5*time.Second, "a new job", func(ev *pmv1.WatchEvent) bool {
		return ev.GetJob().GetKind() == "new" && ev.GetJob().GetJob().GetUnit() == "a.service"
	})
	until(t, events, 5*time.Second, "a.service running", func(ev *pmv1.WatchEvent) bool {
		u := ev.GetUnit()
		if u != nil && u.GetUnit() != "a.service" {
			t.Fatalf("got event for %s, want only a*", u.GetUnit())
		}
		return u.GetSubState() == "running" && u.GetMainPid() != 0 && u.GetUuid() != ""
	})
	until(t, events, 5*time.Second, "the job's end", func(ev *pmv1.WatchEvent) bool {
		return ev.GetJob().GetKind() == "removed" && ev.GetJob().GetResult() == "done"
	})

	// The client leaves mid-stream: the stream ends on its side, and pmd
	// goes on serving.
	cancel()
	select {
	case err := <-errc:
		if status.Code(err) != codes.Canceled {
			t.Errorf("got %v, want Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not end after the client canceled")
	}
	if _, err := e.c.Stop(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Ping(e.ctx()); err != nil {
		t.Fatal(err)
	}

	_, err = mustStream(e.c.Watch(e.ctx(), &pmv1.WatchRequest{Patterns: []string{"[x"}}))
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "patterns")

	// Shutdown ends streams with Unavailable and turns health off.
	stream, err = e.c.Watch(context.Background(), &pmv1.WatchRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Header(); err != nil { // subscribed
		t.Fatal(err)
	}
	events, errc = recv(stream.Recv)
	if _, err := e.c.Restart(e.ctx(), &pmv1.JobRequest{Unit: "b"}); err != nil {
		t.Fatal(err)
	}
	until(t, events, 5*time.Second, "an event", func(*pmv1.WatchEvent) bool { return true })
	e.lis.Stop(5 * time.Second)
	select {
	case err := <-errc:
		wantStatus(t, err, codes.Unavailable, ReasonShuttingDown, "")
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not end at shutdown")
	}
}

// mustStream receives the first message of a stream, for requests that
// fail at once.
func mustStream[T any](s interface{ Recv() (T, error) }, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return s.Recv()
}

func TestLogs(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{
		"talk.service": "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; echo three; exec sleep 1000'\n",
		"tick.service": "[Service]\nExecStart=/bin/sh -c 'while :; do echo tick; sleep 0.05; done'\n",
	}})
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "talk"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := e.c.Logs(ctx, &pmv1.LogsRequest{Unit: "talk", Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := recv(stream.Recv)
	var got []string
	until(t, lines, 5*time.Second, "the third line", func(l *pmv1.LogLine) bool {
		got = append(got, l.GetText())
		return l.GetText() == "three"
	})
	if len(got) != 3 || got[0] != "one" {
		t.Errorf("got %q, want one, two, three", got)
	}
	cancel()

	last, err := e.c.Logs(e.ctx(), &pmv1.LogsRequest{Unit: "talk.service", Lines: 2})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for {
		l, err := last.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if l.GetUnit() != "talk.service" || l.GetPid() == 0 || l.GetTime() == nil {
			t.Errorf("got line %v, want unit, pid and time", l)
		}
		texts = append(texts, l.GetText())
	}
	if len(texts) != 2 || texts[0] != "two" || texts[1] != "three" {
		t.Errorf("got %q, want two and three", texts)
	}

	// A follower that leaves while lines keep coming.
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "tick"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		stream, err := e.c.Logs(ctx, &pmv1.LogsRequest{Unit: "tick", Follow: true})
		if err != nil {
			t.Fatal(err)
		}
		lines, errc := recv(stream.Recv)
		n := 0
		until(t, lines, 5*time.Second, "five ticks", func(*pmv1.LogLine) bool { n++; return n == 5 })
		cancel()
		if err := <-errc; status.Code(err) != codes.Canceled {
			t.Errorf("got %v, want Canceled", err)
		}
	}
	if _, err := e.c.Stop(e.ctx(), &pmv1.JobRequest{Unit: "tick"}); err != nil {
		t.Fatal(err)
	}

	_, err = mustStream(e.c.Logs(e.ctx(), &pmv1.LogsRequest{Unit: "nope"}))
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	_, err = mustStream(e.c.Logs(e.ctx(), &pmv1.LogsRequest{Unit: "talk", Lines: -1}))
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "lines")
}
