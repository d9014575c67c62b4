package unit

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FormatYAML writes one unit's options as a single-unit pm YAML file, to
// be saved as [YAMLFileName](l.Name). Options are written in systemd's
// spelling under their section keys (unit:, service:, socket:, …, x-…:),
// sections in the order first seen; a directive given several times
// becomes a list, an empty assignment "". pm's own sections come back in
// the friendly form where it says the same: [X-Health] as health_check:,
// [X-Resources] as resources:, [X-PM] AutoStart= as auto_start:.
//
// [ParseYAML] reads the result back as the same options, grouped by
// section as [GroupSections] does. Options that no unit file can hold
// (see [FormatINI]) and sections with no YAML spelling (neither systemd's
// nor [X-…]) are refused with an error wrapping [ErrBadValue] or
// [ErrUnknownSection].
func FormatYAML(l Lowered) ([]byte, error) {
	body, err := yamlBody(l.Options)
	if err != nil {
		return nil, err
	}
	out, err := encodeYAML(body)
	if err != nil {
		return nil, err
	}
	if err := checkReadBack(out, []Lowered{{Name: "", Options: l.Options}}, false); err != nil {
		return nil, err
	}
	return out, nil
}

// FormatYAMLUnits writes several units as one multi-unit pm YAML file:
// services under processes:, sockets under sockets:, timers under
// timers: and targets under targets:, each unit as [FormatYAML] writes
// it. Units of other types have no place in such a file and are refused,
// as are duplicate names.
func FormatYAMLUnits(units []Lowered) ([]byte, error) {
	var types []Type
	byType := map[Type][]Lowered{}
	seen := map[string]bool{}
	for _, u := range units {
		n, err := ParseName(u.Name)
		if err != nil {
			return nil, err
		}
		if _, ok := unitMapKey(n.Type); !ok {
			return nil, fmt.Errorf("unit %s: a multi-unit file cannot describe a %s: %w", u.Name, n.Type, ErrUnsupported)
		}
		if seen[u.Name] {
			return nil, fmt.Errorf("unit %s given twice: %w", u.Name, ErrBadName)
		}
		seen[u.Name] = true
		if byType[n.Type] == nil {
			types = append(types, n.Type)
		}
		byType[n.Type] = append(byType[n.Type], u)
	}
	root := &yaml.Node{Kind: yaml.MappingNode}
	var written []Lowered
	for _, t := range types {
		key, _ := unitMapKey(t)
		m := &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, keyNode(key), m)
		for _, u := range byType[t] {
			body, err := yamlBody(u.Options)
			if err != nil {
				return nil, fmt.Errorf("unit %s: %w", u.Name, err)
			}
			// The short name reads back as this unit unless it looks like
			// a name of another type ("a.socket" under processes:).
			entry := u.Name[:len(u.Name)-len(t)-1]
			if _, typed := nameType(entry); typed {
				entry = u.Name
			}
			m.Content = append(m.Content, keyNode(entry), body)
			written = append(written, u)
		}
	}
	out, err := encodeYAML(root)
	if err != nil {
		return nil, err
	}
	if err := checkReadBack(out, written, true); err != nil {
		return nil, err
	}
	return out, nil
}

// yamlBody builds the body of one unit.
func yamlBody(opts []Option) (*yaml.Node, error) {
	for _, o := range opts {
		if err := checkINIOption(o); err != nil {
			return nil, err
		}
		if yamlSectionKey(o.Section) == "" {
			return nil, optionError(o, ErrUnknownSection, "section has no YAML spelling (only systemd's sections and [X-…] sections have one)")
		}
	}
	order, by := groupSections(opts)
	body := &yaml.Node{Kind: yaml.MappingNode}
	for _, sec := range order {
		if pairs := friendlyForm(sec, by[sec]); pairs != nil {
			body.Content = append(body.Content, pairs...)
			continue
		}
		body.Content = append(body.Content, keyNode(yamlSectionKey(sec)), sectionNode(by[sec]))
	}
	return body, nil
}

// sectionNode writes a section's options in the full spelling: a mapping
// of Directive: value (a list for a directive given several times), or,
// when a directive comes back after others, a list of such mappings so
// that the order of the options is kept.
func sectionNode(opts []Option) *yaml.Node {
	if runsUnique(opts) {
		return directiveMap(opts)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	start := 0
	seen := map[string]bool{}
	for i, o := range opts {
		if seen[o.Key] && opts[i-1].Key != o.Key {
			seq.Content = append(seq.Content, directiveMap(opts[start:i]))
			start = i
			clear(seen)
		}
		seen[o.Key] = true
	}
	seq.Content = append(seq.Content, directiveMap(opts[start:]))
	return seq
}

// runsUnique reports whether each key's options are consecutive.
func runsUnique(opts []Option) bool {
	seen := map[string]bool{}
	for i, o := range opts {
		if seen[o.Key] && opts[i-1].Key != o.Key {
			return false
		}
		seen[o.Key] = true
	}
	return true
}

// directiveMap writes options whose keys are consecutive as a mapping.
func directiveMap(opts []Option) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(opts); {
		j := i + 1
		for j < len(opts) && opts[j].Key == opts[i].Key {
			j++
		}
		v := valuesNode(opts[i:j])
		if opts[i].Key == "Environment" {
			if env := envMapNode(opts[i:j]); env != nil {
				v = env
			}
		}
		m.Content = append(m.Content, keyNode(opts[i].Key), v)
		i = j
	}
	return m
}

