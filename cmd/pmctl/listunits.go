package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pm-project/pm/api/pmv1"
)

func (e *cliEnv) newListUnitsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list-units [PATTERN…]",
		Short: "List loaded units (systemctl's columns)",
		Long: `Lists the units pmd has loaded, as systemctl list-units: UNIT LOAD ACTIVE
SUB (JOB) DESCRIPTION. Without --all, inactive units without a job are left
out. --type, --state and --failed filter; PATTERNs are shell globs.`,
		ValidArgsFunction: e.unitArgs,
		RunE:              func(_ *cobra.Command, args []string) error { return e.listUnits(args) },
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// list returns the units List gives for patterns and the global filters,
// less what systemctl list-units hides, sorted as systemctl sorts them.
func (e *cliEnv) list(patterns []string) ([]*pmv1.Unit, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.ctx(callTimeout)
	defer cancel()
	resp, err := c.List(ctx, &pmv1.ListRequest{Patterns: patterns, States: e.g.states, Types: e.g.types, All: e.g.all, View: e.listView()})
	if err != nil {
		return nil, e.callError("list units", "", err)
	}
	var out []*pmv1.Unit
	for _, u := range resp.GetUnits() {
		if !e.g.all && len(e.g.states) == 0 && u.GetActiveState() == "inactive" && u.GetJob() == nil {
			continue
		}
		out = append(out, u)
	}
	sortUnits(out)
	return out, nil
}

// sortUnits orders units as systemctl: by type, then by name, ignoring
// case.
func sortUnits(us []*pmv1.Unit) {
	slices.SortStableFunc(us, func(a, b *pmv1.Unit) int {
		if c := strings.Compare(strings.ToLower(typeSuffix(a.GetName())), strings.ToLower(typeSuffix(b.GetName()))); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.GetName()), strings.ToLower(b.GetName()))
	})
}

// typeSuffix is the ".service" of "web.service".
func typeSuffix(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

func (e *cliEnv) listUnits(patterns []string) error {
	units, err := e.list(patterns)
	if err != nil {
		return err
	}
	t := e.unitsTable(units)
	if e.json() {
		return e.tableJSON(t)
	}
	e.printTable(t, !e.g.noLegend)
	if !e.g.noLegend {
		e.unitsLegend(e.stdout, len(units), hasJobs(units))
	}
	return nil
}

func hasJobs(units []*pmv1.Unit) bool {
	for _, u := range units {
		if u.GetJob() != nil {
			return true
		}
	}
	return false
}

// unitsTable builds list-units' table: a glyph column (hidden with
// --plain), UNIT LOAD ACTIVE SUB, JOB when a unit has one, DESCRIPTION.
func (e *cliEnv) unitsTable(units []*pmv1.Unit) *table {
	jobs := hasJobs(units)
	t := &table{}
	if !e.g.plain {
		t.cols = append(t.cols, column{json: "-"})
	}
	t.cols = append(t.cols, column{name: "unit"}, column{name: "load"}, column{name: "active"}, column{name: "sub"})
	if jobs {
		t.cols = append(t.cols, column{name: "job"})
	}
	t.cols = append(t.cols, column{name: "description", elastic: true})
	for _, u := range units {
		var row []cell
		glyph, glyphColor, loadColor, activeColor := " ", "", "", ""
		switch {
		case isBadLoad(u.GetLoadState()):
			glyph, glyphColor, loadColor = glyphBlackCircle, ansiYellow, ansiRed
		case u.GetActiveState() == "failed":
			glyph, glyphColor, activeColor = glyphBlackCircle, ansiRed, ansiRed
		}
		if !e.g.plain {
			row = append(row, cell{text: glyph, color: glyphColor})
		}
		row = append(row, cell{text: u.GetName(), color: activeColor}, cell{text: u.GetLoadState(), color: loadColor},
			cell{text: u.GetActiveState(), color: activeColor}, cell{text: u.GetSubState(), color: activeColor})
		if jobs {
			row = append(row, cell{text: u.GetJob().GetType()})
		}
		row = append(row, cell{text: u.GetDescription()})
		t.add(row...)
	}
	return t
}

// isBadLoad: load states list-units marks with a yellow bullet.
func isBadLoad(s string) bool {
	switch s {
	case "error", "not-found", "bad-setting", "masked":
		return true
	}
	return false
}

// unitsLegend prints list-units' footer.
func (e *cliEnv) unitsLegend(w io.Writer, n int, jobs bool) {
	if n > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "LOAD   = Reflects whether the unit definition was properly loaded.")
		fmt.Fprintln(w, "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.")
		fmt.Fprintln(w, "SUB    = The low-level unit activation state, values depend on unit type.")
		if jobs {
			fmt.Fprintln(w, "JOB    = Pending job for the unit.")
			fmt.Fprintln(w)
		}
	}
	on := ansiBold
	if n == 0 {
		on = ansiRed
	}
	count := e.paint(on, fmt.Sprintf("%d loaded units listed.", n))
	files := e.paint(ansiGrey, fmt.Sprintf("To show all installed unit files use '%s list-unit-files'.", e.prog()))
	switch {
	case e.g.all || slices.Contains(e.g.states, "inactive"):
		fmt.Fprintf(w, "%s\n%s\n", count, files)
	case len(e.g.states) == 0:
		fmt.Fprintf(w, "%s %s\n%s\n", count, e.paint(ansiGrey, "Pass --all to see loaded but inactive units, too."), files)
	default:
		fmt.Fprintf(w, "%d loaded units listed.\n", n)
	}
}

