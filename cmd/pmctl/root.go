package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pm-project/pm/api/client"
)

// cliEnv is what every command reads and writes; tests swap its parts.
type cliEnv struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	loc    *time.Location
	// systemctl: pmctl was invoked as "systemctl" and behaves as it.
	systemctl bool
	// color: write ANSI colours (stdout is a terminal and NO_COLOR is
	// unset); width: the terminal's width, 0 when stdout is not one.
	color bool
	width int
	// local: pmd runs on this machine (unix socket), so /proc may be read
	// for process names as systemctl does.
	local bool

	g   globalFlags
	cli *client.Client
}

// globalFlags are systemctl's options and pmctl's connection flags. Most
// are shared by several commands; see addFlags.
type globalFlags struct {
	socket, address                 string
	tlsCA, tlsCert, tlsKey, tlsName string
	plaintext, user, system         bool

	quiet, noPager, noLegend, plain, full bool
	all, failed                           bool
	types, states                         []string
	noBlock                               bool
	jobMode                               string
	now, runtime, force                   bool
	output                                string
	properties                            []string
	value                                 bool
	lines                                 int
	signal, killWhom                      string
	reverse, after, before                bool
	version                               bool
}

// exitError carries a command's exit status, like systemctl's exit codes.
// bare: print the message as it is (systemctl's messages have no prefix).
type exitError struct {
	code int
	err  error
	bare bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// failf returns an exitError with a message printed as it is.
func failf(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...), bare: true}
}

// exitCode is a silent exitError: the command printed what it had to.
func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}

// run executes pmctl with args (args[0] is the program name) and returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	env := newEnv(args[0], stdout, stderr)
	return env.execute(args[1:])
}

func newEnv(argv0 string, stdout, stderr io.Writer) *cliEnv {
	env := &cliEnv{
		stdout:    stdout,
		stderr:    stderr,
		getenv:    os.Getenv,
		now:       time.Now,
		loc:       time.Local,
		systemctl: filepath.Base(argv0) == "systemctl",
		g:         globalFlags{lines: 10},
	}
	env.color, env.width = terminal(stdout, os.Getenv)
	return env
}

func (e *cliEnv) execute(args []string) int {
	defer func() {
		if e.cli != nil {
			_ = e.cli.Close()
		}
	}()
	root := e.newRootCmd()
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	prog := "pmctl"
	if e.systemctl {
		prog = "systemctl"
	}
	var ee *exitError
	if errors.As(err, &ee) {
		switch {
		case ee.err == nil:
		case ee.bare:
			fmt.Fprintln(e.stderr, ee.err)
		default:
			fmt.Fprintf(e.stderr, "%s: %v\n", prog, ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
	return 1
}

// Command groups of the help text.
const (
	groupPM      = "pm"
	groupControl = "control"
	groupFiles   = "files"
	groupInspect = "inspect"
	groupSystem  = "system"
	groupOffline = "offline"
)

func (e *cliEnv) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "pmctl",
		Short: "Control pm, the service manager that speaks systemd",
		Long: `pmctl controls pmd over its gRPC API: the process manager's own commands
(create, list, describe, update, logs, …) and systemctl's verbs with
systemctl's arguments, output and exit codes. verify and convert work on
files and need no daemon.

pmd is reached on its unix socket (--socket, $PM_SOCKET; root: /run/pm/pm.sock,
others: $XDG_RUNTIME_DIR/pm/pm.sock, else the system socket) or over TCP
(--address, $PM_ADDRESS).`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("unknown command %q (see pmctl --help)", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if e.g.version {
				fmt.Fprintf(e.stdout, "pmctl %s\n", version())
				return nil
			}
			return cmd.Help()
		},
		PersistentPreRunE: func(*cobra.Command, []string) error { return e.checkGlobal() },
	}
	if e.systemctl {
		root.Use = "systemctl"
		root.Short = "pm's systemctl: control pmd with systemctl's verbs"
		root.Long = `pm's systemctl: pmctl invoked as systemctl. It knows systemctl's verbs
and options and talks to pmd. Without a verb it runs list-units.`
		root.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return failf(1, "Unknown command verb '%s'.", args[0])
			}
			return nil
		}
		root.RunE = func(cmd *cobra.Command, args []string) error {
			if e.g.version {
				fmt.Fprintf(e.stdout, "pm's systemctl (pmctl %s)\n", version())
				return nil
			}
			return e.listUnits(args)
		}
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: 1, err: err}
	})
	e.addGlobalFlags(root.PersistentFlags())
	root.Flags().BoolVar(&e.g.version, "version", false, "print the version and exit")

	root.AddGroup(
		&cobra.Group{ID: groupPM, Title: "Process manager:"},
		&cobra.Group{ID: groupControl, Title: "Unit control:"},
		&cobra.Group{ID: groupInspect, Title: "Inspection:"},
		&cobra.Group{ID: groupFiles, Title: "Unit files:"},
		&cobra.Group{ID: groupSystem, Title: "Manager:"},
	)
	if !e.systemctl {
		root.AddGroup(&cobra.Group{ID: groupOffline, Title: "Offline (no daemon needed):"})
		root.AddCommand(e.pmCommands()...)
		verify, convert := newVerifyCmd(e), newConvertCmd(e)
		verify.GroupID, convert.GroupID = groupOffline, groupOffline
		root.AddCommand(verify, convert)
	}
	root.AddCommand(e.systemctlCommands()...)
	root.SetHelpCommandGroupID(groupSystem)
	root.SetCompletionCommandGroupID(groupSystem)
	return root
}

