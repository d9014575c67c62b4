package api

import (
	"fmt"
	"strings"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/unit"
)

// fieldKind is how a UnitSpec field lowers to options.
type fieldKind int

const (
	// kindValue: one scalar, one option, as given.
	kindValue fieldKind = iota
	// kindBool: an optional bool, yes or no.
	kindBool
	// kindList: one option per element, as given.
	kindList
	// kindUnits: one option per element; names without a type suffix are
	// services.
	kindUnits
	// kindEnv: one option per element, quoted as one word.
	kindEnv
)

// specField maps a UnitSpec field to its directive. command and args
// (ExecStart=) and directives are handled apart.
type specField struct {
	name         string
	section, key string
	kind         fieldKind
	// str, list or opt reach the field, by kind.
	str  func(*pmv1.UnitSpec) *string
	list func(*pmv1.UnitSpec) *[]string
	opt  func(*pmv1.UnitSpec) **bool
}

func valueField(name, section, key string, f func(*pmv1.UnitSpec) *string) specField {
	return specField{name: name, section: section, key: key, kind: kindValue, str: f}
}

func listField(name, section, key string, kind fieldKind, f func(*pmv1.UnitSpec) *[]string) specField {
	return specField{name: name, section: section, key: key, kind: kind, list: f}
}

func boolField(name, section, key string, f func(*pmv1.UnitSpec) **bool) specField {
	return specField{name: name, section: section, key: key, kind: kindBool, opt: f}
}

const (
	secUnit = unit.SectionUnit
	secSvc  = unit.SectionService
	secRes  = unit.SectionResources
	secPM   = unit.SectionPM
)

// specFields lists the fields of UnitSpec in proto order (without
// command, args and directives).
var specFields = []specField{
	valueField("description", secUnit, "Description", func(s *pmv1.UnitSpec) *string { return &s.Description }),
	boolField("auto_start", secPM, "AutoStart", func(s *pmv1.UnitSpec) **bool { return &s.AutoStart }),
	valueField("type", secSvc, "Type", func(s *pmv1.UnitSpec) *string { return &s.Type }),
	valueField("restart", secSvc, "Restart", func(s *pmv1.UnitSpec) *string { return &s.Restart }),
	valueField("restart_sec", secSvc, "RestartSec", func(s *pmv1.UnitSpec) *string { return &s.RestartSec }),
	valueField("restart_max", secSvc, "RestartMaxDelaySec", func(s *pmv1.UnitSpec) *string { return &s.RestartMax }),
	listField("requires", secUnit, "Requires", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.Requires }),
	listField("wants", secUnit, "Wants", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.Wants }),
	listField("binds_to", secUnit, "BindsTo", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.BindsTo }),
	listField("conflicts", secUnit, "Conflicts", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.Conflicts }),
	listField("after", secUnit, "After", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.After }),
	listField("before", secUnit, "Before", kindUnits, func(s *pmv1.UnitSpec) *[]string { return &s.Before }),
	listField("env", secSvc, "Environment", kindEnv, func(s *pmv1.UnitSpec) *[]string { return &s.Env }),
	listField("env_file", secSvc, "EnvironmentFile", kindList, func(s *pmv1.UnitSpec) *[]string { return &s.EnvFile }),
	valueField("working_dir", secSvc, "WorkingDirectory", func(s *pmv1.UnitSpec) *string { return &s.WorkingDir }),
	valueField("user", secSvc, "User", func(s *pmv1.UnitSpec) *string { return &s.User }),
	valueField("group", secSvc, "Group", func(s *pmv1.UnitSpec) *string { return &s.Group }),
	listField("runtime_directory", secSvc, "RuntimeDirectory", kindList, func(s *pmv1.UnitSpec) *[]string { return &s.RuntimeDirectory }),
	listField("ambient_capability", secSvc, "AmbientCapabilities", kindList, func(s *pmv1.UnitSpec) *[]string { return &s.AmbientCapability }),
	valueField("kill_mode", secSvc, "KillMode", func(s *pmv1.UnitSpec) *string { return &s.KillMode }),
	valueField("kill_signal", secSvc, "KillSignal", func(s *pmv1.UnitSpec) *string { return &s.KillSignal }),
	valueField("timeout_stop_sec", secSvc, "TimeoutStopSec", func(s *pmv1.UnitSpec) *string { return &s.TimeoutStopSec }),
	valueField("timeout_start_sec", secSvc, "TimeoutStartSec", func(s *pmv1.UnitSpec) *string { return &s.TimeoutStartSec }),
	valueField("pidfile", secSvc, "PIDFile", func(s *pmv1.UnitSpec) *string { return &s.Pidfile }),
	listField("condition_path_exists", secUnit, "ConditionPathExists", kindList, func(s *pmv1.UnitSpec) *[]string { return &s.ConditionPathExists }),
	valueField("cpu_limit", secRes, "LimitsCPU", func(s *pmv1.UnitSpec) *string { return &s.CpuLimit }),
	valueField("memory_limit", secRes, "LimitsMemory", func(s *pmv1.UnitSpec) *string { return &s.MemoryLimit }),
	valueField("pids_limit", secRes, "LimitsPids", func(s *pmv1.UnitSpec) *string { return &s.PidsLimit }),
	boolField("remain_after_exit", secSvc, "RemainAfterExit", func(s *pmv1.UnitSpec) **bool { return &s.RemainAfterExit }),
	valueField("start_limit_burst", secUnit, "StartLimitBurst", func(s *pmv1.UnitSpec) *string { return &s.StartLimitBurst }),
	valueField("start_limit_interval", secUnit, "StartLimitIntervalSec", func(s *pmv1.UnitSpec) *string { return &s.StartLimitInterval }),
}