func (e *cliEnv) newListDependenciesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list-dependencies [UNIT…]",
		Short: "Show a unit's dependency tree (default.target without one)",
		Long: `Shows the units a unit requires and wants, recursively (below targets only,
unless --all); --reverse shows the units that depend on it, --after and
--before the ordering instead.`,
		ValidArgsFunction: e.unitArgs,
		RunE: func(_ *cobra.Command, args []string) error {
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
			for i, n := range names {
				ctx, cancel := e.ctx(callTimeout)
				resp, err := c.ListDependencies(ctx, &pmv1.ListDependenciesRequest{
					Unit: n, Reverse: e.g.reverse, After: e.g.after, Before: e.g.before, All: e.g.all})
				cancel()
				if err != nil {
					if n == "" {
						n = "default.target"
					}
					return e.callError("list dependencies of", n, err)
				}
				if e.json() {
					if err := e.printProto(resp.GetRoot()); err != nil {
						return err
					}
					continue
				}
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				e.renderTree(e.stdout, resp.GetRoot())
			}
			return nil
		},
	}
	e.cmdFlags(cmd, flagDeps|flagOutput)
	return cmd
}

// renderTree prints a dependency tree as systemctl list-dependencies.
func (e *cliEnv) renderTree(w io.Writer, root *pmv1.DependencyNode) {
	fmt.Fprintln(w, root.GetUnit())
	seen := map[string]bool{root.GetUnit(): true}
	e.renderChildren(w, root, "", seen)
}

