package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/api/pmv1"
)

func (e *cliEnv) newDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "delete NAME…",
		Aliases:           []string{"remove", "rm"},
		Short:             "Delete services created with create (--force stops running ones first)",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			code := 0
			for _, a := range args {
				name := mangle(a)
				ctx, cancel := e.ctx(0)
				resp, err := c.Delete(ctx, &pmv1.DeleteRequest{Unit: name, Force: e.g.force})
				cancel()
				if err != nil {
					if notConnected(err) {
						return e.connectError()
					}
					msg, c := describeError(err, name)
					if parseRPCError(err).reason == "UNIT_ACTIVE" {
						msg += " Stop it first, or delete it with --force."
					}
					fmt.Fprintf(e.stderr, "Failed to delete %s: %s\n", name, msg)
					if code == 0 {
						code = c
					}
					continue
				}
				if e.json() {
					if err := e.printProto(resp); err != nil {
						return err
					}
				} else if !e.g.quiet {
					fmt.Fprintf(e.stdout, "Deleted %s (%s).\n", resp.GetName(), resp.GetUuid())
				}
			}
			return exitCode(code)
		},
	}
	e.cmdFlags(cmd, flagForce|flagOutput)
	return cmd
}

func (e *cliEnv) newListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [PATTERN…]",
		Aliases: []string{"ls", "ps"},
		Short:   "List services with their processes (NAME ID PID STATE RUNS …)",
		Long: `Lists the services pmd knows, whatever their state: NAME ID PID STATE RUNS
COMMAND CREATED STARTED ENDED EXIT. STATE is pm's simple state (created,
starting, running, exited, stopping, stopped, crashed). --type lists other
unit types, --state filters, PATTERNs are globs over names and IDs.`,
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			types := e.g.types
			if len(types) == 0 {
				types = []string{"service"}
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.List(ctx, &pmv1.ListRequest{Patterns: args, States: e.g.states, Types: types, All: true, View: e.listView()})
			if err != nil {
				return e.callError("list units", "", err)
			}
			var units []*pmv1.Unit
			for _, u := range resp.GetUnits() {
				if u.GetLoadState() == "not-found" && !e.g.all {
					continue
				}
				units = append(units, u)
			}
			sortUnits(units)
			if e.json() {
				return e.printProto(&pmv1.ListResponse{Units: units})
			}
			if len(units) == 0 {
				if !e.g.quiet {
					fmt.Fprintln(e.stderr, "No units.")
				}
				return nil
			}
			e.printTable(e.listTable(units), !e.g.noLegend)
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// listTable is the seed's table: NAME ID PID STATE RUNS COMMAND CREATED
// STARTED ENDED EXIT.
func (e *cliEnv) listTable(units []*pmv1.Unit) *table {
	t := &table{cols: []column{{name: "name"}, {name: "id"}, {name: "pid"}, {name: "state"}, {name: "runs"},
		{name: "command", elastic: true}, {name: "created"}, {name: "started"}, {name: "ended"}, {name: "exit"}}}
	now := e.now()
	for _, u := range units {
		pid := "-"
		if p := u.GetMainPid(); p > 0 {
			pid = strconv.Itoa(int(p))
		}
		ex := u.GetExecMain()
		started, ended, exit := "-", "-", "-"
		if set(ex.GetStartAt()) {
			started = fmtAgo(ex.GetStartAt(), now)
		}
		if ex.GetCode() != "" {
			ended = fmtAgo(ex.GetExitAt(), now)
			if ex.GetCode() == "exited" {
				exit = strconv.Itoa(int(ex.GetStatus()))
			} else {
				exit = strings.TrimPrefix(exitDetail(ex.GetCode(), ex.GetStatus()), "signal=")
				exit = "SIG" + exit
			}
		}
		id := u.GetUuid()
		if id == "" {
			id = "-"
		}
		command := commandLine(u)
		if command == "" {
			command = "-"
		}
		state := u.GetState()
		if state == "" {
			state = u.GetActiveState()
		}
		t.add(cell{text: u.GetName()}, cell{text: id}, cell{text: pid},
			cell{text: state, color: pmStateColor(state)}, cell{text: strconv.FormatUint(u.GetRuns(), 10)},
			cell{text: command}, cell{text: fmtAgo(u.GetCreatedAt(), now)}, cell{text: started}, cell{text: ended}, cell{text: exit})
	}
	return t
}

func (e *cliEnv) newDescribeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "describe NAME…",
		Aliases:           []string{"inspect"},
		Short:             "Show everything pmd knows of a unit",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			for i, a := range args {
				name := mangle(a)
				ctx, cancel := e.ctx(callTimeout)
				resp, err := c.Describe(ctx, &pmv1.DescribeRequest{Unit: name})
				cancel()
				if err == nil && resp.GetUnit().GetLoadState() == "not-found" {
					err = errNotFound
				}
				if err != nil {
					return e.callError("describe", name, err)
				}
				if e.json() {
					if err := e.printProto(resp.GetUnit()); err != nil {
						return err
					}
					continue
				}
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				e.renderDescribe(e.stdout, resp.GetUnit())
			}
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

func (e *cliEnv) newStatsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "stats [NAME…]",
		Aliases:           []string{"top"},
		Short:             "Show memory, CPU and task use of units (every unit with processes without NAME)",
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			names := mangleAll(args)
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.Stats(ctx, &pmv1.StatsRequest{Units: names})
			if err != nil {
				unit := ""
				if len(names) == 1 {
					unit = names[0]
				}
				return e.callError("get statistics of", unit, err)
			}
			if e.json() {
				return e.printProto(resp)
			}
			e.printTable(statsTable(resp.GetUnits()), !e.g.noLegend)
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// statsTable: NAME PID TASKS MEMORY CPU-USER CPU-SYSTEM and the limits.
func statsTable(stats []*pmv1.UnitStats) *table {
	t := &table{cols: []column{{name: "name"}, {name: "pid"}, {name: "tasks"}, {name: "memory"}, {name: "cpu-user"},
		{name: "cpu-system"}, {name: "memory-limit"}, {name: "cpu-limit"}, {name: "pids-limit"}}}
	limit := func(v uint64, f func(uint64) string) string {
		if v == 0 {
			return "-"
		}
		return f(v)
	}
	for _, s := range stats {
		pid := "-"
		if s.GetMainPid() > 0 {
			pid = strconv.Itoa(int(s.GetMainPid()))
		}
		t.add(plain(s.GetName(), pid, strconv.FormatUint(s.GetTasks(), 10), fmtBytes(s.GetMemoryRssBytes()),
			fmtTimespan(s.GetCpuUser().AsDuration(), time.Millisecond), fmtTimespan(s.GetCpuSystem().AsDuration(), time.Millisecond),
			limit(s.GetMemoryLimitBytes(), fmtBytes),
			limit(s.GetCpuLimitMillicores(), func(v uint64) string { return strconv.FormatUint(v, 10) + "m" }),
			limit(s.GetPidsLimit(), func(v uint64) string { return strconv.FormatUint(v, 10) }))...)
	}
	return t
}

func (e *cliEnv) newLogsCmd() *cobra.Command {
	var (
		lines  int
		follow bool
	)
	cmd := &cobra.Command{
		Use:               "logs NAME",
		Short:             "Show the output lines a unit printed (-f: and follow)",
		Args:              e.exactArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if lines < 0 {
				return failf(1, "Invalid value %d for --lines: want 0 (all) or more.", lines)
			}
			name := mangle(args[0])
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stream, err := c.Logs(ctx, &pmv1.LogsRequest{Unit: name, Lines: int32(lines), Follow: follow})
			if err != nil {
				return e.callError("get the output of", name, err)
			}
			n := 0
			for ; ; n++ {
				l, err := stream.Recv()
				if err != nil {
					if errors.Is(err, io.EOF) && n == 0 {
						return e.checkExists(name, "get the output of")
					}
					if errors.Is(err, io.EOF) || ctx.Err() != nil {
						return nil
					}
					return e.callError("get the output of", name, err)
				}
				if e.json() {
					if err := e.printProto(l); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintln(e.stdout, e.fmtLogLine(l, false))
			}
		},
	}
	cmd.Flags().IntVarP(&lines, "lines", "n", 0, "show the last N lines (0: all that pmd keeps)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines until interrupted")
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// checkExists fails as op would on a unit pmd does not know.
func (e *cliEnv) checkExists(name, op string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	resp, err := c.Describe(ctx, &pmv1.DescribeRequest{Unit: name})
	if err == nil && resp.GetUnit().GetLoadState() == "not-found" {
		err = errNotFound
	}
	if err != nil {
		return e.callError(op, name, err)
	}
	return nil
}

// logLines reads the last n lines of a unit's output.
func (e *cliEnv) logLines(ctx context.Context, name string, n int) ([]*pmv1.LogLine, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	stream, err := c.Logs(ctx, &pmv1.LogsRequest{Unit: name, Lines: int32(n)})
	if err != nil {
		return nil, err
	}
	var out []*pmv1.LogLine
	for {
		l, err := stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, l)
	}
}

// fmtLogLine is journalctl's short format: "Nov 25 22:41:34 host
// web[1234]: text" (the host only in status, as journalctl shows it).
func (e *cliEnv) fmtLogLine(l *pmv1.LogLine, host bool) string {
	ident := strings.TrimSuffix(l.GetUnit(), ".service")
	var b strings.Builder
	b.WriteString(l.GetTime().AsTime().In(e.loc).Format("Jan 02 15:04:05"))
	if host && e.local {
		if h, err := os.Hostname(); err == nil {
			b.WriteString(" " + h)
		}
	}
	b.WriteString(" " + ident)
	if l.GetPid() > 0 {
		fmt.Fprintf(&b, "[%d]", l.GetPid())
	}
	b.WriteString(": ")
	text := l.GetText()
	if l.GetStream() == "stderr" {
		text = e.paint(ansiRed, text)
	}
	b.WriteString(text)
	return b.String()
}

func (e *cliEnv) newWatchCmd() *cobra.Command {
	var initial, noJobs bool
	cmd := &cobra.Command{
		Use:   "watch [PATTERN…]",
		Short: "Print state changes and job events as they happen",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stream, err := c.Watch(ctx, &pmv1.WatchRequest{Patterns: args, Jobs: !noJobs, Initial: initial})
			if err != nil {
				return e.callError("watch", "", err)
			}
			for {
				ev, err := stream.Recv()
				if err != nil {
					if errors.Is(err, io.EOF) || ctx.Err() != nil {
						return nil
					}
					return e.callError("watch", "", err)
				}
				if e.json() {
					if err := e.printProto(ev); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintln(e.stdout, e.fmtEvent(ev))
			}
		},
	}
	cmd.Flags().BoolVar(&initial, "initial", false, "first print the current state of every matching unit")
	cmd.Flags().BoolVar(&noJobs, "no-jobs", false, "leave out job events")
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// fmtEvent renders a watch event on one line.
func (e *cliEnv) fmtEvent(ev *pmv1.WatchEvent) string {
	var b strings.Builder
	b.WriteString(ev.GetTime().AsTime().In(e.loc).Format("15:04:05.000"))
	if d := ev.GetDropped(); d > 0 {
		fmt.Fprintf(&b, " (%d events dropped)", d)
	}
	switch x := ev.GetEvent().(type) {
	case *pmv1.WatchEvent_Unit:
		u := x.Unit
		state := u.GetActiveState()
		if sub := u.GetSubState(); sub != "" && sub != state {
			state += " (" + sub + ")"
		}
		fmt.Fprintf(&b, " %s %s %s", e.paint(activeColor(u.GetActiveState()), activeGlyph(u.GetActiveState())), u.GetUnit(), state)
		if s := u.GetState(); s != "" {
			fmt.Fprintf(&b, " [%s]", e.paint(pmStateColor(s), s))
		}
		if r := u.GetResult(); r != "" && r != "success" {
			fmt.Fprintf(&b, " result=%s", r)
		}
		if p := u.GetMainPid(); p > 0 {
			fmt.Fprintf(&b, " pid=%d", p)
		}
	case *pmv1.WatchEvent_Job:
		j := x.Job.GetJob()
		fmt.Fprintf(&b, " job %d %s %s %s", j.GetId(), j.GetType(), j.GetUnit(), x.Job.GetKind())
		if x.Job.GetKind() != "removed" && j.GetState() != "" {
			fmt.Fprintf(&b, " (%s)", j.GetState())
		}
		if r := x.Job.GetResult(); r != "" {
			fmt.Fprintf(&b, " result=%s", r)
		}
	}
	return b.String()
}

func (e *cliEnv) newReloadConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reload-config",
		Short: "Reload every unit file and YAML file and print the problems found",
		Args:  e.maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			resp, err := e.reloadConfig()
			if err != nil {
				return err
			}
			if e.json() {
				return e.printProto(resp)
			}
			for _, d := range resp.GetDiagnostics() {
				text := d.GetText()
				if text == "" {
					text = fmt.Sprintf("%s:%d:%d: %s: %s", d.GetFile(), d.GetLine(), d.GetColumn(), d.GetSeverity(), d.GetMessage())
				}
				color := ""
				switch d.GetSeverity() {
				case "error":
					color = ansiRed
				case "warning":
					color = ansiYellow
				}
				fmt.Fprintln(e.stdout, e.paint(color, text))
			}
			if !e.g.quiet {
				fmt.Fprintf(e.stderr, "Reloaded; %d diagnostics.\n", len(resp.GetDiagnostics()))
			}
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// syscallErrno is an errno from a status field.
func syscallErrno(n int32) error { return syscall.Errno(n) }

// commandLine is a unit's command as a unit file writes it (its first
// ExecStart= line), or its argv joined.
func commandLine(u *pmv1.Unit) string {
	if ex := u.GetExecStart(); len(ex) > 0 {
		// The prefixes ("-", ":", "+", "!") say how it runs, not what.
		return strings.TrimLeft(ex[0], "-:+!")
	}
	if u.GetCommand() == "" {
		return ""
	}
	words := make([]string, 0, 1+len(u.GetArgs()))
	for _, w := range append([]string{u.GetCommand()}, u.GetArgs()...) {
		words = append(words, displayWord(w))
	}
	return strings.Join(words, " ")
}

// displayWord shows one argument on one line: as it is when that reads
// unambiguously, else double-quoted with C escapes (a multi-line shell
// script stays on its table row).
func displayWord(w string) string {
	if w != "" && !strings.ContainsFunc(w, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\'' || r == '\\' || r == 0x7f
	}) {
		return w
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range w {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < ' ' || r == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
