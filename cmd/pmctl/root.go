package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// cliEnv is what every command writes to; tests swap it.
type cliEnv struct {
	stdout io.Writer
	stderr io.Writer
}

// exitError carries a command's exit status, like systemctl's exit codes.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// run executes pmctl with args (args[0] is the program name) and returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	env := &cliEnv{stdout: stdout, stderr: stderr}
	root := newRootCmd(env)
	root.SetArgs(args[1:])
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "pmctl:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "pmctl:", err)
	return 1
}

func newRootCmd(env *cliEnv) *cobra.Command {
	root := &cobra.Command{
		Use:           "pmctl",
		Short:         "Control pm, the service manager that speaks systemd",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVerifyCmd(env), newConvertCmd(env))
	return root
}
