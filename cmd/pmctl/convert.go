package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/unit"
)

type convertCmd struct {
	env    *cliEnv
	outDir string
}

func newConvertCmd(env *cliEnv) *cobra.Command {
	c := &convertCmd{env: env}
	cmd := &cobra.Command{
		Use:   "convert FILE",
		Short: "Turn a unit file into pm YAML, or pm YAML into unit files",
		Long: `Converts a systemd unit file into a pm YAML file, or a pm YAML file
(*.yaml, *.yml) into unit files. The result goes to standard output, or into
the directory given by --output-dir, one file per unit. Converting the result
back gives the same settings.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return c.run(args[0]) },
	}
	cmd.Flags().StringVarP(&c.outDir, "output-dir", "o", "", "write the converted files into this directory")
	return cmd
}

func (c *convertCmd) run(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	var (
		out   []unit.Converted
		diags unit.Diagnostics
	)
	if ext := filepath.Ext(file); ext == ".yaml" || ext == ".yml" {
		out, diags = unit.YAMLToINI(file, data)
	} else {
		var one unit.Converted
		one, diags = unit.INIToYAML(file, data)
		if one.Name != "" {
			out = append(out, one)
		}
	}
	for _, d := range diags.Filter(unit.Warning) {
		fmt.Fprintln(c.env.stderr, d.String())
	}
	if diags.HasErrors() {
		return &exitError{code: 1}
	}
	for i, f := range out {
		if c.outDir != "" {
			p := filepath.Join(c.outDir, f.Name)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintln(c.env.stderr, "wrote", p)
			continue
		}
		if len(out) > 1 {
			if i > 0 {
				fmt.Fprintln(c.env.stdout)
			}
			fmt.Fprintf(c.env.stdout, "# %s\n", f.Name)
		}
		fmt.Fprint(c.env.stdout, strings.TrimRight(string(f.Data), "\n")+"\n")
	}
	return nil
}
