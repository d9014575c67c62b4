package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/install"
)

// unitFileCall is one of the [Install] RPCs.
type unitFileCall func(pmv1.PMClient, context.Context, *pmv1.UnitFilesRequest, ...grpc.CallOption) (*pmv1.UnitFilesResponse, error)

// unitFileVerb is enable and its kin.
type unitFileVerb struct {
	name, short string
	call        unitFileCall
	// installInfo: the reply says whether the units have [Install]
	// settings, and systemctl explains when they do not.
	installInfo bool
	// now: with --now, start ("start") or stop ("stop") the units after.
	now string
}

var unitFileVerbs = []unitFileVerb{
	{name: "enable", short: "Enable unit files (create the [Install] symlinks)", call: pmv1.PMClient.Enable, installInfo: true, now: "start"},
	{name: "disable", short: "Disable unit files (remove their symlinks)", call: pmv1.PMClient.Disable, now: "stop"},
	{name: "reenable", short: "Disable and enable unit files again", call: pmv1.PMClient.Reenable, installInfo: true},
	{name: "mask", short: "Mask units: link them to /dev/null so they cannot start", call: pmv1.PMClient.Mask, now: "stop"},
	{name: "unmask", short: "Unmask units", call: pmv1.PMClient.Unmask},
}

func (e *cliEnv) unitFileCommands() []*cobra.Command {
	var cmds []*cobra.Command
	for _, v := range unitFileVerbs {
		cmd := &cobra.Command{
			Use:               v.name + " UNIT…",
			Short:             v.short,
			Args:              e.minArgs(1),
			ValidArgsFunction: e.unitArgs,
			RunE:              func(_ *cobra.Command, args []string) error { return e.unitFiles(v, args) },
		}
		e.cmdFlags(cmd, flagForce)
		cmds = append(cmds, cmd)
	}
	return cmds
}

// unitFiles runs an [Install] verb as systemctl's verb_enable: the call,
// its messages on standard error, daemon-reload, then --now's jobs.
func (e *cliEnv) unitFiles(v unitFileVerb, args []string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	names := mangleAll(args)
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	resp, err := v.call(c.PMClient, ctx, &pmv1.UnitFilesRequest{Units: names, Runtime: e.g.runtime, Force: e.g.force})
	if err != nil {
		return e.unitFilesError(v.name, names[0], err)
	}
	e.printChanges(v.name, resp.GetChanges())
	if err := e.daemonReload(); err != nil {
		return err
	}
	if v.installInfo && !resp.GetCarriesInstallInfo() && !e.g.quiet {
		fmt.Fprint(e.stderr, noInstallInfo)
	}
	if e.g.now && v.now != "" {
		for _, j := range jobVerbs {
			if j.name == v.now {
				outs, err := e.doJobs(j, names)
				if err != nil {
					return err
				}
				return e.reportJobs(j.jobType, names, outs)
			}
		}
	}
	return nil
}

// noInstallInfo is systemctl's notice for units without [Install]
// settings.
const noInstallInfo = `The unit files have no installation config (WantedBy=, RequiredBy=, Also=,
Alias= settings in the [Install] section, and DefaultInstance= for template
units). This means they are not meant to be enabled using systemctl.
 
Possible reasons for having this kind of units are:
• A unit may be statically enabled by being symlinked from another unit's
  .wants/ or .requires/ directory.
• A unit's purpose may be to act as a helper for some other unit which has
  a requirement dependency on it.
• A unit may be started when needed via activation (socket, path, timer,
  D-Bus, udev, scripted systemctl call, ...).
• In case of template units, the unit is meant to be enabled with some
  instance name specified.
`

// printChanges prints the changes on standard error as systemctl does:
// pmd's message for each, else install.Messages' rendering; only failures
// with -q.
func (e *cliEnv) printChanges(verb string, changes []*pmv1.UnitFileChange) {
	for _, ch := range changes {
		c := install.Change{Type: changeType(ch.GetType()), Path: ch.GetPath(), Source: ch.GetDestination()}
		if e.g.quiet && c.Type != install.Failed {
			continue
		}
		msg := ch.GetMessage()
		if msg == "" {
			msg = c.Message(verb)
		}
		fmt.Fprintln(e.stderr, msg)
	}
}

