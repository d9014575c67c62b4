package main

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"sync"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/unit"
)

// jobCall is one of the job RPCs.
type jobCall func(pmv1.PMClient, context.Context, *pmv1.JobRequest, ...grpc.CallOption) (*pmv1.JobResponse, error)

// jobVerb is a systemctl verb that queues a job.
type jobVerb struct {
	name, jobType, short string
	aliases              []string
	call                 jobCall
	// onlyActive: the try- variants without an RPC of their own act on
	// active units only.
	onlyActive bool
}

var jobVerbs = []jobVerb{
	{name: "start", jobType: "start", short: "Start (activate) units", call: pmv1.PMClient.Start},
	{name: "stop", jobType: "stop", short: "Stop (deactivate) units", aliases: []string{"condstop"}, call: pmv1.PMClient.Stop},
	{name: "reload", jobType: "reload", short: "Reload units", call: pmv1.PMClient.Reload},
	{name: "restart", jobType: "restart", short: "Start or restart units", call: pmv1.PMClient.Restart},
	{name: "try-restart", jobType: "try-restart", short: "Restart units if active", aliases: []string{"condrestart"}, call: pmv1.PMClient.TryRestart},
	{name: "reload-or-restart", jobType: "reload-or-restart", short: "Reload units if supported, otherwise restart them", call: pmv1.PMClient.ReloadOrRestart},
	{name: "try-reload-or-restart", jobType: "reload-or-try-restart", short: "If active, reload units if supported, otherwise restart them",
		aliases: []string{"reload-or-try-restart", "force-reload", "condreload"}, call: pmv1.PMClient.ReloadOrRestart, onlyActive: true},
}

func (e *cliEnv) jobCommands() []*cobra.Command {
	var cmds []*cobra.Command
	for _, v := range jobVerbs {
		cmd := &cobra.Command{
			Use:               v.name + " UNIT…",
			Aliases:           v.aliases,
			Short:             v.short,
			Long:              v.short + ". UNIT is a name (\"web\" means web.service), a UUID or a glob over loaded units.\nWaits for the jobs unless --no-block; a failed job exits 1.",
			Args:              e.minArgs(1),
			ValidArgsFunction: e.unitArgs,
			RunE:              func(_ *cobra.Command, args []string) error { return e.runJobs(v, args) },
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// minArgs is systemctl's "Too few arguments." check.
func (e *cliEnv) minArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return failf(1, "Too few arguments.")
		}
		return nil
	}
}

// jobOutcome is the answer to one job call.
type jobOutcome struct {
	resp *pmv1.JobResponse
	err  error
}

// runJobs queues v's job for every unit, as systemctl does: all at once,
// then waiting for each.
func (e *cliEnv) runJobs(v jobVerb, args []string) error {
	names, expanded, err := e.expand(args)
	if err != nil {
		return err
	}
	if expanded && v.jobType == "start" && !e.g.all && !e.g.quiet {
		fmt.Fprintln(e.stderr, e.paintErr(ansiRed, "Warning: systemctl start called with a glob pattern."))
		fmt.Fprintln(e.stderr, "Hint: unit globs expand to loaded units, so start will usually have no effect.")
	}
	outs, err := e.doJobs(v, names)
	if err != nil {
		return err
	}
	return e.reportJobs(v.jobType, names, outs)
}

// doJobs calls v for each name concurrently.
func (e *cliEnv) doJobs(v jobVerb, names []string) ([]jobOutcome, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	outs := make([]jobOutcome, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := e.ctx(0)
			defer cancel()
			if v.onlyActive {
				d, err := c.Describe(ctx, &pmv1.DescribeRequest{Unit: n})
				if err == nil && !isActive(d.GetUnit().GetActiveState()) {
					outs[i] = jobOutcome{resp: &pmv1.JobResponse{Unit: n, Result: "done"}}
					return
				}
			}
			resp, err := v.call(c.PMClient, ctx, &pmv1.JobRequest{Unit: n, Mode: e.g.jobMode, NoBlock: e.g.noBlock})
			outs[i] = jobOutcome{resp: resp, err: err}
		}()
	}
	wg.Wait()
	return outs, nil
}

// isActive: systemctl's "active or reloading".
func isActive(state string) bool { return state == "active" || state == "reloading" }

// reportJobs prints systemctl's messages for the outcomes and returns its
// exit status: the first call error's code, or 1 when a job failed.
func (e *cliEnv) reportJobs(jobType string, names []string, outs []jobOutcome) error {
	code := 0
	jobFailed := false
	for i, o := range outs {
		if o.err != nil {
			if notConnected(o.err) {
				return e.connectError()
			}
			r := parseRPCError(o.err)
			if jobType == "reload-or-try-restart" && r.reason == "UNIT_MASKED" {
				continue
			}
			msg, c := describeError(o.err, names[i])
			fmt.Fprintf(e.stderr, "Failed to %s %s: %s\n", jobType, names[i], msg)
			switch c {
			case exitNotInstalled, exitNotRunning:
			default:
				if r.reason != "UNIT_MASKED" && r.reason != "PERMISSION_DENIED" {
					fmt.Fprintf(e.stderr, "See pmd's log and '%s status %s' for details.\n", e.prog(), names[i])
				}
			}
			if code == 0 {
				code = c
			}
			continue
		}
		if e.g.noBlock {
			continue
		}
		unitName := o.resp.GetUnit()
		if unitName == "" {
			unitName = names[i]
		}
		if msg := jobFailure(unitName, o.resp.GetResult(), o.resp.GetUnitResult(), e.prog()); msg != "" {
			jobFailed = true
			if !e.g.quiet {
				fmt.Fprintln(e.stderr, msg)
			}
		}
	}
	if jobFailed {
		return exitCode(exitFailure)
	}
	return exitCode(code)
}

