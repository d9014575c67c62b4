package unit

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// literal returns a scalar as a literal string (an argument or an
// environment value): exactly as YAML reads it, blanks and line breaks
// included, since quoting carries them into the unit file. ok is false,
// after a warning, for values no argument can hold.
func (l *yamlLowerer) literal(key string, n *yaml.Node) (string, bool) {
	n = deref(n)
	if n.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(n.Tag, "!!") {
		l.warn(n, ErrBadValue, "%s: value has the YAML tag %q; a leading '!' starts a tag in YAML, so quote the value (\"%s …\"), ignoring", key, n.Tag, n.Tag)
		return "", false
	}
	if n.ShortTag() == "!!null" {
		return "", true
	}
	if strings.IndexByte(n.Value, 0) >= 0 {
		l.warn(n, ErrBadValue, "%s: value contains a NUL character, which no argument or environment variable can hold, ignoring", key)
		return "", false
	}
	return n.Value, true
}

// command lowers command: (and args:) to ExecStart=. A scalar is a whole
// command line in systemd's Exec syntax; a list is the argument vector,
// each word taken literally. args: appends literal words.
func (b *bodyLowerer) command(e yamlEntry) {
	var line string
	switch {
	case e.v.Kind == yaml.ScalarNode:
		v, ok := b.scalar(e.key, e.v)
		if !ok {
			return
		}
		if v == "" {
			if b.args != nil {
				b.warn(b.args.k, ErrBadValue, "args: extends command:, which is empty, ignoring")
			}
			b.emit(SectionService, "ExecStart", e.k, e.v, "")
			return
		}
		line = v
	case e.v.Kind == yaml.SequenceNode:
		words, ok := b.words(e.key, e.v)
		if !ok {
			return
		}
		if len(words) == 0 {
			b.warn(e.k, ErrBadValue, "command: the list is empty, ignoring")
			return
		}
		parts := make([]string, len(words))
		for i, w := range words {
			// The program is not subject to variable expansion, only to
			// specifiers; its arguments are subject to both.
			parts[i] = quoteLiteralArg(w, i > 0)
		}
		line = strings.Join(parts, " ")
	default:
		b.shape(e, "a command line or a list of words")
		return
	}
	if b.args != nil {
		a := *b.args
		if a.v.Kind != yaml.SequenceNode {
			if !isNull(a.v) {
				b.warn(a.k, ErrBadValue, "args: expected a list of arguments, got %s (one string is one argument: write [\"…\"]), ignoring", kindName(a.v))
			}
		} else if words, ok := b.words(a.key, a.v); ok {
			expand := !hasNoEnvPrefix(line)
			for _, w := range words {
				line += " " + quoteLiteralArg(w, expand)
			}
		}
	}
	b.emit(SectionService, "ExecStart", e.k, e.v, line)
}

// words returns the literal words of a list.
func (b *bodyLowerer) words(key string, n *yaml.Node) ([]string, bool) {
	words := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		c = deref(c)
		if !b.visit(c) {
			return nil, false
		}
		if c.Kind != yaml.ScalarNode {
			b.warn(c, ErrBadValue, "%s: list elements must be scalars, not %s, ignoring %s", key, kindName(c), key)
			return nil, false
		}
		w, ok := b.literal(key, c)
		if !ok {
			return nil, false
		}
		words = append(words, w)
	}
	return words, true
}

// quoteLiteralArg quotes s as one word of an Exec*= command line so that
// systemd gives back exactly s: '%' is doubled against specifier
// expansion, '$' (when expand is set) against variable expansion, and a
// lone ";" is quoted so it does not separate commands.
func quoteLiteralArg(s string, expand bool) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if expand {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	if s == ";" {
		return `";"`
	}
	return QuoteWord(s)
}

// hasNoEnvPrefix reports whether a command line starts with the ':'
// prefix, which turns variable expansion off (then '$' needs no doubling).
func hasNoEnvPrefix(line string) bool {
	first, _, ok, err := ExtractWord(line, "", ExtractUnquote|ExtractCUnescape)
	if err != nil || !ok {
		return false
	}
	for _, c := range first {
		switch c {
		case ':':
			return true
		case '-', '@', '+', '!':
		default:
			return false
		}
	}
	return false
}

// quoteEnvAssignment quotes NAME=value as one word of Environment=, so
// that systemd's parsing gives back exactly that assignment.
func quoteEnvAssignment(s string) string {
	return QuoteWord(strings.ReplaceAll(s, "%", "%%"))
}

// env lowers an environment: a mapping of NAME: value, or (for the seed
// key env:) a list of literal "NAME=value" strings, one Environment= each.
// In the full spelling a list of Environment= values is lowered by
// directive, as written.
func (b *bodyLowerer) env(section string, e yamlEntry, seed bool) {
	switch {
	case isNull(e.v):
		b.emit(section, "Environment", e.k, e.v, "")
	case e.v.Kind == yaml.MappingNode:
		for _, v := range b.mapEntries(e.v, 0, nil) {
			if v.v.Kind != yaml.ScalarNode {
				b.warn(v.k, ErrBadValue, "%s: the value of %s must be a scalar, not %s, ignoring", e.key, v.key, kindName(v.v))
				continue
			}
			name, ok1 := b.literal(e.key, v.k)
			val, ok2 := b.literal(e.key, v.v)
			if ok1 && (name == "" || strings.Contains(name, "=")) {
				b.warn(v.k, ErrBadValue, "%s: invalid variable name %q, ignoring", e.key, name)
				continue
			}
			if ok1 && ok2 {
				b.emit(section, "Environment", v.k, v.v, quoteEnvAssignment(name+"="+val))
			}
		}
	case seed && e.v.Kind == yaml.SequenceNode:
		for _, c := range e.v.Content {
			c = deref(c)
			if !b.visit(c) {
				return
			}
			if c.Kind != yaml.ScalarNode {
				b.warn(c, ErrBadValue, "%s: list elements must be NAME=value strings, not %s, ignoring", e.key, kindName(c))
				continue
			}
			if s, ok := b.literal(e.key, c); ok {
				b.emit(section, "Environment", e.k, c, quoteEnvAssignment(s))
			}
		}
	default:
		b.shape(e, "a mapping of NAME: value or a list of NAME=value")
	}
}
