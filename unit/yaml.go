package unit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lowered is one unit described by a YAML file, lowered to options.
type Lowered struct {
	// Name is the unit's full name, such as "web.service".
	Name string
	// Options are the unit's settings in systemd's spelling, in document
	// order.
	Options []Option
	// Pos is where the unit is described: the top of a single-unit file,
	// or the unit's key in a processes:, sockets:, timers: or targets: map.
	Pos Pos
}

// MaxYAMLSize is the largest YAML file [ParseYAML] reads, in bytes.
const MaxYAMLSize = 1 << 20

const (
	// maxYAMLNodes bounds the nodes lowering visits, counting a node again
	// each time an alias or merge key reuses it, so that a small file
	// cannot expand into millions of options ("billion laughs").
	maxYAMLNodes = 1 << 18
	// maxMergeDepth bounds merge keys ("<<") that merge mappings that merge
	// mappings.
	maxMergeDepth = 16
)

// unitMaps are the top-level maps of a multi-unit file, with the type of
// unit each holds, in the order the documentation lists them.
var unitMaps = []struct {
	key string
	typ Type
}{
	{"processes", TypeService},
	{"sockets", TypeSocket},
	{"timers", TypeTimer},
	{"targets", TypeTarget},
}

func unitMapType(key string) (Type, bool) {
	for _, m := range unitMaps {
		if m.key == key {
			return m.typ, true
		}
	}
	return "", false
}

func unitMapKey(t Type) (string, bool) {
	for _, m := range unitMaps {
		if m.typ == t {
			return m.key, true
		}
	}
	return "", false
}

// ParseYAML reads one of pm's YAML files and lowers each unit it describes
// to options in systemd's spelling. file names the file in positions and
// supplies the unit name of single-unit files ("web.yaml" is web.service,
// "web.socket.yaml" is web.socket). docs/yaml.md describes the format.
//
// Unknown keys and values of the wrong shape are warnings and are ignored.
// Broken YAML, a file that mixes single-unit keys with processes: and the
// like, and values no unit file can hold (several lines, say) are errors.
func ParseYAML(file string, data []byte) ([]Lowered, Diagnostics) {
	l := &yamlLowerer{file: file}
	root, ok := l.decode(data)
	if !ok {
		return nil, l.diags
	}
	if root != nil && root.Kind != yaml.MappingNode && !isNull(root) {
		l.fatal(root, ErrSyntax, "the top level must be a mapping of keys such as command: or processes:, not %s", kindName(root))
		return nil, l.diags
	}
	var entries []yamlEntry
	if root != nil && root.Kind == yaml.MappingNode {
		entries = l.mapEntries(root, 0, nil)
	}
	var units []Lowered
	if isMultiUnit(entries) {
		units = l.multi(entries)
	} else {
		units = l.single(root, entries)
	}
	l.diags.Sort()
	if l.over {
		return nil, l.diags
	}
	return units, l.diags
}

// isMultiUnit reports whether the top level holds processes:, sockets:,
// timers: or targets:.
func isMultiUnit(entries []yamlEntry) bool {
	for _, e := range entries {
		if _, ok := unitMapType(e.key); ok {
			return true
		}
	}
	return false
}

// single lowers a file that describes one unit named after the file.
func (l *yamlLowerer) single(root *yaml.Node, entries []yamlEntry) []Lowered {
	name, err := unitNameFromFile(l.file)
	if err != nil {
		l.diags.Add(Pos{File: l.file}, Warning, "", err, "%v, ignoring file", err)
		return nil
	}
	l.unit = name
	pos := Pos{File: l.file, Line: 1, Col: 1}
	if root != nil {
		pos = l.pos(root)
	}
	return []Lowered{{Name: name, Options: l.lowerBody(entries), Pos: pos}}
}

// multi lowers a file of processes:, sockets:, timers: and targets: maps.
func (l *yamlLowerer) multi(entries []yamlEntry) []Lowered {
	for _, e := range entries {
		if _, ok := unitMapType(e.key); ok || isExtensionKey(e.key) {
			continue
		}
		if isBodyKey(e.key) {
			l.fatal(e.k, ErrSyntax, "%q describes a single unit, but this file describes several with %s; move it into one of them", e.key, unitMapList())
			return nil
		}
	}
	var units []Lowered
	seen := map[string]Pos{}
	for _, e := range entries {
		typ, ok := unitMapType(e.key)
		if !ok {
			if !isExtensionKey(e.key) {
				l.unknownKey(e, topLevelKeys())
			}
			continue
		}
		if isNull(e.v) {
			continue
		}
		if e.v.Kind != yaml.MappingNode {
			l.shape(e, "a mapping of unit names to their settings")
			continue
		}
		for _, u := range l.mapEntries(e.v, 0, nil) {
			if l.over {
				return nil
			}
			name, ok := l.entryUnitName(e.key, typ, u)
			if !ok {
				continue
			}
			if first, dup := seen[name]; dup {
				l.warn(u.k, ErrSyntax, "unit %s is already described at %s, ignoring", name, first)
				continue
			}
			seen[name] = l.pos(u.k)
			l.unit = name
			var body []yamlEntry
			switch {
			case isNull(u.v):
			case u.v.Kind == yaml.MappingNode:
				body = l.mapEntries(u.v, 0, nil)
			default:
				l.shape(u, "a mapping of settings")
				l.unit = ""
				continue
			}
			units = append(units, Lowered{Name: name, Options: l.lowerBody(body), Pos: l.pos(u.k)})
			l.unit = ""
		}
	}
	return units
}