// prog is the name pmctl was called by, for messages that quote commands.
func (e *cliEnv) prog() string {
	if e.systemctl {
		return "systemctl"
	}
	return "pmctl"
}

// paintErr colours a message for standard error (same terminal rules).
func (e *cliEnv) paintErr(color, s string) string { return e.paint(color, s) }

func (e *cliEnv) newKillCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "kill UNIT…",
		Short:             "Send a signal to the processes of units",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if e.g.signal != "" {
				if _, err := unit.ParseSignal(e.g.signal); err != nil {
					return failf(1, "Failed to parse signal string %s.", e.g.signal)
				}
			}
			switch e.g.killWhom {
			case "", "all", "main", "control", "all-fail", "main-fail", "control-fail":
			default:
				return failf(1, "Invalid value for --kill-whom: %s (want all, main or control).", e.g.killWhom)
			}
			names, _, err := e.expand(args)
			if err != nil {
				return err
			}
			c, err := e.client()
			if err != nil {
				return err
			}
			var first error
			for _, n := range names {
				ctx, cancel := e.ctx(callTimeout)
				_, err := c.Kill(ctx, &pmv1.KillRequest{Unit: n, Signal: e.g.signal, Whom: e.g.killWhom})
				cancel()
				if err != nil && first == nil {
					first = e.callError("kill unit", n, err)
				}
			}
			return first
		},
	}
	e.cmdFlags(cmd, flagKill)
	return cmd
}

func (e *cliEnv) newResetFailedCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "reset-failed [UNIT…]",
		Short:             "Reset the failed state of all, one or more units",
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				ctx, cancel := e.ctx(callTimeout)
				defer cancel()
				if _, err := c.ResetFailed(ctx, &pmv1.ResetFailedRequest{}); err != nil {
					return e.callError("reset failed state", "", err)
				}
				return nil
			}
			names, _, err := e.expand(args)
			if err != nil {
				return err
			}
			var first error
			for _, n := range names {
				ctx, cancel := e.ctx(callTimeout)
				_, err := c.ResetFailed(ctx, &pmv1.ResetFailedRequest{Unit: n})
				cancel()
				if err != nil && first == nil {
					first = e.callError("reset failed state of unit", n, err)
				}
			}
			return first
		},
	}
}

func (e *cliEnv) newCancelCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cancel [JOB…]",
		Short: "Cancel jobs (all of them without an argument)",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			var ids []uint32
			for _, a := range args {
				id, err := strconv.ParseUint(a, 10, 32)
				if err != nil {
					return failf(1, "Failed to parse job id \"%s\": Invalid argument", a)
				}
				ids = append(ids, uint32(id))
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			if len(args) == 0 {
				jobs, err := c.ListJobs(ctx, &pmv1.ListJobsRequest{})
				if err != nil {
					return e.callError("list jobs", "", err)
				}
				for _, j := range jobs.GetJobs() {
					ids = append(ids, j.GetId())
				}
			}
			var first error
			for _, id := range ids {
				if _, err := c.CancelJob(ctx, &pmv1.CancelJobRequest{Id: id}); err != nil && first == nil {
					first = e.callError("cancel job", strconv.FormatUint(uint64(id), 10), err)
				}
			}
			return first
		},
	}
}

func (e *cliEnv) newListJobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list-jobs [PATTERN…]",
		Short: "List the queued and running jobs",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.ListJobs(ctx, &pmv1.ListJobsRequest{})
			if err != nil {
				return e.callError("list jobs", "", err)
			}
			t := &table{cols: []column{{name: "job"}, {name: "unit", elastic: true}, {name: "type"}, {name: "state"}}}
			skipped := false
			for _, j := range resp.GetJobs() {
				if !matchAny(args, j.GetUnit()) {
					skipped = true
					continue
				}
				color := ""
				if j.GetState() == "running" {
					color = ansiBold
				}
				t.add(cell{text: strconv.FormatUint(uint64(j.GetId()), 10)}, cell{text: j.GetUnit(), color: color},
					cell{text: j.GetType()}, cell{text: j.GetState(), color: color})
			}
			if e.json() {
				return e.tableJSON(t)
			}
			legend := !e.g.noLegend
			if len(t.rows) == 0 {
				if legend {
					what := "running"
					if skipped {
						what = "listed"
					}
					fmt.Fprintln(e.stdout, e.paint(ansiGreen, "No jobs "+what+"."))
				}
				return nil
			}
			e.printTable(t, legend)
			if legend {
				fmt.Fprintf(e.stdout, "\n%s\n", e.paint(ansiBold, fmt.Sprintf("%d jobs listed.", len(t.rows))))
			}
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// matchAny reports whether name matches one of the shell patterns; no
// pattern matches everything.
func matchAny(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
