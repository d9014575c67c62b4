package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/api/pmv1"
)

const ansiBlue = "\x1b[0;1;34m"
const ansiMagenta = "\x1b[0;1;35m"

func (e *cliEnv) newShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show [UNIT…]",
		Short: "Show the properties of units (or of pmd)",
		Long: `Prints systemctl show's Key=Value properties of each unit, a blank line
between units. -p limits them (repeat or separate with commas), --value
prints the values alone, --all includes empty ones.`,
		ValidArgsFunction: e.unitArgs,
		RunE:              func(_ *cobra.Command, args []string) error { return e.show(args) },
	}
	e.cmdFlags(cmd, flagProperty|flagOutput)
	return cmd
}

func (e *cliEnv) show(args []string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	names := []string{""}
	if len(args) > 0 {
		if names, _, err = e.expand(args); err != nil {
			return err
		}
	}
	var all [][]*pmv1.Property
	for _, n := range names {
		ctx, cancel := e.ctx(callTimeout)
		resp, err := c.Show(ctx, &pmv1.ShowRequest{Unit: n, Properties: e.g.properties, All: e.g.all})
		cancel()
		var props []*pmv1.Property
		if err != nil {
			if n == "" {
				return e.callError("get properties", "", err)
			}
			return e.callError("get properties of", n, err)
		}
		props = resp.GetProperties()
		all = append(all, filterProperties(props, e.g.properties, e.g.all))
	}
	if e.json() {
		for _, props := range all {
			if err := e.printProto(&pmv1.ShowResponse{Properties: props}); err != nil {
				return err
			}
		}
		return nil
	}
	for i, props := range all {
		if i > 0 && !e.g.value {
			fmt.Fprintln(e.stdout)
		}
		renderProperties(e.stdout, props, e.g.value)
	}
	return nil
}

// filterProperties keeps the properties named in want (all without a
// list) in the server's order; empty values only with all or when asked
// for by name.
func filterProperties(props []*pmv1.Property, want []string, all bool) []*pmv1.Property {
	var out []*pmv1.Property
	for _, p := range props {
		named := slices.Contains(want, p.GetName())
		if len(want) > 0 && !named {
			continue
		}
		if p.GetValue() == "" && !all && !named {
			continue
		}
		out = append(out, p)
	}
	return out
}

// renderProperties prints Key=Value lines, or values alone.
func renderProperties(w io.Writer, props []*pmv1.Property, valueOnly bool) {
	for _, p := range props {
		if valueOnly {
			fmt.Fprintln(w, p.GetValue())
			continue
		}
		fmt.Fprintf(w, "%s=%s\n", p.GetName(), p.GetValue())
	}
}

func (e *cliEnv) newCatCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "cat UNIT…",
		Short:             "Show the files a unit was loaded from",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			names, _, err := e.expand(args)
			if err != nil {
				return err
			}
			code := 0
			first := true
			for _, n := range names {
				ctx, cancel := e.ctx(callTimeout)
				resp, err := c.Cat(ctx, &pmv1.CatRequest{Unit: n})
				cancel()
				if err != nil {
					r := parseRPCError(err)
					switch {
					case r.reason == "UNIT_MASKED":
						fmt.Fprintln(e.stdout, e.paint(ansiMagenta, fmt.Sprintf("# Unit %s is masked.", n)))
						continue
					case isNotFound(err):
						fmt.Fprintf(e.stderr, "No files found for %s.\n", n)
						code = exitFailure
						continue
					}
					return e.callError("cat", n, err)
				}
				if len(resp.GetFiles()) == 0 {
					fmt.Fprintf(e.stderr, "No files found for %s.\n", n)
					code = exitFailure
					continue
				}
				if !first {
					fmt.Fprintln(e.stdout)
				}
				first = false
				e.renderCat(e.stdout, resp.GetFiles())
			}
			return exitCode(code)
		},
	}
}

// renderCat prints files with "# /path" headers, a blank line between.
func (e *cliEnv) renderCat(w io.Writer, files []*pmv1.UnitFile) {
	for i, f := range files {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, e.paint(ansiBlue, "# "+f.GetPath()))
		if content := f.GetContent(); content != "" {
			fmt.Fprint(w, strings.TrimSuffix(content, "\n")+"\n")
		}
	}
}

func (e *cliEnv) newIsActiveCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "is-active UNIT…",
		Aliases:           []string{"check"},
		Short:             "Print whether units are active (exit 0 if one is, 3 otherwise)",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return e.checkStates(args, exitNotRunning, "active", "reloading")
		},
	}
}

func (e *cliEnv) newIsFailedCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "is-failed UNIT…",
		Short:             "Print whether units failed (exit 0 if one did, 1 otherwise)",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return e.checkStates(args, exitFailure, "failed")
		},
	}
}

// checkStates prints each unit's active state and exits 0 when one is in
// good, else code (systemctl's check_unit_generic). A unit pmd does not
// know is inactive.
func (e *cliEnv) checkStates(args []string, code int, good ...string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	names, _, err := e.expand(args)
	if err != nil {
		return err
	}
	found := false
	for _, n := range names {
		ctx, cancel := e.ctx(callTimeout)
		resp, err := c.Describe(ctx, &pmv1.DescribeRequest{Unit: n})
		cancel()
		state := resp.GetUnit().GetActiveState()
		switch {
		case err == nil:
		case isNotFound(err):
			state = "inactive"
		default:
			return e.callError("retrieve unit state", n, err)
		}
		if !e.g.quiet {
			fmt.Fprintln(e.stdout, state)
		}
		if slices.Contains(good, state) {
			found = true
		}
	}
	if found {
		return nil
	}
	return exitCode(code)
}

func (e *cliEnv) newIsEnabledCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "is-enabled UNIT…",
		Short:             "Print the enablement state of unit files (exit 0 if one is enabled)",
		Args:              e.minArgs(1),
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			names := mangleAll(args)
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.IsEnabled(ctx, &pmv1.IsEnabledRequest{Units: names})
			if err != nil {
				if isNotFound(err) {
					return failf(exitFailure, "Failed to get unit file state for %s: No such file or directory", names[0])
				}
				return e.callError("get unit file state for", names[0], err)
			}
			enabled := false
			for _, s := range resp.GetStates() {
				if s.GetState() == "not-found" {
					return failf(exitFailure, "Failed to get unit file state for %s: No such file or directory", s.GetUnit())
				}
				switch s.GetState() {
				case "enabled", "enabled-runtime", "static", "alias", "indirect", "generated":
					enabled = true
				}
				if !e.g.quiet {
					fmt.Fprintln(e.stdout, s.GetState())
				}
			}
			if enabled {
				return nil
			}
			return exitCode(exitFailure)
		},
	}
}