// Pseudo-fields.
const (
	fieldCommand    = "command"
	fieldArgs       = "args"
	fieldDirectives = "directives"
)

// isSet reports whether the field has a value in spec.
func (f specField) isSet(s *pmv1.UnitSpec) bool {
	switch f.kind {
	case kindValue:
		return *f.str(s) != ""
	case kindBool:
		return *f.opt(s) != nil
	}
	return len(*f.list(s)) > 0
}

// values returns the option values of the field.
func (f specField) values(s *pmv1.UnitSpec) []string {
	switch f.kind {
	case kindValue:
		if v := *f.str(s); v != "" {
			return []string{v}
		}
		return nil
	case kindBool:
		if b := *f.opt(s); b != nil {
			if *b {
				return []string{"yes"}
			}
			return []string{"no"}
		}
		return nil
	}
	var out []string
	for _, v := range *f.list(s) {
		switch f.kind {
		case kindUnits:
			if !strings.Contains(v, ".") || !unit.Type(v[strings.LastIndexByte(v, '.')+1:]).Known() {
				v += ".service"
			}
		case kindEnv:
			v = unit.QuoteWord(v)
		}
		out = append(out, v)
	}
	return out
}

// fieldByName finds a field of the table.
func fieldByName(name string) (specField, bool) {
	for _, f := range specFields {
		if f.name == name {
			return f, true
		}
	}
	return specField{}, false
}

// fieldOf names the UnitSpec field a directive belongs to: a field of
// the table, "command" for ExecStart=, "" for [X-PM] UUID= (never
// changed over the API), else "directives".
func fieldOf(section, key string) string {
	for _, f := range specFields {
		if f.section == section && f.key == key {
			return f.name
		}
	}
	switch {
	case section == secSvc && key == "ExecStart":
		return fieldCommand
	case section == secPM && key == "UUID":
		return ""
	}
	return fieldDirectives
}

// optList is a list of options with the request field each came from, so
// that a diagnostic about an option names the field.
type optList struct {
	opts   []unit.Option
	fields []string // request field path of each option
}

func (l *optList) add(field, section, key, value string) {
	l.opts = append(l.opts, unit.Option{Section: section, Key: key, Value: value})
	l.fields = append(l.fields, field)
}

// numbered returns the options with Pos.Line set to their index + 1.
func (l *optList) numbered() []unit.Option {
	out := make([]unit.Option, len(l.opts))
	for i, o := range l.opts {
		o.Pos = unit.Pos{Line: i + 1}
		o.ValuePos = unit.Pos{}
		o.SectionPos = unit.Pos{}
		out[i] = o
	}
	return out
}

// field returns the request field of the option at line (1-based).
func (l *optList) field(line int) string {
	if line >= 1 && line <= len(l.fields) {
		return l.fields[line-1]
	}
	return ""
}

