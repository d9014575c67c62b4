package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/unit"
)

type verifyCmd struct {
	env    *cliEnv
	dump   bool
	quiet  bool
	system bool
}

func newVerifyCmd(env *cliEnv) *cobra.Command {
	c := &verifyCmd{env: env}
	cmd := &cobra.Command{
		Use:   "verify FILE|DIR...",
		Short: "Check unit files and YAML as pmd would load them",
		Long: `Loads unit files, directories of unit files and YAML files the way pmd does
and prints every problem as file:line:col: severity: message.

A FILE is loaded by its name, with the drop-ins next to it (FILE.d/*.conf);
a DIR is loaded as a unit directory (its YAML files as pm's config).
Errors make a unit unusable; warnings are settings that were ignored, as
systemd ignores them; notices name directives pm parses but does not enforce.
Exits 1 when there are errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return c.run(args) },
	}
	cmd.Flags().BoolVar(&c.dump, "dump", false, "print the effective model of every unit as JSON")
	cmd.Flags().BoolVarP(&c.quiet, "quiet", "q", false, "print errors and warnings only, not notices")
	cmd.Flags().BoolVar(&c.system, "system", true, "expand specifiers as the system manager does (false: as a user manager)")
	return cmd
}

func (c *verifyCmd) run(args []string) error {
	host := unit.ReadHost(c.system)
	var (
		units []*unit.Unit
		diags unit.Diagnostics
		files []string
	)
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			diags.Add(unit.Pos{File: a}, unit.Error, "", err, "%v", err)
			continue
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		l := unit.Loader{Path: []string{a}, ConfigDirs: []string{a}, Host: host}
		set, d := l.LoadAll()
		diags = append(diags, d...)
		names := make([]string, 0, len(set.Units))
		for n, u := range set.Units {
			if n == u.Name {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			units = append(units, set.Units[n])
		}
	}
	if len(files) > 0 {
		l := unit.Loader{Host: host}
		us, d := l.LoadFiles(files)
		diags = append(diags, onlyAbout(d, files)...)
		for _, u := range us {
			if u != nil {
				units = append(units, u)
			}
		}
	}
	min := unit.Notice
	if c.quiet {
		min = unit.Warning
	}
	for _, d := range dedupe(diags.Filter(min)) {
		fmt.Fprintln(c.env.stdout, d.String())
	}
	if c.dump {
		enc := json.NewEncoder(c.env.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(units); err != nil {
			return err
		}
	}
	if diags.HasErrors() {
		return &exitError{code: 1}
	}
	return nil
}

// dedupe drops repeated diagnostics: a drop-in shared by several units is
// read once per unit.
func dedupe(ds unit.Diagnostics) unit.Diagnostics {
	seen := map[string]bool{}
	var out unit.Diagnostics
	for _, d := range ds {
		k := d.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// onlyAbout drops the notices about other files of the directories that
// loading files scanned (such as files that are not units), which the user
// did not ask about.
func onlyAbout(ds unit.Diagnostics, files []string) unit.Diagnostics {
	var out unit.Diagnostics
	for _, d := range ds {
		if d.Severity == unit.Notice && d.Pos.File != "" && !mentions(files, d.Pos.File) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func mentions(files []string, p string) bool {
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		if p == abs || p == f || strings.HasPrefix(p, abs+".d/") || strings.HasPrefix(p, f+".d/") {
			return true
		}
	}
	return false
}