// pmCommands are the process manager's own commands.
func (e *cliEnv) pmCommands() []*cobra.Command {
	cmds := []*cobra.Command{
		e.newCreateCmd(), e.newUpdateCmd(), e.newSetRestartPolicyCmd(), e.newDeleteCmd(),
		e.newListCmd(), e.newDescribeCmd(), e.newStatsCmd(), e.newLogsCmd(), e.newWatchCmd(),
		e.newReloadConfigCmd(),
	}
	for _, c := range cmds {
		c.GroupID = groupPM
	}
	return cmds
}

// systemctlCommands are systemctl's verbs.
func (e *cliEnv) systemctlCommands() []*cobra.Command {
	var cmds []*cobra.Command
	add := func(group string, cs ...*cobra.Command) {
		for _, c := range cs {
			c.GroupID = group
		}
		cmds = append(cmds, cs...)
	}
	add(groupControl, e.jobCommands()...)
	add(groupControl, e.newKillCmd(), e.newResetFailedCmd(), e.newCancelCmd())
	add(groupInspect, e.newStatusCmd(), e.newShowCmd(), e.newCatCmd(),
		e.newIsActiveCmd(), e.newIsFailedCmd(), e.newListUnitsCmd(),
		e.newListDependenciesCmd(), e.newListJobsCmd())
	add(groupFiles, e.unitFileCommands()...)
	add(groupFiles, e.newIsEnabledCmd(), e.newListUnitFilesCmd(), e.newGetDefaultCmd(), e.newSetDefaultCmd())
	add(groupSystem, e.newDaemonReloadCmd(), e.newIsSystemRunningCmd())
	return cmds
}

// addGlobalFlags registers the options every command accepts. As
// systemctl, they may come before or after the verb.
func (e *cliEnv) addGlobalFlags(fs *pflag.FlagSet) {
	g := &e.g
	fs.StringVar(&g.socket, "socket", "", "pmd's unix socket (default $PM_SOCKET, else the user's or the system's socket)")
	fs.StringVar(&g.address, "address", "", "reach pmd over TCP at HOST:PORT (default $PM_ADDRESS)")
	fs.StringVar(&g.tlsCA, "tls-ca", "", "CA certificate that verifies pmd's TLS certificate")
	fs.StringVar(&g.tlsCert, "tls-cert", "", "client certificate for mutual TLS")
	fs.StringVar(&g.tlsKey, "tls-key", "", "key of the client certificate")
	fs.StringVar(&g.tlsName, "tls-server-name", "", "name to check in pmd's certificate")
	fs.BoolVar(&g.plaintext, "plaintext", false, "talk TCP without TLS (loopback addresses need no flag)")
	fs.BoolVar(&g.user, "user", false, "talk to the calling user's pmd")
	fs.BoolVar(&g.system, "system", false, "talk to the system's pmd")

	fs.BoolVarP(&g.quiet, "quiet", "q", false, "suppress output")
	fs.BoolVar(&g.noPager, "no-pager", false, "accepted for systemctl's sake; pmctl never pages")
	fs.BoolVar(&g.noLegend, "no-legend", false, "omit the header and footer of lists")
	fs.BoolVar(&g.plain, "plain", false, "lists and trees without glyphs and colours")
	fs.BoolVarP(&g.full, "full", "l", false, "do not shorten long fields")
	fs.BoolVarP(&g.all, "all", "a", false, "include inactive units (lists), empty properties (show)")
	fs.StringSliceVarP(&g.types, "type", "t", nil, "only units of these types (service, target, …)")
	fs.StringSliceVar(&g.states, "state", nil, "only units in these states (active, failed, running, …)")
	fs.BoolVar(&g.failed, "failed", false, "only failed units (--state=failed)")
	fs.BoolVar(&g.noBlock, "no-block", false, "do not wait for the job to finish")
	fs.StringVar(&g.jobMode, "job-mode", "", "replace, fail, isolate, ignore-dependencies, ignore-requirements or replace-irreversibly")
	fs.BoolVar(&g.now, "now", false, "enable/disable: also start/stop the units")
	fs.BoolVar(&g.runtime, "runtime", false, "enable/disable/mask: only until the next reboot (below /run)")
	if e.systemctl {
		// systemctl's options are global: they may come before the verb.
		e.addFlags(fs, flagOutput|flagForce|flagProperty|flagLines|flagKill|flagDeps)
	}
}