// envMapNode writes Environment= values as a mapping of NAME: value when
// each value is one assignment, quoted as lowering such a mapping quotes
// it, and no name repeats; otherwise it returns nil.
func envMapNode(opts []Option) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	seen := map[string]bool{}
	for _, o := range opts {
		words, err := SplitWords(o.Value, "", ExtractUnquote|ExtractCUnescape)
		if err != nil || len(words) != 1 {
			return nil
		}
		assignment := strings.ReplaceAll(words[0], "%%", "%")
		name, val, ok := strings.Cut(assignment, "=")
		if !ok || name == "" || seen[name] || quoteEnvAssignment(assignment) != o.Value {
			return nil
		}
		if keyProblem(name) != "" || hasInvisible(name) || strings.ContainsAny(val, "\x00") {
			return nil
		}
		seen[name] = true
		m.Content = append(m.Content, keyNode(name), literalNode(val))
	}
	return m
}

// literalNode writes a literal string (an environment value), which
// lowering takes exactly as YAML reads it, blanks and line breaks
// included.
func literalNode(v string) *yaml.Node {
	n := valueNode(v)
	if v != strings.TrimSpace(v) || strings.ContainsAny(v, "\n\r\t") {
		n.Style = yaml.DoubleQuotedStyle
		n.Tag = "!!str"
	}
	return n
}

// valuesNode writes the values of one directive: a scalar, or a list.
func valuesNode(opts []Option) *yaml.Node {
	if len(opts) == 1 {
		return valueNode(opts[0].Value)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, o := range opts {
		seq.Content = append(seq.Content, valueNode(o.Value))
	}
	return seq
}

// valueNode writes a value so that it reads back as itself. Values are
// taken as written whatever YAML type they resolve to, so only those that
// would read as null need quotes; the YAML encoder quotes whatever plain
// style cannot hold.
func valueNode(v string) *yaml.Node {
	switch v {
	case "":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle}
	case "~", "null", "Null", "NULL":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	}
	if hasInvisible(v) {
		// Double quotes show them as escapes ("\x01", "\L").
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v}
}

// hasInvisible reports whether s holds control characters, line or
// paragraph separators, or a byte order mark.
func hasInvisible(s string) bool {
	for _, r := range s {
		if r < ' ' || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff {
			return true
		}
	}
	return false
}

// keyNode writes a mapping key: "<<" is quoted so it is not a merge key,
// and null-like keys so that they read back as text.
func keyNode(k string) *yaml.Node {
	switch k {
	case "<<", "~", "null", "Null", "NULL":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
	}
	if hasInvisible(k) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Style: yaml.DoubleQuotedStyle}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: k}
}

func boolNode(b bool) *yaml.Node {
	v := "false"
	if b {
		v = "true"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v}
}

func encodeYAML(n *yaml.Node) (out []byte, err error) {
	defer func() {
		// As in decode: a panic escaping the library must not escape us.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("cannot write YAML: %v: %w", r, ErrBadValue)
		}
	}()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("cannot write YAML: %w: %w", err, ErrBadValue)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cannot write YAML: %w: %w", err, ErrBadValue)
	}
	return b.Bytes(), nil
}

// checkReadBack lowers the YAML just written and compares it with the
// units it was written from, so that a value the YAML encoder writes in a
// way that reads back differently is an error, never a silent change.
func checkReadBack(out []byte, want []Lowered, multi bool) error {
	l := &yamlLowerer{file: "<output>"}
	root, ok := l.decode(out)
	var got []Lowered
	if ok {
		var entries []yamlEntry
		if root != nil && root.Kind == yaml.MappingNode {
			entries = l.mapEntries(root, 0, nil)
		}
		if multi {
			got = l.multi(entries)
		} else {
			got = []Lowered{{Options: l.lowerBody(entries)}}
		}
	}
	if len(l.diags) > 0 {
		return fmt.Errorf("written YAML does not read back: %s: %w", l.diags[0].String(), ErrBadValue)
	}
	if len(got) != len(want) {
		return fmt.Errorf("written YAML reads back as %d units, not %d: %w", len(got), len(want), ErrBadValue)
	}
	for i := range want {
		if multi && got[i].Name != want[i].Name {
			return fmt.Errorf("written YAML reads back unit %s as %s: %w", want[i].Name, got[i].Name, ErrBadValue)
		}
		if j, ok := sameOptions(GroupSections(want[i].Options), got[i].Options); !ok {
			return fmt.Errorf("written YAML does not read back option %d of %s: %w", j, want[i].Name, ErrBadValue)
		}
	}
	return nil
}

// sameOptions compares section, key and value of two option lists. It
// returns the index of the first difference.
func sameOptions(a, b []Option) (int, bool) {
	for i := range min(len(a), len(b)) {
		if a[i].Section != b[i].Section || a[i].Key != b[i].Key || a[i].Value != b[i].Value {
			return i, false
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b)), false
	}
	return 0, true
}