// unitFilesError reports a failed [Install] call: the changes made before
// the failure (which pmd sends in the error's details), then systemctl's
// message for the failure. systemctl exits 1 for every such failure.
func (e *cliEnv) unitFilesError(verb, unit string, err error) error {
	if notConnected(err) {
		return e.connectError()
	}
	r := parseRPCError(err)
	for _, d := range status.Convert(err).Details() {
		if resp, ok := d.(*pmv1.UnitFilesResponse); ok {
			var done []*pmv1.UnitFileChange
			for _, ch := range resp.GetChanges() {
				if changeType(ch.GetType()) != install.Failed {
					done = append(done, ch)
				}
			}
			e.printChanges(verb, done)
		}
	}
	if r.reason == "UNIT_FILE_ERROR" && r.msg != "" {
		return failf(exitFailure, "%s", r.msg)
	}
	msg, _ := describeError(err, unit)
	return failf(exitFailure, "Failed to %s unit: %s", verb, msg)
}

// changeType parses install.ChangeType's names ("symlink", "unlink", …).
func changeType(s string) install.ChangeType {
	for t := install.Symlink; t <= install.Failed; t++ {
		if t.String() == s {
			return t
		}
	}
	return install.Failed
}

func (e *cliEnv) newGetDefaultCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "get-default",
		Short: "Print the default target (what pmd starts at boot)",
		Args:  e.maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.GetDefault(ctx, &pmv1.GetDefaultRequest{})
			if err != nil {
				return e.callError("get default target", "", err)
			}
			fmt.Fprintln(e.stdout, resp.GetUnit())
			return nil
		},
	}
}

func (e *cliEnv) newSetDefaultCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-default TARGET",
		Short: "Set the default target",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := e.minArgs(1)(cmd, args); err != nil {
				return err
			}
			return e.maxArgs(1)(cmd, args)
		},
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			name := args[0]
			if typeSuffix(name) == "" {
				name += ".target"
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.SetDefault(ctx, &pmv1.SetDefaultRequest{Unit: name})
			if err != nil {
				return e.unitFilesError("set default", name, err)
			}
			e.printChanges("set default", resp.GetChanges())
			return e.daemonReload()
		},
	}
}

// maxArgs is systemctl's "Too many arguments." check.
func (e *cliEnv) maxArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > n {
			return failf(1, "Too many arguments.")
		}
		return nil
	}
}

func (e *cliEnv) newDaemonReloadCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "daemon-reload",
		Short: "Reload every unit file and YAML file",
		Args:  e.maxArgs(0),
		RunE:  func(*cobra.Command, []string) error { return e.daemonReload() },
	}
}

// daemonReload is ReloadConfig, quietly, as systemctl daemon-reload.
func (e *cliEnv) daemonReload() error {
	_, err := e.reloadConfig()
	return err
}

func (e *cliEnv) reloadConfig() (*pmv1.ReloadConfigResponse, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.ctx(reloadTimeout)
	defer cancel()
	resp, err := c.ReloadConfig(ctx, &pmv1.ReloadConfigRequest{})
	if err != nil {
		return nil, e.callError("reload daemon", "", err)
	}
	return resp, nil
}

func (e *cliEnv) newIsSystemRunningCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "is-system-running",
		Short: "Print pmd's state (exit 0 only when running)",
		Args:  e.maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			st, err := c.SystemStatus(ctx, &pmv1.SystemStatusRequest{})
			if err != nil {
				if notConnected(err) {
					if !e.g.quiet {
						fmt.Fprintln(e.stdout, "offline")
					}
					return exitCode(exitFailure)
				}
				return e.callError("query system state", "", err)
			}
			if !e.g.quiet {
				fmt.Fprintln(e.stdout, st.GetState())
			}
			if st.GetState() != "running" {
				return exitCode(exitFailure)
			}
			return nil
		},
	}
}