// addField appends the options of one table field.
func (l *optList) addField(f specField, s *pmv1.UnitSpec) {
	for _, v := range f.values(s) {
		l.add("spec."+f.name, f.section, f.key, v)
	}
}

// addExec appends ExecStart= for command and args.
func (l *optList) addExec(command string, args []string) error {
	if command == "" {
		if len(args) > 0 {
			return invalidField("spec.command", "args are given without a command.")
		}
		return nil
	}
	line, err := unit.QuoteExecArgs(append([]string{command}, args...))
	if err != nil {
		return invalidField("spec.command", "%s", strings.TrimPrefix(err.Error(), unit.ErrBadValue.Error()+": "))
	}
	l.add("spec.command", secSvc, "ExecStart", line)
	return nil
}

// directiveSections are searched, in order, for the section of a
// directive given without one.
var directiveSections = []string{unit.SectionUnit, unit.SectionService, unit.SectionInstall, unit.SectionPM, unit.SectionResources, unit.SectionHealth}

// addDirectives appends the directives of spec.
func (l *optList) addDirectives(ds []*pmv1.Directive) error {
	for i, d := range ds {
		field := fmt.Sprintf("spec.directives[%d]", i)
		sec, err := directiveSection(d, field)
		if err != nil {
			return err
		}
		if sec == secPM && d.GetKey() == "UUID" {
			return invalidField(field+".key", "UUID= is set by pmd and cannot be changed.")
		}
		l.add(field, sec, d.GetKey(), d.GetValue())
	}
	return nil
}

func directiveSection(d *pmv1.Directive, field string) (string, error) {
	if d.GetKey() == "" {
		return "", invalidField(field+".key", "A directive needs a key.")
	}
	if strings.ContainsAny(d.GetKey(), "=[]\n \t") {
		return "", invalidField(field+".key", "Invalid directive name %q.", d.GetKey())
	}
	if strings.ContainsAny(d.GetValue(), "\n") {
		return "", invalidField(field+".value", "A value cannot span lines.")
	}
	if s := d.GetSection(); s != "" {
		if strings.ContainsAny(s, "[]\n") {
			return "", invalidField(field+".section", "Invalid section name %q.", s)
		}
		return s, nil
	}
	for _, s := range directiveSections {
		if _, ok := unit.LookupDirective(s, d.GetKey()); ok {
			return s, nil
		}
	}
	return "", invalidField(field+".key", "Unknown directive %s=; give its section.", d.GetKey())
}

// createOptions lowers a UnitSpec to the options of a new service.
func createOptions(s *pmv1.UnitSpec) (*optList, error) {
	if s == nil {
		s = &pmv1.UnitSpec{}
	}
	l := &optList{}
	for _, f := range specFields {
		l.addField(f, s)
	}
	if err := l.addExec(s.GetCommand(), s.GetArgs()); err != nil {
		return nil, err
	}
	if err := l.addDirectives(s.GetDirectives()); err != nil {
		return nil, err
	}
	hasExec := s.GetCommand() != ""
	for _, o := range l.opts {
		if o.Section == secSvc && o.Key == "ExecStart" {
			hasExec = true
		}
	}
	if !hasExec {
		return nil, invalidField("spec.command", "A command is required.")
	}
	return l, nil
}

