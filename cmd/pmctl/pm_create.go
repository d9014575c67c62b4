package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/unit"
)

// specFlags are the flags of create and update, bound to a UnitSpec.
type specFlags struct {
	spec            pmv1.UnitSpec
	autoStart       bool
	remainAfterExit bool
	props           []string
}

// isSpecField reports whether a spec flag sets the UnitSpec field; the
// flag's name is the field's with dashes ("restart_sec": --restart-sec),
// except for directives, which -p/--property sets.
func isSpecField(field string) bool {
	var sf specFlags
	fs := pflag.NewFlagSet("", pflag.ContinueOnError)
	sf.add(fs)
	found := false
	fs.VisitAll(func(f *pflag.Flag) { found = found || flagField(f.Name) == field })
	return found
}

// flagField is the UnitSpec field a spec flag sets.
func flagField(flag string) string {
	if flag == "property" {
		return "directives"
	}
	return strings.ReplaceAll(flag, "-", "_")
}

func (sf *specFlags) add(fs *pflag.FlagSet) {
	s := &sf.spec
	fs.StringVar(&s.Description, "description", "", "Description=: what the unit is")
	fs.BoolVar(&sf.autoStart, "auto-start", false, "start the unit with pmd's default target (and now)")
	fs.StringVar(&s.Type, "type", "", "Type=: simple, exec, forking, oneshot, notify or idle")
	fs.StringVar(&s.Restart, "restart", "", "Restart=: no, always, on-success, on-failure, on-abnormal, on-abort or on-watchdog")
	fs.StringVar(&s.RestartSec, "restart-sec", "", "RestartSec=: delay before a restart (\"5\", \"500ms\", \"1min 30s\")")
	fs.StringVar(&s.RestartMax, "restart-max", "", "RestartMaxDelaySec=: the delay doubles up to this")
	fs.StringSliceVar(&s.Requires, "requires", nil, "Requires=: units this one needs (repeat or separate with commas)")
	fs.StringSliceVar(&s.Wants, "wants", nil, "Wants=: units started with this one")
	fs.StringSliceVar(&s.BindsTo, "binds-to", nil, "BindsTo=: units whose stop stops this one")
	fs.StringSliceVar(&s.Conflicts, "conflicts", nil, "Conflicts=: units that cannot run with this one")
	fs.StringSliceVar(&s.After, "after", nil, "After=: start after these units")
	fs.StringSliceVar(&s.Before, "before", nil, "Before=: start before these units")
	fs.StringArrayVar(&s.Env, "env", nil, "Environment=: NAME=VALUE (repeat)")
	fs.StringArrayVar(&s.EnvFile, "env-file", nil, "EnvironmentFile=: a file of NAME=VALUE lines (\"-\" prefix: optional)")
	fs.StringVar(&s.WorkingDir, "working-dir", "", "WorkingDirectory=")
	fs.StringVar(&s.User, "user", "", "User=: run as this user")
	fs.StringVar(&s.Group, "group", "", "Group=: run as this group")
	fs.StringSliceVar(&s.RuntimeDirectory, "runtime-directory", nil, "RuntimeDirectory=: directories created below /run")
	fs.StringSliceVar(&s.AmbientCapability, "ambient-capability", nil, "AmbientCapabilities=: CAP_NET_BIND_SERVICE, …")
	fs.StringVar(&s.KillMode, "kill-mode", "", "KillMode=: control-group, mixed, process or none")
	fs.StringVar(&s.KillSignal, "kill-signal", "", "KillSignal=: SIGTERM, TERM or 15")
	fs.StringVar(&s.TimeoutStopSec, "timeout-stop-sec", "", "TimeoutStopSec=")
	fs.StringVar(&s.TimeoutStartSec, "timeout-start-sec", "", "TimeoutStartSec=")
	fs.StringVar(&s.Pidfile, "pidfile", "", "PIDFile= (Type=forking)")
	fs.StringArrayVar(&s.ConditionPathExists, "condition-path-exists", nil, "ConditionPathExists=: start only if the path exists (\"!\" prefix: does not)")
	fs.StringVar(&s.CpuLimit, "cpu-limit", "", "CPU limit (\"500m\", \"1.5\"); enforced once pm uses cgroups")
	fs.StringVar(&s.MemoryLimit, "memory-limit", "", "memory limit (\"256M\"); enforced once pm uses cgroups")
	fs.StringVar(&s.PidsLimit, "pids-limit", "", "limit on tasks; enforced once pm uses cgroups")
	fs.BoolVar(&sf.remainAfterExit, "remain-after-exit", false, "RemainAfterExit=: active after the process exits")
	fs.StringVar(&s.StartLimitBurst, "start-limit-burst", "", "StartLimitBurst=")
	fs.StringVar(&s.StartLimitInterval, "start-limit-interval", "", "StartLimitIntervalSec=")
	fs.StringArrayVarP(&sf.props, "property", "p", nil, "any other directive: KEY=VALUE or SECTION.KEY=VALUE (\"Service.Nice=5\")")
}

