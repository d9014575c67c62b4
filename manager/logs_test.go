package manager

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLogRing(t *testing.T) {
	s := newLogStore()
	for i := 0; i < logRingLines+10; i++ {
		s.add("a.service", 1, []byte(fmt.Sprint("line ", i)))
	}
	r := s.units["a.service"]
	lines := r.ordered()
	if len(lines) != logRingLines {
		t.Fatalf("kept %d lines; want %d", len(lines), logRingLines)
	}
	if lines[0].Text != "line 10" || lines[len(lines)-1].Text != fmt.Sprint("line ", logRingLines+9) {
		t.Errorf("kept %q … %q; want line 10 … line %d", lines[0].Text, lines[len(lines)-1].Text, logRingLines+9)
	}
	// The byte budget drops the oldest lines.
	big := strings.Repeat("x", 4000)
	for i := 0; i < 100; i++ {
		s.add("b.service", 1, []byte(big))
	}
	if b := s.units["b.service"]; b.bytes > logRingBytes || b.len() != logRingBytes/4000 {
		t.Errorf("kept %d lines, %d bytes; want %d lines within %d bytes", b.len(), b.bytes, logRingBytes/4000, logRingBytes)
	}
}

func TestLogsFollow(t *testing.T) {
	e := startEngine(t, map[string]string{
		"talk.service": "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; read x'\n",
	})
	e.start("talk.service")
	deadline := time.Now().Add(5 * time.Second)
	var lines []LogLine
	for time.Now().Before(deadline) {
		if lines, _, _ = e.m.Logs("talk.service", 0, false); len(lines) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond) // the copier goroutine has no event to wait for
	}
	if len(lines) != 2 || lines[0].Text != "one" || lines[1].Text != "two" || lines[0].PID == 0 {
		t.Fatalf("got %+v; want one, two with a pid", lines)
	}
	if last, _, _ := e.m.Logs("talk.service", 1, false); len(last) != 1 || last[0].Text != "two" {
		t.Errorf("last line: got %+v; want two", last)
	}
	_, more, cancel := e.m.Logs("talk.service", 0, true)
	defer cancel()
	if err := e.m.Restart(context.Background(), "talk.service"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"one", "two"} {
		select {
		case ln := <-more:
			if ln.Text != want {
				t.Errorf("followed %q; want %q", ln.Text, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no followed line %q", want)
		}
	}
	cancel()
	if _, ok := <-more; ok {
		t.Error("channel open after cancel")
	}
}

func TestStats(t *testing.T) {
	e := startEngine(t, map[string]string{
		"two.service": "[Service]\nExecStart=/bin/sh -c 'sleep 1000 & exec sleep 1001'\n",
	})
	e.start("two.service")
	st := e.waitSub("two.service", "running", 5*time.Second)
	ctx := context.Background()
	var stats Stats
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if stats, err = e.m.Stats(ctx, "two.service"); err != nil {
			t.Fatal(err)
		}
		if len(stats.PIDs) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond) // the shell forks on its own time
	}
	if len(stats.PIDs) != 2 || stats.PIDs[0] != st.MainPID {
		t.Fatalf("PIDs %v; want two, main %d first", stats.PIDs, st.MainPID)
	}
	if stats.RSS == 0 || stats.Tasks < 2 {
		t.Errorf("RSS %d, tasks %d; want some memory and two tasks", stats.RSS, stats.Tasks)
	}
	all, err := e.m.StatsAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all["two.service"].PIDs) != 2 {
		t.Errorf("StatsAll: %+v", all)
	}
	if _, err := e.m.Stats(ctx, "nope.service"); err == nil {
		t.Error("Stats of an unknown unit succeeded")
	}
	if got := e.m.SystemState(); got != "running" {
		t.Errorf("SystemState = %q; want running", got)
	}
}