// maskPaths checks an update mask and returns its paths, "spec." prefixes
// taken off.
func maskPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		p = strings.TrimPrefix(p, "spec.")
		switch p {
		case fieldCommand, fieldArgs, fieldDirectives:
		default:
			if _, ok := fieldByName(p); !ok {
				return nil, invalidField("update_mask", "Unknown field %q.", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// updateOptions applies an update to the options a unit was stored with.
// With paths (an update mask), exactly those fields change; without,
// every field set in s does.
func updateOptions(old []unit.Option, s *pmv1.UnitSpec, paths []string, useMask bool) (*optList, error) {
	if s == nil {
		s = &pmv1.UnitSpec{}
	}
	changed := map[string]bool{}
	if useMask {
		for _, p := range paths {
			changed[p] = true
		}
	} else {
		for _, f := range specFields {
			if f.isSet(s) {
				changed[f.name] = true
			}
		}
		if s.GetCommand() != "" {
			changed[fieldCommand] = true
		}
		if len(s.GetArgs()) > 0 {
			changed[fieldArgs] = true
		}
	}
	// Directives: a mask replaces them all; without one, those given
	// replace the options of the same key.
	replaceAllDirectives := changed[fieldDirectives]
	given := map[[2]string]bool{}
	var dl optList
	if err := dl.addDirectives(s.GetDirectives()); err != nil {
		return nil, err
	}
	for _, o := range dl.opts {
		given[[2]string{o.Section, o.Key}] = true
	}

	oldCmd, oldArgs := execOf(old)
	l := &optList{}
	for _, o := range old {
		f := fieldOf(o.Section, o.Key)
		switch {
		case f == fieldCommand && (changed[fieldCommand] || changed[fieldArgs]):
			continue
		case f == fieldDirectives && (replaceAllDirectives || given[[2]string{o.Section, o.Key}]):
			continue
		case f != fieldCommand && f != fieldDirectives && f != "" && changed[f]:
			continue
		}
		field := f
		if field != "" {
			field = "spec." + field
		}
		l.opts = append(l.opts, o)
		l.fields = append(l.fields, field)
	}
	for _, f := range specFields {
		if changed[f.name] {
			l.addField(f, s)
		}
	}
	if changed[fieldCommand] || changed[fieldArgs] {
		cmd, args := oldCmd, oldArgs
		if changed[fieldCommand] {
			cmd = s.GetCommand()
		}
		if changed[fieldArgs] {
			args = s.GetArgs()
		}
		if cmd == "" {
			return nil, invalidField("spec.command", "A command is required.")
		}
		if err := l.addExec(cmd, args); err != nil {
			return nil, err
		}
	}
	l.opts = append(l.opts, dl.opts...)
	l.fields = append(l.fields, dl.fields...)
	return l, nil
}

// execOf returns the command and arguments of the first ExecStart= of
// opts, as QuoteExecArgs wrote them.
func execOf(opts []unit.Option) (string, []string) {
	for _, o := range opts {
		if o.Section != secSvc || o.Key != "ExecStart" || o.Value == "" {
			continue
		}
		cmds, _ := unit.ParseExecLine(o.Value)
		if len(cmds) == 0 || len(cmds[0].Argv) == 0 {
			continue
		}
		argv := make([]string, len(cmds[0].Argv))
		for i, w := range cmds[0].Argv {
			argv[i] = strings.ReplaceAll(w, "%%", "%")
		}
		return argv[0], argv[1:]
	}
	return "", nil
}

// specOf reads the options of an API-created unit back into a UnitSpec.
func specOf(opts []unit.Option) *pmv1.UnitSpec {
	s := &pmv1.UnitSpec{}
	s.Command, s.Args = execOf(opts)
	for _, o := range opts {
		name := fieldOf(o.Section, o.Key)
		f, ok := fieldByName(name)
		if !ok {
			if name == fieldDirectives {
				s.Directives = append(s.Directives, &pmv1.Directive{Section: o.Section, Key: o.Key, Value: o.Value})
			}
			continue
		}
		switch f.kind {
		case kindValue:
			*f.str(s) = o.Value
		case kindBool:
			b, err := unit.ParseBool(o.Value)
			if o.Value == "" || err != nil {
				*f.opt(s) = nil
			} else {
				*f.opt(s) = &b
			}
		case kindEnv:
			if o.Value == "" {
				*f.list(s) = nil
				continue
			}
			words, err := unit.SplitWords(o.Value, " \t\n\r", unit.ExtractUnquote|unit.ExtractCUnescape)
			if err != nil {
				words = []string{o.Value}
			}
			*f.list(s) = append(*f.list(s), words...)
		default:
			if o.Value == "" {
				*f.list(s) = nil
				continue
			}
			*f.list(s) = append(*f.list(s), o.Value)
		}
	}
	return s
}

// invalidDiags turns the diagnostics of a rejected Create or Update into
// InvalidArgument with a field violation for each, fields found by the
// option's line through l (nil: none known).
func invalidDiags(diags unit.Diagnostics, l *optList) error {
	var vs []fieldViolation
	for _, d := range diags {
		if d.Severity < unit.Error && len(diags.Filter(unit.Error)) > 0 {
			continue
		}
		field := ""
		if l != nil {
			field = l.field(d.Pos.Line)
		}
		if field == "" {
			field = "spec"
		}
		vs = append(vs, fieldViolation{field, d.Msg})
	}
	return invalidFields(vs...)
}