// finish fills in the fields flags cannot bind directly and checks the
// values, naming the flag of a bad one.
func (sf *specFlags) finish(fs *pflag.FlagSet) error {
	s := &sf.spec
	if fs.Changed("auto-start") {
		s.AutoStart = &sf.autoStart
	}
	if fs.Changed("remain-after-exit") {
		s.RemainAfterExit = &sf.remainAfterExit
	}
	bad := func(flag, value, want string) error {
		return failf(1, "Invalid value %q for --%s: %s.", value, flag, want)
	}
	oneOf := func(v string, ok ...string) error {
		for _, o := range ok {
			if v == o {
				return nil
			}
		}
		return fmt.Errorf("want %s or %s", strings.Join(ok[:len(ok)-1], ", "), ok[len(ok)-1])
	}
	checks := []struct {
		flag  string
		value string
		check func(string) error
	}{
		{"restart", s.Restart, func(v string) error {
			return oneOf(v, "no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog")
		}},
		{"type", s.Type, func(v string) error {
			return oneOf(v, "simple", "exec", "forking", "oneshot", "dbus", "notify", "idle")
		}},
		{"kill-mode", s.KillMode, func(v string) error {
			return oneOf(v, "control-group", "mixed", "process", "none")
		}},
		{"kill-signal", s.KillSignal, func(v string) error { return asErr(unit.ParseSignal(v)) }},
		{"restart-sec", s.RestartSec, durationCheck},
		{"restart-max", s.RestartMax, durationCheck},
		{"timeout-stop-sec", s.TimeoutStopSec, durationCheck},
		{"timeout-start-sec", s.TimeoutStartSec, durationCheck},
		{"start-limit-interval", s.StartLimitInterval, durationCheck},
		{"start-limit-burst", s.StartLimitBurst, func(v string) error {
			if _, err := strconv.ParseUint(v, 10, 32); err != nil {
				return fmt.Errorf("want a number")
			}
			return nil
		}},
		{"memory-limit", s.MemoryLimit, func(v string) error { return asErr(unit.ParseMemoryLimit(v)) }},
		{"pids-limit", s.PidsLimit, func(v string) error { return asErr(unit.ParseTasksLimit(v)) }},
		{"cpu-limit", s.CpuLimit, cpuCheck},
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		if err := c.check(c.value); err != nil {
			return bad(c.flag, c.value, strings.TrimPrefix(err.Error(), unit.ErrBadValue.Error()+": "))
		}
	}
	for _, kv := range s.Env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" || strings.ContainsAny(name, " \t\n") {
			return bad("env", kv, "want NAME=VALUE")
		}
	}
	for _, p := range sf.props {
		d, err := parseDirective(p)
		if err != nil {
			return bad("property", p, err.Error())
		}
		s.Directives = append(s.Directives, d)
	}
	return nil
}

func asErr[T any](_ T, err error) error { return err }

func durationCheck(v string) error { return asErr(unit.ParseDuration(v)) }

// cpuCheck accepts millicores ("500m"), cores ("1.5") or a percentage
// ("150%").
func cpuCheck(v string) error {
	var err error
	switch {
	case strings.HasSuffix(v, "m"):
		_, err = strconv.ParseUint(strings.TrimSuffix(v, "m"), 10, 64)
	case strings.HasSuffix(v, "%"):
		_, err = strconv.ParseUint(strings.TrimSuffix(v, "%"), 10, 64)
	default:
		var f float64
		f, err = strconv.ParseFloat(v, 64)
		if err == nil && f <= 0 {
			err = fmt.Errorf("not positive")
		}
	}
	if err != nil {
		return fmt.Errorf("want millicores (\"500m\"), cores (\"1.5\") or a percentage (\"150%%\")")
	}
	return nil
}

// parseDirective reads -p's "Section.Key=Value" or "Key=Value".
func parseDirective(s string) (*pmv1.Directive, error) {
	key, value, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return nil, fmt.Errorf("want KEY=VALUE or SECTION.KEY=VALUE")
	}
	d := &pmv1.Directive{Key: key, Value: value}
	if sec, k, ok := strings.Cut(key, "."); ok {
		sec = strings.Trim(sec, "[]")
		if sec == "" || k == "" {
			return nil, fmt.Errorf("want KEY=VALUE or SECTION.KEY=VALUE")
		}
		d.Section, d.Key = sec, k
	}
	return d, nil
}

