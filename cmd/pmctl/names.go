package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/unit"
)

// mangle turns an argument into a unit name as systemctl does: "web"
// becomes "web.service"; full names, UUIDs and globs stay as they are.
func mangle(arg string) string {
	if arg == "" {
		return arg
	}
	if _, ok := unit.ParseUUID(arg); ok {
		return arg
	}
	if _, err := unit.ParseName(arg); err == nil {
		return arg
	}
	if isGlob(arg) {
		return arg
	}
	return arg + ".service"
}

// mangleAll mangles every argument.
func mangleAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = mangle(a)
	}
	return out
}

// isGlob reports whether s is a shell pattern (systemd's string_is_glob).
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// expand mangles args and replaces globs by the loaded units they match,
// as systemctl's expand_unit_names: plain names stay even when no such
// unit is loaded. It reports whether a glob was expanded.
func (e *cliEnv) expand(args []string) ([]string, bool, error) {
	var names, globs []string
	for _, a := range args {
		m := mangle(a)
		if isGlob(m) {
			globs = append(globs, m)
			continue
		}
		names = append(names, m)
	}
	if len(globs) == 0 {
		return names, false, nil
	}
	c, err := e.client()
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	resp, err := c.List(ctx, &pmv1.ListRequest{Patterns: globs, All: true})
	if err != nil {
		return nil, false, e.callError("list units", "", err)
	}
	for _, u := range resp.GetUnits() {
		names = append(names, u.GetName())
	}
	return names, true, nil
}

// unitArgs completes unit names from the daemon; without one it offers
// nothing.
func (e *cliEnv) unitArgs(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names, err := e.completeUnits(toComplete)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeUnits lists the units whose name starts with prefix.
func (e *cliEnv) completeUnits(prefix string) ([]string, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.ctx(2 * callTimeout / 25)
	defer cancel()
	resp, err := c.List(ctx, &pmv1.ListRequest{Patterns: []string{prefix + "*"}, All: true})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range resp.GetUnits() {
		n := u.GetName()
		if strings.HasPrefix(n, prefix) {
			out = append(out, fmt.Sprintf("%s\t%s", n, u.GetDescription()))
		}
	}
	return out, nil
}