func (e *cliEnv) renderChildren(w io.Writer, n *pmv1.DependencyNode, prefix string, seen map[string]bool) {
	kids := slices.Clone(n.GetChildren())
	slices.SortStableFunc(kids, func(a, b *pmv1.DependencyNode) int {
		at, bt := strings.HasSuffix(a.GetUnit(), ".target"), strings.HasSuffix(b.GetUnit(), ".target")
		switch {
		case at && !bt:
			return 1
		case !at && bt:
			return -1
		}
		return strings.Compare(strings.ToLower(a.GetUnit()), strings.ToLower(b.GetUnit()))
	})
	circular := false
	for i, k := range kids {
		if k.GetCycle() || (e.g.plain && seen[k.GetUnit()]) {
			circular = true
			continue
		}
		if e.g.plain {
			seen[k.GetUnit()] = true
			fmt.Fprintf(w, "  %s\n", k.GetUnit())
			e.renderChildren(w, k, prefix, seen)
			continue
		}
		more := i < len(kids)-1
		last := !more && !circular
		var color string
		switch k.GetActiveState() {
		case "active", "reloading", "activating":
			color = ansiGreen
		case "inactive", "deactivating":
		default:
			color = ansiRed
		}
		branch := glyphTreeBranch
		if last {
			branch = glyphTreeRight
		}
		name := k.GetUnit()
		if e.width > 0 && !e.g.full {
			name = ellipsize(name, max(e.width-len([]rune(prefix))-4, 10))
		}
		fmt.Fprintf(w, "%s %s%s%s\n", e.paint(color, activeGlyph(k.GetActiveState())), prefix, branch, name)
		next := prefix + glyphTreeSpace
		if more {
			next = prefix + glyphTreeVert
		}
		e.renderChildren(w, k, next, seen)
	}
	if circular && !e.g.plain {
		fmt.Fprintf(w, "  %s%s...\n", prefix, glyphTreeRight)
	}
}

func (e *cliEnv) newListUnitFilesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list-unit-files [PATTERN…]",
		Short: "List installed unit files and their enablement state",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ctx, cancel := e.ctx(callTimeout)
			defer cancel()
			resp, err := c.ListUnitFiles(ctx, &pmv1.ListUnitFilesRequest{Patterns: args, States: e.g.states, Types: e.g.types})
			if err != nil {
				return e.callError("list unit files", "", err)
			}
			files := slices.Clone(resp.GetFiles())
			slices.SortStableFunc(files, func(a, b *pmv1.UnitFileState) int {
				an, bn := unitFileName(a), unitFileName(b)
				if c := strings.Compare(strings.ToLower(typeSuffix(an)), strings.ToLower(typeSuffix(bn))); c != 0 {
					return c
				}
				return strings.Compare(strings.ToLower(an), strings.ToLower(bn))
			})
			t := e.unitFilesTable(files)
			if e.json() {
				return e.tableJSON(t)
			}
			e.printTable(t, !e.g.noLegend)
			if !e.g.noLegend {
				fmt.Fprintf(e.stdout, "\n%d unit files listed.\n", len(files))
			}
			return nil
		},
	}
	e.cmdFlags(cmd, flagOutput)
	return cmd
}

// unitFileName is the name list-unit-files shows: the file's name.
func unitFileName(f *pmv1.UnitFileState) string {
	if f.GetPath() != "" {
		return filepath.Base(f.GetPath())
	}
	return f.GetUnit()
}

// unitFilesTable builds list-unit-files' table: UNIT FILE, STATE, PRESET.
func (e *cliEnv) unitFilesTable(files []*pmv1.UnitFileState) *table {
	t := &table{cols: []column{{name: "unit file"}, {name: "state"}, {name: "preset"}}}
	for _, f := range files {
		state := f.GetState()
		sc := ""
		switch state {
		case "masked", "masked-runtime", "disabled", "bad":
			sc = ansiRed
		case "enabled", "alias":
			sc = ansiGreen
		}
		preset, pc := "-", ""
		switch state {
		case "alias", "static", "generated", "transient":
		default:
			switch p := f.GetPreset(); p {
			case "enabled":
				preset, pc = p, ansiGreen
			case "disabled":
				preset, pc = p, ansiRed
			case "":
				preset = "n/a"
			default:
				preset = p
			}
		}
		t.add(cell{text: unitFileName(f)}, cell{text: state, color: sc}, cell{text: preset, color: pc})
	}
	return t
}

// listView asks List for the fields a table shows; JSON gets every field.
func (e *cliEnv) listView() pmv1.UnitView {
	if e.json() {
		return pmv1.UnitView_UNIT_VIEW_FULL
	}
	return pmv1.UnitView_UNIT_VIEW_BASIC
}