// splitCommand separates NAME from CMD [ARGS…] for create and update:
// flags may come before NAME or between NAME and CMD; everything from CMD
// on (or after "--") belongs to the command.
func splitCommand(cmd *cobra.Command, args []string) (name string, command []string, err error) {
	if len(args) == 0 {
		return "", nil, failf(1, "Too few arguments: NAME is missing.")
	}
	name = args[0]
	rest := args[1:]
	if len(rest) > 0 {
		if err := cmd.Flags().Parse(rest); err != nil {
			return "", nil, &exitError{code: 1, err: err}
		}
		rest = cmd.Flags().Args()
	}
	return name, rest, nil
}

func (e *cliEnv) newCreateCmd() *cobra.Command {
	var (
		sf    specFlags
		start bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME [flags] [--] CMD [ARGS…]",
		Short: "Create a service that runs CMD",
		Long: `Creates the service NAME (NAME.service) that runs CMD with ARGS, stores it in
pmd's state directory and loads it. Flags set its directives; -p sets any
other ("-p Nice=5", "-p Service.LimitNOFILE=4096"). Put "--" before CMD when
CMD's own arguments start with "-". Prints the unit's name, ID and state.`,
		Example: `  pmctl create web --restart on-failure -- python3 -m http.server 8080
  pmctl create ticker --auto-start --env GREETING=hi -- /bin/sh -c 'while sleep 1; do echo $GREETING; done'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, command, err := splitCommand(cmd, args)
			if err != nil {
				return err
			}
			if len(command) == 0 {
				return failf(1, "Too few arguments: CMD is missing (pmctl create NAME [flags] -- CMD [ARGS…]).")
			}
			if err := sf.finish(cmd.Flags()); err != nil {
				return err
			}
			sf.spec.Command, sf.spec.Args = command[0], command[1:]
			return e.create(name, &sf.spec, start)
		},
	}
	cmd.Flags().SetInterspersed(false)
	sf.add(cmd.Flags())
	cmd.Flags().BoolVar(&start, "start", false, "start the unit once created")
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

func (e *cliEnv) create(name string, spec *pmv1.UnitSpec, start bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.ctx(0)
	defer cancel()
	resp, err := c.Create(ctx, &pmv1.CreateRequest{Name: name, Spec: spec, Start: start})
	if err != nil {
		return e.callError("create", mangle(name), err)
	}
	if e.json() {
		if err := e.printProto(resp); err != nil {
			return err
		}
	} else {
		u := resp.GetUnit()
		fmt.Fprintf(e.stdout, "Name:  %s\nID:    %s\nState: %s\n", u.GetName(), u.GetUuid(), e.paint(pmStateColor(u.GetState()), u.GetState()))
	}
	if j := resp.GetJob(); j != nil {
		if msg := jobFailure(resp.GetUnit().GetName(), j.GetResult(), j.GetUnitResult(), e.prog()); msg != "" {
			fmt.Fprintln(e.stderr, msg)
			return exitCode(exitFailure)
		}
	}
	return nil
}

func (e *cliEnv) newUpdateCmd() *cobra.Command {
	var (
		sf                     specFlags
		dryRun, restartProcess bool
	)
	cmd := &cobra.Command{
		Use:   "update NAME [flags] [-- CMD [ARGS…]]",
		Short: "Change settings of a service created with create",
		Long: `Changes the settings given as flags (and the command, after "--"), and
nothing else. Restart policy, delays, timeouts, start limits and resource
limits apply at once ("hot"); other changes take effect when the unit starts
again ("needs restart"), or at once with --restart-process. --dry-run shows
the changes and makes none.`,
		Example:           `  pmctl update web --restart always --restart-sec 2s --dry-run`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: e.unitArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, command, err := splitCommand(cmd, args)
			if err != nil {
				return err
			}
			if err := sf.finish(cmd.Flags()); err != nil {
				return err
			}
			var paths []string
			cmd.Flags().Visit(func(f *pflag.Flag) {
				if isSpecField(flagField(f.Name)) {
					paths = append(paths, flagField(f.Name))
				}
			})
			if len(command) > 0 {
				sf.spec.Command, sf.spec.Args = command[0], command[1:]
				paths = append(paths, "command", "args")
			}
			if len(paths) == 0 {
				return failf(1, "Nothing to update: give a setting flag (see pmctl update --help), -p KEY=VALUE, or -- CMD [ARGS…].")
			}
			return e.update(&pmv1.UpdateRequest{Unit: mangle(name), Spec: &sf.spec,
				UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}, DryRun: dryRun, RestartProcess: restartProcess})
		},
	}
	cmd.Flags().SetInterspersed(false)
	sf.add(cmd.Flags())
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would change, change nothing")
	cmd.Flags().BoolVar(&restartProcess, "restart-process", false, "restart the unit when a change needs it")
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

func (e *cliEnv) update(req *pmv1.UpdateRequest) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.ctx(0)
	defer cancel()
	resp, err := c.Update(ctx, req)
	if err != nil {
		return e.callError("update", req.GetUnit(), err)
	}
	return e.printUpdate(resp)
}

// printUpdate shows an UpdateResponse: each change, field, old → new,
// and whether it applied at once.
func (e *cliEnv) printUpdate(resp *pmv1.UpdateResponse) error {
	if e.json() {
		return e.printProto(resp)
	}
	renderUpdate(e.stdout, resp, e.prog())
	return nil
}

func renderUpdate(w io.Writer, resp *pmv1.UpdateResponse, prog string) {
	name := resp.GetUnit().GetName()
	if len(resp.GetChanges()) == 0 {
		fmt.Fprintf(w, "No changes to %s.\n", name)
		return
	}
	head := "Changed " + name
	if resp.GetDryRun() {
		head = "Would change " + name + " (dry run)"
	}
	fmt.Fprintf(w, "%s:\n", head)
	values := func(vs []string) string {
		if len(vs) == 0 {
			return "(unset)"
		}
		return strings.Join(vs, " ")
	}
	for _, ch := range resp.GetChanges() {
		how := "needs restart"
		if ch.GetHot() {
			how = "hot"
		}
		field := ch.GetField()
		if field == "" {
			field = ch.GetDirective()
		}
		fmt.Fprintf(w, "  %s: %s %s %s (%s)\n", field, values(ch.GetOld()), glyphArrow, values(ch.GetNew()), how)
	}
	switch {
	case resp.GetRestarted():
		fmt.Fprintf(w, "Restarted %s.\n", name)
	case resp.GetRestartRequired():
		fmt.Fprintf(w, "%s runs with the old settings until it restarts: run '%s restart %s', or update with --restart-process.\n", name, prog, name)
	}
}

func (e *cliEnv) newSetRestartPolicyCmd() *cobra.Command {
	var (
		req pmv1.SetRestartPolicyRequest
	)
	cmd := &cobra.Command{
		Use:               "set-restart-policy NAME [--restart POLICY] [--restart-sec SPAN] [--restart-max SPAN]",
		Short:             "Change a service's restart settings (applied at once)",
		Example:           `  pmctl set-restart-policy web --restart on-failure --restart-sec 1s --restart-max 1min`,
		Args:              e.exactArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sf := specFlags{spec: pmv1.UnitSpec{Restart: req.Restart, RestartSec: req.RestartSec, RestartMax: req.RestartMax,
				StartLimitBurst: req.StartLimitBurst, StartLimitInterval: req.StartLimitInterval}}
			if err := sf.finish(cmd.Flags()); err != nil {
				return err
			}
			if req.Restart == "" && req.RestartSec == "" && req.RestartMax == "" && req.StartLimitBurst == "" && req.StartLimitInterval == "" {
				return failf(1, "Nothing to change: give --restart, --restart-sec, --restart-max, --start-limit-burst or --start-limit-interval.")
			}
			req.Unit = mangle(args[0])
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.SetRestartPolicy(ctx, &req)
			if err != nil {
				return e.callError("set the restart policy of", req.Unit, err)
			}
			return e.printUpdate(resp)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&req.Restart, "restart", "", "Restart=: no, always, on-success, on-failure, on-abnormal, on-abort or on-watchdog")
	fs.StringVar(&req.RestartSec, "restart-sec", "", "RestartSec=")
	fs.StringVar(&req.RestartMax, "restart-max", "", "RestartMaxDelaySec=")
	fs.StringVar(&req.StartLimitBurst, "start-limit-burst", "", "StartLimitBurst=")
	fs.StringVar(&req.StartLimitInterval, "start-limit-interval", "", "StartLimitIntervalSec=")
	fs.BoolVar(&req.DryRun, "dry-run", false, "show what would change, change nothing")
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// exactArgs wants n arguments.
func (e *cliEnv) exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := e.minArgs(n)(cmd, args); err != nil {
			return err
		}
		return e.maxArgs(n)(cmd, args)
	}
}
