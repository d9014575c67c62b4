package unit

import (
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yamlEntry is one key of a mapping, after merge keys are applied.
type yamlEntry struct {
	key string
	// k is the key node (for its position), v the value with aliases
	// resolved.
	k, v *yaml.Node
}

// visit counts a node against maxYAMLNodes. It returns false, after
// reporting it once, when the budget is spent.
func (l *yamlLowerer) visit(n *yaml.Node) bool {
	if l.over {
		return false
	}
	l.nodes++
	if l.nodes > maxYAMLNodes {
		l.over = true
		l.fatal(n, ErrSyntax, "document is too large once aliases and merge keys are expanded (more than %d nodes)", maxYAMLNodes)
		return false
	}
	return true
}

// deref resolves an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	// An alias names an anchored node, which cannot itself be an alias;
	// the bound only guards against a malformed tree.
	for i := 0; i < 4 && n != nil && n.Kind == yaml.AliasNode; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

// isNull reports whether n is a null scalar ("~", "null" or nothing).
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// isScalar reports whether n is a scalar other than null.
func isScalar(n *yaml.Node) bool {
	n = deref(n)
	return n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null"
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

func kindName(n *yaml.Node) string {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "a document"
}

// mapEntries returns the keys of mapping n in document order, with aliases
// resolved and merge keys ("<<: *base") applied: merged keys take the
// place of the merge key, and keys written in n win over merged ones.
// Duplicate keys are reported and all but the first ignored. active holds
// the mappings being merged into, to refuse a mapping that merges itself.
func (l *yamlLowerer) mapEntries(n *yaml.Node, depth int, active []*yaml.Node) []yamlEntry {
	if !l.visit(n) {
		return nil
	}
	if depth > maxMergeDepth {
		l.fatal(n, ErrSyntax, "merge keys nested more than %d deep", maxMergeDepth)
		l.over = true
		return nil
	}
	explicit := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k.Kind == yaml.ScalarNode && !isMerge(k) {
			explicit[k.Value] = true
		}
	}
	var out []yamlEntry
	first := map[string]*yaml.Node{}
	active = append(active, n)
	for i := 0; i+1 < len(n.Content) && !l.over; i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		k, v := deref(kn), deref(vn)
		if !l.visit(v) {
			return nil
		}
		if isMerge(k) {
			for _, m := range l.mergeSources(k, v) {
				if slices.Contains(active, m) {
					l.fatal(k, ErrSyntax, "merge key includes the mapping that holds it")
					l.over = true
					return nil
				}
				for _, e := range l.mapEntries(m, depth+1, active) {
					if explicit[e.key] || first[e.key] != nil {
						continue
					}
					first[e.key] = e.k
					out = append(out, e)
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			l.warn(kn, ErrSyntax, "key must be a scalar, not %s, ignoring", kindName(k))
			continue
		}
		if prev := first[k.Value]; prev != nil {
			l.warn(kn, ErrSyntax, "duplicate key %q (first on line %d), ignoring", k.Value, prev.Line)
			continue
		}
		first[k.Value] = kn
		out = append(out, yamlEntry{key: k.Value, k: kn, v: v})
	}
	return out
}

// mergeSources returns the mappings a merge key merges: one mapping or a
// list of them.
func (l *yamlLowerer) mergeSources(k, v *yaml.Node) []*yaml.Node {
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range v.Content {
			c = deref(c)
			if c.Kind != yaml.MappingNode {
				l.warn(k, ErrSyntax, "merge key \"<<\" takes mappings, not %s, ignoring it", kindName(c))
				continue
			}
			out = append(out, c)
		}
		return out
	}
	l.warn(k, ErrSyntax, "merge key \"<<\" takes a mapping or a list of mappings, not %s, ignoring it", kindName(v))
	return nil
}

// shape reports a value of the wrong shape; the key is ignored.
func (l *yamlLowerer) shape(e yamlEntry, want string) {
	l.warn(e.k, ErrBadValue, "%s: expected %s, got %s, ignoring", e.key, want, kindName(e.v))
}

// scalar returns the text of a scalar value as an option value: as written
// in the YAML source (yes stays "yes", 0755 stays "0755"), null as "",
// with the blanks around it stripped as a unit file strips them. Values no
// unit file line can hold are errors, and ok is false.
func (l *yamlLowerer) scalar(key string, n *yaml.Node) (string, bool) {
	n = deref(n)
	if n.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(n.Tag, "!!") {
		l.warn(n, ErrBadValue, "%s: value has the YAML tag %q; a leading '!' starts a tag in YAML, so quote the value (\"%s …\"), ignoring", key, n.Tag, n.Tag)
		return "", false
	}
	if n.ShortTag() == "!!null" {
		return "", true
	}
	v := strings.Trim(n.Value, whitespace)
	if p := valueProblem(v); p != "" {
		l.warn(n, ErrBadValue, "%s, ignoring", multilineHint(key, p))
		return "", false
	}
	return v, true
}

// multilineHint explains a value no unit file can hold, with advice for
// the common case of a multi-line block.
func multilineHint(key, problem string) string {
	if problem != problemNewline {
		return key + ": value " + problem
	}
	if strings.HasPrefix(key, "Exec") || key == "command" || key == "exec" {
		return key + ": value spans several lines, but a unit file holds one command line per assignment: write several commands as a list, or fold one long line with \">\""
	}
	return key + ": value spans several lines, which a unit file cannot hold: fold it into one line with \">\""
}

const problemNewline = "contains a line break"

// valueProblem says why v cannot be written as the value of a unit file
// line that reads back as v, or returns "".
func valueProblem(v string) string {
	switch {
	case strings.ContainsAny(v, "\n\r"):
		return problemNewline
	case strings.IndexByte(v, 0) >= 0:
		return "contains a NUL character"
	case !utf8.ValidString(v):
		return "is not valid UTF-8"
	case v != strings.Trim(v, whitespace):
		return "starts or ends with a blank, which a unit file strips"
	case len(v) > MaxLineLength-1:
		return "is longer than a unit file line may be"
	}
	return ""
}

// keyProblem says why k cannot be a key of a unit file line, or returns "".
func keyProblem(k string) string {
	switch {
	case k == "":
		return "is empty"
	case strings.ContainsAny(k, "=\n\r\x00"):
		return "contains '=', a line break or NUL"
	case !utf8.ValidString(k):
		return "is not valid UTF-8"
	case k != strings.Trim(k, whitespace):
		return "starts or ends with a blank"
	case k[0] == '#' || k[0] == ';' || k[0] == '[':
		return "starts with '#', ';' or '[', which a unit file reads as a comment or section"
	case len(k) > MaxLineLength/2:
		return "is too long"
	}
	return ""
}

// unknownKey warns about a key that means nothing where it is, suggesting
// the nearest known key.
func (l *yamlLowerer) unknownKey(e yamlEntry, known []string) {
	if sec := directiveSection(e.key); sec != "" {
		l.warn(e.k, ErrUnknownKey, "unknown key %q: directives in systemd's spelling go under their section, as in %s: {%s: …}, ignoring", e.key, yamlSectionKey(sec), e.key)
		return
	}
	if s := suggest(e.key, known); s != "" {
		l.warn(e.k, ErrUnknownKey, "unknown key %q (did you mean %q?), ignoring", e.key, s)
		return
	}
	l.warn(e.k, ErrUnknownKey, "unknown key %q, ignoring", e.key)
}

// directiveSection returns the section of a directive named key, if pm
// knows one.
func directiveSection(key string) string {
	for _, s := range []string{SectionUnit, SectionService, SectionSocket, SectionTimer, SectionInstall} {
		if _, ok := LookupDirective(s, key); ok {
			return s
		}
	}
	return ""
}

// suggest returns the known key nearest to key by edit distance, or "" if
// none is near enough to be a likely typo.
func suggest(key string, known []string) string {
	if len(key) > 64 {
		return ""
	}
	norm := strings.ReplaceAll(strings.ToLower(key), "-", "_")
	best, bestDist := "", 0
	limit := 1
	if len(key) > 5 {
		limit = 2
	}
	for _, k := range known {
		d := editDistance(norm, k)
		if norm != key && d == 0 {
			return k
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