// Flags some commands add (and systemctl mode adds to every command).
const (
	flagOutput = 1 << iota
	flagForce
	flagProperty
	flagLines
	flagKill
	flagDeps
)

func (e *cliEnv) addFlags(fs *pflag.FlagSet, which int) {
	g := &e.g
	if which&flagOutput != 0 {
		fs.StringVarP(&g.output, "output", "o", "", "output format: json or json-pretty")
	}
	if which&flagForce != 0 {
		fs.BoolVarP(&g.force, "force", "f", false, "replace conflicting symlinks (enable, mask), stop a running unit (delete)")
	}
	if which&flagProperty != 0 {
		fs.StringSliceVarP(&g.properties, "property", "p", nil, "show only these properties")
		fs.BoolVar(&g.value, "value", false, "show: print the values only")
	}
	if which&flagLines != 0 {
		fs.IntVarP(&g.lines, "lines", "n", 10, "number of output lines to show")
	}
	if which&flagKill != 0 {
		fs.StringVarP(&g.signal, "signal", "s", "", "signal to send (SIGTERM, TERM or 15)")
		fs.StringVar(&g.killWhom, "kill-whom", "", "all, main or control")
		fs.StringVar(&g.killWhom, "kill-who", "", "old spelling of --kill-whom")
		_ = fs.MarkHidden("kill-who")
	}
	if which&flagDeps != 0 {
		fs.BoolVar(&g.reverse, "reverse", false, "list-dependencies: units that depend on the unit")
		fs.BoolVar(&g.after, "after", false, "list-dependencies: units ordered before the unit")
		fs.BoolVar(&g.before, "before", false, "list-dependencies: units ordered after the unit")
	}
}

// cmdFlags adds flags to a command unless systemctl mode made them global.
func (e *cliEnv) cmdFlags(cmd *cobra.Command, which int) {
	if !e.systemctl {
		e.addFlags(cmd.Flags(), which)
	}
}

// checkGlobal validates the global options once they are parsed.
func (e *cliEnv) checkGlobal() error {
	switch e.g.output {
	case "", "json", "json-pretty", "short", "text":
	default:
		return failf(1, "Unknown output '%s'.", e.g.output)
	}
	switch e.g.jobMode {
	case "", "replace", "fail", "isolate", "ignore-dependencies", "ignore-requirements", "replace-irreversibly", "flush", "triggering":
	default:
		return failf(1, "Unknown job mode '%s'.", e.g.jobMode)
	}
	if e.g.failed {
		e.g.states = append(e.g.states, "failed")
	}
	if e.g.user && e.g.system {
		return failf(1, "--user and --system are mutually exclusive.")
	}
	if e.json() {
		e.g.noLegend, e.g.plain = true, true
	}
	return nil
}

// json reports whether -o asked for JSON.
func (e *cliEnv) json() bool { return strings.HasPrefix(e.g.output, "json") }

// version returns pmctl's version from the build information.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + modified + ")"
	}
	return v
}