// entryUnitName names the unit of an entry of a processes:, sockets:, …
// map: the key plus the map's suffix, or the key itself when it already
// ends in that suffix.
func (l *yamlLowerer) entryUnitName(mapKey string, typ Type, e yamlEntry) (string, bool) {
	name := e.key
	if t, ok := nameType(name); ok {
		if t != typ {
			want, _ := unitMapKey(t)
			if want == "" {
				l.warn(e.k, ErrBadName, "%s: %s is a %s, which a multi-unit file cannot describe; give it a file of its own (%s), ignoring", mapKey, name, t, YAMLFileName(name))
			} else {
				l.warn(e.k, ErrBadName, "%s holds %s units, but %s is a %s; move it to %s:, ignoring", mapKey, typ, name, t, want)
			}
			return "", false
		}
	} else {
		name += "." + string(typ)
	}
	if _, err := ParseName(name); err != nil {
		l.warn(e.k, err, "%v, ignoring", err)
		return "", false
	}
	return name, true
}

// nameType returns the type suffix of a unit name, if it has a known one.
func nameType(name string) (Type, bool) {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return "", false
	}
	t := Type(name[dot+1:])
	return t, t.Known()
}

// unitNameFromFile names the unit of a single-unit file: "web.yaml" is
// web.service, "web.socket.yaml" is web.socket.
func unitNameFromFile(file string) (string, error) {
	base := filepath.Base(file)
	if file == "" || base == "." || base == string(filepath.Separator) {
		return "", fmt.Errorf("%w: cannot name a unit after file %q", ErrBadName, file)
	}
	for _, ext := range []string{".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) {
			base = strings.TrimSuffix(base, ext)
			break
		}
	}
	if base == "" {
		return "", fmt.Errorf("%w: cannot name a unit after file %q", ErrBadName, file)
	}
	name := base
	if _, ok := nameType(base); !ok {
		name += "." + string(TypeService)
	}
	if _, err := ParseName(name); err != nil {
		return "", fmt.Errorf("file %q: %w", file, err)
	}
	return name, nil
}

// YAMLFileName returns the name of the single-unit YAML file that
// describes the unit name: "web.service" is "web.yaml", other types keep
// their suffix ("web.socket.yaml").
func YAMLFileName(name string) string {
	if prefix, ok := strings.CutSuffix(name, "."+string(TypeService)); ok {
		if _, typed := nameType(prefix); !typed {
			return prefix + ".yaml"
		}
	}
	return name + ".yaml"
}

// yamlLowerer holds the state of one ParseYAML call.
type yamlLowerer struct {
	file  string
	diags Diagnostics
	// unit is the unit being lowered, for diagnostics.
	unit string
	// nodes counts the nodes visited; over is set once maxYAMLNodes is
	// passed, after which lowering stops.
	nodes int
	over  bool
}

func (l *yamlLowerer) pos(n *yaml.Node) Pos {
	if n == nil || n.Line == 0 {
		return Pos{File: l.file}
	}
	return Pos{File: l.file, Line: n.Line, Col: n.Column}
}

func (l *yamlLowerer) warn(n *yaml.Node, err error, format string, args ...any) {
	l.diags.Add(l.pos(n), Warning, l.unit, err, format, args...)
}

func (l *yamlLowerer) fatal(n *yaml.Node, err error, format string, args ...any) {
	l.diags.Add(l.pos(n), Error, l.unit, fmt.Errorf("%w: %w", ErrUnusable, err), format, args...)
}

// decode parses data into its root node. It returns a nil root for an
// empty document, and false after reporting an error.
func (l *yamlLowerer) decode(data []byte) (root *yaml.Node, ok bool) {
	if len(data) > MaxYAMLSize {
		l.fatal(nil, ErrSyntax, "file is larger than %d bytes", MaxYAMLSize)
		return nil, false
	}
	defer func() {
		// The YAML library reports errors by panicking and recovering
		// inside; a panic that escapes it is a library bug, and a bad file
		// must not take the daemon down with it.
		if r := recover(); r != nil {
			l.fatal(nil, ErrSyntax, "invalid YAML: %v", r)
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		l.syntaxError(err)
		return nil, false
	}
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			l.syntaxError(err)
			return nil, false
		}
		if len(extra.Content) > 0 && !isNull(extra.Content[0]) {
			l.fatal(&extra, ErrSyntax, "file holds more than one YAML document; describe several units with %s in one document", unitMapList())
			return nil, false
		}
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return doc.Content[0], true
}

// syntaxError reports an error of the YAML parser, which spells its
// position as "yaml: line N: message".
func (l *yamlLowerer) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: l.file}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil && n > 0 {
				pos.Line = n
				msg = rest[i+2:]
			}
		}
	}
	l.diags.Add(pos, Error, "", fmt.Errorf("%w: %w", ErrUnusable, ErrSyntax), "invalid YAML: %s", msg)
}

func unitMapList() string {
	keys := make([]string, len(unitMaps))
	for i, m := range unitMaps {
		keys[i] = m.key + ":"
	}
	return strings.Join(keys, ", ")
}
